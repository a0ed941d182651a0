"""Pure geometry helpers of the geodata build: TopoJSON arcs, simplification, repair, RFC 7946.

Nothing here reads or writes files, imports streamlit or mutates its arguments. The build
script (``scripts/build_geodata.py``) strings these functions together; the app only reads
their output files.

Why arcs: neighbouring countries in a TopoJSON topology share each border as one *arc*.
Simplifying every arc once, with its end points (the junctions between three or more
countries) fixed, and rebuilding the polygons from the simplified arcs keeps shared borders
identical on both sides, so no gap or overlap opens between neighbours. Simplifying each
country on its own (``simplify(preserve_topology=True)``) does not: each side of a border
drops different vertices.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
import shapely.affinity
from shapely.geometry import (
    GeometryCollection,
    LinearRing,
    MultiLineString,
    MultiPolygon,
    Polygon,
    box,
)
from shapely.geometry.base import BaseGeometry

from geo import settings
from geo.settings import CRS

# Longitudes span 360 degrees; a ring segment longer than half of that crosses the antimeridian.
_HALF_TURN = 180.0
_FULL_TURN = 360.0
# Latitude of the poles: a step along a pole (from one longitude to another at ±90) has no length.
_QUARTER_TURN = 90.0

Arc = np.ndarray  # (n, 2) float array of lon/lat positions


class TopologyError(ValueError):
    """A TopoJSON topology or geometry object is malformed."""


# --------------------------------------------------------------------------------------------
# TopoJSON arcs
# --------------------------------------------------------------------------------------------


def decode_arcs(topology: Mapping[str, Any]) -> list[Arc]:
    """Decode the arcs of a TopoJSON topology into absolute lon/lat positions.

    Parameters
    ----------
    topology : Mapping
        A parsed TopoJSON ``Topology`` object. When it has a ``transform`` the arcs are
        quantized and delta-encoded (TopoJSON specification, section 2.1.2); otherwise the
        positions are taken as they are.

    Returns
    -------
    list of numpy.ndarray
        One ``(n, 2)`` float array per arc, in the order of ``topology["arcs"]``.
    """
    transform = topology.get("transform")
    decoded: list[Arc] = []
    for index, raw in enumerate(topology["arcs"]):
        positions = np.asarray([position[:2] for position in raw], dtype=float)
        if positions.ndim != 2 or len(positions) < 2:
            raise TopologyError(f"arc {index} has fewer than two positions")
        if transform is not None:
            scale = np.asarray(transform["scale"], dtype=float)
            translate = np.asarray(transform["translate"], dtype=float)
            positions = np.cumsum(positions, axis=0) * scale + translate
        decoded.append(positions)
    return decoded


def arcs_used_by(geometries: Iterable[Mapping[str, Any]]) -> set[int]:
    """Return the (non-negative) indices of every arc referenced by the geometry objects.

    Parameters
    ----------
    geometries : iterable of Mapping
        TopoJSON ``Polygon`` / ``MultiPolygon`` geometry objects (others reference no arc here).

    Returns
    -------
    set of int
        Arc indices, with TopoJSON's one's-complement reversal (``~i``) undone.
    """
    used: set[int] = set()
    for geometry in geometries:
        for ring in _rings_of(geometry):
            used.update(index if index >= 0 else ~index for index in ring)
    return used


def simplify_arcs(
    arcs: Sequence[Arc],
    tolerance: float,
    *,
    decimals: int,
    only: Iterable[int] | None = None,
) -> list[Arc]:
    """Simplify every arc once, keeping the end points of open arcs fixed, then round.

    All arcs are simplified together with GEOS's topology-preserving simplifier, which keeps
    each line's end points (the junctions between countries) and refuses a simplification
    that would make one arc cross another. Positions are then rounded to ``decimals`` and
    repeated consecutive positions dropped. A shared border is one arc, so both neighbours
    receive exactly the same vertices.

    Parameters
    ----------
    arcs : sequence of numpy.ndarray
        Decoded arcs (see :func:`decode_arcs`).
    tolerance : float
        Simplification tolerance in degrees; ``0`` only rounds.
    decimals : int
        Decimal places kept in every coordinate.
    only : iterable of int, optional
        Indices of the arcs to simplify; the others are returned unchanged (saves time when
        only a few countries of a world topology are kept).

    Returns
    -------
    list of numpy.ndarray
        New arrays, one per input arc, in the same order.

    Raises
    ------
    TopologyError
        If the simplifier moved the end point of an open arc (it must not).
    """
    indices = sorted(set(range(len(arcs)) if only is None else only))
    result = [np.array(arc, dtype=float, copy=True) for arc in arcs]
    if not indices:
        return result
    lines = MultiLineString([arcs[index] for index in indices])
    simplified = shapely.simplify(lines, tolerance, preserve_topology=True) if tolerance else lines
    parts = list(shapely.get_parts(simplified))
    if len(parts) != len(indices):
        raise TopologyError(f"simplifier returned {len(parts)} arcs for {len(indices)}")
    for index, part in zip(indices, parts, strict=True):
        positions = np.asarray(part.coords, dtype=float)
        original = arcs[index]
        is_closed = bool(np.array_equal(original[0], original[-1]))
        if not is_closed and not (
            np.array_equal(positions[0], original[0])
            and np.array_equal(positions[-1], original[-1])
        ):
            raise TopologyError(f"simplification moved an end point of arc {index}")
        result[index] = _drop_repeats(np.round(positions, decimals))
    return result


def topology_to_frame(
    topology: Mapping[str, Any],
    arcs: Sequence[Arc],
    *,
    object_name: str,
    keep: Iterable[int] | None = None,
) -> gpd.GeoDataFrame:
    """Rebuild the polygons of one TopoJSON object from (possibly simplified) arcs.

    Rings that collapsed to fewer than four positions or to zero area are left out, and a
    polygon whose exterior ring collapsed is left out with its holes; a feature with nothing
    left gets an empty geometry rather than disappearing, so callers can report it.

    Parameters
    ----------
    topology : Mapping
        Parsed TopoJSON topology.
    arcs : sequence of numpy.ndarray
        Decoded arcs, indexed as in the topology.
    object_name : str
        Name of the object under ``topology["objects"]``, e.g. ``"countries"``.
    keep : iterable of int, optional
        Positions (in ``geometries``) of the features to rebuild; all when omitted.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``position`` (int), ``topo_id`` (str or None), ``topo_name`` (str or None) and
        ``geometry``, in EPSG:4326.
    """
    geometries = _object_geometries(topology, object_name)
    positions = range(len(geometries)) if keep is None else sorted(set(keep))
    rows: list[dict[str, Any]] = []
    for position in positions:
        geometry = geometries[position]
        properties = geometry.get("properties") or {}
        raw_id = geometry.get("id")
        rows.append(
            {
                "position": position,
                "topo_id": None if raw_id is None else str(raw_id),
                "topo_name": properties.get("name"),
                "geometry": _build_polygonal(geometry, arcs),
            }
        )
    columns = ["position", "topo_id", "topo_name", "geometry"]
    return gpd.GeoDataFrame(rows, columns=columns, geometry="geometry", crs=CRS)


def _object_geometries(topology: Mapping[str, Any], object_name: str) -> list[Mapping[str, Any]]:
    try:
        collection = topology["objects"][object_name]
    except KeyError as err:
        raise TopologyError(f"topology has no object {object_name!r}") from err
    if collection.get("type") == "GeometryCollection":
        return list(collection["geometries"])
    return [collection]


def _rings_of(geometry: Mapping[str, Any]) -> list[list[int]]:
    kind = geometry.get("type")
    if kind == "Polygon":
        return list(geometry["arcs"])
    if kind == "MultiPolygon":
        return [ring for polygon in geometry["arcs"] for ring in polygon]
    return []


def _ring_positions(ring: Sequence[int], arcs: Sequence[Arc]) -> Arc:
    pieces: list[Arc] = []
    for order, index in enumerate(ring):
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        # Consecutive arcs share their junction position: keep it once.
        pieces.append(arc if order == 0 else arc[1:])
    return _drop_repeats(np.concatenate(pieces)) if pieces else np.empty((0, 2))


def _usable_ring(positions: Arc) -> LinearRing | None:
    if len(positions) < 4 or not np.array_equal(positions[0], positions[-1]):
        return None
    ring = LinearRing(positions)
    return ring if Polygon(ring).area > 0 else None


def _build_polygonal(geometry: Mapping[str, Any], arcs: Sequence[Arc]) -> BaseGeometry:
    kind = geometry.get("type")
    if kind == "Polygon":
        polygons_arcs = [geometry["arcs"]]
    elif kind == "MultiPolygon":
        polygons_arcs = list(geometry["arcs"])
    elif kind is None:
        return MultiPolygon()
    else:
        raise TopologyError(f"unsupported TopoJSON geometry type {kind!r}")
    polygons: list[Polygon] = []
    for rings in polygons_arcs:
        shell = _usable_ring(_ring_positions(rings[0], arcs))
        if shell is None:
            continue
        holes = [hole for ring in rings[1:] if (hole := _usable_ring(_ring_positions(ring, arcs)))]
        polygons.append(Polygon(shell, holes))
    return MultiPolygon(polygons) if len(polygons) != 1 else polygons[0]


def _drop_repeats(positions: Arc) -> Arc:
    if len(positions) < 2:
        return positions
    keep = np.ones(len(positions), dtype=bool)
    keep[1:] = np.any(positions[1:] != positions[:-1], axis=1)
    return positions[keep]


# --------------------------------------------------------------------------------------------
# Antimeridian
# --------------------------------------------------------------------------------------------


def max_longitude_step(geom: BaseGeometry) -> float:
    """Return the largest longitude difference between consecutive positions of any ring.

    Parameters
    ----------
    geom : shapely geometry
        Polygon or MultiPolygon in lon/lat degrees.

    Returns
    -------
    float
        ``0.0`` for an empty geometry; a value above 180 means a segment would be drawn the
        long way round the globe (it crosses the antimeridian).
    """
    steps = [
        float(np.max(np.abs(np.diff(np.asarray(ring.coords)[:, 0]))))
        for polygon in _polygons(geom)
        for ring in (polygon.exterior, *polygon.interiors)
        if len(ring.coords) > 1
    ]
    return max(steps, default=0.0)


def _seam_free_steps(ring: np.ndarray) -> np.ndarray:
    """Longitude steps of a ring; a step along the seam (±180) or along a pole counts 0.

    A ring already cut at the antimeridian (Natural Earth's Antarctica, Fiji, Russia) runs
    along longitude 180 or -180, and may go from one to the other along a pole or the seam
    itself: such a step is an edge of the map, not a crossing.
    """
    lon, lat = ring[:, 0], ring[:, 1]
    steps = np.diff(lon)
    on_seam = np.abs(lon) == _HALF_TURN
    at_pole = np.abs(lat) == _QUARTER_TURN
    along_pole = at_pole[1:] & at_pole[:-1] & (lat[1:] == lat[:-1])
    steps[(on_seam[1:] & on_seam[:-1]) | along_pole] = 0.0
    return steps


def crosses_antimeridian(geom: BaseGeometry) -> bool:
    """Tell whether a polygonal geometry jumps across or runs past longitude ±180.

    Parameters
    ----------
    geom : shapely geometry
        Polygon or MultiPolygon in lon/lat degrees.

    Returns
    -------
    bool
        True if a ring segment spans more than 180° of longitude (other than a step from
        +180 to -180 along the seam or a pole, in a polygon already cut there) or a position
        lies outside [-180, 180].
    """
    if geom.is_empty:
        return False
    min_x, _, max_x, _ = geom.bounds
    if min_x < -_HALF_TURN or max_x > _HALF_TURN:
        return True
    return any(
        bool(np.any(np.abs(_seam_free_steps(np.asarray(ring.coords))) > _HALF_TURN))
        for polygon in _polygons(geom)
        for ring in (polygon.exterior, *polygon.interiors)
        if len(ring.coords) > 1
    )


def split_antimeridian(geom: BaseGeometry, *, notes: list[str] | None = None) -> BaseGeometry:
    """Split a polygon that crosses the antimeridian or encloses a pole at longitude ±180.

    Each ring is first made continuous (a jump of more than 180° in longitude between two
    consecutive positions is undone by shifting the rest of the ring by ±360°), so a ring
    given as 170..-170 or as 170..190 becomes 170..190. A ring that then ends a whole turn
    east or west of where it began goes round a pole: it is closed along the pole nearer to
    it (the one on the side of its mean latitude). The polygon is then cut at every multiple
    of 180° and each piece shifted back into [-180, 180]; the pieces meet at longitude
    180 / -180 exactly. Geometries that do not cross are returned unchanged.

    Parameters
    ----------
    geom : shapely Polygon or MultiPolygon
        Lon/lat degrees.
    notes : list of str, optional
        Receives one plain sentence per thing done (crossing split, pole enclosed, a polygon
        that overlapped itself once made continuous repaired).

    Returns
    -------
    shapely Polygon or MultiPolygon
        The input itself when it does not cross, otherwise a new valid MultiPolygon (or
        Polygon when only one piece is left) whose rings never span more than 180° of
        longitude.
    """
    if not isinstance(geom, Polygon | MultiPolygon):
        raise TypeError(f"expected a Polygon or MultiPolygon, got {geom.geom_type}")
    if not crosses_antimeridian(geom):
        return geom
    said = notes if notes is not None else []
    pieces: list[Polygon] = []
    for polygon in _polygons(geom):
        pieces.extend(_split_polygon(polygon, said))
    said.append("it crosses the antimeridian (longitude 180); cut there into parts on each side")
    merged = polygonal_part(shapely.union_all(pieces)) if len(pieces) > 1 else pieces[0]
    if not merged.is_valid:
        merged = polygonal_part(shapely.make_valid(merged))
    return merged


def _unwrap(positions: np.ndarray) -> np.ndarray:
    lon = positions[:, 0].copy()
    jumps = _seam_free_steps(positions)
    offsets = np.concatenate([[0.0], np.cumsum(-_FULL_TURN * np.round(jumps / _FULL_TURN))])
    unwrapped = positions.copy()
    unwrapped[:, 0] = lon + offsets
    return unwrapped


def _around_pole(ring: np.ndarray, notes: list[str]) -> np.ndarray:
    """Close a continuous ring that ends a whole turn from its start along the nearer pole."""
    turns = round(float(ring[-1, 0] - ring[0, 0]) / _FULL_TURN)
    if turns == 0:
        return ring
    pole = -90.0 if float(np.mean(ring[:, 1])) < 0 else 90.0
    name = "South" if pole < 0 else "North"
    notes.append(f"a ring goes round the {name} Pole; closed along the pole before cutting")
    (x_end, _), (x_start, y_start) = ring[-1], ring[0]
    closing = np.array([[x_end, pole], [x_start, pole], [x_start, y_start]])
    return np.concatenate([ring, closing])


def _split_polygon(polygon: Polygon, notes: list[str]) -> list[Polygon]:
    shell = _around_pole(_unwrap(np.asarray(polygon.exterior.coords)[:, :2]), notes)
    shell_min, shell_max = float(shell[:, 0].min()), float(shell[:, 0].max())
    holes: list[np.ndarray] = []
    for interior in polygon.interiors:
        hole = _around_pole(_unwrap(np.asarray(interior.coords)[:, :2]), notes)
        # A hole is shifted by whole turns until it sits within its exterior's longitudes.
        centre = float(hole[:, 0].mean())
        turns = 0.0
        if centre < shell_min or centre > shell_max:
            turns = round(((shell_min + shell_max) / 2 - centre) / _FULL_TURN)
        hole[:, 0] += turns * _FULL_TURN
        holes.append(hole)
    continuous: BaseGeometry = Polygon(shell, holes)
    if not continuous.is_valid:
        reason = shapely.is_valid_reason(continuous)
        notes.append(f"once continuous across 180 the polygon is not valid ({reason}); repaired")
        continuous = polygonal_part(shapely.make_valid(continuous))
    first = math.floor((shell_min + _HALF_TURN) / _FULL_TURN)
    last = math.floor((shell_max + _HALF_TURN) / _FULL_TURN)
    parts: list[Polygon] = []
    for turn in range(first, last + 1):
        west = -_HALF_TURN + turn * _FULL_TURN
        window = box(west, -90.0, west + _FULL_TURN, 90.0)
        piece = shapely.affinity.translate(continuous.intersection(window), xoff=-turn * _FULL_TURN)
        parts.extend(_polygons(piece))
    return parts


# --------------------------------------------------------------------------------------------
# Repair and RFC 7946
# --------------------------------------------------------------------------------------------


def polygonal_part(geom: BaseGeometry) -> BaseGeometry:
    """Keep only the polygons of a geometry (e.g. drop the lines ``make_valid`` may return).

    Parameters
    ----------
    geom : shapely geometry
        Any geometry.

    Returns
    -------
    shapely Polygon or MultiPolygon
        The polygonal part; an empty MultiPolygon when there is none.
    """
    polygons = _polygons(geom)
    if isinstance(geom, Polygon) and not geom.is_empty:
        return geom
    if isinstance(geom, MultiPolygon) and len(polygons) == len(geom.geoms):
        return geom
    return polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)


def _polygons(geom: BaseGeometry) -> list[Polygon]:
    if geom.is_empty:
        return []
    if isinstance(geom, Polygon):
        return [geom]
    if isinstance(geom, MultiPolygon | GeometryCollection):
        return [polygon for part in geom.geoms for polygon in _polygons(part)]
    return []


def repair(gdf: gpd.GeoDataFrame, *, label: str = "name") -> tuple[gpd.GeoDataFrame, list[str]]:
    """Make every geometry valid and polygonal, and say what was repaired.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Polygonal features. Not modified.
    label : str, default "name"
        Column naming each feature in the messages (the row index is used when it is missing
        or empty).

    Returns
    -------
    tuple of (geopandas.GeoDataFrame, list of str)
        A repaired copy, and one human-readable message per repaired feature, e.g.
        ``"Norway: invalid geometry (Self-intersection[10.1 59.2]) repaired with make_valid"``.
    """
    gdf = gdf.copy()
    messages: list[str] = []
    repaired: list[BaseGeometry] = []
    for index, geom in zip(gdf.index, gdf.geometry, strict=True):
        name = gdf.at[index, label] if label in gdf.columns else None
        who = str(name) if name else f"row {index}"
        if geom is None or geom.is_empty:
            messages.append(f"{who}: empty geometry")
            repaired.append(MultiPolygon() if geom is None else geom)
            continue
        fixed = geom
        if not geom.is_valid:
            reason = shapely.is_valid_reason(geom)
            fixed = shapely.make_valid(geom)
            messages.append(f"{who}: invalid geometry ({reason}) repaired with make_valid")
        polygonal = polygonal_part(fixed)
        if polygonal.geom_type != fixed.geom_type or polygonal.is_empty != fixed.is_empty:
            messages.append(f"{who}: kept only the polygonal part of a {fixed.geom_type}")
        repaired.append(polygonal)
    gdf = gdf.set_geometry(gpd.GeoSeries(repaired, index=gdf.index, crs=gdf.crs))
    return gdf, messages


def to_rfc7946(geom: BaseGeometry, *, decimals: int) -> BaseGeometry:
    """Snap a polygonal geometry to a decimal grid, keep it valid and orient it per RFC 7946.

    Parameters
    ----------
    geom : shapely Polygon or MultiPolygon
        Lon/lat degrees.
    decimals : int
        Decimal places kept; vertices already on the grid do not move, so borders shared by
        neighbours stay shared.

    Returns
    -------
    shapely Polygon or MultiPolygon
        Valid, with counter-clockwise exterior rings and clockwise holes (RFC 7946 §3.1.6).
    """
    snapped = polygonal_part(shapely.set_precision(geom, 10.0**-decimals))
    return shapely.orient_polygons(snapped, exterior_cw=False)


def geometry_to_geojson(geom: BaseGeometry, *, decimals: int) -> dict[str, Any]:
    """Return the GeoJSON geometry object of a shape, coordinates rounded to ``decimals``.

    Parameters
    ----------
    geom : shapely Point, Polygon or MultiPolygon
        Lon/lat degrees.
    decimals : int
        Decimal places written per coordinate.

    Returns
    -------
    dict
        ``{"type": ..., "coordinates": ...}`` with plain Python floats (rounding with
        :func:`round` makes the text of every number the same on every run and platform).
    """

    def ring(coords: Any) -> list[list[float]]:
        return [[round(float(x), decimals), round(float(y), decimals)] for x, y, *_ in coords]

    def polygon(shape: Polygon) -> list[list[list[float]]]:
        return [ring(shape.exterior.coords), *(ring(hole.coords) for hole in shape.interiors)]

    if geom.geom_type == "Point":
        return {"type": "Point", "coordinates": ring(geom.coords)[0]}
    if isinstance(geom, Polygon):
        return {"type": "Polygon", "coordinates": polygon(geom)}
    if isinstance(geom, MultiPolygon):
        return {"type": "MultiPolygon", "coordinates": [polygon(part) for part in geom.geoms]}
    raise TypeError(f"cannot write a {geom.geom_type} as GeoJSON here")


def _flat_parts(geom: BaseGeometry) -> list[BaseGeometry]:
    """The members of a geometry collection, nested collections flattened (RFC 7946 §3.1.8)."""
    if isinstance(geom, GeometryCollection) and not geom.is_empty:
        return [part for member in geom.geoms for part in _flat_parts(member)]
    return [] if geom.is_empty else [geom]


def _coordinates(geom: BaseGeometry, decimals: int | None) -> Any:
    def position(x: float, y: float) -> list[float]:
        if decimals is None:
            return [float(x), float(y)]
        return [round(float(x), decimals), round(float(y), decimals)]

    def line(coords: Any) -> list[list[float]]:
        return [position(x, y) for x, y, *_ in coords]

    def polygon(shape: Polygon) -> list[list[list[float]]]:
        return [line(shape.exterior.coords), *(line(hole.coords) for hole in shape.interiors)]

    kind = geom.geom_type
    if kind == "Point":
        return line(geom.coords)[0]
    if kind == "LineString":
        return line(geom.coords)
    if kind == "Polygon":
        return polygon(geom)
    if kind == "MultiPoint":
        return [line(part.coords)[0] for part in geom.geoms]
    if kind == "MultiLineString":
        return [line(part.coords) for part in geom.geoms]
    if kind == "MultiPolygon":
        return [polygon(part) for part in geom.geoms]
    raise TypeError(f"cannot write a {kind} as GeoJSON coordinates")


def _geojson_object(geom: BaseGeometry, decimals: int | None) -> dict[str, Any]:
    if isinstance(geom, GeometryCollection):
        members = [_geojson_object(part, decimals) for part in _flat_parts(geom)]
        return {"type": "GeometryCollection", "geometries": members}
    return {"type": geom.geom_type, "coordinates": _coordinates(geom, decimals)}


def _ring_count(geom: BaseGeometry) -> int:
    return sum(len(polygon.interiors) + 1 for polygon in _polygons(geom))


def _written_faithfully(written: Mapping[str, Any], geom: BaseGeometry) -> bool:
    """Whether the written object reads back valid, of the same kind, with nothing collapsed."""
    back = shapely.geometry.shape(written)
    if not back.is_valid or back.is_empty or back.geom_type != geom.geom_type:
        return False
    if shapely.get_num_geometries(back) != shapely.get_num_geometries(geom):
        return False
    if _ring_count(back) != _ring_count(geom):  # no hole merged into another or lost
        return False
    return not (geom.area > 0 and not math.isclose(back.area, geom.area, rel_tol=1e-3))


def to_geojson(geom: BaseGeometry, *, decimals: int) -> dict[str, Any]:
    """The RFC 7946 geometry object of any shape: oriented, flat, valid, ``decimals`` kept.

    Polygons at every depth get counter-clockwise exterior rings and clockwise holes (RFC 7946
    §3.1.6); nested geometry collections are flattened (§3.1.8). Coordinates are snapped to a
    grid of ``10 ** -decimals`` degrees with ``shapely.set_precision``, which keeps the result
    valid, then written rounded; if what is written would not read back valid, of the same
    kind and (for areas) the same area within 0.1 %, two more decimals are tried, and in the
    end every digit is written. Precision reduction thus never makes a valid geometry invalid.

    Parameters
    ----------
    geom : shapely geometry
        Lon/lat degrees, valid (an invalid one is written as it is, rounded).
    decimals : int
        Decimal places wanted per coordinate.

    Returns
    -------
    dict
        A GeoJSON geometry object of plain Python floats.
    """
    if isinstance(geom, GeometryCollection):
        geom = GeometryCollection(_flat_parts(geom))
    oriented = shapely.orient_polygons(geom, exterior_cw=False)
    if not geom.is_valid:
        return _geojson_object(oriented, decimals)
    for places in (decimals, decimals + 2, decimals + 4):
        snapped = shapely.orient_polygons(
            shapely.set_precision(oriented, 10.0**-places), exterior_cw=False
        )
        if snapped.geom_type != oriented.geom_type:
            continue
        written = _geojson_object(snapped, places)
        if _written_faithfully(written, oriented):
            return written
    return _geojson_object(oriented, None)


def dump_feature_collection(features: Sequence[Mapping[str, Any]]) -> bytes:
    """Serialise features as a deterministic RFC 7946 FeatureCollection (no ``crs`` member).

    Parameters
    ----------
    features : sequence of Mapping
        GeoJSON Feature objects, already in the order wanted.

    Returns
    -------
    bytes
        UTF-8 JSON with sorted keys, compact separators, one feature per line (readable
        diffs) and a final newline; the same input always gives the same bytes.
    """
    lines = [
        json.dumps(feature, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        for feature in features
    ]
    body = ",\n".join(lines)
    text = '{"type":"FeatureCollection","features":[\n' + body + "\n]}\n"
    return text.encode("utf-8")


def ring_segments_spanning(geojson_geometry: Mapping[str, Any], limit: float) -> int:
    """Count ring segments of a GeoJSON (Multi)Polygon spanning more than ``limit`` degrees.

    Parameters
    ----------
    geojson_geometry : Mapping
        A GeoJSON ``Polygon`` or ``MultiPolygon`` geometry object.
    limit : float
        Longitude span in degrees, e.g. 180.

    Returns
    -------
    int
        Number of offending segments (0 for other geometry types).
    """
    kind = geojson_geometry.get("type")
    if kind == "Polygon":
        polygons = [geojson_geometry["coordinates"]]
    elif kind == "MultiPolygon":
        polygons = geojson_geometry["coordinates"]
    else:
        return 0
    count = 0
    for rings in polygons:
        for positions in rings:
            lon = np.asarray(positions, dtype=float)[:, 0]
            count += int(np.sum(np.abs(np.diff(lon)) > limit))
    return count


def display_geojson(
    geoms: Sequence[BaseGeometry | None] | np.ndarray,
    *,
    tolerance: float | None = None,
    decimals: int | None = None,
) -> list[str]:
    """GeoJSON geometry texts of the map's display copy of shapes, made in one pass (shapely 2).

    Each shape is simplified by ``tolerance`` (Douglas-Peucker: the copy is only drawn, so it
    need not stay valid) and its coordinates rounded to ``decimals``. A shape the
    simplification would remove (smaller than the tolerance) is kept whole, so a small
    island never vanishes from the map. The shapes themselves are not modified.

    Parameters
    ----------
    geoms : sequence of shapely geometries
        Lon/lat degrees; None or empty gives ``""``.
    tolerance, decimals : optional
        ``settings.OVERLAY_DISPLAY_TOLERANCE_DEG`` and ``settings.OVERLAY_DISPLAY_DECIMALS``
        when omitted.

    Returns
    -------
    list of str
        One text per shape, e.g. ``{"type":"Polygon","coordinates":[[[20.0,54.0],...]]}``.
    """
    tolerance = settings.OVERLAY_DISPLAY_TOLERANCE_DEG if tolerance is None else tolerance
    decimals = settings.OVERLAY_DISPLAY_DECIMALS if decimals is None else decimals
    shapes = np.asarray(geoms, dtype=object).reshape(-1)
    missing = shapely.is_missing(shapes) | shapely.is_empty(shapes)
    simplified = shapely.simplify(shapes, tolerance, preserve_topology=False)
    vanished = shapely.is_empty(simplified) & ~missing
    simplified[vanished] = shapes[vanished]
    rounded = shapely.transform(simplified, lambda coords: np.round(coords, decimals))
    texts = shapely.to_geojson(rounded)
    return ["" if gone else str(text) for gone, text in zip(missing, texts, strict=True)]
