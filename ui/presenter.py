"""Presenter mode: the page is the map, with previous / next scene and the way out."""

from __future__ import annotations

import streamlit as st

from geo.scenes import Scene
from layers.base import markdown_text
from ui import context, filters
from ui.state import Key

# Streamlit's header, toolbar and sidebar are hidden and the margins removed (our own constant
# CSS; no user text goes in here).
CSS = (
    '[data-testid="stSidebar"],[data-testid="stSidebarCollapsedControl"],'
    '[data-testid="stHeader"],[data-testid="stToolbar"],[data-testid="stDecoration"],'
    '[data-testid="stStatusWidget"]{display:none !important}'
    '[data-testid="stMainBlockContainer"],.block-container{padding:0.4rem 1rem 0 1rem !important;'
    "max-width:100% !important}"
)


def hide_page_chrome() -> None:
    """Hide Streamlit's own header, toolbar and sidebar."""
    st.html(f"<style>{CSS}</style>")


def _exit() -> None:
    st.session_state[Key.PRESENT] = False


def controls(scene: Scene | None) -> None:
    """Previous / next scene (also the arrow keys), the scene's place, and the way out."""
    ids = [item.id for item in context.briefing()]
    where = f"Scene {ids.index(scene.id) + 1} of {len(ids)}" if scene and scene.id in ids else ""
    prev, label, nxt, leave = st.columns([1, 3, 1, 1], vertical_alignment="center")
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
    """The scene's talking points, folded under the map."""
    if scene is not None and scene.talking_points:
        with st.expander("Talking points", expanded=False):
            for point in scene.talking_points:
                st.markdown("- " + markdown_text(point))
