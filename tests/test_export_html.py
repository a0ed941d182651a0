"""The shareable HTML: one self-contained file that shows the map offline."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from export.html import briefing_html, state_scene
from geo import settings
from geo.dataset import load_dataset
from geo.filters import FilterState
from geo.scenes import load_scenes
from geo.story import story

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def page_html() -> str:
    data = load_dataset()
    briefing = load_scenes(settings.SCENES_PATH, known_sites=set(data.sites["id"]))
    return briefing_html(data, briefing, title="Briefing")


def test_the_file_loads_no_script_style_or_image_from_anywhere(page_html: str) -> None:
    assert not re.findall(r"<(?:script|link|img)\b[^>]*\b(?:src|href)=", page_html)
    assert "window.briefingInline" in page_html and "window.briefing.player(" in page_html
    # Inlined code and data never close their script element early.
    for body in re.findall(r"<script>(.*?)</script>", page_html, flags=re.S):
        assert "</" not in body


def test_a_view_that_is_no_scene_can_be_shared() -> None:
    data = load_dataset()
    scene = state_scene(
        FilterState.build(date=data.default_day, nations=["DEU"]), dataset=data, title="<b>x</b>"
    )
    html = briefing_html(data, [scene])
    assert "<title>&lt;b&gt;x&lt;/b&gt;</title>" in html


def _player_scenes(page_html: str) -> list[dict[str, object]]:
    start = page_html.rindex("window.briefing.player(") + len("window.briefing.player(")
    scenes, _end = json.JSONDecoder().raw_decode(page_html[start:])
    return list(scenes)


def test_every_shared_scene_carries_its_story_as_presenter_mode_shows_it(page_html: str) -> None:
    data = load_dataset()
    briefing = load_scenes(settings.SCENES_PATH, known_sites=set(data.sites["id"]))
    shared = _player_scenes(page_html)
    assert [scene["view"]["scene"] for scene in shared] == [scene.id for scene in briefing]  # type: ignore[index]
    for scene, entry in zip(briefing, shared, strict=True):
        told = story(
            data,
            scene.state(),
            other_sites=scene.other_sites,
            with_events="events" in scene.shown_layers,
        )
        state = entry["state"]
        assert isinstance(state, dict)
        assert state["hosts"] == sorted(told.hosts), scene.id
        assert state["sites"] == sorted(told.sites), scene.id
        assert state["quiet"] == sorted(told.quiet), scene.id
    by_id = {scene.id: entry for scene, entry in zip(briefing, shared, strict=True)}
    # The Greenland reconnaissance shades Greenland alone and draws no air base of Iceland.
    recon = by_id["greenland-reconnaissance"]["state"]
    assert isinstance(recon, dict)
    assert recon["hosts"] == ["GRL"]
    assert "keflavik" not in recon["sites"] and "keflavik" not in recon["quiet"]


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")
def test_the_shared_briefing_opens_offline_and_steps_through_its_scenes(
    page_html: str, tmp_path: Path
) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    path = tmp_path / "briefing.html"
    path.write_text(page_html, encoding="utf-8")
    aborted: list[str] = []
    errors: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1600, "height": 900})

        def route(r: object) -> None:
            request_url = r.request.url  # type: ignore[attr-defined]
            if request_url.startswith("file://"):
                r.continue_()  # type: ignore[attr-defined]
            else:
                aborted.append(request_url)
                r.abort()  # type: ignore[attr-defined]

        page.route("**/*", route)
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(path.as_uri())
        page.locator(".leaflet-overlay-pane path").nth(20).wait_for(timeout=20_000)
        assert page.locator(".dep-icon").count() > 0
        first = page.locator(".caption-title").inner_text()
        shared = _player_scenes(page_html)
        hosts = [json.loads(_map_state(page))["hosts"]]
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(500)
        assert page.locator(".caption-title").inner_text() != first
        hosts.append(json.loads(_map_state(page))["hosts"])
        # The map in the file shades each scene's hosts, as presenter mode does.
        assert hosts == [shared[0]["state"]["hosts"], shared[1]["state"]["hosts"]]  # type: ignore[index]
        page.screenshot(path=str(tmp_path / "shared.png"))
        browser.close()
    assert aborted == [] and errors == []


def _map_state(page: object) -> str:
    """The state the map last received (layers/briefing.js writes it on the map)."""
    state = page.locator(".folium-map").get_attribute("data-state")  # type: ignore[attr-defined]
    assert state is not None
    return str(state)
