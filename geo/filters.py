"""The one filter state of the app and the pure functions that apply it.

The functions take the frames of :mod:`geo.tables` (deployments, or events: both have the
derived ``start_day`` / ``end_day`` columns), never modify them, and return the matching rows
with their original index. Date tests use the expanded interval: a row with ``date_precision``
month covers its whole month, an empty ``end_day`` means still going on, an empty ``start_day``
means the beginning is not stated (treated as open: the row counts as under way before any day
asked about), and both ends are inclusive (a deployment ending today is active today).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pandas as pd

from geo import settings

DateLike = dt.date | pd.Timestamp


@dataclass(frozen=True)
class FilterState:
    """What the briefing shows: nations, missions, domains, statuses, a day or a period, a scene.

    An empty tuple means "all". ``date`` (one day) and ``date_range`` (inclusive period) are
    mutually exclusive; both None means "any time". The rest selects and draws, and does not
    filter rows: ``scene`` names a preset view, ``site`` is the selected site (its marker
    highlighted, its rows marked in the table), ``symbols`` is the marker style (one of
    ``SYMBOL_STYLES``) and ``flows`` draws every contribution line, not only the selected
    site's. Build it with :meth:`FilterState.build`, which normalises the values.
    """

    nations: tuple[str, ...] = ()
    missions: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    date: dt.date | None = None
    date_range: tuple[dt.date, dt.date] | None = None
    scene: str | None = None
    site: str | None = None
    symbols: str = "badges"
    flows: bool = False

    @classmethod
    def build(
        cls,
        *,
        nations: Iterable[str] = (),
        missions: Iterable[str] = (),
        domains: Iterable[str] = (),
        statuses: Iterable[str] = (),
        date: DateLike | None = None,
        date_range: tuple[DateLike, DateLike] | None = None,
        scene: str | None = None,
        site: str | None = None,
        symbols: str = "badges",
        flows: bool = False,
    ) -> FilterState:
        """Build a normalised filter state.

        Parameters
        ----------
        nations : iterable of str
            ISO 3166-1 alpha-3 codes of contributing nations; upper-cased.
        missions : iterable of str
            Mission names, matched exactly.
        domains, statuses : iterable of str
            Lower-cased.
        date : date or Timestamp, optional
            Show what is active on this day.
        date_range : (date, date), optional
            Show what is active at any time in this inclusive period.
        scene : str, optional
            Name of a preset view; "" means None.
        site : str, optional
            Id of the selected site; "" means None.
        symbols : str
            Marker style, one of ``SYMBOL_STYLES``.
        flows : bool
            Draw every contribution line.

        Returns
        -------
        FilterState
            Every tuple stripped, deduplicated and sorted; empty strings dropped; dates as
            ``datetime.date``.

        Raises
        ------
        ValueError
            If both ``date`` and ``date_range`` are given, the range ends before it starts, or
            ``symbols`` is not a known style.
        """
        if symbols not in settings.SYMBOL_STYLES:
            styles = ", ".join(settings.SYMBOL_STYLES)
            raise ValueError(f"symbols must be one of {styles}, not {symbols!r}")
        if date is not None and date_range is not None:
            raise ValueError("give a date or a date range, not both")
        period = None
        if date_range is not None:
            first, last = (_as_date(day) for day in date_range)
            if last < first:
                raise ValueError(f"date range ends ({last}) before it starts ({first})")
            period = (first, last)
        return cls(
            nations=_normalised(nations, case=str.upper),
            missions=_normalised(missions),
            domains=_normalised(domains, case=str.lower),
            statuses=_normalised(statuses, case=str.lower),
            date=None if date is None else _as_date(date),
            date_range=period,
            scene=scene or None,
            site=site or None,
            symbols=symbols,
            flows=bool(flows),
        )


def _normalised(
    values: Iterable[str], *, case: Callable[[str], str] | None = None
) -> tuple[str, ...]:
    if isinstance(values, str):
        values = (values,)  # one name, not its letters
    cleaned = (str(value).strip() for value in values)
    if case is not None:
        cleaned = (case(value) for value in cleaned)
    return tuple(sorted({value for value in cleaned if value}))


def _as_date(day: DateLike) -> dt.date:
    # datetime (and Timestamp) are dates too: keep only the day.
    if isinstance(day, dt.datetime):
        return day.date()
    return day


def _day(day: DateLike) -> pd.Timestamp:
    return pd.Timestamp(_as_date(day))


def _member_mask(df: pd.DataFrame, column: str, values: tuple[str, ...]) -> pd.Series:
    if not values:
        return pd.Series(True, index=df.index)
    return df[column].isin(values)


def _active_mask(df: pd.DataFrame, day: DateLike) -> pd.Series:
    at = _day(day)
    begun = df["start_day"].isna() | (df["start_day"] <= at)
    return begun & (df["end_day"].isna() | (df["end_day"] >= at))


def _overlap_mask(df: pd.DataFrame, start: DateLike, end: DateLike) -> pd.Series:
    first, last = _day(start), _day(end)
    if last < first:
        raise ValueError(f"period ends ({last.date()}) before it starts ({first.date()})")
    begun = df["start_day"].isna() | (df["start_day"] <= last)
    return begun & (df["end_day"].isna() | (df["end_day"] >= first))


def active_on(df: pd.DataFrame, day: DateLike) -> pd.DataFrame:
    """Rows active on a day: ``start_day <= day <= end_day`` (an empty end is open).

    Parameters
    ----------
    df : DataFrame
        Deployments or events with ``start_day`` and ``end_day``. Not modified.
    day : date or Timestamp
        The day (a time of day is ignored).

    Returns
    -------
    DataFrame
        The matching rows, original index.
    """
    return df.loc[_active_mask(df, day)]


def overlapping(df: pd.DataFrame, start: DateLike, end: DateLike) -> pd.DataFrame:
    """Rows active at any time in the inclusive period ``[start, end]``.

    Parameters
    ----------
    df : DataFrame
        Deployments or events with ``start_day`` and ``end_day``. Not modified.
    start, end : date or Timestamp
        First and last day of the period.

    Returns
    -------
    DataFrame
        The matching rows, original index.

    Raises
    ------
    ValueError
        If ``end`` is before ``start``.
    """
    return df.loc[_overlap_mask(df, start, end)]


def by_nation(df: pd.DataFrame, nations: tuple[str, ...]) -> pd.DataFrame:
    """Rows whose contributing ``nation`` is one of ``nations`` (``()``: all rows).

    Parameters
    ----------
    df : DataFrame
        Deployments. Not modified.
    nations : tuple of str
        Alpha-3 codes, upper case (as :meth:`FilterState.build` makes them).

    Returns
    -------
    DataFrame
        The matching rows, original index.
    """
    return df.loc[_member_mask(df, "nation", nations)]


def by_mission(df: pd.DataFrame, missions: tuple[str, ...]) -> pd.DataFrame:
    """Rows whose ``mission`` is one of ``missions`` (``()``: all rows).

    Parameters
    ----------
    df : DataFrame
        Deployments. Not modified.
    missions : tuple of str
        Mission names, matched exactly.

    Returns
    -------
    DataFrame
        The matching rows, original index.
    """
    return df.loc[_member_mask(df, "mission", missions)]


def by_domain(df: pd.DataFrame, domains: tuple[str, ...]) -> pd.DataFrame:
    """Rows whose ``domain`` is one of ``domains`` (``()``: all rows).

    Parameters
    ----------
    df : DataFrame
        Deployments. Not modified.
    domains : tuple of str
        Among ``settings.DOMAINS``.

    Returns
    -------
    DataFrame
        The matching rows, original index.
    """
    return df.loc[_member_mask(df, "domain", domains)]


def by_status(df: pd.DataFrame, statuses: tuple[str, ...]) -> pd.DataFrame:
    """Rows whose ``status`` is one of ``statuses`` (``()``: all rows).

    Parameters
    ----------
    df : DataFrame
        Deployments. Not modified.
    statuses : tuple of str
        Among ``settings.STATUSES``.

    Returns
    -------
    DataFrame
        The matching rows, original index.
    """
    return df.loc[_member_mask(df, "status", statuses)]


def apply_filters(df: pd.DataFrame, state: FilterState) -> pd.DataFrame:
    """Rows of the deployments that match every part of ``state``.

    Parameters
    ----------
    df : DataFrame
        Deployments (:func:`geo.tables.load_deployments`, or joined to sites). Not modified.
    state : FilterState
        The filter; ``scene`` is ignored here.

    Returns
    -------
    DataFrame
        The matching rows, original index and order (a GeoDataFrame stays one).

    Raises
    ------
    ValueError
        If ``state`` has both a date and a date range.
    """
    if state.date is not None and state.date_range is not None:
        raise ValueError("the filter has both a date and a date range; give one")
    mask = (
        _member_mask(df, "nation", state.nations)
        & _member_mask(df, "mission", state.missions)
        & _member_mask(df, "domain", state.domains)
        & _member_mask(df, "status", state.statuses)
    )
    if state.date is not None:
        mask &= _active_mask(df, state.date)
    elif state.date_range is not None:
        mask &= _overlap_mask(df, *state.date_range)
    return df.loc[mask]


def events_on(events: pd.DataFrame, day: DateLike) -> pd.DataFrame:
    """Events whose date covers ``day`` (a month-precision event covers its whole month).

    Parameters
    ----------
    events : DataFrame
        Events (:func:`geo.tables.load_events`). Not modified.
    day : date or Timestamp
        The day.

    Returns
    -------
    DataFrame
        The matching events, original index.
    """
    return active_on(events, day)


def events_in_range(events: pd.DataFrame, start: DateLike, end: DateLike) -> pd.DataFrame:
    """Events whose date falls, even partly, in the inclusive period ``[start, end]``.

    Parameters
    ----------
    events : DataFrame
        Events (:func:`geo.tables.load_events`). Not modified.
    start, end : date or Timestamp
        First and last day of the period.

    Returns
    -------
    DataFrame
        The matching events, original index.

    Raises
    ------
    ValueError
        If ``end`` is before ``start``.
    """
    return overlapping(events, start, end)
