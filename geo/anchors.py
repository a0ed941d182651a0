"""Where a country's (or a sea's) name goes: inside the largest part of its outline.

The anchor is the pole of inaccessibility (shapely's ``polylabel``) of the largest polygon:
the inner point farthest from the edge, so a name centred there stays inside the shape, and
never on a far island or in a bay. The interactive map and the slides use the same anchors.

Example
-------
>>> import shapely
>>> label_anchor(shapely.box(0, 0, 10, 2), geographic=False)
(5.0, 1.0)
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import geopandas as gpd
import shapely
from shapely.geometry.base import BaseGeometry
from shapely.ops import polylabel

from geo import settings

__all__ = ["country_label_anchors", "label_anchor", "largest_part"]


def largest_part(shape: BaseGeometry) -> BaseGeometry:
    """The largest polygon of a (multi)polygon (the shape itself when it is one polygon)."""
    parts = [part for part in shapely.get_parts(shape) if part.geom_type == "Polygon"]
    if not parts:
        return shape
    return max(parts, key=lambda part: part.area)


def label_anchor(shape: BaseGeometry, *, geographic: bool = True) -> tuple[float, float]:
    """(x, y) of the point a name is centred on: the pole of inaccessibility of the largest part.

    Parameters
    ----------
    shape : shapely (Multi)Polygon
        In longitude/latitude (``geographic``) or in projected metres.
    geographic : bool
        Longitude is shrunk by the cosine of the latitude first, so that "far from the edge"
        is measured on the ground, not in degrees.

    Returns
    -------
    (float, float)
        Longitude and latitude (or projected x and y).
    """
    part = largest_part(shape)
    if part.is_empty:
        return (math.nan, math.nan)
    scale = 1.0
    if geographic:
        scale = max(math.cos(math.radians(part.centroid.y)), 0.05)
        part = shapely.transform(part, lambda xy: xy * (scale, 1.0))
    size = max(part.bounds[2] - part.bounds[0], part.bounds[3] - part.bounds[1])
    point = polylabel(part, tolerance=size * settings.LABEL_ANCHOR_TOLERANCE)
    return (float(point.x) / scale, float(point.y))


def country_label_anchors(countries: gpd.GeoDataFrame) -> Mapping[str, tuple[float, float]]:
    """Alpha-3 code -> (lon, lat) where the country's name goes, for outlines in EPSG:4326.

    Parameters
    ----------
    countries : GeoDataFrame
        Outlines with an ``iso_a3`` column (``data/boundaries``). Not modified.

    Returns
    -------
    dict
        Rows without a code are left out.
    """
    return {
        str(code): label_anchor(shape)
        for code, shape in zip(countries["iso_a3"], countries.geometry, strict=True)
        if isinstance(code, str) and shape is not None and not shape.is_empty
    }
