"""A fresh clone started as the README says serves every asset before any page is opened."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# What a clone has: the tracked files (no static/, no workspace/, no caches).
SKIP = {".git", ".venv", "static", "workspace", "build", "node_modules", "tests"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> tuple[int, bytes]:
    # Loopback only: the autouse network block lets 127.0.0.1 through.
    with urllib.request.urlopen(url, timeout=10) as answer:
        return int(answer.status), answer.read()


@pytest.fixture
def fresh_clone(tmp_path: Path) -> Path:
    """A copy of the project's files as a clone has them, with no static folder yet."""
    clone = tmp_path / "clone"
    shutil.copytree(
        ROOT,
        clone,
        ignore=lambda folder, names: [
            name
            for name in names
            if (Path(folder) == ROOT and name in SKIP)
            or name in ("__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache")
        ],
    )
    assert not (clone / "static").exists()
    return clone


@pytest.fixture
def served(fresh_clone: Path) -> Iterator[tuple[str, Path, Path]]:
    """`bash scripts/run.sh` in the fresh clone, on a free loopback port."""
    port = _free_port()
    log = fresh_clone / "server.log"
    env = {
        **os.environ,
        # The suite's own environment (set up already): the clone needs no second install.
        "VENV": str(Path(sys.executable).parent.parent),
        "STREAMLIT_SERVER_HEADLESS": "true",
    }
    with log.open("wb") as out:
        server = subprocess.Popen(
            ["bash", "scripts/run.sh", "--server.port", str(port), "--server.address", "127.0.0.1"],
            cwd=fresh_clone,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if _get(f"{url}/_stcore/health")[0] == 200:
                    break
            except OSError:
                time.sleep(0.3)
        else:
            pytest.fail("the server did not start:\n" + log.read_text(errors="replace"))
        yield url, fresh_clone, log
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def test_a_fresh_clone_serves_leaflet_and_the_outlines_before_any_page_is_opened(
    served: tuple[str, Path, Path],
) -> None:
    url, clone, log = served
    # No browser has opened a page: nothing ran app.py yet.
    for path in (
        "/app/static/vendor/leaflet/leaflet.js",
        "/app/static/vendor/leaflet/leaflet.css",
        "/app/static/vendor/jquery/jquery.min.js",
        "/app/static/boundaries/countries_lod0.geojson",
        "/app/static/boundaries/countries_lod2.geojson",
    ):
        status, body = _get(url + path)
        assert status == 200 and body, path
    briefing = sorted(p.name for p in (clone / "static" / "briefing").iterdir())
    assert any(name.endswith(".js") for name in briefing)
    assert any(name.endswith(".css") for name in briefing)
    status, _ = _get(f"{url}/app/static/briefing/{briefing[0]}")
    assert status == 200
    assert "no static folder found" not in log.read_text(errors="replace")
