"""Label placement (export/labels.py): boxes and lines taken, the choice of a free place."""

from __future__ import annotations

from export import labels
from export.labels import Candidate


def _candidates() -> list[Candidate]:
    # Right of the point (10, 10), then left of it.
    return [
        Candidate((20.0, 5.0, 60.0, 15.0), "left", "center"),
        Candidate((-40.0, 5.0, 0.0, 15.0), "right", "center"),
    ]


def _side(chosen: Candidate | None) -> str:
    assert chosen is not None
    return "right" if chosen.box[0] > 10 else "left"


def test_a_label_takes_the_place_no_line_crosses() -> None:
    placer = labels.Placer((-100.0, -100.0, 100.0, 100.0))
    placer.take_line([(40.0, -50.0), (40.0, 50.0)])  # through the right-hand place
    assert _side(placer.choose(_candidates(), force=True)) == "left"


def test_where_lines_cross_every_place_a_forced_label_takes_the_least_crossed() -> None:
    placer = labels.Placer((-100.0, -100.0, 100.0, 100.0))
    placer.take_line([(40.0, -50.0), (40.0, 50.0)])  # 10 px of line in the right place
    placer.take_line([(-40.0, 0.0), (0.0, 20.0)])  # more in the left place
    assert placer.choose(_candidates(), force=False) is None
    assert _side(placer.choose(_candidates(), force=True)) == "right"


def test_a_name_better_crossed_than_gone_takes_the_least_crossed_place_clear_of_boxes() -> None:
    placer = labels.Placer((-100.0, -100.0, 100.0, 100.0))
    placer.take_line([(40.0, -50.0), (40.0, 50.0)])
    placer.take_line([(-40.0, 0.0), (0.0, 20.0)])
    placer.take((15.0, 0.0, 65.0, 20.0))  # a marker on the right-hand place
    assert _side(placer.choose(_candidates(), force=False, cross=True)) == "left"


def test_a_box_taken_with_a_clearance_keeps_labels_that_far_away() -> None:
    placer = labels.Placer((-100.0, -100.0, 100.0, 100.0))
    placer.take((0.0, 0.0, 10.0, 10.0), clear=6.0)
    assert placer.cost((14.0, 0.0, 30.0, 10.0)) > 0
    assert placer.cost((17.0, 0.0, 30.0, 10.0)) == 0
