"""The filter state and the pure filter functions (geo/filters.py)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from geo import filters, settings, tables
from geo.filters import FilterState

TODAY = dt.date(2026, 1, 20)
SITE_IDS = frozenset({"nuuk", "greenland", "siauliai"})
SOURCE_IDS = frozenset({"000_a.txt"})


def _row(id_: str, **changes: str) -> dict[str, str]:
    row = {column: "" for column in settings.DEPLOYMENT_COLUMNS}
    row.update(
        id=id_,
        nation="BEL",
        mission="Greenland reconnaissance",
        site="greenland",
        host="GRL",
        start="2026-01-01",
        date_precision="day",
        domain="joint",
        status="announced",
        source="000_a.txt",
    )
    row.update(changes)
    return row


def _deployments(*rows: dict[str, str]) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows))
    return tables.validate_deployments(frame, site_ids=SITE_IDS, source_ids=SOURCE_IDS)


@pytest.fixture
def deployments() -> pd.DataFrame:
    """Five deployments around 2026-01-20: ended, ending today, ongoing, future, by month."""
    return _deployments(
        _row("ended", end="2026-01-19", status="ended"),
        _row("ends-today", nation="DEU", end="2026-01-20", site="nuuk"),
        _row(
            "ongoing",
            nation="BEL",
            mission="Baltic Air Policing",
            site="siauliai",
            host="LTU",
            start="2004-01-01",
            date_precision="year",
            domain="air",
            status="active",
        ),
        _row("future", nation="FRA", start="2026-01-21"),
        _row(
            "december", nation="SWE", start="2025-12-01", end="2025-12-01", date_precision="month"
        ),
    )


def _ids(df: pd.DataFrame) -> list[str]:
    return df["id"].tolist()


# --- dates ---------------------------------------------------------------------------------------


def test_deployment_ending_today_is_still_active(deployments: pd.DataFrame) -> None:
    assert "ends-today" in _ids(filters.active_on(deployments, TODAY))


def test_deployment_that_ended_yesterday_or_starts_tomorrow_is_not_active(
    deployments: pd.DataFrame,
) -> None:
    active = _ids(filters.active_on(deployments, TODAY))

    assert "ended" not in active and "future" not in active
    assert active == ["ends-today", "ongoing"]


def test_ongoing_deployment_is_active_far_in_the_future(deployments: pd.DataFrame) -> None:
    assert _ids(filters.active_on(deployments, dt.date(2040, 6, 1))) == ["ongoing", "future"]


def test_month_precision_deployment_is_active_until_the_last_day_of_its_month(
    deployments: pd.DataFrame,
) -> None:
    assert "december" in _ids(filters.active_on(deployments, dt.date(2025, 12, 31)))
    assert "december" not in _ids(filters.active_on(deployments, dt.date(2026, 1, 1)))


def test_year_precision_start_counts_from_january_first(deployments: pd.DataFrame) -> None:
    assert "ongoing" in _ids(filters.active_on(deployments, dt.date(2004, 1, 1)))
    assert "ongoing" not in _ids(filters.active_on(deployments, dt.date(2003, 12, 31)))


def test_deployment_with_unstated_start_is_active_on_any_day_before_its_end() -> None:
    df = pd.DataFrame(
        {
            "start_day": pd.Series([pd.NaT, pd.NaT], dtype=settings.DATE_DTYPE),
            "end_day": pd.to_datetime([None, "2026-01-10"]).astype(settings.DATE_DTYPE),
        },
        index=[10, 11],
    )
    assert filters.active_on(df, dt.date(1990, 1, 1)).index.tolist() == [10, 11]
    assert filters.active_on(df, dt.date(2026, 1, 11)).index.tolist() == [10]
    assert filters.overlapping(df, dt.date(2026, 1, 11), dt.date(2026, 2, 1)).index.tolist() == [10]


def test_time_of_day_is_ignored(deployments: pd.DataFrame) -> None:
    evening = pd.Timestamp("2026-01-20 23:30")

    assert _ids(filters.active_on(deployments, evening)) == ["ends-today", "ongoing"]


def test_overlapping_includes_rows_touching_either_end_of_the_period(
    deployments: pd.DataFrame,
) -> None:
    touching = filters.overlapping(deployments, dt.date(2025, 12, 31), dt.date(2026, 1, 1))

    assert _ids(touching) == ["ended", "ends-today", "ongoing", "december"]


def test_overlapping_refuses_a_period_that_ends_before_it_starts(
    deployments: pd.DataFrame,
) -> None:
    with pytest.raises(ValueError, match="before it starts"):
        filters.overlapping(deployments, dt.date(2026, 2, 1), dt.date(2026, 1, 1))


# --- columns -------------------------------------------------------------------------------------


def test_empty_selection_means_every_row(deployments: pd.DataFrame) -> None:
    assert len(filters.by_nation(deployments, ())) == len(deployments)
    assert len(filters.apply_filters(deployments, FilterState())) == len(deployments)


def test_by_functions_keep_only_the_named_values(deployments: pd.DataFrame) -> None:
    assert _ids(filters.by_nation(deployments, ("DEU", "FRA"))) == ["ends-today", "future"]
    assert _ids(filters.by_mission(deployments, ("Baltic Air Policing",))) == ["ongoing"]
    assert _ids(filters.by_domain(deployments, ("air",))) == ["ongoing"]
    assert _ids(filters.by_status(deployments, ("ended",))) == ["ended"]


def test_apply_filters_combines_every_part_and_keeps_the_index(
    deployments: pd.DataFrame,
) -> None:
    frame = deployments.set_axis([10, 11, 12, 13, 14])
    before = frame.copy()
    state = FilterState.build(nations=["bel", "deu"], statuses=["announced"], date=TODAY)

    out = filters.apply_filters(frame, state)

    assert out.index.tolist() == [11]
    pd.testing.assert_frame_equal(frame, before)


def test_apply_filters_refuses_a_date_and_a_date_range_together(
    deployments: pd.DataFrame,
) -> None:
    state = FilterState(date=TODAY, date_range=(TODAY, TODAY))

    with pytest.raises(ValueError, match="both a date and a date range"):
        filters.apply_filters(deployments, state)


# --- FilterState ---------------------------------------------------------------------------------


def test_build_normalises_sorts_and_deduplicates() -> None:
    state = FilterState.build(
        nations=["swe", " BEL", "bel", ""],
        missions=["B", "A", "A"],
        domains=["Air", "air"],
        statuses=("ACTIVE",),
        date=pd.Timestamp("2026-01-20 12:00"),
        scene="",
    )

    assert state == FilterState(
        nations=("BEL", "SWE"),
        missions=("A", "B"),
        domains=("air",),
        statuses=("active",),
        date=dt.date(2026, 1, 20),
        scene=None,
    )


def test_build_takes_a_single_string_as_one_value() -> None:
    assert FilterState.build(nations="bel").nations == ("BEL",)


def test_build_refuses_a_date_and_a_date_range_together() -> None:
    with pytest.raises(ValueError, match="not both"):
        FilterState.build(date=TODAY, date_range=(TODAY, TODAY))


def test_build_refuses_a_reversed_date_range() -> None:
    with pytest.raises(ValueError, match="before it starts"):
        FilterState.build(date_range=(dt.date(2026, 2, 1), dt.date(2026, 1, 1)))


def test_filter_state_is_frozen_and_hashable() -> None:
    state = FilterState.build(nations=["BEL"])

    with pytest.raises(AttributeError):
        state.nations = ()  # type: ignore[misc]
    assert hash(state) == hash(FilterState.build(nations=["bel"]))


# --- events --------------------------------------------------------------------------------------


def test_month_precision_event_shows_on_every_day_of_its_month() -> None:
    events = pd.DataFrame(
        {
            "id": ["nord-stream", "talks"],
            "start_day": pd.to_datetime(["2022-09-01", "2026-01-14"]),
            "end_day": pd.to_datetime(["2022-09-30", "2026-01-14"]),
        }
    )

    assert _ids(filters.events_on(events, dt.date(2022, 9, 26))) == ["nord-stream"]
    window = filters.events_in_range(events, dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    assert _ids(window) == ["talks"]


# --- property: apply_filters equals a plain-Python reference -------------------------------------

_NATIONS = ("BEL", "DEU", "FRA")
_MISSIONS = ("Air Policing", "Recon")
_BASE_DAY = dt.date(2026, 1, 1)
_days = st.integers(min_value=0, max_value=60).map(lambda n: _BASE_DAY + dt.timedelta(days=n))


@st.composite
def _tables(draw: st.DrawFn) -> pd.DataFrame:
    count = draw(st.integers(min_value=0, max_value=8))
    rows = []
    for _ in range(count):
        start = draw(_days)
        length = draw(st.none() | st.integers(min_value=0, max_value=30))
        start_stated = draw(st.booleans())
        rows.append(
            {
                "nation": draw(st.sampled_from(_NATIONS)),
                "mission": draw(st.sampled_from(_MISSIONS)),
                "domain": draw(st.sampled_from(settings.DOMAINS)),
                "status": draw(st.sampled_from(settings.STATUSES)),
                "start_day": pd.Timestamp(start) if start_stated else pd.NaT,
                "end_day": pd.NaT if length is None else pd.Timestamp(start + dt.timedelta(length)),
            }
        )
    index = draw(st.lists(st.integers(0, 1000), min_size=count, max_size=count, unique=True))
    columns = ["nation", "mission", "domain", "status", "start_day", "end_day"]
    frame = pd.DataFrame(rows, columns=columns, index=index)
    for column in ("start_day", "end_day"):
        frame[column] = frame[column].astype(np.dtype(settings.DATE_DTYPE))
    return frame


@st.composite
def _states(draw: st.DrawFn) -> FilterState:
    time = draw(st.sampled_from(["none", "date", "range"]))
    date = draw(_days) if time == "date" else None
    date_range = None
    if time == "range":
        first, last = sorted((draw(_days), draw(_days)))
        date_range = (first, last)
    return FilterState.build(
        nations=draw(st.lists(st.sampled_from([*_NATIONS, "bel", "ISL"]), max_size=3)),
        missions=draw(st.lists(st.sampled_from(_MISSIONS), max_size=2)),
        domains=draw(st.lists(st.sampled_from(settings.DOMAINS), max_size=2)),
        statuses=draw(st.lists(st.sampled_from(settings.STATUSES), max_size=2)),
        date=date,
        date_range=date_range,
    )


def _reference(df: pd.DataFrame, state: FilterState) -> list[int]:
    kept = []
    for label, row in zip(df.index, df.to_dict("records"), strict=True):
        start = None if pd.isna(row["start_day"]) else row["start_day"].date()
        end = None if pd.isna(row["end_day"]) else row["end_day"].date()
        if state.nations and row["nation"] not in state.nations:
            continue
        if state.missions and row["mission"] not in state.missions:
            continue
        if state.domains and row["domain"] not in state.domains:
            continue
        if state.statuses and row["status"] not in state.statuses:
            continue
        if state.date is not None and not (
            (start is None or start <= state.date) and (end is None or state.date <= end)
        ):
            continue
        if state.date_range is not None:
            first, last = state.date_range
            if not ((start is None or start <= last) and (end is None or first <= end)):
                continue
        kept.append(label)
    return kept


@hypothesis_settings(max_examples=200, deadline=None)
@given(df=_tables(), state=_states())
def test_apply_filters_equals_a_plain_python_reference(
    df: pd.DataFrame, state: FilterState
) -> None:
    assert filters.apply_filters(df, state).index.tolist() == _reference(df, state)
