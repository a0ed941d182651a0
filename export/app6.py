"""NATO APP-6 symbols in the export: the SVG of :mod:`layers.symbols`, drawn by matplotlib.

No SVG rasteriser is needed (no browser, no cairo): the symbols are small SVG documents of
paths, circles and texts (``layers.symbols`` allows nothing else through its allow-list), which
this module turns into matplotlib patches and texts at the marker's place. The browser centres
each SVG on its site and so does this (the SVG's centre is the frame's centre).

Supported: ``path`` (M L H V C S Q T Z, absolute and relative; an arc ``A`` is drawn as a
straight line to its end point), ``circle``, ``ellipse``, ``rect``, ``line``, ``polyline``,
``polygon``, ``text`` / ``tspan`` and ``g`` with ``translate`` / ``scale`` / ``matrix``
transforms and inherited presentation attributes. ``clipPath`` is ignored.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from matplotlib import colors as mcolors
from matplotlib.axes import Axes
from matplotlib.patches import PathPatch
from matplotlib.path import Path as MplPath

from export.labels import Box
from export.style import Units, text_kwargs


class Sheet(Protocol):
    """What a symbol needs of the figure it is drawn on (``export.draw.Sheet`` is one).

    A protocol, so this module sits below ``draw`` and never imports it.
    """

    units: Units
    ax: Axes

    def measure(self, text: str, size_px: float, *, weight: str = ...) -> tuple[float, float]:
        """Width and height in display pixels of a text."""


_NS = "{http://www.w3.org/2000/svg}"
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_TOKEN = re.compile(r"[MmLlHhVvCcSsQqTtAaZz]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_INHERITED = (
    "fill",
    "fill-opacity",
    "stroke",
    "stroke-width",
    "stroke-dasharray",
    "stroke-opacity",
    "opacity",
    "font-size",
    "font-weight",
    "text-anchor",
    "dominant-baseline",
)
_DEFAULTS = {"fill": "black", "stroke": "none", "stroke-width": "1", "font-size": "16"}
_Z = 5.0  # as a deployment marker (export.draw)
_MOVETO, _LINETO, _CLOSE = int(MplPath.MOVETO), int(MplPath.LINETO), int(MplPath.CLOSEPOLY)
_CURVE3, _CURVE4 = int(MplPath.CURVE3), int(MplPath.CURVE4)


@dataclass(frozen=True)
class _Shape:
    path: np.ndarray  # (n, 2) vertices in SVG user units
    codes: np.ndarray
    style: dict[str, str]


@dataclass(frozen=True)
class _Text:
    x: float
    y: float
    text: str
    style: dict[str, str]


def _parse(svg: str) -> ET.Element:
    # The text is made by layers.symbols, which writes it from its own allow-list (no DTD,
    # no entities), so the standard parser is safe here.
    return ET.fromstring(svg)  # noqa: S314


def _numbers(text: str | None) -> list[float]:
    return [float(value) for value in _NUMBER.findall(text or "")]


def _matrix(transform: str | None) -> np.ndarray:
    out = np.eye(3)
    for name, args in re.findall(r"(\w+)\s*\(([^)]*)\)", transform or ""):
        values = _numbers(args)
        step = np.eye(3)
        if name == "translate" and values:
            step[0, 2] = values[0]
            step[1, 2] = values[1] if len(values) > 1 else 0.0
        elif name == "scale" and values:
            step[0, 0] = values[0]
            step[1, 1] = values[1] if len(values) > 1 else values[0]
        elif name == "matrix" and len(values) == 6:
            a, b, c, d, e, f = values
            step = np.array([[a, c, e], [b, d, f], [0, 0, 1]])
        elif name == "rotate" and values:
            t = math.radians(values[0])
            step = np.array(
                [[math.cos(t), -math.sin(t), 0], [math.sin(t), math.cos(t), 0], [0, 0, 1]]
            )
        out = out @ step
    return out


def _path(d: str) -> tuple[np.ndarray, np.ndarray]:
    """Vertices and matplotlib codes of an SVG path's ``d``."""
    tokens = _TOKEN.findall(d)
    vertices: list[tuple[float, float]] = []
    codes: list[int] = []
    x = y = start_x = start_y = 0.0
    last_ctrl: tuple[float, float] | None = None
    command = ""
    i = 0

    def take(n: int) -> list[float]:
        nonlocal i
        values = [float(v) for v in tokens[i : i + n]]
        i += n
        return values

    while i < len(tokens):
        if tokens[i].isalpha():
            command = tokens[i]
            i += 1
            if command in "Zz":
                if vertices:
                    vertices.append((start_x, start_y))
                    codes.append(_CLOSE)
                x, y = start_x, start_y
                last_ctrl = None
                continue
        elif not command:
            break
        relative = command.islower()
        kind = command.upper()
        ox, oy = (x, y) if relative else (0.0, 0.0)
        sizes = {"M": 2, "L": 2, "H": 1, "V": 1, "C": 6, "S": 4, "Q": 4, "T": 2, "A": 7}
        if kind not in sizes or i + sizes[kind] > len(tokens):
            break
        values = take(sizes[kind])
        if kind == "M":
            x, y = ox + values[0], oy + values[1]
            start_x, start_y = x, y
            vertices.append((x, y))
            codes.append(_MOVETO)
            command = "l" if relative else "L"  # further pairs are lines
            last_ctrl = None
        elif kind in ("L", "H", "V", "T", "A"):
            if kind == "H":
                x = ox + values[0] if relative else values[0]
            elif kind == "V":
                y = oy + values[0] if relative else values[0]
            elif kind == "A":
                x, y = ox + values[5], oy + values[6]
            else:
                x, y = ox + values[0], oy + values[1]
            vertices.append((x, y))
            codes.append(_LINETO)
            last_ctrl = None
        elif kind in ("C", "S"):
            if kind == "C":
                c1 = (ox + values[0], oy + values[1])
                c2 = (ox + values[2], oy + values[3])
                end = (ox + values[4], oy + values[5])
            else:
                c1 = (2 * x - last_ctrl[0], 2 * y - last_ctrl[1]) if last_ctrl else (x, y)
                c2 = (ox + values[0], oy + values[1])
                end = (ox + values[2], oy + values[3])
            vertices += [c1, c2, end]
            codes += [_CURVE4] * 3
            last_ctrl = c2
            x, y = end
        elif kind == "Q":
            c1 = (ox + values[0], oy + values[1])
            end = (ox + values[2], oy + values[3])
            vertices += [c1, end]
            codes += [_CURVE3] * 2
            last_ctrl = c1
            x, y = end
    if not vertices:
        return np.zeros((0, 2)), np.zeros(0, dtype=MplPath.code_type)
    return np.array(vertices, dtype=float), np.array(codes, dtype=MplPath.code_type)


def _circle(cx: float, cy: float, rx: float, ry: float) -> tuple[np.ndarray, np.ndarray]:
    unit = MplPath.unit_circle()
    vertices = np.asarray(unit.vertices, dtype=float) * np.array([rx, ry]) + np.array([cx, cy])
    return vertices, np.asarray(unit.codes, dtype=MplPath.code_type)


def _poly(points: list[float], *, closed: bool) -> tuple[np.ndarray, np.ndarray]:
    xy = np.array(points[: len(points) // 2 * 2], dtype=float).reshape(-1, 2)
    if closed and len(xy):
        xy = np.vstack([xy, xy[:1]])
    codes = np.full(len(xy), MplPath.LINETO, dtype=MplPath.code_type)
    if len(codes):
        codes[0] = MplPath.MOVETO
        if closed:
            codes[-1] = MplPath.CLOSEPOLY
    return xy, codes


def _walk(node: ET.Element, matrix: np.ndarray, style: dict[str, str]) -> Iterator[_Shape | _Text]:
    tag = node.tag.replace(_NS, "")
    if tag == "clipPath":
        return
    style = {**style, **{k: v for k, v in node.attrib.items() if k in _INHERITED}}
    matrix = matrix @ _matrix(node.get("transform"))
    a = node.attrib
    shape: tuple[np.ndarray, np.ndarray] | None = None
    if tag == "path":
        shape = _path(a.get("d", ""))
    elif tag == "circle":
        r = float(a.get("r", 0))
        shape = _circle(float(a.get("cx", 0)), float(a.get("cy", 0)), r, r)
    elif tag == "ellipse":
        shape = _circle(
            float(a.get("cx", 0)),
            float(a.get("cy", 0)),
            float(a.get("rx", 0)),
            float(a.get("ry", 0)),
        )
    elif tag == "rect":
        x, y = float(a.get("x", 0)), float(a.get("y", 0))
        w, h = float(a.get("width", 0)), float(a.get("height", 0))
        shape = _poly([x, y, x + w, y, x + w, y + h, x, y + h], closed=True)
    elif tag == "line":
        shape = _poly([float(a.get(k, 0)) for k in ("x1", "y1", "x2", "y2")], closed=False)
    elif tag in ("polyline", "polygon"):
        shape = _poly(_numbers(a.get("points")), closed=tag == "polygon")
    elif tag in ("text", "tspan"):
        text = "".join(node.itertext()) if tag == "text" else (node.text or "")
        if text.strip():
            x, y = float(a.get("x", 0)), float(a.get("y", 0))
            px, py, _ = matrix @ np.array([x, y, 1.0])
            yield _Text(float(px), float(py), text, style)
        return
    if shape is not None and len(shape[0]):
        vertices = (matrix @ np.column_stack([shape[0], np.ones(len(shape[0]))]).T).T[:, :2]
        yield _Shape(vertices, shape[1], style)
        return
    for child in node:
        yield from _walk(child, matrix, style)


def _colour(value: str | None, opacity: float) -> Any:
    if value is None or value.strip() in ("", "none", "transparent"):
        return "none"
    text = value.strip()
    match = re.fullmatch(r"rgba?\(([^)]*)\)", text)
    if match:
        parts = _numbers(match.group(1))
        if len(parts) >= 3:
            alpha = parts[3] if len(parts) > 3 else 1.0
            return (parts[0] / 255, parts[1] / 255, parts[2] / 255, alpha * opacity)
    try:
        return mcolors.to_rgba(text, opacity)
    except ValueError:
        return "none"


@dataclass(frozen=True)
class _Symbol:
    view: tuple[float, float, float, float]  # viewBox x, y, width, height
    width_px: float  # CSS pixels of the SVG's width
    items: tuple[_Shape | _Text, ...]


def _symbol(svg: str) -> _Symbol:
    root = _parse(svg)
    view = _numbers(root.get("viewBox"))
    width = _numbers(root.get("width"))
    if len(view) != 4 or not width or view[2] <= 0:
        raise ValueError("an APP-6 SVG needs a viewBox and a width")
    items = tuple(_walk(root, np.eye(3), dict(_DEFAULTS)))
    return _Symbol((view[0], view[1], view[2], view[3]), width[0], items)


def _scale(sheet: Sheet, symbol: _Symbol) -> float:
    # Display pixels per SVG unit: the SVG's CSS width, in image pixels.
    return sheet.units.px(symbol.width_px) / symbol.view[2]


def _text_box(sheet: Sheet, item: _Text, k: float, centre: tuple[float, float]) -> Box:
    size = float(_numbers(item.style.get("font-size"))[0]) * k / sheet.units.scale
    weight = "bold" if item.style.get("font-weight") == "bold" else "normal"
    width, height = sheet.measure(item.text, size, weight=weight)
    x = (item.x - centre[0]) * k
    y = -(item.y - centre[1]) * k
    anchor = item.style.get("text-anchor", "start")
    x0 = x - width / 2 if anchor == "middle" else x - width if anchor == "end" else x
    y0 = y - height / 2 if item.style.get("dominant-baseline") == "middle" else y - height * 0.2
    return (x0, y0, x0 + width, y0 + height)


def box(sheet: Sheet, svg: str) -> Box:
    """The box of the symbol and its texts, in display pixels around its centre."""
    symbol = _symbol(svg)
    k = _scale(sheet, symbol)
    vx, vy, vw, vh = symbol.view
    centre = (vx + vw / 2, vy + vh / 2)
    boxes = [(-vw / 2 * k, -vh / 2 * k, vw / 2 * k, vh / 2 * k)]
    boxes += [_text_box(sheet, item, k, centre) for item in symbol.items if isinstance(item, _Text)]
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def draw(sheet: Sheet, svg: str, cx: float, cy: float) -> None:
    """Draw the symbol on the map, centred on the display point (cx, cy)."""
    symbol = _symbol(svg)
    k = _scale(sheet, symbol)
    vx, vy, vw, vh = symbol.view
    centre = (vx + vw / 2, vy + vh / 2)
    inverse = sheet.ax.transData.inverted()

    def place(points: np.ndarray) -> np.ndarray:
        dx = cx + (points[:, 0] - centre[0]) * k
        dy = cy - (points[:, 1] - centre[1]) * k
        return np.asarray(inverse.transform(np.column_stack([dx, dy])))

    _draw_items(sheet.ax, symbol, place, k, sheet.units, clip=True)


def draw_swatch(ax: Axes, units: Units, svg: str, x: float, y: float, *, height: float) -> None:
    """Draw the symbol in a legend axes (slide pixels, y down), ``height`` slide pixels tall,
    its left edge at ``x`` and its centre at height ``y``."""
    symbol = _symbol(svg)
    vx, vy, _vw, vh = symbol.view
    k = height / vh

    def place(points: np.ndarray) -> np.ndarray:
        return np.column_stack([x + (points[:, 0] - vx) * k, y + (points[:, 1] - vy - vh / 2) * k])

    _draw_items(ax, symbol, place, units.px(k), units, clip=False)


def _draw_items(
    ax: Axes,
    symbol: _Symbol,
    place: Callable[[np.ndarray], np.ndarray],
    k: float,
    units: Units,
    *,
    clip: bool,
) -> None:
    # k: display pixels per SVG unit, for line widths, dashes and font sizes.
    points_per_unit = k * 72 / units.dpi
    for order, item in enumerate(symbol.items):
        style = item.style
        opacity = float(style.get("opacity", 1))
        if isinstance(item, _Shape):
            fill = _colour(style.get("fill"), float(style.get("fill-opacity", 1)) * opacity)
            edge = _colour(style.get("stroke"), float(style.get("stroke-opacity", 1)) * opacity)
            width = float(_numbers(style.get("stroke-width"))[0]) * points_per_unit
            dashes = _numbers(style.get("stroke-dasharray"))
            linestyle: Any = (0, tuple(d * points_per_unit for d in dashes)) if dashes else "solid"
            patch = PathPatch(
                MplPath(place(item.path), item.codes),
                facecolor=fill,
                edgecolor=edge,
                linewidth=width if edge != "none" else 0,
                linestyle=linestyle,
                zorder=_Z + order * 0.001,
            )
            if clip:
                patch.set_clip_path(ax.patch)
            ax.add_artist(patch)
        else:
            ((x, y),) = place(np.array([[item.x, item.y]]))
            size = float(_numbers(style.get("font-size"))[0]) * points_per_unit
            anchor = {"middle": "center", "end": "right"}.get(style.get("text-anchor", ""), "left")
            middle = style.get("dominant-baseline") == "middle"
            colour = _colour(style.get("fill"), opacity)
            text = ax.text(
                x,
                y,
                item.text,
                ha=anchor,
                va="center" if middle else "baseline",
                zorder=_Z + order * 0.001,
                clip_on=clip,
                **text_kwargs(
                    size,
                    weight="bold" if style.get("font-weight") == "bold" else "normal",
                    color=colour if colour != "none" else "#000000",
                ),
            )
            if clip:
                text.set_clip_path(ax.patch)


def legend_entries(keys: set[tuple[str, str]]) -> list[tuple[str, str]]:
    """(label, svg) of the interactive map's APP-6 legend for the symbols drawn.

    ``keys`` are (domain, look) pairs, look "active" (solid frame) or "announced" (dashed).
    """
    from layers import symbols

    entries = dict((svg, label) for label, svg in symbols.app6_legend())
    out = []
    for domain, look in sorted(keys):
        svg = symbols.app6_svg(domain=domain, status=look, size=symbols.LEGEND_SIZE)
        out.append((entries.get(svg, f"{domain} ({look})"), svg))
    return out
