"""The time bar: a day scrubbed and played in the browser, from compact columns sent once.

Dynamic (pushed with the filtered layers), in "as of a day" mode only. The deployments,
contribution lines and events are then drawn for every date (the other filters applied), and
:func:`time_columns` hands the browser, once, what it needs to show the rows of any day without
asking the server: each row's first and last day (day numbers, already widened to the date's
precision by :mod:`geo.tables`, so ``geo.filters`` and the browser read the same interval), an
open-start flag, and positions into small lists of sites, nations and hosts, which name the
marker, its badge, the contribution line and the shading a row feeds. The browser code is
``layers/timebar.js``; its filter functions and :mod:`geo.filters` apply the same rules (an
unstated start is open, an empty end is ongoing, both ends inclusive), checked by
``tests/test_timebar.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

import folium
import numpy as np
import pandas as pd

from geo import settings
from layers.base import DataLayer, safe_text

NAME = "timebar"
#: Day 0 of the day numbers (the browser turns them back into dates from the same origin).
EPOCH = dt.date(1970, 1, 1)


def day_number(day: dt.date | pd.Timestamp) -> int:
    """Days from 1970-01-01 to ``day`` (a time of day is ignored)."""
    if isinstance(day, dt.datetime):
        day = day.date()
    return (day - EPOCH).days


def _with_nulls(numbers: np.ndarray, missing: np.ndarray) -> list[int | None]:
    # Whole-column work, then None (JSON null) only where a value is missing.
    out: list[int | None] = np.where(missing, 0, numbers).astype(np.int64).tolist()
    for index in np.flatnonzero(missing):
        out[index] = None
    return out


def _day_numbers(days: pd.Series) -> list[int | None]:
    stamps = pd.to_datetime(days)
    numbers = (stamps - pd.Timestamp(EPOCH)).dt.days.to_numpy(dtype=float)
    return _with_nulls(numbers, np.isnan(numbers))


def _positions(values: pd.Series, names: list[str]) -> list[int]:
    # Position of each value in ``names``; -1 for an empty or unknown value.
    codes = pd.Index(names, dtype=object).get_indexer(pd.Index(values.astype(object)))
    return list(codes.astype(np.int64).tolist())


def _texts(values: pd.Series) -> list[str]:
    # The distinct values first (a few dozen), then the Python work.
    return sorted({str(v) for v in pd.unique(values.dropna()) if isinstance(v, str) and v})


def _sea_sites(rows: pd.DataFrame) -> pd.Series:
    if not len(rows) or "site_kind" not in rows:
        return pd.Series([], dtype=object)
    kinds = rows["site_kind"].astype(object)
    return pd.Series(sorted({str(s) for s in rows.loc[kinds == "sea_area", "site"]}), dtype=object)


def _host_column(rows: pd.DataFrame) -> pd.Series:
    # The table's host column; a row without one (at sea) hosts nowhere (as geo.story).
    column = "host" if "host" in rows else "site_country"
    return rows[column].astype(object).where(rows[column].notna(), "")


def time_columns(
    rows: pd.DataFrame,
    event_rows: pd.DataFrame,
    *,
    day: dt.date,
    bounds: tuple[dt.date, dt.date],
    point_sites: Iterable[str] | None = None,
    with_events: bool = True,
) -> dict[str, object]:
    """The columns the browser filters by day, in the rows' order.

    Parameters
    ----------
    rows : DataFrame
        Deployments joined to their sites, filtered by everything but the date. Not modified.
    event_rows : DataFrame
        Events, of every date. Not modified. Their order is the order of ``"k"`` in the events
        layer's marks.
    day : date
        The day shown when the map arrives.
    bounds : (date, date)
        First and last day the scrubber offers (the Streamlit slider's bounds).
    point_sites : iterable of str, optional
        Sites drawn quietly when no row of the day names them (a scene's "quiet" other sites);
        None: such sites are hidden.
    with_events : bool
        Whether the places of events belong to the view's story (as :func:`geo.story.story`).

    Returns
    -------
    dict
        JSON-safe: ``day``, ``first``, ``last``, ``recent`` (day numbers and the events' recent
        window in days), ``sites``, ``nations``, ``hosts`` (escaped texts), ``rows`` and
        ``events`` (columns: ``s``/``e`` first and last day or null, ``o`` 1 when the start is
        unstated, positions into the lists, -1 for none), the marker sizes and statuses.
    """
    hosts_col = _host_column(rows)
    sites = _texts(rows["site"]) if len(rows) else []
    events_sites = _texts(event_rows["site"]) if len(event_rows) else []
    all_sites = sorted({*sites, *events_sites})
    nations = _texts(rows["nation"]) if len(rows) else []
    hosts = _texts(hosts_col) if len(rows) else []
    # Rank in STATUS_PRECEDENCE; an unknown status after them all.
    ranks = np.asarray(_positions(rows["status"], list(settings.STATUS_PRECEDENCE)))
    ranks = np.where(ranks < 0, len(settings.STATUS_PRECEDENCE), ranks)
    personnel = pd.to_numeric(rows["personnel"], errors="coerce").to_numpy(dtype=float)
    first, last = bounds
    low, high = settings.MARKER_DIAMETER_PX
    return {
        "day": day_number(day),
        "first": day_number(first),
        "last": day_number(last),
        "recent": settings.EVENT_RECENT_DAYS,
        "sites": [safe_text(s) for s in all_sites],
        "nations": [safe_text(n) for n in nations],
        "hosts": [safe_text(h) for h in hosts],
        "statuses": list(settings.STATUS_PRECEDENCE),
        "marker": {"low": low, "high": high, "full": settings.MARKER_FULL_PERSONNEL},
        "quiet": None if point_sites is None else sorted(safe_text(s) for s in point_sites),
        # Positions in ``sites`` of the sea areas (emphasised while a row there is shown).
        "seas": sorted(_positions(_sea_sites(rows), all_sites)),
        "with_events": bool(with_events),
        "rows": {
            "s": _day_numbers(rows["start_day"]),
            "e": _day_numbers(rows["end_day"]),
            "o": rows["start_day"].isna().astype(int).tolist(),
            "site": _positions(rows["site"], all_sites),
            "nation": _positions(rows["nation"], nations),
            "host": _positions(hosts_col, hosts),
            # The badge's status, as a rank in ``statuses``.
            "st": ranks.tolist(),
            # Known personnel, or -1 (not stated).
            "p": np.where(np.isnan(personnel), -1, personnel).astype(np.int64).tolist(),
        },
        "events": {
            "s": _day_numbers(event_rows["start_day"]),
            "e": _day_numbers(event_rows["end_day"]),
            "o": event_rows["start_day"].isna().astype(int).tolist(),
            "site": _positions(event_rows["site"], all_sites),
        },
    }


def settled_day(tags: object) -> tuple[dt.date, str] | None:
    """The day the browser's time bar settled on, from streamlit-folium's ``selected_tags``.

    The bar sends ``["day:YYYY-MM-DD", "n:<token>"]``, a new token each time, so the same day
    sent twice (after the app moved away from it) still counts. Anything else: None.
    """
    if not isinstance(tags, list) or len(tags) != 2:
        return None
    day_tag, token = tags
    if not (isinstance(day_tag, str) and isinstance(token, str)):
        return None
    if not (day_tag.startswith("day:") and token.startswith("n:")):
        return None
    try:
        return dt.date.fromisoformat(day_tag[4:]), token
    except ValueError:
        return None


#: What changes with the day and the span: sent with every push, the rest once.
DAY_KEYS = ("day", "first", "last")


def build(
    columns: dict[str, object] | None, *, publish: Callable[[object], str] | None = None
) -> folium.FeatureGroup:
    """The time bar's group: nothing drawn, the columns and one call to the browser.

    ``None`` (not "as of a day"): the browser takes the bar off the map. With ``publish``
    (e.g. :func:`layers.static.publish_json`: data in, URL out), the columns but the day go to
    a file named by its content, which the browser fetches once; the push carries its URL.
    """
    group = folium.FeatureGroup(name=NAME, control=False)
    if columns is None:
        group.add_child(DataLayer("timebarOff", {}))
    elif publish is None:
        group.add_child(DataLayer("timebar", columns))
    else:
        rest = {key: value for key, value in columns.items() if key not in DAY_KEYS}
        data: dict[str, object] = {key: columns[key] for key in DAY_KEYS}
        data["url"] = publish(rest)
        group.add_child(DataLayer("timebar", data))
    return group
