"""NATO APP-6 unit symbols as SVG, the alternative marker style of the deployments layer.

Every deployment is allied, so every symbol is *friendly* (blue frame). The row's domain picks
the symbol and its status picks the frame. The SIDC is an APP-6(D) 20-digit number SIDC:
``milsymbol`` 0.2.0 finds a letter SIDC only with its status position blank (``-``), and
draws echelon, HQ and task force marks from number SIDCs alone.

====================  ========================================  ========  ====================
domain                what the rows are                         echelon   SIDC (present)
====================  ========================================  ========  ====================
``air``               Baltic / Iceland Air Policing, F-16s:     –         10030100001101040000
                      air, military fixed wing, fighter ("F")
``land``              multinational battlegroup:                battalion 10031000161210000000
                      land unit, combined arms
``sea``               Standing NATO Maritime (MCM) Groups:      –         10033000001210030000
                      sea surface, navy task group ("TG")
``joint``             reconnaissance team in Greenland:         team      10031000111213000000
                      land unit, reconnaissance
anything else         generic friendly land unit (empty frame)  –         10031000000000000000
====================  ========================================  ========  ====================

The SIDC digits: ``10`` APP-6(D), ``0`` reality, ``3`` friend, two digits symbol set, one digit
status, ``0`` no HQ / task force / dummy, two digits echelon, six digits entity, ``0000`` no
icon modifiers. Air (set 01) and sea surface (set 30) symbols have no echelon in APP-6.

====================  ==================================  ==============================
status                APP-6 status                        drawn as
====================  ==================================  ==============================
``active``            0 present                           solid frame
``ended``             0 present                           solid frame
``announced``         1 planned / anticipated             dashed frame
``declined``          1 planned / anticipated             dashed frame (the map draws
                                                          none, but a symbol is returned)
anything else         –                                   generic friendly unit, present
====================  ==================================  ==============================

``mission`` and ``assets`` are taken so that a finer mapping would not change the callers; today
the domain alone decides, which keeps the legend to the symbols in the table.

What this module does on top of ``milsymbol``:

- The dashed frame. ``milsymbol`` 0.2.0 looks symbols up in data extracted with status 0 only,
  so a planned SIDC is drawn with a solid frame. Here the frame is overdrawn the way
  milsymbol.js does it: the same outline in white, one unit wider, dashed ``8,12``.
- The label. It goes into the *additional information* text field (APP-6 field H), the one
  ``milsymbol`` draws for land, air and sea alike (it draws *country* only for activities and
  equipment). It is user data: control characters are dropped, whitespace collapsed and the
  text cut to :data:`MAX_LABEL_CHARS`.
- Safety. The SVG is parsed and written out again from an allow-list of SVG elements and
  presentation attributes (no script, foreignObject, event handler, href or style; ``url()``
  only to ``#id``), every text and attribute value escaped once by :func:`layers.base.safe_text`
  (also for the backticks and ``${`` that matter inside JavaScript template strings).
- Centring. The SVG's box is the symbol's (frame and echelon mark) without the label, widened
  so that the frame's centre is the SVG's centre: the map centres each SVG on its site. The
  label lies to the right, outside that box, and shows through ``overflow="visible"``, so it
  neither moves the symbol off its place nor widens the marker.
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from milsymbol import Symbol

from layers.base import safe_text

# Longest label shown; longer ones are cut with an ellipsis (the SVG grows with the text).
MAX_LABEL_CHARS = 40
# Symbol size used in the legend (milsymbol size: 100 = a 150 unit wide land frame at 1 px/unit).
LEGEND_SIZE = 24
# Smallest and largest size accepted; others are clamped, so a bad size never breaks the SVG.
SIZE_RANGE = (8, 400)
# Frame stroke width in symbol units (milsymbol's default).
STROKE_WIDTH = 4
# How milsymbol.js marks a planned / anticipated frame: white dashes over the solid frame.
PLANNED_DASHARRAY = "8,12"
PLANNED_DASH_COLOR = "white"
# Fill of a friendly frame in milsymbol's default (light) colour mode: identifies the frame.
FRIEND_FILL = "rgb(128,224,255)"


@dataclass(frozen=True)
class _App6:
    """One symbol of the table: where it comes from in APP-6(D) and how the legend names it."""

    label: str
    symbol_set: str
    entity: str
    echelon: str = "00"


_DOMAINS: dict[str, _App6] = {
    "air": _App6("Air policing: fixed-wing fighter", "01", "110104"),
    "land": _App6("Multinational battlegroup: combined arms battalion", "10", "121000", "16"),
    "sea": _App6("Standing maritime group: navy task group", "30", "121003"),
    "joint": _App6("Joint reconnaissance team", "10", "121300", "11"),
}
_GENERIC = _App6("Friendly unit", "10", "000000")

_PRESENT, _PLANNED = "0", "1"
_STATUSES: dict[str, str] = {
    "active": _PRESENT,
    "ended": _PRESENT,
    "announced": _PLANNED,
    "declined": _PLANNED,
}

_SVG_NS = "http://www.w3.org/2000/svg"
# What milsymbol draws with, and nothing that can run code, load a resource or hold HTML.
_ELEMENTS = frozenset(
    {"svg", "g", "path", "circle", "ellipse", "rect", "line", "polyline", "polygon"}
    | {"text", "tspan", "clipPath"}
)
_TEXT_ELEMENTS = frozenset({"text", "tspan"})
_ATTRIBUTES = frozenset(
    {"version", "baseProfile", "width", "height", "viewBox", "id", "transform", "d"}
    | {"cx", "cy", "r", "rx", "ry", "x", "y", "x1", "y1", "x2", "y2", "points"}
    | {"fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-dasharray"}
    | {"stroke-linecap", "stroke-linejoin", "stroke-opacity", "opacity"}
    | {"clip-path", "clip-rule", "text-anchor", "font-size", "font-family", "font-weight"}
    | {"dominant-baseline", "overflow"}
)
_LOCAL_URL = re.compile(r"url\(\s*#[A-Za-z_][\w.:-]*\s*\)")
_UNSAFE_VALUE = re.compile(r"url\(|javascript:|data:|expression\(", re.IGNORECASE)
# Characters XML 1.0 does not allow; a label holding one would make the SVG unparsable.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# milsymbol's anchor (the frame's centre) in symbol units, for symbols without an HQ staff.
_ANCHOR = 100.0


def _symbol(domain: str, status: str) -> tuple[_App6, str]:
    known_domain = _DOMAINS.get(str(domain).strip().lower())
    status_digit = _STATUSES.get(str(status).strip().lower())
    if status_digit is None:
        return _GENERIC, _PRESENT
    if known_domain is None:
        return _GENERIC, status_digit
    return known_domain, status_digit


def app6_sidc(*, domain: str, status: str, mission: str = "", assets: str = "") -> str:
    """The APP-6(D) number SIDC of a deployment row (see the module's table).

    Parameters
    ----------
    domain : str
        ``air``, ``land``, ``sea`` or ``joint`` (any case); anything else gives the generic
        friendly unit.
    status : str
        ``active``, ``ended`` (present), ``announced`` or ``declined`` (planned); anything
        else gives the generic friendly unit, present.
    mission, assets : str
        The row's context; not used by the current mapping.

    Returns
    -------
    str
        20 digits, always one that ``milsymbol`` can draw. Never raises for unknown text.
    """
    symbol, status_digit = _symbol(domain, status)
    return f"1003{symbol.symbol_set}{status_digit}0{symbol.echelon}{symbol.entity}0000"


def _clean_label(label: str) -> str:
    text = " ".join(_NOT_XML.sub("", str(label)).split())
    if len(text) > MAX_LABEL_CHARS:
        text = text[: MAX_LABEL_CHARS - 1].rstrip() + "…"
    return text


def app6_svg(
    *,
    domain: str,
    status: str,
    mission: str = "",
    assets: str = "",
    size: int = 36,
    label: str = "",
) -> str:
    """The APP-6 symbol of a deployment row as a small SVG that is safe to inline into HTML.

    Parameters
    ----------
    domain, status, mission, assets : str
        As for :func:`app6_sidc`.
    size : int
        milsymbol's size: 100 draws a land frame 150 px wide. Clamped to :data:`SIZE_RANGE`.
    label : str
        Plain text shown beside the frame (APP-6 field H, additional information), e.g. the
        nations' alpha-3 codes. Escaped: it can only ever be text.

    Returns
    -------
    str
        One ``<svg>`` element, the frame's centre at its centre, the label drawn to the right of
        its box (``overflow="visible"``); about 0.5 kB, 0.7 kB with a label.
    """
    sidc = app6_sidc(domain=domain, status=status, mission=mission, assets=assets)
    low, high = SIZE_RANGE
    return _render(sidc, min(max(int(size), low), high), _clean_label(label))


@functools.lru_cache(maxsize=256)
def _render(sidc: str, size: int, label: str) -> str:
    # The map draws the same few symbols again and again: keyed by plain values only.
    if not Symbol(sidc).is_valid():  # not for the SIDCs of the table: they are all tested
        sidc = app6_sidc(domain="", status="active")
    options = {"size": size, "stroke_width": STROKE_WIDTH}
    root = _parse(Symbol(sidc, **options, additional_information=label).as_svg())
    if sidc[6] == _PLANNED:
        _dash_frame(root)
    # The box of the symbol without its label, centred on the anchor; the label hangs out.
    bare = ET.fromstring(Symbol(sidc, **options).as_svg())  # noqa: S314 -- as in _parse
    _centre(root, view_box=bare.get("viewBox", ""), size=size)
    return _serialise(root, root=True)


def _parse(svg: str) -> ET.Element:
    if "<!" in svg or "<?" in svg:
        # No DTD, comment, CDATA or processing instruction: nothing for the parser to expand.
        raise ValueError("milsymbol returned SVG with markup declarations")
    root = ET.fromstring(svg)  # noqa: S314 -- our renderer's output, no DTD (checked above)
    if root.tag != f"{{{_SVG_NS}}}svg":
        raise ValueError(f"milsymbol returned {root.tag!r}, not an SVG")
    return _clean(root)


def _local(tag: str) -> str | None:
    prefix = f"{{{_SVG_NS}}}"
    return tag[len(prefix) :] if tag.startswith(prefix) else None


def _clean(element: ET.Element) -> ET.Element:
    """Keep only allowed SVG elements and attributes, in place; return the element."""
    for name, value in list(element.attrib.items()):
        if name not in _ATTRIBUTES or (
            _UNSAFE_VALUE.search(value) and not _LOCAL_URL.fullmatch(value.strip())
        ):
            del element.attrib[name]
    is_text = _local(element.tag) in _TEXT_ELEMENTS
    if not is_text:
        element.text = None
    for child in list(element):
        if _local(child.tag) not in _ELEMENTS:
            element.remove(child)
            continue
        if not is_text:
            child.tail = None
        _clean(child)
    return element


def _dash_frame(root: ET.Element) -> None:
    """Overdraw the frame (the first shape, friendly fill) with white dashes: planned status."""
    if not len(root) or root[0].get("fill") != FRIEND_FILL:
        return
    frame = root[0]
    dashes = ET.Element(frame.tag)
    for name in ("d", "cx", "cy", "r"):
        if name in frame.attrib:
            dashes.set(name, frame.attrib[name])
    dashes.set("fill", "none")
    dashes.set("stroke", PLANNED_DASH_COLOR)
    dashes.set("stroke-width", _number(STROKE_WIDTH + 1))
    dashes.set("stroke-dasharray", PLANNED_DASHARRAY)
    root.insert(1, dashes)


def _centre(root: ET.Element, *, view_box: str, size: int) -> None:
    """Give ``root`` the ``view_box`` widened so that milsymbol's anchor is at its centre.

    What lies outside (the label) stays visible through ``overflow="visible"``.
    """
    try:
        x, y, width, height = (float(part) for part in view_box.split())
    except ValueError:
        return
    half_width = max(_ANCHOR - x, x + width - _ANCHOR)
    half_height = max(_ANCHOR - y, y + height - _ANCHOR)
    box = (_ANCHOR - half_width, _ANCHOR - half_height, 2 * half_width, 2 * half_height)
    root.set("viewBox", " ".join(_number(value) for value in box))
    root.set("width", _number(box[2] * size / 100))
    root.set("height", _number(box[3] * size / 100))
    root.set("overflow", "visible")


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _serialise(element: ET.Element, *, root: bool = False) -> str:
    # Written here rather than by ElementTree: no namespace prefixes, and one escaping of
    # every value that also covers what JavaScript template strings would evaluate.
    name = _local(element.tag) or "g"
    attributes = f' xmlns="{_SVG_NS}"' if root else ""
    attributes += "".join(f' {key}="{safe_text(value)}"' for key, value in element.attrib.items())
    inner = safe_text(element.text) if element.text else ""
    inner += "".join(
        _serialise(child) + (safe_text(child.tail) if child.tail else "") for child in element
    )
    return f"<{name}{attributes}>{inner}</{name}>" if inner else f"<{name}{attributes}/>"


@functools.lru_cache(maxsize=1)
def _legend() -> tuple[tuple[str, str], ...]:
    entries = []
    for domain, symbol in _DOMAINS.items():
        for status, suffix in (("active", ""), ("announced", " – announced (dashed frame)")):
            svg = app6_svg(domain=domain, status=status, size=LEGEND_SIZE)
            entries.append((symbol.label + suffix, svg))
    return tuple(entries)


def app6_legend() -> list[tuple[str, str]]:
    """One legend entry per symbol the map can draw: each domain, present and planned.

    The generic unit is left out: the deployment table only admits the four domains and four
    statuses, and declined rows (planned) are not drawn but look like announced ones.

    Returns
    -------
    list of (str, str)
        Plain-text label (to be escaped by whoever shows it) and the SVG, in table order.
    """
    return list(_legend())
