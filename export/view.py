"""Where an image looks: the view's extent, the projection that suits it, north and scale.

A view is a box ``(west, south, east, north)`` in degrees. Europe is drawn in ETRS89-LAEA
(EPSG:3035); anything else (Greenland, the Arctic, the North Atlantic) in a Lambert azimuthal
equal-area projection centred on the view. Web Mercator is never used: it makes Greenland look
as large as Africa.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from geo import settings

Bounds = tuple[float, float, float, float]  # west, south, east, north (degrees)
Extent = tuple[float, float, float, float]  # xmin, xmax, ymin, ymax (projected metres)

# Points per side when a box is projected: its edges become curves.
_DENSIFY = 64
# EPSG codes that are Web Mercator (and its old unofficial code).
_WEB_MERCATOR = frozenset({3857, 3785, 900913, 102100})
# Projections with a centre, where the outlines are cut by latitude from it.
_AZIMUTHAL = (
    "Lambert Azimuthal Equal Area",
    "Polar Stereographic",
    "Stereographic",
    "Oblique Stereographic",
    "Azimuthal Equidistant",
    "Orthographic",
)


class ViewError(ValueError):
    """A view's bounds or projection cannot be drawn."""


def default_bounds() -> Bounds:
    """The app's default view, ``settings.DEFAULT_BOUNDS``, as (west, south, east, north)."""
    (south, west), (north, east) = settings.DEFAULT_BOUNDS
    return (west, south, east, north)


def check_bounds(bounds: Iterable[float]) -> Bounds:
    """Bounds as four finite floats with west < east and south < north, in range.

    Raises
    ------
    ViewError
        Listing what is wrong with them.
    """
    values = tuple(float(value) for value in bounds)
    if len(values) != 4 or not all(math.isfinite(value) for value in values):
        raise ViewError(f"bounds must be four numbers west,south,east,north, not {values}")
    west, south, east, north = values
    problems = []
    if not (-180 <= west < east <= 180):
        problems.append("west < east, both within [-180, 180]")
    if not (-90 <= south < north <= 90):
        problems.append("south < north, both within [-90, 90]")
    if problems:
        raise ViewError(f"bounds {values} must have " + " and ".join(problems))
    return (west, south, east, north)


def union(boxes: Iterable[Bounds]) -> Bounds | None:
    """The box around several boxes (None when there are none)."""
    listed = list(boxes)
    if not listed:
        return None
    west = min(box[0] for box in listed)
    south = min(box[1] for box in listed)
    east = max(box[2] for box in listed)
    north = max(box[3] for box in listed)
    return (west, south, east, north)


def padded(
    bounds: Bounds,
    *,
    margin: float = settings.EXPORT_VIEW_MARGIN,
    min_span: float = settings.EXPORT_MIN_SPAN_DEG,
) -> Bounds:
    """``bounds`` widened by ``margin`` of its span on each side, and to at least ``min_span``
    degrees of latitude (twice that of longitude), kept on the globe."""
    west, south, east, north = bounds
    lat_half = max(north - south, min_span) / 2 * (1 + 2 * margin)
    lon_half = max(east - west, 2 * min_span) / 2 * (1 + 2 * margin)
    lat_mid, lon_mid = (south + north) / 2, (west + east) / 2
    return (
        max(lon_mid - lon_half, -180.0),
        max(lat_mid - lat_half, -89.5),
        min(lon_mid + lon_half, 180.0),
        min(lat_mid + lat_half, 89.5),
    )


def choose_crs(bounds: Bounds) -> str:
    """The projection that suits a view: ETRS89-LAEA inside Europe, else an equal-area
    azimuthal projection centred on the view (``settings.EXPORT_LOCAL_CRS``)."""
    west, south, east, north = bounds
    e_west, e_south, e_east, e_north = settings.EXPORT_EUROPE_BBOX
    if west >= e_west and south >= e_south and east <= e_east and north <= e_north:
        return settings.EXPORT_EUROPE_CRS
    step = settings.EXPORT_CENTRE_STEP_DEG
    lat = round((south + north) / 2 / step) * step
    lon = round((west + east) / 2 / step) * step
    return settings.EXPORT_LOCAL_CRS.format(lat=f"{lat:g}", lon=f"{lon:g}")


@dataclass(frozen=True)
class Projection:
    """A projected CRS in metres with its transformers from and to longitude/latitude."""

    text: str  # as the user or choose_crs gave it: the cache key
    crs: pyproj.CRS
    forward: pyproj.Transformer = field(repr=False)
    inverse: pyproj.Transformer = field(repr=False)

    @classmethod
    def from_text(cls, text: str) -> Projection:
        """Parse and check a CRS: projected, in metres, not Web Mercator.

        Raises
        ------
        ViewError
            If pyproj cannot read it or it is not a projection this export draws in.
        """
        try:
            crs = pyproj.CRS.from_user_input(text)
        except pyproj.exceptions.CRSError as exc:
            raise ViewError(f"not a coordinate reference system pyproj knows: {text!r}") from exc
        if not crs.is_projected:
            raise ViewError(f"{text!r} is not a projected CRS: give one in metres")
        if crs.to_epsg(min_confidence=90) in _WEB_MERCATOR or "Pseudo-Mercator" in crs.name:
            raise ViewError("Web Mercator distorts areas too much for a briefing map")
        units = {axis.unit_name for axis in crs.axis_info}
        if units != {"metre"}:
            raise ViewError(f"{text!r} is not in metres ({', '.join(sorted(units))})")
        wgs84 = pyproj.CRS.from_epsg(4326)
        return cls(
            text=text,
            crs=crs,
            forward=pyproj.Transformer.from_crs(wgs84, crs, always_xy=True),
            inverse=pyproj.Transformer.from_crs(crs, wgs84, always_xy=True),
        )

    @property
    def label(self) -> str:
        """The projection in words, for the image's attribution line."""
        epsg = self.crs.to_epsg(min_confidence=90)
        if epsg is not None:
            return f"{self.crs.name} (EPSG:{epsg})"
        centre = self.centre
        operation = self.crs.coordinate_operation
        method = operation.method_name if operation is not None else self.crs.name
        if centre is not None:
            return f"{method} centred on {_degrees(*centre)}"
        return method

    @property
    def centre(self) -> tuple[float, float] | None:
        """(lat, lon) of the centre of an azimuthal projection; None for any other."""
        operation = self.crs.coordinate_operation
        if operation is None or not operation.method_name.startswith(_AZIMUTHAL):
            return None
        params = {param.name: float(param.value) for param in operation.params}
        lon = params.get("Longitude of natural origin", params.get("Longitude of origin", 0.0))
        if operation.method_name.startswith("Polar Stereographic"):
            lat = params.get(
                "Latitude of standard parallel", params.get("Latitude of natural origin", 90.0)
            )
            return (90.0 if lat >= 0 else -90.0), lon
        return params.get("Latitude of natural origin", 0.0), lon

    def project(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Projected x, y of longitude/latitude arrays."""
        x, y = self.forward.transform(np.asarray(lon, float), np.asarray(lat, float))
        return np.asarray(x, float), np.asarray(y, float)

    def unproject(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Longitude, latitude of projected arrays."""
        lon, lat = self.inverse.transform(np.asarray(x, float), np.asarray(y, float))
        return np.asarray(lon, float), np.asarray(lat, float)

    def clip_window(self) -> BaseGeometry:
        """The part of the globe (longitude/latitude) the outlines are cut to before projecting.

        For an azimuthal projection: every longitude, and latitudes up to
        ``settings.EXPORT_CLIP_LAT_DEG`` beyond the centre on its side of the equator, which
        keeps far from the antipode where the projection tears. Otherwise the CRS's area of
        use, or the whole globe.
        """
        centre = self.centre
        reach = settings.EXPORT_CLIP_LAT_DEG
        if centre is not None:
            lat0 = centre[0]
            if lat0 >= 0:
                return shapely.box(-180.0, max(lat0 - reach, -90.0), 180.0, 90.0)
            return shapely.box(-180.0, -90.0, 180.0, min(lat0 + reach, 90.0))
        area = self.crs.area_of_use
        if area is not None:
            return shapely.box(area.west, area.south, area.east, area.north)
        return shapely.box(-180.0, -90.0, 180.0, 90.0)


def _degrees(lat: float, lon: float) -> str:
    ns = "N" if lat >= 0 else "S"
    ew = "E" if lon >= 0 else "W"
    return f"{abs(lat):g}°{ns} {abs(lon):g}°{ew}"


def _box_outline(bounds: Bounds) -> tuple[np.ndarray, np.ndarray]:
    west, south, east, north = bounds
    lons = np.linspace(west, east, _DENSIFY)
    lats = np.linspace(south, north, _DENSIFY)
    lon = np.concatenate([lons, np.full(_DENSIFY, east), lons[::-1], np.full(_DENSIFY, west)])
    lat = np.concatenate([np.full(_DENSIFY, south), lats, np.full(_DENSIFY, north), lats[::-1]])
    return lon, lat


def fit_extent(bounds: Bounds, projection: Projection, *, aspect: float) -> Extent:
    """The projected extent that shows all of ``bounds``, widened to ``aspect`` (width/height).

    Raises
    ------
    ViewError
        If the box does not project (e.g. it holds the projection's antipode).
    """
    x, y = projection.project(*_box_outline(bounds))
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise ViewError(f"the view {bounds} cannot be drawn in {projection.label}")
    xmin, xmax, ymin, ymax = float(x.min()), float(x.max()), float(y.min()), float(y.max())
    return _to_aspect((xmin, xmax, ymin, ymax), aspect)


def _to_aspect(extent: Extent, aspect: float) -> Extent:
    """``extent`` grown on its short side, about its centre, to ``aspect`` (width / height)."""
    xmin, xmax, ymin, ymax = extent
    width, height = xmax - xmin, ymax - ymin
    if width / height < aspect:
        grow = (height * aspect - width) / 2
        xmin, xmax = xmin - grow, xmax + grow
    else:
        grow = (width / aspect - height) / 2
        ymin, ymax = ymin - grow, ymax + grow
    return (xmin, xmax, ymin, ymax)


def grow_extent(
    extent: Extent,
    boxes: Iterable[tuple[float, float, float, float]],
    *,
    aspect: float,
    margin: float = settings.EXPORT_GROW_MARGIN,
) -> Extent:
    """``extent`` widened to hold projected boxes (xmin, ymin, xmax, ymax), each with
    ``margin`` of the result's size around it, then back to ``aspect`` (width / height)."""
    xmin, xmax, ymin, ymax = extent
    for bx0, by0, bx1, by1 in boxes:
        pad = margin * max(xmax - xmin, ymax - ymin)
        xmin, xmax = min(xmin, bx0 - pad), max(xmax, bx1 + pad)
        ymin, ymax = min(ymin, by0 - pad), max(ymax, by1 + pad)
    return _to_aspect((xmin, xmax, ymin, ymax), aspect)


def north_angle(projection: Projection, x: float, y: float) -> float:
    """Angle of true north at a projected point, in degrees clockwise from straight up.

    Zero on an azimuthal projection's central meridian; elsewhere the meridians converge to
    the pole, so north leans towards the centre line.
    """
    lon, lat = projection.unproject(np.array([x]), np.array([y]))
    step = 0.01 if lat[0] < 89.99 else -0.01  # at the pole itself, look back from it
    x1, y1 = projection.project(lon, lat + step)
    dx, dy = float(x1[0] - x), float(y1[0] - y)
    if step < 0:
        dx, dy = -dx, -dy
    return math.degrees(math.atan2(dx, dy))


def ground_scale(projection: Projection, x: float, y: float, *, half: float = 5_000.0) -> float:
    """Metres on the ground per projected metre, left to right through a projected point.

    Measured on the ellipsoid (WGS 84), so the scale bar is right where the projection is not
    true to scale (ETRS89-LAEA far from 52°N 10°E).
    """
    lon, lat = projection.unproject(np.array([x - half, x + half]), np.array([y, y]))
    geod = pyproj.Geod(ellps="WGS84")
    _fwd, _back, distance = geod.inv(lon[0], lat[0], lon[1], lat[1])
    return float(distance) / (2 * half)


def zoom_of(metres_per_px: float, lat: float) -> float:
    """The web-map zoom level showing ``metres_per_px`` at ``lat`` (to choose labels as the
    interactive map does: ``settings.SITE_LABEL_MIN_ZOOM``)."""
    equator = 2 * math.pi * 6_378_137 / 256  # metres per pixel at zoom 0 on the equator
    return math.log2(equator * max(math.cos(math.radians(lat)), 1e-6) / metres_per_px)


def choose_lod(metres_per_px: float) -> str:
    """The coarsest outline file of ``settings.EXPORT_BOUNDARY_LODS`` whose simplification
    stays under ``settings.EXPORT_LOD_MAX_PX`` pixels of the image."""
    tolerances = {stem: tol for stem, _lo, _hi, tol in settings.BOUNDARY_LODS}
    metres_per_degree = 111_320.0
    for stem in settings.EXPORT_BOUNDARY_LODS:
        if tolerances[stem] * metres_per_degree <= metres_per_px * settings.EXPORT_LOD_MAX_PX:
            return stem
    return settings.EXPORT_BOUNDARY_LODS[-1]
