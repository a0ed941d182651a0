"""Your layers: the context layers the user uploaded (areas, lines, points), from the workspace.

Static: drawn with the base map, so its script changes only when the workspace does. Every
name and property shown in a popup is escaped here (:func:`layers.base.safe_text`).
"""

from __future__ import annotations

import json

import folium
import geopandas as gpd

from geo import geometry, settings
from layers.base import (
    DataLayer,
    JSONText,
    LegendEntry,
    html_safe_json,
    json_text,
    layer_group,
    safe_text,
)

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

    Each feature is drawn from its display copy (``display``, GeoJSON text made once when the
    layer was read or saved, :func:`geo.geometry.display_geojson`; made here for a frame
    without one), put into the script as it is: no geometry is converted or serialised per
    draw, so a 10 MB layer costs about what writing its text costs.

    Parameters
    ----------
    overlays : GeoDataFrame
        ``layer``, ``name``, ``properties`` (JSON text), optionally ``display``, and a
        geometry in EPSG:4326 (see :mod:`geo.workspace`). Not modified.
    """
    texts = (
        overlays["display"].fillna("").astype(str).tolist()
        if "display" in overlays
        else geometry.display_geojson(overlays.geometry.to_numpy())
    )
    features = []
    for row, shape in zip(overlays.itertuples(index=False), texts, strict=True):
        if not shape:  # no geometry, or an empty one
            continue
        properties = {
            "layer": safe_text(row.layer),
            "name": safe_text(row.name),
            "rows": _properties(str(row.properties)),
        }
        described = json.dumps(properties, sort_keys=True)
        features.append(f'{{"type":"Feature","geometry":{shape},"properties":{described}}}')
    data = f'{{"features":[{",".join(features)}],"style":{json_text(settings.OVERLAY_STYLE)}}}'
    group = layer_group(NAME, TITLE)
    group.add_child(DataLayer("overlays", JSONText(html_safe_json(data))))
    return group


def legend() -> list[LegendEntry]:
    """One entry: a feature of an uploaded layer."""
    return [LegendEntry("Your uploaded layers", settings.OVERLAY_STYLE)]
