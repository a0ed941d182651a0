"""Load and validate the briefing data: sources, sites, deployments and events.

Every loader collects every problem of a file, then raises one error that lists them all
(:mod:`geo.errors`). Column checks run in pandera (``lazy=True``); checks across columns, rows or
tables run here; both end up in the same error.

Returned frames
---------------
- Text columns have pandas' ``str`` dtype; an empty cell stays ``""`` (never NA).
- Date columns (``start``, ``end``, ``reported``, ``date``) have ``settings.DATE_DTYPE``; an empty
  cell is ``NaT``. ``start_day`` / ``end_day`` are the first and last day the row covers, per its
  ``date_precision`` (month: 1st to last day of the month; year: Jan 1 to Dec 31); ``end_day`` is
  ``NaT`` for a deployment still going on, ``start_day`` is ``NaT`` when the source does not state
  when it began.
- ``personnel`` is nullable ``Int64`` (``<NA>`` when unknown).
- ``also_sources`` holds a tuple of source ids (``()`` when none).

Line numbers in messages are CSV lines (header = line 1); a quoted cell spanning several lines
is reported at the line its row starts on.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import re
from collections import Counter
from collections.abc import Callable, Collection, Hashable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pandera.pandas as pa
import pycountry
from pandera.errors import SchemaErrors
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from geo import geojson, settings
from geo.errors import (
    DataError,
    DeploymentTableError,
    EventsTableError,
    Problem,
    SitesError,
    SourcesTableError,
)

logger = logging.getLogger(__name__)

_DATE_FORM = re.compile(r"\d{4}-\d{2}-\d{2}")
_WHOLE_NUMBER = re.compile(r"\d+")
_ALPHA3 = re.compile(r"[A-Z]{3}")
_AREA_TYPES = frozenset({"Polygon", "MultiPolygon"})
_DATE_DTYPE = np.dtype(settings.DATE_DTYPE)
_EXPECT_ALPHA3 = "an ISO 3166-1 alpha-3 country code"
_EXPECT_DATE_FORM = "a date in the form YYYY-MM-DD"
_EXPECT_REAL_DATE = "a real calendar date"
_EXPECT_LINK = "a web address starting with https:// or http:// without spaces (kept as text)"


# --- cell predicates (on stripped text) -------------------------------------------------------


def _is_alpha3(value: str) -> bool:
    # Upper case only: pycountry's lookup ignores case, the table must not.
    return bool(_ALPHA3.fullmatch(value)) and pycountry.countries.get(alpha_3=value) is not None


def _is_date_form(value: str) -> bool:
    return bool(_DATE_FORM.fullmatch(value))


def _is_real_date(value: str) -> bool:
    # A value not in date form is reported by the form check alone, not twice.
    if not _is_date_form(value):
        return True
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_whole_number(value: str) -> bool:
    return bool(_WHOLE_NUMBER.fullmatch(value))


def _is_text(value: str) -> bool:
    return value != ""


def _one_of(choices: Iterable[str]) -> str:
    return "one of " + ", ".join(choices)


# --- pandera -------------------------------------------------------------------------------------


def _each_distinct(series: pd.Series, function: Callable[[str], Any]) -> np.ndarray:
    """``function`` of every cell, called once per distinct text (most columns repeat a few
    hundred values over 100,000 rows: a Python call per cell is the cost of a large upload)."""
    codes, uniques = pd.factorize(series, use_na_sentinel=False)
    results = np.empty(len(uniques), dtype=object)
    results[:] = [function(value) for value in uniques.tolist()]
    return results[codes]


def _check(predicate: Callable[[str], bool], expected: str, *, optional: bool = False) -> pa.Check:
    def test(value: str) -> bool:
        return (optional and value == "") or predicate(value)

    def column_test(series: pd.Series) -> pd.Series:
        return pd.Series(_each_distinct(series, test).astype(bool), index=series.index)

    return pa.Check(column_test, error=expected)


def _member(ids: Collection[str], expected: str, *, optional: bool = False) -> pa.Check:
    allowed = frozenset(ids)
    return _check(allowed.__contains__, expected, optional=optional)


def _date_checks(*, optional: bool) -> list[pa.Check]:
    return [
        _check(_is_date_form, _EXPECT_DATE_FORM, optional=optional),
        _check(_is_real_date, _EXPECT_REAL_DATE, optional=optional),
    ]


def _text_column(*checks: pa.Check) -> pa.Column:
    return pa.Column(str, checks=list(checks), nullable=False)


def _deployment_schema(
    site_ids: Collection[str], source_ids: Collection[str]
) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "id": _text_column(_check(_is_text, "a non-empty id")),
            "nation": _text_column(_check(_is_alpha3, _EXPECT_ALPHA3)),
            "mission": _text_column(_check(_is_text, "a non-empty mission name")),
            "site": _text_column(_member(site_ids, "an id in the sites file")),
            # Empty for a sea area, which no single nation hosts.
            "host": _text_column(_check(_is_alpha3, f"{_EXPECT_ALPHA3}, or empty", optional=True)),
            # Empty when the source does not state it: the row then has no known beginning.
            "start": _text_column(*_date_checks(optional=True)),
            "end": _text_column(*_date_checks(optional=True)),
            # Required when start or end is given: checked in _dated_precision_problems.
            "date_precision": _text_column(
                _member(
                    settings.DATE_PRECISIONS,
                    _one_of(settings.DATE_PRECISIONS) + " (or empty when there is no date)",
                    optional=True,
                )
            ),
            "personnel": _text_column(
                _check(_is_whole_number, "a non-negative whole number, or empty", optional=True)
            ),
            "assets": _text_column(),
            "domain": _text_column(_member(settings.DOMAINS, _one_of(settings.DOMAINS))),
            "command": _text_column(
                _check(_is_alpha3, f"{_EXPECT_ALPHA3}, or empty", optional=True)
            ),
            "status": _text_column(_member(settings.STATUSES, _one_of(settings.STATUSES))),
            "source": _text_column(_member(source_ids, "an id in the sources file")),
            "also_sources": _text_column(),  # each id is checked in _list_member_problems
            "reported": _text_column(*_date_checks(optional=True)),
            "note": _text_column(),
        },
        strict=False,  # the header is checked before, with clearer messages
        coerce=False,
    )


def _source_schema() -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "id": _text_column(_check(_is_text, "a non-empty id (the file name)")),
            "title": _text_column(_check(_is_text, "a non-empty title")),
            "publisher": _text_column(),
            "date": _text_column(*_date_checks(optional=True)),
            "date_precision": _text_column(
                _member(
                    settings.DATE_PRECISIONS,
                    _one_of(settings.DATE_PRECISIONS) + " (or empty when date is empty)",
                    optional=True,
                )
            ),
            "date_note": _text_column(),
            "kind": _text_column(_member(settings.SOURCE_KINDS, _one_of(settings.SOURCE_KINDS))),
        },
        strict=False,
        coerce=False,
    )


def _event_schema(site_ids: Collection[str], source_ids: Collection[str]) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "id": _text_column(_check(_is_text, "a non-empty id")),
            "date": _text_column(*_date_checks(optional=False)),
            "date_precision": _text_column(
                _member(settings.DATE_PRECISIONS, _one_of(settings.DATE_PRECISIONS))
            ),
            "title": _text_column(_check(_is_text, "a non-empty title")),
            "place": _text_column(),
            "site": _text_column(
                _member(site_ids, "an id in the sites file, or empty", optional=True)
            ),
            "source": _text_column(_member(source_ids, "an id in the sources file")),
            "note": _text_column(),
        },
        strict=False,
        coerce=False,
    )


def _site_schema() -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "id": _text_column(_check(_is_text, "a non-empty id")),
            "name": _text_column(_check(_is_text, "a non-empty name")),
            "kind": _text_column(_member(settings.SITE_KINDS, _one_of(settings.SITE_KINDS))),
            # Empty is only allowed for some kinds: checked in _site_country_problems.
            "country": _text_column(_check(_is_alpha3, _EXPECT_ALPHA3, optional=True)),
        },
        strict=False,
        coerce=False,
    )


def _schema_problems(
    schema: pa.DataFrameSchema, text: pd.DataFrame, *, features: bool = False
) -> list[Problem]:
    """Run ``schema`` lazily on ``text`` (indexed by line or feature number) into Problems."""
    try:
        schema.validate(text, lazy=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases
    else:
        return []
    problems = []
    for case in cases.itertuples(index=False):
        column = None if pd.isna(case.column) else str(case.column)
        value = None if pd.isna(case.failure_case) else str(case.failure_case)
        if pd.isna(case.index):
            # A whole-column failure (e.g. a dtype); cannot happen on text frames, kept readable.
            problems.append(Problem(None, column, None, f"failed check {case.check}: {value}"))
            continue
        number = int(case.index)
        line, feature = (None, number) if features else (number, None)
        problems.append(Problem(line, column, value, str(case.check), feature=feature))
    return problems


# --- checks across columns, rows or tables -----------------------------------------------------


def _locate(number: Hashable, *, features: bool) -> dict[str, int | None]:
    value = int(str(number))
    return {"line": None, "feature": value} if features else {"line": value, "feature": None}


def _duplicate_problems(
    text: pd.DataFrame, column: str, *, features: bool = False
) -> list[Problem]:
    first: dict[str, Hashable] = {}
    problems = []
    where = "feature" if features else "line"
    values = text[column]
    repeated = set(values[values.duplicated(keep=False) & (values != "")].tolist())
    for number, value in zip(text.index.tolist(), values.tolist(), strict=True):
        if value not in repeated:
            continue
        if value in first:
            expected = f"a unique {column} (already used on {where} {first[value]})"
            location = _locate(number, features=features)
            problems.append(
                Problem(location["line"], column, value, expected, feature=location["feature"])
            )
        else:
            first[value] = number
    return problems


def _precision_problems(text: pd.DataFrame, columns: Sequence[str]) -> list[Problem]:
    """Dates of month/year precision must be the first day of their month/year."""
    problems = []
    # Plain lists, not iterrows: a Series per row costs ~100x more on a 100,000-row upload.
    precisions = text["date_precision"].tolist()
    for column in columns:
        for number, precision, value in zip(
            text.index, precisions, text[column].tolist(), strict=True
        ):
            if precision not in ("month", "year") or not _is_date_form(value):
                continue
            if not _is_real_date(value):
                continue
            day = dt.date.fromisoformat(value)
            if precision == "month" and day.day != 1:
                expected = "the 1st of a month (date_precision is month)"
            elif precision == "year" and (day.month, day.day) != (1, 1):
                expected = "January 1st (date_precision is year)"
            else:
                continue
            problems.append(Problem(int(str(number)), column, value, expected))
    return problems  # callers sort problems by line and column


def _parse_day(value: str) -> dt.date | None:
    if value == "" or not _is_date_form(value) or not _is_real_date(value):
        return None
    return dt.date.fromisoformat(value)


def _order_problems(text: pd.DataFrame, first: str, last: str) -> list[Problem]:
    problems = []
    starts, ends = _each_distinct(text[first], _parse_day), _each_distinct(text[last], _parse_day)
    for number, first_text, last_text, start, end in zip(
        text.index, text[first].tolist(), text[last].tolist(), starts, ends, strict=True
    ):
        if start is not None and end is not None and end < start:
            expected = f"on or after {first} ({first_text})"
            problems.append(Problem(int(str(number)), last, last_text, expected))
    return problems


def _list_member_problems(
    text: pd.DataFrame, column: str, ids: Collection[str], expected: str
) -> list[Problem]:
    problems = []
    for number, value in zip(text.index.tolist(), text[column].tolist(), strict=True):
        if not value:
            continue
        for item in _split_list(value):
            if item not in ids:
                problems.append(Problem(int(str(number)), column, item, expected))
    return problems


def _dated_precision_problems(text: pd.DataFrame, columns: Sequence[str]) -> list[Problem]:
    """A row with any date in ``columns`` must say how precise its dates are."""
    problems = []
    dated = zip(*(text[column].tolist() for column in columns), strict=True)
    for number, precision, dates in zip(
        text.index, text["date_precision"].tolist(), dated, strict=True
    ):
        if precision == "" and any(value != "" for value in dates):
            expected = _one_of(settings.DATE_PRECISIONS) + " (the row has a date)"
            problems.append(Problem(int(str(number)), "date_precision", "", expected))
    return problems


def _sorted(problems: Iterable[Problem], columns: Sequence[str]) -> list[Problem]:
    order = {name: position for position, name in enumerate(columns)}

    def key(problem: Problem) -> tuple[int, int, int]:
        return (
            problem.line or 0,
            problem.feature or 0,
            order.get(problem.column or "", -1),
        )

    return sorted(dict.fromkeys(problems), key=key)


# --- text frames ---------------------------------------------------------------------------------


def _cell_text(value: object) -> str:
    """One cell as the text it would have in the CSV file (so typed frames validate again)."""
    if value is None:
        return ""
    if isinstance(value, tuple | list):
        return settings.LIST_SEPARATOR.join(_cell_text(item) for item in value)
    if isinstance(value, dt.datetime | pd.Timestamp):
        return "" if pd.isna(value) else value.strftime("%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.isoformat()
    missing = pd.isna(value)  # type: ignore[call-overload]
    if isinstance(missing, bool | np.bool_) and missing:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return value  # exactly as typed; columns that are codes are stripped in _text_frame
    return str(value).strip()


def _column_text(series: pd.Series, column: str) -> list[str]:
    texts: list[str]
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        # One vectorised call, as _cell_text writes a date; NaT is an empty cell.
        texts = series.dt.strftime("%Y-%m-%d").fillna("").tolist()
    elif isinstance(series.dtype, pd.StringDtype):
        texts = series.fillna("").tolist()  # text already (an uploaded CSV): NA is empty
    else:
        values = series.tolist()
        if pd.api.types.infer_dtype(values, skipna=False) == "string":
            texts = values
        else:
            texts = [_cell_text(value) for value in values]
    if column in settings.FREE_TEXT_COLUMNS:
        return texts
    return [text.strip() for text in texts]


def _text_frame(df: pd.DataFrame, columns: Sequence[str], lines: Sequence[int]) -> pd.DataFrame:
    data = {column: _column_text(df[column], column) for column in columns}
    index = pd.Index(list(lines), name="line", dtype="int64")
    return pd.DataFrame(data, index=index, columns=list(columns), dtype=str)


def cell_text(value: object) -> str:
    """One cell (text, number, date, NA, list) as the text it has in a CSV file."""
    return _cell_text(value)


def text_frame(df: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """The given columns of ``df`` as CSV cell text, indexed by CSV line (header = 1)."""
    return _text_frame(df, columns, range(2, len(df) + 2))


def _character_problems(text: pd.DataFrame) -> list[Problem]:
    """Cells a download could not carry: a control character (NUL...) or too long for Excel."""
    forbidden = settings.FORBIDDEN_CELL_CHARACTERS
    problems = []
    for column in text.columns:
        values = text[column].tolist()
        # A whole column at once first (C loops): almost every column of an upload is clean.
        longest = max(map(len, values), default=0)
        if longest <= settings.MAX_CELL_CHARACTERS and forbidden.isdisjoint("".join(values)):
            continue
        for number, value in zip(text.index.tolist(), values, strict=True):
            if len(value) > settings.MAX_CELL_CHARACTERS:
                expected = (
                    f"at most {settings.MAX_CELL_CHARACTERS:,} characters (it has "
                    f"{len(value):,}; an Excel cell holds no more): shorten it"
                )
                problems.append(Problem(int(str(number)), str(column), value[:60] + "…", expected))
                continue
            if forbidden.isdisjoint(value):
                continue
            bad = sorted({char for char in value if char in forbidden})
            names = ", ".join(f"U+{ord(char):04X}" for char in bad)
            expected = (
                f"text without control characters (it holds {names}, which an Excel workbook "
                "or the workspace cannot keep): delete them; tabs and line breaks are fine"
            )
            problems.append(Problem(int(str(number)), str(column), value, expected))
    return problems


def _split_list(value: str) -> tuple[str, ...]:
    parts = (item.strip() for item in value.split(settings.LIST_SEPARATOR))
    return tuple(item for item in parts if item)


def _header_problems(
    header: Sequence[str],
    columns: Sequence[str],
    *,
    line: int = 1,
    ignored: Collection[str] = (),
) -> list[Problem]:
    wanted = ", ".join(columns)
    if len(header) == 1 and len(columns) > 1:
        for separator, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "vertical bars")):
            if separator in header[0]:
                expected = (
                    f"a comma-separated header: the file seems to separate its columns with "
                    f"{name}; expected the columns {wanted}, separated by commas"
                )
                return [Problem(line, None, header[0], expected)]
    counts = Counter(header)
    problems = [
        Problem(line, name, None, f"the column appears {count} times in the header")
        for name, count in counts.items()
        if count > 1
    ]
    problems += [
        Problem(line, name, None, f"the column is missing from the header (expected {wanted})")
        for name in columns
        if name not in counts
    ]
    problems += [
        Problem(line, name, None, f"the column is not expected (expected {wanted})")
        for name in counts
        if name not in columns and name not in ignored
    ]
    return problems


def _csv_records(text: str, problems: list[Problem]) -> Iterator[tuple[int, list[str]]]:
    """(line, record) of CSV text, a record's line being the one it starts on; a CSV error
    ends the records and is added to ``problems``."""
    reader = csv.reader(io.StringIO(text, newline=""))
    previous_end = 0
    try:
        for record in reader:
            line, previous_end = previous_end + 1, reader.line_num
            yield line, record
    except csv.Error as exc:
        problems.append(Problem(reader.line_num, None, None, f"the CSV cannot be read: {exc}"))


def _parse_csv(
    text: str,
    *,
    columns: Sequence[str],
    error: type[DataError],
    source: str,
    optional: Collection[str] = (),
) -> tuple[pd.DataFrame, list[Problem]]:
    """CSV text -> (text frame indexed by line number, problems of rows left out of it).

    Raises ``error`` at once for an empty file or a wrong header: no row can be read then.
    """
    if not text.strip():
        expected = f"a header line with the columns {', '.join(columns)}"
        raise error([Problem(None, None, "", expected)], source)
    problems: list[Problem] = []
    frame, row_problems = _parse_records(
        _csv_records(text, problems),
        columns=columns,
        error=error,
        source=source,
        optional=optional,
    )
    return frame, row_problems + problems


def _parse_records(
    records: Iterable[tuple[int, Sequence[str]]],
    *,
    columns: Sequence[str],
    error: type[DataError],
    source: str,
    optional: Collection[str] = (),
) -> tuple[pd.DataFrame, list[Problem]]:
    """(line, record) pairs, the header first -> (text frame indexed by line, problems).

    Raises ``error`` at once when there is no header or a wrong one.
    """
    header: list[str] | None = None
    rows: list[Sequence[str]] = []
    lines: list[int] = []
    problems: list[Problem] = []
    for line, record in records:
        if not record or (len(record) == 1 and not record[0].strip()):
            continue  # a blank line
        if header is None:
            header = [name.strip() for name in record]
            required = [name for name in columns if name not in optional or name in header]
            header_problems = _header_problems(header, required, line=line)
            if header_problems:
                raise error(header_problems, source)
            continue
        if len(record) != len(header):
            expected = (
                f"the row has {len(record)} fields, expected {len(header)} "
                "(a comma inside an unquoted text?)"
            )
            problems.append(Problem(line, None, None, expected))
            continue
        rows.append(record)
        lines.append(line)
    if header is None:
        expected = f"a header line with the columns {', '.join(columns)}"
        raise error([Problem(None, None, "", expected)], source)
    # Column lists straight from the records: no frame of the raw text in between.
    named = dict(zip(header, map(list, zip(*rows, strict=True)), strict=False))
    empty = [""] * len(rows)
    data = {column: named.get(column, empty) for column in columns}
    texts = {
        column: values if column in settings.FREE_TEXT_COLUMNS else [v.strip() for v in values]
        for column, values in data.items()
    }
    index = pd.Index(lines, name="line", dtype="int64")
    return pd.DataFrame(texts, index=index, columns=list(columns), dtype=str), problems


def _unguarded(text: pd.DataFrame, unguard: Callable[[str], str]) -> pd.DataFrame:
    """``unguard`` applied to every cell, once per distinct text of each column."""
    data = {column: _each_distinct(text[column], unguard).tolist() for column in text.columns}
    return pd.DataFrame(data, index=text.index, columns=text.columns, dtype=str)


def _read_text(path: Path, *, error: type[DataError]) -> str:
    try:
        return path.read_bytes().decode(settings.CSV_ENCODING)
    except UnicodeDecodeError as exc:
        expected = f"the file is not UTF-8 text ({exc.reason} at byte {exc.start})"
        raise error([Problem(None, None, None, expected)], str(path)) from exc


# --- typed frames --------------------------------------------------------------------------------


def _to_dates(text: pd.Series) -> pd.Series:
    days = pd.to_datetime(text.where(text != ""), format="%Y-%m-%d")
    return days.astype(_DATE_DTYPE)


def _to_whole_numbers(text: pd.Series) -> pd.Series:
    values = [int(value) if value else pd.NA for value in text]
    return pd.Series(pd.array(values, dtype="Int64"), index=text.index)


def _period_start(days: pd.Series, precision: pd.Series) -> pd.Series:
    month = days.dt.to_period("M").dt.start_time
    year = days.dt.to_period("Y").dt.start_time
    out = days.mask(precision == "month", month).mask(precision == "year", year)
    return out.astype(_DATE_DTYPE)


def _period_end(days: pd.Series, precision: pd.Series) -> pd.Series:
    # end_time is the last nanosecond of the period; the filters compare whole days.
    month = days.dt.to_period("M").dt.end_time.dt.normalize()
    year = days.dt.to_period("Y").dt.end_time.dt.normalize()
    out = days.mask(precision == "month", month).mask(precision == "year", year)
    return out.astype(_DATE_DTYPE)


def _typed(
    text: pd.DataFrame, *, dates: Sequence[str], index: pd.Index | None = None
) -> pd.DataFrame:
    out = text.reset_index(drop=True)
    if index is not None:
        out.index = index
    for column in dates:
        out[column] = _to_dates(out[column])
    return out


# --- sources -------------------------------------------------------------------------------------


def load_sources(path: str | Path = settings.SOURCES_PATH) -> pd.DataFrame:
    """Load and validate the sources table.

    Parameters
    ----------
    path : str or Path
        CSV file with the columns ``settings.SOURCE_COLUMNS``.

    Returns
    -------
    DataFrame
        One row per source; ``date`` as ``settings.DATE_DTYPE`` (NaT when not stated).

    Raises
    ------
    SourcesTableError
        Listing every problem of the file.
    """
    path = Path(path)
    return sources_from_csv(
        _read_text(path, error=SourcesTableError), source=str(path), columns=settings.SOURCE_COLUMNS
    )


def _is_link(value: str) -> bool:
    return value.startswith(("https://", "http://")) and not any(c.isspace() for c in value)


def _source_problems(text: pd.DataFrame, taken_ids: Collection[str]) -> list[Problem]:
    problems = _schema_problems(_source_schema(), text)
    problems += _character_problems(text)
    problems += _duplicate_problems(text, "id")
    problems += _taken_problems(text, taken_ids, "source")
    problems += _precision_problems(text, ("date",))
    problems += _dated_precision_problems(text, ("date",))
    if "link" in text.columns:
        problems += [
            Problem(int(str(number)), "link", value, _EXPECT_LINK)
            for number, value in text["link"].items()
            if value and not _is_link(value)
        ]
    return problems


def _taken_problems(text: pd.DataFrame, taken_ids: Collection[str], noun: str) -> list[Problem]:
    return [
        Problem(int(str(number)), "id", value, f"a new id (the briefing already has this {noun})")
        for number, value in text["id"].items()
        if value in taken_ids
    ]


def sources_from_csv(
    data: str | bytes,
    *,
    source: str = "sources",
    taken_ids: Collection[str] = (),
    unguard: Callable[[str], str] | None = None,
    columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Read and validate sources CSV text (the bundled file, or the user's own sources).

    Parameters
    ----------
    data : str or bytes
        The CSV; bytes are decoded as UTF-8 (a byte-order mark is dropped).
    source : str
        Name of the data in error messages.
    taken_ids : collection of str
        Ids already used (the bundled sources, when reading the user's): refused.
    unguard : callable, optional
        Applied to every cell first (the download's formula escape taken off).
    columns : sequence of str, optional
        The columns; ``settings.USER_SOURCE_COLUMNS`` (``link`` optional) when None.

    Raises
    ------
    SourcesTableError
        Listing every problem, with CSV line numbers.
    """
    columns = settings.USER_SOURCE_COLUMNS if columns is None else columns
    text, problems = _parse_csv(
        _decoded(data, SourcesTableError, source),
        columns=columns,
        error=SourcesTableError,
        source=source,
        optional=("link",),
    )
    if unguard is not None:
        text = _unguarded(text, unguard)
    problems += _source_problems(text, taken_ids)
    if problems:
        raise SourcesTableError(_sorted(problems, columns), source)
    return _typed(text, dates=("date",))


def validate_sources(
    df: pd.DataFrame, *, taken_ids: Collection[str] = (), source: str = "sources"
) -> pd.DataFrame:
    """Validate a sources frame in memory (the user's, edited or kept in the workspace).

    ``df`` has the columns ``settings.SOURCE_COLUMNS`` (``link`` optional), as text or typed;
    row ``i`` is reported as line ``i + 2``. Returns the typed frame (``date`` a date).

    Raises
    ------
    SourcesTableError
        Listing every problem.
    """
    columns = settings.USER_SOURCE_COLUMNS
    frame = df if "link" in df.columns else df.assign(link="")
    problems = _header_problems([str(c) for c in frame.columns], columns)
    if problems:
        raise SourcesTableError(problems, source)
    text = _text_frame(frame, columns, range(2, len(frame) + 2))
    problems = _source_problems(text, taken_ids)
    if problems:
        raise SourcesTableError(_sorted(problems, columns), source)
    return _typed(text, dates=("date",))


def _decoded(data: str | bytes, error: type[DataError], source: str) -> str:
    if isinstance(data, bytes):
        try:
            data = data.decode(settings.CSV_ENCODING)
        except UnicodeDecodeError as exc:
            statement = f"the file is not UTF-8 text ({exc.reason} at byte {exc.start})"
            raise error([Problem(None, None, None, statement)], source) from exc
    return data.removeprefix("\ufeff")


# --- sites ---------------------------------------------------------------------------------------


def feature_properties(feature: object, number: int) -> tuple[dict[str, Any] | None, Problem]:
    """A GeoJSON feature's properties (``{}`` when null), or None and why it is not a feature.

    Parameters
    ----------
    feature : object
        One item of a FeatureCollection's ``features`` (parsed JSON).
    number : int
        Its 1-based position, for the problem.
    """
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        return None, Problem(None, None, None, "not a GeoJSON Feature", number)
    properties = feature.get("properties") or {}
    if not isinstance(properties, dict):
        return None, Problem(None, None, None, "the properties are not an object", number)
    return properties, Problem(None, None, None, "", number)


def _site_country_problems(text: pd.DataFrame) -> list[Problem]:
    problems = []
    for number, row in text.iterrows():
        needs_country = row["kind"] in settings.SITE_KINDS
        needs_country = needs_country and row["kind"] not in settings.SITE_KINDS_WITHOUT_COUNTRY
        if row["country"] == "" and needs_country:
            exempt = ", ".join(settings.SITE_KINDS_WITHOUT_COUNTRY)
            expected = f"{_EXPECT_ALPHA3} (only these kinds may have none: {exempt})"
            problems.append(Problem(None, "country", "", expected, int(str(number))))
    return problems


def sites_from_geojson(document: object, *, source: str = "sites") -> gpd.GeoDataFrame:
    """Validate a parsed GeoJSON FeatureCollection of sites into a GeoDataFrame.

    Parameters
    ----------
    document : object
        The parsed JSON (``json.load`` output).
    source : str
        Name of the document in error messages.

    Returns
    -------
    GeoDataFrame
        See :func:`load_sites`.

    Raises
    ------
    SitesError
        Listing every problem of the document.
    """
    reading = geojson.read_document(document)
    if not reading.features and reading.problems:
        raise SitesError(list(reading.problems), source)
    problems: list[Problem] = list(reading.problems)
    problems += [
        Problem(None, "geometry", None, "the site has no geometry (null or empty)", f.number)
        for f in reading.features
        if f.geometry is None and f.notes
    ]
    rows = [feature.properties for feature in reading.features]
    geometries = [feature.geometry for feature in reading.features]
    numbers = [feature.number for feature in reading.features]
    raw = pd.DataFrame(rows)
    for column in settings.SITE_PROPERTIES:
        if column not in raw.columns:
            raw[column] = ""  # reported as empty by the schema
    text = _text_frame(raw, settings.SITE_PROPERTIES, numbers)
    problems += _schema_problems(_site_schema(), text, features=True)
    problems += _duplicate_problems(text, "id", features=True)
    problems += _site_country_problems(text)
    if problems:
        raise SitesError(_sorted(problems, (*settings.SITE_PROPERTIES, "geometry")), source)
    repairs = [
        f"site {site_id!r} (feature {feature.number}): {note}"
        for feature, site_id in zip(reading.features, text["id"], strict=True)
        for note in feature.notes
    ]
    for message in repairs:
        logger.warning("%s: %s", source, message)
    repaired = list(geometries)
    data = raw.reset_index(drop=True)
    for column in settings.SITE_PROPERTIES:
        data[column] = text[column].to_numpy()
    sites = gpd.GeoDataFrame(
        data, geometry=gpd.GeoSeries(repaired, crs=settings.CRS), crs=settings.CRS
    )
    sites.attrs["repairs"] = repairs
    return sites


def load_sites(path: str | Path = settings.SITES_PATH) -> gpd.GeoDataFrame:
    """Load and validate the sites (GeoJSON FeatureCollection, RFC 7946 so EPSG:4326).

    Parameters
    ----------
    path : str or Path
        GeoJSON file; each feature has the properties ``settings.SITE_PROPERTIES``.

    Returns
    -------
    GeoDataFrame
        ``id``, ``name``, ``kind``, ``country`` as text, the other properties as read, and the
        geometry, in ``settings.CRS``. Invalid geometries are repaired with
        ``shapely.make_valid``; one message per repair is logged as a warning and listed in
        ``sites.attrs["repairs"]`` (empty list when none).

    Raises
    ------
    SitesError
        Listing every problem of the file (feature numbers are 1-based).
    """
    path = Path(path)
    text = _read_text(path, error=SitesError)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        statement = f"the file is not valid JSON: {exc}"
        raise SitesError([Problem(exc.lineno, None, None, statement)], str(path)) from exc
    return sites_from_geojson(document, source=str(path))


# --- deployments ---------------------------------------------------------------------------------


def _deployment_problems(
    text: pd.DataFrame, *, site_ids: Collection[str], source_ids: Collection[str]
) -> list[Problem]:
    problems = _schema_problems(_deployment_schema(site_ids, source_ids), text)
    problems += _character_problems(text)
    problems += _duplicate_problems(text, "id")
    problems += _dated_precision_problems(text, ("start", "end"))
    problems += _precision_problems(text, ("start", "end"))
    problems += _order_problems(text, "start", "end")
    problems += _list_member_problems(
        text, "also_sources", frozenset(source_ids), "an id in the sources file"
    )
    return problems


def _typed_deployments(text: pd.DataFrame, *, index: pd.Index | None = None) -> pd.DataFrame:
    out = _typed(text, dates=("start", "end", "reported"), index=index)
    out["personnel"] = _to_whole_numbers(out["personnel"])
    out["also_sources"] = pd.Series(
        [_split_list(value) for value in out["also_sources"]], index=out.index, dtype=object
    )
    out["start_day"] = _period_start(out["start"], out["date_precision"])
    out["end_day"] = _period_end(out["end"], out["date_precision"])
    return out


def validate_deployments(
    df: pd.DataFrame, *, site_ids: Collection[str], source_ids: Collection[str]
) -> pd.DataFrame:
    """Validate a deployments frame already in memory (an upload, an in-app edit).

    Parameters
    ----------
    df : DataFrame
        The columns ``settings.DEPLOYMENT_COLUMNS`` in any order, as text (empty = ``""`` or
        NA) or as typed by this module (so a loaded frame validates again); the derived
        columns ``start_day`` / ``end_day`` are ignored and recomputed. Not modified.
    site_ids, source_ids : collection of str
        Ids of the known sites and sources.

    Returns
    -------
    DataFrame
        The typed frame described in this module's docstring, with ``df``'s index.

    Raises
    ------
    DeploymentTableError
        Listing every problem; row ``i`` (0-based position) is reported as line ``i + 2``,
        as if the frame were written to CSV.
    """
    header = [str(name) for name in df.columns]
    problems = _header_problems(
        header, settings.DEPLOYMENT_COLUMNS, ignored=settings.DERIVED_DAY_COLUMNS
    )
    if problems:
        raise DeploymentTableError(problems, "deployments")
    lines = range(2, len(df) + 2)
    text = _text_frame(df, settings.DEPLOYMENT_COLUMNS, lines)
    problems = _deployment_problems(text, site_ids=site_ids, source_ids=source_ids)
    if problems:
        raise DeploymentTableError(_sorted(problems, settings.DEPLOYMENT_COLUMNS), "deployments")
    return _typed_deployments(text, index=df.index)


def deployments_from_csv(
    data: str | bytes,
    *,
    site_ids: Collection[str],
    source_ids: Collection[str],
    source: str = "upload",
    unguard: Callable[[str], str] | None = None,
) -> pd.DataFrame:
    """Read and validate deployments CSV text (e.g. an uploaded file's bytes).

    Parameters
    ----------
    data : str or bytes
        The CSV; bytes are decoded as UTF-8 (a byte-order mark is dropped).
    site_ids, source_ids : collection of str
        Ids of the known sites and sources.
    source : str
        Name of the data in error messages.
    unguard : callable, optional
        Applied to every cell before the checks (e.g. to take off the apostrophe a download
        put before a formula-like text).

    Returns
    -------
    DataFrame
        As :func:`load_deployments`.

    Raises
    ------
    DeploymentTableError
        Listing every problem, with CSV line numbers.
    """
    if isinstance(data, bytes):
        try:
            data = data.decode(settings.CSV_ENCODING)
        except UnicodeDecodeError as exc:
            statement = f"the file is not UTF-8 text ({exc.reason} at byte {exc.start})"
            raise DeploymentTableError([Problem(None, None, None, statement)], source) from exc
    data = data.removeprefix("\ufeff")
    text, problems = _parse_csv(
        data, columns=settings.DEPLOYMENT_COLUMNS, error=DeploymentTableError, source=source
    )
    return _checked_deployments(
        text, problems, site_ids=site_ids, source_ids=source_ids, source=source, unguard=unguard
    )


def _checked_deployments(
    text: pd.DataFrame,
    problems: list[Problem],
    *,
    site_ids: Collection[str],
    source_ids: Collection[str],
    source: str,
    unguard: Callable[[str], str] | None,
) -> pd.DataFrame:
    """The deployments of parsed cell text, once every row is valid (CSV and sheet alike)."""
    if unguard is not None:
        text = _unguarded(text, unguard)
    problems = problems + _deployment_problems(text, site_ids=site_ids, source_ids=source_ids)
    if problems:
        raise DeploymentTableError(_sorted(problems, settings.DEPLOYMENT_COLUMNS), source)
    return _typed_deployments(text)


def deployments_from_records(
    rows: Sequence[Sequence[str]],
    *,
    site_ids: Collection[str],
    source_ids: Collection[str],
    source: str = "upload",
    unguard: Callable[[str], str] | None = None,
) -> pd.DataFrame:
    """Validate deployments given as rows of cell text (a spreadsheet's sheet), the header first.

    As :func:`deployments_from_csv`, without writing and parsing CSV text in between; row
    ``i`` (0-based) is reported as line ``i + 1``, the spreadsheet's row number.

    Raises
    ------
    DeploymentTableError
        Listing every problem, with the spreadsheet's row numbers.
    """
    text, problems = _parse_records(
        enumerate(rows, start=1),
        columns=settings.DEPLOYMENT_COLUMNS,
        error=DeploymentTableError,
        source=source,
    )
    return _checked_deployments(
        text, problems, site_ids=site_ids, source_ids=source_ids, source=source, unguard=unguard
    )


def load_deployments(
    path: str | Path = settings.DEPLOYMENTS_PATH,
    *,
    sites: pd.DataFrame,
    sources: pd.DataFrame,
) -> pd.DataFrame:
    """Load and validate the deployments table.

    Parameters
    ----------
    path : str or Path
        CSV file with the columns ``settings.DEPLOYMENT_COLUMNS``.
    sites : DataFrame
        The sites (:func:`load_sites`); only the ``id`` column is read.
    sources : DataFrame
        The sources (:func:`load_sources`); only the ``id`` column is read.

    Returns
    -------
    DataFrame
        The typed frame described in this module's docstring, with a RangeIndex.

    Raises
    ------
    DeploymentTableError
        Listing every problem of the file.
    """
    path = Path(path)
    return deployments_from_csv(
        _read_text(path, error=DeploymentTableError),
        site_ids=frozenset(sites["id"]),
        source_ids=frozenset(sources["id"]),
        source=str(path),
    )


# --- events --------------------------------------------------------------------------------------


def load_events(
    path: str | Path = settings.EVENTS_PATH,
    *,
    sites: pd.DataFrame,
    sources: pd.DataFrame,
) -> pd.DataFrame:
    """Load and validate the events table.

    Parameters
    ----------
    path : str or Path
        CSV file with the columns ``settings.EVENT_COLUMNS``.
    sites, sources : DataFrame
        The sites and sources; only their ``id`` columns are read.

    Returns
    -------
    DataFrame
        One row per event; ``date`` as ``settings.DATE_DTYPE``, plus ``start_day`` /
        ``end_day``: the days the event's date covers per its precision (so the filters of
        :mod:`geo.filters` apply to events too).

    Raises
    ------
    EventsTableError
        Listing every problem of the file.
    """
    path = Path(path)
    return events_from_csv(
        _read_text(path, error=EventsTableError),
        site_ids=frozenset(sites["id"]),
        source_ids=frozenset(sources["id"]),
        source=str(path),
    )


def _event_problems(
    text: pd.DataFrame,
    *,
    site_ids: Collection[str],
    source_ids: Collection[str],
    taken_ids: Collection[str],
) -> list[Problem]:
    problems = _schema_problems(_event_schema(frozenset(site_ids), frozenset(source_ids)), text)
    problems += _character_problems(text)
    problems += _duplicate_problems(text, "id")
    problems += _taken_problems(text, taken_ids, "event")
    problems += _precision_problems(text, ("date",))
    return problems


def _typed_events(text: pd.DataFrame) -> pd.DataFrame:
    out = _typed(text, dates=("date",))
    out["start_day"] = _period_start(out["date"], out["date_precision"])
    out["end_day"] = _period_end(out["date"], out["date_precision"])
    return out


def events_from_csv(
    data: str | bytes,
    *,
    site_ids: Collection[str],
    source_ids: Collection[str],
    taken_ids: Collection[str] = (),
    source: str = "events",
    unguard: Callable[[str], str] | None = None,
) -> pd.DataFrame:
    """Read and validate events CSV text (the bundled file, or the user's own events).

    Raises
    ------
    EventsTableError
        Listing every problem, with CSV line numbers.
    """
    text, problems = _parse_csv(
        _decoded(data, EventsTableError, source),
        columns=settings.EVENT_COLUMNS,
        error=EventsTableError,
        source=source,
    )
    if unguard is not None:
        text = _unguarded(text, unguard)
    problems += _event_problems(text, site_ids=site_ids, source_ids=source_ids, taken_ids=taken_ids)
    if problems:
        raise EventsTableError(_sorted(problems, settings.EVENT_COLUMNS), source)
    return _typed_events(text)


def validate_events(
    df: pd.DataFrame,
    *,
    site_ids: Collection[str],
    source_ids: Collection[str],
    taken_ids: Collection[str] = (),
    source: str = "events",
) -> pd.DataFrame:
    """Validate an events frame in memory (the user's); row ``i`` is line ``i + 2``.

    Raises
    ------
    EventsTableError
        Listing every problem.
    """
    columns = settings.EVENT_COLUMNS
    problems = _header_problems(
        [str(c) for c in df.columns], columns, ignored=settings.DERIVED_DAY_COLUMNS
    )
    if problems:
        raise EventsTableError(problems, source)
    text = _text_frame(df, columns, range(2, len(df) + 2))
    problems = _event_problems(text, site_ids=site_ids, source_ids=source_ids, taken_ids=taken_ids)
    if problems:
        raise EventsTableError(_sorted(problems, columns), source)
    return _typed_events(text)


# --- joins and JSON ------------------------------------------------------------------------------


def join_sites(deployments: pd.DataFrame, sites: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Give each deployment the geometry of its site.

    Parameters
    ----------
    deployments : DataFrame
        Deployments with a ``site`` column (any index; kept). Not modified.
    sites : GeoDataFrame
        Sites with ``id``, ``name``, ``kind``, ``country`` and a geometry; reprojected to
        ``settings.CRS`` if needed. Not modified.

    Returns
    -------
    GeoDataFrame
        The deployments plus ``site_name``, ``site_kind``, ``site_country``, ``site_is_area``
        (polygon site) and ``site_geometry`` (the site's own geometry, a second GeoSeries:
        drop it or pass through :func:`json_safe` before ``to_json``); the active geometry
        is a point: the site itself, or ``representative_point()`` of an area (always inside
        it, unlike the centroid). CRS ``settings.CRS``.

    Raises
    ------
    DeploymentTableError
        When a deployment's site is not among the sites.
    """
    if sites.crs is not None and not sites.crs.equals(settings.CRS):
        sites = sites.to_crs(settings.CRS)
    lookup = sites.set_index("id")
    known = set(lookup.index)
    problems = [
        Problem(position + 2, "site", str(site), "an id in the sites file")
        for position, site in enumerate(deployments["site"])
        if site not in known
    ]
    if problems:
        raise DeploymentTableError(problems, "deployments joined to sites")
    keys = deployments["site"].tolist()
    out = pd.DataFrame(deployments).copy()
    for column in ("name", "kind", "country"):
        out[f"site_{column}"] = lookup[column].reindex(keys).to_numpy()
    areas = gpd.GeoSeries(
        lookup.geometry.reindex(keys).to_numpy(), index=out.index, crs=settings.CRS
    )
    is_area = areas.geom_type.isin(_AREA_TYPES)
    out["site_is_area"] = is_area.to_numpy(dtype=bool)
    out["site_geometry"] = areas
    points = areas.where(areas.geom_type == "Point", areas.representative_point())
    return gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(points, crs=settings.CRS), crs=settings.CRS)


def json_value(value: object) -> object:
    """One cell as a JSON-safe Python value.

    Parameters
    ----------
    value : object
        A cell of a frame returned by this module.

    Returns
    -------
    object
        ``None`` for NA/NaT/NaN; ``"YYYY-MM-DD"`` for a date at midnight (ISO date-time
        otherwise); a list for a tuple; a GeoJSON geometry dict for a shapely geometry;
        a plain int/float/bool/str otherwise.
    """
    if value is None:
        return None
    if isinstance(value, BaseGeometry):
        return mapping(value)
    if isinstance(value, tuple | list):
        return [json_value(item) for item in value]
    if isinstance(value, dt.datetime | pd.Timestamp):
        if pd.isna(value):
            return None
        if value == pd.Timestamp(value).normalize():
            return value.strftime("%Y-%m-%d")
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    missing = pd.isna(value)  # type: ignore[call-overload]
    if isinstance(missing, bool | np.bool_) and missing:
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def json_safe(df: pd.DataFrame) -> pd.DataFrame:
    """A copy whose cells are all JSON-safe (see :func:`json_value`).

    Parameters
    ----------
    df : DataFrame or GeoDataFrame
        Not modified.

    Returns
    -------
    DataFrame or GeoDataFrame
        Same class, index and columns; every column but the active geometry has object
        dtype holding :func:`json_value` of each cell, so ``GeoDataFrame.to_json`` and
        folium's GeoJson tooltips work.
    """
    out = df.copy()
    active = out.geometry.name if isinstance(out, gpd.GeoDataFrame) else None
    for column in out.columns:
        if column == active:
            continue
        out[column] = pd.Series(
            [json_value(value) for value in out[column]], index=out.index, dtype=object
        )
    return out


def to_records_json_safe(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-safe dicts (dates as ISO strings, NA as None, geometries as GeoJSON).

    Parameters
    ----------
    df : DataFrame or GeoDataFrame
        Not modified.

    Returns
    -------
    list of dict
        One dict per row, ``json.dumps(..., allow_nan=False)`` safe.
    """
    columns = [str(column) for column in df.columns]
    return [
        {column: json_value(value) for column, value in zip(columns, row, strict=True)}
        for row in df.itertuples(index=False, name=None)
    ]
