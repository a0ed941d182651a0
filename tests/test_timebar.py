"""The time bar's columns (layers/timebar.py) and its browser filter (layers/timebar.js).

Both must show, on any day, the rows geo/filters.py shows: an interval widened to its date's
precision, an unstated start open, both ends inclusive. The browser filter runs here in node.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from geo import filters, settings, tables
from layers import compose, timebar
from layers.base import DataLayer

ROOT = Path(__file__).resolve().parent.parent
NODE = shutil.which("node")
SITE_IDS = ("nuuk", "greenland", "siauliai")
SOURCE_IDS = frozenset({"000_a.txt"})
FIRST = dt.date(2019, 1, 1)
LAST = dt.date(2027, 12, 31)
SPAN = (LAST - FIRST).days

# One node process per call: reads {cols, days} on stdin, prints the positions each day shows.
_NODE_SCRIPT = """
const time = require(process.argv[1]);
let input = "";
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
    const {cols, days} = JSON.parse(input);
    const prep = time.prepare(cols);
    const out = days.map((day) => {
        const rows = time.activeRows(prep, day), events = time.activeEvents(prep, day);
        const view = time.dayView(prep, day);
        return {
            rows: [...rows.keys()].filter((i) => rows[i]),
            events: [...events.keys()].filter((i) => events[i]),
            contributors: cols.nations.filter((_, i) => view.contributors[i]),
            hosts: cols.hosts.filter((_, i) => view.hosts[i]),
        };
    });
    process.stdout.write(JSON.stringify(out));
});
"""


def _aligned(day: dt.date, precision: str) -> dt.date:
    if precision == "month":
        return day.replace(day=1)
    if precision == "year":
        return day.replace(month=1, day=1)
    return day


@st.composite
def _deployment_rows(draw: st.DrawFn) -> pd.DataFrame:
    """Deployments as the table holds them: day, month or year dates, starts not always stated."""
    count = draw(st.integers(min_value=0, max_value=10))
    rows = []
    for number in range(count):
        precision = draw(st.sampled_from(["day", "month", "year"]))
        start = _aligned(FIRST + dt.timedelta(draw(st.integers(0, SPAN))), precision)
        length = draw(st.none() | st.integers(min_value=0, max_value=900))
        end = None if length is None else _aligned(start + dt.timedelta(length), precision)
        stated = draw(st.booleans()) or end is None
        row = {column: "" for column in settings.DEPLOYMENT_COLUMNS}
        row.update(
            id=f"row-{number}",
            nation=draw(st.sampled_from(["BEL", "DEU", "FRA"])),
            mission="Recon",
            site=draw(st.sampled_from(SITE_IDS)),
            host=draw(st.sampled_from(["GRL", "LTU", ""])),
            start=start.isoformat() if stated else "",
            end="" if end is None else end.isoformat(),
            date_precision=precision,
            domain="joint",
            status=draw(st.sampled_from(settings.STATUSES)),
            personnel=draw(st.sampled_from(["", "40", "250"])),
            source="000_a.txt",
        )
        rows.append(row)
    frame = pd.DataFrame(rows, columns=list(settings.DEPLOYMENT_COLUMNS))
    return tables.validate_deployments(frame, site_ids=SITE_IDS, source_ids=SOURCE_IDS)


@st.composite
def _event_rows(draw: st.DrawFn) -> pd.DataFrame:
    """Events with their derived days: one day, a month or a year each."""
    count = draw(st.integers(min_value=0, max_value=6))
    starts, ends, sites = [], [], []
    for _ in range(count):
        precision = draw(st.sampled_from(["day", "month", "year"]))
        first = _aligned(FIRST + dt.timedelta(draw(st.integers(0, SPAN))), precision)
        last = {
            "day": first,
            "month": (pd.Timestamp(first) + pd.offsets.MonthEnd(0)).date(),
            "year": first.replace(month=12, day=31),
        }[precision]
        starts.append(pd.Timestamp(first))
        ends.append(pd.Timestamp(last))
        sites.append(draw(st.sampled_from([*SITE_IDS, ""])))
    return pd.DataFrame(
        {
            "start_day": pd.Series(starts, dtype="datetime64[ns]"),
            "end_day": pd.Series(ends, dtype="datetime64[ns]"),
            "site": pd.Series(sites, dtype=object),
        }
    )


_days = st.lists(st.integers(min_value=-40, max_value=SPAN + 40), min_size=1, max_size=25)


def _on(day_number: int) -> dt.date:
    return FIRST + dt.timedelta(day_number)


def _with_edges(offsets: list[int], cols: dict[str, object]) -> list[int]:
    # Random days rarely fall on an interval's ends: add each end and the days either side.
    first = timebar.day_number(FIRST)
    edges = set(offsets)
    for part in ("rows", "events"):
        columns = cols[part]
        assert isinstance(columns, dict)
        for day in [*columns["s"], *columns["e"]]:
            if day is not None:
                edges.update({day - first - 1, day - first, day - first + 1})
    return sorted(edges)


def _positions(frame: pd.DataFrame, chosen: pd.DataFrame) -> list[int]:
    return [int(position) for position in frame.index.get_indexer(chosen.index)]


def _python_rows(cols: dict[str, object], day: int) -> list[int]:
    # The columns read as the browser reads them, in Python.
    rows = cols["rows"]
    assert isinstance(rows, dict)
    return [
        i
        for i, (s, e, o) in enumerate(zip(rows["s"], rows["e"], rows["o"], strict=True))
        if (o or s is None or s <= day) and (e is None or e >= day)
    ]


def _columns(rows: pd.DataFrame, events: pd.DataFrame) -> dict[str, object]:
    return timebar.time_columns(rows, events, day=FIRST, bounds=(FIRST, LAST))


def _in_node(cols: dict[str, object], days: list[int]) -> list[dict[str, list[object]]]:
    assert NODE is not None
    done = subprocess.run(
        [NODE, "-e", _NODE_SCRIPT, str(ROOT / "layers" / "timebar.js")],
        input=json.dumps({"cols": cols, "days": days}),
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    result: list[dict[str, list[object]]] = json.loads(done.stdout)
    return result


# --- the columns --------------------------------------------------------------------------------


@hypothesis_settings(max_examples=80, deadline=None)
@given(rows=_deployment_rows(), offsets=_days)
def test_columns_show_on_every_day_the_rows_geo_filters_shows(
    rows: pd.DataFrame, offsets: list[int]
) -> None:
    cols = _columns(rows, rows.iloc[0:0])
    for offset in _with_edges(offsets, cols):
        day = timebar.day_number(_on(offset))
        expected = _positions(rows, filters.active_on(rows, _on(offset)))
        assert _python_rows(cols, day) == expected, f"day {_on(offset)}"


def test_columns_widen_a_month_and_mark_an_unstated_start_open() -> None:
    row = {column: "" for column in settings.DEPLOYMENT_COLUMNS}
    row.update(
        id="m",
        nation="DEU",
        mission="Recon",
        site="nuuk",
        end="2026-01-01",
        date_precision="month",
        domain="joint",
        status="ended",
        source="000_a.txt",
    )
    rows = tables.validate_deployments(
        pd.DataFrame([row]), site_ids=SITE_IDS, source_ids=SOURCE_IDS
    )
    cols = _columns(rows, rows.iloc[0:0])
    part = cols["rows"]
    assert isinstance(part, dict)
    assert part["s"] == [None] and part["o"] == [1]
    assert part["e"] == [timebar.day_number(dt.date(2026, 1, 31))]  # the month's last day
    assert part["p"] == [-1]  # personnel not stated


def test_columns_point_each_row_at_its_site_nation_and_host() -> None:
    rows = pd.DataFrame(
        {
            "site": ["nuuk", "siauliai"],
            "nation": ["DEU", "BEL"],
            "host": ["GRL", ""],
            "status": ["active", "mystery"],
            "personnel": [12, None],
            "start_day": pd.Series(["2026-01-15", None], dtype="datetime64[ns]"),
            "end_day": pd.Series(["2026-01-17", None], dtype="datetime64[ns]"),
        }
    )
    events = pd.DataFrame(
        {
            "site": ["amari", ""],
            "start_day": pd.to_datetime(["2026-01-01", "2026-01-02"]),
            "end_day": pd.to_datetime(["2026-01-01", "2026-01-02"]),
        }
    )
    cols = _columns(rows, events)
    assert cols["sites"] == ["amari", "nuuk", "siauliai"]
    assert cols["nations"] == ["BEL", "DEU"] and cols["hosts"] == ["GRL"]
    part = cols["rows"]
    assert isinstance(part, dict)
    assert part["site"] == [1, 2] and part["nation"] == [1, 0] and part["host"] == [0, -1]
    assert part["st"] == [0, len(settings.STATUS_PRECEDENCE)]  # an unknown status ranks last
    assert part["p"] == [12, -1]
    assert cols["events"] == {
        "s": [timebar.day_number(dt.date(2026, 1, 1)), timebar.day_number(dt.date(2026, 1, 2))],
        "e": [timebar.day_number(dt.date(2026, 1, 1)), timebar.day_number(dt.date(2026, 1, 2))],
        "o": [0, 0],
        "site": [0, -1],
    }


def test_columns_escape_the_names_they_carry() -> None:
    rows = pd.DataFrame(
        {
            "site": ["<img src=x onerror=alert(1)>"],
            "nation": ["<b>"],
            "host": ["&"],
            "status": ["active"],
            "personnel": [None],
            "start_day": pd.Series([None], dtype="datetime64[ns]"),
            "end_day": pd.Series([None], dtype="datetime64[ns]"),
        }
    )
    text = json.dumps(_columns(rows, rows.iloc[0:0]))
    assert "<" not in text and "&amp;" in text


def test_settled_day_reads_what_the_bar_sends_and_nothing_else() -> None:
    assert timebar.settled_day(["day:2026-01-17", "n:17-1"]) == (dt.date(2026, 1, 17), "n:17-1")
    for other in (None, [], ["day:2026-13-01", "n:1"], ["2026-01-17", "n:1"], ["day:x"], "day"):
        assert timebar.settled_day(other) is None


def test_time_bar_without_a_day_takes_the_bar_off_the_map() -> None:
    rows = pd.DataFrame(columns=["site", "nation", "host", "status", "personnel"])
    group = compose.time_bar(
        rows, rows, day=None, bounds=(FIRST, LAST), site_table=rows, other_sites="hidden"
    )
    (child,) = group._children.values()  # one DataLayer
    assert isinstance(child, DataLayer) and child.function == "timebarOff"


def test_time_bar_with_a_publisher_pushes_the_day_and_the_url_of_the_rest() -> None:
    rows = pd.DataFrame(
        {
            "site": ["nuuk"],
            "nation": ["DEU"],
            "host": ["GRL"],
            "status": ["active"],
            "personnel": [None],
            "start_day": pd.Series([None], dtype="datetime64[ns]"),
            "end_day": pd.Series([None], dtype="datetime64[ns]"),
        }
    )
    published: list[object] = []

    def publish(data: object) -> str:
        published.append(data)
        return "/app/static/timebar/x.json"

    group = timebar.build(_columns(rows, rows.iloc[0:0]), publish=publish)
    (child,) = group._children.values()
    assert isinstance(child, DataLayer) and isinstance(child.data, dict)
    assert child.data == {
        "day": timebar.day_number(FIRST),
        "first": timebar.day_number(FIRST),
        "last": timebar.day_number(LAST),
        "url": "/app/static/timebar/x.json",
    }
    (rest,) = published
    assert isinstance(rest, dict) and "day" not in rest and rest["nations"] == ["DEU"]


# --- the browser's filter, in node ---------------------------------------------------------------

needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed")


@needs_node
@hypothesis_settings(max_examples=30, deadline=None)
@given(rows=_deployment_rows(), events=_event_rows(), offsets=_days)
def test_browser_filter_shows_the_rows_and_events_geo_filters_shows(
    rows: pd.DataFrame, events: pd.DataFrame, offsets: list[int]
) -> None:
    cols = _columns(rows, events)
    offsets = _with_edges(offsets, cols)
    days = [timebar.day_number(_on(offset)) for offset in offsets]
    shown = _in_node(cols, days)
    recent = dt.timedelta(days=settings.EVENT_RECENT_DAYS)
    for offset, seen in zip(offsets, shown, strict=True):
        day = _on(offset)
        active = filters.active_on(rows, day)
        assert seen["rows"] == _positions(rows, active), f"rows on {day}"
        expected_events = filters.events_in_range(events, day - recent, day)
        assert seen["events"] == _positions(events, expected_events), f"events on {day}"
        standing = active[active["status"] != "declined"]
        assert seen["contributors"] == sorted(set(standing["nation"]))
        assert seen["hosts"] == sorted({h for h in standing["host"] if h})
