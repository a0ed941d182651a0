"""Your layers: the context layers the user uploaded (areas, lines, points), from the workspace.

Static: drawn with the base map, so its script changes only when the workspace does. Every
name and property shown in a popup is escaped here (:func:`layers.base.safe_text`).
"""

from __future__ import annotations

import json

import folium
import geopandas as gpd
import shapely

from geo import settings
from layers.base import DataLayer, LegendEntry, layer_group, safe_text

NAME = "overlays"
TITLE = "Your layers"


def _properties(text: str) -> list[list[str]]:
    try:
        properties = json.loads(text or "{}")
    except json.JSONDecodeError:
        return []
    if not isinstance(properties, dict):
        return []
    rows = []
    for key, value in list(properties.items())[: settings.OVERLAY_POPUP_PROPERTIES]:
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        rows.append([safe_text(str(key)[:80]), safe_text(str(shown)[:200])])
    return rows


def build(overlays: gpd.GeoDataFrame) -> folium.FeatureGroup:
    """The layer of the user's context layers.

    Parameters
    ----------
    overlays : GeoDataFrame
        ``layer``, ``name``, ``properties`` (JSON text) and a geometry in EPSG:4326 (see
        :mod:`geo.workspace`). Not modified.
    """
    features = []
    for row in overlays.itertuples(index=False):
        geom = row.geometry
        if geom is None or geom.is_empty:
            continue
        geom = shapely.set_precision(geom, 10.0**-settings.DOWNLOAD_DECIMALS)
        features.append(
            {
                "type": "Feature",
                "geometry": json.loads(shapely.to_geojson(geom)),
                "properties": {
                    "layer": safe_text(row.layer),
                    "name": safe_text(row.name),
                    "rows": _properties(str(row.properties)),
                },
            }
        )
    group = layer_group(NAME, TITLE)
    group.add_child(DataLayer("overlays", {"features": features, "style": settings.OVERLAY_STYLE}))
    return group


def legend() -> list[LegendEntry]:
    """One entry: a feature of an uploaded layer."""
    return [LegendEntry("Your uploaded layers", settings.OVERLAY_STYLE)]
