"""Greedy placement of map labels and markers so that they do not overlap.

Everything here is in display pixels of the image, y upwards (matplotlib's display space). A
:class:`Placer` keeps the boxes already taken (markers, badges, labels, the north arrow); each
new label tries its candidate positions in order and takes the first free one. adjustText
would do this iteratively; a map has few labels, and a fixed order of candidates keeps the
result predictable (the same image for the same view).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

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
    """The boxes taken so far inside an area, and the choice of a free one."""

    def __init__(self, area: Box, *, pad: float = 0.0) -> None:
        self.area = area
        self.pad = pad
        self.taken: list[Box] = []

    def take(self, box: Box) -> None:
        """Mark a box as taken (a marker, a badge row, a placed label)."""
        self.taken.append(box)

    def inside(self, box: Box) -> bool:
        """Whether the box lies within the area."""
        a = self.area
        return box[0] >= a[0] and box[1] >= a[1] and box[2] <= a[2] and box[3] <= a[3]

    def cost(self, box: Box) -> float:
        """Area of ``box`` (grown by the padding) over taken boxes or outside the area."""
        padded = grow(box, self.pad)
        total = sum(overlap(padded, other) for other in self.taken)
        width, height = box[2] - box[0], box[3] - box[1]
        return total + width * height - overlap(box, self.area)

    def choose(self, candidates: Sequence[Candidate], *, force: bool) -> Candidate | None:
        """The first free candidate, taken; else, with ``force``, the least covered one
        inside the area (or None)."""
        best: Candidate | None = None
        best_cost = float("inf")
        for candidate in candidates:
            cost = self.cost(candidate.box)
            if cost <= 0:
                self.take(candidate.box)
                return candidate
            if force and self.inside(candidate.box) and cost < best_cost:
                best, best_cost = candidate, cost
        if best is not None:
            self.take(best.box)
        return best


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
