"""Reading any RFC 7946 text (geo.geojson) and writing it back valid (geo.geometry.to_geojson)."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Geod
from shapely.geometry import shape

from geo import geojson, geometry

GEOD = Geod(ellps="WGS84")


def _read(raw: dict[str, Any]) -> tuple[Any, list[str]]:
    notes: list[str] = []
    return geojson.read_geometry(raw, notes), notes


def _refusal(raw: dict[str, Any]) -> str:
    reading = geojson.read_document(raw)
    assert reading.problems, "expected a refusal"
    return str(reading.problems[0])


def _area(lons: list[float], lats: list[float]) -> float:
    return abs(GEOD.polygon_area_perimeter(lons, lats)[0])


def _shape_area(geom: Any) -> float:
    return abs(GEOD.geometry_area_perimeter(geom)[0])


def assert_valid_rfc7946(written: dict[str, Any]) -> None:
    """Valid for shapely, no nested collection, right-hand rule at every depth, no jump."""
    back = shape(written)
    assert back.is_valid, shapely.is_valid_reason(back)
    members = written.get("geometries", [written])
    for member in members:
        assert member["type"] != "GeometryCollection"
        polygons = {
            "Polygon": [member.get("coordinates")],
            "MultiPolygon": member.get("coordinates"),
        }
        for rings in polygons.get(member["type"]) or []:
            assert shapely.LinearRing(rings[0]).is_ccw
            assert all(not shapely.LinearRing(hole).is_ccw for hole in rings[1:])
        if member["type"] in ("Polygon", "MultiPolygon"):
            assert not geometry.crosses_antimeridian(shape(member))


# --- what is accepted ------------------------------------------------------------------------


def test_bare_geometry_is_read_as_one_feature() -> None:
    reading = geojson.read_document({"type": "Point", "coordinates": [78.96, 20.59]})
    assert not reading.problems
    assert [str(feature.geometry) for feature in reading.features] == ["POINT (78.96 20.59)"]


def test_unclosed_ring_is_closed_with_a_note_saying_so() -> None:
    polygon, notes = _read({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1]]]})
    assert polygon.equals(shapely.Polygon([(0, 0), (1, 0), (1, 1)]))
    assert notes == [
        "a ring was not closed (its last position differs from its first); closed it by "
        "repeating the first position at the end"
    ]


def test_nested_collection_is_flattened_with_a_note() -> None:
    inner = {"type": "GeometryCollection", "geometries": [{"type": "Point", "coordinates": [1, 2]}]}
    outer = {
        "type": "GeometryCollection",
        "geometries": [inner, {"type": "Point", "coordinates": [3, 4]}],
    }
    flat, notes = _read(outer)
    assert [part.wkt for part in flat.geoms] == ["POINT (1 2)", "POINT (3 4)"]
    assert notes == ["a GeometryCollection inside another was flattened into one"]
    assert_valid_rfc7946(geometry.to_geojson(flat, decimals=5))


def test_ring_running_past_minus_180_is_split_not_called_projected() -> None:
    # The Aleutians drawn to -188.9, as in common US-states files; edges 0.1 degree long.
    lons = [*np.arange(-175.0, -188.95, -0.1), *np.arange(-188.9, -174.95, 0.1)]
    lats = [50.0] * 140 + [55.0] * 140
    ring = [[round(x, 1), y] for x, y in zip(lons, lats, strict=True)]
    ring.append(ring[0])
    split, notes = _read({"type": "Polygon", "coordinates": [ring]})
    assert split.geom_type == "MultiPolygon" and split.is_valid
    assert split.bounds[0] == -180.0 and split.bounds[2] == 180.0
    assert notes == [
        "it crosses the antimeridian (longitude 180); cut there into parts on each side"
    ]
    expected = _area([p[0] for p in ring], [p[1] for p in ring])
    assert _shape_area(split) == pytest.approx(expected, rel=0.005)


def test_ring_round_the_south_pole_is_closed_along_the_pole_and_keeps_its_area() -> None:
    ring = [[float((x + 180) % 360 - 180), -70.0] for x in np.arange(-170.0, 190.0, 1.0)]
    ring.append(ring[0])
    cap, notes = _read({"type": "Polygon", "coordinates": [ring]})
    assert cap.is_valid and cap.bounds == (-180.0, -90.0, 180.0, -70.0)
    assert "a ring goes round the South Pole; closed along the pole before cutting" in notes
    expected = _area([p[0] for p in ring], [p[1] for p in ring])
    assert _shape_area(cap) == pytest.approx(expected, rel=0.005)
    assert_valid_rfc7946(geometry.to_geojson(cap, decimals=5))


def test_polygon_already_cut_at_the_seam_is_left_as_it_is() -> None:
    # As Natural Earth draws Antarctica: along 180, the pole, and -180.
    ring = [[-180, -80], [0, -70], [180, -80], [180, -90], [-180, -90], [-180, -80]]
    polygon, notes = _read({"type": "Polygon", "coordinates": [ring]})
    assert notes == [] and polygon.equals(shapely.Polygon(ring))


def test_snapping_that_would_break_a_polygon_writes_more_decimals() -> None:
    # Two holes 4e-6 apart: on a 1e-5 grid they would touch along a line.
    shell = [(0, 0), (1, 0), (1, 1), (0, 1), (0, 0)]
    hole_a = [(0.2, 0.2), (0.5, 0.2), (0.5, 0.5), (0.2, 0.5), (0.2, 0.2)]
    hole_b = [(0.500004, 0.2), (0.8, 0.2), (0.8, 0.5), (0.500004, 0.5), (0.500004, 0.2)]
    polygon = shapely.Polygon(shell, [hole_a, hole_b])
    assert polygon.is_valid
    written = geometry.to_geojson(polygon, decimals=5)
    assert_valid_rfc7946(written)
    assert shape(written).area == pytest.approx(polygon.area)


# --- what is refused, in plain words -----------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ({"type": "Point", "coordinates": ["41.5", 20]}, "is text in quotes; write numbers"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [0, 0]]]}, "needs at least four"),
        ({"type": "LineString", "coordinates": [[0, 0]]}, "needs at least two"),
        ({"type": "Point", "coordinates": [2_700_000, 7_500_000]}, "projected coordinates"),
        ({"type": "Point", "coordinates": [1]}, "it needs two"),
        ({"type": "Point", "coordinates": 5}, "a position must be a list"),
        (
            {"type": "GeometryCollection", "geometries": [{"type": "Feature", "geometry": None}]},
            "is a Feature; a collection holds geometries only",
        ),
        ({"type": "Polygon", "coordinates": "x"}, "a list of rings"),
    ],
)
def test_malformed_geometry_is_refused_in_plain_words(raw: dict[str, Any], words: str) -> None:
    message = _refusal(raw)
    assert words in message
    assert "object has no attribute" not in message and "subscriptable" not in message


# --- properties: random valid polygons anywhere ------------------------------------------------


def _densified(ring: list[tuple[float, float]], step: float = 1.0) -> list[list[float]]:
    out: list[list[float]] = []
    for (x0, y0), (x1, y1) in itertools.pairwise(ring):
        count = max(1, math.ceil(max(abs(x1 - x0), abs(y1 - y0)) / step))
        out.extend([[x0 + (x1 - x0) * k / count, y0 + (y1 - y0) * k / count] for k in range(count)])
    out.append(list(ring[-1]))
    return out


@st.composite
def star_polygons(draw: st.DrawFn) -> list[list[float]]:
    """A star-shaped ring anywhere on Earth, its longitudes possibly past ±180 or jumping."""
    radius = draw(st.floats(0.5, 20.0))
    lat0 = draw(st.floats(-88.0 + radius, 88.0 - radius))
    lon0 = draw(st.floats(-180.0, 180.0, exclude_max=True))
    count = draw(st.integers(5, 24))
    radii = draw(st.lists(st.floats(0.3, 1.0), min_size=count, max_size=count))
    angles = np.linspace(0, 2 * math.pi, count, endpoint=False)
    ring = [
        (lon0 + radius * r * math.cos(a), lat0 + radius * r * math.sin(a))
        for r, a in zip(radii, angles, strict=True)
    ]
    ring.append(ring[0])
    dense = _densified(ring)
    if draw(st.booleans()):  # written wrapped, jumping across ±180
        dense = [[(x + 180.0) % 360.0 - 180.0, y] for x, y in dense]
    return dense


@st.composite
def polar_rings(draw: st.DrawFn) -> list[list[float]]:
    """A ring going once round a pole, from any longitude, eastward or westward."""
    lat = draw(st.floats(55.0, 85.0)) * draw(st.sampled_from([-1.0, 1.0]))
    start = draw(st.floats(-180.0, 180.0))
    wiggle = draw(st.floats(0.0, 3.0))
    sign = draw(st.sampled_from([-1.0, 1.0]))
    lons = start + sign * np.arange(0.0, 360.0, 1.0)
    ring = [
        [float((x + 180.0) % 360.0 - 180.0), lat - math.copysign(wiggle, lat) * abs(math.sin(x))]
        for x in lons
    ]
    ring.append(ring[0])
    return ring


def _check_accepted_and_kept(ring: list[list[float]]) -> None:
    geom, _ = _read({"type": "Polygon", "coordinates": [ring]})
    assert geom.is_valid and not geom.is_empty
    expected = _area([p[0] for p in ring], [p[1] for p in ring])
    assert _shape_area(geom) == pytest.approx(expected, rel=0.005)
    assert_valid_rfc7946(geometry.to_geojson(geom, decimals=5))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(star_polygons())
def test_any_valid_polygon_anywhere_is_accepted_keeps_its_area_and_downloads_valid(
    ring: list[list[float]],
) -> None:
    _check_accepted_and_kept(ring)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(polar_rings())
def test_any_ring_round_a_pole_is_accepted_keeps_its_area_and_downloads_valid(
    ring: list[list[float]],
) -> None:
    _check_accepted_and_kept(ring)


# --- plain areas read together (the fast path) give exactly what reading one by one gives ------

CORPUS = sorted((Path(__file__).parent / "data" / "geojson").glob("*.geojson"))


def _one_by_one(document: object, monkeypatch: pytest.MonkeyPatch) -> geojson.Reading:
    with monkeypatch.context() as patch:
        patch.setattr(geojson, "_plain_areas", lambda raw: {})
        return geojson.read_document(document)


def _assert_same_reading(together: geojson.Reading, alone: geojson.Reading) -> None:
    assert together.notes == alone.notes
    assert together.problems == alone.problems
    assert len(together.features) == len(alone.features)
    for mine, theirs in zip(together.features, alone.features, strict=True):
        assert (mine.number, mine.properties, mine.notes) == (
            theirs.number,
            theirs.properties,
            theirs.notes,
        )
        if theirs.geometry is None:
            assert mine.geometry is None
        else:
            assert mine.geometry is not None
            assert mine.geometry.geom_type == theirs.geometry.geom_type
            assert shapely.to_wkb(mine.geometry) == shapely.to_wkb(theirs.geometry)


def _collection(*members: object) -> dict[str, Any]:
    features = [
        {"type": "Feature", "properties": {"n": k}, "geometry": m} for k, m in enumerate(members)
    ]
    return {"type": "FeatureCollection", "features": features}


@pytest.mark.parametrize("path", CORPUS, ids=[path.name for path in CORPUS])
def test_corpus_file_reads_the_same_together_as_one_by_one(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return  # refused before any geometry is read
    _assert_same_reading(geojson.read_document(document), _one_by_one(document, monkeypatch))


SQUARE_RING = [[20, 54], [21, 54], [21, 55], [20, 55], [20, 54]]


@pytest.mark.parametrize(
    "member",
    [
        {"type": "Polygon", "coordinates": [SQUARE_RING]},
        {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 1], [0, 0]]]},  # 2 distinct
        {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [0, 0], [1, 1], [0, 0]]]},
        {"type": "Polygon", "coordinates": [[[0, 0], [0, 0], [0, 0], [0, 0]]]},
        {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]},  # not closed
        {"type": "Polygon", "coordinates": [[[0, 0, 5], [1, 0, 5], [1, 1, 5], [0, 0, 5]]]},
        {"type": "Polygon", "coordinates": [[[True, 0], [1, 0], [1, 1], [True, 0]]]},
        {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [math.nan, 0]]]},
        {"type": "Polygon", "coordinates": [[[0, 0], [10**30, 0], [1, 1], [0, 0]]]},
        {"type": "Polygon", "coordinates": [[[0, 0], ["1", 0], [1, 1], [0, 0]]]},
        {"type": "Polygon", "coordinates": [[[0, 0], [[1, 0]], [1, 1], [0, 0]]]},
        {"type": "Polygon", "coordinates": [[[0, 0], {"a": 1, "b": 2}, [1, 1], [0, 0]]]},
        {"type": "Polygon", "coordinates": [[[0, 0], [2, 2], [0, 2], [2, 0], [0, 0]]]},  # bowtie
        {"type": "Polygon", "coordinates": [SQUARE_RING, [[0, 0], [1, 0], [1, 1], [0, 0]]]},
        {"type": "Polygon", "coordinates": [[[170, 0], [-170, 0], [-170, 5], [170, 0]]]},
        {"type": "Polygon", "coordinates": [[[-90, 0], [90, 0], [90, 5], [-90, 0]]]},  # 180 wide
        {"type": "Polygon", "coordinates": [[[175, 0], [185, 0], [185, 5], [175, 0]]]},
        {"type": "Polygon", "coordinates": [[[0, 89], [1, 91], [2, 89], [0, 89]]]},
        # already cut at the seam (Natural Earth's Russia): steps along ±180 or a pole
        {"type": "Polygon", "coordinates": [[[170, 60], [180, 60], [180, 70], [170, 60]]]},
        {
            "type": "Polygon",
            "coordinates": [[[-180, -90], [180, -90], [180, -80], [-180, -80], [-180, -90]]],
        },
        {
            "type": "Polygon",
            "coordinates": [[[-180, 60], [180, 60], [180, 70], [-180, 70], [-180, 60]]],
        },
        {"type": "Polygon", "coordinates": [[[-180, 60], [180, 61], [170, 70], [-180, 60]]]},
        {
            "type": "MultiPolygon",
            "coordinates": [
                [[[170, 60], [180, 60], [180, 70], [170, 60]]],
                [[[-180, 60], [-170, 60], [-180, 70], [-180, 60]]],
            ],
        },
        {"type": "Polygon", "coordinates": []},
        {"type": "Polygon", "coordinates": [[]]},
        {"type": "MultiPolygon", "coordinates": []},
        {"type": "MultiPolygon", "coordinates": [[]]},
        {"type": "MultiPolygon", "coordinates": [[SQUARE_RING], []]},
        {"type": "MultiPolygon", "coordinates": [[SQUARE_RING], [SQUARE_RING]]},  # overlapping
        {"type": "MultiPolygon", "coordinates": [[SQUARE_RING]]},
        {"type": "polygon", "coordinates": [SQUARE_RING]},
        {"type": "Polygon", "coordinates": [[[20, 54], [21, 54], [21, 55], [20, 54]]], "bbox": 1},
    ],
)
def test_edge_case_reads_the_same_together_as_one_by_one(
    member: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    document = _collection({"type": "Point", "coordinates": [1, 2]}, member, member)
    _assert_same_reading(geojson.read_document(document), _one_by_one(document, monkeypatch))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(star_polygons(), min_size=1, max_size=4))
def test_random_polygons_read_the_same_together_as_one_by_one(
    rings: list[list[list[float]]],
) -> None:
    document = _collection(*({"type": "Polygon", "coordinates": [ring]} for ring in rings))
    with pytest.MonkeyPatch.context() as patch:
        alone = _one_by_one(document, patch)
    _assert_same_reading(geojson.read_document(document), alone)


def test_plain_polygons_are_read_together_not_one_by_one() -> None:
    holed = [SQUARE_RING, [[20.2, 54.2], [20.2, 54.4], [20.4, 54.4], [20.2, 54.2]]]
    document = _collection(
        {"type": "Polygon", "coordinates": [SQUARE_RING]},
        {
            "type": "MultiPolygon",
            "coordinates": [holed, [[[30, 60], [31, 60], [31, 61], [30, 60]]]],
        },
        {"type": "Point", "coordinates": [1, 2]},
    )
    raw, _ = geojson.raw_features(document)
    together = geojson._plain_areas(raw)
    assert sorted(together) == [0, 1]
    assert together[0].geom_type == "Polygon" and together[1].geom_type == "MultiPolygon"
    assert len(together[1].geoms[0].interiors) == 1
