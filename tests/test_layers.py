"""Layers rendered to HTML and checked for what is in it (folium's way of testing)."""

from __future__ import annotations

import re

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from geo import settings
from layers import REGISTRY, compose, countries, sites
from layers.base import safe_text

HOSTILE = ["<img src=x onerror=alert(1)>", "`+alert(1)+`", "${alert(1)}", "</script>"]


@pytest.fixture
def tiny_sites() -> gpd.GeoDataFrame:
    """Two points and a sea area in EPSG:4326, one named with an injection payload."""
    return gpd.GeoDataFrame(
        {
            "id": ["a", "b", "sea"],
            "name": ["Šiauliai Air Base", HOSTILE[0] + HOSTILE[1] + HOSTILE[2], "Test Sea"],
            "kind": ["air_base", "city", "sea_area"],
            "country": ["LTU", "EST", ""],
        },
        geometry=[Point(23.4, 55.9), Point(24.2, 59.3), box(15, 54, 20, 58)],
        crs="EPSG:4326",
    )


def _html(fmap: object) -> str:
    return fmap.get_root().render()  # type: ignore[attr-defined]


def test_base_map_asks_no_cdn_for_scripts_or_styles() -> None:
    html = _html(compose.base_map())
    links = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert links, "the map loads no scripts at all"
    assert all(link.startswith(settings.STATIC_URL + "/") for link in links), links


def test_base_map_has_no_tile_layer_by_default() -> None:
    assert "L.tileLayer" not in _html(compose.base_map())


def test_boundaries_are_fetched_not_embedded() -> None:
    html = _html(compose.base_map())
    assert "countries_lod0.geojson" in html
    assert '"type": "Feature"' not in html and '"type":"Feature"' not in html


def test_every_registered_layer_has_a_legend_entry() -> None:
    for layer in REGISTRY:
        assert layer.legend(), layer.NAME


def test_legend_names_host_and_context_roles() -> None:
    html = _html(compose.base_map())
    assert "Host territory" in html and "Other country" in html


def test_site_names_are_escaped_in_labels(tiny_sites: gpd.GeoDataFrame) -> None:
    fmap = compose.base_map()
    for group in compose.dynamic_layers(tiny_sites):
        group.add_to(fmap)
    html = _html(fmap)
    assert "Šiauliai Air Base" in html
    for payload in HOSTILE[:3]:
        assert payload not in html
    assert "${alert" not in html and "`+alert" not in html


@pytest.mark.parametrize("payload", HOSTILE)
def test_safe_text_leaves_no_markup_backtick_or_template(payload: str) -> None:
    out = safe_text(payload)
    assert "<" not in out and "`" not in out and "${" not in out


def test_sites_layer_draws_every_site(tiny_sites: gpd.GeoDataFrame) -> None:
    group = sites.build(tiny_sites)
    fmap = compose.base_map()
    group.add_to(fmap)
    html = _html(fmap)
    assert html.count("L.circleMarker") == 2
    assert "Test Sea" in html


def test_countries_layer_reads_its_styles_from_settings() -> None:
    fmap = compose.base_map()
    html = _html(fmap)
    assert settings.COUNTRY_STYLES["host"]["fillColor"] in html
    assert countries.TITLE
