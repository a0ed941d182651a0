"""Your data in a real browser: uploads change the map (or nothing), an edit survives a restart,
and hostile uploads never run. Debian's headless Chromium, every outside request aborted."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from geo import settings

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, Dialog, Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from test_browser import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    HOSTILE,
    ROOT,
    OfflinePage,
    _map_frame,
    _marker_tips,
    _open,
    _running_app,
    _wait_idle,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed"),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium (never a browser downloaded by a test tool)."""
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _page(browser: Browser) -> tuple[OfflinePage, list[str]]:
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, accept_downloads=True)
    offline = OfflinePage(context.new_page())
    dialogs: list[str] = []

    def record(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    offline.page.on("dialog", record)
    return offline, dialogs


def _close(offline: OfflinePage) -> None:
    assert offline.own_errors() == [], f"console errors: {offline.own_errors()}"
    assert offline.aborted == [], f"the page asked the internet for {offline.aborted}"
    offline.page.context.close()


def _show(page: Page, name: str) -> None:
    page.locator('[data-testid="stSidebar"]').get_by_text(name, exact=True).click()
    _wait_idle(page)


def _upload(page: Page, path: Path) -> None:
    # Only the open tab of the data page runs, so its uploader is the page's only one.
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(path)
    page.wait_for_timeout(800)
    _wait_idle(page)


def _alerts(page: Page) -> str:
    return "\n".join(page.locator('[data-testid="stAlert"]').all_inner_texts())


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.reader(stream))


def _write(rows: list[list[str]], path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows(rows)
    return path


def _good_table(folder: Path) -> Path:
    """The bundled table plus a Finnish row at Šiauliai, active since 1 January 2026."""
    rows = _rows(ROOT / "data" / "deployments.csv")
    header = rows[0]
    new = dict(zip(header, rows[1], strict=True))
    new.update(
        id="fin-test",
        nation="FIN",
        mission="Test mission",
        site="siauliai",
        host="LTU",
        start="2026-01-01",
        end="",
        date_precision="day",
        personnel="40",
        domain="air",
        status="active",
    )
    return _write([*rows, [new[column] for column in header]], folder / "good.csv")


def _bad_table(folder: Path) -> Path:
    """The bundled table with a bad nation (row 2), date (row 5) and site (row 7)."""
    rows = _rows(ROOT / "data" / "deployments.csv")
    header = rows[0]
    rows[1][header.index("nation")] = "XX"
    rows[4][header.index("start")] = "2024-02-30"
    rows[6][header.index("site")] = "atlantis"
    return _write(rows, folder / "bad.csv")


def _site_tip(page: Page, site: str) -> str:
    frame = _map_frame(page)
    frame.wait_for_selector(".dep-icon", timeout=30_000)
    return str(
        frame.evaluate(
            """(site) => { let out = ""; window.map.eachLayer(l => {
                const t = l.getTooltip && l.getTooltip();
                if (t && String(t.getContent()).startsWith(site + ":")) {
                    out = String(t.getContent()); } }); return out; }""",
            site,
        )
    )


def test_a_bad_upload_changes_nothing_and_a_good_one_changes_the_map(
    browser: Browser, tmp_path: Path
) -> None:
    store = tmp_path / "briefing.gpkg"
    with _running_app({"BRIEFING_WORKSPACE": str(store)}) as url:
        offline, dialogs = _page(browser)
        page = offline.page
        _open(offline, f"{url}/?date=2026-01-19")
        tip = _site_tip(page, "Šiauliai Air Base")
        assert tip and "FIN" not in tip
        before = _marker_tips(_map_frame(page))

        _show(page, "📝 Your data")
        _upload(page, _bad_table(tmp_path))
        assert "was not applied, nothing changed: 3 problems" in _alerts(page)
        page.screenshot(path=str(ARTIFACTS / "data-bad-upload.png"), full_page=True)
        assert not page.get_by_role("button", name="Apply").count()
        assert not store.exists()

        _upload(page, _good_table(tmp_path))  # in place of the bad file
        assert "18 rows, every one valid" in _alerts(page)
        page.get_by_role("button", name="Apply").click()
        _wait_idle(page)
        assert "replaces the current one" in _alerts(page)
        assert store.exists()

        _show(page, "🗺️ Map")
        page.wait_for_selector('iframe[title="streamlit_folium.st_folium"]', timeout=60_000)
        frame = _map_frame(page)
        frame.wait_for_function(
            """() => { let hit = false; window.map.eachLayer(l => {
                const t = l.getTooltip && l.getTooltip();
                if (t && /^Šiauliai Air Base:.*FIN/.test(String(t.getContent()))) { hit = true; }
                });
                return hit; }""",
            timeout=30_000,
        )
        assert sorted(_marker_tips(frame)) == sorted(before)  # the same sites, one more nation
        page.wait_for_timeout(500)
        page.screenshot(path=str(ARTIFACTS / "data-good-upload-map.png"), full_page=True)
        assert dialogs == []
        _close(offline)


def _edit_note(page: Page, text: str) -> None:
    """Type ``text`` into the note (last column) of the editor's first row."""
    tab = page.get_by_role("tab", name="Edit the table")
    grid = page.locator('[data-testid="stDataFrame"]:visible').first
    editor = page.locator("textarea.gdg-input")
    for _ in range(4):  # the grid takes clicks once it has laid itself out and scrolled
        _wait_idle(page)
        if tab.get_attribute("aria-selected") != "true":
            tab.click()
        grid.locator("canvas").first.wait_for(state="visible")
        page.wait_for_timeout(800)
        box = grid.bounding_box()
        assert box is not None
        page.mouse.click(box["x"] + 60, box["y"] + 35 + 17)  # first row, first column
        for _ in range(len(settings.DEPLOYMENT_COLUMNS) - 1):
            page.keyboard.press("ArrowRight")  # to the last column, note, at the right edge
        page.wait_for_timeout(500)
        page.mouse.dblclick(box["x"] + box["width"] - 150, box["y"] + 35 + 17)
        try:
            editor.wait_for(timeout=3_000)
            break
        except PlaywrightTimeoutError:
            page.keyboard.press("Escape")
    editor.fill(text)
    editor.press("Enter")
    page.wait_for_timeout(500)
    _wait_idle(page)


def test_an_edit_saved_in_the_app_is_still_there_after_a_restart(
    browser: Browser, tmp_path: Path
) -> None:
    store = tmp_path / "briefing.gpkg"
    env = {"BRIEFING_WORKSPACE": str(store)}
    with _running_app(env) as url:
        offline, _ = _page(browser)
        page = offline.page
        _open(offline, url)
        _show(page, "📝 Your data")
        _edit_note(page, "Edited in the browser")
        page.screenshot(path=str(ARTIFACTS / "data-edit.png"), full_page=True)
        assert "The edits are valid." in _alerts(page)
        page.get_by_role("button", name="Save the edits").click()
        _wait_idle(page)
        assert "Edits saved" in _alerts(page)
        _close(offline)

    with _running_app(env) as url:  # a new server process: only the file remembers
        offline, _ = _page(browser)
        page = offline.page
        _open(offline, url)
        _show(page, "📝 Your data")
        assert "your table" in page.get_by_text("Deployments in use:").inner_text()
        page.get_by_role("tab", name="Download").click()
        _wait_idle(page)
        with page.expect_download() as download:
            page.get_by_role("button", name="Table as CSV").click()
        saved = Path(download.value.path()).read_text(encoding="utf-8-sig")
        first = next(csv.DictReader(saved.splitlines()))
        assert first["note"] == "Edited in the browser"
        _close(offline)


def _hostile_layer(folder: Path) -> Path:
    payload = " ".join(HOSTILE)
    square = [[[20.0, 54.0], [22.0, 54.0], [22.0, 56.0], [20.0, 56.0], [20.0, 54.0]]]
    features = [
        {
            "type": "Feature",
            "properties": {"name": payload, payload: payload, "link": "javascript:alert(1)"},
            "geometry": {"type": "Polygon", "coordinates": square},
        },
        {
            "type": "Feature",
            "properties": {"title": payload, "nested": {"html": payload}},
            "geometry": {"type": "Point", "coordinates": [24.5, 57.0]},
        },
    ]
    path = folder / f"zones {HOSTILE[0]}.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    return path


def _hostile_sites(folder: Path) -> Path:
    payload = " ".join(HOSTILE)
    feature = {
        "type": "Feature",
        "properties": {"id": "camp-x", "name": f"Camp {payload}", "kind": "base", "country": "LVA"},
        "geometry": {"type": "Point", "coordinates": [24.1, 56.95]},
    }
    path = folder / "sites.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), "utf-8")
    return path


def _hostile_table(folder: Path) -> Path:
    """The bundled table, payloads in its free texts, one row at the uploaded camp."""
    payload = " ".join(HOSTILE)
    rows = _rows(ROOT / "data" / "deployments.csv")
    header = rows[0]
    for row in rows[1:]:
        for column in ("mission", "assets", "note"):
            row[header.index(column)] += " " + payload
    camp = list(rows[1])
    camp[header.index("id")] = "camp-row"
    camp[header.index("site")] = "camp-x"
    camp[header.index("host")] = "LVA"
    return _write([*rows, camp], folder / "hostile.csv")


def test_hostile_uploads_never_run_and_the_map_still_draws(
    browser: Browser, tmp_path: Path
) -> None:
    with _running_app({"BRIEFING_WORKSPACE": str(tmp_path / "briefing.gpkg")}) as url:
        offline, dialogs = _page(browser)
        page = offline.page
        _open(offline, url)
        _show(page, "📝 Your data")
        page.get_by_role("tab", name="Upload a layer").click()
        _wait_idle(page)
        page.get_by_text("sites that deployments can refer to").click()
        _wait_idle(page)
        _upload(page, _hostile_sites(tmp_path))
        page.get_by_role("button", name="Add the sites").click()
        _wait_idle(page)
        page.get_by_text("a context layer").click()
        _wait_idle(page)
        _upload(page, _hostile_layer(tmp_path))
        page.get_by_role("button", name="Add to the map").click()
        _wait_idle(page)
        page.get_by_role("tab", name="Upload a table").click()
        _wait_idle(page)
        _upload(page, _hostile_table(tmp_path))
        page.screenshot(path=str(ARTIFACTS / "data-hostile-table.png"), full_page=True)
        page.get_by_role("button", name="Apply").click()
        _wait_idle(page)
        page.screenshot(path=str(ARTIFACTS / "data-hostile-page.png"), full_page=True)

        _show(page, "🗺️ Map")
        page.wait_for_selector('iframe[title="streamlit_folium.st_folium"]', timeout=60_000)
        frame = _map_frame(page)
        frame.wait_for_selector(".dep-icon", timeout=30_000)
        frame.locator(".leaflet-overlay-pane path").nth(20).wait_for(timeout=30_000)
        frame.evaluate(
            """() => window.map.eachLayer(l => {
                if (l.getPopup && l.getPopup()) { l.openPopup(); }
                if (l.getTooltip && l.getTooltip()) { l.openTooltip(); }
            })"""
        )
        page.mouse.wheel(0, 2000)
        page.wait_for_timeout(1500)
        page.screenshot(path=str(ARTIFACTS / "data-hostile-map.png"), full_page=True)
        assert dialogs == [], f"a payload ran: {dialogs}"
        assert frame.evaluate("() => window.__xss === undefined")
        texts = frame.locator(".leaflet-popup-content").all_inner_texts()
        assert any("onerror=alert(1)" in text for text in texts)  # shown as text
        assert frame.locator(".leaflet-popup-content img").count() == 0
        _close(offline)


def test_a_date_step_takes_under_a_second_while_another_session_uploads_the_worst_case(
    browser: Browser, tmp_path: Path
) -> None:
    from bench.hostile import zigzag_polygon
    from bench.run import BEFORE_STEP, INIT_SCRIPT, MAP_FRAME, STEP_DONE

    # Within every limit checked before parsing, yet a runaway: the worker's 10 s stop it.
    worst = tmp_path / "zigzag.geojson"
    worst.write_bytes(zigzag_polygon(vertices=100_000))
    with _running_app({"BRIEFING_WORKSPACE": str(tmp_path / "briefing.gpkg")}) as url:
        stepper, _ = _page(browser)
        stepper.page.add_init_script(INIT_SCRIPT)
        _open(stepper, f"{url}/?date=2026-01-19")
        _map_frame(stepper.page).wait_for_selector(".dep-icon", timeout=30_000)
        _wait_idle(stepper.page)

        uploader, _ = _page(browser)
        _open(uploader, url)
        _show(uploader.page, "📝 Your data")
        uploader.page.get_by_role("tab", name="Upload a layer").click()
        _wait_idle(uploader.page)
        uploader.page.get_by_text("a context layer").click()
        _wait_idle(uploader.page)
        input_files = uploader.page.locator('[data-testid="stFileUploaderDropzoneInput"]').first
        input_files.set_input_files(worst)
        uploader.page.wait_for_selector("[data-test-script-state=running]", timeout=10_000)
        stepper.page.wait_for_timeout(1000)  # the worker is checking the file now

        slider = stepper.page.locator('[data-testid="stSlider"] input[type=range]').first
        steps_ms = []
        for _ in range(3):
            slider.focus()
            stepper.page.evaluate(BEFORE_STEP, MAP_FRAME)
            stepper.page.keyboard.press("ArrowLeft")
            _how, ms = stepper.page.wait_for_function(
                STEP_DONE, arg=[MAP_FRAME, ".dep-icon"], timeout=30_000
            ).json_value()
            steps_ms.append(ms)
            _wait_idle(stepper.page)
        still_checking = uploader.page.locator("[data-test-script-state=running]").count()

        _wait_idle(uploader.page)
        refusal = _alerts(uploader.page)
        uploader.page.screenshot(path=str(ARTIFACTS / "data-worst-upload.png"), full_page=True)
        assert still_checking == 1, "the upload was checked before the steps were timed"
        # The bound. Measured on this 2-core machine with nothing else running, three
        # runs of three steps: 221-485 ms (before the workers stopped importing the page again
        # and their fork server started with the app at low priority, the worst was 1.07 s).
        assert max(steps_ms) < 1000, f"steps took {steps_ms} ms while another session uploaded"
        # The refusal's one problem ("... so it was stopped") is in the report's grid, which
        # the page draws on a canvas; its words are checked in tests/test_worker.py.
        assert "“zigzag.geojson” was not added, nothing changed: 1 problem" in refusal
        _close(stepper)
        _close(uploader)
