"""Screenshots of every scene in presenter mode, as the audience sees them.

Usage::

    .venv/bin/python scripts/presenter_screenshots.py        # docs/presenter/, 1920x1080
    .venv/bin/python scripts/presenter_screenshots.py --size 1366x768 --out shots/

Starts the app on a free loopback port (as ``scripts/run.sh`` does, on the bundled data, with a
throw-away workspace), opens ``?scene=<id>&present=1`` for each scene of the briefing in
Debian's headless Chromium (``/usr/bin/chromium``, driven by Playwright from
requirements-dev.txt; ``scripts/test.sh`` installs both) and saves ``<out>/<scene id>.png``.
Every request that leaves this machine is refused. ``python -m export.contact_sheet`` then puts
each screenshot beside its slide.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
# The flight to a scene's view (1.2 s) and the declutter pass after it.
SETTLE_MS = 2500


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _app(workspace: Path) -> Iterator[str]:
    """The app on a free loopback port; yields its URL, stops it after."""
    port = _free_port()
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)),
            *("--server.address", "127.0.0.1", "--server.headless", "true"),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={
            **os.environ,
            "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
            "BRIEFING_WORKSPACE": str(workspace),
        },
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                # Our own app on the loopback address, http only.
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):  # noqa: S310
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the app did not start") from None
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _scene_ids() -> list[str]:
    scenes = json.loads((ROOT / "data" / "scenes.json").read_text(encoding="utf-8"))
    return [str(scene["id"]) for scene in scenes]


def shoot(out: Path, *, width: int, height: int) -> list[Path]:
    """Save every scene in presenter mode at ``width`` x ``height`` into ``out``."""
    from playwright.sync_api import Route, sync_playwright

    def local_only(route: Route) -> None:
        parsed = urlparse(route.request.url)
        if parsed.scheme in ("data", "blob", "about") or parsed.hostname in ("127.0.0.1",):
            route.continue_()
        else:
            route.abort()

    out.mkdir(parents=True, exist_ok=True)
    saved = []
    with (
        tempfile.TemporaryDirectory() as workspace,
        _app(Path(workspace)) as url,
        sync_playwright() as pw,
    ):
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": width, "height": height})
        page.route("**/*", local_only)
        for scene_id in _scene_ids():
            page.goto(f"{url}/?scene={scene_id}&present=1", wait_until="domcontentloaded")
            page.wait_for_selector("[data-test-script-state=notRunning]", timeout=90_000)
            handle = page.locator(MAP_FRAME).element_handle(timeout=90_000)
            frame = handle.content_frame() if handle else None
            if frame is None:
                raise SystemExit(f"{scene_id}: no map")
            frame.wait_for_function(
                "(id) => { const map = document.querySelector('.leaflet-container');"
                " return map && map.dataset.scene === id; }",
                arg=scene_id,
                timeout=60_000,
            )
            page.wait_for_timeout(SETTLE_MS)
            path = out / f"{scene_id}.png"
            page.screenshot(path=str(path))
            saved.append(path)
            print(path)
        browser.close()
    return saved


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the options and take the screenshots; 0 on success."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "presenter")
    parser.add_argument("--size", default="1920x1080", help="window size, WIDTHxHEIGHT")
    args = parser.parse_args(argv)
    width, height = (int(part) for part in args.size.lower().split("x"))
    shoot(args.out, width=width, height=height)
    return 0


if __name__ == "__main__":
    sys.exit(main())
