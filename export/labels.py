"""Greedy placement of map labels and markers so that they do not overlap.

Everything here is in display pixels of the image, y upwards (matplotlib's display space). A
:class:`Placer` keeps the boxes already taken (markers, badges, labels, the north arrow) and the
lines drawn (contribution and leader lines); each new label tries its candidate positions in
order and takes the first free one. adjustText
would do this iteratively; a map has few labels, and a fixed order of candidates keeps the
result predictable (the same image for the same view).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import shapely

Box = tuple[float, float, float, float]  # x0, y0, x1, y1


def overlap(a: Box, b: Box) -> float:
    """Area shared by two boxes."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return width * height if width > 0 and height > 0 else 0.0


def grow(box: Box, by: float) -> Box:
    """``box`` widened by ``by`` on every side."""
    return (box[0] - by, box[1] - by, box[2] + by, box[3] + by)


def shift(box: Box, dx: float, dy: float) -> Box:
    """``box`` moved by (dx, dy)."""
    return (box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy)


def union(boxes: Iterable[Box]) -> Box:
    """The box around several boxes."""
    listed = list(boxes)
    return (
        min(b[0] for b in listed),
        min(b[1] for b in listed),
        max(b[2] for b in listed),
        max(b[3] for b in listed),
    )


@dataclass(frozen=True)
class Candidate:
    """A position for a label: its box and how the text aligns in it."""

    box: Box
    ha: str  # "left", "center" or "right"
    va: str  # "bottom", "center" or "top"


def around(x: float, y: float, *, width: float, height: float, gap: float) -> list[Candidate]:
    """Candidate boxes of a ``width`` x ``height`` label around the point (x, y), ``gap``
    away from it: right first (as the interactive map), then left, above, below, diagonals."""
    w, h = width, height
    d = gap * 0.8  # diagonal: clear of a round mark of radius ``gap``
    return [
        Candidate((x + gap, y - h / 2, x + gap + w, y + h / 2), "left", "center"),
        Candidate((x - gap - w, y - h / 2, x - gap, y + h / 2), "right", "center"),
        Candidate((x - w / 2, y + gap, x + w / 2, y + gap + h), "center", "bottom"),
        Candidate((x - w / 2, y - gap - h, x + w / 2, y - gap), "center", "top"),
        Candidate((x + d, y + d, x + d + w, y + d + h), "left", "bottom"),
        Candidate((x + d, y - d - h, x + d + w, y - d), "left", "top"),
        Candidate((x - d - w, y + d, x - d, y + d + h), "right", "bottom"),
        Candidate((x - d - w, y - d - h, x - d, y - d), "right", "top"),
    ]


class Placer:
    """The boxes and lines taken so far inside an area, and the choice of a free place.

    Boxes are taken with a clearance (a badge keeps labels a few pixels away, so a label's
    halo never touches it); lines (contribution lines, leader lines) are obstacles too: a
    label takes a place no line crosses where one exists, and otherwise the one the lines
    cross least.
    """

    def __init__(self, area: Box, *, pad: float = 0.0, line_weight: float = 6.0) -> None:
        self.area = area
        self.pad = pad
        self.line_weight = line_weight  # cost of a line crossing a box, per pixel of line
        self.taken: list[Box] = []
        self._lines: list[shapely.LineString] = []
        self._union: shapely.Geometry | None = None

    def take(self, box: Box, *, clear: float = 0.0) -> None:
        """Mark a box as taken (a marker, a badge row, a placed label), with ``clear`` pixels
        around it that no label may enter."""
        self.taken.append(grow(box, clear) if clear else box)

    def take_line(self, xy: Sequence[tuple[float, float]] | np.ndarray) -> None:
        """Mark a polyline (display pixels) as an obstacle for labels."""
        points = np.asarray(xy, dtype=float)
        if len(points) >= 2:
            self._lines.append(shapely.LineString(points))
            self._union = None

    def crossing(self, box: Box) -> float:
        """Length in pixels of the taken lines inside ``box``."""
        if not self._lines:
            return 0.0
        if self._union is None:
            self._union = shapely.union_all(self._lines)
            shapely.prepare(self._union)
        rect = shapely.box(*box)
        if not shapely.intersects(self._union, rect):
            return 0.0
        return float(shapely.intersection(self._union, rect).length)

    def inside(self, box: Box) -> bool:
        """Whether the box lies within the area."""
        a = self.area
        return box[0] >= a[0] and box[1] >= a[1] and box[2] <= a[2] and box[3] <= a[3]

    def cost(self, box: Box, *, lines: bool = True) -> float:
        """Area of ``box`` (grown by the padding) over taken boxes or outside the area, plus
        the lines crossing it (``line_weight`` per pixel of line) when ``lines``."""
        padded = grow(box, self.pad)
        total = sum(overlap(padded, other) for other in self.taken)
        width, height = box[2] - box[0], box[3] - box[1]
        total += width * height - overlap(box, self.area)
        if lines:
            total += self.line_weight * self.crossing(box)
        return total

    def choose(
        self,
        candidates: Sequence[Candidate],
        *,
        force: bool,
        lines: bool = True,
        cross: bool = False,
    ) -> Candidate | None:
        """A place for a label, taken: the first free candidate (clear of taken boxes and,
        with ``lines``, of lines); else, with ``cross``, the candidate clear of boxes that
        lines cross least; else, with ``force``, the least covered one inside the area; else
        None."""
        best: Candidate | None = None
        best_cost = float("inf")
        crossed: Candidate | None = None
        least = float("inf")
        for candidate in candidates:
            boxes = self.cost(candidate.box, lines=False)
            length = self.crossing(candidate.box) if lines and boxes <= 0 else 0.0
            if boxes <= 0 and length <= 0:
                self.take(candidate.box)
                return candidate
            if boxes <= 0 and length < least:
                crossed, least = candidate, length
            cost = boxes + self.line_weight * length
            if force and self.inside(candidate.box) and cost < best_cost:
                best, best_cost = candidate, cost
        chosen = crossed if cross and crossed is not None else best
        if chosen is not None:
            self.take(chosen.box)
        return chosen


def wrap_words(text: str, too_wide: Callable[[str], bool]) -> list[str]:
    """``text`` broken at spaces into lines, each paragraph on its own, a line ending before
    the word that would make it ``too_wide`` (a single long word keeps its own line)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            trial = f"{line} {word}" if line else word
            if line and too_wide(trial):
                lines.append(line)
                line = word
            else:
                line = trial
        lines.append(line)
    return lines
