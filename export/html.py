"""Shareable interactive HTML: a scene, or the whole briefing, in one self-contained file.

The file is the app's own map (the same layers, styles and browser code) with every script,
stylesheet and data file inlined, so it opens from disk, offline, for people who do not run
the app. Country outlines are inlined at the two coarser levels of detail (the finest would
add 3 MB); the map uses the middle one at every zoom above the first level.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import mimetypes
import re
from collections.abc import Sequence
from pathlib import Path

import folium

from geo import scenes, settings, summary
from geo.dataset import Dataset, select
from geo.filters import FilterState
from geo.scenes import Scene
from geo.story import story
from layers import REGISTRY, assets, compose, static
from layers.base import DataLayer, Registered, SetState, root, safe_text

# Layers rebuilt per scene (the rest of the map is the same in every scene).
_DYNAMIC = ("contributions", "deployments", "events")
_PLAYER_CSS = (
    ".player-bar{background:rgba(255,255,255,.95);padding:6px 8px;border-radius:6px;"
    "box-shadow:0 1px 5px rgba(0,0,0,.35);font:600 15px system-ui,sans-serif;"
    "display:flex;gap:10px;align-items:center}"
    ".player-bar button{font:600 15px system-ui,sans-serif;padding:4px 10px;cursor:pointer}"
    "html,body{height:100%;margin:0}.folium-map{height:100vh !important}"
)


def _layer_data(groups: Sequence[folium.FeatureGroup]) -> tuple[dict[str, object], object]:
    """The JSON each dynamic layer draws from, and the state they hand to the static layers."""
    layers: dict[str, object] = {}
    state: object = {}
    for group in groups:
        children = list(group._children.values())
        name = next(c.layer_name for c in children if isinstance(c, Registered))
        layers[name] = next(c.data for c in children if isinstance(c, DataLayer))
        state = next((c.state for c in children if isinstance(c, SetState)), state)
    return layers, state


def _scene_data(dataset: Dataset, scene: Scene) -> dict[str, object]:
    state = scene.state()
    chosen = select(dataset, state)
    groups = compose.dynamic_layers(
        chosen.deployments,
        chosen.events,
        state=state,
        site_table=dataset.sites,
        anchors=dataset.anchors,
        source_titles=dataset.source_titles,
    )
    layers, shared = _layer_data(groups)
    # The scene's story, as presenter mode shows it: its hosts shaded, its sites drawn, the
    # others quiet or hidden (the scene's option).
    told = story(
        dataset,
        state,
        other_sites=scene.other_sites,
        selection=chosen,
        with_events="events" in scene.shown_layers,
    )
    shared = {**(shared if isinstance(shared, dict) else {}), **compose.story_state(told)}
    west, south, east, north = scene.bounds
    view = {
        "scene": scene.id,
        "bounds": [[south, west], [north, east]],
        "layers": list(scene.shown_layers),
        "instant": True,
        "caption": {
            "title": safe_text(scene.title),
            "subtitle": safe_text(scene.subtitle),
            "when": safe_text(summary.when_after(scene.subtitle, state.date, state.date_range)),
        },
    }
    return {"layers": layers, "state": shared, "view": view}


def _static_file(url: str) -> Path:
    prefix = settings.STATIC_URL + "/"
    if not url.startswith(prefix):
        raise ValueError(f"not one of the app's static files: {url}")
    return settings.STATIC_DIR / url[len(prefix) :]


def _inline_css(path: Path) -> str:
    # Leaflet's stylesheet points at its images: carry them as data URIs.
    css = path.read_text(encoding="utf-8")

    def data_uri(match: re.Match[str]) -> str:
        target = path.parent / match.group(1)
        if not target.is_file():
            return match.group(0)
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        encoded = base64.b64encode(target.read_bytes()).decode("ascii")
        return f"url(data:{kind};base64,{encoded})"

    return re.sub(r"url\(['\"]?(images/[^)'\"]+)['\"]?\)", data_uri, css)


def _script(text: str) -> str:
    # Nothing inlined may end the script element early.
    return "<script>" + text.replace("</", "<\\/") + "</script>"


def briefing_html(dataset: Dataset, scenes: Sequence[Scene], *, title: str | None = None) -> str:
    """One HTML file showing ``scenes`` in order on the app's map, with every asset inlined.

    Parameters
    ----------
    dataset : Dataset
        The briefing's data (:func:`geo.dataset.load_dataset`).
    scenes : sequence of Scene
        One scene, or the whole briefing.
    title : str, optional
        The page title; the first scene's title by default.

    Returns
    -------
    str
        A complete HTML document that asks no server for anything.
    """
    if not scenes:
        raise ValueError("no scene to export")
    static.install_static()
    fmap = compose.base_map(dataset.sites, overlay_table=dataset.overlays)
    root(fmap).header.add_child(folium.Element(f"<style>{_PLAYER_CSS}</style>"), name="player")
    html = fmap.get_root().render()

    for _name, url in fmap.default_js:
        tag = f'<script src="{url}"></script>'
        html = html.replace(tag, _script(_static_file(url).read_text(encoding="utf-8")))
    for _name, url in fmap.default_css:
        tag = f'<link rel="stylesheet" href="{url}"/>'
        html = html.replace(tag, f"<style>{_inline_css(_static_file(url))}</style>")
    leftover = re.findall(r'<(?:script|link|img)\b[^>]*\b(?:src|href)="(?!data:)[^"]*"', html)
    if leftover:
        raise RuntimeError(f"the shared file would still load {leftover}")

    inline: dict[str, object] = {}
    *coarser, (finest, *_) = settings.BOUNDARY_LODS
    for stem, *_ in coarser:
        path = settings.BOUNDARIES_DIR / f"{stem}.geojson"
        inline[assets.boundary_url(stem)] = json.loads(path.read_text(encoding="utf-8"))
    # The finest level stands for the one before it (a string names another inlined file).
    inline[assets.boundary_url(finest)] = assets.boundary_url(coarser[-1][0])
    inline[assets.sites_url()] = json.loads(settings.SITES_PATH.read_text(encoding="utf-8"))
    titles = {layer.NAME: safe_text(layer.TITLE) for layer in REGISTRY if layer.NAME in _DYNAMIC}
    player = {
        "scenes": [_scene_data(dataset, scene) for scene in scenes],
        "titles": titles,
    }
    data_script = _script("window.briefingInline = " + json.dumps(inline, separators=(",", ":")))
    # The inline data must exist before the map script fetches the outlines.
    html = html.replace("<head>", "<head>" + data_script, 1)
    page_title = safe_text(title or scenes[0].title)
    html = html.replace("<head>", f"<head><title>{page_title}</title>", 1)
    player_script = _script(
        "window.briefing.player("
        + json.dumps(player["scenes"], separators=(",", ":"))
        + ", "
        + json.dumps(player["titles"])
        + ");"
    )
    return html.replace("</html>", player_script + "</html>")


def state_scene(state: FilterState, *, dataset: Dataset, title: str) -> Scene:
    """The current view (not saved as a scene) as a one-off scene, to share it.

    A scene keeps no domain or status filter (:func:`geo.scenes.scene_from_state` refuses
    them); the shared view shows every domain and status.
    """
    rows = select(dataset, state).deployments
    return scenes.scene_from_state(
        dataclasses.replace(state, domains=(), statuses=()),
        id=state.scene or "current-view",
        title=title,
        subtitle=summary.when_text(state.date, state.date_range),
        bounds=summary.fitting_bounds(rows, dataset.deployments),
    )
