"""One image: the page furniture (banner, title, legend panel, attribution) and the map layers.

:class:`Sheet` lays out a matplotlib figure (no pyplot, no browser) and draws the layers in the
order of ``layers.REGISTRY``: countries, sea areas, contribution lines, sites, deployments,
events, then the labels (placed so that they do not overlap), the scale bar and the north
arrow. Every style comes from ``geo.settings``; every text is drawn literally (no mathtext).

Lengths given to this module are in slide pixels (:class:`export.style.Units`); collision
tests work in display pixels of the figure; shapes on the map are drawn in projected metres,
which keeps them in place in every backend (PNG at its dpi, SVG and PDF at 72 dpi).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
import shapely.prepared
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, FancyBboxPatch, Polygon, Rectangle
from matplotlib.text import Text
from matplotlib_scalebar.scalebar import ScaleBar

from export import basemap, labels
from export.labels import Box, Candidate
from export.style import Units, area, circle, linestyle, number, stroke, text_kwargs
from export.view import Extent, Projection, ground_scale, north_angle
from geo import anchors, settings

# Drawing order of the map's parts (matplotlib zorder).
_Z = {
    "context": 1.0,
    "contributor": 1.1,
    "host": 1.2,
    "sea_area": 2.0,
    "overlay": 2.5,
    "curve": 3.0,
    "site": 4.0,
    "leader": 4.5,
    "deployment": 5.0,
    "badge": 5.2,
    "selected": 5.4,
    "event": 6.0,
    "label": 7.0,
    "furniture": 9.0,
}
_TEXT = settings.EXPORT_TEXT_COLOR
_MUTED = settings.EXPORT_MUTED_COLOR
_HALO = "#ffffff"


@dataclass(frozen=True)
class Frame:
    """Where the parts of the page go, in slide pixels from the top left."""

    banner: float  # height of each banner band (0: none)
    header_top: float
    map_box: tuple[float, float, float, float]  # left, top, right, bottom
    panel_box: tuple[float, float, float, float]
    footer_top: float


@dataclass
class Drawn:
    """What the map shows, for the legend (only entries for what is drawn)."""

    roles: set[str] = field(default_factory=set)
    seas: set[str] = field(default_factory=set)
    site_kinds: set[str] = field(default_factory=set)
    deployments: bool = False
    badge_statuses: set[str] = field(default_factory=set)
    nations: set[str] = field(default_factory=set)
    curve_statuses: set[str] = field(default_factory=set)
    events: bool = False
    selected: bool = False
    leaders: bool = False
    quiet_sites: bool = False
    figures: bool = False  # a marker shows its personnel as a number
    exact_events: bool = False  # an event drawn on its recorded position
    edge_badges: bool = False  # a nation out of view: its badge where its line leaves the map
    app6: set[tuple[str, str]] = field(default_factory=set)  # (domain, look)
    overlays: bool = False


@dataclass(frozen=True)
class Marker:
    """One deployment marker: a site, its nations (code, colour, status) and its size."""

    site: str
    name: str
    kind: str
    x: float  # projected metres
    y: float
    diameter: float  # slide pixels
    figure: str  # personnel where stated, else ""
    badges: tuple[tuple[str, str, str], ...]  # (code, colour, status)
    selected: bool
    app6_svg: str | None = None
    app6_key: tuple[str, str] | None = None  # (domain, look) for the legend
    area: Any = None  # projected polygon a marker must stay in when it moves (a sea area)


@dataclass(frozen=True)
class Curve:
    """A contribution line: projected points, the nation's colour and the row status."""

    x: np.ndarray
    y: np.ndarray
    color: str
    status: str
    code: str = ""  # the contributing nation


@dataclass(frozen=True)
class PlainSite:
    """A site drawn as a circle marker (its kind's style)."""

    site: str
    name: str
    kind: str
    x: float
    y: float
    quiet: bool = False  # not part of the view's story: drawn as quiet context


@dataclass(frozen=True)
class SeaArea:
    """A sea-area polygon (projected) and whether a naval deployment is in view there."""

    site: str
    name: str
    geometry: Any
    active: bool
    label_x: float
    label_y: float


@dataclass(frozen=True)
class EventMark:
    """An event beside its site: the site, its position among the site's events, a label."""

    site: str
    x: float
    y: float
    position: int
    label: str
    index: object = None  # the event's row in the events frame
    exact: bool = False  # drawn on its recorded position (a place at sea), not beside a site


class Sheet:
    """A figure being drawn: created with its layout, then filled layer by layer."""

    def __init__(self, units: Units) -> None:
        self.units = units
        self.figure = Figure(figsize=units.figsize, dpi=units.dpi, facecolor="#ffffff")
        self.canvas = FigureCanvasAgg(self.figure)
        self.renderer: RendererBase = self.canvas.get_renderer()
        self._probe = Text(0, 0, "", figure=self.figure, parse_math=False, usetex=False)
        self.drawn = Drawn()
        self.ax: Axes
        self.projection: Projection
        self.extent: Extent
        self.placer: labels.Placer
        self._positions: dict[str, tuple[float, float]] = {}  # display px of each marker
        self._site_symbols: dict[str, str] = {}  # site id -> kind drawn ("quiet" for context)
        self._covered_sites: set[str] = set()  # sites whose symbol a marker covers
        self._event_labels: list[tuple[EventMark, float, float, float]] = []
        self.label_boxes: list[Box] = []  # every label drawn on the map (display px)
        # The same labels with what they name: ("site", "sea", "event" or "country", text, box).
        self.named_boxes: list[tuple[str, str, Box]] = []
        # Badges of nations out of view, at the frame's edge: (nation, box in display px).
        self.edge_badges: list[tuple[str, Box]] = []
        # Marker cores and badges (edge badges too): no label comes within the clearance.
        self.symbol_boxes: list[Box] = []
        # Lines drawn (contribution and leader lines), display px: obstacles for labels.
        self.line_paths: list[tuple[str, np.ndarray]] = []  # (nation or "leader", points)
        self.event_points: list[tuple[str, float, float]] = []  # (label, display x, y)

    # --- measuring and wrapping ---------------------------------------------------------------

    def measure(
        self, text: str, size_px: float, *, weight: str = "normal", italic: bool = False
    ) -> tuple[float, float]:
        """Width and height in display pixels of a (possibly multi-line) text."""
        probe = self._probe
        probe.set_text(text)
        probe.set_fontsize(self.units.pt(size_px))
        probe.set_fontweight(weight)
        probe.set_fontstyle("italic" if italic else "normal")
        probe.set_fontfamily(settings.EXPORT_FONT)
        box = probe.get_window_extent(self.renderer)
        return float(box.width), float(box.height)

    def wrap(
        self, text: str, width_px: float, size_px: float, *, weight: str = "normal"
    ) -> list[str]:
        """``text`` broken at spaces into lines no wider than ``width_px`` slide pixels."""
        limit = self.units.px(width_px)
        return labels.wrap_words(
            text, lambda trial: self.measure(trial, size_px, weight=weight)[0] > limit
        )

    # --- page layout --------------------------------------------------------------------------

    def layout(self, *, banner: bool, header_lines: int, footer_lines: int) -> Frame:
        """Place the banner bands, header, map, legend panel and footer."""
        u = self.units
        px = settings.EXPORT_TEXT_PX
        margin = settings.EXPORT_MARGIN_PX
        band = px["banner"] * 2.1 if banner else 0.0
        header_top = band + margin * 0.8
        header = px["title"] * 1.35 + header_lines * px["subtitle"] * 1.4 + margin * 0.5
        footer = footer_lines * px["attribution"] * 1.45
        map_top = header_top + header
        map_bottom = u.height - band - margin * 0.7 - footer - margin * 0.4
        panel_left = u.width - margin - settings.EXPORT_PANEL_WIDTH_PX
        return Frame(
            banner=band,
            header_top=header_top,
            map_box=(margin, map_top, panel_left - margin * 0.8, map_bottom),
            panel_box=(panel_left, map_top, u.width - margin, map_bottom),
            footer_top=map_bottom + margin * 0.4,
        )

    def _fraction(
        self, box: tuple[float, float, float, float]
    ) -> tuple[float, float, float, float]:
        left, top, right, bottom = box
        u = self.units
        return (
            left / u.width,
            1 - bottom / u.height,
            (right - left) / u.width,
            (bottom - top) / u.height,
        )

    def banners(self, text: str, frame: Frame) -> None:
        """The classification / handling banner, at the top and the bottom edge."""
        style = settings.EXPORT_BANNER_STYLE
        height = frame.banner / self.units.height
        size = self.units.pt(settings.EXPORT_TEXT_PX["banner"])
        for y0 in (1 - height, 0.0):
            self.figure.add_artist(
                Rectangle(
                    (0, y0),
                    1,
                    height,
                    transform=self.figure.transFigure,
                    facecolor=str(style["fillColor"]),
                    edgecolor="none",
                    zorder=_Z["furniture"],
                )
            )
            self.figure.text(
                0.5,
                y0 + height / 2,
                text,
                ha="center",
                va="center",
                zorder=_Z["furniture"] + 0.1,
                gid="banner",
                **text_kwargs(size, weight="bold", color=str(style["color"])),
            )

    def header(self, title: str, subtitle: Sequence[str], frame: Frame) -> None:
        """Title and subtitle lines above the map."""
        u = self.units
        px = settings.EXPORT_TEXT_PX
        left = frame.map_box[0] / u.width
        top = 1 - frame.header_top / u.height
        self.figure.text(
            left,
            top,
            title,
            ha="left",
            va="top",
            gid="title",
            **text_kwargs(u.pt(px["title"]), weight="bold"),
        )
        y = frame.header_top + px["title"] * 1.35
        for line in subtitle:
            self.figure.text(
                left,
                1 - y / u.height,
                line,
                ha="left",
                va="top",
                gid="subtitle",
                **text_kwargs(u.pt(px["subtitle"]), color=_MUTED),
            )
            y += px["subtitle"] * 1.4

    def footer(self, lines: Sequence[str], frame: Frame) -> None:
        """Attribution lines below the map."""
        u = self.units
        size = settings.EXPORT_TEXT_PX["attribution"]
        y = frame.footer_top
        for line in lines:
            self.figure.text(
                frame.map_box[0] / u.width,
                1 - y / u.height,
                line,
                ha="left",
                va="top",
                gid="attribution",
                **text_kwargs(u.pt(size), color=_MUTED),
            )
            y += size * 1.45

    # --- the map axes -------------------------------------------------------------------------

    def map_axes(self, frame: Frame, projection: Projection, extent: Extent) -> None:
        """The map's axes: sea-coloured, limits set to the projected extent, no ticks."""
        ax = self.figure.add_axes(self._fraction(frame.map_box))
        ax.set_facecolor(settings.SEA_COLOR)
        ax.set_xlim(extent[0], extent[1])
        ax.set_ylim(extent[2], extent[3])
        ax.set_autoscale_on(False)
        ax.set_aspect("equal", adjustable="box")
        ax.apply_aspect()
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_edgecolor(str(settings.COUNTRY_STYLES["host"]["color"]))
            spine.set_linewidth(self.units.pt(1.2))
        self.ax = ax
        self.projection = projection
        self.extent = extent
        box = ax.get_window_extent(self.renderer)
        inset = self.units.px(4)
        self.placer = labels.Placer(
            (box.x0 + inset, box.y0 + inset, box.x1 - inset, box.y1 - inset),
            pad=self.units.px(2),
        )

    @property
    def clearance(self) -> float:
        """Display pixels kept free between a label and a marker or badge."""
        return self.units.px(settings.EXPORT_LABEL_CLEARANCE_PX)

    @property
    def metres_per_px(self) -> float:
        """Projected metres per display pixel (the same across and up: the extent fits)."""
        box = self.ax.get_window_extent(self.renderer)
        return (self.extent[1] - self.extent[0]) / float(box.width)

    def display(self, x: float, y: float) -> tuple[float, float]:
        """Display pixels of a projected point."""
        dx, dy = self.ax.transData.transform((x, y))
        return float(dx), float(dy)

    def data(self, dx: float, dy: float) -> tuple[float, float]:
        """Projected metres of a display point."""
        x, y = self.ax.transData.inverted().transform((dx, dy))
        return float(x), float(y)

    def in_view(self, x: float, y: float, *, margin_px: float = 0.0) -> bool:
        """Whether a projected point lies in the map (or within ``margin_px`` of it)."""
        pad = margin_px * self.metres_per_px
        xmin, xmax, ymin, ymax = self.extent
        return xmin - pad <= x <= xmax + pad and ymin - pad <= y <= ymax + pad

    def _add(self, artist: Any, zorder: float) -> None:
        artist.set_zorder(zorder)
        artist.set_clip_path(self.ax.patch)
        self.ax.add_artist(artist)

    # --- layers -------------------------------------------------------------------------------

    def countries(self, outlines: basemap.Outlines, role_of: Callable[[str], str]) -> None:
        """Country outlines by role ("host", "contributor" or "context": ``role_of(code)``,
        the view's :class:`geo.story.Story`)."""
        roles = np.array([role_of(str(code)) for code in outlines.codes], dtype=object)
        for role in ("context", "contributor", "host"):
            chosen = outlines.geometries[roles == role]
            if not len(chosen):
                continue
            self.drawn.roles.add(role)
            paths = [basemap.path_of(geometry) for geometry in chosen]
            kwargs = area(settings.COUNTRY_STYLES[role], self.units)
            collection = PathCollection(
                paths,
                facecolors=[kwargs["facecolor"]],
                edgecolors=[kwargs["edgecolor"]],
                linewidths=[kwargs["linewidth"]],
                linestyles=[kwargs["linestyle"]],
                transform=self.ax.transData,
                gid=f"countries-{role}",
            )
            collection.set_joinstyle("round")
            self._add(collection, _Z[role])

    def sea_areas(self, seas: Sequence[SeaArea]) -> None:
        """Indicative sea areas: emphasised where a naval deployment is in view."""
        for sea in seas:
            key = "active" if sea.active else "inactive"
            kwargs = area(settings.SEA_AREA_STYLES[key], self.units)
            path = basemap.path_of(sea.geometry)
            if shapely.is_empty(sea.geometry):
                continue
            collection = PathCollection(
                [path],
                facecolors=[kwargs["facecolor"]],
                edgecolors=[kwargs["edgecolor"]],
                linewidths=[kwargs["linewidth"]],
                linestyles=[kwargs["linestyle"]],
                transform=self.ax.transData,
            )
            self._add(collection, _Z["sea_area"])
            self.drawn.seas.add(key)

    def overlays(self, shapes: Sequence[object]) -> None:
        """The user's uploaded layers (projected shapely geometries), in their one style."""
        style = settings.OVERLAY_STYLE
        fill = area(style, self.units)
        line = stroke(style, self.units)
        dot = circle(style, self.units)
        for shape in shapes:
            parts = shapely.get_parts(shape)
            polygons = [p for p in parts if p.geom_type == "Polygon"]
            if polygons:
                collection = PathCollection(
                    [basemap.path_of(shapely.MultiPolygon(polygons))],
                    facecolors=[fill["facecolor"]],
                    edgecolors=[fill["edgecolor"]],
                    linewidths=[fill["linewidth"]],
                    linestyles=[fill["linestyle"]],
                    transform=self.ax.transData,
                )
                self._add(collection, _Z["overlay"])
            for part in parts:
                if part.geom_type in ("LineString", "LinearRing"):
                    xy = shapely.get_coordinates(part)
                    self._add(Line2D(xy[:, 0], xy[:, 1], **line), _Z["overlay"])
                elif part.geom_type == "Point":
                    marker = Line2D(
                        [part.x],
                        [part.y],
                        marker="o",
                        markersize=self.units.pt(12.0),
                        markerfacecolor=dot["facecolor"],
                        markeredgecolor=dot["edgecolor"],
                        markeredgewidth=dot["linewidth"],
                        linestyle="none",
                    )
                    self._add(marker, _Z["overlay"])
            self.drawn.overlays = True

    def curves(self, curves: Sequence[Curve]) -> None:
        """Contribution lines in the nation's colour, dashed by status. A line from a nation
        out of view is drawn from where it last enters the map, and ends there at the nation's
        badge (:meth:`_edge_badge`)."""
        for curve in curves:
            style = settings.CONTRIBUTION_STYLES.get(
                curve.status, settings.CONTRIBUTION_STYLES["active"]
            )
            x, y = curve.x, curve.y
            if curve.code and not self.in_view(float(x[0]), float(y[0])):
                piece = self._entering_piece(curve)
                if piece is None:
                    continue  # the whole line is out of view
                x, y = piece[:, 0], piece[:, 1]
                self._edge_badge(curve.code, curve.color, curve.status, float(x[0]), float(y[0]))
            line = Line2D(x, y, **stroke(style, self.units, color=curve.color))
            line.set_solid_capstyle("round")
            self._add(line, _Z["curve"])
            self._obstacle_line(curve.code, x, y)
            self.drawn.curve_statuses.add(
                curve.status if curve.status in settings.CONTRIBUTION_STYLES else "active"
            )

    def _obstacle_line(self, name: str, x: np.ndarray, y: np.ndarray) -> None:
        """A drawn line, in display pixels, that labels keep off."""
        points = self.ax.transData.transform(np.column_stack([x, y]))
        self.line_paths.append((name, points))
        self.placer.take_line(points)

    def _entering_piece(self, curve: Curve) -> np.ndarray | None:
        """The part of a line inside the map that reaches its site (projected points, from the
        frame's edge to the site); None when no part of it is in view."""
        xmin, xmax, ymin, ymax = self.extent
        whole = shapely.LineString(np.column_stack([curve.x, curve.y]))
        inside = shapely.clip_by_rect(whole, xmin, ymin, xmax, ymax)
        parts = [
            part
            for part in shapely.get_parts(shapely.line_merge(inside))
            if part.geom_type == "LineString" and part.length > 0
        ]
        if not parts:
            return None
        site = shapely.Point(float(curve.x[-1]), float(curve.y[-1]))
        last = min(parts, key=site.distance)
        points = shapely.get_coordinates(last)
        if site.distance(shapely.Point(points[0])) < site.distance(shapely.Point(points[-1])):
            points = points[::-1]
        return np.asarray(points, dtype=float)

    def _edge_badge(self, code: str, colour: str, status: str, x: float, y: float) -> None:
        """The nation's badge where its line from out of view enters the map, at (x, y) in
        projected metres; one badge serves the nation's lines entering close together, and a
        badge of another nation already there moves this one along the edge."""
        ex, ey = self.display(x, y)
        u = self.units
        width = self.measure(code, settings.EXPORT_TEXT_PX["badge"], weight="bold")[0]
        width += u.px(9)
        height = u.px(settings.EXPORT_TEXT_PX["badge"] + 8)
        area = self.placer.area
        gap = u.px(4)
        entry = (ex - 1, ey - 1, ex + 1, ey + 1)
        for nation, other in self.edge_badges:
            if nation == code and labels.overlap(labels.grow(other, u.px(6)), entry):
                return  # the nation's badge is already at this entry point
        # Along the edge the line crosses: across it on the left and right sides, else along.
        distances = (ex - area[0], area[2] - ex, ey - area[1], area[3] - ey)
        vertical = min(distances) in distances[:2]
        step = (height if vertical else width) + gap
        box: Box | None = None
        for index in range(0, 12):
            shift = step * ((index + 1) // 2) * (1 if index % 2 else -1)
            cx = ex if vertical else ex + shift
            cy = ey + shift if vertical else ey
            cx = min(max(cx, area[0] + width / 2), area[2] - width / 2)
            cy = min(max(cy, area[1] + height / 2), area[3] - height / 2)
            trial = (cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2)
            if self.placer.cost(trial, lines=False) <= 0:
                box = trial
                break
        if box is None:
            return
        self.edge_badges.append((code, box))
        self.symbol_boxes.append(box)
        self.placer.take(box, clear=self.clearance)
        bx, by = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        marker = Marker(
            site=f"edge-{code}",
            name="",
            kind="edge",
            x=0.0,
            y=0.0,
            diameter=0.0,
            figure="",
            badges=(),
            selected=False,
        )
        offset = (-width / 2, height / 2, width / 2, -height / 2)
        # In the look of the line's status (an announced contribution: a dashed badge), as the
        # nation's badges on the markers.
        badge = ((offset[0], offset[3], offset[2], offset[1]), code, colour, status)
        self._marker_badges(marker, bx, by, [badge])
        self.drawn.edge_badges = True

    def sites(self, sites: Sequence[PlainSite]) -> None:
        """Site symbols by kind (circle markers), each an obstacle for labels."""
        for site in sites:
            kind = site.kind if site.kind in settings.SITE_STYLES else "city"
            style = settings.QUIET_SITE_STYLE if site.quiet else settings.SITE_STYLES[kind]
            radius_px = number(style, "radius", 5)
            self._circle(site.x, site.y, radius_px, circle(style, self.units), _Z["site"])
            self._site_symbols[site.site] = "quiet" if site.quiet else kind
            self._legend_sites()
            dx, dy = self.display(site.x, site.y)
            r = self.units.px(radius_px + 1)
            self.placer.take((dx - r, dy - r, dx + r, dy + r))

    def _legend_sites(self) -> None:
        """The site symbols the legend lists: those a marker does not cover."""
        shown = {
            kind for site, kind in self._site_symbols.items() if site not in self._covered_sites
        }
        self.drawn.quiet_sites = "quiet" in shown
        self.drawn.site_kinds = shown - {"quiet"}

    def _circle(
        self, x: float, y: float, radius_px: float, kwargs: dict[str, Any], zorder: float
    ) -> None:
        patch = Circle((x, y), self.units.px(radius_px) * self.metres_per_px, **kwargs)
        self._add(patch, zorder)

    def _badge_boxes(self, marker: Marker) -> tuple[Box, list[tuple[Box, str, str, str]]]:
        """The marker's core box and its badges' boxes, in display pixels around (0, 0)."""
        u = self.units
        radius = u.px(marker.diameter) / 2
        core: Box = (-radius, -radius, radius, radius)
        size_px = settings.EXPORT_TEXT_PX["badge"]
        height = u.px(size_px + 8)
        gap = u.px(3)
        per_row = max(settings.EXPORT_BADGES_PER_ROW, 1)
        rows = [marker.badges[i : i + per_row] for i in range(0, len(marker.badges), per_row)]
        top = len(rows) * height + (len(rows) - 1) * gap
        boxes: list[tuple[Box, str, str, str]] = []
        y = top / 2
        for row in rows:
            x = radius + u.px(5)
            for code, colour, status in row:
                width = self.measure(code, size_px, weight="bold")[0] + u.px(9)
                boxes.append(((x, y - height, x + width, y), code, colour, status))
                x += width + gap
            y -= height + gap
        return core, boxes

    def _group_box(self, marker: Marker) -> Box:
        """The box of a marker and its badges (or its APP-6 symbol and label), in display
        pixels around its centre."""
        if marker.app6_svg is not None:
            from export import app6  # only when the APP-6 style is chosen

            return app6.box(self, marker.app6_svg)
        core, badges = self._badge_boxes(marker)
        return labels.union([core, *(box for box, *_ in badges)])

    def deployments(self, markers: Sequence[Marker]) -> None:
        """One marker per site: a core sized by known personnel, a badge per nation.

        Where markers would overlap (sites a few kilometres apart at this scale), the later
        ones in :func:`_marker_order` move aside, with a leader line to their site.
        """
        u = self.units
        # Markers keep off the badges of nations out of view, and off each other.
        placed: list[Box] = [box for _code, box in self.edge_badges]
        gap = u.px(4)
        for marker in sorted(markers, key=_marker_order):
            core, badges = self._badge_boxes(marker)
            group = self._group_box(marker)
            if marker.app6_svg is not None:
                core, badges = group, []
            sx, sy = self.display(marker.x, marker.y)
            size = min(core[2] - core[0], core[3] - core[1])
            offset = self._free_offset(marker, group, sx, sy, placed, core_px=size)
            ox, oy = offset
            placed.append(labels.grow(labels.shift(group, sx + ox, sy + oy), gap / 2))
            self._positions[marker.site] = (sx + ox, sy + oy)
            self.placer.take(labels.shift(group, sx + ox, sy + oy), clear=self.clearance)
            self.symbol_boxes += [
                labels.shift(box, sx + ox, sy + oy) for box in (core, *(b for b, *_ in badges))
            ]
            if ox or oy:
                self._leader(sx, sy, sx + ox, sy + oy)
            else:
                self._covered_sites.add(marker.site)  # its site's symbol is under it
            self._marker(marker, sx + ox, sy + oy, core, badges)
        self.drawn.deployments = self.drawn.deployments or bool(markers)
        self._legend_sites()

    def _free_offset(
        self,
        marker: Marker,
        group: Box,
        sx: float,
        sy: float,
        placed: Sequence[Box],
        *,
        core_px: float,
    ) -> tuple[float, float]:
        """Where a marker goes (display-pixel offset from its site): its site when free, else
        the free spot on the nearest ring around it that is farthest from the other markers."""
        step = core_px + self.units.px(14)
        area = self.placer.area
        centres = [((b[0] + b[2]) / 2, (b[1] + b[3]) / 2) for b in placed]
        for ring in range(0, 8):
            directions = 1 if ring == 0 else 16
            best: tuple[float, float] | None = None
            best_room = -1.0
            for index in range(directions):
                angle = math.pi / 2 + 2 * math.pi * index / directions
                ox = ring * step * math.cos(angle)
                oy = ring * step * math.sin(angle)
                box = labels.shift(group, sx + ox, sy + oy)
                if ring and not (
                    area[0] <= box[0]
                    and box[2] <= area[2]
                    and area[1] <= box[1]
                    and box[3] <= area[3]
                ):
                    continue
                if any(labels.overlap(box, other) > 0 for other in placed):
                    continue
                if ring and marker.area is not None:
                    x, y = self.data(sx + ox, sy + oy)
                    if not shapely.contains_xy(marker.area, x, y):
                        continue
                if ring == 0:
                    return 0.0, 0.0
                room = min((math.dist((sx + ox, sy + oy), c) for c in centres), default=0.0)
                if room > best_room:
                    best, best_room = (ox, oy), room
            if best is not None:
                return best
        return 0.0, 0.0

    def _leader(self, sx: float, sy: float, mx: float, my: float) -> None:
        """A line from a site (sx, sy) to its marker moved aside (mx, my), a dot on the site."""
        style = settings.EXPORT_LEADER_STYLE
        (x0, y0), (x1, y1) = self.data(sx, sy), self.data(mx, my)
        line = Line2D([x0, x1], [y0, y1], **stroke(style, self.units))
        self._add(line, _Z["leader"])
        self._obstacle_line("leader", np.array([x0, x1]), np.array([y0, y1]))
        dot = {"color": style["color"], "fillColor": style["color"], "weight": 0}
        self._circle(x0, y0, 2.5, circle(dot, self.units), _Z["leader"])
        self.drawn.leaders = True

    def _marker(
        self,
        marker: Marker,
        cx: float,
        cy: float,
        core: Box,
        badges: Sequence[tuple[Box, str, str, str]],
    ) -> None:
        u = self.units
        x, y = self.data(cx, cy)
        if marker.app6_svg is not None:
            from export import app6  # only when the APP-6 style is chosen

            app6.draw(self, marker.app6_svg, cx, cy)
            if marker.app6_key is not None:
                self.drawn.app6.add(marker.app6_key)
            self.drawn.nations.update(code for code, _colour, _status in marker.badges)
        else:
            self._circle(
                x, y, marker.diameter / 2, circle(settings.DEPLOYMENT_STYLE, u), _Z["deployment"]
            )
            if marker.figure:
                self.drawn.figures = True
                self.ax.text(
                    x,
                    y,
                    marker.figure,
                    ha="center",
                    va="center_baseline",
                    zorder=_Z["deployment"] + 0.05,
                    clip_on=True,
                    **text_kwargs(
                        u.pt(settings.EXPORT_TEXT_PX["figure"]),
                        weight="bold",
                        color=str(settings.DEPLOYMENT_STYLE["color"]),
                    ),
                )
        if marker.selected:
            ring = {
                "color": settings.SELECTED_STYLE["color"],
                "weight": settings.SELECTED_STYLE["weight"],
                "fillOpacity": 0.0,
            }
            radius = marker.diameter / 2 + 3 + number(settings.SELECTED_STYLE, "weight", 3) / 2
            self._circle(x, y, radius, area(ring, u), _Z["selected"])
            self.drawn.selected = True
        self._marker_badges(marker, cx, cy, badges)

    def _marker_badges(
        self,
        marker: Marker,
        cx: float,
        cy: float,
        badges: Sequence[tuple[Box, str, str, str]],
    ) -> None:
        u = self.units
        mpp = self.metres_per_px
        for (x0, y0, x1, y1), code, colour, status in badges:
            look = settings.BADGE_STYLES.get(status, settings.BADGE_STYLES["active"])
            fill = str(look.get("fill") or colour)
            edge = str(look.get("line") or colour)
            text_colour = str(
                look.get("text") or ("#ffffff" if look.get("fill") is None else colour)
            )
            opacity = number(look, "opacity", 1.0)
            bx, by = self.data(cx + x0, cy + y0)
            patch = FancyBboxPatch(
                (bx, by),
                (x1 - x0) * mpp,
                (y1 - y0) * mpp,
                boxstyle=f"round,pad=0,rounding_size={u.px(3) * mpp}",
                facecolor=fill,
                edgecolor=edge,
                linewidth=u.pt(1.5),
                alpha=opacity,
                linestyle=linestyle({"dashArray": "3 2"} if look.get("dashed") else {}, u),
            )
            self._add(patch, _Z["badge"])
            tx, ty = self.data(cx + (x0 + x1) / 2, cy + (y0 + y1) / 2)
            label = self.ax.text(
                tx,
                ty,
                code,
                ha="center",
                va="center",
                zorder=_Z["badge"] + 0.05,
                alpha=opacity,
                clip_on=True,
                **text_kwargs(
                    u.pt(settings.EXPORT_TEXT_PX["badge"]), weight="bold", color=text_colour
                ),
            )
            label.set_clip_path(self.ax.patch)
            if look.get("struck"):
                sx0, sy0 = self.data(cx + x0 + u.px(3), cy + (y0 + y1) / 2)
                sx1, _ = self.data(cx + x1 - u.px(3), cy)
                self._add(
                    Line2D([sx0, sx1], [sy0, sy0], color=text_colour, linewidth=u.pt(1.3)),
                    _Z["badge"] + 0.1,
                )
            self.drawn.badge_statuses.add(status if status in settings.BADGE_STYLES else "active")
            self.drawn.nations.add(code)

    def events(self, events: Sequence[EventMark]) -> None:
        """Events as small diamonds up and to the left of their site (or its marker)."""
        u = self.units
        style = settings.EVENT_STYLE
        half = u.px(10) / math.sqrt(2)
        for event in events:
            if event.exact:
                # On the place where it happened; later events there step aside to the left.
                dx, dy = self.display(event.x, event.y)
                dx -= u.px(14 * event.position)
            else:
                cx, cy = self._positions.get(event.site, self.display(event.x, event.y))
                # The map's icon is 12 px square, anchored [24 + 14n, 22]: centre (-18 - 14n, 16).
                dx = cx - u.px(18 + 14 * event.position)
                dy = cy + u.px(16)
            points = [
                self.data(dx, dy + half),
                self.data(dx + half, dy),
                self.data(dx, dy - half),
                self.data(dx - half, dy),
            ]
            kwargs = circle(style, u)
            self._add(Polygon(points, closed=True, **kwargs), _Z["event"])
            self.placer.take((dx - half, dy - half, dx + half, dy + half))
            self.drawn.events = True
            self.drawn.exact_events = self.drawn.exact_events or event.exact
            self._event_labels.append((event, dx, dy, half))
            self.event_points.append((event.label, dx, dy))

    # --- labels -------------------------------------------------------------------------------

    def _label(
        self,
        text: str,
        candidates: Sequence[Candidate],
        size_px: float,
        *,
        force: bool,
        weight: str = "bold",
        color: str = _TEXT,
        italic: bool = False,
        cross: bool = False,
        kind: str = "site",
    ) -> bool:
        # Off every line where a free place exists; else, with ``cross``, on the free place
        # lines cross least (a name that is better crossed than gone); a name that must be
        # drawn takes the place least covered.
        chosen = self.placer.choose(candidates, force=force, cross=cross)
        if chosen is None:
            return False
        self.label_boxes.append(chosen.box)
        self.named_boxes.append((kind, text, chosen.box))
        x0, y0, x1, y1 = chosen.box
        ax_ = {"left": x0, "center": (x0 + x1) / 2, "right": x1}[chosen.ha]
        ay_ = {"bottom": y0, "center": (y0 + y1) / 2, "top": y1}[chosen.va]
        x, y = self.data(ax_, ay_)
        # A white halo keeps a label legible over outlines and lines. It is a copy drawn
        # with a path effect (which turns it into outlines in SVG and PDF) under the label
        # itself, which stays text: selectable and searchable in the SVG and the PDF.
        for halo in (True, False):
            artist = self.ax.text(
                x,
                y,
                text,
                ha=chosen.ha,
                va=chosen.va,
                multialignment=chosen.ha,
                zorder=_Z["label"] - (0.01 if halo else 0.0),
                clip_on=True,
                fontstyle="italic" if italic else "normal",
                gid="label-halo" if halo else "label",
                **text_kwargs(
                    self.units.pt(size_px), weight=weight, color=_HALO if halo else color
                ),
            )
            if halo:
                stroke_width = self.units.pt(3.5)
                artist.set_path_effects(
                    [patheffects.withStroke(linewidth=stroke_width, foreground=_HALO)]
                )
            artist.set_clip_path(self.ax.patch)
        return True

    def _sea_labels(self, seas: Sequence[SeaArea]) -> None:
        size = settings.EXPORT_TEXT_PX["sea_label"]
        for sea in seas:
            text = wrapped(sea.name)
            width, height = self.measure(text, size, weight="bold", italic=True)
            sx, sy = self.display(sea.label_x, sea.label_y)
            shifts = (
                (0, 0),
                (0, -1.2 * height),
                (0, 1.2 * height),
                (-0.6 * width, 0),
                (0.6 * width, 0),
            )
            candidates = [
                Candidate(
                    (
                        sx - width / 2 + dx,
                        sy - height / 2 + dy,
                        sx + width / 2 + dx,
                        sy + height / 2 + dy,
                    ),
                    "center",
                    "center",
                )
                for dx, dy in shifts
            ]
            color = settings.SEA_LABEL_COLOR
            self._label(
                text,
                candidates,
                size,
                force=False,
                color=color,
                italic=True,
                cross=True,
                kind="sea",
            )

    def labels(
        self,
        markers: Sequence[Marker],
        sites: Sequence[PlainSite],
        seas: Sequence[SeaArea],
        *,
        zoom: float,
    ) -> None:
        """Names of the deployment sites (always), the other sites (from the zoom at which the
        interactive map shows them), the sea areas and the events, without overlaps."""
        u = self.units
        px = settings.EXPORT_TEXT_PX

        # The names the interactive map shows at this zoom come first and are always drawn;
        # deployment sites it would not name yet (a whole country, an indicative area) get
        # their name only where it fits.
        def shown(kind: str) -> bool:
            return zoom >= settings.SITE_LABEL_MIN_ZOOM.get(kind, 0)

        ordered = sorted(markers, key=_marker_order)
        for force in (True, False):
            for marker in ordered:
                # A sea area's marker carries the area's name, in the sea labels' style.
                sea = marker.kind == "sea_area"
                if (sea or shown(marker.kind)) != force:
                    continue
                size = px["sea_label"] if sea else px["label"]
                text = wrapped(marker.name)
                width, height = self.measure(text, size, weight="bold", italic=sea)
                cx, cy = self._positions[marker.site]
                group = labels.shift(self._group_box(marker), cx, cy)
                gap = self.clearance + self.placer.pad + u.px(1)
                candidates = _around_box(group, width, height, gap, cx)
                colour = settings.SEA_LABEL_COLOR if sea else _TEXT
                self._label(
                    text,
                    candidates,
                    size,
                    force=force,
                    color=colour,
                    italic=sea,
                    kind="sea" if sea else "site",
                )
            if force:
                named = {marker.site for marker in markers}
                self._sea_labels([sea for sea in seas if sea.site not in named])
        # The story's sites first (always named: the scene is about them), then the quiet ones
        # where there is room.
        for site in sorted(sites, key=lambda site: site.quiet):
            minimum = settings.SITE_LABEL_MIN_ZOOM.get(site.kind, 99)
            if zoom < minimum and site.quiet:
                continue
            size = px["quiet_label"] if site.quiet else px["label"]
            weight = "normal" if site.quiet else "bold"
            text = wrapped(site.name)
            width, height = self.measure(text, size, weight=weight)
            sx, sy = self.display(site.x, site.y)
            style = settings.QUIET_SITE_STYLE if site.quiet else settings.SITE_STYLES.get(site.kind)
            radius = number(style or {}, "radius", 5)
            gap = u.px(radius + 5)
            self._label(
                text,
                labels.around(sx, sy, width=width, height=height, gap=gap),
                size,
                force=not site.quiet,
                weight=weight,
                color=settings.QUIET_LABEL_COLOR if site.quiet else _TEXT,
            )
        for event, dx, dy, half in self._event_labels:
            text = wrapped(event.label)
            width, height = self.measure(text, px["event_label"])
            candidates = labels.around(dx, dy, width=width, height=height, gap=half + u.px(4))
            # Events sit up-left of their site: try left and above first.
            candidates = [candidates[i] for i in (1, 6, 2, 7, 0, 4, 3, 5)]
            self._label(
                text,
                candidates,
                px["event_label"],
                force=False,
                weight="normal",
                color=str(settings.EVENT_STYLE["color"]),
                cross=True,
                kind="event",
            )

    def country_labels(self, outlines: basemap.Outlines, role: Callable[[str], str]) -> None:
        """Countries' names (Natural Earth's), inside the largest visible part of each, only
        where the name fits inside it and is free of every marker and label drawn."""
        xmin, xmax, ymin, ymax = self.extent
        size = settings.EXPORT_TEXT_PX["country_label"]
        order = sorted(
            zip(outlines.codes, outlines.names, outlines.geometries, strict=True),
            key=lambda item: ({"host": 0, "contributor": 1}.get(role(str(item[0])), 2),),
        )
        for code, name, shape in order:
            if not name:
                continue
            visible = shapely.clip_by_rect(shape, xmin, ymin, xmax, ymax)
            if visible.is_empty:
                continue
            part = anchors.largest_part(visible)
            if part.geom_type != "Polygon":
                continue
            host = role(str(code)) == "host"
            text = str(name).upper()
            weight = "bold" if host else "normal"
            width, height = self.measure(text, size, weight=weight)
            ax0, ay0 = self.display(part.bounds[0], part.bounds[1])
            ax1, ay1 = self.display(part.bounds[2], part.bounds[3])
            if ax1 - ax0 < width * 1.05 or ay1 - ay0 < height * 1.3:
                continue  # too small to hold its name
            lx, ly = anchors.label_anchor(part, geographic=False)
            cx, cy = self.display(lx, ly)
            inside = shapely.prepared.prep(part)
            candidates = []
            for dx, dy in _COUNTRY_SHIFTS:
                box = (
                    cx - width / 2 + dx * width,
                    cy - height / 2 + dy * height,
                    cx + width / 2 + dx * width,
                    cy + height / 2 + dy * height,
                )
                corners = [self.data(x, y) for x, y in ((box[0], box[1]), (box[2], box[3]))]
                footprint = shapely.box(corners[0][0], corners[0][1], corners[1][0], corners[1][1])
                if inside.contains(footprint):
                    candidates.append(Candidate(box, "center", "center"))
            if candidates:
                colour = _TEXT if host else settings.QUIET_LABEL_COLOR
                self._label(
                    text,
                    candidates,
                    size,
                    force=False,
                    weight=weight,
                    color=colour,
                    cross=True,
                    kind="country",
                )

    # --- scale bar and north arrow ------------------------------------------------------------

    def scale_bar(self) -> None:
        """A scale bar, right in ground metres at the map's centre (matplotlib-scalebar)."""
        u = self.units
        xmin, xmax, ymin, ymax = self.extent
        dx = ground_scale(self.projection, (xmin + xmax) / 2, (ymin + ymax) / 2)
        length, unit = _nice_length((xmax - xmin) * dx * 0.2)
        bar = ScaleBar(
            dx,
            units="m",
            dimension="si-length",
            fixed_value=length,
            fixed_units=unit,
            scale_formatter=lambda value, unit: f"{value:g} {unit}",
            location="lower left",
            width_fraction=0.006,
            color=_TEXT,
            box_color="#ffffff",
            box_alpha=0.85,
            pad=0.5,
            border_pad=0.8,
            sep=u.pt(4),
            font_properties={
                "family": settings.EXPORT_FONT,
                "size": u.pt(settings.EXPORT_TEXT_PX["scale"]),
            },
        )
        bar.set_zorder(_Z["furniture"])
        self.ax.add_artist(bar)
        box = bar.get_window_extent(self.renderer)
        self.placer.take((box.x0, box.y0, box.x1, box.y1))

    def north_arrow(self) -> float:
        """An arrow to true north at the map's centre, in the map's top right corner.

        Returns
        -------
        float
            The angle drawn, degrees clockwise from straight up.
        """
        u = self.units
        xmin, xmax, ymin, ymax = self.extent
        angle = north_angle(self.projection, (xmin + xmax) / 2, (ymin + ymax) / 2)
        box = self.ax.get_window_extent(self.renderer)
        radius = u.px(30)
        cx = box.x1 - u.px(18) - radius
        cy = box.y1 - u.px(18) - radius
        self.placer.take((cx - radius, cy - radius, cx + radius, cy + radius))
        mpp = self.metres_per_px
        centre = self.data(cx, cy)
        disc = Circle(
            centre,
            radius * mpp,
            facecolor="#ffffff",
            edgecolor=_MUTED,
            linewidth=u.pt(1),
            alpha=0.9,
        )
        self._add(disc, _Z["furniture"])
        theta = math.radians(angle)

        def rotated(px_x: float, px_y: float) -> tuple[float, float]:
            # (px_x, px_y) in pixels with north up, turned clockwise by the angle.
            rx = px_x * math.cos(theta) + px_y * math.sin(theta)
            ry = -px_x * math.sin(theta) + px_y * math.cos(theta)
            return self.data(cx + rx, cy + ry)

        length = u.px(17)
        width = u.px(7)
        north = [rotated(0, length), rotated(width, -length * 0.55), rotated(0, -length * 0.25)]
        south = [rotated(0, length), rotated(-width, -length * 0.55), rotated(0, -length * 0.25)]
        self._add(
            Polygon(north, closed=True, facecolor=_TEXT, edgecolor=_TEXT, linewidth=u.pt(0.8)),
            _Z["furniture"] + 0.1,
        )
        self._add(
            Polygon(south, closed=True, facecolor="#ffffff", edgecolor=_TEXT, linewidth=u.pt(0.8)),
            _Z["furniture"] + 0.1,
        )
        nx, ny = rotated(0, -length * 0.55 - u.px(9))
        self.ax.text(
            nx,
            ny,
            "N",
            ha="center",
            va="center",
            zorder=_Z["furniture"] + 0.2,
            gid="north",
            **text_kwargs(u.pt(settings.EXPORT_TEXT_PX["north"]), weight="bold"),
        )
        return angle


# Places tried for a country's name around its anchor, in label widths and heights.
_COUNTRY_SHIFTS: tuple[tuple[float, float], ...] = (
    (0, 0),
    (0, -1.3),
    (0, 1.3),
    (-0.6, 0),
    (0.6, 0),
    (-0.6, -1.3),
    (0.6, -1.3),
    (-0.6, 1.3),
    (0.6, 1.3),
    (0, -2.6),
    (0, 2.6),
)


def _nice_length(metres: float) -> tuple[float, str]:
    """A round length (1, 2 or 5 times a power of ten) at most ``metres``, and its unit."""
    exponent = math.floor(math.log10(max(metres, 1.0)))
    for factor in (5, 2, 1):
        value = factor * 10**exponent
        if value <= metres:
            break
    if value >= 1000:
        return value / 1000, "km"
    return value, "m"


def _marker_order(marker: Marker) -> tuple[int, int, str]:
    # Exact places stay where they are; markers of a whole country or an indicative sea area
    # move aside first, then the smaller groups.
    vague = {"region": 2, "sea_area": 1}.get(marker.kind, 0)
    return (vague, -len(marker.badges), marker.site)


def _around_box(
    box: Box, width: float, height: float, gap: float, core_x: float
) -> list[Candidate]:
    x0, y0, x1, y1 = box
    mid_y = (y0 + y1) / 2
    return [
        Candidate(
            (core_x - width / 2, y1 + gap, core_x + width / 2, y1 + gap + height),
            "center",
            "bottom",
        ),
        Candidate(
            (core_x - width / 2, y0 - gap - height, core_x + width / 2, y0 - gap), "center", "top"
        ),
        Candidate(
            (x1 + gap, mid_y - height / 2, x1 + gap + width, mid_y + height / 2), "left", "center"
        ),
        Candidate(
            (x0 - gap - width, mid_y - height / 2, x0 - gap, mid_y + height / 2), "right", "center"
        ),
        Candidate((x0, y1 + gap, x0 + width, y1 + gap + height), "left", "bottom"),
        Candidate((x0, y0 - gap - height, x0 + width, y0 - gap), "left", "top"),
        Candidate((x1 - width, y1 + gap, x1, y1 + gap + height), "right", "bottom"),
        Candidate((x1 - width, y0 - gap - height, x1, y0 - gap), "right", "top"),
    ]


def wrapped(text: str) -> str:
    """A label as drawn: control characters out, cut to ``EXPORT_LABEL_MAX_CHARS``, wrapped
    at ``EXPORT_LABEL_WRAP_CHARS`` (never inside a word)."""
    clean = " ".join("".join(ch if ch.isprintable() else " " for ch in str(text)).split())
    limit = settings.EXPORT_LABEL_MAX_CHARS
    if len(clean) > limit:
        cut = clean[: limit - 1]
        clean = (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" ,;:") + "…"
    lines = textwrap.wrap(clean, settings.EXPORT_LABEL_WRAP_CHARS, break_long_words=False)
    return "\n".join(lines) or clean


def legend_label(entries: Iterable[Any], style: Mapping[str, object], fallback: str) -> str:
    """The label the interactive map's legend gives the entry drawn in ``style``."""
    for entry in entries:
        if entry.style is style:
            return str(entry.label)
    return fallback
