"""The upload budget: refusals before parsing, in plain words, and long refusals cut short.

The hostile files of issue 19 are made here (bench/hostile.py), never committed; their time
and memory are measured by bench/uploads.py, not here.
"""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from bench import hostile
from geo import limits, settings, userdata
from geo.dataset import Dataset, load_dataset
from geo.errors import DataError, DeploymentTableError, Problem, SitesError
from geo.userdata import LayerUploadError


@pytest.fixture(scope="module")
def data() -> Dataset:
    """The bundled data, loaded once."""
    return load_dataset()


def _known(data: Dataset) -> dict[str, frozenset[str]]:
    return {"site_ids": frozenset(data.sites["id"]), "source_ids": frozenset(data.sources["id"])}


def _statement(error: DataError) -> str:
    assert len(error.problems) >= 1
    return str(error.problems[0])


# --- the four hostile files of the issue ---------------------------------------------------------


def test_a_small_workbook_that_unzips_to_131_mb_is_refused_from_its_zip_directory(
    data: Dataset,
) -> None:
    book = hostile.workbook_bomb()
    assert len(book) < 1024 * 1024
    with pytest.raises(DeploymentTableError) as caught:
        userdata.read_table("bomb.xlsx", book, **_known(data))
    text = _statement(caught.value)
    assert "unzips to 131.6 MB" in text and "at most 80.0 MB unzipped is read" in text


def test_a_csv_of_300000_bad_rows_is_refused_by_its_row_count(data: Dataset) -> None:
    table = hostile.bad_rows_csv()
    assert len(table) <= settings.UPLOAD_MAX_BYTES
    with pytest.raises(DeploymentTableError) as caught:
        userdata.read_table("bad.csv", table, **_known(data))
    assert caught.value.total == 1
    assert "more than 100,000 rows" in _statement(caught.value)


@pytest.mark.parametrize("reader", ["layer", "sites"])
def test_400_kb_of_nested_brackets_is_refused_with_a_message_not_a_recursion_error(
    reader: str,
) -> None:
    text = hostile.nested_brackets()
    with pytest.raises(DataError) as caught:
        if reader == "layer":
            userdata.read_layer("deep.geojson", text)
        else:
            userdata.read_sites("deep.geojson", text, known_ids=frozenset())
    assert isinstance(caught.value, LayerUploadError | SitesError)
    assert "nested more than 64 levels deep" in _statement(caught.value)


def test_a_polygon_of_400000_vertices_is_refused_before_any_repair() -> None:
    layer = hostile.zigzag_polygon()
    with pytest.raises(LayerUploadError) as caught:
        userdata.read_layer("zigzag.geojson", layer)
    problem = caught.value.problems[0]
    assert problem.feature == 1 and problem.column == "geometry"
    assert "400,001 vertices; at most 200,000 per geometry" in problem.expected


# --- each limit, and what passes -----------------------------------------------------------------


def test_a_workbook_of_too_many_parts_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as book:
        for number in range(settings.UPLOAD_MAX_ZIP_ENTRIES + 1):
            book.writestr(f"part{number}.xml", b"")
    with pytest.raises(DeploymentTableError, match="1,001 parts; at most 1,000"):
        limits.check_upload("many.xlsx", out.getvalue(), error=DeploymentTableError)


def test_a_csv_with_too_many_columns_is_refused_with_its_line() -> None:
    text = ("a,b\n" + ",".join(["x"] * 51) + "\n").encode()
    with pytest.raises(DeploymentTableError) as caught:
        limits.check_upload("wide.csv", text, error=DeploymentTableError)
    assert "line 2 has 51 columns; at most 50 are read" in _statement(caught.value)


def test_a_table_of_exactly_the_row_limit_passes_and_one_more_row_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(settings, "UPLOAD_MAX_ROWS", 3)
    limits.check_upload("ok.csv", b"id\n1\n\n2\n3\n", error=DeploymentTableError)
    with pytest.raises(DeploymentTableError, match="more than 3 rows"):
        limits.check_upload("long.csv", b"id\n1\n2\n3\n4\n", error=DeploymentTableError)


def test_a_sheet_longer_than_the_row_limit_is_refused_while_being_read(
    data: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "UPLOAD_MAX_ROWS", 5)
    book = userdata.table_xlsx(data.table)  # the bundled table has more than 5 rows
    with pytest.raises(DeploymentTableError, match="more than 5 rows"):
        userdata.read_table("long.xlsx", book, **_known(data))


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("XFD1048576", "more than 100,000 rows"),
        ("A100003", "more than 100,000 rows"),
        ("XFD5", "a cell at XFD5, beyond column AY: at most 50 columns"),
        ("AZ2", "a cell at AZ2, beyond column AY"),
    ],
)
def test_a_cell_beyond_the_last_row_or_column_is_refused_before_the_sheet_is_laid_out(
    reference: str, message: str
) -> None:
    book = hostile.far_cell_workbook(reference)
    assert len(book) < 2000
    with pytest.raises(DeploymentTableError, match=message):
        limits.check_upload("far.xlsx", book, error=DeploymentTableError)


def test_cells_within_the_last_row_and_column_pass_the_extent_check() -> None:
    for reference in ("AY100001", "A100001", "AY2"):
        limits.check_upload("near.xlsx", hostile.far_cell_workbook(reference), error=DataError)


def test_a_far_cell_on_a_sheet_the_reader_does_not_read_is_not_looked_at() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(hostile.far_cell_workbook("A2"))) as near:
        parts = {name: near.read(name) for name in near.namelist()}
    with zipfile.ZipFile(io.BytesIO(hostile.far_cell_workbook())) as far:
        parts["xl/worksheets/sheet2.xml"] = far.read("xl/worksheets/sheet1.xml")
    with zipfile.ZipFile(out, "w") as book:
        for name, content in parts.items():
            book.writestr(name, content)
    limits.check_upload("two.xlsx", out.getvalue(), error=DataError)


def test_too_many_features_are_refused_before_any_geometry_is_built(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(settings, "UPLOAD_MAX_FEATURES", 2)
    point = {
        "type": "Feature",
        "properties": {},
        "geometry": {"type": "Point", "coordinates": [1, 2]},
    }
    document = {"type": "FeatureCollection", "features": [point] * 3}
    with pytest.raises(LayerUploadError, match="3 features; at most 2 are read"):
        userdata.read_layer("points.geojson", json.dumps(document).encode())


def test_vertices_of_a_geometry_collection_are_summed() -> None:
    square = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}
    collection = {"type": "GeometryCollection", "geometries": [square, square]}
    assert limits.geometry_vertices(square) == 4
    assert limits.geometry_vertices(collection) == 8
    assert limits.geometry_vertices({"type": "Point", "coordinates": [1, 2]}) == 1


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        (b"", 0),
        (b"[]", 1),
        (b'{"a": [[1, 2]]}', 3),
        (b'{"a": "[[[[{{"}', 1),  # brackets inside a string do not count
        (b'{"a": "\\"[[[", "b": [1]}', 2),  # an escaped quote does not end the string
        (b'{"a": "\\\\", "b": [[1]]}', 3),  # an escaped backslash does not escape the quote
        (b'{"a": "\\\\\\"[", "b": [[1]]}', 3),  # three backslashes: the quote is escaped
        (b'{"a": "\\u00e9[", "b": [[1]]}', 3),  # a backslash before no quote changes nothing
        (b"[" * 100_000, 100_000),
    ],
)
def test_json_depth_counts_brackets_outside_strings(text: bytes, depth: int) -> None:
    assert limits.json_depth(text) == depth


def _positions_one_by_one(coordinates: object) -> int:
    """The count as the recursive definition says, one call per item."""
    if not isinstance(coordinates, list) or not coordinates:
        return 0
    if not isinstance(coordinates[0], list):
        return 1
    return sum(_positions_one_by_one(part) for part in coordinates)


@pytest.mark.parametrize(
    "coordinates",
    [
        [1, 2],
        [[1, 2], [3, 4], [5, 6, 7]],
        [[1, 2], []],
        [[1, 2], 3, "x", None],
        [[1, 2], [[3, 4], [5, 6]]],
        [[[1, 2]], [[1, 2], [3, 4]], []],
        [[True, 2], [["a"], 1]],
        [[[[0, 0], [1, 0], [1, 1], [0, 0]]], [[[5, 5], [6, 5], [6, 6], [5, 5]], []]],
    ],
)
def test_positions_are_counted_as_one_by_one_however_the_lists_are_shaped(
    coordinates: list[object],
) -> None:
    counted = limits.geometry_vertices({"type": "Polygon", "coordinates": coordinates})
    assert counted == _positions_one_by_one(coordinates)


def test_the_geojson_of_the_bundled_sites_is_well_within_the_depth_limit() -> None:
    depth = limits.json_depth(settings.SITES_PATH.read_bytes())
    assert 3 < depth < settings.UPLOAD_MAX_JSON_DEPTH


# --- the largest valid inputs --------------------------------------------------------------------


def test_a_csv_as_large_as_the_upload_limit_allows_is_accepted(data: Dataset) -> None:
    table = hostile.large_table_csv()
    assert len(table) > 0.95 * settings.UPLOAD_MAX_BYTES
    read = userdata.read_table("large.csv", table, **_known(data))
    assert len(read) > 50_000


def test_a_100000_row_table_passes_the_budget_checks(data: Dataset) -> None:
    book = hostile.large_table_xlsx(100_000)
    assert len(book) < settings.UPLOAD_MAX_BYTES
    limits.check_upload("large.xlsx", book, error=DeploymentTableError)
    rows = userdata._xlsx_rows(book, "large.xlsx")  # the rows as the reader sees them
    assert len(rows) == 100_001


def test_a_10_mb_layer_of_natural_earth_detail_passes_the_budget_checks() -> None:
    layer = hostile.detailed_layer()
    assert 0.9 * settings.UPLOAD_MAX_BYTES < len(layer) <= settings.UPLOAD_MAX_BYTES
    limits.check_upload("countries.geojson", layer, error=LayerUploadError)
    limits.check_document(json.loads(layer), "countries.geojson", error=LayerUploadError)


# --- long refusals -------------------------------------------------------------------------------


def _many(count: int) -> DeploymentTableError:
    problems = [
        Problem(line, column, "x", expected)
        for line in range(2, 2 + count // 2)
        for column, expected in (("nation", "an ISO code"), ("start", "a date"))
    ]
    return DeploymentTableError(problems, "bad.csv")


def test_a_long_refusal_lists_the_first_200_problems_then_counts_the_rest_by_column_and_kind() -> (
    None
):
    error = limits.capped(_many(1000))
    assert isinstance(error, DeploymentTableError) and error.source == "bad.csv"
    assert error.total == 1000 and len(error.problems) == 201
    assert error.problems[:200] == _many(1000).problems[:200]
    assert str(error.problems[-1]) == (
        "file: and 800 more: 400 in 'nation' (an ISO code); 400 in 'start' (a date)"
    )
    assert str(error).startswith("bad.csv: 1,000 problems\n")


def test_a_short_refusal_is_left_as_it_is() -> None:
    error = _many(200)
    assert limits.capped(error) is error


def test_the_page_table_of_a_long_refusal_has_201_rows() -> None:
    frame = userdata.problems_frame(_many(10_000))
    assert len(frame) == 201
    assert frame["problem"].iloc[-1].startswith("and 9,800 more: 4,900 in 'nation'")


def test_a_bad_table_within_the_limits_is_refused_with_every_problem_counted(
    data: Dataset,
) -> None:
    table = hostile.bad_rows_csv(rows=2000)
    with pytest.raises(DeploymentTableError) as caught:
        userdata.read_table("bad.csv", table, **_known(data))
    short = limits.capped(caught.value)
    assert short.total == caught.value.total > 20_000
    assert "in 'nation' (an ISO 3166-1 alpha-3 country code)" in str(short.problems[-1])
