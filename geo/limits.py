"""The upload budget: cheap checks that refuse a file before it is parsed, and short refusals.

A file that passes the upload size can still be costly to read: a small zip that unzips to
hundreds of megabytes, a table of millions of cells, brackets nested deeper than Python's
recursion, a geometry of a million vertices. The checks here look only at what is cheap to
know (the zip's directory, a count of CSV records, one linear pass over the JSON bytes, a
count of positions) and refuse, in plain words, with the limit that was hit. The limits are
the ``UPLOAD_*`` constants of :mod:`geo.settings`, read when a check runs.

:func:`check_upload` is called first by every upload reader of :mod:`geo.userdata` (tables,
sites, layers), so the app, the import command and a team server refuse the same files;
:func:`check_document` once a GeoJSON text is parsed. :func:`capped` cuts a long list of
problems to its first ``UPLOAD_PROBLEMS_SHOWN`` and counts the rest by column and kind.
"""

from __future__ import annotations

import csv
import html
import io
import posixpath
import re
import zipfile
from collections import Counter
from collections.abc import Iterator
from operator import itemgetter
from pathlib import PurePath
from typing import Any

import numpy as np

from geo import settings
from geo.errors import DataError, Problem

# Bytes of the JSON text that open and close a nesting level, and the string delimiters.
_OPENERS = (ord("["), ord("{"))
_CLOSERS = (ord("]"), ord("}"))
_QUOTE = ord('"')
_BACKSLASH = ord("\\")
# A workbook's list of sheets and of its relationships (ECMA-376), read with patterns rather
# than an XML parser: the two parts are small, and an entity-expanding parser is never needed.
_SHEET_TAG = re.compile(rb"<(?:\w+:)?sheet\s[^>]*>")
_RELATION_TAG = re.compile(rb"<(?:\w+:)?Relationship\s[^>]*>")


def _attribute(tag: bytes, pattern: bytes) -> str | None:
    found = re.search(rb"\s" + pattern + rb"\s*=\s*(?:\"([^\"]*)\"|'([^']*)')", tag)
    if found is None:
        return None
    return html.unescape((found.group(1) or found.group(2) or b"").decode("utf-8", "replace"))


# Groups of the "and N more" summary named one by one; the others are counted together.
_SUMMARY_GROUPS = 12


def _refuse(error: type[DataError], name: str, statement: str) -> DataError:
    return error([Problem(None, None, None, statement)], name)


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:,.1f} MB"


def _suffix(name: str) -> str:
    return PurePath(name).suffix.lower().lstrip(".")


def check_upload(name: str, data: bytes, *, error: type[DataError]) -> None:
    """Refuse an upload whose size, unzipped size, rows, columns or nesting exceed the budget.

    Only what is cheap to know is looked at: the byte count; for ``.xlsx`` the zip's central
    directory (nothing is inflated); for ``.csv`` a count of records by the ``csv`` module;
    for ``.json`` / ``.geojson`` one linear pass over the bytes for the nesting depth.

    Parameters
    ----------
    name : str
        The file's name: its suffix says which checks apply; shown in the refusal.
    data : bytes
        The file's content.
    error : type of DataError
        The error raised (the reader's own, so the page shows it as any other refusal).

    Raises
    ------
    DataError
        Of type ``error``, one problem naming the limit that was hit.
    """
    if len(data) > settings.UPLOAD_MAX_BYTES:
        raise _refuse(
            error,
            name,
            f"the file is {_mb(len(data))}; at most {_mb(settings.UPLOAD_MAX_BYTES)} is read",
        )
    kind = _suffix(name)
    if kind == "xlsx":
        _check_workbook(name, data, error=error)
    elif kind == "csv":
        _check_csv(name, data, error=error)
    elif kind in ("json", "geojson"):
        depth = json_depth(data)
        if depth > settings.UPLOAD_MAX_JSON_DEPTH:
            raise _refuse(
                error,
                name,
                f"brackets are nested more than {settings.UPLOAD_MAX_JSON_DEPTH} levels deep; "
                f"GeoJSON needs fewer than 10 (at most {settings.UPLOAD_MAX_JSON_DEPTH} are read)",
            )


def _check_workbook(name: str, data: bytes, *, error: type[DataError]) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            parts = book.infolist()  # the central directory only: nothing is inflated
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip: the reader says so in its own words
    if len(parts) > settings.UPLOAD_MAX_ZIP_ENTRIES:
        raise _refuse(
            error,
            name,
            f"the workbook holds {len(parts):,} parts; at most "
            f"{settings.UPLOAD_MAX_ZIP_ENTRIES:,} are read",
        )
    unzipped = sum(part.file_size for part in parts)
    if unzipped > settings.UPLOAD_MAX_UNCOMPRESSED_BYTES:
        raise _refuse(
            error,
            name,
            f"the workbook unzips to {_mb(unzipped)} ({_mb(len(data))} zipped); at most "
            f"{_mb(settings.UPLOAD_MAX_UNCOMPRESSED_BYTES)} unzipped is read — that is about "
            f"{settings.UPLOAD_MAX_ROWS:,} rows of a deployment table",
        )
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        for part in _sheet_parts(book):
            try:
                sheet = book.read(part)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError):
                return  # the reader says the workbook cannot be read
            _check_sheet_extent(sheet, name, error=error)


def _sheet_parts(book: zipfile.ZipFile) -> list[str]:
    """The zip path of the sheet a table is read from, or of every sheet when unsure.

    The sheet is ``settings.XLSX_SHEET`` when the workbook has one of that name, else the
    first (as the reader picks it); its part is found through the workbook's relationships.
    """
    names = book.namelist()
    every = [n for n in names if "worksheets/" in n.lower() and n.lower().endswith(".xml")]
    try:
        workbook = book.read("xl/workbook.xml")
        relations = book.read("xl/_rels/workbook.xml.rels")
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError):
        return every
    sheets = {
        _attribute(tag, rb"name"): _attribute(tag, rb"(?:\w+:)id")
        for tag in _SHEET_TAG.findall(workbook)
    }
    if not sheets:
        return every
    relation = sheets.get(settings.XLSX_SHEET, next(iter(sheets.values())))
    targets = {
        _attribute(tag, rb"Id"): _attribute(tag, rb"Target")
        for tag in _RELATION_TAG.findall(relations)
    }
    target = targets.get(relation)
    if not target:
        return every
    if target.startswith("/"):
        part = target.lstrip("/")
    else:
        part = posixpath.normpath(posixpath.join("xl", target))
    return [part] if part in names else every


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _check_sheet_extent(sheet: bytes, name: str, *, error: type[DataError]) -> None:
    """Refuse a sheet with a cell beyond the last row or column a table may have.

    A reader lays the sheet out as a full grid from A1 to its farthest cell, so one cell at
    XFD1048576 in a file of a few hundred bytes would ask for billions of cells. Only the
    cell references (``r="AB12"``) that are long enough to lie beyond a limit are looked at:
    one scan of the bytes, no parsing.
    """
    last_row = settings.UPLOAD_MAX_ROWS + 1  # the header and the rows
    last_column = settings.UPLOAD_MAX_COLUMNS + 1  # one more, refused by the shape check
    letters = len(_column_letters(last_column))
    digits = len(str(last_row))
    pattern = re.compile(
        rb"r\s*=\s*[\"']([A-Za-z]{%d,3}\d+|[A-Za-z]{0,3}\d{%d,})[\"']" % (letters, digits)
    )
    for match in pattern.finditer(sheet):
        reference = match.group(1).decode("ascii")
        split = len(reference.rstrip("0123456789"))
        column, row = reference[:split], int(reference[split:])
        if row > last_row:
            raise too_many_rows(name, error=error)
        if column and _column_number(column) > last_column:
            raise _refuse(
                error,
                name,
                f"the sheet has a cell at {reference.upper()}, beyond column "
                f"{_column_letters(last_column)}: at most {settings.UPLOAD_MAX_COLUMNS:,} "
                "columns are read; delete the columns after the table",
            )


def _check_csv(name: str, data: bytes, *, error: type[DataError]) -> None:
    try:
        text = data.decode(settings.CSV_ENCODING)
    except UnicodeDecodeError:
        return  # the reader says the file is not UTF-8 text
    check_table_shape(csv_records(text), name, error=error)


def csv_records(text: str) -> Iterator[list[str]]:
    """The non-blank records of CSV text, as the table reader sees them (errors end it)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for record in reader:
            if record and not (len(record) == 1 and not record[0].strip()):
                yield record
    except csv.Error:
        return  # the reader reports where the CSV cannot be read


def check_table_shape(
    records: Iterator[list[str]] | Iterator[tuple[object, ...]],
    name: str,
    *,
    error: type[DataError],
) -> None:
    """Refuse a table of more than ``UPLOAD_MAX_ROWS`` rows or ``UPLOAD_MAX_COLUMNS`` columns.

    Parameters
    ----------
    records : iterator of sequences
        The table's records, the header first; read only up to the first one over a limit.
    name : str
        Shown in the refusal.
    error : type of DataError
        The error raised.
    """
    rows = settings.UPLOAD_MAX_ROWS
    columns = settings.UPLOAD_MAX_COLUMNS
    for number, record in enumerate(records):
        if len(record) > columns:
            raise _refuse(
                error,
                name,
                f"line {number + 1} has {len(record):,} columns; at most {columns:,} are read "
                f"(a deployment table has {len(settings.DEPLOYMENT_COLUMNS)})",
            )
        if number > rows:
            raise too_many_rows(name, error=error)


def too_many_rows(name: str, *, error: type[DataError]) -> DataError:
    """The refusal of a table longer than ``UPLOAD_MAX_ROWS`` rows (after its header)."""
    rows = settings.UPLOAD_MAX_ROWS
    return _refuse(
        error,
        name,
        f"the table has more than {rows:,} rows; at most {rows:,} rows (after the header) are "
        "read: split it into several files",
    )


def json_depth(data: bytes) -> int:
    """The deepest nesting of ``[`` and ``{`` in JSON text, brackets inside strings ignored.

    One linear pass with numpy: no recursion, so any depth is measured safely, in about
    ten bytes of memory per byte of text. Malformed text gives a number too (``json.loads``
    says what is wrong with it afterwards).

    Parameters
    ----------
    data : bytes
        UTF-8 JSON text (the bytes of ``"``, ``\\``, brackets and braces are ASCII, never
        part of a multi-byte character).

    Returns
    -------
    int
        0 for text without brackets.
    """
    raw = np.frombuffer(data, dtype=np.uint8)
    if not raw.size:
        return 0
    quote = raw == _QUOTE
    # Only a quote right after a backslash can be escaped: the runs of backslashes are
    # measured only when there is one (a \u00e9 in a name needs no such pass).
    if np.any(quote[1:] & (raw[:-1] == _BACKSLASH)):
        quote &= ~_escaped(raw)
    quote = quote.view(np.uint8)
    # Inside a string after an odd number of quotes (an opening quote counts as inside; a
    # bracket is never a quote, so the mask is exact for brackets).
    inside = np.bitwise_xor.accumulate(quote).view(bool)
    step = np.zeros(raw.size, dtype=np.int8)
    step[((raw == _OPENERS[0]) | (raw == _OPENERS[1])) & ~inside] = 1
    step[((raw == _CLOSERS[0]) | (raw == _CLOSERS[1])) & ~inside] = -1
    return int(max(0, np.cumsum(step, dtype=np.int32).max()))


def _escaped(raw: np.ndarray) -> np.ndarray:
    """True where a character follows an odd run of backslashes (``\\"`` is no string end)."""
    positions = np.arange(raw.size, dtype=np.int32 if raw.size < 2**31 else np.int64)
    # A character is escaped when an odd run of backslashes ends just before it.
    last_other = np.maximum.accumulate(np.where(raw == _BACKSLASH, -1, positions))
    escaped = np.zeros(raw.size, dtype=bool)
    run = np.asarray(positions[:-1] - last_other[:-1], dtype=np.int64)
    escaped[1:] = (run % 2).astype(bool)
    return escaped


def _positions(coordinates: object) -> int:
    """Positions in a GeoJSON ``coordinates`` array (depth already bounded by the byte check)."""
    if not isinstance(coordinates, list) or not coordinates:
        return 0
    if not isinstance(coordinates[0], list):
        return 1  # a position: [x, y] or [x, y, z]
    if _all_positions(coordinates):
        return len(coordinates)  # a ring or a line: counted without a call per position
    return sum(_positions(part) for part in coordinates)


def _all_positions(items: list[Any]) -> bool:
    """True when every item is a non-empty list whose first value is not a list (a position).

    Checked with ``map`` (C-level loops): a 10 MB layer has hundreds of thousands of positions.
    """
    if set(map(type, items)) != {list}:
        return False
    try:
        firsts = list(map(itemgetter(0), items))
    except IndexError:  # an empty list among them
        return False
    return list not in set(map(type, firsts))


def geometry_vertices(geometry: object) -> int:
    """Positions of a GeoJSON geometry object (the parts of a GeometryCollection summed)."""
    if not isinstance(geometry, dict):
        return 0
    parts = geometry.get("geometries")
    if isinstance(parts, list):
        return sum(geometry_vertices(part) for part in parts)
    return _positions(geometry.get("coordinates"))


def _features(document: object) -> list[object]:
    if not isinstance(document, dict):
        return []
    if document.get("type") == "Feature":
        return [document]
    features = document.get("features")
    if isinstance(features, list):
        return features
    if "coordinates" in document or "geometries" in document:
        return [{"geometry": document}]  # a bare geometry
    return []


def check_document(document: object, name: str, *, error: type[DataError]) -> None:
    """Refuse parsed GeoJSON with too many features, or geometries with too many vertices.

    Parameters
    ----------
    document : object
        What ``json.loads`` returned (a FeatureCollection, a Feature, a bare geometry or
        anything else: what is not GeoJSON is left to the reader to refuse).
    name : str
        Shown in the refusal.
    error : type of DataError
        The error raised.

    Raises
    ------
    DataError
        One problem for too many features, else one per geometry over the vertex limit.
    """
    features = _features(document)
    most = settings.UPLOAD_MAX_FEATURES
    if len(features) > most:
        raise _refuse(
            error, name, f"the file has {len(features):,} features; at most {most:,} are read"
        )
    limit = settings.UPLOAD_MAX_VERTICES
    problems = []
    for number, feature in enumerate(features, start=1):
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        count = geometry_vertices(geometry)
        if count > limit:
            statement = (
                f"the geometry has {count:,} vertices; at most {limit:,} per geometry are read "
                "(simplify it, e.g. in QGIS or mapshaper, first)"
            )
            problems.append(Problem(None, "geometry", None, statement, number))
    if problems:
        raise error(problems, name)


def _kind(problem: Problem) -> str:
    return problem.expected


def _summary(rest: tuple[Problem, ...]) -> Problem:
    groups = Counter((problem.column, _kind(problem)) for problem in rest)
    named = groups.most_common(_SUMMARY_GROUPS)
    parts = []
    for (column, kind), count in named:
        where = f"in {column!r}" if column else "about the file or whole rows"
        parts.append(f"{count:,} {where} ({kind})")
    others = sum(groups.values()) - sum(count for _, count in named)
    if others:
        parts.append(f"{others:,} of other kinds")
    statement = f"and {len(rest):,} more: " + "; ".join(parts)
    return Problem(None, None, None, statement)


def capped(error: DataError, *, shown: int | None = None) -> DataError:
    """The error with its first ``shown`` problems and one more that counts the rest.

    Parameters
    ----------
    error : DataError
        Any refusal. Not modified.
    shown : int, optional
        Problems kept one by one; ``settings.UPLOAD_PROBLEMS_SHOWN`` when omitted.

    Returns
    -------
    DataError
        ``error`` itself when it lists no more than ``shown`` problems; otherwise a new error
        of the same type and source whose ``total`` is the number found and whose last
        problem reads e.g. "and 2,799,800 more: 300,000 in 'nation' (an ISO 3166-1 alpha-3
        country code); …", counted by column and kind.
    """
    limit = settings.UPLOAD_PROBLEMS_SHOWN if shown is None else shown
    if len(error.problems) <= limit:
        return error
    kept, rest = error.problems[:limit], error.problems[limit:]
    short = type(error)([*kept, _summary(rest)], error.source, total=error.total)
    short.__cause__ = error.__cause__
    return short
