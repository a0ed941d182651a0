"""The in-map time bar in a real browser: scrubbing redraws the map with no rerun; once the bar
settles the app (slider, URL) follows. Debian's headless Chromium, every outside request aborted.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, Frame, Page, sync_playwright
from test_browser import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    OfflinePage,
    _map_frame,
    _marker_tips,
    _open,
    _running_app,
)

pytestmark = pytest.mark.browser

SCRUB = '[data-testid="time-scrub"]'
DAY = '[data-testid="time-day"]'
# Counts the app's reruns: each one turns the page's script state to "running".
COUNT_RERUNS = """() => {
    window.__reruns = 0;
    const app = document.querySelector("[data-test-script-state]");
    new MutationObserver(() => {
        if (app.getAttribute("data-test-script-state") === "running") { window.__reruns++; }
    }).observe(app, {attributes: true, attributeFilter: ["data-test-script-state"]});
}"""
# In the map's frame (same origin as the page): each day the map draws, with the reruns the page
# had counted by then.
LOG_DAYS = """() => {
    window.__days = [];
    const map = document.querySelector(".leaflet-container");
    new MutationObserver(() => {
        window.__days.push({day: map.getAttribute("data-time-day"),
                            reruns: window.parent.__reruns});
    }).observe(map, {attributes: true, attributeFilter: ["data-time-day"]});
}"""


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on the bundled data (workspace in a tmp dir)."""
    workspace = tmp_path_factory.mktemp("timebar-workspace")
    with _running_app({"BRIEFING_WORKSPACE": str(workspace)}) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium."""
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _reruns(page: Page) -> int:
    return int(page.evaluate("() => window.__reruns"))


def _map_day(frame: Frame) -> str:
    return str(frame.locator(".leaflet-container").get_attribute("data-time-day"))


def _wait_frame(frame: Frame) -> None:
    # Two animation frames: the bar's redraw has run.
    frame.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def _slider_day(page: Page) -> str:
    return page.locator('[data-testid="stSliderThumbValue"]').first.inner_text()


@pytest.mark.parametrize("size", [(1920, 1080), (1366, 768)], ids=["1920x1080", "1366x768"])
def test_scrubbing_redraws_the_map_without_a_rerun_and_the_app_follows_once_settled(
    app_url: str, browser: Browser, size: tuple[int, int]
) -> None:
    width, height = size
    context = browser.new_context(viewport={"width": width, "height": height})
    offline = OfflinePage(context.new_page())
    page = offline.page
    _open(offline, f"{app_url}/?date=2026-01-19")
    frame = _map_frame(page)
    frame.wait_for_selector(SCRUB, timeout=30_000)
    frame.wait_for_selector(".dep-icon", timeout=30_000)
    _wait_frame(frame)
    assert frame.locator(DAY).inner_text() == "19 Jan 2026" == _slider_day(page)
    before = _marker_tips(frame)
    assert "Nuuk" not in before  # the German team was in Nuuk from 15 to 17 January
    page.evaluate(COUNT_RERUNS)
    frame.evaluate(LOG_DAYS)
    frame.evaluate("() => { window.__sameMap = window.map; }")
    page.screenshot(path=str(ARTIFACTS / f"timebar-{width}x{height}-before.png"))

    # Keyboard: two days back, at once in the map, nothing sent to the app yet.
    frame.locator(SCRUB).focus()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    _wait_frame(frame)
    assert _map_day(frame) == "2026-01-17" and frame.locator(DAY).inner_text() == "17 Jan 2026"
    after = _marker_tips(frame)
    assert "Nuuk" in after and len(after) == len(before) + 1
    # Drawn before any rerun (the settle may already have sent the last day). Two presses
    # within one animation frame are drawn once, as the second day.
    drawn = frame.evaluate("() => window.__days")
    days = [d["day"] for d in drawn]
    assert days[:2] in (["2026-01-18", "2026-01-17"], ["2026-01-17"]), days
    assert "2026-01-17" in days and set(days) <= {"2026-01-18", "2026-01-17"}
    assert drawn[0]["reruns"] == 0
    page.screenshot(path=str(ARTIFACTS / f"timebar-{width}x{height}-scrubbed.png"))

    # Idle 300 ms: the day goes to the app once; its slider and the URL follow.
    page.wait_for_function(
        "() => new URLSearchParams(location.search).get('date') === '2026-01-17'",
        timeout=30_000,
    )
    page.wait_for_selector("[data-test-script-state=notRunning]", timeout=60_000)
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=stSliderThumbValue]')]"
        ".some(e => e.textContent === '17 Jan 2026')",
        timeout=30_000,
    )
    assert _reruns(page) == 1
    assert frame.locator(DAY).inner_text() == "17 Jan 2026"

    # Dragging the thumb: the day moves with the mouse, no rerun until the button is let go.
    box = frame.locator(SCRUB).bounding_box()
    assert box is not None
    start_x = box["x"] + box["width"] * 0.5
    y = box["y"] + box["height"] / 2
    # Click-free drag: press on the thumb's position, then move right.
    thumb = frame.evaluate(
        "(sel) => { const i = document.querySelector(sel);"
        " return (i.value - i.min) / (i.max - i.min); }",
        SCRUB,
    )
    start_x = box["x"] + 8 + (box["width"] - 16) * float(thumb)
    reruns = _reruns(page)
    frame.evaluate("() => { window.__days.length = 0; }")
    page.mouse.move(start_x, y)
    page.mouse.down()
    for step in range(1, 9):
        page.mouse.move(start_x + step * 12, y)
        _wait_frame(frame)
    drawn = frame.evaluate("() => window.__days")
    seen = {d["day"] for d in drawn}
    assert len(seen) >= 4, f"the map showed only {sorted(seen)} while dragging"
    # Not a rerun per day: at most the idle settles of a slow (shared) machine.
    assert _reruns(page) - reruns < len(seen) / 2
    dragged = _map_day(frame)
    page.mouse.up()
    page.wait_for_function(
        "(day) => new URLSearchParams(location.search).get('date') === day",
        arg=dragged,
        timeout=30_000,
    )
    page.wait_for_selector("[data-test-script-state=notRunning]", timeout=60_000)
    page.wait_for_timeout(400)
    shown = frame.locator(DAY).inner_text()
    assert _slider_day(page) == shown and _map_day(frame) == dragged
    page.screenshot(path=str(ARTIFACTS / f"timebar-{width}x{height}-dragged.png"))

    # The same map all along: updated in place, never re-mounted.
    assert _map_frame(page) == frame
    assert frame.evaluate("() => window.__sameMap === window.map")
    assert offline.aborted == []
    assert offline.own_errors() == []
    context.close()


def test_page_keys_move_a_month_and_space_plays_and_pauses(app_url: str, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    offline = OfflinePage(context.new_page())
    page = offline.page
    _open(offline, f"{app_url}/?date=2026-02-19")
    frame = _map_frame(page)
    frame.wait_for_selector(SCRUB, timeout=30_000)
    frame.locator(SCRUB).focus()
    page.keyboard.press("PageDown")
    _wait_frame(frame)
    assert _map_day(frame) == "2026-01-19"
    page.keyboard.press("PageUp")
    _wait_frame(frame)
    assert _map_day(frame) == "2026-02-19"
    # On a loaded machine the keys may have settled (and rerun) in between: let that end.
    page.wait_for_timeout(1000)
    page.wait_for_selector("[data-test-script-state=notRunning]", timeout=60_000)
    assert _map_day(frame) == "2026-02-19"
    page.evaluate(COUNT_RERUNS)
    page.keyboard.press(" ")
    page.wait_for_timeout(1200)
    page.keyboard.press(" ")
    _wait_frame(frame)
    played = _map_day(frame)
    assert played > "2026-02-19", "play did not move the day"
    assert frame.locator(".time-play").get_attribute("aria-label") == "Play"
    page.wait_for_function(
        "(day) => new URLSearchParams(location.search).get('date') === day",
        arg=played,
        timeout=30_000,
    )
    assert _reruns(page) == 1  # paused: sent once, not a rerun per day played
    assert offline.own_errors() == []
    context.close()
