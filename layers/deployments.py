"""Deployments: one marker per site showing which nations are there, sized by known personnel.

Dynamic: rebuilt from the filtered rows and pushed into the mounted map on every filter change.
Two symbol styles: nation badges (colour and code per nation; flags and names in the popup), or
NATO APP-6 unit symbols (:mod:`layers.symbols`). Every text is escaped (:func:`safe_text`).
"""

from __future__ import annotations

from collections.abc import Mapping

import folium
import geopandas as gpd
import pandas as pd

from geo import nations, settings, summary
from geo.filters import FilterState
from layers.base import DataLayer, LegendEntry, SetState, layer_group, safe_text

NAME = "deployments"
TITLE = "Deployments"


def _personnel_text(value: object) -> str:
    return "personnel not stated" if pd.isna(value) else f"{int(value)} personnel"  # type: ignore[call-overload]


def _row_data(row: pd.Series, sources: dict[str, int]) -> list[object]:
    """One line of a popup, as escaped texts the browser puts into its table (no markup)."""
    code = str(row["nation"])
    period = summary.period_text(row["start"], row["end"], str(row["date_precision"]))
    facts = [_personnel_text(row["personnel"])]
    if row["assets"]:
        facts.append(str(row["assets"]))
    command = f"command: {nations.name(row['command'])}" if row["command"] else ""
    status = str(row["status"])
    source = sources.setdefault(str(row["source"]), len(sources))
    return [
        safe_text(nations.label(code)),
        nations.color(code),
        safe_text(row["mission"]),
        safe_text(period),
        _status_class(status),
        safe_text(" · ".join(facts)),
        safe_text(command),
        source,
    ]


def popup_data(
    site: pd.Series, rows: pd.DataFrame, *, sources: dict[str, int], max_rows: int
) -> dict[str, object]:
    """The popup of one site as data: each nation's contribution, dates, command, status and
    source (an index into the push's list of source titles). ``layers/briefing.js`` builds
    the HTML; every text here is already escaped, and no markup is sent (JSON would turn each
    ``<`` of it into six characters)."""
    shown = rows.sort_values(["nation", "start_day"], na_position="first").head(max_rows)
    personnel = (
        f"{int(site['personnel'])} personnel where stated"
        if site["personnel_known"]
        else "personnel not stated"
    )
    kind = settings.SITE_KIND_LABELS.get(str(site["site_kind"]), str(site["site_kind"]))
    nations_count = len(site["nations"])
    meta = f"{kind} · {nations_count} nation{'s' if nations_count != 1 else ''} · {personnel}"
    return {
        "t": safe_text(site["site_name"]),
        "m": safe_text(meta),
        "r": [_row_data(row, sources) for _, row in shown.iterrows()],
        "x": len(rows) - len(shown),
    }


def _status_class(status: object) -> str:
    # Only known statuses become part of a CSS class name.
    text = str(status)
    return text if text in settings.STATUS_PRECEDENCE else "unknown"


def _app6_svg(site: pd.Series, rows: pd.DataFrame, diameter: int) -> str:
    from layers import symbols  # only when the APP-6 style is chosen

    return symbols.app6_svg(
        domain=str(rows["domain"].mode().iloc[0]),
        status=summary.best_status(rows["status"]),
        mission=str(rows["mission"].iloc[0]),
        assets=str(rows["assets"].iloc[0]),
        size=max(diameter, settings.APP6_MIN_SIZE_PX),
        label=" ".join(site["nations"]),
    )


def build(
    rows: gpd.GeoDataFrame,
    *,
    state: FilterState,
    source_titles: Mapping[str, str],
    max_popup_rows: int = settings.POPUP_MAX_ROWS,
) -> folium.FeatureGroup:
    """The deployments layer for the filtered rows.

    Parameters
    ----------
    rows : GeoDataFrame
        Filtered deployments joined to their sites (:func:`geo.tables.join_sites`). Not
        modified.
    state : FilterState
        For the selected site and the symbol style.
    source_titles : mapping
        Source id -> title, for the popups.
    max_popup_rows : int
        Rows listed in one popup; the rest are counted.

    Returns
    -------
    FeatureGroup
        One marker per site, and the state (contributing nations, active sea areas) the
        static layers restyle by.
    """
    group = layer_group(NAME, TITLE)
    sites = summary.site_summary(rows)
    contributing = sorted(set(rows.loc[rows["status"] != "declined", "nation"]))
    seas = sorted(sites.index[sites["site_kind"] == "sea_area"])
    group.add_child(SetState({"contributors": contributing, "active_seas": seas}))
    by_site = dict(tuple(rows.groupby("site", sort=True)))
    markers = []
    sources: dict[str, int] = {}  # source id -> index in the titles sent once per push
    for site_id, site in sites.iterrows():
        site_rows = by_site[site_id]
        diameter = summary.marker_diameter(int(site["personnel"]), known=site["personnel_known"])
        statuses = site_rows.groupby("nation")["status"].agg(summary.best_status)
        marker: dict[str, object] = {
            "ll": [round(float(site["lat"]), 5), round(float(site["lon"]), 5)],
            "id": safe_text(site_id),
            "sel": int(state.site == site_id),
            "tip": safe_text(f"{site['site_name']}: {', '.join(site['nations'])}"),
            "pop": popup_data(site, site_rows, sources=sources, max_rows=max_popup_rows),
        }
        if state.symbols == "app6":
            marker["svg"] = _app6_svg(site, site_rows, diameter)
            marker["s"] = max(diameter, settings.APP6_MIN_SIZE_PX) + 20
        else:
            marker["d"] = marker["s"] = diameter
            marker["fig"] = str(int(site["personnel"])) if site["personnel_known"] else ""
            marker["b"] = [
                [safe_text(code), nations.color(code), _status_class(statuses[code])]
                for code in site["nations"]
            ]
        markers.append(marker)
    titles = [safe_text(source_titles.get(source, source)) for source in sources]
    group.add_child(DataLayer("deployments", {"markers": markers, "sources": titles}))
    return group


def legend() -> list[LegendEntry]:
    """Legend entries: what a marker's size and badges mean."""
    return [
        LegendEntry(
            "Site with deployments (size: personnel where stated)",
            settings.DEPLOYMENT_STYLE,
            shape="circle",
        ),
        LegendEntry("Nation badge: active", {"color": "#1d2b3a", "fillColor": "#1d2b3a"}),
        LegendEntry(
            "Nation badge: announced (dashed)",
            {"color": "#1d2b3a", "fillColor": "#ffffff", "dashArray": "3 2"},
        ),
        LegendEntry(
            "Nation badge: declined (struck)", {"color": "#9aa4ae", "fillColor": "#ffffff"}
        ),
    ]
