"""Real-browser tests: the app started as a user starts it, driven in Debian's headless Chromium.

Every request that is not to this machine is aborted, so a page that needs the internet fails.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, Page, Route, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed"),
]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    """The app, started with `streamlit run app.py` on a free loopback port."""
    port = _free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log = (ARTIFACTS / f"server-{port}.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the app did not start; see tests/artifacts") from None
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium (never a browser downloaded by a test tool)."""
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class OfflinePage:
    """A page whose requests leave this machine never: they are aborted and recorded."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.aborted: list[str] = []
        self.console_errors: list[str] = []
        page.route("**/*", self._route)
        page.on(
            "console",
            lambda msg: self.console_errors.append(msg.text) if msg.type == "error" else None,
        )

    def _route(self, route: Route) -> None:
        url = route.request.url
        parsed = urlparse(url)
        if parsed.scheme in ("data", "blob", "about") or parsed.hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            self.aborted.append(url)
            route.abort()


@pytest.fixture
def offline_page(browser: Browser) -> Iterator[OfflinePage]:
    """A fresh 1600x1000 page with every non-loopback request aborted."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    yield OfflinePage(page)
    context.close()


def _open(offline: OfflinePage, url: str) -> None:
    page = offline.page
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector("[data-test-script-state=notRunning]", timeout=60_000)
    page.wait_for_selector(MAP_FRAME, timeout=60_000)


def test_map_draws_vector_outlines_with_every_outside_request_aborted(
    app_url: str, offline_page: OfflinePage
) -> None:
    _open(offline_page, app_url)
    page = offline_page.page
    frame = page.frame_locator(MAP_FRAME)
    # Leaflet draws the outlines as SVG paths inside the component iframe.
    frame.locator(".leaflet-container").wait_for(timeout=30_000)
    frame.locator(".leaflet-overlay-pane path").first.wait_for(timeout=30_000)
    paths = frame.locator(".leaflet-overlay-pane path").count()
    assert paths > 20, f"only {paths} vector shapes drawn"
    box = page.locator(MAP_FRAME).bounding_box()
    assert box is not None and box["height"] > 200 and box["width"] > 200
    loaded = frame.locator(".leaflet-container").get_attribute("data-boundaries")
    assert loaded and loaded.startswith("/app/static/boundaries/")
    page.wait_for_timeout(500)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "map.png"))
    assert offline_page.aborted == [], f"the page asked the internet for {offline_page.aborted}"
