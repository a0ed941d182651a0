"""Your layers (layers/overlays.py): drawn from the display copy, escaped, never re-templated."""

from __future__ import annotations

import json
import re

import folium
import geopandas as gpd
import shapely

from geo import geometry
from layers import overlays


def _overlays() -> gpd.GeoDataFrame:
    """Two features of an uploaded layer (an area with a fine edge, a point), EPSG:4326."""
    return gpd.GeoDataFrame(
        {
            "layer": ["zones", "zones"],
            "name": ["Zone <A>", "{{ 7*7 }}"],
            "properties": [json.dumps({"note": "{% if 1 %}x{% endif %} & 'q'"}), "{}"],
        },
        geometry=[shapely.Point(21, 55).buffer(0.5, quad_segs=500), shapely.Point(25, 57)],
        crs="EPSG:4326",
    )


def _drawn(frame: gpd.GeoDataFrame) -> tuple[str, dict[str, object]]:
    """The page's HTML and the data handed to ``window.briefing.overlays``."""
    fmap = folium.Map(tiles=None)
    overlays.build(frame).add_to(fmap)
    html = fmap.get_root().render()
    found = re.search(r'window\.briefing\["overlays"\]\(feature_group_\w+,\s*(\{.*\})\);', html)
    assert found is not None
    return html, json.loads(found.group(1))


def test_features_are_drawn_from_their_display_copy() -> None:
    frame = _overlays()
    frame["display"] = geometry.display_geojson(frame.geometry.to_numpy())
    frame.loc[1, "display"] = '{"type":"Point","coordinates":[1.5,2.5]}'
    _, data = _drawn(frame)
    features = data["features"]
    assert isinstance(features, list) and len(features) == 2
    assert features[1]["geometry"] == {"type": "Point", "coordinates": [1.5, 2.5]}
    assert shapely.from_geojson(json.dumps(features[0]["geometry"])).equals(
        shapely.from_geojson(frame.loc[0, "display"])
    )
    assert data["style"]


def test_frame_without_display_copy_is_drawn_simplified_and_one_without_shape_left_out() -> None:
    frame = _overlays()
    frame.loc[len(frame)] = ["zones", "Empty", "{}", shapely.Polygon()]
    _, data = _drawn(frame)
    features = data["features"]
    assert isinstance(features, list) and len(features) == 2
    drawn = shapely.from_geojson(json.dumps(features[0]["geometry"]))
    assert 4 < len(drawn.exterior.coords) < len(frame.geometry.iloc[0].exterior.coords)
    assert shapely.hausdorff_distance(drawn, frame.geometry.iloc[0]) < 0.001


def test_names_and_properties_are_escaped_and_never_run_as_templates() -> None:
    html, data = _drawn(_overlays())
    features = data["features"]
    assert isinstance(features, list)
    assert features[0]["properties"]["name"] == "Zone &lt;A&gt;"
    assert features[1]["properties"]["name"] == "{{ 7*7 }}"
    assert features[0]["properties"]["rows"] == [
        ["note", "{% if 1 %}x{% endif %} &amp; &#x27;q&#x27;"]
    ]
    assert "<A>" not in html and "'q'" not in html
