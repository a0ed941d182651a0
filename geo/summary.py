"""Summaries of the filtered deployments: per site, counts, periods in words, contribution lines.

Pure functions on the frames of :mod:`geo.tables`; the text they return is plain (the layers
escape it before it reaches a page).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import settings


@dataclass(frozen=True)
class Counts:
    """What a filtered table holds: nations, deployment rows, and personnel where known."""

    nations: int
    deployments: int
    personnel: int
    personnel_rows: int  # rows whose personnel is known (the rest are not counted)


def counts(deployments: pd.DataFrame) -> Counts:
    """Count nations, rows and known personnel of a deployments frame.

    Parameters
    ----------
    deployments : DataFrame
        Rows with ``nation`` and ``personnel`` (nullable integers). Not modified.

    Returns
    -------
    Counts
    """
    known = deployments["personnel"].dropna()
    return Counts(
        nations=int(deployments["nation"].nunique()),
        deployments=len(deployments),
        personnel=int(known.sum()) if len(known) else 0,
        personnel_rows=len(known),
    )


def best_status(statuses: Iterable[object]) -> str:
    """The most current of some statuses (``settings.STATUS_PRECEDENCE``); unknown ones last."""
    rank = {status: position for position, status in enumerate(settings.STATUS_PRECEDENCE)}
    return str(min(statuses, key=lambda status: rank.get(str(status), len(rank))))


def day_text(day: pd.Timestamp, precision: str) -> str:
    """A day at the precision the source gives: "15 Jan 2026", "Jan 2026" or "2026"."""
    if precision == "year":
        return f"{day.year}"
    if precision == "month":
        return day.strftime("%b %Y")
    return f"{day.day} {day.strftime('%b %Y')}"


def period_text(start: Any, end: Any, precision: str) -> str:
    """A deployment's period in words, at the precision the source gives.

    ``2026-01-15``/``2026-01-17``/day -> "15 Jan 2026 – 17 Jan 2026"; no end -> "since 2004";
    no start -> "start not stated – ongoing".

    Parameters
    ----------
    start, end : Timestamp or NaT
        The row's ``start`` and ``end`` as given (not expanded).
    precision : str
        ``day``, ``month``, ``year`` or "" (no date).
    """
    first = None if pd.isna(start) else pd.Timestamp(start)
    last = None if pd.isna(end) else pd.Timestamp(end)
    if first is None and last is None:
        return "start not stated – ongoing"
    if first is None:
        assert last is not None
        return f"start not stated – {day_text(last, precision)}"
    if last is None:
        return f"since {day_text(first, precision)}"
    if first == last:
        return day_text(first, precision)
    return f"{day_text(first, precision)} – {day_text(last, precision)}"


def site_summary(deployments: gpd.GeoDataFrame) -> pd.DataFrame:
    """One row per site of the (already filtered) deployments joined to their sites.

    Parameters
    ----------
    deployments : GeoDataFrame
        Output of :func:`geo.tables.join_sites`, filtered. Not modified.

    Returns
    -------
    DataFrame
        Indexed by site id, sorted by it: ``site_name``, ``site_kind``, ``lat``, ``lon``,
        ``nations`` (tuple of codes, sorted), ``rows`` (count), ``personnel`` (sum of known
        figures, 0 if none), ``personnel_known`` (whether any row gives a figure),
        ``domains`` and ``statuses`` (tuples, sorted).
    """
    columns = [
        "site_name",
        "site_kind",
        "lat",
        "lon",
        "nations",
        "rows",
        "personnel",
        "personnel_known",
        "domains",
        "statuses",
    ]
    if deployments.empty:
        return pd.DataFrame(columns=columns, index=pd.Index([], name="site"))
    frame = pd.DataFrame(
        {
            # .array, not .to_numpy(): Arrow-backed strings stay Arrow (no Python objects).
            "site": deployments["site"].array,
            "site_name": deployments["site_name"].array,
            "site_kind": deployments["site_kind"].array,
            "lat": deployments.geometry.y.to_numpy(),
            "lon": deployments.geometry.x.to_numpy(),
            "nation": deployments["nation"].array,
            "personnel": deployments["personnel"].array,
            "domain": deployments["domain"].array,
            "status": deployments["status"].array,
        }
    )
    grouped = frame.groupby("site", sort=True)
    # Built-in aggregations only: a Python function per group costs seconds at 100,000 rows.
    out = grouped.agg(
        site_name=("site_name", "first"),
        site_kind=("site_kind", "first"),
        lat=("lat", "first"),
        lon=("lon", "first"),
        rows=("nation", "size"),
    )
    personnel = pd.to_numeric(frame["personnel"], errors="coerce")
    by_site = personnel.groupby(frame["site"], sort=True)
    out["personnel"] = by_site.sum(min_count=0).fillna(0).astype("int64")
    out["personnel_known"] = by_site.count().gt(0)
    for column, name in (("nation", "nations"), ("domain", "domains"), ("status", "statuses")):
        # Each site's distinct values, sorted: de-duplicated first, so the tuples are built
        # from a few values per site, not from every row.
        pairs = frame[["site", column]].drop_duplicates().sort_values(["site", column])
        values: dict[str, tuple[str, ...]] = {}
        for site, value in zip(pairs["site"], pairs[column], strict=True):
            values[site] = (*values.get(site, ()), str(value))
        out[name] = [values[site] for site in out.index]
    return out[columns]


def best_statuses(rows: pd.DataFrame, by: str | list[str]) -> pd.Series:
    """The most current status of each group of rows (as :func:`best_status`, vectorised).

    Parameters
    ----------
    rows : DataFrame
        Rows with ``status`` and the ``by`` columns. Not modified.
    by : str or list of str
        The columns to group by.

    Returns
    -------
    Series
        Indexed by the groups (sorted), the status of the first row of the lowest rank.
    """
    rank = {status: position for position, status in enumerate(settings.STATUS_PRECEDENCE)}
    ranks = rows["status"].map(rank).fillna(len(rank)).astype("int64").to_numpy()
    keys = [by] if isinstance(by, str) else list(by)
    frame = pd.DataFrame({key: rows[key].array for key in keys})
    frame["_rank"], frame["status"] = ranks, rows["status"].array
    # A stable sort by rank keeps the first row of the lowest rank first in each group.
    best = frame.sort_values("_rank", kind="stable").groupby(keys, sort=True).first()
    return best["status"]


def marker_diameter(personnel: int, *, known: bool) -> int:
    """Diameter in pixels of a site's marker: area grows with the known personnel.

    Unknown personnel gets the smallest size, so no number is implied where none is given.
    """
    low, high = settings.MARKER_DIAMETER_PX
    if not known or personnel <= 0:
        return low
    # Area proportional to personnel, capped: sqrt scale between the limits.
    scaled = low + (high - low) * math.sqrt(min(personnel, settings.MARKER_FULL_PERSONNEL)) / (
        math.sqrt(settings.MARKER_FULL_PERSONNEL)
    )
    return round(scaled)


def nation_anchors(countries: gpd.GeoDataFrame) -> dict[str, tuple[float, float]]:
    """Where a contribution line starts for each nation: inside its largest polygon.

    Parameters
    ----------
    countries : GeoDataFrame
        Country outlines with ``iso_a3`` in EPSG:4326. Not modified.

    Returns
    -------
    dict
        alpha-3 code -> (lat, lon). Overseas parts are ignored (France starts in France).
    """
    anchors: dict[str, tuple[float, float]] = {}
    for code, geometry in zip(countries["iso_a3"], countries.geometry, strict=True):
        if geometry is None or geometry.is_empty or not isinstance(code, str):
            continue
        parts = list(getattr(geometry, "geoms", [geometry]))
        largest = max(parts, key=lambda part: part.area)
        point = largest.representative_point()
        anchors[code] = (round(point.y, 4), round(point.x, 4))
    return anchors


def curve(
    start: tuple[float, float],
    end: tuple[float, float],
    *,
    bend: float = settings.CURVE_BEND,
    points: int = settings.CURVE_POINTS,
) -> list[tuple[float, float]]:
    """A gently curved line from ``start`` to ``end`` (both (lat, lon)), as (lat, lon) points.

    A quadratic Bézier whose control point sits ``bend`` × the length to the left of the
    straight line, so lines from several nations to one site fan out instead of overlapping.
    """
    (lat0, lon0), (lat1, lon1) = start, end
    mid_lat, mid_lon = (lat0 + lat1) / 2, (lon0 + lon1) / 2
    d_lat, d_lon = lat1 - lat0, lon1 - lon0
    ctrl_lat, ctrl_lon = mid_lat + bend * d_lon, mid_lon - bend * d_lat
    line = []
    for step in range(points + 1):
        t = step / points
        a, b, c = (1 - t) ** 2, 2 * (1 - t) * t, t**2
        lat = a * lat0 + b * ctrl_lat + c * lat1
        lon = a * lon0 + b * ctrl_lon + c * lon1
        line.append((round(lat, 4), round(lon, 4)))
    return line


@dataclass(frozen=True)
class Citation:
    """How a source document is cited, everywhere (slide footer, deck, popups, tables).

    Attributes
    ----------
    title : str
        The document's own title; for a document without one (its title in the table starts
        with ``settings.UNTITLED_MARK``), "<publisher> report" ("Untitled document" without a
        publisher).
    publisher : str
        The publisher, "" when not stated.
    when : str
        The date at the precision the source gives, "" when undated.
    about : str
        For an untitled document, the table's description of it; "" otherwise.
    """

    title: str
    publisher: str
    when: str
    about: str = ""

    @property
    def text(self) -> str:
        """ "Title (Publisher, 16 Jan 2026)"; an untitled document "VRT report (15 Jan 2026)"
        (its publisher is already in its title)."""
        publisher = "" if self.about else self.publisher
        parts = [part for part in (publisher, self.when) if part]
        return f"{self.title} ({', '.join(parts)})" if parts else self.title


def citation(row: Mapping[Any, Any]) -> Citation:
    """The :class:`Citation` of one row of the sources table (``title``, ``publisher``,
    ``date``, ``date_precision``)."""
    raw = row.get("publisher")
    publisher = str(raw).strip() if isinstance(raw, str) else ""
    date = row.get("date")
    when = ""
    if date is not None and not pd.isna(date):
        when = day_text(pd.Timestamp(date), str(row.get("date_precision") or "day"))
    title = str(row["title"]).strip()
    mark = settings.UNTITLED_MARK
    if title.startswith(mark):
        about = title[len(mark) :].strip() or "no description"
        named = f"{publisher} report" if publisher else "Untitled document"
        return Citation(title=named, publisher=publisher, when=when, about=about)
    return Citation(title=title, publisher=publisher, when=when)


def source_titles(sources: pd.DataFrame) -> Mapping[str, str]:
    """Source id -> "title (publisher, date)" (:attr:`Citation.text`), for popups, tables and
    the slides' footer.

    A document without a title of its own (its title in the table starts with
    ``settings.UNTITLED_MARK``, a description) is cited by its publisher and date: "VRT report
    (15 Jan 2026)".
    """
    return {str(row["id"]): citation(row).text for row in sources.to_dict("records")}


def bounds_of(points: list[tuple[float, float]]) -> tuple[tuple[float, float], tuple[float, float]]:
    """[[south, west], [north, east]] of (lat, lon) points."""
    multipoint = shapely.MultiPoint([(lon, lat) for lat, lon in points])
    west, south, east, north = multipoint.bounds
    return (south, west), (north, east)


def date_bounds(deployments: pd.DataFrame, events: pd.DataFrame) -> tuple[dt.date, dt.date]:
    """First and last day the date controls offer: every stated day, plus a margin after.

    Parameters
    ----------
    deployments, events : DataFrame
        Frames with ``start_day`` / ``end_day``. Not modified.

    Returns
    -------
    (date, date)
        The earliest stated day, and the latest stated day plus ``settings.DATE_MARGIN_DAYS``.
    """
    days = pd.concat(
        [deployments["start_day"], deployments["end_day"], events["start_day"], events["end_day"]]
    ).dropna()
    if days.empty:
        today = dt.date.today()
        return today, today
    return days.min().date(), days.max().date() + dt.timedelta(days=settings.DATE_MARGIN_DAYS)


def latest_day(deployments: pd.DataFrame, events: pd.DataFrame) -> dt.date:
    """The latest day a deployment starts or ends or an event happens: the default "as of"."""
    days = pd.concat([deployments["start"], deployments["end"], events["date"]]).dropna()
    return days.max().date() if not days.empty else dt.date.today()


def step_day(
    day: dt.date, *, unit: str, direction: int, bounds: tuple[dt.date, dt.date]
) -> dt.date:
    """The day one step (``settings.DATE_STEPS[unit]``) before or after ``day``, kept in bounds.

    A month step goes to the first of the next (or previous) month, so stepping through months
    lands on the days month-precision rows start.
    """
    offset = pd.tseries.frequencies.to_offset(settings.DATE_STEPS[unit])
    at = pd.Timestamp(day)
    moved = at + offset if direction > 0 else at - offset
    if unit == "month" and direction < 0 and at.day != 1:
        moved = at - pd.offsets.MonthBegin(1)
    first, last = bounds
    return min(max(moved.date(), first), last)


def table_frame(
    rows: pd.DataFrame,
    *,
    source_titles: Mapping[str, str],
    selected_site: str | None,
    limit: int | None = None,
) -> pd.DataFrame:
    """The deployments table as shown below the map: plain text columns, one row per row.

    Rows at ``selected_site`` come first and are marked "●" in the first column. The frame
    keeps the deployment ``id`` and ``site`` so a selected table row can be traced back.

    Only the first ``limit`` rows of that order are made (all when None): the texts are
    written for the rows shown, not for every row selected (at 100,000 rows that was most of
    the time of a rerun).
    """
    selected = rows["site"].eq(selected_site) if selected_site else rows["site"].eq("\0")
    codes = rows["nation"].astype(str)
    labels = {code: label_of(code) for code in codes.unique()}
    keys = pd.DataFrame(
        {
            "_first": ~selected.to_numpy(),
            "nation": codes.map(labels).to_numpy(),
            "start": rows["start"].to_numpy(),
        }
    )
    order = keys.sort_values(
        ["_first", "nation", "start"], na_position="first", kind="stable"
    ).index.to_numpy()
    if limit is not None:
        order = order[:limit]
    rows = rows.iloc[order]
    shown = selected.to_numpy()[order]
    periods = [
        period_text(start, end, str(precision))
        for start, end, precision in zip(
            rows["start"], rows["end"], rows["date_precision"], strict=True
        )
    ]
    commands = {code: label_of(code) if code else "" for code in rows["command"].unique()}
    sources = {code: source_titles.get(str(code), str(code)) for code in rows["source"].unique()}
    return pd.DataFrame(
        {
            "sel": np.where(shown, "●", ""),
            "nation": codes.iloc[order].map(labels).to_numpy(),
            "mission": rows["mission"].to_numpy(),
            "site_name": rows["site_name"].to_numpy(),
            "period": periods,
            "personnel": rows["personnel"].array,
            "assets": rows["assets"].to_numpy(),
            "domain": rows["domain"].to_numpy(),
            "command": rows["command"].map(commands).to_numpy(),
            "status": rows["status"].to_numpy(),
            "source": rows["source"].map(sources).to_numpy(),
            "id": rows["id"].to_numpy(),
            "site": rows["site"].to_numpy(),
        }
    )


def label_of(code: str) -> str:
    """Flag and name of a nation (see :func:`geo.nations.label`)."""
    from geo import nations

    return nations.label(code)


def site_at(sites: gpd.GeoDataFrame, clicked: object, *, tolerance: float = 1e-3) -> str | None:
    """The site whose marker was clicked, from streamlit-folium's ``{"lat": .., "lng": ..}``.

    Markers sit on the site's point, or on ``representative_point()`` of an area. Anything that
    is not a click on a marker (a country, the sea, a malformed value) gives None.
    """
    if not isinstance(clicked, Mapping):
        return None
    try:
        lat, lon = float(clicked["lat"]), float(clicked["lng"])
    except (KeyError, TypeError, ValueError):
        return None
    points = sites.geometry.where(sites.geometry.geom_type == "Point", sites.representative_point())
    near = (points.y - lat).abs().lt(tolerance) & (points.x - lon).abs().lt(tolerance)
    matches = sites.loc[near, "id"]
    return str(matches.iloc[0]) if len(matches) else None


def span_bounds(first: dt.date, last: dt.date, *, span: str) -> tuple[dt.date, dt.date]:
    """The first and last day the date slider offers for a span of ``settings.SLIDER_SPANS``.

    A span ends on ``last`` and reaches back its number of days (never before ``first``); a
    span of None reaches back to ``first``. A short span gives the slider a usable resolution
    when the data go back decades.
    """
    days = settings.SLIDER_SPANS[span]
    if days is None:
        return first, last
    return max(first, last - dt.timedelta(days=days)), last


def span_for(days: Sequence[dt.date], first: dt.date, last: dt.date) -> str:
    """The shortest span of ``settings.SLIDER_SPANS`` whose slider offers every day given."""
    for span in settings.SLIDER_SPANS:
        low, high = span_bounds(first, last, span=span)
        if all(low <= day <= high for day in days):
            return span
    return next(reversed(settings.SLIDER_SPANS))


def when_text(date: dt.date | None, date_range: tuple[dt.date, dt.date] | None) -> str:
    """The time of a view in words: "As of 19 Jan 2026", "10 Jan 2026 – 20 Jan 2026"."""
    if date is not None:
        return f"As of {day_text(pd.Timestamp(date), 'day')}"
    if date_range is not None:
        first, last = (day_text(pd.Timestamp(day), "day") for day in date_range)
        return f"{first} – {last}"
    return "All dates"


def view_bounds(
    rows: gpd.GeoDataFrame, *, margin: float = 2.0
) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) around the sites of some rows, with a margin in degrees.

    None when there are no rows. Used as the view of a scene saved from the current filters.
    """
    if rows.empty:
        return None
    west, south, east, north = rows.geometry.total_bounds
    return (
        round(max(west - margin, -180.0), 3),
        round(max(south - margin, -85.0), 3),
        round(min(east + margin, 180.0), 3),
        round(min(north + margin, 85.0), 3),
    )


def timeline_window(
    date: dt.date | None,
    date_range: tuple[dt.date, dt.date] | None,
    bounds: tuple[dt.date, dt.date],
) -> tuple[dt.date, dt.date]:
    """The days the timeline spans: the period; around the as-of day
    (``settings.TIMELINE_DAYS_BEFORE`` / ``_AFTER``); or every stated day (``bounds``)."""
    if date_range is not None:
        return date_range
    if date is not None:
        before = dt.timedelta(days=settings.TIMELINE_DAYS_BEFORE)
        return date - before, date + dt.timedelta(days=settings.TIMELINE_DAYS_AFTER)
    return bounds


def fitting_bounds(
    rows: gpd.GeoDataFrame, every_row: gpd.GeoDataFrame
) -> tuple[float, float, float, float]:
    """(west, south, east, north) for a view of some rows: around them, else around every row,
    else the app's default view."""
    found = view_bounds(rows) or view_bounds(every_row)
    if found is not None:
        return found
    (south, west), (north, east) = settings.DEFAULT_BOUNDS
    return (west, south, east, north)


def names_days(text: str, days: Collection[dt.date]) -> bool:
    """Whether ``text`` names each of ``days`` (its day number, month name and year)."""
    words = set(text.replace(",", " ").split())
    return all(
        str(day.day) in words
        and str(day.year) in words
        and bool({day.strftime("%B"), day.strftime("%b")} & words)
        for day in days
    )


def when_after(
    text: str | None, date: dt.date | None, date_range: tuple[dt.date, dt.date] | None
) -> str:
    """``when_text`` of the view, or "" when ``text`` (a scene's subtitle) names its days
    already: a title card or a slide does not say the dates twice."""
    days = [date] if date else list(date_range or ())
    if text and days and names_days(text, days):
        return ""
    return when_text(date, date_range)
