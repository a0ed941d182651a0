"""Leaflet path styles (as defined once in ``geo.settings``) as matplotlib arguments.

The interactive map and the export read the same style dictionaries: ``color``, ``weight``
(pixels), ``opacity``, ``fillColor``, ``fillOpacity`` and ``dashArray`` (pixels, "6 4"). Lengths
here are in *slide pixels*: pixels of the 1920 x 1080 slide, scaled with the image width, so an
A4 print is laid out like the slide.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from matplotlib import colors as mcolors

from geo import settings

# Width of the slide, the unit every layout length is given in.
_SLIDE_WIDTH_PX = settings.EXPORT_SIZES["slide"][0][0]


@dataclass(frozen=True)
class Units:
    """The lengths of one image size.

    Attributes
    ----------
    width_px, height_px : int
        Size of the image in pixels.
    dpi : int
        Dots per inch of the image (PNG), which turns points into pixels.
    """

    width_px: int
    height_px: int
    dpi: int

    @property
    def scale(self) -> float:
        """Image pixels per slide pixel."""
        return self.width_px / _SLIDE_WIDTH_PX

    @property
    def width(self) -> float:
        """Width of the image in slide pixels (always the slide's)."""
        return float(_SLIDE_WIDTH_PX)

    @property
    def height(self) -> float:
        """Height of the image in slide pixels (1080 for a slide, more for A4)."""
        return self.height_px / self.scale

    @property
    def figsize(self) -> tuple[float, float]:
        """Size of the matplotlib figure in inches."""
        return self.width_px / self.dpi, self.height_px / self.dpi

    def pt(self, slide_px: float) -> float:
        """Points (font sizes, line widths, marker sizes) for a length in slide pixels."""
        return slide_px * self.scale * 72.0 / self.dpi

    def px(self, slide_px: float) -> float:
        """Image pixels for a length in slide pixels."""
        return slide_px * self.scale


def units_for(size: str) -> Units:
    """The units of a named size of ``settings.EXPORT_SIZES``.

    Raises
    ------
    ValueError
        If the size is not one of them.
    """
    if size not in settings.EXPORT_SIZES:
        sizes = ", ".join(settings.EXPORT_SIZES)
        raise ValueError(f"size must be one of {sizes}, not {size!r}")
    (width, height), dpi = settings.EXPORT_SIZES[size]
    return Units(width_px=width, height_px=height, dpi=dpi)


def number(style: Mapping[str, object], key: str, default: float) -> float:
    """A numeric style value (``weight``, ``radius``, ``opacity``...), or ``default``."""
    value = style.get(key, default)
    return float(value) if isinstance(value, int | float) else default


def linestyle(style: Mapping[str, object], units: Units) -> Any:
    """A ``dashArray`` ("6 4", slide pixels) as a matplotlib dash pattern, or "solid".

    Dashes are in points and not scaled by the line width (``lines.scale_dashes`` is off while
    drawing), as a browser draws them.
    """
    dash = style.get("dashArray")
    if not dash:
        return "solid"
    lengths = [float(part) for part in str(dash).replace(",", " ").split()]
    if not lengths or not all(length > 0 for length in lengths):
        return "solid"
    if len(lengths) % 2:
        lengths = lengths * 2  # SVG repeats an odd list
    return (0, tuple(units.pt(length) for length in lengths))


def stroke(
    style: Mapping[str, object], units: Units, *, color: str | None = None
) -> dict[str, Any]:
    """Keyword arguments for a line (``Line2D``) drawn in a Leaflet path style."""
    return {
        "color": mcolors.to_rgba(
            str(color or style.get("color", "#333333")), number(style, "opacity", 1.0)
        ),
        "linewidth": units.pt(number(style, "weight", 1.0)),
        "linestyle": linestyle(style, units),
    }


def area(style: Mapping[str, object], units: Units) -> dict[str, Any]:
    """Keyword arguments for a filled shape (patch or collection) in a Leaflet path style."""
    fill = style.get("fillColor", style.get("color", "#999999"))
    return {
        "facecolor": mcolors.to_rgba(str(fill), number(style, "fillOpacity", 0.2)),
        "edgecolor": mcolors.to_rgba(
            str(style.get("color", "#333333")), number(style, "opacity", 1.0)
        ),
        "linewidth": units.pt(number(style, "weight", 1.0)),
        "linestyle": linestyle(style, units),
    }


def circle(style: Mapping[str, object], units: Units) -> dict[str, Any]:
    """Keyword arguments for a circle marker (Leaflet ``circleMarker``: fill opacity 1)."""
    out = area({"fillOpacity": 1.0, **style}, units)
    return out


def text_kwargs(
    size_pt: float, *, weight: str = "normal", color: Any = settings.EXPORT_TEXT_COLOR
) -> dict[str, Any]:
    """Keyword arguments every text gets: literal (no mathtext, no TeX), the export's font."""
    return {
        "fontsize": size_pt,
        "fontweight": weight,
        "color": color,
        "fontfamily": settings.EXPORT_FONT,
        "parse_math": False,
        "usetex": False,
    }
