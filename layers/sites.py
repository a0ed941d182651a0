"""Sites: air bases, bases, cities and places not stated, each kind its own symbol and label.

Static: drawn once with the base map. Names show as labels from the zoom where they fit
(``settings.SITE_LABEL_MIN_ZOOM``; the runtime puts ``z-ge-N`` classes on the map). Sea areas
are their own layer (:mod:`layers.sea_areas`).
"""

from __future__ import annotations

import folium
import geopandas as gpd

from geo import settings
from layers.base import DataLayer, LegendEntry, layer_group, safe_text

NAME = "sites"
TITLE = "Sites"


def label_css() -> str:
    """CSS hiding each kind's labels below the zoom where they fit."""
    rules = [
        f".leaflet-container:not(.z-ge-{zoom}) .site-label-{kind}{{display:none}}"
        for kind, zoom in settings.SITE_LABEL_MIN_ZOOM.items()
    ]
    return "".join(rules)


def build(sites: gpd.GeoDataFrame) -> folium.FeatureGroup:
    """The sites layer (points; sea areas excluded).

    Parameters
    ----------
    sites : GeoDataFrame
        Sites in EPSG:4326 with ``id``, ``name`` and ``kind``. Not modified.
    """
    points = sites[sites["kind"] != "sea_area"]
    rows = []
    for row in points.itertuples():
        kind = str(row.kind) if row.kind in settings.SITE_STYLES else "city"
        point = row.geometry if row.geometry.geom_type == "Point" else row.geometry.centroid
        rows.append(
            [round(point.y, 5), round(point.x, 5), kind, safe_text(row.name), safe_text(row.id)]
        )
    group = layer_group(NAME, TITLE)
    data = {"sites": rows, "styles": settings.SITE_STYLES, "quiet": settings.QUIET_SITE_STYLE}
    group.add_child(DataLayer("sites", data))
    return group


def legend() -> list[LegendEntry]:
    """Legend entries of the sites layer, one per kind drawn."""
    return [
        LegendEntry(
            settings.SITE_KIND_LABELS[kind],
            style,
            shape="circle",
            # Only a dot that is seen: not one under its site's marker (layers/briefing.js).
            shows=f".site-{kind}:not(.under-marker)",
        )
        for kind, style in settings.SITE_STYLES.items()
    ]
