"""Events: dated happenings that are not deployments (talks, accession, sabotage), as small marks.

Dynamic. Only events with a site are drawn (beside it, so they do not hide its deployments);
the timeline lists them all.
"""

from __future__ import annotations

from collections.abc import Mapping

import folium
import geopandas as gpd
import pandas as pd

from geo import settings, summary
from layers.base import DataLayer, LegendEntry, layer_group, safe_text

NAME = "events"
TITLE = "Events"


def build(
    events: pd.DataFrame, *, sites: gpd.GeoDataFrame, source_titles: Mapping[str, str]
) -> folium.FeatureGroup:
    """The events layer.

    Parameters
    ----------
    events : DataFrame
        Filtered events (:func:`geo.filters.events_on` / ``events_in_range``). Not modified.
    sites : GeoDataFrame
        Sites in EPSG:4326, to place events by their ``site``.
    source_titles : mapping
        Source id -> title.
    """
    group = layer_group(NAME, TITLE)
    marks: list[dict[str, object]] = []
    group.add_child(DataLayer("events", {"marks": marks, "style": settings.EVENT_STYLE}))
    # Each mark keeps its row's position in ``events`` ("k"): the time bar's columns follow it.
    located = events.assign(_row=range(len(events)))[events["site"] != ""]
    points = sites.set_index("id").geometry.representative_point()
    for place, at_site in located.groupby("site", sort=True):
        if place not in points.index:
            continue
        point = points[place]
        for position, (_, event) in enumerate(at_site.sort_values("date").iterrows()):
            when = summary.day_text(pd.Timestamp(event["date"]), str(event["date_precision"]))
            source = source_titles.get(str(event["source"]), str(event["source"]))
            marks.append(
                {
                    "ll": [round(point.y, 5), round(point.x, 5)],
                    # Up and to the left of the site, one step further for each event there.
                    "x": 24 + 14 * position,
                    "k": int(event["_row"]),
                    "tip": f"<b>{safe_text(when)}</b> {safe_text(event['title'])}<br>"
                    f"<i>Source: {safe_text(source)}</i>",
                }
            )
    return group


def legend() -> list[LegendEntry]:
    """Legend entry of the events layer."""
    return [
        LegendEntry("Event (talks, accession, sabotage…)", settings.EVENT_STYLE, shape="diamond")
    ]
