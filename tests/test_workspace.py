"""The workspace GeoPackage: what is kept, atomic saves, undo, and where the file is."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

from geo import settings, userdata
from geo.dataset import load_dataset, load_with_workspace
from geo.workspace import (
    Workspace,
    WorkspaceError,
    can_undo,
    is_geopackage,
    previous_path,
    read_workspace,
    save_workspace,
    undo_save,
    update_workspace,
    version,
    workspace_path,
)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def bundled_table() -> pd.DataFrame:
    """The bundled deployment table as CSV text."""
    return load_dataset().table


def _sites() -> gpd.GeoDataFrame:
    """One user site in EPSG:4326, its name holding markup."""
    return gpd.GeoDataFrame(
        {"id": ["camp-x"], "name": ["Camp <b>X</b>"], "kind": ["base"], "country": ["LTU"]},
        geometry=[shapely.Point(24.1, 55.4)],
        crs="EPSG:4326",
    )


def _overlays() -> gpd.GeoDataFrame:
    """A polygon and a point of an uploaded context layer, in EPSG:4326."""
    return gpd.GeoDataFrame(
        {
            "layer": ["zones", "zones"],
            "name": ["Zone A", "Point B"],
            "properties": ['{"name": "Zone A", "note": "=1+1"}', '{"name": "Point B"}'],
        },
        geometry=[shapely.box(20, 54, 22, 56), shapely.Point(25, 57)],
        crs="EPSG:4326",
    )


def test_a_missing_file_is_an_empty_workspace(tmp_path: Path) -> None:
    kept = read_workspace(tmp_path / "none.gpkg")
    assert kept.is_empty and kept.deployments is None and kept.scenes is None


def test_every_part_is_kept_in_one_geopackage(tmp_path: Path, bundled_table: pd.DataFrame) -> None:
    path = tmp_path / "briefing.gpkg"
    table = bundled_table.copy()
    table.loc[0, "note"] = "an edit, with “quotes”, commas and\na new line"
    save_workspace(
        Workspace(deployments=table, sites=_sites(), overlays=_overlays(), scenes="[]"), path
    )

    assert is_geopackage(path)
    # Nothing else is left beside it but the version before (here: the empty workspace).
    assert sorted(path.parent.iterdir()) == sorted([path, previous_path(path)])
    assert read_workspace(previous_path(path)).is_empty
    kept = read_workspace(path)
    assert kept.deployments is not None
    pd.testing.assert_frame_equal(kept.deployments, table)
    assert kept.sites.drop(columns="geometry").to_dict("records") == [
        {"id": "camp-x", "name": "Camp <b>X</b>", "kind": "base", "country": "LTU"}
    ]
    assert kept.sites.geometry.iloc[0].equals(shapely.Point(24.1, 55.4))
    assert kept.overlays["name"].tolist() == ["Zone A", "Point B"]
    assert kept.overlays.geometry.iloc[0].equals(shapely.box(20, 54, 22, 56))
    assert kept.scenes == "[]"
    assert kept.saved  # a time stamp


def test_a_save_keeps_the_previous_version_and_undo_swaps_them(
    tmp_path: Path, bundled_table: pd.DataFrame
) -> None:
    path = tmp_path / "briefing.gpkg"
    first = bundled_table.copy()
    second = bundled_table.copy()
    second.loc[1, "note"] = "second version"
    save_workspace(Workspace(deployments=first), path)
    assert can_undo(path)  # back to nothing: the first save can be undone too
    update_workspace(path, deployments=second)

    assert can_undo(path)
    assert read_workspace(previous_path(path)).deployments.loc[1, "note"] == first.loc[1, "note"]
    undo_save(path)
    assert read_workspace(path).deployments.loc[1, "note"] == first.loc[1, "note"]
    undo_save(path)  # undoing the undo
    assert read_workspace(path).deployments.loc[1, "note"] == "second version"


def test_the_first_save_can_be_undone_back_to_the_bundled_data(
    tmp_path: Path, bundled_table: pd.DataFrame
) -> None:
    path = tmp_path / "briefing.gpkg"
    save_workspace(Workspace(deployments=bundled_table), path)
    undo_save(path)
    assert read_workspace(path).is_empty
    assert load_with_workspace(path).origin == "bundled"


def test_undo_without_a_previous_version_says_so(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="no previous version"):
        undo_save(tmp_path / "briefing.gpkg")


def test_a_file_that_is_not_a_geopackage_is_refused_by_name_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "briefing.gpkg"
    path.write_bytes(b"not a database at all")

    with pytest.raises(WorkspaceError, match="cannot be read as a GeoPackage") as raised:
        read_workspace(path)
    assert str(path) in str(raised.value)
    data = load_with_workspace(path)
    assert data.origin == "bundled" and "GeoPackage" in data.workspace_problem
    assert path.read_bytes() == b"not a database at all"  # nothing lost


def test_a_workspace_table_that_no_longer_validates_leaves_the_bundled_data_in_use(
    tmp_path: Path, bundled_table: pd.DataFrame
) -> None:
    path = tmp_path / "briefing.gpkg"
    table = bundled_table.copy()
    table.loc[0, "site"] = "a-site-that-is-gone"
    save_workspace(Workspace(deployments=table), path)

    data = load_with_workspace(path)
    assert data.origin == "bundled"
    assert "a-site-that-is-gone" in data.workspace_problem
    assert read_workspace(path).deployments.loc[0, "site"] == "a-site-that-is-gone"


def test_the_workspace_table_sites_and_layers_are_what_the_app_loads(
    tmp_path: Path, bundled_table: pd.DataFrame
) -> None:
    path = tmp_path / "briefing.gpkg"
    extra = bundled_table.iloc[[0]].copy()
    extra["id"], extra["site"], extra["nation"] = "my-row", "camp-x", "SWE"
    table = pd.concat([bundled_table, extra], ignore_index=True)
    save_workspace(Workspace(deployments=table, sites=_sites(), overlays=_overlays()), path)

    data = load_with_workspace(path)
    assert data.origin == "workspace" and not data.workspace_problem
    assert "camp-x" in set(data.sites["id"])
    assert "my-row" in set(data.deployments["id"])
    assert data.deployments.set_index("id").at["my-row", "site_name"] == "Camp <b>X</b>"
    assert "SWE" in data.nations
    assert len(data.overlays) == 2


def test_version_changes_with_each_save(tmp_path: Path, bundled_table: pd.DataFrame) -> None:
    path = tmp_path / "briefing.gpkg"
    assert version(path) == (0, 0)
    save_workspace(Workspace(deployments=bundled_table), path)
    before = version(path)
    time.sleep(0.01)
    update_workspace(path, scenes="[]")
    assert version(path) != before


@pytest.mark.parametrize(
    ("argv", "environ", "expected"),
    [
        ([], {}, None),
        ([], {"BRIEFING_WORKSPACE": "/srv/mine.gpkg"}, Path("/srv/mine.gpkg")),
        (
            ["--workspace", "/srv/cli.gpkg"],
            {"BRIEFING_WORKSPACE": "/x.gpkg"},
            Path("/srv/cli.gpkg"),
        ),
        (["--workspace=/srv/cli.gpkg"], {}, Path("/srv/cli.gpkg")),
        ([], {"BRIEFING_WORKSPACE": "/srv/folder"}, Path("/srv/folder/briefing.gpkg")),
    ],
)
def test_the_workspace_path_comes_from_the_option_then_the_environment(
    argv: list[str], environ: dict[str, str], expected: Path | None
) -> None:
    assert workspace_path(argv, environ) == (expected or settings.WORKSPACE_PATH)


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(
    tmp_path: Path, bundled_table: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    from geo import workspace

    path = tmp_path / "briefing.gpkg"
    save_workspace(Workspace(deployments=bundled_table), path)
    before = path.read_bytes()

    def fail(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(workspace, "_fsync", fail)
    with pytest.raises(WorkspaceError, match="disk full"):
        save_workspace(Workspace(deployments=bundled_table.head(2)), path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["briefing.gpkg", "briefing.previous.gpkg"]


_SAVER = textwrap.dedent(
    """
    import sys
    from pathlib import Path

    sys.path.insert(0, sys.argv[2])
    import pandas as pd
    from geo import settings
    from geo.workspace import Workspace, save_workspace

    def table(version, rows):
        return pd.DataFrame(
            [{c: f"{version}-{n}" if c == "id" else version for c in settings.DEPLOYMENT_COLUMNS}
             for n in range(rows)]
        )

    versions = [Workspace(deployments=table("A", 3000)), Workspace(deployments=table("B", 5000))]
    print("ready", flush=True)
    n = 0
    while True:
        save_workspace(versions[n % 2], Path(sys.argv[1]))
        n += 1
    """
)


def test_killing_a_save_at_any_moment_leaves_a_workspace_at_the_old_or_new_version(
    tmp_path: Path,
) -> None:
    path = tmp_path / "briefing.gpkg"
    script = tmp_path / "saver.py"
    script.write_text(_SAVER, encoding="utf-8")
    initial = pd.DataFrame([dict.fromkeys(settings.DEPLOYMENT_COLUMNS, "initial")])
    save_workspace(Workspace(deployments=initial), path)
    chance = random.Random(20260119)  # noqa: S311 - when to kill, not a secret
    seen = set()
    for _ in range(15):
        child = subprocess.Popen(
            [sys.executable, str(script), str(path), str(ROOT)], stdout=subprocess.PIPE, text=True
        )
        try:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "ready"
            time.sleep(chance.uniform(0.0, 0.6))
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=30)
            if child.stdout is not None:
                child.stdout.close()
        for file in (path, previous_path(path)):
            if not file.exists():
                continue
            table = read_workspace(file).deployments
            assert table is not None, file
            (kind,) = set(table["note"])  # one version, whole
            assert len(table) == {"A": 3000, "B": 5000, "initial": 1}[kind], file
            with sqlite3.connect(file) as db:
                assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            seen.add(kind)
    assert seen >= {"A", "B"}  # the kills landed between different saves


def test_formula_like_cells_survive_the_workspace_unchanged(
    tmp_path: Path, bundled_table: pd.DataFrame
) -> None:
    path = tmp_path / "briefing.gpkg"
    table = bundled_table.copy()
    table.loc[0, "note"] = '=HYPERLINK("http://x")'
    save_workspace(Workspace(deployments=table), path)
    kept = read_workspace(path).deployments
    assert kept is not None and kept.loc[0, "note"] == table.loc[0, "note"]
    assert userdata.table_csv(kept).decode("utf-8-sig").count("'=HYPERLINK") == 1


def test_saved_layer_keeps_its_display_copy_beside_its_exact_shape(tmp_path: Path) -> None:
    path = tmp_path / "briefing.gpkg"
    fine = shapely.Point(21, 55).buffer(0.5, quad_segs=500)  # 2,000 vertices, ~0.0016° apart
    overlays = _overlays()
    overlays.loc[0, "geometry"] = fine
    save_workspace(Workspace(overlays=overlays), path)
    kept = read_workspace(path).overlays
    assert kept.geometry.iloc[0].equals_exact(fine, tolerance=0)  # the saved shape stays exact
    drawn = [shapely.from_geojson(text) for text in kept["display"]]
    assert len(drawn[0].exterior.coords) < len(fine.exterior.coords)
    assert drawn[1].equals(shapely.Point(25, 57))


def test_layer_saved_without_display_copy_or_with_a_broken_one_gets_one_when_read(
    tmp_path: Path,
) -> None:
    path = tmp_path / "briefing.gpkg"
    broken = _overlays()
    broken["display"] = ['1}),alert(1),({"a":1', ""]
    pyogrio.write_dataframe(broken, path, layer="overlays", driver="GPKG")
    kept = read_workspace(path).overlays
    assert [shapely.from_geojson(text) for text in kept["display"]] == list(broken.geometry)
    older = tmp_path / "older.gpkg"
    pyogrio.write_dataframe(_overlays(), older, layer="overlays", driver="GPKG")
    old = read_workspace(older).overlays
    assert [shapely.from_geojson(text) for text in old["display"]] == list(broken.geometry)
