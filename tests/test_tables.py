"""Loading and validation of the data files (geo/tables.py)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import pickle
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, Polygon

from geo import settings, tables
from geo.errors import (
    DataError,
    DeploymentTableError,
    EventsTableError,
    Problem,
    SitesError,
    SourcesTableError,
)

SOURCE_IDS = frozenset({"000_a.txt", "001_b.txt"})
SITE_IDS = frozenset({"nuuk", "greenland", "baltic-sea"})

_VALID_ROW: dict[str, str] = {
    "id": "grl-recon-deu",
    "nation": "DEU",
    "mission": "Greenland reconnaissance",
    "site": "nuuk",
    "host": "GRL",
    "start": "2026-01-15",
    "end": "2026-01-17",
    "date_precision": "day",
    "personnel": "13",
    "assets": "",
    "domain": "joint",
    "command": "DNK",
    "status": "announced",
    "source": "000_a.txt",
    "also_sources": "001_b.txt",
    "reported": "2026-01-16",
    "note": 'Exploration team, a note with a comma, and a quote "here".',
}


def _row(**changes: str) -> dict[str, str]:
    return {**_VALID_ROW, **changes}


def _csv_text(rows: list[dict[str, str]], columns: tuple[str, ...]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _deployments_file(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    path = tmp_path / "deployments.csv"
    path.write_text(_csv_text(rows, settings.DEPLOYMENT_COLUMNS), encoding="utf-8")
    return path


def _load(path: Path) -> pd.DataFrame:
    return tables.load_deployments(
        path,
        sites=pd.DataFrame({"id": sorted(SITE_IDS)}),
        sources=pd.DataFrame({"id": sorted(SOURCE_IDS)}),
    )


@pytest.fixture
def sources_csv(tmp_path: Path) -> Path:
    """A sources table: one dated news article, one undated ministry page."""
    path = tmp_path / "sources.csv"
    path.write_text(
        "id,title,publisher,date,date_precision,date_note,kind\n"
        "000_a.txt,Belgium joins,,2026-01-01,month,Not stated,news\n"
        '001_b.txt,"Missions, eastern flank",Belgian Defence,,,,ministry_page\n',
        encoding="utf-8",
    )
    return path


@pytest.fixture
def sites_geojson(tmp_path: Path) -> Path:
    """Three sites in EPSG:4326: a city point, a region, and a sea-area polygon."""
    features = [
        {
            "type": "Feature",
            "properties": {"id": "nuuk", "name": "Nuuk", "kind": "city", "country": "GRL"},
            "geometry": {"type": "Point", "coordinates": [-51.72, 64.18]},
        },
        {
            "type": "Feature",
            "properties": {
                "id": "greenland",
                "name": "Greenland",
                "kind": "region",
                "country": "GRL",
            },
            "geometry": {"type": "Point", "coordinates": [-42.0, 72.0]},
        },
        {
            "type": "Feature",
            "properties": {
                "id": "baltic-sea",
                "name": "Baltic Sea",
                "kind": "sea_area",
                "country": "",
            },
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [[14.0, 54.0], [24.0, 54.0], [24.0, 60.0], [14.0, 60.0], [14.0, 54.0]]
                ],
            },
        },
    ]
    path = tmp_path / "sites.geojson"
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8"
    )
    return path


# --- deployments: the good path ------------------------------------------------------------------


def test_valid_deployments_load_with_typed_columns(tmp_path: Path) -> None:
    ongoing = _row(id="grl-recon-bel", nation="BEL", end="", personnel="", also_sources="")
    deployments = _load(_deployments_file(tmp_path, [_row(), ongoing]))

    assert list(deployments.columns) == [*settings.DEPLOYMENT_COLUMNS, "start_day", "end_day"]
    for column in ("start", "end", "reported", "start_day", "end_day"):
        assert deployments[column].dtype == settings.DATE_DTYPE
    assert str(deployments["personnel"].dtype) == "Int64"
    assert deployments["personnel"].tolist()[0] == 13
    assert pd.isna(deployments["personnel"].iloc[1])
    assert deployments["also_sources"].tolist() == [("001_b.txt",), ()]
    assert pd.isna(deployments["end"].iloc[1]) and pd.isna(deployments["end_day"].iloc[1])
    assert deployments["assets"].iloc[0] == ""
    assert deployments["note"].iloc[0] == _VALID_ROW["note"]
    assert isinstance(deployments.index, pd.RangeIndex)


def test_month_precision_end_covers_whole_month(tmp_path: Path) -> None:
    row = _row(start="2025-12-01", end="2026-01-01", date_precision="month")
    deployments = _load(_deployments_file(tmp_path, [row]))

    assert deployments["start_day"].iloc[0] == pd.Timestamp("2025-12-01")
    assert deployments["end_day"].iloc[0] == pd.Timestamp("2026-01-31")


def test_year_precision_interval_covers_whole_years(tmp_path: Path) -> None:
    row = _row(start="2004-01-01", end="2024-01-01", date_precision="year")
    deployments = _load(_deployments_file(tmp_path, [row]))

    assert deployments["start_day"].iloc[0] == pd.Timestamp("2004-01-01")
    assert deployments["end_day"].iloc[0] == pd.Timestamp("2024-12-31")


def test_month_precision_in_leap_february_ends_on_the_29th(tmp_path: Path) -> None:
    row = _row(start="2024-02-01", end="2024-02-01", date_precision="month")
    deployments = _load(_deployments_file(tmp_path, [row]))

    assert deployments["end_day"].iloc[0] == pd.Timestamp("2024-02-29")


def test_bom_file_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "deployments.csv"
    path.write_bytes(b"\xef\xbb\xbf" + _csv_text([_row()], settings.DEPLOYMENT_COLUMNS).encode())

    deployments = _load(path)

    assert deployments["id"].tolist() == ["grl-recon-deu"]


def test_crlf_line_endings_and_surrounding_spaces_are_accepted(tmp_path: Path) -> None:
    text = _csv_text([_row(nation=" DEU ")], settings.DEPLOYMENT_COLUMNS).replace("\n", "\r\n")
    path = tmp_path / "deployments.csv"
    path.write_bytes(text.encode())

    assert _load(path)["nation"].tolist() == ["DEU"]


def test_columns_in_another_order_are_accepted_and_returned_in_file_order(tmp_path: Path) -> None:
    reordered = tuple(reversed(settings.DEPLOYMENT_COLUMNS))
    path = tmp_path / "deployments.csv"
    path.write_text(_csv_text([_row()], reordered), encoding="utf-8")

    deployments = _load(path)

    assert list(deployments.columns[: len(settings.DEPLOYMENT_COLUMNS)]) == list(
        settings.DEPLOYMENT_COLUMNS
    )


def test_header_only_file_gives_an_empty_typed_table(tmp_path: Path) -> None:
    deployments = _load(_deployments_file(tmp_path, []))

    assert deployments.empty
    assert deployments["start_day"].dtype == settings.DATE_DTYPE


# --- deployments: every problem in one error -----------------------------------------------------


def test_bad_table_error_lists_every_bad_row_and_column(tmp_path: Path) -> None:
    rows = [
        _row(id="ok"),  # line 2
        _row(id="r3", nation="XXX"),
        _row(id="r4", site="atlantis"),
        _row(id="r5", start="2024-03-01", end="2024-01-01"),
        _row(id="r6", start="2024-02-30", end=""),
        _row(id="r7", start="15/01/2026", end=""),
        _row(id="r8", personnel="-5"),
        _row(id="ok"),  # line 9: duplicate
        _row(id="r10", domain="space"),
        _row(id="r11", source="999_x.txt", also_sources="000_a.txt;998_y.txt"),
        _row(id="r12", status="rumoured", command="dnk"),
    ]
    with pytest.raises(DeploymentTableError) as caught:
        _load(_deployments_file(tmp_path, rows))
    message = str(caught.value)

    expected_lines = [
        "line 3, column 'nation': 'XXX' is not an ISO 3166-1 alpha-3 country code",
        "line 4, column 'site': 'atlantis' is not an id in the sites file",
        "line 5, column 'end': '2024-01-01' is not on or after start (2024-03-01)",
        "line 6, column 'start': '2024-02-30' is not a real calendar date",
        "line 7, column 'start': '15/01/2026' is not a date in the form YYYY-MM-DD",
        "line 8, column 'personnel': '-5' is not a non-negative whole number, or empty",
        "line 9, column 'id': 'ok' is not a unique id (already used on line 2)",
        "line 10, column 'domain': 'space' is not one of land, air, sea, joint",
        "line 11, column 'source': '999_x.txt' is not an id in the sources file",
        "line 11, column 'also_sources': '998_y.txt' is not an id in the sources file",
        "line 12, column 'command': 'dnk' is not an ISO 3166-1 alpha-3 country code, or empty",
        "line 12, column 'status': 'rumoured' is not one of announced, active, ended, declined",
    ]
    for line in expected_lines:
        assert line in message
    # Each problem once: no double report (e.g. form and calendar of the same date).
    assert len(caught.value.problems) == len(expected_lines)
    assert message.splitlines()[0].endswith(f"{len(expected_lines)} problems")


def test_problems_are_listed_in_line_then_column_order(tmp_path: Path) -> None:
    rows = [_row(id="a", status="x", nation="XXX"), _row(id="b", domain="y")]
    with pytest.raises(DeploymentTableError) as caught:
        _load(_deployments_file(tmp_path, rows))

    located = [(problem.line, problem.column) for problem in caught.value.problems]
    assert located == [(2, "nation"), (2, "status"), (3, "domain")]


def test_empty_required_cells_are_reported_as_empty(tmp_path: Path) -> None:
    with pytest.raises(DeploymentTableError) as caught:
        _load(_deployments_file(tmp_path, [_row(nation="", mission="")]))

    message = str(caught.value)
    assert "line 2, column 'nation': empty, expected" in message
    assert "line 2, column 'mission': empty, expected a non-empty mission name" in message


def test_unstated_start_and_host_are_accepted_as_empty(tmp_path: Path) -> None:
    row = _row(start="", end="", date_precision="", host="")
    out = _load(_deployments_file(tmp_path, [row]))

    assert pd.isna(out.loc[out.index[0], "start_day"])
    assert pd.isna(out.loc[out.index[0], "end_day"])
    assert out.loc[out.index[0], "host"] == ""


def test_a_dated_row_without_date_precision_is_refused(tmp_path: Path) -> None:
    row = _row(start="", end="2026-02-01", date_precision="")
    with pytest.raises(DeploymentTableError, match=r"line 2, column 'date_precision': empty"):
        _load(_deployments_file(tmp_path, [row]))


def test_month_precision_date_not_on_the_first_is_refused(tmp_path: Path) -> None:
    row = _row(start="2026-01-15", end="", date_precision="month")
    with pytest.raises(DeploymentTableError, match=r"line 2, column 'start': '2026-01-15' is not "):
        _load(_deployments_file(tmp_path, [row]))


def test_row_with_wrong_field_count_is_reported_with_the_other_problems(tmp_path: Path) -> None:
    text = _csv_text([_row(id="a"), _row(id="b", nation="XXX")], settings.DEPLOYMENT_COLUMNS)
    lines = text.splitlines()
    lines.insert(2, "c,BEL,unquoted, comma,nuuk")  # becomes line 3
    path = tmp_path / "deployments.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    with pytest.raises(DeploymentTableError) as caught:
        _load(path)

    message = str(caught.value)
    assert "line 3: the row has 5 fields, expected 17" in message
    assert "line 4, column 'nation': 'XXX'" in message


def test_line_numbers_count_physical_lines_of_multiline_cells(tmp_path: Path) -> None:
    rows = [_row(id="a", note="first line\nsecond line"), _row(id="b", nation="XXX")]
    with pytest.raises(DeploymentTableError, match=r"line 4, column 'nation'"):
        _load(_deployments_file(tmp_path, rows))


# --- deployments: files that cannot be read as a table -------------------------------------------


def test_semicolon_delimited_file_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "deployments.csv"
    text = _csv_text([_row()], settings.DEPLOYMENT_COLUMNS)
    path.write_text(text.replace(",", ";"), encoding="utf-8")

    with pytest.raises(DeploymentTableError) as caught:
        _load(path)

    message = str(caught.value)
    assert "line 1: 'id;nation;mission" in message
    assert "separate its columns with semicolons" in message
    assert "separated by commas" in message


def test_duplicate_headers_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "deployments.csv"
    header = ",".join(settings.DEPLOYMENT_COLUMNS) + ",nation"
    path.write_text(header + "\n", encoding="utf-8")

    with pytest.raises(DeploymentTableError) as caught:
        _load(path)

    assert "line 1, column 'nation': the column appears 2 times in the header" in str(caught.value)


def test_missing_and_unexpected_columns_are_all_named(tmp_path: Path) -> None:
    columns = [c for c in settings.DEPLOYMENT_COLUMNS if c not in ("note", "host")] + ["remark"]
    path = tmp_path / "deployments.csv"
    path.write_text(",".join(columns) + "\n", encoding="utf-8")

    with pytest.raises(DeploymentTableError) as caught:
        _load(path)

    located = {(problem.line, problem.column) for problem in caught.value.problems}
    assert located == {(1, "host"), (1, "note"), (1, "remark")}
    assert "the column is missing from the header" in str(caught.value)


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\n  \n"])
def test_empty_file_is_refused_with_a_clear_message(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "deployments.csv"
    path.write_bytes(content)

    with pytest.raises(DeploymentTableError, match=r"file: empty, expected a header line"):
        _load(path)


def test_non_utf8_file_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "deployments.csv"
    path.write_bytes(_csv_text([_row(note="Ämari")], settings.DEPLOYMENT_COLUMNS).encode("cp1252"))

    with pytest.raises(DeploymentTableError, match="not UTF-8"):
        _load(path)


# --- validate_deployments on frames (uploads, in-app edits) --------------------------------------


def test_loaded_deployments_validate_again_unchanged(tmp_path: Path) -> None:
    loaded = _load(_deployments_file(tmp_path, [_row(), _row(id="b", end="", personnel="")]))

    again = tables.validate_deployments(loaded, site_ids=SITE_IDS, source_ids=SOURCE_IDS)

    pd.testing.assert_frame_equal(again, loaded)


def test_validate_deployments_does_not_modify_its_input() -> None:
    frame = pd.DataFrame([_row()], index=[7])
    before = frame.copy()

    out = tables.validate_deployments(frame, site_ids=SITE_IDS, source_ids=SOURCE_IDS)

    pd.testing.assert_frame_equal(frame, before)
    assert out.index.tolist() == [7]


def test_validate_deployments_reports_frame_rows_as_csv_lines() -> None:
    missing_nation: dict[str, str | None] = {**_row(id="b"), "nation": None}
    frame = pd.DataFrame([_row(id="a"), missing_nation, _row(id="c", host="???")])

    with pytest.raises(DeploymentTableError) as caught:
        tables.validate_deployments(frame, site_ids=SITE_IDS, source_ids=SOURCE_IDS)

    assert [(p.line, p.column) for p in caught.value.problems] == [(3, "nation"), (4, "host")]


def test_deployments_from_csv_bytes_reads_an_upload() -> None:
    data = b"\xef\xbb\xbf" + _csv_text([_row()], settings.DEPLOYMENT_COLUMNS).encode()

    out = tables.deployments_from_csv(data, site_ids=SITE_IDS, source_ids=SOURCE_IDS)

    assert out["id"].tolist() == ["grl-recon-deu"]


# --- errors --------------------------------------------------------------------------------------


def test_error_is_a_value_error_that_keeps_its_problems_and_pickles() -> None:
    problem = Problem(4, "nation", "XXX", "an ISO 3166-1 alpha-3 country code")
    error = DeploymentTableError([problem], "deployments.csv")

    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 (our own object)

    assert isinstance(error, ValueError) and isinstance(error, DataError)
    assert copy.problems == (problem,)
    assert str(copy) == str(error)
    assert (
        str(problem) == "line 4, column 'nation': 'XXX' is not an ISO 3166-1 alpha-3 country code"
    )


# --- sources and events --------------------------------------------------------------------------


def test_sources_load_with_dates_and_empty_undated(sources_csv: Path) -> None:
    sources = tables.load_sources(sources_csv)

    assert sources["id"].tolist() == ["000_a.txt", "001_b.txt"]
    assert sources["date"].dtype == settings.DATE_DTYPE
    assert sources["date"].iloc[0] == pd.Timestamp("2026-01-01")
    assert pd.isna(sources["date"].iloc[1])
    assert sources["title"].iloc[1] == "Missions, eastern flank"


def test_bad_sources_error_lists_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "sources.csv"
    path.write_text(
        "id,title,publisher,date,date_precision,date_note,kind\n"
        "a.txt,T,,2026-01-16,,,news\n"
        "a.txt,,,2026-13-01,day,,blog\n",
        encoding="utf-8",
    )

    with pytest.raises(SourcesTableError) as caught:
        tables.load_sources(path)

    located = {(p.line, p.column) for p in caught.value.problems}
    assert located == {(2, "date_precision"), (3, "id"), (3, "title"), (3, "date"), (3, "kind")}


def test_events_load_with_expanded_days(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text(
        "id,date,date_precision,title,place,site,source,note\n"
        "ev-a,2022-09-01,month,Nord Stream sabotage,Baltic Sea,baltic-sea,000_a.txt,\n"
        "ev-b,2026-01-14,day,Talks,Washington,,001_b.txt,\n",
        encoding="utf-8",
    )
    events = tables.load_events(
        path,
        sites=pd.DataFrame({"id": sorted(SITE_IDS)}),
        sources=pd.DataFrame({"id": sorted(SOURCE_IDS)}),
    )

    assert events["end_day"].tolist() == [pd.Timestamp("2022-09-30"), pd.Timestamp("2026-01-14")]
    assert events["site"].tolist() == ["baltic-sea", ""]


def test_event_with_unknown_site_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text(
        "id,date,date_precision,title,place,site,source,note\n"
        "ev-b,2026-01-14,day,Talks,Washington,washington,001_b.txt,\n",
        encoding="utf-8",
    )
    with pytest.raises(EventsTableError, match=r"line 2, column 'site': 'washington' is not"):
        tables.load_events(
            path,
            sites=pd.DataFrame({"id": sorted(SITE_IDS)}),
            sources=pd.DataFrame({"id": sorted(SOURCE_IDS)}),
        )


# --- sites ---------------------------------------------------------------------------------------


def test_sites_load_in_wgs84_with_no_repairs(sites_geojson: Path) -> None:
    sites = tables.load_sites(sites_geojson)

    assert isinstance(sites, gpd.GeoDataFrame)
    assert sites.crs == settings.CRS
    assert sites["id"].tolist() == ["nuuk", "greenland", "baltic-sea"]
    assert sites.attrs["repairs"] == []


def test_invalid_site_geometry_is_repaired_and_reported(tmp_path: Path) -> None:
    bowtie = [[[0.0, 0.0], [2.0, 2.0], [2.0, 0.0], [0.0, 2.0], [0.0, 0.0]]]
    document = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"id": "bow", "name": "Bow", "kind": "sea_area", "country": ""},
                "geometry": {"type": "Polygon", "coordinates": bowtie},
            }
        ],
    }
    path = tmp_path / "sites.geojson"
    path.write_text(json.dumps(document), encoding="utf-8")

    sites = tables.load_sites(path)

    assert sites.geometry.is_valid.all()
    assert len(sites.attrs["repairs"]) == 1
    assert "'bow'" in sites.attrs["repairs"][0] and "make_valid" in sites.attrs["repairs"][0]


def test_bad_sites_error_lists_every_feature_problem(tmp_path: Path) -> None:
    def feature(props: dict[str, str], geometry: Mapping[str, object] | None) -> dict[str, object]:
        return {"type": "Feature", "properties": props, "geometry": geometry}

    point = {"type": "Point", "coordinates": [10.0, 50.0]}
    document = {
        "type": "FeatureCollection",
        "features": [
            feature({"id": "a", "name": "A", "kind": "city", "country": "DEU"}, point),
            feature({"id": "a", "name": "A2", "kind": "castle", "country": "XXX"}, point),
            feature({"id": "c", "name": "C", "kind": "base", "country": ""}, None),
            feature(
                {"id": "d", "name": "D", "kind": "city", "country": "ISL"},
                {"type": "Point", "coordinates": [64.1, -221.9]},
            ),
        ],
    }
    path = tmp_path / "sites.geojson"
    path.write_text(json.dumps(document), encoding="utf-8")

    with pytest.raises(SitesError) as caught:
        tables.load_sites(path)

    located = {(p.feature, p.column) for p in caught.value.problems}
    assert located == {
        (2, "id"),
        (2, "kind"),
        (2, "country"),
        (3, "country"),
        (3, "geometry"),
        (4, "geometry"),
    }
    assert "feature 4, column 'geometry': latitude outside [-90, 90]" in str(caught.value)


def test_sites_file_that_is_not_geojson_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sites.geojson"
    path.write_text('{"type": "Topology"}', encoding="utf-8")

    with pytest.raises(SitesError, match="GeoJSON types are FeatureCollection, Feature or a"):
        tables.load_sites(path)


# --- join and JSON -------------------------------------------------------------------------------


def test_join_sites_puts_area_marker_inside_the_area_and_keeps_the_area(
    tmp_path: Path, sites_geojson: Path
) -> None:
    sites = tables.load_sites(sites_geojson)
    rows = [_row(id="a", site="baltic-sea"), _row(id="b", site="nuuk")]
    deployments = _load(_deployments_file(tmp_path, rows))

    joined = tables.join_sites(deployments, sites)

    assert joined.crs == settings.CRS
    assert joined.geometry.geom_type.tolist() == ["Point", "Point"]
    area = sites.set_index("id").geometry["baltic-sea"]
    assert area.contains(joined.geometry.iloc[0])
    assert joined["site_geometry"].iloc[0].equals(area)
    assert joined["site_is_area"].tolist() == [True, False]
    assert joined["site_kind"].tolist() == ["sea_area", "city"]
    assert joined.geometry.iloc[1].equals(Point(-51.72, 64.18))
    assert "geometry" not in deployments.columns  # input untouched


def test_join_sites_refuses_an_unknown_site(sites_geojson: Path) -> None:
    sites = tables.load_sites(sites_geojson)
    deployments = pd.DataFrame({"id": ["a"], "site": ["atlantis"]})

    with pytest.raises(DeploymentTableError, match="'atlantis' is not an id in the sites file"):
        tables.join_sites(deployments, sites)


def test_records_json_safe_turn_dates_na_tuples_and_geometries_into_json(
    tmp_path: Path, sites_geojson: Path
) -> None:
    deployments = _load(_deployments_file(tmp_path, [_row(end="", personnel="")]))
    joined = tables.join_sites(deployments, tables.load_sites(sites_geojson))

    records = tables.to_records_json_safe(joined)
    text = json.dumps(records, allow_nan=False)

    record: dict[str, Any] = records[0]
    assert record["start"] == "2026-01-15" and record["end"] is None and record["end_day"] is None
    assert record["personnel"] is None
    assert record["also_sources"] == ["001_b.txt"]
    assert record["geometry"]["type"] == "Point"
    assert '"start_day": "2026-01-15"' in text


def test_json_safe_frame_can_be_written_as_geojson(tmp_path: Path, sites_geojson: Path) -> None:
    deployments = _load(_deployments_file(tmp_path, [_row(site="baltic-sea")]))
    joined = tables.join_sites(deployments, tables.load_sites(sites_geojson))

    safe = tables.json_safe(joined)
    collection = json.loads(safe.to_json())

    properties = collection["features"][0]["properties"]
    assert properties["start"] == "2026-01-15"
    assert properties["site_geometry"]["type"] == "Polygon"
    assert isinstance(joined["start"].iloc[0], pd.Timestamp)  # input untouched


def test_json_value_keeps_plain_values_and_dates() -> None:
    assert tables.json_value(dt.date(2026, 1, 2)) == "2026-01-02"
    assert tables.json_value(pd.NA) is None
    assert tables.json_value(float("nan")) is None
    assert tables.json_value("x") == "x"
    assert tables.json_value(Polygon([(0, 0), (1, 0), (1, 1)])) == {
        "type": "Polygon",
        "coordinates": (((0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 0.0)),),
    }


# --- the bundled data ----------------------------------------------------------------------------

_BUNDLED = (
    settings.SOURCES_PATH,
    settings.SITES_PATH,
    settings.DEPLOYMENTS_PATH,
    settings.EVENTS_PATH,
)


@pytest.mark.skipif(
    not all(path.exists() for path in _BUNDLED),
    reason="the bundled data files are not all there yet",
)
def test_bundled_data_loads_and_validates() -> None:
    sources = tables.load_sources()
    sites = tables.load_sites()
    deployments = tables.load_deployments(sites=sites, sources=sources)
    events = tables.load_events(sites=sites, sources=sources)

    assert not deployments.empty and not events.empty
    joined = tables.join_sites(deployments, sites)
    json.dumps(tables.to_records_json_safe(joined), allow_nan=False)
