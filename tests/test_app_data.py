"""The "Your data" page, headless with AppTest: uploads, reports, merges, sites, undo, restart."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo import settings, workspace
from geo.dataset import load_dataset

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture(scope="module")
def bundled() -> pd.DataFrame:
    """The bundled deployment table as CSV text."""
    return load_dataset().table


def _csv(table: pd.DataFrame) -> bytes:
    return table.to_csv(index=False, lineterminator="\n").encode("utf-8")


def _data_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.radio(key="page").set_value("data").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _tab(at: AppTest, label: str) -> AppTest:
    """Open a tab of the data page (only the open tab's content runs)."""
    at.session_state["data_tab"] = label
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _map_page(at: AppTest) -> AppTest:
    at.radio(key="page").set_value("map").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _table_ids(at: AppTest) -> set[str]:
    return set(at.dataframe[0].value["id"])


def _with_new_row(table: pd.DataFrame) -> pd.DataFrame:
    """The table plus a Finnish row at Šiauliai, active from 1 January 2026, open-ended."""
    row = table.iloc[0].copy()
    row["id"], row["nation"], row["mission"], row["site"] = (
        "fin-test",
        "FIN",
        "Test mission",
        "siauliai",
    )
    row["host"], row["start"], row["end"], row["date_precision"] = "LTU", "2026-01-01", "", "day"
    row["status"], row["domain"], row["personnel"] = "active", "air", "40"
    return pd.concat([table, row.to_frame().T], ignore_index=True)


def test_a_good_table_replaces_the_current_one_and_survives_a_restart(
    bundled: pd.DataFrame,
) -> None:
    shipped = {path: path.read_bytes() for path in settings.BUNDLED_DATA_DIR.glob("*.*")}
    at = _data_page()
    upload = _with_new_row(bundled)
    at.file_uploader(key="table_upload-0").set_value(("mine.csv", _csv(upload), "text/csv")).run()
    assert any("every one valid" in s.value for s in at.success)
    at.button(key="apply_table").click().run()
    assert any("replaces the current one" in s.value for s in at.success)
    assert workspace.read_workspace(settings.WORKSPACE_PATH).deployments is not None

    at = _map_page(at)
    assert "fin-test" in _table_ids(at)
    assert any("Finland" in option for option in at.multiselect(key="nations").options)

    restarted = AppTest.from_file(APP, default_timeout=60).run()
    assert not restarted.exception
    assert "fin-test" in _table_ids(restarted)  # kept in the workspace file
    # The bundled data is never written.
    assert {path: path.read_bytes() for path in shipped} == shipped


def test_a_bad_table_is_reported_row_by_row_and_nothing_changes(bundled: pd.DataFrame) -> None:
    at = _data_page()
    bad = bundled.copy()
    bad.loc[0, "nation"] = "XX"
    bad.loc[3, "start"] = "2024-02-30"
    bad.loc[5, "site"] = "atlantis"
    at.file_uploader(key="table_upload-0").set_value(("bad.csv", _csv(bad), "text/csv")).run()

    assert not at.exception
    assert any("was not applied, nothing changed" in e.value for e in at.error)
    report = at.dataframe[0].value
    assert list(report["row"]) == [2, 5, 7]
    assert list(report["column"]) == ["nation", "start", "site"]
    assert "apply_table" not in [button.key for button in at.button]
    assert not settings.WORKSPACE_PATH.exists()

    at = _map_page(at)
    assert _table_ids(at) <= set(bundled["id"])


def test_a_merge_shows_its_conflicts_and_keeps_the_chosen_rows(bundled: pd.DataFrame) -> None:
    at = _data_page()
    upload = _with_new_row(bundled).iloc[[0, len(bundled)]].copy()
    upload.loc[0, "note"] = "changed in my copy"
    at.file_uploader(key="table_upload-0").set_value(("part.csv", _csv(upload), "text/csv")).run()
    at.radio(key="upload_how").set_value("merge").run()

    assert any("1 new rows, 0 the same, 1 in conflict" in m.value for m in at.markdown)
    conflicts = at.dataframe[0].value
    assert conflicts.to_dict("records") == [
        {
            "id": bundled.loc[0, "id"],
            "column": "note",
            "current": bundled.loc[0, "note"],
            "uploaded": "changed in my copy",
        }
    ]
    at.radio(key="upload_prefer").set_value("current").run()
    at.button(key="apply_table").click().run()
    kept = workspace.read_workspace(settings.WORKSPACE_PATH).deployments
    assert kept is not None and len(kept) == len(bundled) + 1
    assert kept.loc[0, "note"] == bundled.loc[0, "note"]


def test_undo_brings_back_the_version_before_the_last_save(bundled: pd.DataFrame) -> None:
    at = _data_page()
    at.file_uploader(key="table_upload-0").set_value(
        ("mine.csv", _csv(_with_new_row(bundled)), "text/csv")
    ).run()
    at.button(key="apply_table").click().run()
    at.button(key="use_bundled").click().run()
    assert workspace.read_workspace(settings.WORKSPACE_PATH).deployments is None

    at.button(key="undo_save").click().run()
    assert any("previous version is back" in s.value for s in at.success)
    assert "fin-test" in _table_ids(_map_page(at))


def test_a_site_placed_by_coordinates_can_carry_deployments(bundled: pd.DataFrame) -> None:
    at = _tab(_data_page(), "Add a site")
    at.number_input(key="new_site_lat").set_value(56.95).run()
    at.number_input(key="new_site_lon").set_value(24.1).run()
    at.text_input(key="new_site_name").input("Ādaži <camp>").run()
    at.text_input(key="new_site_country").input("LVA").run()
    at.selectbox(key="new_site_kind").set_value("base").run()
    at.button(key="add_site").click().run()
    assert not at.exception, [e.value for e in at.exception]
    sites = workspace.read_workspace(settings.WORKSPACE_PATH).sites
    assert sites["id"].tolist() == ["adazi-camp"]
    assert sites.geometry.iloc[0].coords[0] == (24.1, 56.95)

    upload = _with_new_row(bundled)
    upload.loc[len(bundled), "site"] = "adazi-camp"
    upload.loc[len(bundled), "host"] = "LVA"
    at = _tab(at, "Upload a table")
    at.file_uploader(key="table_upload-1").set_value(("adazi.csv", _csv(upload), "text/csv")).run()
    at.button(key="apply_table").click().run()
    at = _map_page(at)
    table = at.dataframe[0].value
    assert "Ādaži <camp>" in set(table["site_name"])


def test_a_context_layer_is_added_and_removed() -> None:
    at = _tab(_data_page(), "Upload a layer")
    layer = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "Exercise area"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[20, 54], [22, 54], [22, 56], [20, 56], [20, 54]]],
                },
            }
        ],
    }
    at.file_uploader(key="layer_upload-0").set_value(
        ("exercise.geojson", json.dumps(layer).encode(), "application/geo+json")
    ).run()
    at.button(key="apply_layer").click().run()
    kept = workspace.read_workspace(settings.WORKSPACE_PATH).overlays
    assert kept["layer"].tolist() == ["exercise"]
    assert any("exercise" in m.value and "1 features" in m.value for m in at.markdown)

    at.button(key="drop-layer-exercise").click().run()
    assert workspace.read_workspace(settings.WORKSPACE_PATH).overlays.empty


def test_a_broken_layer_is_reported_and_nothing_is_added() -> None:
    at = _tab(_data_page(), "Upload a layer")
    at.file_uploader(key="layer_upload-0").set_value(
        ("cut.geojson", b'{"type": "FeatureCollection", "features": [{"type": "Fea', "x")
    ).run()
    assert any("was not added, nothing changed" in e.value for e in at.error)
    assert "ends too early" in at.dataframe[0].value["problem"].iloc[0]
    assert not settings.WORKSPACE_PATH.exists()


def test_an_unreadable_workspace_is_named_and_the_bundled_data_shown() -> None:
    settings.WORKSPACE_PATH.write_bytes(b"garbage, not SQLite")
    at = _data_page()
    assert any("could not be used" in e.value for e in at.error)
    assert settings.WORKSPACE_PATH.read_bytes() == b"garbage, not SQLite"


def test_the_bundled_scenes_still_work_over_a_table_with_other_missions(
    bundled: pd.DataFrame,
) -> None:
    at = _data_page()
    renamed = bundled.copy()
    renamed["mission"] = renamed["mission"].str.replace("Baltic Air Policing", "BAP")
    at.file_uploader(key="table_upload-0").set_value(("bap.csv", _csv(renamed), "text/csv")).run()
    at.button(key="apply_table").click().run()
    at = _map_page(at)

    assert not any("scenes" in e.value for e in at.error)
    at.selectbox(key="scene").set_value("baltic-air-policing").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Baltic Air Policing" not in at.session_state["missions"]


def _square(**extra: object) -> dict[str, object]:
    return {
        "type": "Feature",
        "properties": {"name": "A"},
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[20, 54], [22, 54], [22, 56], [20, 56], [20, 54]]],
        },
        **extra,
    }


def _malformed_tables(bundled: pd.DataFrame) -> dict[str, tuple[bytes, str]]:
    text = _csv(bundled).decode("utf-8")
    header, rest = text.split("\n", 1)
    dates = bundled.copy()
    dates.loc[0, "start"], dates.loc[1, "start"] = "15/01/2026", "Jan 16, 2026"
    impossible = bundled.copy()
    impossible.loc[2, "end"] = "2024-02-30"
    return {
        "empty.csv": (b"", "header line"),
        "semicolons.csv": (bundled.to_csv(index=False, sep=";").encode(), "semicolons"),
        "duplicate-header.csv": ((header + ",note\n" + rest).encode(), "appears 2 times"),
        "mixed-dates.csv": (_csv(dates), "YYYY-MM-DD"),
        "impossible-date.csv": (_csv(impossible), "real calendar date"),
        "not-a-workbook.xlsx": (b"PK\x03\x04garbage", "not an Excel workbook"),
    }


MALFORMED_LAYERS: dict[str, tuple[bytes, str]] = {
    "truncated.geojson": (
        json.dumps({"type": "FeatureCollection", "features": [_square()]}).encode()[:-30],
        "ends too early",
    ),
    "empty.geojson": (b'{"type": "FeatureCollection", "features": []}', "no features"),
    "null.geojson": (
        json.dumps({"type": "FeatureCollection", "features": [_square(geometry=None)]}).encode(),
        "no feature has a geometry to draw",
    ),
    "text-coordinates.geojson": (
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [_square(geometry={"type": "Point", "coordinates": ["23.4", 55.9]})],
            }
        ).encode(),
        "is text in quotes",
    ),
    "projected.geojson": (
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [_square(geometry={"type": "Point", "coordinates": [2.6e6, 7.5e6]})],
            }
        ).encode(),
        "projected coordinates",
    ),
    "crs.geojson": (
        json.dumps(
            {
                "type": "FeatureCollection",
                "crs": {"type": "name", "properties": {"name": "EPSG:3857"}},
                "features": [_square()],
            }
        ).encode(),
        "reproject it",
    ),
    "url.geojson": (b"https://example.org/layer.geojson", "is not JSON"),
}


def test_every_malformed_upload_is_named_and_nothing_already_loaded_is_lost(
    bundled: pd.DataFrame,
) -> None:
    at = _data_page()
    good = _with_new_row(bundled)
    at.file_uploader(key="table_upload-0").set_value(("good.csv", _csv(good), "text/csv")).run()
    at.button(key="apply_table").click().run()
    at = _tab(at, "Upload a layer")
    layer = json.dumps({"type": "FeatureCollection", "features": [_square()]}).encode()
    at.file_uploader(key="layer_upload-1").set_value(("kept.geojson", layer, "x")).run()
    at.button(key="apply_layer").click().run()
    before = settings.WORKSPACE_PATH.read_bytes()

    at = _tab(at, "Upload a table")
    for name, (data, expected) in _malformed_tables(bundled).items():
        at.file_uploader(key="table_upload-2").set_value((name, data, "text/csv")).run()
        assert not at.exception, (name, [e.value for e in at.exception])
        assert any("was not applied, nothing changed" in e.value for e in at.error), name
        assert expected in " ".join(at.dataframe[0].value["problem"]), name
    at = _tab(at, "Upload a layer")
    for name, (data, expected) in MALFORMED_LAYERS.items():
        at.file_uploader(key="layer_upload-2").set_value((name, data, "x")).run()
        assert not at.exception, (name, [e.value for e in at.exception])
        assert any("was not added, nothing changed" in e.value for e in at.error), name
        assert expected in " ".join(at.dataframe[0].value["problem"]), name

    assert settings.WORKSPACE_PATH.read_bytes() == before  # nothing saved, nothing lost
    at = _map_page(at)
    assert "fin-test" in _table_ids(at)


def test_own_sources_are_uploaded_saved_and_can_be_cited_by_the_table(
    bundled: pd.DataFrame,
) -> None:
    at = _tab(_data_page(), "Your sources and events")
    sources = (
        b"id,title,publisher,date,date_precision,date_note,kind,link\r\n"
        b"own-1,Own patrol report,Analyst cell,2026-01-20,day,,news,https://example.org/r\r\n"
    )
    at.file_uploader(key="own_sources_upload-0").set_value(("mine.csv", sources, "text/csv")).run()
    assert any("every row valid" in s.value and "1 added" in s.value for s in at.success)
    at.button(key="apply_own_sources").click().run()
    assert not at.exception, [e.value for e in at.exception]
    kept = workspace.read_workspace(settings.WORKSPACE_PATH).sources
    assert kept is not None and kept["id"].tolist() == ["own-1"]

    citing = bundled.copy()
    citing.loc[0, "source"] = "own-1"
    at = _tab(at, "Upload a table")
    at.file_uploader(key="table_upload-1").set_value(("t.csv", _csv(citing), "text/csv")).run()
    assert not at.error, [e.value for e in at.error]
    at.button(key="apply_table").click().run()
    table = workspace.read_workspace(settings.WORKSPACE_PATH).deployments
    assert table is not None and table.loc[0, "source"] == "own-1"
