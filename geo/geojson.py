"""Read any RFC 7946 GeoJSON text into checked shapes, with plain-word problems and notes.

A document may be a FeatureCollection, a single Feature or a bare geometry (RFC 7946 §2).
Every coordinate array is checked here before shapely sees it, so a problem is said in plain
words (which feature, what is wrong, how to fix it), never as a Python message:

- refused: positions that are not numbers (``"41.5"`` in quotes), too few numbers, latitudes
  outside [-90, 90] or longitudes outside [-360, 360] (projected metres), lines of fewer than
  two positions, rings of fewer than four positions, a Feature inside a GeometryCollection;
- repaired, each with a note saying exactly what changed: an unclosed ring (closed), heights
  (third values dropped), nested GeometryCollections (flattened), an area crossing the
  antimeridian or going round a pole (split, :func:`geo.geometry.split_antimeridian`),
  an invalid area (``shapely.make_valid``, the reason named), points and lines past ±180
  (wrapped).

Nothing here imports streamlit or GDAL; the caller parses the JSON.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np
import shapely
from shapely.geometry import (
    GeometryCollection,
    LineString,
    MultiLineString,
    MultiPoint,
    MultiPolygon,
    Point,
    Polygon,
)
from shapely.geometry.base import BaseGeometry

from geo import geometry
from geo.errors import Problem

_GEOMETRY_TYPES = (
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
)
# Longitudes beyond ±180 are accepted up to a whole turn (rings drawn past the antimeridian,
# e.g. the Aleutians to -188.9); anything larger is not degrees.
_MAX_LONGITUDE = 360.0
_MAX_LATITUDE = 90.0
_HALF_TURN = 180.0
_HOW_TO_REPROJECT = (
    "projected coordinates (metres)? GeoJSON positions are [longitude, latitude] in degrees "
    "(WGS 84): reproject it to EPSG:4326 (e.g. QGIS: Export > Save Features As, CRS EPSG:4326)"
)


class _Bad(ValueError):
    """One plain-word reason a geometry is refused (caught within this module)."""


@dataclass(frozen=True)
class Feature:
    """One feature of a document: 1-based number, properties, checked shape (None: refused),
    and what was repaired in it (plain sentences, without the feature's name)."""

    number: int
    properties: dict[str, Any]
    geometry: BaseGeometry | None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reading:
    """What :func:`read_document` found: features, notes (repairs) and problems (refusals)."""

    features: tuple[Feature, ...]
    notes: tuple[str, ...]
    problems: tuple[Problem, ...]


def feature_name(properties: Mapping[str, Any]) -> str | None:
    """The feature's own name (``name``, ``title``, ``label``, ``id``...), or None."""
    for key in ("name", "NAME", "title", "label", "id", "ADMIN"):
        value = properties.get(key)
        if value not in (None, ""):
            return str(value)[:200]
    return None


def feature_label(properties: Mapping[str, Any], number: int) -> str:
    """How a feature is named in messages: ``feature 3 (Norway)`` or ``feature 3``."""
    name = feature_name(properties)
    return f"feature {number}" if name is None else f"feature {number} ({name[:80]})"


def raw_features(document: object) -> tuple[list[object], list[Problem]]:
    """The raw features of a FeatureCollection, a Feature or a bare geometry, or the problems.

    A Feature counts as a collection of one; a bare geometry as one Feature without
    properties (RFC 7946 §2: all three are GeoJSON texts).
    """
    if not isinstance(document, dict):
        what = "a list" if isinstance(document, list) else "not a JSON object"
        statement = (
            f"the file is {what}; a GeoJSON file is one object: a FeatureCollection, "
            "a Feature or a geometry"
        )
        return [], [Problem(None, None, None, statement)]
    kind = document.get("type")
    if kind == "Feature":
        return [document], []
    if kind in _GEOMETRY_TYPES:
        return [{"type": "Feature", "properties": {}, "geometry": document}], []
    if kind != "FeatureCollection":
        shown = "no 'type' member" if kind is None else f"the type {str(kind)[:40]!r}"
        statement = (
            f"the file has {shown}; GeoJSON types are FeatureCollection, Feature or a "
            "geometry (Point, LineString, Polygon, their Multi- forms, GeometryCollection), "
            "spelt with that case"
        )
        return [], [Problem(None, "type", None, statement)]
    features = document.get("features")
    if not isinstance(features, list):
        statement = "the FeatureCollection has no list of features ('features': [...])"
        return [], [Problem(None, "features", None, statement)]
    if not features:
        return [], [Problem(None, None, None, "the FeatureCollection has no features")]
    return features, []


def read_document(document: object) -> Reading:
    """Check every feature of a parsed GeoJSON document (see the module's docstring).

    Returns
    -------
    Reading
        Every feature that is a Feature (its geometry None when refused, or when it has none
        to draw: a null geometry or an empty GeometryCollection, with a note saying so),
        every note, every problem (with the 1-based feature number).
    """
    raw, problems = raw_features(document)
    plain = _plain_areas(raw)
    features: list[Feature] = []
    notes: list[str] = []
    for number, item in enumerate(raw, start=1):
        properties, problem = _properties(item, number)
        if properties is None or not isinstance(item, dict):
            problems.append(problem)
            continue
        label = feature_label(properties, number)
        said: list[str] = []
        if "geometry" not in item:
            statement = "the Feature has no 'geometry' member (spelt so; it may be null)"
            problems.append(Problem(None, "geometry", None, statement, number))
            continue
        member = item["geometry"]
        if _nothing_to_draw(member):
            what = "no geometry (null)" if member is None else "an empty geometry"
            said.append(f"it has {what}: nothing to draw, left out of the map")
            notes.append(f"{label}: {said[0]}")
            features.append(Feature(number, properties, None, tuple(said)))
            continue
        try:
            shape = plain[number - 1] if number - 1 in plain else read_geometry(member, said)
        except _Bad as exc:
            name = feature_name(properties)
            named = "" if name is None else f" [{name[:80]}]"
            problems.append(Problem(None, "geometry", None, f"{exc}{named}", number))
            shape = None
        unique = tuple(dict.fromkeys(said))
        notes.extend(f"{label}: {note}" for note in unique)
        features.append(Feature(number, properties, shape, unique))
    return Reading(tuple(features), tuple(notes), tuple(problems))


# --- plain areas, read together ------------------------------------------------------------------


def _plain_areas(raw: Sequence[object]) -> dict[int, BaseGeometry]:
    """The shapes of the features that are plainly good areas, read all at once (shapely 2).

    A Natural Earth layer is thousands of polygons whose every check passes; reading them one
    by one (a numpy array and a shapely call per ring) costs most of an upload's time. Here
    the positions of every candidate are gathered with C-level iteration, checked as one
    array, and the areas built with one ``from_ragged_array`` call. A feature qualifies only
    when :func:`read_geometry` would return the same shape with no note: a Polygon or
    MultiPolygon of rings of four positions or more, each position two plain numbers
    (``int`` or ``float``, no height), finite, within [-180, 180] x [-90, 90], every ring
    closed, no step between two positions of a ring spanning more than 180 degrees of
    longitude (except along the seam or a pole, as in Natural Earth's Russia or Antarctica:
    no ring crosses the antimeridian), and valid. Every other feature is left to
    :func:`read_geometry`, which says what it repairs or refuses.

    Returns
    -------
    dict
        0-based index in ``raw`` -> its shape (Polygon or MultiPolygon), for those that qualify.
    """
    kinds: list[bool] = []  # per candidate: True for a Polygon (else a MultiPolygon)
    indices: list[int] = []
    polygon_counts: list[int] = []
    ring_counts: list[int] = []
    ring_sizes: list[int] = []
    numbers: list[object] = []
    for index, item in enumerate(raw):
        candidate = _candidate_polygons(item)
        if candidate is None:
            continue
        is_polygon, polygons = candidate
        rings = list(chain.from_iterable(polygons))
        positions = list(chain.from_iterable(rings))
        try:
            if set(map(len, positions)) != {2}:
                continue
        except TypeError:  # a position that is not a list
            continue
        flat = list(chain.from_iterable(positions))
        if not set(map(type, flat)) <= _PLAIN_NUMBERS:
            continue
        kinds.append(is_polygon)
        indices.append(index)
        polygon_counts.append(len(polygons))
        ring_counts.extend(map(len, polygons))
        ring_sizes.extend(map(len, rings))
        numbers.extend(flat)
    if not indices:
        return {}
    try:
        coords = np.array(numbers, dtype=float).reshape(-1, 2)
    except OverflowError:  # an integer too large for a float: read_geometry says so
        return {}
    shapes = _areas(
        coords, np.asarray(polygon_counts), np.asarray(ring_counts), np.asarray(ring_sizes)
    )
    polygon = np.asarray(kinds)
    shapes[polygon] = shapely.get_geometry(shapes[polygon], 0)
    good = _qualified(
        coords, shapes, np.asarray(polygon_counts), np.asarray(ring_counts), np.asarray(ring_sizes)
    )
    return {indices[k]: shapes[k] for k in np.flatnonzero(good)}


_PLAIN_NUMBERS = frozenset((int, float))


def _candidate_polygons(item: object) -> tuple[bool, list[list[list[Any]]]] | None:
    """Whether a Feature is a Polygon, and its polygons (lists of rings of at least four
    items); None when it is not a Polygon or MultiPolygon of that shape."""
    if not isinstance(item, dict) or item.get("type") != "Feature":
        return None
    member = item.get("geometry")
    if not isinstance(member, dict):
        return None
    kind, coordinates = member.get("type"), member.get("coordinates")
    if kind not in ("Polygon", "MultiPolygon") or not isinstance(coordinates, list):
        return None
    polygons = [coordinates] if kind == "Polygon" else coordinates
    if not polygons:
        return None
    for rings in polygons:
        if not isinstance(rings, list) or not rings:
            return None
        for ring in rings:
            if not isinstance(ring, list) or len(ring) < 4:
                return None
    return kind == "Polygon", polygons


def _areas(
    coords: np.ndarray, polygon_counts: np.ndarray, ring_counts: np.ndarray, ring_sizes: np.ndarray
) -> np.ndarray:
    """MultiPolygons from positions and the counts of polygons, rings and positions."""
    offsets = tuple(
        np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        for counts in (ring_sizes, ring_counts, polygon_counts)
    )
    return shapely.from_ragged_array(shapely.GeometryType.MULTIPOLYGON, coords, offsets)


def _qualified(
    coords: np.ndarray,
    shapes: np.ndarray,
    polygon_counts: np.ndarray,
    ring_counts: np.ndarray,
    ring_sizes: np.ndarray,
) -> np.ndarray:
    """Per shape: True when every check of the plain path passes (see :func:`_plain_areas`)."""
    rings_per_shape = np.add.reduceat(ring_counts, _starts(polygon_counts))
    positions_per_shape = np.add.reduceat(ring_sizes, _starts(rings_per_shape))
    lon, lat = coords[:, 0], coords[:, 1]
    with np.errstate(invalid="ignore"):
        wrong = ~np.isfinite(coords).all(axis=1) | (np.abs(lon) > _HALF_TURN)
        wrong |= np.abs(lat) > _MAX_LATITUDE
    first = _starts(ring_sizes)
    last = first + ring_sizes - 1
    unclosed = np.any(coords[first] != coords[last], axis=1)
    wrong_shape = np.add.reduceat(wrong, _starts(positions_per_shape)) > 0
    unclosed_shape = np.add.reduceat(unclosed, _starts(rings_per_shape)) > 0
    crossing = np.add.reduceat(_jumps(lon, lat, first), _starts(positions_per_shape)) > 0
    good = ~(wrong_shape | unclosed_shape | crossing)
    good[good] = shapely.is_valid(shapes[good])
    return good


def _jumps(lon: np.ndarray, lat: np.ndarray, ring_starts: np.ndarray) -> np.ndarray:
    """Per position: True where the step to the next position of its ring spans more than
    180 degrees of longitude, a step along the seam (±180) or along a pole not counted: for
    positions within [-180, 180], :func:`geo.geometry.crosses_antimeridian` over every ring."""
    with np.errstate(invalid="ignore"):
        steps = np.diff(lon)
        on_seam = np.abs(lon) == _HALF_TURN
        at_pole = np.abs(lat) == _MAX_LATITUDE
        along_pole = at_pole[1:] & at_pole[:-1] & (lat[1:] == lat[:-1])
        steps[(on_seam[1:] & on_seam[:-1]) | along_pole] = 0.0
        jump = np.abs(steps) > _HALF_TURN
    jump[ring_starts[1:] - 1] = False  # from the last position of a ring to the next ring
    return np.append(jump, False)


def _starts(counts: np.ndarray) -> np.ndarray:
    """Where each group starts, given the size of each group (all sizes above 0)."""
    return np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)


def _nothing_to_draw(member: object) -> bool:
    """A null geometry or an empty GeometryCollection: valid GeoJSON with nothing to draw."""
    if member is None:
        return True
    return (
        isinstance(member, dict)
        and member.get("type") == "GeometryCollection"
        and member.get("geometries") == []
    )


def _properties(item: object, number: int) -> tuple[dict[str, Any] | None, Problem]:
    if not isinstance(item, dict) or item.get("type") != "Feature":
        shown = "null" if item is None else type(item).__name__
        if isinstance(item, dict):
            shown = f"an object of type {str(item.get('type'))[:40]!r}"
        statement = f"it is {shown}, not a GeoJSON Feature object"
        return None, Problem(None, None, None, statement, number)
    properties = item.get("properties")
    if properties is None:
        properties = {}
    if not isinstance(properties, dict):
        statement = "the properties are not an object ({'name': ...}) or null"
        return None, Problem(None, "properties", None, statement, number)
    return properties, Problem(None, None, None, "", number)


# --- geometries ----------------------------------------------------------------------------------


def read_geometry(raw: object, notes: list[str]) -> BaseGeometry:
    """A checked shapely geometry from a GeoJSON geometry object, notes appended to ``notes``.

    Raises
    ------
    _Bad
        (Internal) a plain-word reason the geometry is refused.
    """
    if raw is None:
        raise _Bad("the feature has no geometry (null); give it a Point, LineString or Polygon")
    if not isinstance(raw, dict):
        raise _Bad(
            f"the geometry is {type(raw).__name__}, not a GeoJSON geometry object "
            "({'type': 'Point', 'coordinates': [lon, lat]})"
        )
    kind = raw.get("type")
    if kind == "GeometryCollection":
        return _collection(raw, notes, depth=0)
    if kind not in _GEOMETRY_TYPES:
        shown = "no 'type'" if kind is None else f"the type {str(kind)[:40]!r}"
        raise _Bad(f"the geometry has {shown}; expected one of {', '.join(_GEOMETRY_TYPES)}")
    if "coordinates" not in raw:
        raise _Bad(f"the {kind} has no 'coordinates'")
    shape = _simple(str(kind), raw["coordinates"], notes)
    if shape.is_empty:
        raise _Bad(f"the {kind} is empty (no positions)")
    return _finished(shape, notes)


def _collection(raw: Mapping[str, Any], notes: list[str], *, depth: int) -> BaseGeometry:
    members = raw.get("geometries")
    if not isinstance(members, list):
        raise _Bad("the GeometryCollection has no list of 'geometries'")
    parts: list[BaseGeometry] = []
    for position, member in enumerate(members, start=1):
        if not isinstance(member, dict):
            raise _Bad(f"member {position} of the GeometryCollection is not a geometry object")
        kind = member.get("type")
        if kind == "Feature":
            raise _Bad(
                f"member {position} of the GeometryCollection is a Feature; a collection "
                "holds geometries only: list the Feature in a FeatureCollection instead"
            )
        if kind == "GeometryCollection":
            notes.append("a GeometryCollection inside another was flattened into one")
            parts.extend(shapely.get_parts(_collection(member, notes, depth=depth + 1)))
            continue
        parts.append(read_geometry(member, notes))
    flat: list[BaseGeometry] = []
    for part in parts:
        flat.extend(shapely.get_parts(part) if part.geom_type == "GeometryCollection" else [part])
    if not flat:
        raise _Bad("the GeometryCollection is empty")
    return GeometryCollection(flat)


def _simple(kind: str, coordinates: object, notes: list[str]) -> BaseGeometry:
    if kind == "Point":
        return Point(_positions(coordinates, notes, single=True)[0])
    if kind == "MultiPoint":
        return MultiPoint(_positions(coordinates, notes))
    if kind == "LineString":
        return LineString(_line(coordinates, notes))
    if kind == "MultiLineString":
        return MultiLineString([_line(item, notes) for item in _items(coordinates, "lines")])
    if kind == "Polygon":
        return _polygon(coordinates, notes)
    return MultiPolygon([_polygon(item, notes) for item in _items(coordinates, "polygons")])


def _items(value: object, what: str) -> list[object]:
    if not isinstance(value, list):
        raise _Bad(f"the coordinates must be a list of {what} ([...]), not {_shown(value)}")
    return value


def _line(value: object, notes: list[str]) -> np.ndarray:
    positions = _positions(value, notes)
    if len(positions) < 2:
        raise _Bad(
            f"a line has {len(positions)} position(s); a LineString needs at least two "
            "(use a Point for one place)"
        )
    return positions


def _polygon(value: object, notes: list[str]) -> Polygon:
    rings = [_ring(item, notes) for item in _items(value, "rings")]
    if not rings:
        raise _Bad("a polygon has no ring; it needs an outer ring of at least four positions")
    return Polygon(rings[0], rings[1:])


def _ring(value: object, notes: list[str]) -> np.ndarray:
    positions = _positions(value, notes)
    if len(positions) and not np.array_equal(positions[0], positions[-1]):
        notes.append(
            "a ring was not closed (its last position differs from its first); closed it by "
            "repeating the first position at the end"
        )
        positions = np.concatenate([positions, positions[:1]])
    lon = positions[:, 0]
    if np.any(np.abs(lon) > _HALF_TURN) and np.any(np.abs(np.diff(lon)) > _HALF_TURN):
        far = float(lon[np.argmax(np.abs(lon))])
        raise _Bad(
            f"a ring has the longitude {far:g}, outside [-180, 180], and also jumps more than "
            "180 degrees between two positions: a ring may run past ±180 or jump across it, "
            "not both. Check that position for a typo"
        )
    distinct = _distinct_up_to_three(positions)
    if len(positions) < 4 or distinct < 3:
        raise _Bad(
            f"a ring has {len(positions)} positions ({distinct} distinct); a ring needs at "
            "least four: three different corners and the first repeated at the end"
        )
    return positions


def _distinct_up_to_three(positions: np.ndarray) -> int:
    """How many different positions a ring has, counted up to three (cheaply, in numpy)."""
    if not len(positions):
        return 0
    other_than_first = np.any(positions != positions[0], axis=1)
    if not other_than_first.any():
        return 1
    second = positions[int(np.argmax(other_than_first))]
    other_than_second = np.any(positions != second, axis=1)
    return 3 if bool(np.any(other_than_first & other_than_second)) else 2


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _positions(value: object, notes: list[str], *, single: bool = False) -> np.ndarray:
    """An (n, 2) float array of checked positions; heights dropped with a note."""
    items = [value] if single else value
    if not isinstance(items, list):
        raise _Bad(f"expected a list of positions ([[lon, lat], ...]), found {_shown(value)}")
    numbers = _fast_numbers(items)
    if numbers is None:
        numbers = np.asarray([_position(item) for item in items], dtype=float).reshape(-1, 3)
    if numbers.shape[1] > 2:
        if not np.all(np.isnan(numbers[:, 2:])):
            notes.append("heights (the third value of each position) are not kept")
        numbers = numbers[:, :2]
    _check_range(numbers)
    return numbers


def _fast_numbers(items: list[Any]) -> np.ndarray | None:
    """The positions as an (n, k) float array when they are plainly numbers, else None.

    Positions of one length whose values are all ``int`` or ``float`` are flattened with
    C-level loops and read by numpy in one call; anything else (text in quotes, ragged or
    nested positions, true/false alone) is left to the slow path, which says what is wrong.
    (A true or false mixed with numbers is read as 1 or 0 here, as numpy would.)
    """
    if not items:
        return None
    try:
        lengths = set(map(len, items))
    except TypeError:  # a position that is not a list
        return None
    if len(lengths) != 1 or min(lengths) < 2:
        return None
    flat = list(chain.from_iterable(items))
    kinds = set(map(type, flat))
    if not kinds <= _NUMBER_KINDS or not kinds & _PLAIN_NUMBERS:
        return None
    try:
        return np.array(flat, dtype=float).reshape(len(items), -1)
    except OverflowError:  # an integer too large for a float
        return None


_NUMBER_KINDS = frozenset((int, float, bool))


def _position(item: object) -> list[float]:
    if not isinstance(item, list):
        raise _Bad(f"a position must be a list [lon, lat], not {_shown(item)}")
    if any(isinstance(cell, list) for cell in item):
        raise _Bad(
            f"a position holds a list ({_shown(item)}): the coordinates are nested one "
            "level too deep for this geometry type"
        )
    if len(item) < 2:
        raise _Bad(f"the position {_shown(item)} has {len(item)} number(s); it needs two")
    for cell in item:
        if isinstance(cell, str):
            raise _Bad(
                f"the coordinate {cell[:20]!r} is text in quotes; write numbers without quotes "
                f'(e.g. {cell.strip()[:20]} instead of "{cell.strip()[:20]}")'
            )
        if isinstance(cell, bool) or not isinstance(cell, int | float):
            raise _Bad(f"the position {_shown(item)} holds {_shown(cell)}, not a number")
    if len(item) == 2:
        return [float(item[0]), float(item[1]), math.nan]
    return [float(item[0]), float(item[1]), float(item[2])]


def _check_range(numbers: np.ndarray) -> None:
    if not np.all(np.isfinite(numbers)):
        raise _Bad("a coordinate is not a finite number")
    lon, lat = numbers[:, 0], numbers[:, 1]
    wrong = []
    if np.any(np.abs(lat) > _MAX_LATITUDE):
        wrong.append(f"latitude outside [-90, 90] (y {lat.min():g} to {lat.max():g})")
    if np.any(np.abs(lon) > _MAX_LONGITUDE):
        wrong.append(f"longitude outside [-180, 180] (x {lon.min():g} to {lon.max():g})")
    if wrong:
        raise _Bad(" and ".join(wrong) + ": " + _HOW_TO_REPROJECT)


def _wrapped(shape: BaseGeometry) -> BaseGeometry:
    def wrap(coords: np.ndarray) -> np.ndarray:
        out = coords.copy()
        out[:, 0] = (out[:, 0] + _HALF_TURN) % (2 * _HALF_TURN) - _HALF_TURN
        out[coords[:, 0] == _HALF_TURN, 0] = _HALF_TURN
        return out

    return shapely.transform(shape, wrap)


def _finished(shape: BaseGeometry, notes: list[str]) -> BaseGeometry:
    """Split areas at the antimeridian, wrap points and lines, repair what is invalid."""
    if isinstance(shape, Polygon | MultiPolygon):
        if geometry.crosses_antimeridian(shape):
            shape = geometry.split_antimeridian(shape, notes=notes)
    else:
        west, _, east, _ = shape.bounds
        if west < -_HALF_TURN or east > _HALF_TURN:
            notes.append("longitudes past ±180 were wrapped into [-180, 180]")
            shape = _wrapped(shape)
    if not shape.is_valid:
        reason = shapely.is_valid_reason(shape)
        fixed = shapely.make_valid(shape)
        if isinstance(shape, Polygon | MultiPolygon):
            kept = geometry.polygonal_part(fixed)
            if kept.is_empty:
                raise _Bad(
                    f"the area is not valid ({reason}) and has no area left once repaired: "
                    "check the order of its positions"
                )
            dropped = "" if kept.equals(fixed) else "; lines or points left by the repair dropped"
            notes.append(f"the area was not valid ({reason}); repaired with make_valid{dropped}")
            fixed = kept
        else:
            became = "" if fixed.geom_type == shape.geom_type else f", now a {fixed.geom_type}"
            notes.append(f"the geometry was not valid ({reason}); repaired with make_valid{became}")
        shape = fixed
    return shape


def bounds_far_from(shapes: Sequence[BaseGeometry], region: Polygon) -> bool:
    """True when no shape touches ``region`` (a notice only: data may lie anywhere on Earth)."""
    present = [shape for shape in shapes if shape is not None and not shape.is_empty]
    return bool(present) and not any(shape.intersects(region) for shape in present)
