"""Per-site summaries, counts, periods in words, curves and date steps."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from geo import settings, summary


def _dates(values: list[str | None]) -> pd.Series:
    return pd.to_datetime(pd.Series(values)).astype(settings.DATE_DTYPE)


@pytest.fixture
def joined() -> gpd.GeoDataFrame:
    """Three rows at two sites (EPSG:4326): two nations at one, personnel known for one row."""
    return gpd.GeoDataFrame(
        {
            "id": ["a", "b", "c"],
            "nation": ["DEU", "BEL", "BEL"],
            "site": ["nuuk", "nuuk", "siauliai"],
            "site_name": ["Nuuk", "Nuuk", "Šiauliai Air Base"],
            "site_kind": ["city", "city", "air_base"],
            "personnel": pd.array([13, pd.NA, pd.NA], dtype="Int64"),
            "domain": ["joint", "joint", "air"],
            "status": ["announced", "declined", "active"],
        },
        geometry=[Point(-51.72, 64.18), Point(-51.72, 64.18), Point(23.39, 55.89)],
        crs="EPSG:4326",
    )


def test_site_summary_has_one_row_per_site_with_its_nations(joined: gpd.GeoDataFrame) -> None:
    out = summary.site_summary(joined)

    assert out.index.tolist() == ["nuuk", "siauliai"]
    assert out.loc["nuuk", "nations"] == ("BEL", "DEU")
    assert out.loc["nuuk", "rows"] == 2
    assert out.loc["nuuk", "personnel"] == 13 and out.loc["nuuk", "personnel_known"]
    assert not out.loc["siauliai", "personnel_known"]


def test_site_summary_of_nothing_is_an_empty_frame(joined: gpd.GeoDataFrame) -> None:
    assert summary.site_summary(joined.iloc[0:0]).empty


def test_counts_add_only_known_personnel(joined: gpd.GeoDataFrame) -> None:
    assert summary.counts(joined) == summary.Counts(
        nations=2, deployments=3, personnel=13, personnel_rows=1
    )


def test_unknown_personnel_gets_the_smallest_marker_and_more_people_a_larger_one() -> None:
    low, high = settings.MARKER_DIAMETER_PX
    assert summary.marker_diameter(0, known=False) == low
    assert summary.marker_diameter(500, known=False) == low
    assert low < summary.marker_diameter(13, known=True) < summary.marker_diameter(900, known=True)
    assert summary.marker_diameter(10**6, known=True) == high


@pytest.mark.parametrize(
    ("start", "end", "precision", "text"),
    [
        ("2026-01-15", "2026-01-17", "day", "15 Jan 2026 – 17 Jan 2026"),
        ("2026-01-15", "2026-01-15", "day", "15 Jan 2026"),
        ("2026-01-01", None, "month", "since Jan 2026"),
        ("2004-01-01", None, "year", "since 2004"),
        (None, None, "", "start not stated – ongoing"),
        (None, "2026-02-01", "day", "start not stated – 1 Feb 2026"),
    ],
)
def test_period_text_keeps_the_precision_of_the_source(
    start: str | None, end: str | None, precision: str, text: str
) -> None:
    first = pd.NaT if start is None else pd.Timestamp(start)
    last = pd.NaT if end is None else pd.Timestamp(end)
    assert summary.period_text(first, last, precision) == text


def test_curve_runs_from_start_to_end_and_bends_away_from_the_straight_line() -> None:
    line = summary.curve((50.0, 4.0), (64.0, -51.0), points=10)

    assert line[0] == (50.0, 4.0) and line[-1] == (64.0, -51.0)
    middle = line[5]
    assert middle != (57.0, -23.5)


def test_nation_anchor_is_in_the_largest_part_of_a_country() -> None:
    countries = gpd.GeoDataFrame(
        {"iso_a3": ["FRA"]},
        geometry=[box(-5, 42, 8, 51).union(box(-54, 2, -51, 5))],  # France and "Guiana"
        crs="EPSG:4326",
    )
    lat, lon = summary.nation_anchors(countries)["FRA"]
    assert 42 < lat < 51 and -5 < lon < 8


@pytest.mark.parametrize(
    ("unit", "direction", "expected"),
    [
        ("day", 1, dt.date(2026, 1, 20)),
        ("day", -1, dt.date(2026, 1, 18)),
        ("week", 1, dt.date(2026, 1, 26)),
        ("month", 1, dt.date(2026, 2, 1)),
        ("month", -1, dt.date(2026, 1, 1)),
    ],
)
def test_step_day_moves_by_the_chosen_unit(unit: str, direction: int, expected: dt.date) -> None:
    bounds = (dt.date(2000, 1, 1), dt.date(2030, 1, 1))
    assert (
        summary.step_day(dt.date(2026, 1, 19), unit=unit, direction=direction, bounds=bounds)
        == expected
    )


def test_step_day_stops_at_the_bounds() -> None:
    bounds = (dt.date(2026, 1, 1), dt.date(2026, 1, 19))
    assert summary.step_day(bounds[1], unit="week", direction=1, bounds=bounds) == bounds[1]
    assert summary.step_day(bounds[0], unit="day", direction=-1, bounds=bounds) == bounds[0]


def test_site_at_finds_the_clicked_marker_and_ignores_anything_else() -> None:
    sites = gpd.GeoDataFrame(
        {"id": ["nuuk", "sea"]},
        geometry=[Point(-51.72157, 64.18347), box(15, 54, 20, 58)],
        crs="EPSG:4326",
    )
    sea_point = sites.geometry.iloc[1].representative_point()
    assert summary.site_at(sites, {"lat": 64.18347, "lng": -51.72157}) == "nuuk"
    assert summary.site_at(sites, {"lat": sea_point.y, "lng": sea_point.x}) == "sea"
    assert summary.site_at(sites, {"lat": 10, "lng": 10}) is None
    assert summary.site_at(sites, None) is None
    assert summary.site_at(sites, {"lat": "<img>", "lng": 1}) is None


def test_table_puts_the_selected_site_first_and_marks_it(joined: gpd.GeoDataFrame) -> None:
    rows = joined.assign(
        mission="m",
        start=_dates(["2026-01-15", None, "2004-01-01"]),
        end=_dates([None, None, None]),
        date_precision=["day", "", "year"],
        assets="",
        command="",
        source="s1",
    )
    table = summary.table_frame(rows, source_titles={"s1": "Title"}, selected_site="siauliai")

    assert table["site"].tolist()[0] == "siauliai"
    assert table["sel"].tolist() == ["●", "", ""]
    assert table["source"].eq("Title").all()
    assert table.loc[0, "period"] == "since 2004"


def test_span_bounds_reach_back_from_the_last_day_but_not_before_the_first() -> None:
    first, last = dt.date(1951, 1, 1), dt.date(2026, 3, 20)
    assert summary.span_bounds(first, last, span="3 months") == (dt.date(2025, 12, 18), last)
    assert summary.span_bounds(first, last, span="all dates") == (first, last)
    assert summary.span_bounds(dt.date(2026, 3, 1), last, span="2 years")[0] == dt.date(2026, 3, 1)


def test_span_for_picks_the_shortest_span_that_offers_every_day() -> None:
    first, last = dt.date(1951, 1, 1), dt.date(2026, 3, 20)
    assert summary.span_for([dt.date(2026, 1, 19)], first, last) == "3 months"
    assert summary.span_for([dt.date(2025, 6, 1)], first, last) == "2 years"
    assert summary.span_for([dt.date(2004, 1, 1)], first, last) == "all dates"


def test_dates_a_subtitle_gives_already_are_not_said_again() -> None:
    days = (dt.date(2026, 1, 15), dt.date(2026, 1, 19))
    assert summary.when_after("15 to 19 January 2026", None, days) == ""
    assert summary.when_after("Wednesday 14 January 2026", dt.date(2026, 1, 14), None) == ""
    assert summary.when_after("Greenland", None, days) == summary.when_text(None, days)
    assert summary.when_after(None, dt.date(2026, 1, 14), None) == summary.when_text(
        dt.date(2026, 1, 14), None
    )


def test_a_source_is_cited_by_its_title_or_else_by_its_publisher_and_date() -> None:
    sources = pd.DataFrame(
        {
            "id": ["a", "b", "c"],
            "title": ["A report", f"{settings.UNTITLED_MARK} What it says", "[untitled] Notes"],
            "publisher": ["NATO", "VRT", None],
            "date": [pd.Timestamp("2026-01-15"), pd.Timestamp("2026-01-15"), pd.NaT],
            "date_precision": ["day", "day", None],
        }
    )
    assert summary.source_titles(sources) == {
        "a": "A report (NATO, 15 Jan 2026)",
        "b": "VRT report (15 Jan 2026)",
        "c": "Untitled document",
    }
    untitled = summary.citation(sources.to_dict("records")[1])
    assert untitled.about == "What it says"
