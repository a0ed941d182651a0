"""The map page: notices, the sidebar, presenter controls and the map view fragment."""

from __future__ import annotations

import streamlit as st

from geo import settings
from geo.dataset import Dataset
from layers.base import markdown_lines, markdown_text
from ui import context, map_view, presenter, sidebar
from ui.state import Key


def render(data: Dataset) -> None:
    """Draw the map page (or, in presenter mode, the audience's screen)."""
    ss = st.session_state
    present = bool(ss[Key.PRESENT])
    if present:
        presenter.hide_page_chrome()
    else:
        st.title("Allied deployments: the High North and the eastern flank")
    for message in ss[Key.NOTICES]:
        st.warning(markdown_text(message), icon="⚠️")
    if ss[Key.SCENES_ERROR]:
        st.error(
            "The scenes file was not loaded; the last good scenes stay in use.\n\n"
            + markdown_lines(ss[Key.SCENES_ERROR])
        )
    sidebar.render(data)
    if present:
        # Outside the fragment: a scene step reruns the whole page, so the sidebar's widgets
        # (hidden, but sent back with every rerun) take the scene's values too.
        presenter.controls(context.current_scene())
    run_every = settings.PLAY_SPEEDS[ss[Key.SPEED]] if ss[Key.PLAYING] else None
    st.fragment(map_view.view, run_every=run_every)()
    if present:
        return
    st.caption(
        "Outlines: Natural Earth (public domain). Deployments and events: the source documents "
        "listed in data/sources.csv, cited by title and date in each popup and row."
    )
