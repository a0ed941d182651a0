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


# Columns the popups and symbols read, copied without the geometry (cheaper to sort and split).
_POPUP_COLUMNS = (
    "site",
    "nation",
    "mission",
    "start",
    "end",
    "start_day",
    "date_precision",
    "personnel",
    "assets",
    "command",
    "status",
    "source",
    "domain",
)


class _Index:
    """Values sent once per push, in a list; each popup row holds their positions."""

    def __init__(self) -> None:
        self.positions: dict[str, int] = {}

    def __call__(self, value: str) -> int:
        return self.positions.setdefault(value, len(self.positions))

    def values(self) -> list[str]:
        return list(self.positions)


def _row_data(
    row: Mapping[str, object], *, nations_: _Index, missions: _Index, sources: _Index
) -> list[object]:
    """One line of a popup, as escaped texts the browser puts into its table (no markup).

    The nation (flag and name, colour), the mission and the source are positions in lists
    sent once per push: repeated in every line, they were most of the bytes of a push.
    """
    code = str(row["nation"])
    period = summary.period_text(row["start"], row["end"], str(row["date_precision"]))
    facts = [_personnel_text(row["personnel"])]
    if row["assets"]:
        facts.append(str(row["assets"]))
    command = f"command: {nations.name(str(row['command']))}" if row["command"] else ""
    return [
        nations_(code),
        missions(safe_text(row["mission"])),
        safe_text(period),
        _status_class(row["status"]),
        safe_text(" · ".join(facts)),
        safe_text(command),
        sources(str(row["source"])),
    ]


def popup_data(
    site: pd.Series,
    rows: list[Mapping[str, object]],
    *,
    total: int,
    nations_: _Index,
    missions: _Index,
    sources: _Index,
) -> dict[str, object]:
    """The popup of one site as data: each nation's contribution, dates, command, status and
    source. ``rows`` are the lines shown (sorted, at most ``settings.POPUP_MAX_ROWS``) of the
    site's ``total`` rows. ``layers/briefing.js`` builds the HTML; every text here is already
    escaped, and no markup is sent (JSON would turn each ``<`` of it into six characters)."""
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
        "r": [
            _row_data(row, nations_=nations_, missions=missions, sources=sources) for row in rows
        ],
        "x": total - len(rows),
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
    contributing = sorted(map(str, rows.loc[rows["status"] != "declined", "nation"].unique()))
    seas = sorted(sites.index[sites["site_kind"] == "sea_area"])
    group.add_child(SetState({"contributors": contributing, "active_seas": seas}))
    # Whole-table operations, then one loop over the sites: the work follows the number of
    # sites and popup lines shown, not the number of rows (100,000 rows draw as fast as 100).
    plain = pd.DataFrame({column: rows[column].array for column in _POPUP_COLUMNS})
    statuses = summary.best_statuses(plain, ["site", "nation"])
    ordered = plain.sort_values(["site", "nation", "start_day"], na_position="first")
    shown: dict[str, list[Mapping[str, object]]] = {}
    for row in ordered.groupby("site", sort=False).head(max_popup_rows).to_dict("records"):
        shown.setdefault(str(row["site"]), []).append({str(k): v for k, v in row.items()})
    by_site: dict[str, pd.DataFrame] = (
        {str(site): part for site, part in plain.groupby("site", sort=True)}
        if state.symbols == "app6"
        else {}
    )
    markers = []
    nations_, missions, sources = _Index(), _Index(), _Index()
    for index, site in sites.iterrows():
        site_id = str(index)
        diameter = summary.marker_diameter(int(site["personnel"]), known=site["personnel_known"])
        marker: dict[str, object] = {
            "ll": [round(float(site["lat"]), 5), round(float(site["lon"]), 5)],
            "id": safe_text(site_id),
            "k": safe_text(site["site_kind"]),
            "sel": int(state.site == site_id),
            "tip": safe_text(f"{site['site_name']}: {', '.join(site['nations'])}"),
            # The site's name alone: the time bar writes the tip again for the day's nations.
            "nm": safe_text(site["site_name"]),
            "pop": popup_data(
                site,
                shown[site_id],
                total=int(site["rows"]),
                nations_=nations_,
                missions=missions,
                sources=sources,
            ),
        }
        if state.symbols == "app6":
            marker["svg"] = _app6_svg(site, by_site[site_id], diameter)
            marker["s"] = max(diameter, settings.APP6_MIN_SIZE_PX) + 20
        else:
            marker["d"] = marker["s"] = diameter
            marker["fig"] = str(int(site["personnel"])) if site["personnel_known"] else ""
            marker["b"] = [
                [safe_text(code), nations.color(code), _status_class(statuses.loc[(site_id, code)])]
                for code in site["nations"]
            ]
        markers.append(marker)
    data = {
        "markers": markers,
        "sources": [safe_text(source_titles.get(s, s)) for s in sources.values()],
        "nations": [[safe_text(nations.label(c)), nations.color(c)] for c in nations_.values()],
        "missions": missions.values(),
        "leader": settings.EXPORT_LEADER_STYLE,
    }
    group.add_child(DataLayer("deployments", data))
    return group


def legend() -> list[LegendEntry]:
    """Legend entries: what a marker's size and badges mean."""
    return [
        LegendEntry(
            "Site with deployments (size: personnel where stated)",
            settings.DEPLOYMENT_STYLE,
            shape="circle",
            shows=".dep-core, .dep-app6",
        ),
        LegendEntry(
            "Nation badge: active",
            {"color": "#1d2b3a", "fillColor": "#1d2b3a"},
            shows=".dep-badge.status-active",
        ),
        LegendEntry(
            "Nation badge: announced (dashed)",
            {"color": "#1d2b3a", "fillColor": "#ffffff", "dashArray": "3 2"},
            shows=".dep-badge.status-announced",
        ),
        LegendEntry(
            "Nation badge: declined (struck)",
            {"color": "#9aa4ae", "fillColor": "#ffffff"},
            shows=".dep-badge.status-declined",
        ),
    ]
