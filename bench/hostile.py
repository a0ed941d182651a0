"""Uploads at the edge of the budget, made on the fly (never committed): the four hostile files
of issue 19 and the largest valid inputs. Used by tests/test_limits.py and bench/uploads.py.
"""

from __future__ import annotations

import contextlib
import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any

import pandas as pd
import shapely

from bench import generate
from geo import geometry, settings, userdata

# The parts of a minimal Excel workbook besides its sheet (Office Open XML, ECMA-376).
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="deployments" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)


def workbook_bomb(unzipped_mb: int = 131) -> bytes:
    """An .xlsx of well under 1 MB whose sheet of "x" cells unzips to ``unzipped_mb`` MB."""
    cell = b'<c t="inlineStr"><is><t>x</t></is></c>'
    row = b"<row>" + cell * 17 + b"</row>"
    block = row * 1000
    out = io.BytesIO()
    with (
        _workbook(out) as book,
        book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet,
    ):
        sheet.write(
            b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
            b'openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        )
        written = 0
        while written < unzipped_mb * 1024 * 1024:
            sheet.write(block)
            written += len(block)
        sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


@contextlib.contextmanager
def _workbook(out: io.BytesIO) -> Iterator[zipfile.ZipFile]:
    """A zip written into ``out`` with every part of an .xlsx but its one sheet."""
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", _CONTENT_TYPES)
        book.writestr("_rels/.rels", _RELS)
        book.writestr("xl/workbook.xml", _WORKBOOK)
        book.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        yield book


def far_cell_workbook(reference: str = "XFD1048576") -> bytes:
    """An .xlsx of 1.5 KB: a header cell at A1 and one cell at ``reference``.

    A reader that lays the sheet out as a grid from A1 to its farthest cell (calamine does)
    would ask for rows x columns cells: 17 billion for the last cell of a sheet.
    """
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.'
        'org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>id'
        f'</t></is></c></row><row r="{reference.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}">'
        f'<c r="{reference}" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>'
    )
    out = io.BytesIO()
    with _workbook(out) as book:
        book.writestr("xl/worksheets/sheet1.xml", sheet)
    return out.getvalue()


def bad_rows_csv(rows: int = 300_000) -> bytes:
    """A deployments CSV with the right header and ``rows`` rows whose every cell is wrong."""
    header = ",".join(settings.DEPLOYMENT_COLUMNS) + "\n"
    line = ",".join("x" for _ in settings.DEPLOYMENT_COLUMNS) + "\n"
    return (header + line * rows).encode("utf-8")


def nested_brackets(size: int = 400_000) -> bytes:
    """``size`` bytes of ``[[[…]]]``: deeper than Python's recursion limit."""
    return b"[" * (size // 2) + b"]" * (size // 2)


def zigzag_polygon(vertices: int = 400_000) -> bytes:
    """A GeoJSON polygon whose ring zigzags across itself: every edge crosses many others.

    Even positions walk east along 55°N, odd ones walk west along 56°N, so each edge crosses
    nearly every other one: repairing it grows with the square of its length.
    """
    half = vertices // 2
    ring = []
    for i in range(half):
        ring.append([round(10 + 10 * i / half, 6), 55.0])
        ring.append([round(20 - 10 * i / half, 6), 56.0])
    ring.append(ring[0])
    feature = {
        "type": "Feature",
        "properties": {"name": "zigzag"},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }
    document = {"type": "FeatureCollection", "features": [feature]}
    return json.dumps(document, separators=(",", ":")).encode("utf-8")


def large_table_xlsx(rows: int = 100_000, *, seed: int = 20260119) -> bytes:
    """``rows`` valid generated deployments as the app's own Excel download."""
    table = pd.DataFrame(
        generate.deployment_rows(rows, seed=seed), columns=list(settings.DEPLOYMENT_COLUMNS)
    )
    return userdata.table_xlsx(table)


def large_table_csv(size: int = settings.UPLOAD_MAX_BYTES, *, seed: int = 20260119) -> bytes:
    """As many valid generated deployment rows as a CSV upload of at most ``size`` bytes holds."""
    rows = generate.deployment_rows(60_000, seed=seed)
    table = pd.DataFrame(rows, columns=list(settings.DEPLOYMENT_COLUMNS))
    text = table.to_csv(index=False, lineterminator="\n").encode("utf-8")
    cut = text.rfind(b"\n", 0, size) + 1
    return text[:cut]


def detailed_layer(size: int = settings.UPLOAD_MAX_BYTES - 64 * 1024) -> bytes:
    """Natural Earth's country outlines (the finest level bundled), densified to at most ``size``
    bytes of GeoJSON: a large layer of detailed, valid polygons."""
    document = json.loads(
        (settings.BOUNDARIES_DIR / "countries_lod2.geojson").read_text(encoding="utf-8")
    )
    spacing = _LAYER_SPACING_DEG
    text = _densified(document["features"], spacing)
    while len(text) > size:
        spacing *= 1.1
        text = _densified(document["features"], spacing)
    return text


# Longest segment (degrees) of the densified outlines: about 10 MB of GeoJSON.
_LAYER_SPACING_DEG = 0.02


def _densified(features: list[dict[str, Any]], spacing: float) -> bytes:
    out = []
    for feature in features:
        dense = shapely.segmentize(shapely.geometry.shape(feature["geometry"]), spacing)
        out.append(
            {
                "type": "Feature",
                "properties": feature["properties"],
                "geometry": geometry.geometry_to_geojson(dense, decimals=5),
            }
        )
    document = {"type": "FeatureCollection", "features": out}
    return json.dumps(document, separators=(",", ":")).encode("utf-8")
