"""The sidebar every page shares: which page, the filters, the briefing, exports, display."""

from __future__ import annotations

import streamlit as st

from geo import nations, settings
from geo.dataset import Dataset
from ui import briefing_editor, context, exports, filters
from ui.state import Key

PAGES = {"map": "🗺️ Map", "data": "📝 Your data"}
SYMBOLS = {"badges": "Nation badges", "app6": "NATO APP-6 symbols"}


def render(data: Dataset) -> None:
    """Draw the sidebar."""
    with st.sidebar:
        st.radio("Show", list(PAGES), key=Key.PAGE, format_func=PAGES.__getitem__, horizontal=True)
        st.header("Filters")
        st.multiselect("Nations", data.nations, key=Key.NATIONS, format_func=nations.label)
        st.multiselect("Missions", data.missions, key=Key.MISSIONS)
        st.multiselect("Domain", settings.DOMAINS, key=Key.DOMAINS)
        st.multiselect("Status", settings.STATUSES, key=Key.STATUSES)
        st.caption("An empty filter shows everything.")
        st.header("Briefing")
        titles = {scene.id: scene.title for scene in context.briefing()}
        st.selectbox(
            "Scene",
            [None, *titles],
            key=Key.SCENE,
            format_func=lambda s: "— (free view)" if s is None else titles[s],
            placeholder="— (free view)",
            on_change=filters.apply_scene,
        )
        st.toggle("Presenter mode", key=Key.PRESENT, help="Full-window map for a projector")
        scene, state = context.current_scene(), filters.current()
        exports.html_buttons(scene, state)
        with st.expander("Edit the briefing"):
            briefing_editor.render()
        with st.expander("Export an image"):
            exports.image_buttons(scene, state)
        st.header("Display")
        st.radio("Symbols", list(SYMBOLS), key=Key.SYMBOLS, format_func=SYMBOLS.__getitem__)
        st.toggle("Contribution lines for every site", key=Key.FLOWS)
