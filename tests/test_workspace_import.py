"""``python -m geo.workspace import``: checked first, written atomically, or refused untouched."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from geo import userdata
from geo.dataset import load_dataset, load_with_workspace
from geo.workspace import read_workspace

ROOT = Path(__file__).resolve().parents[1]
SOURCES = (
    "id,title,publisher,date,date_precision,date_note,kind,link\r\n"
    "own-patrol-1,Own patrol report on the Baltic,Analyst cell,2026-01-20,day,,news,\r\n"
)
EVENTS = (
    "id,date,date_precision,title,place,site,source,note\r\n"
    "ev-own-1,2026-01-21,day,Patrol seen,Baltic Sea,,own-patrol-1,\r\n"
)
SITES = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {
                "id": "own-site",
                "name": "Own site",
                "kind": "air_base",
                "country": "LTU",
            },
            "geometry": {"type": "Point", "coordinates": [23.4, 55.9]},
        }
    ],
}
LAYER = {"type": "Polygon", "coordinates": [[[20, 54], [22, 54], [22, 56]]]}  # not closed


def _run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *(str(a) for a in args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("import")
    table = load_dataset().table.copy()
    table.loc[0, "source"] = "own-patrol-1"
    written = {
        "sources": ("sources.csv", SOURCES),
        "events": ("events.csv", EVENTS),
        "sites": ("sites.geojson", json.dumps(SITES)),
        "layer": ("ring.geojson", json.dumps(LAYER)),
    }
    paths = {key: folder / name for key, (name, _) in written.items()}
    for key, (_, text) in written.items():
        paths[key].write_text(text, encoding="utf-8", newline="")
    paths["deployments"] = folder / "deployments.csv"
    paths["deployments"].write_bytes(userdata.table_csv(table))
    bad = table.copy()
    bad.loc[2, "nation"] = "XXX"
    bad.loc[3, "source"] = "nobody-said-so"
    paths["bad"] = folder / "bad.csv"
    paths["bad"].write_bytes(userdata.table_csv(bad))
    paths["folder"] = folder
    return paths


@pytest.fixture(scope="module")
def imported(files: dict[str, Path]) -> tuple[Path, subprocess.CompletedProcess[str]]:
    workspace = files["folder"] / "ws" / "briefing.gpkg"
    done = _run(
        "geo.workspace", "import", workspace,
        "--sources", files["sources"], "--events", files["events"],
        "--sites", files["sites"], "--deployments", files["deployments"],
        "--layer", f"Training area={files['layer']}",
    )  # fmt: skip
    return workspace, done


def test_a_good_import_creates_the_workspace_and_says_what_changed(
    imported: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    workspace, done = imported
    assert done.returncode == 0, done.stderr
    assert "sources: 1 added" in done.stdout
    assert "events: 1 added" in done.stdout
    assert "sites: 1 added, 0 replaced" in done.stdout
    assert "deployments: 0 added, 1 changed" in done.stdout
    assert "layer 'Training area': 1 features" in done.stdout
    assert "a ring was not closed" in done.stdout  # the layer's repair, noted
    kept = read_workspace(workspace)
    assert kept.sources is not None and list(kept.sources["id"]) == ["own-patrol-1"]
    assert set(kept.overlays["layer"]) == {"Training area"}
    data = load_with_workspace(workspace)
    assert data.workspace_problem == "" and "own-patrol-1" in data.source_titles


def test_a_refused_import_names_every_problem_and_leaves_the_file_as_it_was(
    imported: tuple[Path, subprocess.CompletedProcess[str]], files: dict[str, Path]
) -> None:
    workspace, _ = imported
    before = workspace.read_bytes()
    done = _run("geo.workspace", "import", workspace, "--deployments", files["bad"])
    assert done.returncode == 1
    assert "refused, nothing written" in done.stderr
    assert "line 4, column 'nation': 'XXX' is not" in done.stderr
    assert "line 5, column 'source': 'nobody-said-so' is not" in done.stderr
    assert workspace.read_bytes() == before


def test_a_refused_import_into_a_new_file_creates_nothing(files: dict[str, Path]) -> None:
    workspace = files["folder"] / "never.gpkg"
    done = _run("geo.workspace", "import", workspace, "--deployments", files["bad"])
    assert done.returncode == 1 and not workspace.exists()


def test_export_draws_from_the_imported_workspace_citing_the_users_source(
    imported: tuple[Path, subprocess.CompletedProcess[str]], files: dict[str, Path]
) -> None:
    workspace, done = imported
    assert done.returncode == 0, done.stderr
    out = files["folder"] / "map.svg"
    drawn = _run("export", "--workspace", workspace, "--date", "all", "--out", out)
    assert drawn.returncode == 0, drawn.stderr
    assert "Own patrol report on the Baltic" in out.read_text(encoding="utf-8")
