"""Uploads read and checked, merges, edits and downloads of the user's own data (no streamlit)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given
from hypothesis import settings as settings_
from hypothesis import strategies as st

from bench import hostile
from geo import settings, userdata, workspace
from geo.dataset import Dataset, load_dataset
from geo.errors import DataError, DeploymentTableError, SitesError
from geo.userdata import LayerUploadError


@pytest.fixture(scope="module")
def data() -> Dataset:
    """The bundled data, loaded once."""
    return load_dataset()


def _known(data: Dataset) -> dict[str, frozenset[str]]:
    return {"site_ids": frozenset(data.sites["id"]), "source_ids": frozenset(data.sources["id"])}


def _csv(table: pd.DataFrame) -> bytes:
    return table.to_csv(index=False, lineterminator="\n").encode("utf-8")


def _problems(error: DataError) -> list[str]:
    return [str(problem) for problem in error.problems]


# --- tables: good --------------------------------------------------------------------------------


def test_the_bundled_table_uploads_unchanged(data: Dataset) -> None:
    table = userdata.read_table("mine.csv", _csv(data.table), **_known(data))
    pd.testing.assert_frame_equal(table, data.table)


def test_a_csv_with_a_byte_order_mark_is_read(data: Dataset) -> None:
    table = userdata.read_table("excel.csv", b"\xef\xbb\xbf" + _csv(data.table), **_known(data))
    assert table["id"].tolist() == data.table["id"].tolist()


def test_an_excel_workbook_is_read_like_the_csv(data: Dataset) -> None:
    book = userdata.table_xlsx(data.table)
    table = userdata.read_table("mine.xlsx", book, **_known(data))
    pd.testing.assert_frame_equal(table, data.table)


# --- tables: malformed ---------------------------------------------------------------------------


def test_an_empty_file_is_refused_with_the_header_expected(data: Dataset) -> None:
    with pytest.raises(DeploymentTableError, match="header line with the columns id, nation"):
        userdata.read_table("empty.csv", b"", **_known(data))


def test_the_wrong_delimiter_is_named(data: Dataset) -> None:
    text = data.table.to_csv(index=False, sep=";").encode("utf-8")
    with pytest.raises(DeploymentTableError, match="separate its columns with semicolons"):
        userdata.read_table("semicolons.csv", text, **_known(data))


def test_duplicate_headers_are_named(data: Dataset) -> None:
    text = _csv(data.table).decode("utf-8")
    header, rest = text.split("\n", 1)
    with pytest.raises(DeploymentTableError, match=r"'nation'.*appears 2 times") as raised:
        userdata.read_table("dup.csv", (header + ",nation\n" + rest).encode(), **_known(data))
    assert raised.value.problems[0].line == 1


def test_mixed_date_formats_and_impossible_dates_are_listed_by_row(data: Dataset) -> None:
    table = data.table.copy()
    table.loc[0, "start"] = "15/01/2026"
    table.loc[1, "start"] = "2026-1-5"
    table.loc[2, "end"] = "2024-02-30"
    table.loc[3, "reported"] = "January 2026"
    with pytest.raises(DeploymentTableError) as raised:
        userdata.read_table("dates.csv", _csv(table), **_known(data))
    found = {(p.line, p.column): p.expected for p in raised.value.problems}
    assert found[(2, "start")] == "a date in the form YYYY-MM-DD"
    assert found[(3, "start")] == "a date in the form YYYY-MM-DD"
    assert found[(4, "end")] == "a real calendar date"
    assert found[(5, "reported")] == "a date in the form YYYY-MM-DD"


def test_every_bad_row_is_reported_and_good_rows_are_not(data: Dataset) -> None:
    table = data.table.copy()
    table.loc[0, "nation"] = "XX"
    table.loc[4, "site"] = "atlantis"
    table.loc[6, "personnel"] = "-3"
    table.loc[7, "id"] = table.loc[8, "id"]
    with pytest.raises(DeploymentTableError) as raised:
        userdata.read_table("bad.csv", _csv(table), **_known(data))
    lines = {p.line for p in raised.value.problems}
    assert lines == {2, 6, 8, 10}  # a duplicate id: the row repeating it
    frame = userdata.problems_frame(raised.value)
    assert list(frame.columns) == ["row", "column", "value", "problem"]
    assert "atlantis" in set(frame["value"])


def test_a_row_with_a_stray_comma_is_named(data: Dataset) -> None:
    text = _csv(data.table).decode("utf-8").rstrip("\n") + "\nx,DEU,too,few\n"
    with pytest.raises(DeploymentTableError, match="the row has 4 fields, expected 17"):
        userdata.read_table("short.csv", text.encode(), **_known(data))


def test_a_file_that_is_not_utf8_is_named(data: Dataset) -> None:
    with pytest.raises(DeploymentTableError, match="not UTF-8"):
        userdata.read_table("latin1.csv", "id,nation\nä,ö\n".encode("latin-1"), **_known(data))


def test_a_file_over_the_limit_is_refused_before_reading(
    data: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "UPLOAD_MAX_BYTES", 100)
    with pytest.raises(DeploymentTableError, match="at most 0 MB"):
        userdata.read_table("big.csv", _csv(data.table), **_known(data))
    with pytest.raises(LayerUploadError, match="at most 0 MB"):
        userdata.read_layer("big.geojson", b"{" + b" " * 200 + b"}")


def test_another_kind_of_file_is_refused_by_its_suffix(data: Dataset) -> None:
    with pytest.raises(DeploymentTableError, match=r"must be a \.csv or \.xlsx file"):
        userdata.read_table("table.ods", b"anything", **_known(data))


def test_a_broken_workbook_is_named(data: Dataset) -> None:
    with pytest.raises(DeploymentTableError, match="not an Excel workbook"):
        userdata.read_table("broken.xlsx", b"PK\x03\x04 not really", **_known(data))


@pytest.mark.parametrize(
    "name",
    ["https://example.org/evil.csv", "/etc/passwd", "../../etc/passwd.csv", "file:///etc/x.csv"],
)
def test_a_file_name_that_is_a_url_or_a_path_is_never_opened(data: Dataset, name: str) -> None:
    # The bytes are what is read; the name only picks the parser (and is shown).
    if not name.endswith(".csv"):
        with pytest.raises(DeploymentTableError, match="must be a"):
            userdata.read_table(name, _csv(data.table), **_known(data))
        return
    table = userdata.read_table(name, _csv(data.table), **_known(data))
    assert len(table) == len(data.table)


def test_a_geojson_whose_text_is_a_url_or_path_is_not_fetched() -> None:
    for text in (b"https://example.org/layer.geojson", b"/etc/passwd", b"WFS:http://x/"):
        with pytest.raises(LayerUploadError, match="is not JSON"):
            userdata.read_layer("layer.geojson", text)


# --- merge and edits -----------------------------------------------------------------------------


def test_merge_adds_new_ids_and_shows_each_conflicting_cell(data: Dataset) -> None:
    uploaded = data.table.iloc[[0, 1]].copy()
    uploaded.loc[0, "note"] = "changed note"
    uploaded.loc[0, "personnel"] = "12"
    new = data.table.iloc[[2]].copy()
    new["id"] = "brand-new"
    uploaded = pd.concat([uploaded, new], ignore_index=True)

    merge = userdata.merge_tables(data.table, uploaded, prefer="uploaded")
    assert merge.added == ("brand-new",)
    assert merge.same == (data.table.loc[1, "id"],)
    assert merge.conflicting_ids == (data.table.loc[0, "id"],)
    assert set(merge.conflicts["column"]) == {"note", "personnel"}
    assert len(merge.table) == len(data.table) + 1
    assert merge.table.loc[0, "note"] == "changed note"

    kept = userdata.merge_tables(data.table, uploaded, prefer="current")
    assert kept.table.loc[0, "note"] == data.table.loc[0, "note"]
    assert kept.table["id"].tolist()[-1] == "brand-new"


def test_editor_changes_are_applied_then_checked(data: Dataset) -> None:
    added = data.table.iloc[0].to_dict() | {"id": "added-row", "note": "from the editor"}
    edited = userdata.apply_edits(
        data.table,
        edited_rows={0: {"note": "edited"}},
        added_rows=[added],
        deleted_rows=[1],
    )
    assert edited.loc[0, "note"] == "edited"
    assert data.table.loc[1, "id"] not in set(edited["id"])
    assert edited["id"].tolist()[-1] == "added-row"
    valid = userdata.validate_table(edited, **_known(data))
    assert len(valid) == len(data.table)

    broken = userdata.apply_edits(
        data.table, edited_rows={2: {"status": "maybe"}}, added_rows=[], deleted_rows=[]
    )
    with pytest.raises(DeploymentTableError) as raised:
        userdata.validate_table(broken, **_known(data))
    ((line, column),) = {(p.line, p.column) for p in raised.value.problems}
    assert (line, column) == (4, "status")


# --- formula injection ---------------------------------------------------------------------------

PAYLOADS = ("=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1")


def _with_payloads(table: pd.DataFrame) -> pd.DataFrame:
    out = table.copy()
    for row, payload in enumerate(PAYLOADS):
        out.loc[row, "note"] = payload
        out.loc[row, "assets"] = payload
    return out


def test_csv_download_puts_an_apostrophe_before_every_formula(data: Dataset) -> None:
    table = _with_payloads(data.table)
    text = userdata.table_csv(table).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    for row, payload in zip(rows, PAYLOADS, strict=False):
        assert row["note"] == "'" + payload  # free text is kept exactly, spaces and all
        assert row["assets"] == "'" + payload
    for row in rows:
        for value in row.values():
            assert not value.startswith(settings.FORMULA_PREFIXES), value


def test_the_csv_download_uploads_back_to_the_same_table(data: Dataset) -> None:
    table = _with_payloads(data.table)
    back = userdata.read_table("round.csv", userdata.table_csv(table), **_known(data))
    pd.testing.assert_frame_equal(back, userdata.table_text(table))


def test_excel_download_holds_text_never_formulas(data: Dataset) -> None:
    table = _with_payloads(data.table)
    book = openpyxl.load_workbook(io.BytesIO(userdata.table_xlsx(table)))
    sheet = book[settings.XLSX_SHEET]
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    notes = [row[16].value for row in sheet.iter_rows(min_row=2, max_row=len(PAYLOADS) + 1)]
    # openpyxl leaves OOXML's escape of a carriage return (_x000D_) as it is.
    assert notes == ["'" + payload.replace("\r", "_x000D_") for payload in PAYLOADS]
    assert all(
        not str(cell.value).startswith(settings.FORMULA_PREFIXES)
        for cell in cells
        if cell.value is not None
    )


# --- GeoJSON layers ------------------------------------------------------------------------------


def _collection(*features: dict[str, object], **extra: object) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features), **extra}).encode()


def _feature(geometry: dict[str, object] | None, **properties: object) -> dict[str, object]:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


SQUARE = {"type": "Polygon", "coordinates": [[[20, 54], [22, 54], [22, 56], [20, 56], [20, 54]]]}


def test_a_good_layer_keeps_its_properties() -> None:
    upload = userdata.read_layer(
        "zones.geojson", _collection(_feature(SQUARE, name="Zone <b>A</b>", depth=12))
    )
    (row,) = upload.features.itertuples()
    assert (row.layer, row.name) == ("zones", "Zone <b>A</b>")
    assert json.loads(row.properties) == {"name": "Zone <b>A</b>", "depth": 12}
    assert upload.notes == ()


def test_a_truncated_file_says_it_ends_too_early() -> None:
    text = _collection(_feature(SQUARE, name="A"))[:-20]
    with pytest.raises(LayerUploadError, match="ends too early"):
        userdata.read_layer("cut.geojson", text)


def test_an_empty_file_and_an_empty_collection_are_named() -> None:
    with pytest.raises(LayerUploadError, match="the file is empty"):
        userdata.read_layer("empty.geojson", b"")
    with pytest.raises(LayerUploadError, match="has no features"):
        userdata.read_layer("none.geojson", _collection())


def test_null_geometries_are_left_out_with_a_note_each() -> None:
    upload = userdata.read_layer(
        "nulls.geojson",
        _collection(_feature(SQUARE), _feature(None, name="B"), _feature(None, name="C")),
    )
    assert len(upload.features) == 1
    assert [note for note in upload.notes if "null" in note] == [
        "feature 2 (B): it has no geometry (null): nothing to draw, left out of the map",
        "feature 3 (C): it has no geometry (null): nothing to draw, left out of the map",
    ]


def test_a_layer_of_null_geometries_only_is_refused() -> None:
    with pytest.raises(LayerUploadError, match="no feature has a geometry to draw"):
        userdata.read_layer("nulls.geojson", _collection(_feature(None, name="B")))


def test_a_self_intersecting_polygon_is_repaired_and_the_repair_noted() -> None:
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[20, 55], [22, 57], [22, 55], [20, 57], [20, 55]]],
    }
    upload = userdata.read_layer("bowtie.geojson", _collection(_feature(bowtie, name="Tie")))
    assert upload.features.geometry.iloc[0].is_valid
    assert upload.features.geometry.iloc[0].area == pytest.approx(2.0)
    assert "Self-intersection" in upload.notes[0] and "repaired" in upload.notes[0]


def test_valid_point_far_from_the_briefing_is_accepted_with_a_notice() -> None:
    india = {"type": "Point", "coordinates": [78.96, 20.59]}  # swapped, it would be in Europe
    upload = userdata.read_layer("india.geojson", _collection(_feature(india, name="India")))
    assert upload.features.geometry.iloc[0].equals(shapely.Point(78.96, 20.59))
    assert any(note.startswith("notice: no feature lies in the briefing") for note in upload.notes)


def test_projected_coordinates_are_named() -> None:
    metres = {"type": "Point", "coordinates": [2_700_000.0, 7_500_000.0]}
    with pytest.raises(LayerUploadError, match="projected coordinates"):
        userdata.read_layer("3857.geojson", _collection(_feature(metres, name="X")))


def test_a_crs_member_other_than_wgs84_is_refused() -> None:
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}}
    with pytest.raises(LayerUploadError, match=r"EPSG::3857.*reproject it to EPSG:4326"):
        userdata.read_layer("crs.geojson", _collection(_feature(SQUARE, name="A"), crs=crs))
    wgs84 = {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}
    assert len(userdata.read_layer("ok.geojson", _collection(_feature(SQUARE), crs=wgs84)).features)


def test_a_polygon_across_the_antimeridian_is_split_and_noted() -> None:
    across = {
        "type": "Polygon",
        "coordinates": [[[170, 60], [-170, 60], [-170, 65], [170, 65], [170, 60]]],
    }
    upload = userdata.read_layer("chukotka.geojson", _collection(_feature(across, name="Strait")))
    parts = upload.features.geometry.iloc[0]
    assert isinstance(parts, shapely.MultiPolygon) and len(parts.geoms) == 2
    assert parts.bounds[0] == pytest.approx(-180) and parts.bounds[2] == pytest.approx(180)
    assert any("antimeridian" in note for note in upload.notes)


def test_layers_download_is_rfc7946(data: Dataset) -> None:
    upload = userdata.read_layer("zones.geojson", _collection(_feature(SQUARE, name="Zone A")))
    document = json.loads(userdata.layers_geojson(data.sites, upload.features))
    assert document["type"] == "FeatureCollection" and "crs" not in document
    layers = [feature["properties"]["layer"] for feature in document["features"]]
    assert layers.count("sites") == len(data.sites) and layers[-1] == "zones"
    square = shapely.geometry.shape(document["features"][-1]["geometry"])
    assert square.exterior.is_ccw  # RFC 7946 §3.1.6: exterior rings counter-clockwise
    for feature in document["features"]:
        west, south, east, north = shapely.geometry.shape(feature["geometry"]).bounds
        assert -180 <= west <= east <= 180 and -90 <= south <= north <= 90


# --- sites ---------------------------------------------------------------------------------------


def test_uploaded_sites_are_checked_like_the_bundled_ones(data: Dataset) -> None:
    good = _feature(
        {"type": "Point", "coordinates": [24.0, 55.5]},
        id="camp",
        name="Camp",
        kind="base",
        country="LTU",
    )
    sites = userdata.read_sites("sites.geojson", _collection(good), known_ids=set(data.sites["id"]))
    assert sites["id"].tolist() == ["camp"]

    taken = dict(good, properties={**good["properties"], "id": data.sites["id"].iloc[0]})  # type: ignore[dict-item]
    bad_kind = dict(good, properties={**good["properties"], "id": "x", "kind": "castle"})  # type: ignore[dict-item]
    with pytest.raises(SitesError) as raised:
        userdata.read_sites(
            "sites.geojson", _collection(taken, bad_kind), known_ids=set(data.sites["id"])
        )
    text = str(raised.value)
    assert "already has this site" in text and "'castle'" in text


def test_a_site_placed_on_the_map_gets_a_free_id(data: Dataset) -> None:
    known = set(data.sites["id"])
    new_id = userdata.site_id("Šiauliai", known)
    assert new_id not in known and new_id.startswith("siauliai")
    site = userdata.new_site(
        site_id=new_id,
        name="Šiauliai",
        kind="air_base",
        country="LTU",
        lon=23.4,
        lat=55.9,
        known_ids=known,
    )
    assert site.geometry.iloc[0].equals(shapely.Point(23.4, 55.9))
    with pytest.raises(SitesError, match="ISO 3166-1 alpha-3"):
        userdata.new_site(
            site_id="y", name="Y", kind="base", country="Lithuania", lon=23, lat=55, known_ids=known
        )


def test_problems_frame_numbers_rows_as_the_spreadsheet_does(tmp_path: Path) -> None:
    error = DeploymentTableError(
        [
            userdata.Problem(3, "nation", "XX", "an ISO 3166-1 alpha-3 country code"),
            userdata.Problem(None, "geometry", None, "the feature has no geometry", 2),
        ],
        "t.csv",
    )
    frame = userdata.problems_frame(error)
    assert frame["row"].tolist()[0] == 3 and pd.isna(frame["row"].tolist()[1])
    assert frame["feature"].tolist()[1] == 2
    assert frame["problem"].tolist() == [
        "expected an ISO 3166-1 alpha-3 country code",
        "the feature has no geometry",
    ]


def test_uploads_never_reach_gdal(data: Dataset, monkeypatch: pytest.MonkeyPatch) -> None:
    import geopandas
    import pyogrio

    def gdal(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"GDAL was asked to open {args!r}")

    for module, name in (
        (pyogrio, "read_dataframe"),
        (pyogrio, "read_info"),
        (pyogrio, "list_layers"),
        (geopandas, "read_file"),
    ):
        monkeypatch.setattr(module, name, gdal)
    square = {"type": "Polygon", "coordinates": [[[20, 54], [22, 54], [22, 56], [20, 54]]]}
    layer = _collection(_feature(square, name="/vsicurl/https://example.org/x.shp"))
    userdata.read_layer("/vsicurl/https://example.org/layer.geojson", layer)
    with pytest.raises(LayerUploadError):
        userdata.read_layer("layer.geojson", b"/vsicurl/https://example.org/layer.shp")
    userdata.read_table("https://example.org/t.csv", _csv(data.table), **_known(data))
    with pytest.raises(SitesError):
        userdata.read_sites("WFS:https://example.org/wfs.geojson", b"WFS:https://x", known_ids=())


# --- exact round trips of any cell text ----------------------------------------------------------

# Any character a table cell may hold: everything but the control characters no download can
# carry (settings.FORBIDDEN_CELL_CHARACTERS) and lone surrogates (not text).
CELL_TEXT = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs",),
        blacklist_characters="".join(settings.FORBIDDEN_CELL_CHARACTERS),
    ),
    max_size=40,
)
SPECTRUM = Path(__file__).parent / "data" / "csv"
EDGE_TEXTS = (
    "line\rbreak",
    "crlf\r\nbreak",
    "lf\nbreak",
    "\ttab first",
    'say "hi", then go',
    "  spaces around  ",
    "'=SUM(A1)",
    "''twice",
    "'plain",
    "_x000D_",
    "_x005F_x0041_",
    "ünïcødé ✓ 日本 🚀",
    "=1+1",
    "-",
    "'",
)


def _spectrum_texts() -> list[str]:
    texts: list[str] = []
    for path in sorted(SPECTRUM.glob("*.json")):
        for record in json.loads(path.read_text(encoding="utf-8")):
            values = record.values() if isinstance(record, dict) else [record]
            texts.extend(str(value) for value in values)
    return texts


def _with_texts(table: pd.DataFrame, texts: list[str]) -> pd.DataFrame:
    out = userdata.table_text(table).head(max(1, len(texts))).copy()
    for row, text in enumerate(texts[: len(out)]):
        out.loc[row, "note"] = text
        out.loc[row, "assets"] = text[::-1]
    return out


def _round_trips(data: Dataset, table: pd.DataFrame, tmp: Path) -> None:
    expected = userdata.table_text(table)
    for name, payload in (
        ("back.csv", userdata.table_csv(table)),
        ("back.xlsx", userdata.table_xlsx(table)),
    ):
        back = userdata.read_table(name, payload, **_known(data))
        pd.testing.assert_frame_equal(back, expected, obj=name)
    path = tmp / "round.gpkg"
    workspace.save_workspace(workspace.Workspace(deployments=expected), path)
    saved = workspace.read_workspace(path).deployments
    assert saved is not None
    pd.testing.assert_frame_equal(saved, expected, obj="workspace")


def test_edge_case_and_csv_spectrum_texts_round_trip_exactly(data: Dataset, tmp_path: Path) -> None:
    texts = [*EDGE_TEXTS, *_spectrum_texts()]
    assert len(texts) > 30
    rows = len(data.table)
    for start in range(0, len(texts), rows):
        _round_trips(data, _with_texts(data.table, texts[start : start + rows]), tmp_path)


@settings_(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(CELL_TEXT, min_size=1, max_size=5))
def test_any_cell_text_round_trips_through_csv_excel_and_the_workspace(
    data: Dataset, tmp_path_factory: pytest.TempPathFactory, texts: list[str]
) -> None:
    _round_trips(data, _with_texts(data.table, texts), tmp_path_factory.mktemp("ws"))


def test_workbooks_are_read_by_calamine_unless_a_text_needs_the_exact_underscore_decoding(
    data: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_openpyxl(*args: object) -> None:
        raise AssertionError("read with openpyxl")

    texts = [text for text in EDGE_TEXTS if "_x005F" not in text]
    table = _with_texts(data.table, texts)
    with monkeypatch.context() as patch:
        patch.setattr(userdata, "_openpyxl_cells", no_openpyxl)
        back = userdata.read_table("back.xlsx", userdata.table_xlsx(table), **_known(data))
    pd.testing.assert_frame_equal(back, userdata.table_text(table))
    table = _with_texts(data.table, ["_x005F_x0041_"])
    back = userdata.read_table("back.xlsx", userdata.table_xlsx(table), **_known(data))
    assert back.loc[0, "note"] == "_x005F_x0041_"


def test_a_workbook_with_a_far_away_cell_is_refused_not_laid_out(data: Dataset) -> None:
    with pytest.raises(DeploymentTableError, match="more than 100,000 rows"):
        userdata.read_table("far.xlsx", hostile.far_cell_workbook(), **_known(data))


def test_a_nul_in_an_uploaded_csv_is_refused_with_a_message(data: Dataset) -> None:
    table = _with_texts(data.table, ["before\x00after"])
    raw = table.to_csv(index=False, lineterminator="\r\n").encode("utf-8")
    with pytest.raises(DeploymentTableError) as raised:
        userdata.read_table("nul.csv", raw, **_known(data))
    problems = raised.value.problems
    assert {(p.line, p.column) for p in problems} == {(2, "note"), (2, "assets")}
    assert all("U+0000" in p.expected and "delete them" in p.expected for p in problems)


def test_a_control_character_in_an_uploaded_workbook_is_refused(data: Dataset) -> None:
    table = userdata.table_text(data.table).head(1)
    table.loc[0, "note"] = "bell\x07"
    out = io.BytesIO()
    with pd.ExcelWriter(out, engine="xlsxwriter") as writer:
        table.to_excel(writer, sheet_name=settings.XLSX_SHEET, index=False)
    with pytest.raises(DeploymentTableError, match="control character"):
        userdata.read_table("bell.xlsx", out.getvalue(), **_known(data))


def test_a_hand_typed_leading_apostrophe_before_a_letter_is_kept(data: Dataset) -> None:
    assert userdata.unguard_formula("'tis") == "'tis"
    assert userdata.unguard_formula(str(userdata.guard_formula("'=x"))) == "'=x"


def test_a_cell_longer_than_an_excel_cell_is_refused_at_upload(data: Dataset) -> None:
    table = _with_texts(data.table, ["x" * (settings.MAX_CELL_CHARACTERS + 1)])
    with pytest.raises(DeploymentTableError, match="at most 32,767 characters"):
        userdata.read_table("long.csv", userdata.table_csv(table), **_known(data))
