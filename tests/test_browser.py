"""Real-browser tests: the app started as a user starts it, driven in Debian's headless Chromium.

Every request that is not to this machine is aborted, so a page that needs the internet fails.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import socket
import struct
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, Dialog, Frame, Page, Route, sync_playwright

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
# Console errors that are not ours: Vega-Lite's "Conflicting scale property domain" (its
# issue #5733), logged when the timeline's layers share a scale.
KNOWN_CONSOLE = ("Conflicting scale property domain",)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed"),
]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def _running_app(env: dict[str, str] | None = None) -> Iterator[str]:
    """Start `streamlit run app.py` on a free loopback port; yield its URL; stop it."""
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
        env={**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false", **(env or {})},
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
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on the bundled data, started as the README starts it (workspace in a tmp dir)."""
    workspace = tmp_path_factory.mktemp("app-workspace")
    with _running_app({"BRIEFING_WORKSPACE": str(workspace)}) as url:
        yield url


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
        # An uncaught exception in the page is an error too, whether or not it is logged.
        page.on("pageerror", lambda exc: self.console_errors.append(f"uncaught: {exc}"))

    def own_errors(self) -> list[str]:
        """Console errors and uncaught exceptions, but the known ones that are not ours."""
        return [e for e in self.console_errors if not any(k in e for k in KNOWN_CONSOLE)]

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
    offline = OfflinePage(page)
    yield offline
    context.close()
    # The page reports no errors of its own (Vega-Lite's known warning aside).
    assert offline.own_errors() == [], f"console errors: {offline.own_errors()}"


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


def _map_frame(page: Page) -> Frame:
    handle = page.locator(MAP_FRAME).element_handle(timeout=60_000)
    assert handle is not None
    frame = handle.content_frame()
    assert frame is not None
    return frame


def _wait_idle(page: Page) -> None:
    page.wait_for_timeout(300)
    page.wait_for_selector("[data-test-script-state=notRunning]", timeout=60_000)


def _marker_tips(frame: Frame) -> list[str]:
    """The names of the sites with a deployment marker, from the markers' tooltips."""
    return sorted(
        frame.evaluate(
            """() => {
                const out = [];
                window.map.eachLayer(l => {
                    const icon = l.options && l.options.icon;
                    // As of a day every date's marker is there; the time bar hides the others.
                    if (icon && icon.options.className === "dep-icon" && l.getTooltip() &&
                        !l.timeHidden) {
                        out.push(l.getTooltip().getContent().split(":")[0]);
                    }
                });
                return out;
            }"""
        )
    )


def test_date_slider_step_changes_deployments_without_remounting_the_map(
    app_url: str, offline_page: OfflinePage
) -> None:
    page = offline_page.page
    _open(offline_page, f"{app_url}/?date=2026-01-19")
    frame = _map_frame(page)
    frame.wait_for_selector(".dep-icon", timeout=30_000)
    before = _marker_tips(frame)
    assert "Nuuk" not in before  # the German team was in Nuuk from 15 to 17 January
    frame.evaluate("() => { window.__sameMap = window.map; }")

    slider = page.locator('[data-testid="stSlider"] input[type=range]').first
    slider.focus()
    for _ in range(2):
        page.keyboard.press("ArrowLeft")
        _wait_idle(page)
    page.wait_for_function(
        "() => new URLSearchParams(location.search).get('date') === '2026-01-17'",
        timeout=30_000,
    )
    frame.wait_for_function(
        """() => { let n = 0; window.map.eachLayer(l => {
            const t = l.getTooltip && l.getTooltip();
            if (t && String(t.getContent()).startsWith("Nuuk:") && !l.timeHidden) { n++; } });
            return n > 0; }""",
        timeout=30_000,
    )
    after = _marker_tips(frame)
    assert "Nuuk" in after and len(after) == len(before) + 1
    # The same iframe and the same Leaflet map object: updated in place, not re-mounted.
    assert _map_frame(page) == frame
    assert frame.evaluate("() => window.__sameMap === window.map")
    assert offline_page.aborted == []


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("default", ""),
        ("filtered", "?date=2026-01-17&nations=DEU,FRA,NOR&flows=1"),
        ("range", "?from=2026-01-10&to=2026-01-20&site=greenland"),
        ("app6", "?symbols=app6"),
    ],
)
def test_views_draw_and_are_saved_as_screenshots(
    app_url: str, offline_page: OfflinePage, name: str, query: str
) -> None:
    page = offline_page.page
    _open(offline_page, f"{app_url}/{query}")
    frame = _map_frame(page)
    frame.wait_for_selector(".dep-icon", timeout=30_000)
    frame.locator(".leaflet-overlay-pane path").nth(20).wait_for(timeout=30_000)
    page.wait_for_timeout(800)
    page.screenshot(path=str(ARTIFACTS / f"view-{name}.png"), full_page=True)
    assert not page.locator('[data-testid="stAlert"]').count(), "a notice about the URL"
    assert offline_page.aborted == []


HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "`+alert(1)+`",
    "${alert(1)}",
    "</script><script>alert(1)</script>",
    "javascript:alert(1)",
]


def _hostile_data(folder: Path) -> Path:
    """The bundled data with injection payloads in every free-text cell and site name."""
    payload = " ".join(HOSTILE)
    data = ROOT / "data"
    sites = json.loads((data / "sites.geojson").read_text(encoding="utf-8"))
    for feature in sites["features"]:
        feature["properties"]["name"] += " " + payload
    (folder / "sites.geojson").write_text(json.dumps(sites), encoding="utf-8")
    free_text = {
        "deployments.csv": ("mission", "assets", "note", "id"),
        "sources.csv": ("title", "publisher", "date_note"),
        "events.csv": ("title", "place", "note", "id"),
    }
    for name, columns in free_text.items():
        with (data / name).open(encoding="utf-8", newline="") as src:
            rows = list(csv.DictReader(src))
        for row in rows:
            for column in columns:
                row[column] = f"{row[column]} {payload}"
        with (folder / name).open("w", encoding="utf-8", newline="") as dst:
            writer = csv.DictWriter(dst, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return folder


def test_injection_payloads_in_every_text_never_run_and_the_map_still_draws(
    browser: Browser, tmp_path: Path
) -> None:
    folder = _hostile_data(tmp_path)
    with _running_app({"BRIEFING_DATA_DIR": str(folder)}) as url:
        for query in ("?flows=1&site=greenland", "?symbols=app6&date=all"):
            context = browser.new_context(viewport={"width": 1600, "height": 1000})
            offline = OfflinePage(context.new_page())
            page = offline.page
            dialogs: list[str] = []

            def record(dialog: Dialog, seen: list[str] = dialogs) -> None:
                seen.append(dialog.message)
                dialog.dismiss()

            page.on("dialog", record)
            _open(offline, f"{url}/{query}")
            frame = _map_frame(page)
            frame.wait_for_selector(".dep-icon", timeout=30_000)
            frame.locator(".leaflet-overlay-pane path").nth(20).wait_for(timeout=30_000)
            # Open every popup and tooltip: that is where the texts become HTML.
            frame.evaluate(
                """() => window.map.eachLayer(l => {
                    if (l.getPopup && l.getPopup()) { l.openPopup(); }
                    if (l.getTooltip && l.getTooltip()) { l.openTooltip(); }
                })"""
            )
            page.mouse.wheel(0, 2000)  # the table and the timeline, below the map
            page.wait_for_timeout(1500)
            name = "hostile-" + ("app6" if "app6" in query else "badges")
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
            assert dialogs == [], f"a payload ran: {dialogs}"
            assert frame.locator(".leaflet-overlay-pane path").count() > 20
            assert frame.evaluate("() => window.__xss === undefined")
            assert offline.aborted == []
            assert offline.own_errors() == []
            context.close()


def test_clicking_a_marker_selects_its_rows_and_a_table_row_highlights_its_marker(
    app_url: str, offline_page: OfflinePage
) -> None:
    page = offline_page.page
    _open(offline_page, f"{app_url}/?date=2026-01-17")
    frame = _map_frame(page)
    frame.locator('.dep[data-site="nuuk"]').click(timeout=30_000)
    page.wait_for_function(
        "() => new URLSearchParams(location.search).get('site') === 'nuuk'", timeout=30_000
    )
    _wait_idle(page)
    frame.wait_for_selector('.dep.selected[data-site="nuuk"]', timeout=30_000)
    box_text = page.locator('[data-testid="stSelectbox"]').last.evaluate(
        "el => [el.innerText, ...[...el.querySelectorAll('input')].map(i => i.value),"
        " ...[...el.querySelectorAll('[value]')].map(i => i.getAttribute('value'))].join(' ')"
    )
    page.screenshot(path=str(ARTIFACTS / "view-marker-clicked.png"))
    assert "Nuuk" in box_text, box_text  # the "Selected site" box

    # The table lists the selected site's rows first; selecting another row selects its site.
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 14, box["y"] + 35 + 35 + 17)  # the second row's checkbox
    page.wait_for_function(
        "() => new URLSearchParams(location.search).get('site') !== 'nuuk'", timeout=30_000
    )
    _wait_idle(page)
    frame.wait_for_selector(".dep.selected", timeout=30_000)
    selected = frame.locator(".dep.selected").get_attribute("data-site")
    assert selected and selected != "nuuk"
    assert page.evaluate("() => new URLSearchParams(location.search).get('site')") == selected
    page.screenshot(path=str(ARTIFACTS / "view-selected.png"))


def test_a_layer_switched_off_stays_off_when_the_filters_change(
    app_url: str, offline_page: OfflinePage
) -> None:
    page = offline_page.page
    _open(offline_page, f"{app_url}/?date=2026-01-19")
    frame = _map_frame(page)
    frame.wait_for_selector(".dep-icon", timeout=30_000)
    frame.locator(".leaflet-control-layers label", has_text="Deployments").locator("input").click()
    assert frame.locator(".dep-icon").count() == 0

    slider = page.locator('[data-testid="stSlider"] input[type=range]').first
    slider.focus()
    page.keyboard.press("ArrowLeft")
    page.wait_for_function(
        "() => new URLSearchParams(location.search).get('date') === '2026-01-18'",
        timeout=30_000,
    )
    _wait_idle(page)
    page.wait_for_timeout(500)
    assert frame.locator(".dep-icon").count() == 0
    assert frame.locator(".event-icon, .leaflet-overlay-pane path").count() > 20
    frame.locator(".leaflet-control-layers label", has_text="Deployments").locator("input").click()
    frame.wait_for_selector(".dep-icon", timeout=10_000)


def test_presenter_mode_steps_through_every_scene_without_remounting_the_map(
    app_url: str, browser: Browser
) -> None:
    from geo import settings
    from geo.scenes import load_scenes

    data_sites = json.loads((ROOT / "data" / "sites.geojson").read_text(encoding="utf-8"))
    known = {feature["properties"]["id"] for feature in data_sites["features"]}
    briefing = load_scenes(settings.SCENES_PATH, known_sites=known)
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    offline = OfflinePage(context.new_page())
    page = offline.page
    _open(offline, f"{app_url}/?scene={briefing[0].id}&present=1")
    frame = _map_frame(page)
    frame.wait_for_function("() => !!window.map", timeout=30_000)  # the map made, not yet there
    frame.evaluate("() => { window.__sameMap = window.map; }")
    for number, scene in enumerate(briefing, start=1):
        frame.wait_for_function(
            "(id) => { const map = document.querySelector('.leaflet-container');"
            " return map && map.dataset.scene === id; }",
            arg=scene.id,
            timeout=30_000,
        )
        title = frame.locator(".map-caption .caption-title").inner_text()
        assert title == scene.title
        page.wait_for_timeout(1600)  # the flight to the scene's view
        page.screenshot(path=str(ARTIFACTS / f"scene-{number:02d}-{scene.id}.png"))
        assert not page.locator('[data-testid="stSidebar"]').is_visible()
        if number < len(briefing):
            if number == 1:
                page.keyboard.press("ArrowRight")  # the keyboard works as well as the button
            else:
                page.get_by_role("button", name="Next").click()
            _wait_idle(page)
    assert _map_frame(page) == frame
    assert frame.evaluate("() => window.__sameMap === window.map")
    assert offline.aborted == []
    assert offline.own_errors() == []
    context.close()


def test_the_export_button_downloads_a_slide_png_of_the_view(
    app_url: str, browser: Browser, tmp_path: Path
) -> None:
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, accept_downloads=True)
    offline = OfflinePage(context.new_page())
    page = offline.page
    _open(offline, f"{app_url}/?scene=baltic-air-policing")
    page.get_by_text("Export an image").click()
    page.get_by_label("Banner (top and bottom)").fill("UNCLASSIFIED")
    page.get_by_label("Banner (top and bottom)").press("Enter")
    _wait_idle(page)
    with page.expect_download(timeout=60_000) as download_info:
        page.get_by_role("button", name="PNG for a slide").click()
    target = tmp_path / "slide.png"
    download_info.value.save_as(target)
    data = target.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1920, 1080)
    assert download_info.value.suggested_filename == "baltic-air-policing-slide.png"
    assert offline.aborted == []
    assert offline.own_errors() == []
    context.close()


def test_the_deck_button_downloads_every_scene_including_one_the_user_added(
    browser: Browser, tmp_path: Path
) -> None:
    from pptx import Presentation

    from geo.scenes import load_scenes

    data_sites = json.loads((ROOT / "data" / "sites.geojson").read_text(encoding="utf-8"))
    bundled = load_scenes(known_sites={f["properties"]["id"] for f in data_sites["features"]})
    # An app of its own: the scene added here must not change the other tests' briefing.
    with _running_app({"BRIEFING_WORKSPACE": str(tmp_path / "workspace")}) as url:
        context = browser.new_context(
            viewport={"width": 1600, "height": 1000}, accept_downloads=True
        )
        offline = OfflinePage(context.new_page())
        page = offline.page
        _open(offline, f"{url}/?nations=DEU")
        page.get_by_text("Edit the briefing").click()
        page.get_by_label("Title of a new scene").fill("Added in the browser")
        page.get_by_label("Title of a new scene").press("Enter")
        _wait_idle(page)
        page.get_by_role("button", name="Save the current view as a scene").click()
        _wait_idle(page)
        with page.expect_download(timeout=300_000) as download_info:
            page.get_by_role("button", name="Download the briefing as PowerPoint").click()
        target = tmp_path / "briefing.pptx"
        download_info.value.save_as(target)
        assert download_info.value.suggested_filename == "briefing.pptx"
        assert offline.aborted == []
        assert offline.own_errors() == []
        context.close()
    slides = list(Presentation(str(target)).slides)
    titles = [slide.shapes.title.text_frame.text for slide in slides]  # type: ignore[union-attr]
    assert len(slides) == 1 + len(bundled) + 1 + 1  # title, the scenes, the added one, sources
    assert titles[1:-1] == [scene.title for scene in bundled] + ["Added in the browser"]


# What the audience sees, measured inside the map: the map's controls, the marker icons (a
# deployment's core and badges, or its symbol; an event's mark) and the labels shown, each as
# a box [left, top, right, bottom] in pixels of the map; only what lies in the map's view.
_PRESENTER_LAYOUT = """() => {
    const map = document.querySelector(".leaflet-container");
    const o = map.getBoundingClientRect();
    const view = [0, 0, o.width, o.height];
    const box = (el) => { const r = el.getBoundingClientRect();
        return [r.left - o.left, r.top - o.top, r.right - o.left, r.bottom - o.top]; };
    const shown = (el) => { const s = getComputedStyle(el), r = el.getBoundingClientRect();
        return s.display !== "none" && s.visibility !== "hidden" && r.width > 0 && r.height > 0; };
    const union = (bs) => bs.reduce((a, b) => [Math.min(a[0], b[0]), Math.min(a[1], b[1]),
                                               Math.max(a[2], b[2]), Math.max(a[3], b[3])]);
    const inView = (b) => Math.min(b[2], view[2]) > Math.max(b[0], 0) &&
                          Math.min(b[3], view[3]) > Math.max(b[1], 0);
    const named = (els, name) => els.filter(shown).map((el) => ({name: name(el), box: box(el)}))
                                    .filter((item) => inView(item.box));
    const controls = named([...map.querySelectorAll(".leaflet-control")],
                           (el) => el.className.replace("leaflet-control ", ""));
    const markers = [...map.querySelectorAll(".dep")].map((el) => {
        const parts = [...el.querySelectorAll(".dep-core, .dep-badge")].filter(shown);
        const svg = el.querySelector("svg");
        const shape = parts.length ? parts : svg ? [svg, ...svg.querySelectorAll("text")] : [el];
        return {name: el.dataset.site, box: union(shape.map(box))};
    }).filter((item) => inView(item.box)).concat(
        named([...map.querySelectorAll(".event-mark")], () => "an event"));
    const labels = named([...map.querySelectorAll(
        ".leaflet-tooltip.site-label, .sea-label, .country-label")], (el) => el.textContent);
    // The legend's rows listed (folded or not), and the kinds of site dots seen.
    const legend = [...map.querySelectorAll(".legend-row")].filter((row) => !row.hidden &&
        !row.closest(".legend-block").hidden).map((row) => row.textContent.trim());
    const dots = [...map.querySelectorAll(".site-dot:not(.under-marker)")]
        .filter((el) => inView(box(el)))
        .flatMap((el) => [...el.classList].filter((c) => c.startsWith("site-") && c !== "site-dot")
        .map((c) => c.slice(5)));
    return {width: o.width, height: o.height, controls, markers, labels, legend, dots};
}"""


def _area(a: list[float], b: list[float]) -> float:
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return width * height if width > 0 and height > 0 else 0.0


def _layout_problems(layout: dict[str, object], window_height: int) -> list[str]:
    """Everything the audience would see wrong, as sentences (empty: nothing)."""
    controls = layout["controls"]
    markers = layout["markers"]
    labels = layout["labels"]
    assert isinstance(controls, list) and isinstance(markers, list) and isinstance(labels, list)
    width, height = float(str(layout["width"])), float(str(layout["height"]))
    problems = []
    if not 0.8 * window_height <= height <= window_height:
        problems.append(f"the map is {height:.0f} px high in a {window_height} px window")
    view = [0.0, 0.0, width, height]
    covered = sum(_area(control["box"], view) for control in controls) / (width * height)
    if covered > 0.15:
        problems.append(f"the controls cover {covered:.0%} of the map")
    for item in markers + labels:
        for control in controls:
            if _area(item["box"], control["box"]):
                problems.append(f"{item['name']!r} lies under the {control['name']}")
    for label in labels:
        for marker in markers:
            if _area(label["box"], marker["box"]):
                problems.append(f"the label {label['name']!r} lies on the marker {marker['name']}")
    for index, first in enumerate(markers):
        for second in markers[index + 1 :]:
            smaller = min(_area(first["box"], first["box"]), _area(second["box"], second["box"]))
            if _area(first["box"], second["box"]) > smaller / 4:
                problems.append(f"the markers of {first['name']} and {second['name']} overlap")
    # The legend lists a kind of site only where a dot of it is seen (not under a marker).
    from geo import settings

    legend, dots = layout.get("legend", []), layout.get("dots", [])
    assert isinstance(legend, list) and isinstance(dots, list)
    for kind, label in settings.SITE_KIND_LABELS.items():
        if kind in settings.SITE_STYLES and label in legend and kind not in dots:
            problems.append(f"the legend lists {label!r}, and no such site is seen")
    return problems


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (1366, 768)])
def test_every_scene_in_presenter_mode_fits_the_window_with_nothing_under_a_control_or_marker(
    app_url: str, browser: Browser, width: int, height: int
) -> None:
    from geo import settings
    from geo.scenes import load_scenes

    data_sites = json.loads((ROOT / "data" / "sites.geojson").read_text(encoding="utf-8"))
    known = {feature["properties"]["id"] for feature in data_sites["features"]}
    context = browser.new_context(viewport={"width": width, "height": height})
    offline = OfflinePage(context.new_page())
    page = offline.page
    found: dict[str, list[str]] = {}
    for scene in load_scenes(settings.SCENES_PATH, known_sites=known):
        _open(offline, f"{app_url}/?scene={scene.id}&present=1")
        frame = _map_frame(page)
        frame.wait_for_function(
            "(id) => { const map = document.querySelector('.leaflet-container');"
            " return map && map.dataset.scene === id; }",
            arg=scene.id,
            timeout=30_000,
        )
        frame.wait_for_selector(".dep, .event-mark", state="attached", timeout=30_000)
        page.wait_for_timeout(2000)  # the flight to the scene's view, then the declutter pass
        # The page itself never scrolls: the map is the audience's screen.
        assert page.evaluate("() => document.scrollingElement.scrollHeight") <= height
        layout = frame.evaluate(_PRESENTER_LAYOUT)
        assert layout["markers"], f"{scene.id}: no marker in view"
        found[scene.id] = _layout_problems(layout, height)
        page.screenshot(path=str(ARTIFACTS / f"presenter-{width}x{height}-{scene.id}.png"))
    assert offline.aborted == []
    assert offline.own_errors() == []
    context.close()
    assert {scene: problems for scene, problems in found.items() if problems} == {}


_BAR_LAYOUT = """() => {
    const bar = document.querySelector(
        '[data-testid="stMainBlockContainer"] [data-testid="stHorizontalBlock"]');
    const text = (el) => { const range = document.createRange(); range.selectNodeContents(el);
        const r = range.getBoundingClientRect(); return (r.top + r.bottom) / 2; };
    const label = [...bar.querySelectorAll('[data-testid="stMarkdownContainer"] p')]
        .find((p) => !p.closest("button") && p.textContent.startsWith("Scene"));
    const buttons = [...bar.querySelectorAll("button")];
    const frame = document.querySelector('iframe[title="streamlit_folium.st_folium"]')
        .getBoundingClientRect();
    return {label: text(label), texts: buttons.map((b) => text(b.querySelector("p"))),
            heights: buttons.map((b) => b.getBoundingClientRect().height),
            mapBottom: frame.bottom, scroll: document.scrollingElement.scrollHeight};
}"""


@pytest.mark.parametrize(
    ("width", "height"), [(1280, 720), (1366, 768), (1920, 1080), (3840, 2160)]
)
def test_the_presenter_bar_lines_its_text_up_with_its_buttons_and_grows_with_the_screen(
    app_url: str, browser: Browser, width: int, height: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": height})
    offline = OfflinePage(context.new_page())
    _open(offline, f"{app_url}/?scene=eastern-flank&present=1")

    def problems(bar: dict[str, Any]) -> list[str]:
        found = []
        # "Scene n of N" on the buttons' line of text (it sat 8 px lower).
        if not all(abs(bar["label"] - middle) <= 2.5 for middle in bar["texts"]):
            found.append("the scene's place is off the buttons' line")
        # The buttons grow with the screen: about 3.5 % of its height, never under 32 px.
        if not all(max(32, 0.034 * height) <= h <= 0.06 * height for h in bar["heights"]):
            found.append("the buttons do not scale with the window")
        if not (bar["scroll"] <= height and bar["mapBottom"] >= height - 10):
            found.append("the map does not fill the window below the bar")
        return found

    # The page's layout settles after its reruns (slower on a loaded machine): measured until
    # right, for at most 15 s.
    for _attempt in range(15):
        offline.page.wait_for_timeout(1000)
        bar = offline.page.evaluate(_BAR_LAYOUT)
        if not problems(bar):
            break
    context.close()
    assert problems(bar) == [], bar
    assert offline.aborted == []
