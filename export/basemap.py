"""Country outlines for the export: read once, cut and projected once per projection.

:func:`read_boundaries` and :func:`project_outlines` are the two costly steps; the
:class:`~export.render.Renderer` caches what they return, so many images in one run read each
file once and project it once per projection. Drawing an image then only cuts the projected
shapes to its extent (:meth:`Outlines.within`) and turns them into matplotlib paths.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from matplotlib.path import Path as MplPath

from export.view import Extent, Projection

# Shapes split at the antimeridian are joined again after projecting: parts closer than this
# (metres) are snapped together first, so no seam shows across Russia or Alaska.
_SEAM_GRID_M = 1.0
# An outline is cut a little outside the image, so that its cut edge never shows.
_CUT_MARGIN = 0.02


def read_boundaries(path: str | Path) -> gpd.GeoDataFrame:
    """Read a country outline file (``data/boundaries/countries_lod*.geojson``).

    Returns
    -------
    GeoDataFrame
        ``iso_a3``, ``name``, ``role`` (``host`` or ``context``) and the outline, EPSG:4326.
    """
    return gpd.read_file(path, engine="pyogrio")


@dataclass(frozen=True)
class Outlines:
    """Projected country outlines: one row per country, arrays in the same order."""

    codes: np.ndarray  # ISO alpha-3 (object; "" where unknown)
    names: np.ndarray
    hosts: np.ndarray  # bool: role "host" in the boundary file
    geometries: np.ndarray  # shapely (Multi)Polygons in projected metres
    bounds: np.ndarray  # (n, 4): xmin, ymin, xmax, ymax

    def within(self, extent: Extent) -> Outlines:
        """The outlines that reach into ``extent``, cut a little outside it."""
        xmin, xmax, ymin, ymax = extent
        pad = max(xmax - xmin, ymax - ymin) * _CUT_MARGIN
        box = (xmin - pad, ymin - pad, xmax + pad, ymax + pad)
        b = self.bounds
        hit = (b[:, 0] <= box[2]) & (b[:, 2] >= box[0]) & (b[:, 1] <= box[3]) & (b[:, 3] >= box[1])
        cut = shapely.clip_by_rect(self.geometries[hit], *box)
        cut = shapely.orient_polygons(cut)
        keep = ~shapely.is_empty(cut)
        return Outlines(
            codes=self.codes[hit][keep],
            names=self.names[hit][keep],
            hosts=self.hosts[hit][keep],
            geometries=cut[keep],
            bounds=shapely.bounds(cut[keep]),
        )


def project_outlines(frame: gpd.GeoDataFrame, projection: Projection) -> Outlines:
    """Cut the outlines to the projection's window (longitude/latitude), then project them.

    Parameters
    ----------
    frame : GeoDataFrame
        Output of :func:`read_boundaries`. Not modified.
    projection : Projection
        The target.

    Returns
    -------
    Outlines
        Non-empty polygons, exteriors counter-clockwise (holes fill correctly).
    """
    window = projection.clip_window()
    geometries = np.asarray(frame.geometry.to_numpy(), dtype=object)
    seam = np.array(
        [g is not None and (g.bounds[0] <= -179.999 or g.bounds[2] >= 179.999) for g in geometries]
    )
    cut = shapely.intersection(geometries, window)
    cut = shapely.make_valid(cut)

    def forward(coords: np.ndarray) -> np.ndarray:
        x, y = projection.project(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    projected = shapely.transform(cut, forward)
    for index in np.flatnonzero(seam):
        parts = shapely.get_parts(projected[index])
        if len(parts) > 1:
            snapped = shapely.set_precision(parts, _SEAM_GRID_M)
            projected[index] = shapely.union_all(snapped)
    projected = shapely.make_valid(shapely.orient_polygons(projected))
    projected = np.array([_polygons_only(g) for g in projected], dtype=object)
    finite = np.array([g is not None and np.isfinite(shapely.bounds(g)).all() for g in projected])
    keep = finite & ~shapely.is_empty(projected)
    codes = frame["iso_a3"].fillna("").astype(str).to_numpy(dtype=object)
    names = frame["name"].fillna("").astype(str).to_numpy(dtype=object)
    hosts = (frame["role"] == "host").to_numpy(dtype=bool)
    kept = projected[keep]
    return Outlines(
        codes=codes[keep],
        names=names[keep],
        hosts=hosts[keep],
        geometries=kept,
        bounds=shapely.bounds(kept),
    )


def _polygons_only(geometry: object) -> object:
    # make_valid and intersection can leave stray lines or points beside the polygons.
    if geometry is None:
        return shapely.Polygon()
    parts = [p for p in shapely.get_parts(geometry) if p.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        return shapely.Polygon()
    return (
        parts[0]
        if len(parts) == 1
        else shapely.MultiPolygon([poly for part in parts for poly in shapely.get_parts(part)])
    )


def path_of(geometry: object) -> MplPath:
    """A matplotlib path of a (Multi)Polygon: every ring closed, holes kept."""
    vertices: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    for ring in shapely.get_rings(shapely.get_parts(geometry)):
        xy = shapely.get_coordinates(ring)
        if len(xy) < 4:
            continue
        code = np.full(len(xy), MplPath.LINETO, dtype=MplPath.code_type)
        code[0], code[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
        vertices.append(xy)
        codes.append(code)
    if not vertices:
        return MplPath(np.zeros((0, 2)))
    return MplPath(np.concatenate(vertices), np.concatenate(codes))
