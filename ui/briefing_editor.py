"""Edit the briefing: save the current view as a scene, reorder and delete scenes."""

from __future__ import annotations

import streamlit as st

from geo import scenes, summary, workspace
from geo.dataset import select
from geo.errors import DataError
from geo.scenes import Scene
from layers.base import markdown_text
from ui import context, filters
from ui.state import Key, scene_button


def _save_briefing(briefing: tuple[Scene, ...], done: str) -> None:
    try:
        text = scenes.checked_json(briefing)
        workspace.update_workspace(context.workspace_path(), scenes=text)
    except DataError as exc:
        st.session_state[Key.EDITOR_MESSAGE] = ("error", f"Not saved: {exc}")
    else:
        st.session_state[Key.SCENES] = briefing
        st.session_state[Key.EDITOR_MESSAGE] = ("success", done)


def _add_current_view() -> None:
    ss = st.session_state
    title = ss[Key.NEW_SCENE_TITLE].strip()
    state = filters.current()
    data = context.dataset()
    bounds = summary.fitting_bounds(select(data, state).deployments, data.deployments)
    try:
        scene = scenes.scene_from_state(
            state,
            id=scenes.unique_id(title, context.briefing()),
            title=title,
            bounds=bounds,
            subtitle=ss[Key.NEW_SCENE_SUBTITLE].strip(),
        )
        briefing = scenes.add_scene(context.briefing(), scene)
    except (scenes.ScenesError, ValueError) as exc:
        ss[Key.EDITOR_MESSAGE] = ("error", f"Not added: {exc}")
        return
    _save_briefing(briefing, f"Added “{title}” as the last scene.")


def _edit_scene(action: str, scene_id: str) -> None:
    briefing = context.briefing()
    try:
        if action == "delete":
            changed = scenes.delete_scene(briefing, scene_id)
        else:
            changed = scenes.move_scene(briefing, scene_id, -1 if action == "up" else 1)
    except scenes.ScenesError as exc:
        st.session_state[Key.EDITOR_MESSAGE] = ("error", str(exc))
        return
    _save_briefing(changed, "Saved.")


def render() -> None:
    """The editor's widgets (inside the sidebar's "Edit the briefing" expander)."""
    ss = st.session_state
    briefing = context.briefing()
    st.text_input("Title of a new scene", key=Key.NEW_SCENE_TITLE, max_chars=120)
    st.text_input("Subtitle", key=Key.NEW_SCENE_SUBTITLE, max_chars=200)
    st.button(
        "Save the current view as a scene",
        key=Key.ADD_SCENE,
        on_click=_add_current_view,
        disabled=not ss.get(Key.NEW_SCENE_TITLE, "").strip(),
        help="Its view fits the sites of the rows shown; the filters and dates are kept.",
    )
    for index, scene in enumerate(briefing):
        name, up, down, drop = st.columns([5, 1, 1, 1], vertical_alignment="center")
        name.caption(f"{index + 1}. " + markdown_text(scene.title))
        up.button(
            "↑",
            key=scene_button("up", scene.id),
            on_click=_edit_scene,
            args=("up", scene.id),
            disabled=index == 0,
        )
        down.button(
            "↓",
            key=scene_button("down", scene.id),
            on_click=_edit_scene,
            args=("down", scene.id),
            disabled=index == len(briefing) - 1,
        )
        drop.button(
            "✕",
            key=scene_button("del", scene.id),
            on_click=_edit_scene,
            args=("delete", scene.id),
        )
    message = ss.pop(Key.EDITOR_MESSAGE, None)
    if message:
        kind, text = message
        (st.error if kind == "error" else st.success)(markdown_text(text))
    st.caption(
        "Saved atomically to the workspace (never to the bundled briefing); *Your data → "
        "Undo the last save* goes back."
    )
