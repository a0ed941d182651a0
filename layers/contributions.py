"""Contributions: curved lines from each contributing nation to the site it deploys to.

Dynamic. Drawn for every site in "flows" mode (``FilterState.flows``), otherwise only for the
selected site; a line starts inside the nation's largest polygon
(:func:`geo.summary.nation_anchors`).
"""

from __future__ import annotations

from collections.abc import Mapping

import folium
import geopandas as gpd

from geo import nations, settings, summary
from geo.filters import FilterState
from layers.base import DataLayer, LegendEntry, layer_group, safe_text

NAME = "contributions"
TITLE = "Contributions"


def build(
    rows: gpd.GeoDataFrame,
    *,
    state: FilterState,
    anchors: Mapping[str, tuple[float, float]],
) -> folium.FeatureGroup:
    """The contribution lines of the filtered rows.

    Parameters
    ----------
    rows : GeoDataFrame
        Filtered deployments joined to their sites. Not modified.
    state : FilterState
        ``flows`` draws every site's lines; else only ``site``'s.
    anchors : mapping
        alpha-3 code -> (lat, lon) where a nation's lines start.
    """
    group = layer_group(NAME, TITLE)
    lines: list[dict[str, object]] = []
    # The browser draws the same curve as geo.summary.curve (which the static export uses).
    group.add_child(
        DataLayer(
            "contributions",
            {
                "lines": lines,
                "styles": settings.CONTRIBUTION_STYLES,
                "bend": settings.CURVE_BEND,
                "points": settings.CURVE_POINTS,
            },
        )
    )
    if not state.flows:
        rows = rows[rows["site"] == state.site] if state.site else rows.iloc[0:0]
    if rows.empty:
        return group
    pairs = rows.groupby(["nation", "site"], sort=True)
    for (code, site), pair in pairs:
        start = anchors.get(str(code))
        if start is None:
            continue  # a nation without an outline (e.g. a code the boundaries lack)
        point = pair.geometry.iloc[0]
        end = (point.y, point.x)
        if abs(start[0] - end[0]) + abs(start[1] - end[1]) < 0.5:
            continue  # the nation hosts the site: no line to draw
        status = summary.best_status(pair["status"])
        text = f"{nations.label(str(code))} → {pair['site_name'].iloc[0]} ({status})"
        lines.append(
            {
                "a": [round(start[0], 3), round(start[1], 3)],
                "b": [round(end[0], 3), round(end[1], 3)],
                "c": nations.color(str(code)),
                "n": safe_text(code),
                "site": safe_text(site),
                "st": status if status in settings.CONTRIBUTION_STYLES else "active",
                "tip": safe_text(text),
            }
        )
    return group


def legend() -> list[LegendEntry]:
    """Legend entries: line styles by status (colour is the nation's)."""
    base = {"color": "#1d2b3a"}
    return [
        LegendEntry(
            "Contribution (active)",
            {**base, **settings.CONTRIBUTION_STYLES["active"]},
            shape="line",
            shows=".contrib-active",
        ),
        LegendEntry(
            "Contribution (announced)",
            {**base, **settings.CONTRIBUTION_STYLES["announced"]},
            shape="line",
            shows=".contrib-announced",
        ),
    ]
