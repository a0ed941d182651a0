"""Tests of geo/geometry.py: TopoJSON arcs, simplification, antimeridian, repair, RFC 7946."""

from __future__ import annotations

import json
from typing import Any

import geopandas as gpd
import geopandas.testing
import numpy as np
import pytest
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon

from geo import geometry

# The shared border of the two test countries: a wiggly north-south line at x = 1.
_BORDER = [[1.0, 0.0], [1.05, 0.5], [0.97, 1.0], [1.04, 1.5], [1.0, 2.0]]


@pytest.fixture
def two_country_topology() -> dict[str, Any]:
    """Two 1x2-degree countries side by side sharing one wiggly border arc (no transform)."""
    return {
        "type": "Topology",
        "arcs": [
            _BORDER,  # 0: shared, south to north
            [[1.0, 2.0], [0.0, 2.0], [0.0, 0.0], [1.0, 0.0]],  # 1: rest of West
            [[1.0, 0.0], [2.0, 0.0], [2.0, 2.0], [1.0, 2.0]],  # 2: rest of East
            [[5.0, 5.0], [5.001, 5.0], [5.001, 5.001], [5.0, 5.0]],  # 3: a tiny islet of East
        ],
        "objects": {
            "countries": {
                "type": "GeometryCollection",
                "geometries": [
                    {"type": "Polygon", "arcs": [[1, 0]], "id": "1", "properties": {"name": "W"}},
                    {
                        "type": "MultiPolygon",
                        "arcs": [[[2, ~0]], [[3]]],
                        "id": "2",
                        "properties": {"name": "E"},
                    },
                ],
            }
        },
    }


@pytest.fixture
def quantized_topology() -> dict[str, Any]:
    """A one-arc quantized topology: scale 0.5, translate (10, 20), delta-encoded positions."""
    return {
        "type": "Topology",
        "transform": {"scale": [0.5, 0.5], "translate": [10.0, 20.0]},
        "arcs": [[[0, 0], [2, 0], [0, 2], [-2, 0], [0, -2]]],
        "objects": {"countries": {"type": "Polygon", "arcs": [[0]], "id": "9"}},
    }


@pytest.fixture
def jumping_polygon() -> gpd.GeoSeries:
    """A box from 170°E to 170°W written as it is stored: longitudes jump from +170 to -170."""
    ring = [(170.0, 10.0), (-170.0, 10.0), (-170.0, 20.0), (170.0, 20.0), (170.0, 10.0)]
    return gpd.GeoSeries([Polygon(ring)], crs="EPSG:4326")


@pytest.fixture
def overrunning_polygon() -> gpd.GeoSeries:
    """A box written with longitudes running past 180 (170..190), with a hole at 184..186."""
    shell = [(170.0, 0.0), (190.0, 0.0), (190.0, 5.0), (170.0, 5.0), (170.0, 0.0)]
    hole = [(184.0, 1.0), (184.0, 2.0), (186.0, 2.0), (186.0, 1.0), (184.0, 1.0)]
    return gpd.GeoSeries([Polygon(shell, [hole])], crs="EPSG:4326")


@pytest.fixture
def bowtie_frame() -> gpd.GeoDataFrame:
    """One self-intersecting 'bow-tie' country and one valid square, in EPSG:4326."""
    bowtie = Polygon([(0, 0), (2, 2), (2, 0), (0, 2), (0, 0)])
    square = Polygon([(5, 5), (6, 5), (6, 6), (5, 6), (5, 5)])
    return gpd.GeoDataFrame({"name": ["Bowtia", "Squaria"]}, geometry=[bowtie, square], crs=4326)


def _frame(topology: dict[str, Any], tolerance: float) -> gpd.GeoDataFrame:
    arcs = geometry.decode_arcs(topology)
    simplified = geometry.simplify_arcs(arcs, tolerance, decimals=6)
    return geometry.topology_to_frame(topology, simplified, object_name="countries")


# --- TopoJSON arcs -----------------------------------------------------------------------------


def test_decode_arcs_undoes_quantization_and_delta_encoding(
    quantized_topology: dict[str, Any],
) -> None:
    (arc,) = geometry.decode_arcs(quantized_topology)
    expected = [[10.0, 20.0], [11.0, 20.0], [11.0, 21.0], [10.0, 21.0], [10.0, 20.0]]
    np.testing.assert_allclose(arc, expected)


def test_rebuilt_countries_close_their_rings_from_shared_arcs(
    two_country_topology: dict[str, Any],
) -> None:
    frame = _frame(two_country_topology, 0.0)
    assert list(frame["topo_id"]) == ["1", "2"]
    assert frame.crs == "EPSG:4326"
    west, east = frame.geometry
    assert west.is_valid and east.is_valid
    assert west.area + east.area == pytest.approx(4.0 + 0.001**2 / 2)


def test_neighbours_share_border_after_simplification(
    two_country_topology: dict[str, Any],
) -> None:
    frame = _frame(two_country_topology, 0.1)
    west, east = frame.geometry
    assert len(west.exterior.coords) < 4 + len(_BORDER)  # the wiggles are gone
    assert west.intersection(east).area == 0.0  # no overlap
    union = shapely.union_all([west, east])
    assert union.area == pytest.approx(west.area + east.area)
    # No gap: the two squares still fill the 2x2 box exactly.
    assert shapely.box(0, 0, 2, 2).difference(union).area == pytest.approx(0.0, abs=1e-12)


def test_open_arc_keeps_its_end_points_when_simplified(
    two_country_topology: dict[str, Any],
) -> None:
    arcs = geometry.decode_arcs(two_country_topology)
    (border, *_) = geometry.simplify_arcs(arcs, 1.0, decimals=6)
    np.testing.assert_array_equal(border[[0, -1]], [[1.0, 0.0], [1.0, 2.0]])


def test_simplify_arcs_leaves_arcs_outside_only_untouched(
    two_country_topology: dict[str, Any],
) -> None:
    arcs = geometry.decode_arcs(two_country_topology)
    simplified = geometry.simplify_arcs(arcs, 1.0, decimals=6, only=[1])
    np.testing.assert_array_equal(simplified[0], arcs[0])
    assert simplified[0] is not arcs[0]  # a copy, the input is not shared


def test_arcs_used_by_undoes_reversed_references(two_country_topology: dict[str, Any]) -> None:
    objects = two_country_topology["objects"]["countries"]["geometries"]
    assert geometry.arcs_used_by(objects[1:]) == {0, 2, 3}


def test_ring_collapsed_by_rounding_is_left_out(two_country_topology: dict[str, Any]) -> None:
    arcs = geometry.decode_arcs(two_country_topology)
    rounded = geometry.simplify_arcs(arcs, 0.0, decimals=2)  # the 0.001° islet collapses
    frame = geometry.topology_to_frame(two_country_topology, rounded, object_name="countries")
    east = frame.geometry.iloc[1]
    assert east.geom_type == "Polygon"
    assert east.bounds == (0.97, 0.0, 2.0, 2.0)


def test_unknown_topology_object_is_reported(two_country_topology: dict[str, Any]) -> None:
    arcs = geometry.decode_arcs(two_country_topology)
    with pytest.raises(geometry.TopologyError, match="land"):
        geometry.topology_to_frame(two_country_topology, arcs, object_name="land")


# --- Antimeridian ------------------------------------------------------------------------------


def test_polygon_crossing_antimeridian_is_split_into_two_parts(
    jumping_polygon: gpd.GeoSeries,
) -> None:
    split = geometry.split_antimeridian(jumping_polygon.iloc[0])
    assert isinstance(split, MultiPolygon)
    east, west = sorted(split.geoms, key=lambda part: -part.bounds[0])
    assert east.bounds == (170.0, 10.0, 180.0, 20.0)
    assert west.bounds == (-180.0, 10.0, -170.0, 20.0)
    assert geometry.max_longitude_step(split) <= 180.0


def test_polygon_running_past_180_is_split_and_wrapped_with_its_hole(
    overrunning_polygon: gpd.GeoSeries,
) -> None:
    original = overrunning_polygon.iloc[0]
    split = geometry.split_antimeridian(original)
    assert isinstance(split, MultiPolygon)
    assert split.bounds == (-180.0, 0.0, 180.0, 5.0)
    assert split.area == pytest.approx(original.area)
    assert split.contains(Point(-172.0, 4.0)) and not split.contains(Point(-175.0, 1.5))
    assert not geometry.crosses_antimeridian(split)


def test_polygon_away_from_antimeridian_is_returned_unchanged() -> None:
    square = Polygon([(10, 10), (11, 10), (11, 11), (10, 11), (10, 10)])
    assert geometry.split_antimeridian(square) is square


def test_split_antimeridian_refuses_a_point() -> None:
    with pytest.raises(TypeError, match="Point"):
        geometry.split_antimeridian(Point(0, 0))


def test_ring_segments_spanning_counts_segments_longer_than_limit() -> None:
    ring = [[170.0, 10.0], [-170.0, 10.0], [-170.0, 20.0], [170.0, 20.0], [170.0, 10.0]]
    assert geometry.ring_segments_spanning({"type": "Polygon", "coordinates": [ring]}, 180) == 2
    assert geometry.ring_segments_spanning({"type": "Point", "coordinates": [0, 0]}, 180) == 0


# --- Repair and RFC 7946 -----------------------------------------------------------------------


def test_repair_makes_bowtie_valid_and_names_the_feature(bowtie_frame: gpd.GeoDataFrame) -> None:
    repaired, messages = geometry.repair(bowtie_frame)
    assert repaired.geometry.is_valid.all()
    assert repaired.geometry.iloc[0].area == pytest.approx(2.0)
    assert len(messages) == 1
    assert messages[0].startswith("Bowtia: invalid geometry (Self-intersection")
    assert repaired.crs == bowtie_frame.crs


def test_repair_does_not_mutate_its_input(bowtie_frame: gpd.GeoDataFrame) -> None:
    before = bowtie_frame.copy()
    geometry.repair(bowtie_frame)
    gpd.testing.assert_geodataframe_equal(bowtie_frame, before)


def test_repair_keeps_only_polygonal_parts() -> None:
    mixed = shapely.GeometryCollection([Point(0, 0), Polygon([(0, 0), (1, 0), (1, 1), (0, 0)])])
    frame = gpd.GeoDataFrame({"name": ["Mixed"]}, geometry=[mixed], crs="EPSG:4326")
    repaired, messages = geometry.repair(frame)
    assert repaired.geometry.iloc[0].geom_type == "Polygon"
    assert messages == ["Mixed: kept only the polygonal part of a GeometryCollection"]


def test_rfc7946_exterior_rings_are_counter_clockwise_and_holes_clockwise() -> None:
    clockwise_shell = [(0, 0), (0, 4), (4, 4), (4, 0), (0, 0)]
    counter_clockwise_hole = [(1, 1), (2, 1), (2, 2), (1, 2), (1, 1)]
    oriented = geometry.to_rfc7946(Polygon(clockwise_shell, [counter_clockwise_hole]), decimals=3)
    assert oriented.exterior.is_ccw
    assert not oriented.interiors[0].is_ccw


def test_geojson_coordinates_are_rounded_to_the_decimals_asked() -> None:
    shape = Polygon([(0.123456, 0.0), (1.0, 0.0), (1.0, 1.987654), (0.123456, 0.0)])
    written = geometry.geometry_to_geojson(shape, decimals=3)
    assert written["coordinates"][0][0] == [0.123, 0.0]
    assert written["coordinates"][0][2] == [1.0, 1.988]


def test_feature_collection_bytes_are_deterministic_and_have_no_crs_member() -> None:
    feature = {"type": "Feature", "properties": {"b": 1, "a": "Ä"}, "geometry": None}
    first = geometry.dump_feature_collection([feature])
    assert first == geometry.dump_feature_collection([dict(reversed(feature.items()))])
    document = json.loads(first)
    assert "crs" not in document
    assert document["features"][0]["properties"] == {"a": "Ä", "b": 1}
    assert first.endswith(b"\n")


# --- the map's display copy of uploaded shapes ---------------------------------------------------


def test_display_copy_is_simplified_within_the_tolerance_and_rounded() -> None:
    angles = np.linspace(0, 2 * np.pi, 2000, endpoint=False)
    ring = np.column_stack([20 + 0.5 * np.cos(angles), 60 + 0.3 * np.sin(angles)])
    exact = Polygon(ring)
    (text,) = geometry.display_geojson([exact], tolerance=0.001, decimals=5)
    drawn = shapely.from_geojson(text)
    assert drawn.geom_type == "Polygon"
    assert len(drawn.exterior.coords) < len(exact.exterior.coords) / 4
    assert shapely.hausdorff_distance(drawn, exact) <= 0.001 + 1e-5
    assert all(round(value, 5) == value for value in np.asarray(drawn.exterior.coords).ravel())


def test_display_copy_keeps_a_shape_smaller_than_the_tolerance_and_skips_missing_ones() -> None:
    islet = shapely.box(10.0, 60.0, 10.00001, 60.00001)
    texts = geometry.display_geojson(
        [islet, None, Polygon(), Point(1.123456789, 2)], tolerance=0.01, decimals=5
    )
    assert shapely.from_geojson(texts[0]).equals(islet)
    assert texts[1:3] == ["", ""]
    assert json.loads(texts[3]) == {"type": "Point", "coordinates": [1.12346, 2.0]}


def test_display_copy_leaves_the_shapes_it_was_given_unchanged() -> None:
    shapes = np.array([Polygon([(0, 0), (1, 0.0001), (2, 0), (2, 2), (0, 0)])], dtype=object)
    before = shapely.to_wkb(shapes)
    geometry.display_geojson(shapes, tolerance=0.01)
    assert list(shapely.to_wkb(shapes)) == list(before)
