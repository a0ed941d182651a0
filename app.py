"""Briefing map: the entry. Sets the page up, reads the data, seeds the state once, routes.

The pages live in ``ui/`` (one module each, widgets and callbacks only); the logic is in
``geo/``, ``layers/`` and ``export/``.
"""

from __future__ import annotations

import streamlit as st

from geo import scenes, urlstate, worker
from geo.errors import DataError
from geo.filters import FilterState
from layers import static
from layers.base import markdown_lines
from ui import context, data_page, filters, map_page, sidebar, state
from ui.state import Key


@st.cache_resource(show_spinner=False)
def _install_static() -> str:
    # Not data. scripts/run.sh fills ./static before the server starts; this keeps a server
    # started another way (streamlit run app.py) complete too, once per process.
    return str(static.install_static())


@st.cache_resource(show_spinner=False)
def _start_upload_workers() -> bool:
    # Not data: the upload workers' fork server, started once per process with the app so
    # that the first upload does not pay for its imports (geo/worker.py).
    worker.start()
    return True


def _seed_from_url() -> None:
    """Once per session: the filter state from the link (or a scene it names), else defaults."""
    ss = st.session_state
    if Key.DEFAULT_STATE in ss:
        return
    data = context.dataset()
    briefing = context.briefing()
    ss[Key.DEFAULT_STATE] = FilterState.build(date=data.default_day)
    params = st.query_params.to_dict()
    ss[Key.PRESENT] = params.pop("present", "0") in ("1", "true")
    found, notices = urlstate.state_from_query(
        params, known=context.known(data, briefing), default=ss[Key.DEFAULT_STATE]
    )
    scene = scenes.find_scene(briefing, found.scene)
    # A scene in the link sets the view; the link's other keys refine it.
    if scene is not None and set(params) == {"scene"}:
        found = scene.state()
    filters.seed_widgets(found, data)
    ss[Key.NOTICES] = [notice.message for notice in notices]


def main() -> None:
    st.set_page_config(page_title="Briefing map", page_icon="🗺️", layout="wide")
    _install_static()
    _start_upload_workers()
    try:
        data = context.dataset()
    except DataError as exc:
        st.error(markdown_lines(str(exc)))
        st.stop()
    state.init()
    state.keep_map_page_widgets()
    context.load_scenes()
    _seed_from_url()
    filters.fit_widgets(data)
    ss = st.session_state
    if ss[Key.PAGE] == "data" and not ss[Key.PRESENT]:
        sidebar.render(data)
        data_page.render(data)
    else:
        map_page.render(data)


# Streamlit runs this file as "__main__". A worker process started from the server (an upload's
# reader, a deck's picture) imports the file it takes for the parent's main module again, as
# "__mp_main__": under Streamlit that is this page, which must then not run.
if __name__ == "__main__":
    main()
