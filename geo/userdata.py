"""The user's own data: uploaded tables and layers read and checked, merges, and downloads.

Uploaded bytes are read here with the parser named for their kind (``csv``; calamine, or
openpyxl, for ``xlsx``; ``orjson`` then ``json``); a name or a text that looks like a URL or a
path is never handed to GDAL or any other library that would open it. Every reader collects
every problem and raises one :class:`~geo.errors.DataError` listing them (row, column, what
was expected).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import itertools
import json
import math
import re
import zipfile
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import geopandas as gpd
import pandas as pd
import python_calamine
import shapely
from python_calamine import CalamineError
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from geo import fastjson, geojson, geometry, limits, settings, tables
from geo.errors import (
    DataError,
    DeploymentTableError,
    EventsTableError,
    Problem,
    SitesError,
    SourcesTableError,
)
from geo.urlstate import mission_slug


class LayerUploadError(DataError):
    """An uploaded GeoJSON layer is not usable."""


def problems_frame(error: DataError) -> pd.DataFrame:
    """The problems of an error as a table for the page: row, feature, column, value, problem.

    Rows are spreadsheet rows (the header is row 1); features are 1-based GeoJSON features.
    The row or feature column is left out when no problem has one. A long list is cut to
    its first ``settings.UPLOAD_PROBLEMS_SHOWN`` problems and a last one counting the rest
    (:func:`geo.limits.capped`).
    """
    error = limits.capped(error)
    records = []
    for problem in error.problems:
        if problem.value is None:
            text = problem.expected
        elif problem.value == "":
            text = f"empty, expected {problem.expected}"
        else:
            text = f"expected {problem.expected}"
        records.append(
            {
                "row": problem.line,
                "feature": problem.feature,
                "column": problem.column or "",
                "value": problem.value or "",
                "problem": text,
            }
        )
    frame = pd.DataFrame(records, columns=["row", "feature", "column", "value", "problem"])
    for column in ("row", "feature"):
        frame[column] = frame[column].astype("Int64")
    # A table has no features and a GeoJSON file no rows: leave out what is empty throughout.
    empty = [c for c in ("row", "feature") if len(frame) and frame[c].isna().all()]
    return frame.drop(columns=empty)


def apply_edits(
    table: pd.DataFrame,
    *,
    edited_rows: Mapping[int | str, Mapping[str, object]],
    added_rows: Iterable[Mapping[str, object]],
    deleted_rows: Iterable[int],
    columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """A table with the edits of ``st.data_editor``'s state applied (positions of ``table``).

    Parameters
    ----------
    table : DataFrame
        The text table the editor was given (RangeIndex). Not modified.
    edited_rows, added_rows, deleted_rows
        As in the editor's session state: {position: {column: value}}, [{column: value}],
        [position].
    columns : sequence of str, optional
        The table's columns: ``settings.DEPLOYMENT_COLUMNS`` when None; give
        ``settings.USER_SOURCE_COLUMNS`` or ``settings.EVENT_COLUMNS`` for the user's own
        sources or events.
    """
    columns = settings.DEPLOYMENT_COLUMNS if columns is None else tuple(columns)

    def text(frame: pd.DataFrame) -> pd.DataFrame:
        return tables.text_frame(frame, columns).reset_index(drop=True)

    out = text(table)
    for position, changes in edited_rows.items():
        for column, value in changes.items():
            if column in out.columns:
                out.at[int(position), column] = tables.cell_text(value)
    out = out.drop(index=[int(position) for position in deleted_rows], errors="ignore")
    added = [
        {column: tables.cell_text(row.get(column)) for column in columns} for row in added_rows
    ]
    if added:
        out = pd.concat([out, pd.DataFrame(added, dtype=str)], ignore_index=True)
    return text(out)


# --- formula injection ---------------------------------------------------------------------------


def guard_formula(value: object) -> object:
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe.

    ``=cmd|' /C calc'!A0``, ``+1+1``, ``-2+3``, ``@SUM(A1)`` and cells starting with a tab or
    a carriage return are formulas to Excel, LibreOffice and Google Sheets (OWASP, "CSV
    injection"); with an apostrophe in front they are shown as text. A text that itself
    starts with an apostrophe gets one more, so :func:`unguard_formula` can always take one
    off: the escape is unambiguous (``'=x`` is written ``''=x`` and read back ``'=x``).
    Anything else is returned unchanged.
    """
    prefixes = (*settings.FORMULA_PREFIXES, settings.FORMULA_ESCAPE)
    if isinstance(value, str) and value.startswith(prefixes):
        return settings.FORMULA_ESCAPE + value
    return value


def unguard_formula(value: str) -> str:
    """Take off the apostrophe :func:`guard_formula` put in front of a text.

    One leading apostrophe is taken off when a formula character or another apostrophe
    follows it, as :func:`guard_formula` writes them; a hand-typed ``'tis`` stays as it is.
    """
    escape = settings.FORMULA_ESCAPE
    prefixes = (*settings.FORMULA_PREFIXES, escape)
    if value.startswith(escape) and value[1:].startswith(prefixes):
        return value[1:]
    return value


def guarded(df: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells cannot run as spreadsheet formulas (see :func:`guard_formula`)."""
    out = df.copy()
    for column in out.columns:
        out[column] = pd.Series(
            [guard_formula(value) for value in out[column].tolist()], index=out.index, dtype=object
        )
    return out


# --- tables --------------------------------------------------------------------------------------


def table_text(df: pd.DataFrame) -> pd.DataFrame:
    """A deployments frame (typed or text) as the text of its CSV cells, in column order.

    Parameters
    ----------
    df : DataFrame
        At least the columns ``settings.DEPLOYMENT_COLUMNS``. Not modified.

    Returns
    -------
    DataFrame
        Only those columns, every cell a ``str`` ("" when empty), with a RangeIndex.
    """
    text = tables.text_frame(df, settings.DEPLOYMENT_COLUMNS)
    return text.reset_index(drop=True)


def _too_big(data: bytes, name: str, error: type[DataError]) -> None:
    if len(data) > settings.UPLOAD_MAX_BYTES:
        limit = settings.UPLOAD_MAX_BYTES / 1024 / 1024
        statement = f"the file is {len(data) / 1024 / 1024:.1f} MB; at most {limit:.0f} MB is read"
        raise error([Problem(None, None, None, statement)], name)


def _suffix(name: str) -> str:
    return PurePath(name).suffix.lower().lstrip(".")


# OOXML's escape of a character in a text: _xHHHH_ (ECMA-376 Part 1, 22.9.2.19 ST_Xstring);
# a literal "_xHHHH_" is written with its underscore escaped, "_x005F_xHHHH_". Read as
# xlsxwriter writes it (one _x005F_ before each literal, matched without overlap).
_OOXML_ESCAPE = re.compile(r"_x005F(_x[0-9A-Fa-f]{4}_)|_x([0-9A-Fa-f]{4})_")


def _ooxml_text(content: str) -> str:
    return _OOXML_ESCAPE.sub(lambda m: m.group(1) or chr(int(m.group(2), 16)), content)


# What is left once unescaped: control characters a workbook may hold but a table may not.
_XLSX_CONTROL = re.compile(
    "[" + "".join(re.escape(c) for c in sorted(settings.FORBIDDEN_CELL_CHARACTERS)) + "]"
)
_CONTROL_ESCAPE_STATEMENT = (
    "a control character a table cell cannot hold (the workspace and the downloads cannot "
    "keep it); delete it in the workbook and upload again"
)


def _exact_workbook(data: bytes) -> Any:
    """A read-only openpyxl workbook whose shared texts are decoded exactly.

    openpyxl (3.1) only undoes the ``_x005F_`` escape of shared strings, so a carriage return
    (written ``_x000D_``) and the text ``_x000D_`` itself (written ``_x005F_x000D_``) both
    come back as ``_x000D_``. The shared strings are read again here and every ``_xHHHH_``
    decoded, left to right, as the standard says; the worksheets read them lazily from the
    same list, so replacing its items is enough.
    """
    from openpyxl.cell.text import Text
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.xml.constants import SHEET_MAIN_NS
    from openpyxl.xml.functions import iterparse

    reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True)
    reader.read()
    names = [n for n in reader.archive.namelist() if n.lower().endswith("sharedstrings.xml")]
    if names and reader.shared_strings:
        exact: list[str] = []
        with reader.archive.open(names[0]) as source:
            for _, node in iterparse(source):
                if node.tag == f"{{{SHEET_MAIN_NS}}}si":
                    content = Text.from_tree(node).content
                    exact.append(_ooxml_text(content))
                    node.clear()
        if len(exact) == len(reader.shared_strings):
            reader.shared_strings[:] = exact
    return reader.wb


# Where calamine's decoding of shared texts differs from _ooxml_text (see _escaped_underscores).
_OVERLAPPING_ESCAPES = re.compile(rb"_x005F_x[0-9A-Fa-f]{4}_x[0-9A-Fa-f]{4}_")


def _escaped_underscores(data: bytes) -> bool:
    """Whether a shared text holds an escaped escape followed at once by another escape.

    calamine decodes every ``_xHHHH_`` in turn, where :func:`_ooxml_text` reads
    ``_x005F_xHHHH_`` as the literal ``_xHHHH_``, as xlsxwriter and Excel write it. Both
    agree (``_x005F_x000D_`` is ``_x000D_`` either way) except when the literal's closing
    underscore opens another escape: the text ``_x005F_x0041_`` is written
    ``_x005F_x005F_x0041_``, which calamine reads as ``_x005FA``. Only such texts need
    openpyxl's slower reader.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for part in archive.namelist():
            shared = part.lower().endswith("sharedstrings.xml")
            if shared and _OVERLAPPING_ESCAPES.search(archive.read(part)):
                return True
    return False


def _openpyxl_cells(data: bytes, rows: int, columns: int) -> list[list[Any]]:
    book = _exact_workbook(data)
    try:
        sheet = book[settings.XLSX_SHEET] if settings.XLSX_SHEET in book else book.worksheets[0]
        cells = sheet.iter_rows(max_col=columns, values_only=True)
        return [list(row) for row in itertools.islice(cells, rows)]
    finally:
        book.close()


def _calamine_cells(data: bytes, rows: int, columns: int) -> list[list[Any]]:
    with python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)) as book:
        names = book.sheet_names
        if not names:
            raise ValueError("the workbook has no sheet")
        sheet = book.get_sheet_by_name(
            settings.XLSX_SHEET if settings.XLSX_SHEET in names else names[0]
        )
        # From A1, as the spreadsheet numbers its rows: problems are reported by that number.
        cells = sheet.to_python(skip_empty_area=False, nrows=rows)
    if all(len(row) <= columns for row in cells[:1]):  # a grid: every row as long as the first
        return cells
    return [row[:columns] for row in cells]


def _xlsx_rows(
    data: bytes, name: str, error: type[DataError] = DeploymentTableError
) -> list[list[str]]:
    """The first sheet (or the one named ``settings.XLSX_SHEET``) as rows of cell text.

    Read with calamine (a compiled reader: a 100,000-row sheet in a few seconds, where
    openpyxl takes half a minute); a workbook whose shared texts need the exact decoding of
    :func:`_escaped_underscores` is read with openpyxl. Never more cells than the budget
    allows: ``limits.check_upload`` has refused a sheet with a cell beyond it.
    """
    # Never more cells than the budget allows, whatever the sheet's stated dimension.
    rows_read = settings.UPLOAD_MAX_ROWS + 2
    columns_read = settings.UPLOAD_MAX_COLUMNS + 1
    try:
        if _escaped_underscores(data):
            cells = _openpyxl_cells(data, rows_read, columns_read)
        else:
            cells = _calamine_cells(data, rows_read, columns_read)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, CalamineError) as exc:
        statement = f"the file is not an Excel workbook (.xlsx) that can be read: {exc}"
        raise error([Problem(None, None, None, statement)], name) from exc
    # Most sheets hold text only (the app's own download does): then nothing is converted.
    # The loops over every cell here are C loops (map, chain, join): 1.7 million cells.
    rows: list[list[str]]
    if set(map(type, itertools.chain.from_iterable(cells))) <= {str}:
        rows = cells
    else:
        rows = [[tables.cell_text(value) for value in row] for row in cells]
    if len(rows) > settings.UPLOAD_MAX_ROWS + 1:  # the sheet goes on beyond the budget
        raise limits.too_many_rows(name, error=error)
    # One search of the whole sheet's text first: a control character is rare.
    if _XLSX_CONTROL.search("".join(itertools.chain.from_iterable(rows))):
        control = [
            Problem(number, None, None, f"a cell holds {escaped!r}: {_CONTROL_ESCAPE_STATEMENT}")
            for number, row in enumerate(rows, start=1)
            for escaped in sorted({m for cell in row for m in _XLSX_CONTROL.findall(cell)})
        ]
        raise error(control, name)
    while rows and not any(rows[-1]):
        rows.pop()  # trailing empty rows
    width = max((len(row) for row in rows), default=0)
    while width and not any(row[width - 1] for row in rows if len(row) >= width):
        width -= 1  # trailing empty columns
    if any(len(row) > width for row in rows):
        rows = [row[:width] for row in rows]
    limits.check_table_shape(iter(rows), name, error=error)
    return rows


def _xlsx_as_csv(data: bytes, name: str, error: type[DataError] = DeploymentTableError) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(_xlsx_rows(data, name, error))
    return out.getvalue()


def _checked_upload(name: str, data: bytes, error: type[DataError], noun: str) -> str:
    """The kind of an uploaded table (``csv`` or ``xlsx``) once it is within the budget."""
    _too_big(data, name, error)
    limits.check_upload(name, data, error=error)
    kind = _suffix(name)
    if kind not in settings.TABLE_UPLOAD_TYPES:
        wanted = " or ".join(f".{suffix}" for suffix in settings.TABLE_UPLOAD_TYPES)
        statement = f"{noun} must be a {wanted} file, not {name!r}"
        raise error([Problem(None, None, None, statement)], name)
    return kind


def _upload_text(name: str, data: bytes, error: type[DataError], noun: str) -> str | bytes:
    """The CSV text of an uploaded table (an Excel workbook's first sheet as CSV)."""
    kind = _checked_upload(name, data, error, noun)
    return _xlsx_as_csv(data, name, error) if kind == "xlsx" else data


def read_table(
    name: str,
    data: bytes,
    *,
    site_ids: Collection[str],
    source_ids: Collection[str],
) -> pd.DataFrame:
    """Read and check an uploaded deployment table (CSV or Excel .xlsx).

    Parameters
    ----------
    name : str
        The file's name: its suffix picks the reader; it is used in messages, never opened.
    data : bytes
        The file's content.
    site_ids, source_ids : collection of str
        Known sites and sources a row may refer to.

    Returns
    -------
    DataFrame
        The table as text (:func:`table_text`), every row valid.

    Raises
    ------
    DeploymentTableError
        Listing every problem: line (the spreadsheet's row number), column, what was expected.
    """
    if _checked_upload(name, data, DeploymentTableError, "a deployment table") == "xlsx":
        # The workbook's rows, with no CSV text in between (line numbers are sheet rows).
        typed = tables.deployments_from_records(
            _xlsx_rows(data, name),
            site_ids=site_ids,
            source_ids=source_ids,
            source=name,
            unguard=unguard_formula,
        )
    else:
        typed = tables.deployments_from_csv(
            data, site_ids=site_ids, source_ids=source_ids, source=name, unguard=unguard_formula
        )
    return table_text(typed)


# --- the user's own sources and events ------------------------------------------------------------


def sources_text(table: pd.DataFrame) -> pd.DataFrame:
    """A sources frame (typed or text) as CSV cell text: ``settings.USER_SOURCE_COLUMNS``."""
    frame = table if "link" in table.columns else table.assign(link="")
    return tables.text_frame(frame, settings.USER_SOURCE_COLUMNS).reset_index(drop=True)


def events_text(table: pd.DataFrame) -> pd.DataFrame:
    """An events frame (typed or text) as CSV cell text: ``settings.EVENT_COLUMNS``."""
    return tables.text_frame(table, settings.EVENT_COLUMNS).reset_index(drop=True)


def read_sources(name: str, data: bytes, *, known_ids: Collection[str]) -> pd.DataFrame:
    """Read and check an uploaded table of the user's own sources (CSV or Excel .xlsx).

    Columns: ``id, title, publisher, date, date_precision, date_note, kind`` and an optional
    ``link`` (a web address, kept as text, never fetched).

    Parameters
    ----------
    known_ids : collection of str
        Ids of the sources the briefing has already (bundled): a row may not reuse one.

    Returns
    -------
    DataFrame
        The sources as text (:func:`sources_text`).

    Raises
    ------
    SourcesTableError
        Listing every problem (row, column, value, what was expected).
    """
    text = _upload_text(name, data, SourcesTableError, "a sources table")
    typed = tables.sources_from_csv(text, source=name, taken_ids=known_ids, unguard=unguard_formula)
    return sources_text(typed)


def read_events(
    name: str,
    data: bytes,
    *,
    site_ids: Collection[str],
    source_ids: Collection[str],
    known_ids: Collection[str],
) -> pd.DataFrame:
    """Read and check an uploaded table of the user's own events (CSV or Excel .xlsx).

    ``source_ids`` should hold the bundled sources and the user's own, so an event can cite
    either; ``known_ids`` the ids of the bundled events (not to be reused).

    Raises
    ------
    EventsTableError
        Listing every problem.
    """
    text = _upload_text(name, data, EventsTableError, "an events table")
    typed = tables.events_from_csv(
        text,
        site_ids=site_ids,
        source_ids=source_ids,
        taken_ids=known_ids,
        source=name,
        unguard=unguard_formula,
    )
    return events_text(typed)


def validate_sources_table(table: pd.DataFrame, *, known_ids: Collection[str]) -> pd.DataFrame:
    """Check the user's sources as edited in the page; return them as text when valid.

    Raises
    ------
    SourcesTableError
        Listing every problem (rows numbered as in a spreadsheet, header = 1).
    """
    cleaned = table.map(lambda value: unguard_formula(tables.cell_text(value)))
    return sources_text(tables.validate_sources(cleaned, taken_ids=known_ids))


def validate_events_table(
    table: pd.DataFrame,
    *,
    site_ids: Collection[str],
    source_ids: Collection[str],
    known_ids: Collection[str],
) -> pd.DataFrame:
    """Check the user's events as edited in the page; return them as text when valid.

    Raises
    ------
    EventsTableError
        Listing every problem.
    """
    cleaned = table.map(lambda value: unguard_formula(tables.cell_text(value)))
    typed = tables.validate_events(
        cleaned, site_ids=site_ids, source_ids=source_ids, taken_ids=known_ids
    )
    return events_text(typed)


def merge_by_id(
    current: pd.DataFrame | None, new: pd.DataFrame, noun: str
) -> tuple[pd.DataFrame, str]:
    """Rows of ``new`` replace the rows of ``current`` with the same id; the others are added.

    Returns
    -------
    tuple of (DataFrame, str)
        The merged text table, and a line saying what changed, e.g.
        ``"sources: 1 added, 2 changed, 3 same"``.
    """
    if current is None or current.empty:
        return new.reset_index(drop=True), f"{noun}: {len(new)} added"
    old = current.set_index("id", drop=False)
    fresh = new.set_index("id", drop=False)
    common = fresh.index.intersection(old.index)
    changed = [i for i in common if not old.loc[i].astype(str).equals(fresh.loc[i].astype(str))]
    added = [i for i in fresh.index if i not in old.index]
    out = old.copy()
    out.loc[common] = fresh.loc[common, list(out.columns)]
    table = pd.concat([out, fresh.loc[added]], ignore_index=True)
    line = f"{noun}: {len(added)} added, {len(changed)} changed, {len(common) - len(changed)} same"
    return table.reset_index(drop=True), line


def text_table_csv(table: pd.DataFrame) -> bytes:
    """Any text table (sources, events) as formula-safe UTF-8 CSV, as :func:`table_csv`."""
    text = guarded(table.fillna("").astype(str))
    return text.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


@dataclass(frozen=True)
class Merge:
    """The result of merging an uploaded table into the current one, keyed on ``id``.

    Attributes
    ----------
    table : DataFrame
        The merged table (text): the current rows in their order, then the new ones.
    added : tuple of str
        Ids only in the upload.
    same : tuple of str
        Ids in both, with the same values.
    conflicts : DataFrame
        One row per differing cell of an id in both: ``id``, ``column``, ``current``,
        ``uploaded``.
    """

    table: pd.DataFrame
    added: tuple[str, ...]
    same: tuple[str, ...]
    conflicts: pd.DataFrame

    @property
    def conflicting_ids(self) -> tuple[str, ...]:
        """Ids whose rows differ, in table order."""
        return tuple(dict.fromkeys(self.conflicts["id"]))


def merge_tables(current: pd.DataFrame, uploaded: pd.DataFrame, *, prefer: str) -> Merge:
    """Merge an uploaded table into the current one by ``id``.

    Parameters
    ----------
    current, uploaded : DataFrame
        Text tables (:func:`table_text`). Not modified.
    prefer : {"uploaded", "current"}
        Whose row is kept when an id is in both and the rows differ.
    """
    if prefer not in ("uploaded", "current"):
        raise ValueError(f"prefer must be 'uploaded' or 'current', not {prefer!r}")
    current, uploaded = table_text(current), table_text(uploaded)
    mine = current.set_index("id", drop=False)
    theirs = uploaded.set_index("id", drop=False)
    conflicts: list[dict[str, str]] = []
    same: list[str] = []
    for row_id in theirs.index.intersection(mine.index):
        differing = [
            column
            for column in settings.DEPLOYMENT_COLUMNS
            if str(mine.at[row_id, column]) != str(theirs.at[row_id, column])
        ]
        if not differing:
            same.append(str(row_id))
        for column in differing:
            conflicts.append(
                {
                    "id": str(row_id),
                    "column": column,
                    "current": str(mine.at[row_id, column]),
                    "uploaded": str(theirs.at[row_id, column]),
                }
            )
    added = [str(row_id) for row_id in theirs.index if row_id not in mine.index]
    merged = mine.copy()
    if prefer == "uploaded":
        overlap = theirs.index.intersection(mine.index)
        merged.loc[overlap] = theirs.loc[overlap, list(merged.columns)]
    table = pd.concat([merged, theirs.loc[added]], ignore_index=True)
    conflict_frame = pd.DataFrame(conflicts, columns=["id", "column", "current", "uploaded"])
    return Merge(
        table=table_text(table),
        added=tuple(added),
        same=tuple(same),
        conflicts=conflict_frame,
    )


def validate_table(
    table: pd.DataFrame, *, site_ids: Collection[str], source_ids: Collection[str]
) -> pd.DataFrame:
    """Check an edited text table; return it as text (:func:`table_text`) when valid.

    Rows are numbered as the spreadsheet of the table would number them (header = 1).

    Raises
    ------
    DeploymentTableError
        Listing every problem.
    """
    cleaned = table.copy()
    for column in cleaned.columns:
        cleaned[column] = [
            unguard_formula(tables.cell_text(value)) for value in cleaned[column].tolist()
        ]
    typed = tables.validate_deployments(cleaned, site_ids=site_ids, source_ids=source_ids)
    return table_text(typed)


# --- downloads -----------------------------------------------------------------------------------


def table_csv(table: pd.DataFrame) -> bytes:
    """The table as UTF-8 CSV (with a byte-order mark, for Excel), formula-safe."""
    text = guarded(table_text(table))
    # CRLF as RFC 4180 has it: the writer then quotes every cell holding a CR or an LF (with
    # "\n" alone, a lone CR would be written bare and the file could not be read back).
    return text.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def table_xlsx(table: pd.DataFrame) -> bytes:
    """The table as an Excel workbook whose cells are all text, never formulas or links."""
    text = guarded(table_text(table))
    out = io.BytesIO()
    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    with pd.ExcelWriter(out, engine="xlsxwriter", engine_kwargs={"options": options}) as writer:
        text.to_excel(writer, sheet_name=settings.XLSX_SHEET, index=False)
    return out.getvalue()


def _plain(value: object) -> object:
    value = tables.json_value(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _feature(geom: BaseGeometry, properties: Mapping[str, object]) -> dict[str, Any] | None:
    if geom is None or geom.is_empty:
        return None
    if isinstance(geom, shapely.Polygon | shapely.MultiPolygon):
        geom = geometry.split_antimeridian(geom)
    shaped = geometry.to_geojson(geom, decimals=settings.DOWNLOAD_DECIMALS)
    return {"type": "Feature", "properties": dict(properties), "geometry": shaped}


def layers_geojson(sites: gpd.GeoDataFrame, overlays: gpd.GeoDataFrame) -> bytes:
    """Sites and context layers as one RFC 7946 FeatureCollection (lon/lat, no ``crs``).

    Each feature's properties say which layer it comes from (``layer``: ``sites`` or the
    context layer's name).
    """
    features: list[dict[str, Any]] = []
    for row in sites.to_crs(settings.CRS).itertuples(index=False):
        properties: dict[str, object] = {"layer": "sites"}
        properties.update(
            {column: _plain(getattr(row, column)) for column in settings.SITE_PROPERTIES}
        )
        feature = _feature(row.geometry, properties)
        if feature is not None:
            features.append(feature)
    for row in overlays.to_crs(settings.CRS).itertuples(index=False):
        try:
            extra = json.loads(str(row.properties) or "{}")
        except json.JSONDecodeError:
            extra = {}
        properties = {**(extra if isinstance(extra, dict) else {}), "layer": str(row.layer)}
        feature = _feature(row.geometry, properties)
        if feature is not None:
            features.append(feature)
    return geometry.dump_feature_collection(features)


# --- GeoJSON layers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LayerUpload:
    """A checked GeoJSON upload: its features, and what was repaired on the way in."""

    # ``layer``, ``name``, ``properties`` (JSON text), ``display`` (GeoJSON text of the map's
    # copy, geo.geometry.display_geojson), geometry (exact)
    features: gpd.GeoDataFrame
    notes: tuple[str, ...]


_WGS84_NAMES = ("CRS84", "EPSG::4326", "EPSG:4326", "4326", "WGS84", "WGS 84")


def _crs_problem(document: Mapping[str, Any]) -> Problem | None:
    """RFC 7946 has no ``crs`` member: lon/lat WGS 84 is the only one. Another is refused."""
    if "crs" not in document or document["crs"] is None:
        return None
    crs = document["crs"]
    name = ""
    if isinstance(crs, dict):
        properties = crs.get("properties")
        if isinstance(properties, dict):
            name = str(properties.get("name") or properties.get("href") or "")
    if name and any(
        name.upper().replace(" ", "").endswith(w.replace(" ", "")) for w in _WGS84_NAMES
    ):
        return None
    shown = name or json.dumps(crs)[:80]
    statement = (
        f"the file names the coordinate reference system {shown!r}; GeoJSON (RFC 7946) is "
        "longitude and latitude in WGS 84 only: reproject it to EPSG:4326 and remove the "
        "'crs' member"
    )
    return Problem(None, "crs", None, statement)


def _loads(name: str, data: bytes, error: type[DataError]) -> Any:
    """The parsed JSON text (UTF-8, one leading byte order mark allowed).

    Parsed fast (:mod:`geo.fastjson`); what orjson cannot read exactly is parsed again by
    ``json``, which accepts the same texts as before and words the refusals.
    """
    body = data[len(codecs.BOM_UTF8) :] if data.startswith(codecs.BOM_UTF8) else data
    with contextlib.suppress(fastjson.NotExact):
        return fastjson.loads_exact(body)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        statement = f"the file is not UTF-8 text ({exc.reason} at byte {exc.start})"
        raise error([Problem(None, None, None, statement)], name) from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        cut = exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string")
        ending = "ends too early (cut off?)" if cut else "is not JSON"
        statement = f"the file {ending}: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        raise error([Problem(exc.lineno, None, None, statement)], name) from exc


def _parse_geojson(name: str, data: bytes, error: type[DataError]) -> dict[str, Any]:
    _too_big(data, name, error)
    limits.check_upload(name, data, error=error)
    if not data.strip():
        raise error([Problem(None, None, None, "the file is empty")], name)
    document = _loads(name, data, error)
    limits.check_document(document, name, error=error)
    _, problems = geojson.raw_features(document)
    crs = _crs_problem(document) if isinstance(document, dict) else None
    if crs is not None:
        problems.append(crs)
    if problems:
        raise error(problems, name)
    return document


def _far_notes(geometries: Iterable[BaseGeometry], noun: str) -> list[str]:
    """A notice (never a refusal) when nothing lies in the briefing's region."""
    if not geojson.bounds_far_from(list(geometries), box(*settings.REGION_BOUNDS)):
        return []
    return [
        f"notice: no {noun} lies in the briefing's region (Europe and the North Atlantic); "
        "that is fine for data elsewhere on Earth. If they were meant to be here, check that "
        "positions are [longitude, latitude]"
    ]


def read_layer(name: str, data: bytes) -> LayerUpload:
    """Read and check an uploaded GeoJSON context layer (areas, lines or points).

    Parameters
    ----------
    name : str
        The file's name (shown; never opened).
    data : bytes
        The file's content, parsed with ``json`` (never GDAL).

    Returns
    -------
    LayerUpload
        Features with their properties kept as JSON text, and a note per repair (see
        :mod:`geo.geojson`: rings closed, collections flattened, heights dropped, areas split
        at the antimeridian or a pole, invalid areas made valid, null geometries left out),
        plus a notice when no feature lies in the briefing's region.

    Raises
    ------
    LayerUploadError
        Listing every problem, in plain words: empty or cut-off file, not GeoJSON (a
        FeatureCollection, a Feature or a geometry), a ``crs`` other than WGS 84, no
        features or none to draw, malformed coordinates, coordinates out of range.
    """
    document = _parse_geojson(name, data, LayerUploadError)
    layer = PurePath(name).stem[:80] or "layer"
    with fastjson.gc_paused():
        reading = geojson.read_document(document)
    if reading.problems:
        raise LayerUploadError(list(reading.problems), name)
    rows: list[dict[str, str]] = []
    shapes: list[BaseGeometry] = []
    drawn = [feature for feature in reading.features if feature.geometry is not None]
    if not drawn:
        statement = "no feature has a geometry to draw (all are null or empty)"
        raise LayerUploadError([Problem(None, "geometry", None, statement)], name)
    for feature in drawn:
        assert feature.geometry is not None
        shapes.append(feature.geometry)
        name_of = geojson.feature_name(feature.properties)
        rows.append(
            {
                "layer": layer,
                "name": f"feature {feature.number}" if name_of is None else name_of,
                "properties": json.dumps(feature.properties, ensure_ascii=False, default=str),
            }
        )
    notes = [*reading.notes, *_far_notes(shapes, "feature")]
    table = pd.DataFrame(rows, columns=["layer", "name", "properties"], dtype=str)
    table["display"] = pd.Series(geometry.display_geojson(shapes), dtype=str)
    frame = gpd.GeoDataFrame(table, geometry=gpd.GeoSeries(shapes, crs=settings.CRS))
    return LayerUpload(features=frame, notes=tuple(notes))


def read_sites(name: str, data: bytes, *, known_ids: Collection[str]) -> gpd.GeoDataFrame:
    """Read and check an uploaded GeoJSON of sites (each feature ``id``, ``name``, ``kind``,
    ``country``) that deployments can refer to.

    Raises
    ------
    SitesError
        Listing every problem (as :func:`geo.tables.sites_from_geojson`, plus a ``crs``
        other than WGS 84 and ids the briefing already has). Repairs are listed in
        ``attrs["repairs"]``, with a notice when no site lies in the briefing's region.
    """
    document = _parse_geojson(name, data, SitesError)
    taken = [
        Problem(None, "id", str(site_id), "a new id (the briefing already has this site)", n)
        for n, site_id in enumerate(_feature_ids(document["features"]), start=1)
        if site_id in known_ids
    ]
    try:
        sites = tables.sites_from_geojson(document, source=name)
    except SitesError as exc:
        raise SitesError(sorted([*exc.problems, *taken], key=_feature_order), name) from exc
    if taken:
        raise SitesError(taken, name)
    out = gpd.GeoDataFrame(
        sites[list(settings.SITE_PROPERTIES)].astype(str),
        geometry=gpd.GeoSeries(sites.geometry.to_numpy(), crs=settings.CRS),
        crs=settings.CRS,
    )
    out.attrs["repairs"] = [
        *sites.attrs.get("repairs", []),
        *_far_notes(sites.geometry, "site"),
    ]
    return out


def _feature_ids(features: Iterable[object]) -> list[str | None]:
    ids: list[str | None] = []
    for feature in features:
        properties = feature.get("properties") if isinstance(feature, dict) else None
        ids.append(str(properties.get("id")) if isinstance(properties, dict) else None)
    return ids


def _feature_order(problem: Problem) -> tuple[int, str]:
    return (problem.feature or 0, problem.column or "")


def new_site(
    *,
    site_id: str,
    name: str,
    kind: str,
    country: str,
    lon: float,
    lat: float,
    known_ids: Collection[str],
) -> gpd.GeoDataFrame:
    """One site placed by the user (e.g. by a click on the map), checked like a sites file.

    Raises
    ------
    SitesError
        Listing every problem (id form, kind, country code, coordinates, an id in use).
    """
    document = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"id": site_id, "name": name, "kind": kind, "country": country},
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
            }
        ],
    }
    return read_sites("new site", json.dumps(document).encode("utf-8"), known_ids=known_ids)


def site_id(name: str, known_ids: Collection[str]) -> str:
    """A new site id from a name: its slug, with -2, -3... when taken ("site" if empty)."""
    slug = mission_slug(name) or "site"
    if slug not in known_ids:
        return slug
    return next(
        f"{slug}-{n}" for n in range(2, len(known_ids) + 3) if f"{slug}-{n}" not in known_ids
    )


def concat_frames(first: gpd.GeoDataFrame, second: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Two frames of the same columns, one after the other, in EPSG:4326 (neither modified)."""
    if first.empty:
        return second.copy()
    if second.empty:
        return first.copy()
    frame = pd.concat([first.to_crs(settings.CRS), second.to_crs(settings.CRS)], ignore_index=True)
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=settings.CRS)
