"""Presenter mode: the page is the map, with previous / next scene and the way out."""

from __future__ import annotations

import streamlit as st

from geo import settings
from geo.scenes import Scene
from layers.base import markdown_text
from ui import context, filters
from ui.state import Key


def page_css(bar_px: int, bar_vh: float) -> str:
    """The page in presenter mode: Streamlit's header, toolbar and sidebar hidden, the margins
    gone, one slim bar at least ``bar_px`` high and ``bar_vh`` hundredths of the window (its
    buttons and text scale with it, so a 4K projector shows them as large as a 1080p one), and
    the map's frame as tall as the rest of the window, so the map fits every screen without
    scrolling. Constant CSS: no user text goes in here."""
    block = '[data-testid="stMainBlockContainer"]'
    bar = f'{block} [data-testid="stHorizontalBlock"]'
    return (
        '[data-testid="stSidebar"],[data-testid="stSidebarCollapsedControl"],'
        '[data-testid="stHeader"],[data-testid="stToolbar"],[data-testid="stDecoration"],'
        '[data-testid="stStatusWidget"]{display:none !important}'
        f":root{{--bar:max({bar_px}px,{bar_vh:g}vh)}}"
        f"{block},.block-container{{padding:0 .6rem !important;max-width:100% !important}}"
        f'{block} [data-testid="stVerticalBlock"]{{gap:0}}'
        # The bar: the page's only row of columns in presenter mode.
        f"{bar}{{height:var(--bar) !important;align-items:center}}"
        f"{bar} button{{min-height:0;height:calc(var(--bar) - 8px);"
        "padding:0 calc(var(--bar) * .3)}"
        f"{bar} p,{bar} kbd,{bar} [data-testid=stIconMaterial]"
        "{font-size:calc(var(--bar) * .4) !important;line-height:1.2}"
        f"{bar} p{{margin:0}}"
        # Streamlit pulls a markdown block 1rem up from below (a negative bottom margin): the
        # column would centre a box shorter than the text, which then sat 8 px below the
        # buttons' text.
        f'{bar} [data-testid="stMarkdownContainer"]{{margin:0 !important}}'
        f'iframe[title="streamlit_folium.st_folium"]{{height:calc(100vh - var(--bar)) !important;'
        "display:block}"
    )


def hide_page_chrome() -> None:
    """Hide Streamlit's own header, toolbar and sidebar."""
    st.html(f"<style>{page_css(settings.PRESENTER_BAR_PX, settings.PRESENTER_BAR_VH)}</style>")


def _exit() -> None:
    st.session_state[Key.PRESENT] = False


def controls(scene: Scene | None) -> None:
    """The slim bar above the map: previous / next scene (also the arrow keys), the scene's
    place, its talking points (folded) and the way out."""
    ids = [item.id for item in context.briefing()]
    where = f"Scene {ids.index(scene.id) + 1} of {len(ids)}" if scene and scene.id in ids else ""
    prev, label, points, nxt, leave = st.columns([1, 2, 1, 1, 1], vertical_alignment="center")
    prev.button(
        "◀ Previous",
        key=Key.PREVIOUS_SCENE,
        on_click=filters.step_scene,
        args=(-1,),
        shortcut="ArrowLeft",
        disabled=not ids or (scene is not None and ids.index(scene.id) == 0),
        width="stretch",
    )
    label.markdown(f"**{markdown_text(where)}**")
    with points:
        talking_points(scene)
    nxt.button(
        "Next ▶",
        key=Key.NEXT_SCENE,
        on_click=filters.step_scene,
        args=(1,),
        shortcut="ArrowRight",
        disabled=not ids or (scene is not None and ids.index(scene.id) == len(ids) - 1),
        width="stretch",
        type="primary",
    )
    leave.button("Exit", key=Key.EXIT_PRESENTER, on_click=_exit, width="stretch")


def talking_points(scene: Scene | None) -> None:
    """The scene's talking points, opened from the bar (the map keeps the whole window)."""
    if scene is not None and scene.talking_points:
        with st.popover("Talking points", width="stretch"):
            for point in scene.talking_points:
                st.markdown("- " + markdown_text(point))
