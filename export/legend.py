"""The legend panel beside the map: an entry for each thing drawn, and only those.

The labels are the interactive map's own (each layer's ``legend()``), found by the style they
are drawn in, so the two legends say the same; the swatches are drawn with the same styles.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, FancyBboxPatch, Polygon, Rectangle

from export.draw import Drawn, Frame, Sheet, legend_label
from export.style import Units, area, circle, linestyle, number, stroke, text_kwargs
from geo import nations, settings

_TEXT = settings.EXPORT_TEXT_COLOR
# Width (slide pixels) of the swatch column, and the gap before the text.
_SWATCH = 34.0
_GAP = 12.0

Swatch = Callable[[Axes, Units, float, float, float], None]  # ax, units, x, y, scale


@dataclass(frozen=True)
class Entry:
    """One line of the legend: how to draw its swatch, and its text."""

    swatch: Swatch
    label: str


def _rect(style: dict[str, object]) -> Swatch:
    def draw(ax: Axes, units: Units, x: float, y: float, k: float) -> None:
        kwargs = area(style, units)
        ax.add_patch(Rectangle((x + 3 * k, y - 8 * k), 28 * k, 16 * k, **kwargs))

    return draw


def _dot(style: dict[str, object], radius: float | None = None) -> Swatch:
    def draw(ax: Axes, units: Units, x: float, y: float, k: float) -> None:
        r = radius if radius is not None else number(style, "radius", 6)
        ax.add_patch(Circle((x + 17 * k, y), r * k, **circle(style, units)))

    return draw


def _line(style: dict[str, object]) -> Swatch:
    def draw(ax: Axes, units: Units, x: float, y: float, k: float) -> None:
        ax.add_line(Line2D([x + 2 * k, x + 32 * k], [y, y], **stroke(style, units)))

    return draw


def _diamond(style: dict[str, object]) -> Swatch:
    def draw(ax: Axes, units: Units, x: float, y: float, k: float) -> None:
        h = 7.5 * k
        cx = x + 17 * k
        points = [(cx, y - h), (cx + h, y), (cx, y + h), (cx - h, y)]
        ax.add_patch(Polygon(points, closed=True, **circle(style, units)))

    return draw


def _badge(code: str, colour: str, status: str) -> Swatch:
    def draw(ax: Axes, units: Units, x: float, y: float, k: float) -> None:
        look = settings.BADGE_STYLES.get(status, settings.BADGE_STYLES["active"])
        fill = str(look.get("fill") or colour)
        edge = str(look.get("line") or colour)
        text = str(look.get("text") or ("#ffffff" if look.get("fill") is None else colour))
        opacity = number(look, "opacity", 1.0)
        dash = linestyle({"dashArray": "3 2"} if look.get("dashed") else {}, units)
        ax.add_patch(
            FancyBboxPatch(
                (x, y - 10 * k),
                _SWATCH * k,
                20 * k,
                boxstyle=f"round,pad=0,rounding_size={3 * k}",
                facecolor=fill,
                edgecolor=edge,
                linewidth=units.pt(1.5),
                linestyle=dash,
                alpha=opacity,
            )
        )
        ax.text(
            x + _SWATCH * k / 2,
            y,
            code,
            ha="center",
            va="center",
            alpha=opacity,
            **text_kwargs(
                units.pt(settings.EXPORT_TEXT_PX["badge"] * k), weight="bold", color=text
            ),
        )
        if look.get("struck"):
            ax.add_line(
                Line2D(
                    [x + 4 * k, x + (_SWATCH - 4) * k], [y, y], color=text, linewidth=units.pt(1.3)
                )
            )

    return draw


def _symbol(svg: str) -> Swatch:
    def draw(ax: Axes, units: Units, x: float, y: float, k: float) -> None:
        from export import app6

        app6.draw_swatch(ax, units, svg, x + 1 * k, y, height=30 * k)

    return draw


def _edge(ax: Axes, units: Units, x: float, y: float, k: float) -> None:
    ax.add_line(Line2D([x + 30 * k, x + 30 * k], [y - 11 * k, y + 11 * k], color=_TEXT, lw=1))
    ax.add_line(Line2D([x + 2 * k, x + 30 * k], [y + 6 * k, y + 6 * k], color=_TEXT, lw=1.2))
    _badge("ABC", _TEXT, "active")(ax, units, x - 2 * k, y - 3 * k, k * 0.8)


def _selected(ax: Axes, units: Units, x: float, y: float, k: float) -> None:
    _dot(settings.DEPLOYMENT_STYLE, radius=9)(ax, units, x, y, k)
    ring = {
        "color": settings.SELECTED_STYLE["color"],
        "weight": settings.SELECTED_STYLE["weight"],
        "fillOpacity": 0.0,
    }
    ax.add_patch(Circle((x + 17 * k, y), 14 * k, **area(ring, units)))


def _figure(ax: Axes, units: Units, x: float, y: float, k: float) -> None:
    _dot(settings.DEPLOYMENT_STYLE, radius=11)(ax, units, x, y, k)
    ax.text(
        x + 17 * k,
        y,
        "13",
        ha="center",
        va="center_baseline",
        **text_kwargs(
            units.pt(settings.EXPORT_TEXT_PX["figure"] * k),
            weight="bold",
            color=str(settings.DEPLOYMENT_STYLE["color"]),
        ),
    )


def _leader(ax: Axes, units: Units, x: float, y: float, k: float) -> None:
    style = settings.EXPORT_LEADER_STYLE
    ax.add_line(Line2D([x + 3 * k, x + 22 * k], [y + 6 * k, y - 4 * k], **stroke(style, units)))
    dot = {"color": style["color"], "fillColor": style["color"], "weight": 0}
    ax.add_patch(Circle((x + 3 * k, y + 6 * k), 2.5 * k, **circle(dot, units)))
    _dot(settings.DEPLOYMENT_STYLE, radius=6)(ax, units, x + 9 * k, y - 6 * k, k)


def sections(drawn: Drawn) -> list[tuple[str, list[Entry]]]:
    """The legend's titled sections for what the map shows, in the map's layer order."""
    from layers import contributions, countries, deployments, events, sea_areas

    out: list[tuple[str, list[Entry]]] = []
    role_text = {
        "host": "Host territory",
        "contributor": "Contributing nation",
        "context": "Other country",
    }
    entries = [
        Entry(
            _rect(settings.COUNTRY_STYLES[role]),
            legend_label(countries.legend(), settings.COUNTRY_STYLES[role], role_text[role]),
        )
        for role in ("host", "contributor", "context")
        if role in drawn.roles
    ]
    if entries:
        out.append((countries.TITLE, entries))
    sea_text = {"active": "Naval deployment in view", "inactive": "Sea area (indicative)"}
    entries = [
        Entry(
            _rect(settings.SEA_AREA_STYLES[key]),
            legend_label(sea_areas.legend(), settings.SEA_AREA_STYLES[key], sea_text[key]),
        )
        for key in ("active", "inactive")
        if key in drawn.seas
    ]
    if entries:
        out.append((sea_areas.TITLE, entries))
    if drawn.overlays:
        out.append(("Your layers", [Entry(_rect(settings.OVERLAY_STYLE), "Your uploaded layers")]))
    entries = [
        Entry(_dot(style), settings.SITE_KIND_LABELS.get(kind, kind))
        for kind, style in settings.SITE_STYLES.items()
        if kind in drawn.site_kinds
    ]
    if drawn.quiet_sites:
        entries.append(Entry(_dot(settings.QUIET_SITE_STYLE), "Other site (context)"))
    if entries:
        out.append(("Sites", entries))
    entries = []
    if drawn.deployments and not drawn.app6:
        core = legend_label(
            deployments.legend(),
            settings.DEPLOYMENT_STYLE,
            "Site with deployments (size: personnel where stated)",
        )
        entries.append(Entry(_dot(settings.DEPLOYMENT_STYLE, radius=11), core))
    if drawn.figures and not drawn.app6:
        entries.append(Entry(_figure, "Number in a marker: personnel, where the sources state it"))
    if drawn.app6:
        from export import app6

        for label, svg in app6.legend_entries(drawn.app6):
            entries.append(Entry(_symbol(svg), label))
    status_text = {
        "active": "Nation badge: active",
        "announced": "Nation badge: announced (dashed)",
        "ended": "Nation badge: ended (faded)",
        "declined": "Nation badge: declined (struck)",
    }
    for status in settings.BADGE_STYLES:
        if status in drawn.badge_statuses:
            entries.append(Entry(_badge("ABC", _TEXT, status), status_text.get(status, status)))
    if drawn.selected:
        entries.append(Entry(_selected, "Selected site"))
    if drawn.leaders:
        entries.append(Entry(_leader, "Marker moved aside: line to its site"))
    if entries:
        out.append((deployments.TITLE, entries))
    entries = [
        Entry(
            _line({"color": _TEXT, **settings.CONTRIBUTION_STYLES[status]}),
            f"Contribution ({status})",
        )
        for status in settings.CONTRIBUTION_STYLES
        if status in drawn.curve_statuses
    ]
    if entries:
        out.append((contributions.TITLE, entries))
    if drawn.edge_badges:
        entries = [Entry(_edge, "Nation out of view: its badge where its line leaves the map")]
        if contributions.TITLE in [title for title, _ in out]:
            dict(out)[contributions.TITLE].extend(entries)
        else:
            out.append((contributions.TITLE, entries))
    if drawn.events:
        label = legend_label(events.legend(), settings.EVENT_STYLE, "Event")
        event_entries = [Entry(_diamond(settings.EVENT_STYLE), label)]
        if drawn.exact_events:
            event_entries.append(
                Entry(_diamond(settings.EVENT_STYLE), "Event at sea: at its reported position")
            )
        out.append((events.TITLE, event_entries))
    if drawn.nations:
        out.append(
            (
                "Nations",
                [
                    Entry(_badge(code, nations.color(code), "active"), nations.name(code))
                    for code in sorted(drawn.nations)
                ],
            )
        )
    return out


def draw_legend(sheet: Sheet, frame: Frame) -> None:
    """Draw the legend panel (its own axes, in slide pixels from its top left)."""
    units = sheet.units
    left, top, right, bottom = frame.panel_box
    width, height = right - left, bottom - top
    ax = sheet.figure.add_axes(
        (left / units.width, 1 - bottom / units.height, width / units.width, height / units.height)
    )
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.set_axis_off()
    ax.add_patch(
        Rectangle(
            (0, 0),
            width,
            height,
            facecolor="#f8f9fa",
            edgecolor="#d5dbe1",
            linewidth=units.pt(1),
        )
    )
    parts = sections(sheet.drawn)
    px = settings.EXPORT_TEXT_PX
    pad = 18.0
    row, head, line_step = px["legend"] * 1.75, px["legend_title"] * 2.1, px["legend"] * 1.2
    layout: list[tuple[str, int, list[tuple[Entry, str, int]]]] = []
    needed = pad * 2
    for title, entries in parts:
        columns = 2 if title == "Nations" and len(entries) > 6 else 1
        text_width = (width - pad * 2) / columns - _SWATCH - _GAP
        wrapped = []
        for entry in entries:
            lines = sheet.wrap(entry.label, text_width, px["legend"])
            wrapped.append((entry, "\n".join(lines), len(lines)))
        layout.append((title, columns, wrapped))
        per_column = (len(wrapped) + columns - 1) // columns
        tallest = [
            row + (n - 1) * line_step for _, _, n in wrapped[:per_column]
        ]  # the first column is the longest
        needed += head + sum(tallest)
    k = min(1.0, max(0.55, (height - 4) / needed)) if needed > 0 else 1.0
    y = pad * k
    for title, columns, wrapped in layout:
        ax.text(
            pad,
            y + head * k * 0.45,
            title,
            ha="left",
            va="center",
            **text_kwargs(units.pt(px["legend_title"] * k), weight="bold"),
        )
        y += head * k
        per_column = (len(wrapped) + columns - 1) // columns
        column_width = (width - pad * 2) / columns
        tops = [y] * columns
        for index, (entry, text, n) in enumerate(wrapped):
            column = index // per_column
            x = pad + column * column_width
            step = (row + (n - 1) * line_step) * k
            cy = tops[column] + step / 2
            entry.swatch(ax, units, x, cy, k)
            ax.text(
                x + (_SWATCH + _GAP) * k,
                cy,
                text,
                ha="left",
                va="center",
                gid="legend",
                linespacing=1.15,
                **text_kwargs(units.pt(px["legend"] * k)),
            )
            tops[column] += step
        y = max(tops)
