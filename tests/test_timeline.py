"""The Gantt-style timeline of deployments and events: its Vega-Lite spec, read with to_dict()."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import altair as alt
import numpy as np
import pandas as pd
import pytest

from charts import timeline_chart
from charts.timeline import EMPTY_TEXT, EVENTS_LANE, FALLBACK_COLOR, STATUS_ORDER
from geo import nations, settings, summary, tables

WINDOW = (dt.date(2026, 1, 1), dt.date(2026, 1, 31))
LABELS = {"BEL": "🇧🇪 Belgium", "DEU": "🇩🇪 Germany", "FRA": "🇫🇷 France"}
COLORS = {"BEL": "#c8102e", "DEU": "#1f1f1f", "FRA": "#1d4fa0"}
TITLES = {"src-1": "Missions on the eastern flank (Belgian Defence)"}
HOSTILE = ("<img src=x onerror=alert(1)>", "${alert(1)}")
# Every field the chart data may have: the spec must name no other.
FIELDS = {
    "kind", "order", "row", "color", "status", "x0", "x1", "xm", "selected", "period",
    "personnel", "assets", "source", "count", "open_start", "ongoing", "title", "date",
    "place", "span", "yoff", "text", "day",
}  # fmt: skip


def _days(values: list[str | None]) -> pd.Series:
    return pd.to_datetime(pd.Series(values, dtype=object)).astype(np.dtype(settings.DATE_DTYPE))


def _deployments(*rows: dict[str, Any]) -> pd.DataFrame:
    """Deployments joined to sites, as the app passes them; each row overrides the defaults."""
    defaults: dict[str, Any] = {
        "id": "",
        "nation": "BEL",
        "mission": "Baltic Air Policing",
        "site": "siauliai",
        "site_name": "Šiauliai Air Base",
        "date_precision": "day",
        "personnel": None,
        "assets": "F-16",
        "domain": "air",
        "status": "active",
        "source": "src-1",
        "also_sources": (),
        "start_day": None,
        "end_day": None,
    }
    filled = [{**defaults, "id": f"d{n}", **row} for n, row in enumerate(rows)]
    df = pd.DataFrame(filled, columns=list(defaults))
    df["personnel"] = pd.array(df["personnel"].tolist(), dtype="Int64")
    df["start_day"] = _days(df["start_day"].tolist())
    df["end_day"] = _days(df["end_day"].tolist())
    return df


def _events(*rows: dict[str, Any]) -> pd.DataFrame:
    """Events as :func:`geo.tables.load_events` returns them (start_day/end_day per precision)."""
    defaults: dict[str, Any] = {
        "id": "",
        "date": "2026-01-14",
        "date_precision": "day",
        "title": "Talks in Washington",
        "place": "Washington, D.C.",
        "site": "",
        "source": "src-1",
        "note": "",
    }
    df = pd.DataFrame(
        [{**defaults, "id": f"e{n}", **row} for n, row in enumerate(rows)], columns=list(defaults)
    )
    df["date"] = _days(df["date"].tolist())
    starts, ends = [], []
    for day, precision in zip(df["date"], df["date_precision"], strict=True):
        offset = {"day": pd.offsets.Day(0), "month": pd.offsets.MonthEnd(0)}
        ends.append(day + offset.get(precision, pd.offsets.YearEnd(0)))
        starts.append(day)
    df["start_day"], df["end_day"] = _days(starts), _days(ends)
    return df


NO_EVENTS = _events().iloc[0:0]


def _chart(
    deployments: pd.DataFrame,
    events: pd.DataFrame = NO_EVENTS,
    **overrides: Any,
) -> alt.LayerChart | alt.VConcatChart:
    arguments: dict[str, Any] = {
        "window": WINDOW,
        "marker": None,
        "labels": LABELS,
        "colors": COLORS,
        "source_titles": TITLES,
        **overrides,
    }
    return timeline_chart(deployments, events, **arguments)


def _spec(chart: alt.LayerChart | alt.VConcatChart) -> dict[str, Any]:
    return chart.to_dict()


def _records(spec: dict[str, Any], kind: str | None = None) -> list[dict[str, Any]]:
    """The chart's rows (the layer chart's inline data), optionally of one kind."""
    rows: list[dict[str, Any]] = spec["data"]["values"]
    return [row for row in rows if kind is None or row["kind"] == kind]


def _layers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return list(spec["layer"])


def _mark(layer: dict[str, Any]) -> str:
    mark = layer["mark"]
    return str(mark["type"] if isinstance(mark, dict) else mark)


def _filters(layer: dict[str, Any]) -> list[dict[str, Any]]:
    return [step["filter"] for step in layer.get("transform", []) if "filter" in step]


def _walk(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every (path, value) in a JSON tree; list items get the path of their list."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, (*path, str(key)))
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item, path)
    else:
        yield path, node


# --- bars and the window -----------------------------------------------------------------------


def test_bar_is_clipped_to_the_window() -> None:
    deployments = _deployments({"start_day": "2025-06-01", "end_day": "2026-06-30"})

    (bar,) = _records(_spec(_chart(deployments)), "bar")

    # A bar covers whole days: from the first day's start to the end of the last.
    assert (bar["x0"], bar["x1"]) == ("2026-01-01", "2026-02-01")
    assert bar["period"] == "2025-06-01 – 2026-06-30"


def test_bar_inside_the_window_keeps_its_own_days() -> None:
    deployments = _deployments({"start_day": "2026-01-15", "end_day": "2026-01-17"})

    (bar,) = _records(_spec(_chart(deployments)), "bar")

    assert (bar["x0"], bar["x1"]) == ("2026-01-15", "2026-01-18")


def test_deployment_entirely_outside_the_window_is_dropped() -> None:
    deployments = _deployments(
        {"mission": "Before", "start_day": "2025-01-01", "end_day": "2025-12-31"},
        {"mission": "After", "start_day": "2026-02-01"},
        {"mission": "Inside", "start_day": "2026-01-31", "end_day": "2026-01-31"},
    )

    bars = _records(_spec(_chart(deployments)), "bar")

    assert [bar["row"] for bar in bars] == ["🇧🇪 Belgium · Inside · Šiauliai Air Base"]


def test_unstated_start_draws_from_the_window_start_and_is_marked() -> None:
    deployments = _deployments({"start_day": None, "end_day": "2026-01-20"})

    spec = _spec(_chart(deployments))

    (bar,) = _records(spec, "bar")
    assert bar["x0"] == "2026-01-01"
    assert bar["open_start"] == "start not stated"
    assert "ongoing" not in bar
    assert bar["period"] == "start not stated – 2026-01-20"
    arrows = [
        layer
        for layer in _layers(spec)
        if {"field": "open_start", "equal": "start not stated"} in _filters(layer)
    ]
    assert len(arrows) == 1
    assert arrows[0]["encoding"]["x"]["field"] == "x0"
    assert arrows[0]["encoding"]["shape"]["scale"]["range"] == ["triangle-left", "triangle-right"]


def test_ongoing_deployment_runs_to_the_window_end_and_is_marked() -> None:
    deployments = _deployments({"start_day": "2014-01-01", "date_precision": "year"})

    spec = _spec(_chart(deployments))

    (bar,) = _records(spec, "bar")
    assert (bar["x0"], bar["x1"]) == ("2026-01-01", "2026-02-01")
    assert bar["ongoing"] == "ongoing"
    assert bar["period"] == "2014 – ongoing"
    arrows = [
        layer
        for layer in _layers(spec)
        if {"field": "ongoing", "equal": "ongoing"} in _filters(layer)
    ]
    assert [layer["encoding"]["x"]["field"] for layer in arrows] == ["x1"]


def test_stated_dates_draw_no_open_end_arrows() -> None:
    deployments = _deployments({"start_day": "2026-01-05", "end_day": "2026-01-09"})

    spec = _spec(_chart(deployments))

    assert not [layer for layer in _layers(spec) if "shape" in layer["encoding"]]


def test_x_axis_spans_exactly_the_window_in_utc() -> None:
    spec = _spec(_chart(_deployments({"start_day": "2026-01-10"})))

    scales = [layer["encoding"]["x"]["scale"] for layer in _layers(spec)]

    assert {scale["type"] for scale in scales} == {"utc"}
    (domain,) = [scale["domain"] for scale in scales if "domain" in scale]
    assert domain == [
        {"year": 2026, "month": 1, "date": 1, "utc": True},
        {"year": 2026, "month": 2, "date": 1, "utc": True},
    ]


def test_dates_in_the_data_are_iso_strings() -> None:
    spec = _spec(
        _chart(
            _deployments({"start_day": "2026-01-10", "end_day": "2026-01-12"}),
            _events({"date": "2026-01-14"}),
            marker=dt.date(2026, 1, 20),
        )
    )

    rows = _records(spec) + [
        row for layer in _layers(spec) for row in layer.get("data", {}).get("values", [])
    ]
    for row in rows:
        for field in ("x0", "x1"):
            if field in row:
                assert dt.date.fromisoformat(row[field])
        if "xm" in row:
            assert dt.datetime.fromisoformat(row["xm"]).tzinfo == dt.UTC


def test_window_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError, match="ends"):
        _chart(_deployments({}), window=(dt.date(2026, 2, 1), dt.date(2026, 1, 1)))


# --- rows: labels, order, colour, status, selection --------------------------------------------


def test_row_label_is_flag_and_nation_mission_and_site_name() -> None:
    (bar,) = _records(_spec(_chart(_deployments({}))), "bar")

    assert bar["row"] == "🇧🇪 Belgium · Baltic Air Policing · Šiauliai Air Base"


def test_row_label_falls_back_to_the_code_and_the_site_id() -> None:
    deployments = _deployments({"nation": "NOR", "site_name": "", "site": "bardufoss"})

    (bar,) = _records(_spec(_chart(deployments)), "bar")

    assert bar["row"] == "NOR · Baltic Air Policing · bardufoss"


def test_rows_sharing_a_label_are_told_apart_by_status() -> None:
    deployments = _deployments(
        {"status": "declined", "start_day": "2026-01-15", "end_day": "2026-01-15"},
        {"status": "announced", "start_day": "2026-01-19"},
    )

    rows = [bar["row"] for bar in _records(_spec(_chart(deployments)), "bar")]

    assert rows == [
        "🇧🇪 Belgium · Baltic Air Policing · Šiauliai Air Base · declined",
        "🇧🇪 Belgium · Baltic Air Policing · Šiauliai Air Base · announced",
    ]


def test_rows_are_sorted_by_nation_name_then_start() -> None:
    deployments = _deployments(
        {"nation": "FRA", "mission": "F", "start_day": "2026-01-02"},
        {"nation": "DEU", "mission": "D late", "start_day": "2026-01-20"},
        {"nation": "BEL", "mission": "B", "start_day": "2026-01-05"},
        {"nation": "DEU", "mission": "D early", "start_day": "2026-01-03"},
        {"nation": "DEU", "mission": "D unstated", "start_day": None},
    )

    spec = _spec(_chart(deployments))

    bars = sorted(_records(spec, "bar"), key=lambda bar: bar["order"])
    missions = [bar["row"].split(" · ")[1] for bar in bars]
    # Belgium, France, Germany by name (not BEL, DEU, FRA); an unstated start first.
    assert missions == ["B", "F", "D unstated", "D early", "D late"]
    y = _layers(spec)[0]["encoding"]["y"]
    assert y["field"] == "row"
    assert y["sort"] == {"field": "order", "op": "min"}


def test_bars_take_their_nation_colour_and_unknown_or_odd_colours_fall_back() -> None:
    deployments = _deployments({"nation": "BEL"}, {"nation": "NOR"}, {"nation": "DEU"})
    colors = {"BEL": "#c8102e", "DEU": "red; stroke: url(javascript:alert(1))"}

    bars = _records(_spec(_chart(deployments, colors=colors)), "bar")

    by_nation = {bar["row"].split(" · ")[0]: bar["color"] for bar in bars}
    assert by_nation == {
        "🇧🇪 Belgium": "#c8102e",
        "NOR": FALLBACK_COLOR,
        "🇩🇪 Germany": FALLBACK_COLOR,
    }


def test_status_sets_opacity_and_outline_dash_with_one_legend() -> None:
    deployments = _deployments({"status": "active"}, {"status": "declined", "mission": "Other"})

    spec = _spec(_chart(deployments))

    (bars,) = [layer for layer in _layers(spec) if _mark(layer) == "bar"]
    opacity, dash = bars["encoding"]["opacity"], bars["encoding"]["strokeDash"]
    assert opacity["field"] == dash["field"] == "status"
    assert opacity["scale"]["domain"] == dash["scale"]["domain"] == list(STATUS_ORDER)
    active, announced, _, declined = opacity["scale"]["range"]
    assert active > announced > declined
    assert dash["scale"]["range"][0] == [1, 0]  # active: solid
    assert len({tuple(pattern) for pattern in dash["scale"]["range"]}) == len(STATUS_ORDER)
    assert opacity["title"] == dash["title"] == "Status"
    assert {bar["status"] for bar in _records(spec, "bar")} == {"active", "declined"}


def test_rows_at_the_selected_site_are_outlined() -> None:
    deployments = _deployments(
        {"site": "nuuk", "site_name": "Nuuk", "mission": "A"},
        {"site": "siauliai", "mission": "B"},
    )

    spec = _spec(_chart(deployments, selected_site="nuuk"))

    selected = {bar["row"]: bar["selected"] for bar in _records(spec, "bar")}
    assert selected == {
        "🇧🇪 Belgium · A · Nuuk": True,
        "🇧🇪 Belgium · B · Šiauliai Air Base": False,
    }
    (bars,) = [layer for layer in _layers(spec) if _mark(layer) == "bar"]
    width = bars["encoding"]["strokeWidth"]
    assert width["condition"][0]["test"] == {"field": "selected", "equal": True}
    assert width["condition"][0]["value"] > width["value"]


def test_bar_tooltip_is_plain_text_fields() -> None:
    deployments = _deployments(
        {"personnel": 13, "also_sources": ("src-2",), "start_day": "2026-01-15"}
    )

    spec = _spec(_chart(deployments))

    (bar,) = _records(spec, "bar")
    assert bar["personnel"] == "13"
    assert bar["source"] == "Missions on the eastern flank (Belgian Defence) (+1 more)"
    (bars,) = [layer for layer in _layers(spec) if _mark(layer) == "bar"]
    titles = [item["title"] for item in bars["encoding"]["tooltip"]]
    assert titles == [
        "Deployment",
        "Status",
        "Period",
        "Personnel",
        "Assets",
        "Deployments",
        "Source",
    ]


# --- events --------------------------------------------------------------------------------------


def test_events_lane_is_the_top_row_with_a_point_per_event() -> None:
    events = _events(
        {"title": "One", "date": "2026-01-14"},
        {"title": "Two", "date": "2026-01-14"},
        {"title": "Three", "date": "2026-01-20"},
    )

    spec = _spec(_chart(_deployments({}), events))

    marks = _records(spec, "event")
    assert [mark["title"] for mark in marks] == ["One", "Two", "Three"]
    assert {mark["row"] for mark in marks} == {EVENTS_LANE}
    assert {mark["order"] for mark in marks} == {-1}  # above every deployment (order >= 0)
    # Events of one day are spread across the lane so each keeps its own tooltip.
    assert marks[0]["yoff"] != marks[1]["yoff"]
    assert marks[0]["xm"] == "2026-01-14T12:00:00Z"
    (points,) = [
        layer for layer in _layers(spec) if {"field": "kind", "equal": "event"} in _filters(layer)
    ]
    assert points["mark"]["shape"] == "diamond"
    assert [item["title"] for item in points["encoding"]["tooltip"]] == [
        "Event",
        "Date",
        "Place",
        "Source",
    ]


def test_event_date_is_as_precise_as_its_source() -> None:
    events = _events(
        {"title": "Day", "date": "2026-01-14", "date_precision": "day"},
        {"title": "Month", "date": "2025-12-01", "date_precision": "month"},
        {"title": "Year", "date": "2025-01-01", "date_precision": "year"},
    )

    marks = _records(
        _spec(_chart(_deployments({}), events, window=(dt.date(2025, 1, 1), dt.date(2026, 1, 31)))),
        "event",
    )

    dates = {mark["title"]: mark["date"] for mark in marks}
    assert dates == {"Day": "2026-01-14", "Month": "2025-12", "Year": "2025"}
    spans = {mark["title"]: (mark.get("x0"), mark.get("x1")) for mark in marks}
    assert spans["Month"] == ("2025-12-01", "2026-01-01")
    assert spans["Day"] == (None, None)


def test_event_tooltip_names_its_source_by_title_and_its_place() -> None:
    (mark,) = _records(_spec(_chart(_deployments({}), _events({"place": ""}))), "event")

    assert mark["source"] == "Missions on the eastern flank (Belgian Defence)"
    assert mark["place"] == "not stated"


def test_events_outside_the_window_are_left_out() -> None:
    events = _events({"title": "Old", "date": "2014-01-01", "date_precision": "year"})

    spec = _spec(_chart(_deployments({}), events))

    assert _records(spec, "event") == []
    (lane,) = _records(spec, "lane")
    assert lane["row"] == EVENTS_LANE
    assert lane["text"] == "no events in this period"


def test_events_alone_make_a_chart() -> None:
    spec = _spec(_chart(_deployments(), _events({})))

    assert len(_records(spec, "event")) == 1
    assert _records(spec, "bar") == []


# --- marker --------------------------------------------------------------------------------------


def test_as_of_day_draws_a_rule_at_that_day() -> None:
    spec = _spec(_chart(_deployments({}), marker=dt.date(2026, 1, 20)))

    (rule,) = [layer for layer in _layers(spec) if _mark(layer) == "rule"]
    assert rule["data"]["values"] == [{"xm": "2026-01-20T12:00:00Z", "day": "2026-01-20"}]
    assert rule["encoding"]["x"]["field"] == "xm"
    assert _layers(spec)[-1] is rule  # drawn over the bars


def test_period_draws_a_band_over_its_days() -> None:
    marker = (dt.date(2026, 1, 10), dt.date(2026, 1, 12))

    spec = _spec(_chart(_deployments({}), marker=marker))

    (band,) = [layer for layer in _layers(spec) if _mark(layer) == "rect"]
    (values,) = band["data"]["values"]
    assert (values["x0"], values["x1"]) == ("2026-01-10", "2026-01-13")
    assert _layers(spec)[0] is band  # drawn under the bars
    assert not [layer for layer in _layers(spec) if _mark(layer) == "rule"]


def test_no_marker_draws_neither_rule_nor_band() -> None:
    spec = _spec(_chart(_deployments({}), marker=None))

    assert {_mark(layer) for layer in _layers(spec)} <= {"bar", "point", "text"}


def test_marker_outside_the_window_draws_nothing() -> None:
    spec = _spec(_chart(_deployments({}), marker=dt.date(2025, 6, 1)))

    assert not [layer for layer in _layers(spec) if _mark(layer) in ("rule", "rect")]


# --- size ----------------------------------------------------------------------------------------


def test_height_is_rows_times_height_per_row_including_the_events_lane() -> None:
    deployments = _deployments({"mission": "A"}, {"mission": "B"}, {"mission": "C"})

    spec = _spec(_chart(deployments, height_per_row=30))

    assert spec["height"] == (3 + 1) * 30
    assert spec["width"] == "container"


def test_more_than_max_rows_are_merged_per_nation_and_mission() -> None:
    deployments = _deployments(
        {"site": "a", "site_name": "A", "start_day": "2026-01-10", "end_day": "2026-01-12",
         "status": "declined", "personnel": 3},
        {"site": "b", "site_name": "B", "start_day": "2026-01-05", "end_day": "2026-01-08",
         "status": "active", "personnel": 4},
        {"site": "c", "site_name": "C", "start_day": "2026-01-20", "status": "announced"},
        {"nation": "DEU", "mission": "Other", "start_day": "2026-01-02", "end_day": "2026-01-03"},
    )  # fmt: skip

    spec = _spec(_chart(deployments, max_rows=3))

    bars = _records(spec, "bar")
    assert [bar["row"] for bar in bars] == [
        "🇧🇪 Belgium · 3× Baltic Air Policing · 3 sites",
        "🇩🇪 Germany · Other · Šiauliai Air Base",
    ]
    merged = bars[0]
    assert merged["count"] == 3
    assert (merged["x0"], merged["x1"]) == ("2026-01-05", "2026-02-01")
    assert merged["period"] == "2026-01-05 – ongoing"
    assert merged["ongoing"] == "ongoing"
    assert merged["status"] == "active"  # the most current of the three
    assert merged["personnel"] == "7 (stated for 2 of 3)"
    assert _records(spec, "note") == []


def test_still_too_many_rows_keeps_the_first_and_says_how_many_more() -> None:
    deployments = _deployments(*({"mission": f"M{n:02d}"} for n in range(10)))

    spec = _spec(_chart(deployments, max_rows=4))

    assert [bar["row"].split(" · ")[1] for bar in _records(spec, "bar")] == [
        "M00",
        "M01",
        "M02",
        "M03",
    ]
    (note,) = _records(spec, "note")
    assert note["row"] == "… and 6 more"
    assert note["order"] > max(bar["order"] for bar in _records(spec, "bar"))
    assert spec["height"] == (4 + 1 + 1) * 22


def test_hundred_thousand_rows_make_a_small_spec() -> None:
    rng = np.random.default_rng(7)
    n = 100_000
    start = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 2000, n), unit="D")
    end = (start + pd.to_timedelta(rng.integers(0, 400, n), unit="D")).where(rng.random(n) > 0.3)
    deployments = pd.DataFrame(
        {
            "nation": rng.choice(["BEL", "DEU", "FRA", "NLD", "NOR", "SWE", "GBR", "USA"], n),
            "mission": [f"Mission {i % 700} " + "x" * 40 for i in range(n)],
            "site": [f"site-{i % 50}" for i in range(n)],
            "site_name": [f"Site {i % 50}" for i in range(n)],
            "status": rng.choice(list(STATUS_ORDER), n),
            "start_day": start.where(rng.random(n) > 0.1),
            "end_day": end,
            "date_precision": "day",
            "personnel": pd.array(rng.integers(0, 500, n), dtype="Int64"),
            "assets": "y" * 200,
            "source": "src-1",
            "also_sources": [()] * n,
        }
    )

    spec = _spec(
        _chart(
            deployments,
            window=(dt.date(2021, 1, 1), dt.date(2024, 12, 31)),
            marker=dt.date(2023, 1, 1),
        )
    )

    assert len(json.dumps(spec)) < 60_000
    assert len(_records(spec, "bar")) == 60
    (note,) = _records(spec, "note")
    assert note["row"].startswith("… and ")


# --- safety --------------------------------------------------------------------------------------


def test_hostile_strings_appear_only_as_data_values() -> None:
    img, template = HOSTILE
    deployments = _deployments(
        {"mission": img, "site_name": template, "assets": img, "source": template},
        {"nation": template, "mission": template, "status": img, "site": img, "site_name": ""},
    )
    events = _events({"title": img, "place": template, "source": img})
    labels = {"BEL": img, template: template}

    spec = _spec(
        _chart(
            deployments,
            events,
            labels=labels,
            source_titles={template: img},
            selected_site=img,
            marker=dt.date(2026, 1, 14),
        )
    )

    found = [(path, value) for path, value in _walk(spec) if any(h in str(value) for h in HOSTILE)]
    assert found  # they are shown...
    assert {path for path, _ in found} <= {("data", "values", key) for key in FIELDS}  # ...as data
    fields = {value for path, value in _walk(spec["layer"]) if path and path[-1] == "field"}
    assert fields <= FIELDS
    serialised = json.dumps(spec)
    for word in ("expr", "calculate", "labelExpr", "signal"):
        assert f'"{word}"' not in serialised


def test_inputs_are_not_modified() -> None:
    deployments = _deployments({"start_day": None}, {"mission": "B", "start_day": "2026-01-05"})
    events = _events({})
    before = (deployments.copy(deep=True), events.copy(deep=True))

    _chart(deployments, events, max_rows=1, selected_site="siauliai")

    pd.testing.assert_frame_equal(deployments, before[0])
    pd.testing.assert_frame_equal(events, before[1])


def test_spec_is_strict_json() -> None:
    spec = _spec(_chart(_deployments({"personnel": None}), _events({})))

    json.dumps(spec, allow_nan=False)


# --- empty ---------------------------------------------------------------------------------------


def test_empty_input_says_nothing_in_this_period() -> None:
    spec = _spec(_chart(_deployments(), NO_EVENTS, marker=dt.date(2026, 1, 20)))

    texts = [value for path, value in _walk(spec) if path[-1:] == ("text",)]
    assert texts == [EMPTY_TEXT]
    assert spec["width"] == "container"


def test_nothing_in_the_window_says_nothing_in_this_period() -> None:
    deployments = _deployments({"start_day": "2020-01-01", "end_day": "2020-12-31"})

    spec = _spec(_chart(deployments, _events({"date": "2019-05-01"})))

    assert [value for path, value in _walk(spec) if path[-1:] == ("text",)] == [EMPTY_TEXT]


# --- real data -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real() -> dict[str, Any]:
    """The bundled data, loaded and joined as the app does, with the app's labels and colours."""
    sources = tables.load_sources(settings.SOURCES_PATH)
    sites = tables.load_sites(settings.SITES_PATH)
    deployments = tables.load_deployments(settings.DEPLOYMENTS_PATH, sites=sites, sources=sources)
    codes = sorted(set(deployments["nation"]))
    return {
        "deployments": tables.join_sites(deployments, sites),
        "events": tables.load_events(settings.EVENTS_PATH, sites=sites, sources=sources),
        "labels": {code: nations.label(code) for code in codes},
        "colors": {code: nations.color(code) for code in codes},
        "source_titles": summary.source_titles(sources),
    }


def test_real_data_over_all_time_has_a_row_per_deployment_and_every_event(
    real: dict[str, Any],
) -> None:
    first, last = summary.date_bounds(real["deployments"], real["events"])

    chart = timeline_chart(
        real["deployments"],
        real["events"],
        window=(first, last),
        marker=(dt.date(2014, 1, 1), dt.date(2014, 12, 31)),
        labels=real["labels"],
        colors=real["colors"],
        source_titles=real["source_titles"],
    )

    spec = _spec(chart)
    assert len(_records(spec, "bar")) == len(real["deployments"])
    assert len(_records(spec, "event")) == len(real["events"])
    assert {event["date"] for event in _records(spec, "event")} >= {"1951", "2022-09", "2026-01-14"}
    # The battlegroups do not state when they began; Baltic Air Policing goes on.
    unstated = [bar for bar in _records(spec, "bar") if "open_start" in bar]
    assert unstated and all(bar["x0"] == first.isoformat() for bar in unstated)
    assert any(bar["period"] == "2004 – ongoing" for bar in _records(spec, "bar"))


def test_real_data_as_of_a_day_outlines_the_selected_site(real: dict[str, Any]) -> None:
    day = dt.date(2026, 1, 20)

    chart = timeline_chart(
        real["deployments"],
        real["events"],
        window=(day - dt.timedelta(days=45), day + dt.timedelta(days=15)),
        marker=day,
        labels=real["labels"],
        colors=real["colors"],
        source_titles=real["source_titles"],
        selected_site="nuuk",
    )

    spec = _spec(chart)
    (nuuk,) = [bar for bar in _records(spec, "bar") if bar["selected"]]
    assert nuuk["row"] == "🇩🇪 Germany · Greenland reconnaissance · Nuuk"
    assert nuuk["period"] == "2026-01-15 – 2026-01-17"
    assert [
        layer["data"]["values"][0]["day"] for layer in _layers(spec) if _mark(layer) == "rule"
    ] == ["2026-01-20"]
    assert len(json.dumps(spec)) < 60_000
