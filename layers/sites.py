"""Sites: air bases, bases, cities, places not stated, and sea areas, each kind its own symbol."""

from __future__ import annotations

import folium
import geopandas as gpd

from geo import settings
from layers.base import LegendEntry, path_kwargs, safe_text

NAME = "sites"
TITLE = "Sites"


def _tooltip(row: object, *, permanent: bool) -> folium.Tooltip:
    name = safe_text(getattr(row, "name", ""))
    return folium.Tooltip(name, permanent=permanent, direction="right", class_name="site-label")


def build(sites: gpd.GeoDataFrame) -> folium.FeatureGroup:
    """The sites layer.

    Parameters
    ----------
    sites : GeoDataFrame
        Sites in EPSG:4326 with ``id``, ``name`` and ``kind`` columns.
    """
    group = folium.FeatureGroup(name=TITLE, overlay=True, control=True, show=True)
    areas = sites[sites["kind"] == "sea_area"]
    if not areas.empty:
        style = dict(settings.SITE_STYLES["sea_area"])
        folium.GeoJson(
            areas[["id", "geometry"]].to_json(drop_id=True),
            name="Sea areas",
            style_function=lambda _f: style,
            control=False,
        ).add_to(group)
        for row in areas.itertuples():
            point = row.geometry.representative_point()
            folium.Marker(
                (point.y, point.x),
                icon=folium.DivIcon(
                    html=f'<div class="sea-label">{safe_text(row.name)}</div>',
                    class_name="sea-label-icon",
                    icon_size=(120, 18),
                    icon_anchor=(60, 9),
                ),
            ).add_to(group)
    for row in sites[sites["kind"] != "sea_area"].itertuples():
        style = dict(settings.SITE_STYLES.get(str(row.kind), settings.SITE_STYLES["city"]))
        point = row.geometry if row.geometry.geom_type == "Point" else row.geometry.centroid
        folium.CircleMarker(
            (point.y, point.x),
            fill=True,
            fill_opacity=1.0,
            tooltip=_tooltip(row, permanent=row.kind in ("air_base", "base", "city")),
            **path_kwargs(style),
        ).add_to(group)
    return group


def legend() -> list[LegendEntry]:
    """Legend entries of the sites layer, one per kind."""
    return [
        LegendEntry(
            settings.SITE_KIND_LABELS[kind],
            style,
            shape="area" if kind == "sea_area" else "circle",
        )
        for kind, style in settings.SITE_STYLES.items()
    ]
