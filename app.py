"""Briefing map: the Streamlit page. Widgets and layout only; logic lives in geo/ and layers/."""

from __future__ import annotations

import datetime as dt
import functools
import sys
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit_folium import st_folium

from charts.timeline import timeline_chart
from export import html as share
from export.render import Renderer
from geo import nations, scenes, settings, summary, urlstate, userdata, workspace
from geo.dataset import Dataset, load_with_workspace, select
from geo.errors import DataError
from geo.filters import FilterState
from geo.scenes import Scene
from layers import compose, static
from layers.base import markdown_lines, markdown_text

st.set_page_config(page_title="Briefing map", page_icon="🗺️", layout="wide")

TIME_MODES = {"day": "As of a day", "range": "Any time in a period", "all": "All dates"}
SYMBOLS = {"badges": "Nation badges", "app6": "NATO APP-6 symbols"}
# Presenter mode: the page is the map. Streamlit's header, toolbar and sidebar are hidden and
# the margins removed (our own constant CSS; no user text goes in here).
PRESENTER_CSS = (
    '[data-testid="stSidebar"],[data-testid="stSidebarCollapsedControl"],'
    '[data-testid="stHeader"],[data-testid="stToolbar"],[data-testid="stDecoration"],'
    '[data-testid="stStatusWidget"]{display:none !important}'
    '[data-testid="stMainBlockContainer"],.block-container{padding:0.4rem 1rem 0 1rem !important;'
    "max-width:100% !important}"
)
# Image exports offered: (format, size, button label, MIME type).
EXPORTS = (
    ("png", "slide", "PNG for a slide (1920×1080)", "image/png"),
    ("png", "print", "PNG for print (A4, 300 dpi)", "image/png"),
    ("svg", "slide", "SVG", "image/svg+xml"),
    ("pdf", "slide", "PDF", "application/pdf"),
)
PAGES = {"map": "🗺️ Map", "data": "📝 Your data"}
# Widgets drawn only on the map page: their values are kept while the data page shows
# (Streamlit forgets the state of a widget not drawn in a run, unless it is set again).
MAP_PAGE_KEYS = ("time_mode", "span", "day", "period", "step", "speed", "site", "symbols", "flows")
HOW_TO_USE = {"replace": "Replace the current table", "merge": "Merge into it (by id)"}
KEEP_ON_CONFLICT = {"uploaded": "the uploaded row", "current": "the current row"}
LAYER_KINDS = {
    "overlay": "a context layer (areas, lines or points drawn on the map)",
    "sites": "sites that deployments can refer to (id, name, kind, country)",
}
EDITOR_COLUMNS: dict[str, Any] = {
    "domain": st.column_config.SelectboxColumn("domain", options=settings.DOMAINS),
    "status": st.column_config.SelectboxColumn("status", options=settings.STATUSES),
    "date_precision": st.column_config.SelectboxColumn(
        "date_precision", options=settings.DATE_PRECISIONS
    ),
}
TABLE_COLUMNS: dict[str, Any] = {
    "sel": st.column_config.TextColumn("", width=28, help="At the selected site"),
    "nation": "Nation",
    "mission": "Mission",
    "site_name": "Site",
    "period": "Period",
    "personnel": st.column_config.NumberColumn("Personnel", help="Empty: not stated"),
    "assets": "Assets",
    "domain": "Domain",
    "command": "Command",
    "status": "Status",
    "source": "Source",
    "id": "Row id",
}


@st.cache_resource(show_spinner=False)
def _install_static() -> str:
    # Not data: copies vendored scripts and outlines into ./static once per server process.
    return str(static.install_static())


def _workspace_path() -> Path:
    # `streamlit run app.py -- --workspace FILE`, else $BRIEFING_WORKSPACE, else the default.
    return workspace.workspace_path(sys.argv[1:])


def _dataset() -> Dataset:
    path = _workspace_path()
    return _load(str(path), *workspace.version(path))


@st.cache_resource(show_spinner="Loading the briefing data…", max_entries=4)
def _load(path: str, mtime_ns: int, size: int) -> Dataset:
    # Loaded once per version of the workspace file (mtime_ns and size are the cache key).
    # cache_resource, not cache_data (an exception to the rule): cache_data unpickles a fresh
    # copy on every call, 1.4 s per rerun at 100,000 rows. The Dataset is frozen and nothing
    # modifies what it is given (geo/ and layers/ copy first), so one shared copy is safe.
    return load_with_workspace(path)


def _known(data: Dataset, briefing: tuple[Scene, ...]) -> urlstate.Known:
    return urlstate.Known(
        nations=frozenset(data.nations),
        missions=data.missions,
        sites=frozenset(data.sites["id"]),
        scenes=frozenset(scene.id for scene in briefing),
        first_day=data.first_day,
        last_day=data.last_day,
    )


def _scenes(data: Dataset) -> tuple[Scene, ...]:
    """The briefing's scenes; if they cannot be read, the last good ones and a notice."""
    ss = st.session_state
    path = _workspace_path()
    try:
        bundled = settings.SCENES_PATH.stat()
        found = _read_scenes(
            str(path), workspace.version(path), (bundled.st_mtime_ns, bundled.st_size)
        )
    except (OSError, DataError) as exc:
        ss.scenes_error = str(exc)
        ss.last_good_scenes = tuple(ss.get("last_good_scenes", ()))
        return ss.last_good_scenes
    ss.last_good_scenes = found
    ss.scenes_error = None
    return found


@st.cache_data(show_spinner=False)
def _read_scenes(
    path: str, version: tuple[int, int], bundled_version: tuple[int, int]
) -> tuple[Scene, ...]:
    # Read and validated once per version of the workspace and of the bundled file (the
    # versions are the cache key, hence no leading underscore); a broken one raises, uncached.
    data = _dataset()
    # Against the user's own table, a scene may name a nation or mission it does not have
    # (the widgets drop those); the bundled scenes must match the bundled data exactly.
    own = data.origin == "workspace"
    known: dict[str, Any] = {
        "known_sites": frozenset(data.sites["id"]),
        "known_nations": None if own else frozenset(data.nations),
        "known_missions": None if own else frozenset(data.missions),
    }
    kept = workspace.read_workspace(path).scenes
    if kept is None:
        return scenes.load_scenes(settings.SCENES_PATH, **known)
    return scenes.scenes_from_text(kept, source=f"{path} (scenes)", **known)


def _apply_scene() -> None:
    """Put the chosen scene's view into the widgets (the map flies there on the next run)."""
    scene = scenes.find_scene(st.session_state.last_good_scenes, st.session_state.scene)
    if scene is not None:
        _seed_widgets(scene.state(), _dataset())


def _step_scene(offset: int) -> None:
    ss = st.session_state
    scene = scenes.neighbour(ss.last_good_scenes, ss.scene, offset)
    if scene is not None:
        ss.scene = scene.id
        _apply_scene()


def _seed_widgets(state: FilterState, data: Dataset) -> None:
    """Put a filter state (from the URL, or the default) into the widgets, once per session."""
    ss = st.session_state
    # Only what the data has: a scene or a link may name more (see _read_scenes).
    ss.nations = [code for code in state.nations if code in data.nations]
    ss.missions = [name for name in state.missions if name in data.missions]
    ss.domains, ss.statuses = list(state.domains), list(state.statuses)
    ss.symbols, ss.flows, ss.site = state.symbols, state.flows, state.site
    ss.scene = state.scene
    ss.time_mode = "day" if state.date else "range" if state.date_range else "all"
    ss.day = state.date or data.default_day
    ss.period = state.date_range or (data.default_day - dt.timedelta(days=30), data.default_day)
    ss.span = summary.span_for([ss.day, *ss.period], data.first_day, data.last_day)
    ss.setdefault("step", "day")
    ss.setdefault("page", "map")
    ss.setdefault("banner", "")
    ss.setdefault("speed", "normal")
    ss.setdefault("playing", False)


def _keep_widget_state() -> None:
    ss = st.session_state
    for key in MAP_PAGE_KEYS:
        if key in ss:
            ss[key] = ss[key]


def _fit_widgets(data: Dataset) -> None:
    """After the data changed (an upload, an edit, an undo), drop choices it no longer has."""
    ss = st.session_state
    version = (data.origin, len(data.deployments), data.first_day, data.last_day, data.nations)
    if ss.get("fitted_to") == version:
        return
    ss.fitted_to = version
    ss.nations = [code for code in ss.get("nations", []) if code in data.nations]
    ss.missions = [name for name in ss.get("missions", []) if name in data.missions]
    if ss.get("site") is not None and ss.site not in set(data.sites["id"]):
        ss.site = None
    if "span" in ss:
        _on_span()


def _state() -> FilterState:
    ss = st.session_state
    return FilterState.build(
        nations=ss.nations,
        missions=ss.missions,
        domains=ss.domains,
        statuses=ss.statuses,
        date=ss.day if ss.time_mode == "day" else None,
        date_range=tuple(ss.period) if ss.time_mode == "range" else None,
        site=ss.site,
        scene=ss.scene,
        symbols=ss.symbols,
        flows=ss.flows,
    )


def _bounds(data: Dataset) -> tuple[dt.date, dt.date]:
    # Takes the data rather than calling _dataset(): a rerun fetches the data once and passes
    # it on.
    return summary.span_bounds(data.first_day, data.last_day, span=st.session_state.span)


def _step(direction: int, data: Dataset | None = None) -> None:
    bounds = _bounds(data or _dataset())
    st.session_state.day = summary.step_day(
        st.session_state.day, unit=st.session_state.step, direction=direction, bounds=bounds
    )


def _on_span() -> None:
    # Keep the day and the period inside what the new span offers.
    first, last = _bounds(_dataset())
    ss = st.session_state
    ss.day = min(max(ss.day, first), last)
    start, end = (min(max(day, first), last) for day in ss.period)
    ss.period = (start, end)


def _toggle_play() -> None:
    st.session_state.playing = not st.session_state.playing
    st.session_state.time_mode = "day"


def _on_map_click() -> None:
    clicked = (st.session_state.get("map") or {}).get("last_object_clicked")
    site = summary.site_at(_dataset().sites, clicked)
    if site is not None:
        st.session_state.site = site


def _on_table_select(key: str) -> None:
    rows = st.session_state[key].selection.rows
    shown = st.session_state.get("table_sites", [])
    if rows and rows[0] < len(shown):
        st.session_state.site = shown[rows[0]]


def _save_briefing(briefing: tuple[Scene, ...], done: str) -> None:
    try:
        text = scenes.checked_json(briefing)
        workspace.update_workspace(_workspace_path(), scenes=text)
    except DataError as exc:
        st.session_state.editor_message = ("error", f"Not saved: {exc}")
    else:
        st.session_state.last_good_scenes = briefing
        st.session_state.editor_message = ("success", done)


def _add_current_view() -> None:
    ss = st.session_state
    title = ss.new_scene_title.strip()
    state = _state()
    data = _dataset()
    bounds = summary.fitting_bounds(select(data, state).deployments, data.deployments)
    try:
        scene = scenes.scene_from_state(
            state,
            id=scenes.unique_id(title, ss.last_good_scenes),
            title=title,
            bounds=bounds,
            subtitle=ss.new_scene_subtitle.strip(),
        )
        briefing = scenes.add_scene(ss.last_good_scenes, scene)
    except (scenes.ScenesError, ValueError) as exc:
        ss.editor_message = ("error", f"Not added: {exc}")
        return
    _save_briefing(briefing, f"Added “{title}” as the last scene.")


def _edit_scene(action: str, scene_id: str) -> None:
    briefing = st.session_state.last_good_scenes
    try:
        if action == "delete":
            changed = scenes.delete_scene(briefing, scene_id)
        else:
            changed = scenes.move_scene(briefing, scene_id, -1 if action == "up" else 1)
    except scenes.ScenesError as exc:
        st.session_state.editor_message = ("error", str(exc))
        return
    _save_briefing(changed, "Saved.")


def _scene_editor(data: Dataset) -> None:
    ss = st.session_state
    st.text_input("Title of a new scene", key="new_scene_title", max_chars=120)
    st.text_input("Subtitle", key="new_scene_subtitle", max_chars=200)
    st.button(
        "Save the current view as a scene",
        key="add_scene",
        on_click=_add_current_view,
        disabled=not ss.get("new_scene_title", "").strip(),
        help="Its view fits the sites of the rows shown; the filters and dates are kept.",
    )
    for index, scene in enumerate(ss.last_good_scenes):
        name, up, down, drop = st.columns([5, 1, 1, 1], vertical_alignment="center")
        name.caption(f"{index + 1}. " + markdown_text(scene.title))
        up.button(
            "↑",
            key=f"up-{scene.id}",
            on_click=_edit_scene,
            args=("up", scene.id),
            disabled=index == 0,
        )
        down.button(
            "↓",
            key=f"down-{scene.id}",
            on_click=_edit_scene,
            args=("down", scene.id),
            disabled=index == len(ss.last_good_scenes) - 1,
        )
        drop.button("✕", key=f"del-{scene.id}", on_click=_edit_scene, args=("delete", scene.id))
    message = ss.pop("editor_message", None)
    if message:
        kind, text = message
        (st.error if kind == "error" else st.success)(markdown_text(text))
    st.caption(
        "Saved atomically to the workspace (never to the bundled briefing); *Your data → "
        "Undo the last save* goes back."
    )


@st.cache_resource(show_spinner=False)
def _renderer() -> Renderer:
    # Not data: holds the outlines projected once per CRS, shared by every session (its
    # caches fill under a lock; each image gets its own figure).
    return Renderer()


# Deferred downloads run outside the session (no st.session_state): they get all they need
# as arguments, bound when the button is drawn.
def _image(fmt: str, size: str, scene: Scene | None, state: FilterState, banner: str) -> bytes:
    return _renderer().render(
        state,
        dataset=_dataset(),
        fmt=fmt,
        size=size,
        title=scene.title if scene else None,
        subtitle=scene.subtitle if scene else None,
        bounds=scene.bounds if scene else None,
        layers=scene.shown_layers if scene else None,
        banner=banner.strip() or None,
    )


def _view_html(scene: Scene | None, state: FilterState) -> str:
    data = _dataset()
    if scene is None:
        scene = share.state_scene(state, dataset=data, title="Allied deployments")
    return share.briefing_html(data, [scene])


def _briefing_html(briefing: tuple[Scene, ...]) -> str:
    return share.briefing_html(_dataset(), briefing, title="Briefing")


def _sidebar(data: Dataset) -> None:
    ss = st.session_state
    with st.sidebar:
        st.radio("Show", list(PAGES), key="page", format_func=PAGES.__getitem__, horizontal=True)
        st.header("Filters")
        st.multiselect("Nations", data.nations, key="nations", format_func=nations.label)
        st.multiselect("Missions", data.missions, key="missions")
        st.multiselect("Domain", settings.DOMAINS, key="domains")
        st.multiselect("Status", settings.STATUSES, key="statuses")
        st.caption("An empty filter shows everything.")
        st.header("Briefing")
        briefing = ss.last_good_scenes
        titles = {scene.id: scene.title for scene in briefing}
        st.selectbox(
            "Scene",
            [None, *titles],
            key="scene",
            format_func=lambda s: "— (free view)" if s is None else titles[s],
            placeholder="— (free view)",
            on_change=_apply_scene,
        )
        st.toggle("Presenter mode", key="present", help="Full-window map for a projector")
        scene = scenes.find_scene(briefing, ss.scene)
        st.download_button(
            "Download this view as HTML",
            data=functools.partial(_view_html, scene, _state()),
            file_name=f"{scene.id if scene else 'current-view'}.html",
            mime="text/html",
            key="html_view",
            on_click="ignore",
            help="One file that works offline, for people who do not run the app.",
        )
        st.download_button(
            "Download the whole briefing as HTML",
            data=functools.partial(_briefing_html, briefing),
            file_name="briefing.html",
            mime="text/html",
            key="html_briefing",
            on_click="ignore",
            disabled=not briefing,
        )
        with st.expander("Edit the briefing"):
            _scene_editor(data)
        with st.expander("Export an image"):
            st.text_input(
                "Banner (top and bottom)",
                key="banner",
                max_chars=80,
                placeholder="e.g. UNCLASSIFIED",
            )
            for fmt, size, label, mime in EXPORTS:
                st.download_button(
                    label,
                    data=functools.partial(_image, fmt, size, scene, _state(), ss.banner),
                    file_name=f"{scene.id if scene else 'briefing-map'}-{size}.{fmt}",
                    mime=mime,
                    key=f"export-{fmt}-{size}",
                    on_click="ignore",
                    width="stretch",
                )
            st.caption("Drawn from the same styles as the map, in a projection for the region.")
        st.header("Display")
        st.radio("Symbols", list(SYMBOLS), key="symbols", format_func=SYMBOLS.__getitem__)
        st.toggle("Contribution lines for every site", key="flows")


def _time_controls(data: Dataset) -> None:
    ss = st.session_state
    mode, span, slider, buttons = st.columns([1.3, 1, 4, 2.2], vertical_alignment="bottom")
    mode.selectbox("Time", list(TIME_MODES), key="time_mode", format_func=TIME_MODES.__getitem__)
    span.selectbox("Span", list(settings.SLIDER_SPANS), key="span", on_change=_on_span)
    first, last = _bounds(data)
    if ss.time_mode == "day":
        slider.slider("As of", first, last, key="day", format="D MMM YYYY")
    elif ss.time_mode == "range":
        slider.slider("Period", first, last, key="period", format="D MMM YYYY")
    else:
        slider.caption("Every deployment and event, whatever its dates.")
    back, fwd, unit, play = buttons.columns([1, 1, 1.6, 1.6], vertical_alignment="bottom")
    day_mode = ss.time_mode == "day"
    back.button(
        "◀", key="back", on_click=_step, args=(-1,), disabled=not day_mode, help="Step back"
    )
    fwd.button("▶", key="fwd", on_click=_step, args=(1,), disabled=not day_mode, help="Step on")
    unit.selectbox("Step", list(settings.DATE_STEPS), key="step")
    play.button("❚❚ Pause" if ss.playing else "▶ Play", key="play", on_click=_toggle_play)
    if ss.playing:
        st.select_slider("Speed", list(settings.PLAY_SPEEDS), key="speed")


def _presenter_controls(scene: Scene | None) -> None:
    """Previous / next scene (also the arrow keys), the scene's place, and the way out."""
    briefing = st.session_state.last_good_scenes
    ids = [item.id for item in briefing]
    where = f"Scene {ids.index(scene.id) + 1} of {len(ids)}" if scene and scene.id in ids else ""
    prev, label, nxt, leave = st.columns([1, 3, 1, 1], vertical_alignment="center")
    prev.button(
        "◀ Previous",
        key="prev_scene",
        on_click=_step_scene,
        args=(-1,),
        shortcut="ArrowLeft",
        disabled=not ids or (scene is not None and ids.index(scene.id) == 0),
        width="stretch",
    )
    label.markdown(f"**{markdown_text(where)}**")
    nxt.button(
        "Next ▶",
        key="next_scene",
        on_click=_step_scene,
        args=(1,),
        shortcut="ArrowRight",
        disabled=not ids or (scene is not None and ids.index(scene.id) == len(ids) - 1),
        width="stretch",
        type="primary",
    )
    leave.button("Exit", key="exit_present", on_click=_exit_presenter, width="stretch")


def _exit_presenter() -> None:
    st.session_state.present = False


def _view() -> None:
    """The part that reruns on its own: time controls, map, table, timeline (a fragment)."""
    data = _dataset()
    ss = st.session_state
    if ss.playing:
        if ss.day >= _bounds(data)[1]:
            ss.playing = False
        else:
            _step(1, data)
    present = bool(ss.present)
    scene = scenes.find_scene(ss.last_good_scenes, ss.scene)
    _time_controls(data)
    state = _state()
    query = urlstate.query_from_state(state, default=ss.default_state)
    st.query_params.from_dict({**query, **({"present": "1"} if present else {})})
    chosen = select(data, state)

    caption = None
    if present:
        title = scene.title if scene else "Allied deployments"
        subtitle = scene.subtitle if scene else "The High North and the eastern flank"
        caption = (title, subtitle, summary.when_text(state.date, state.date_range))
    view = compose.view_group(
        scene=scene.id if scene else None,
        bounds=scene.bounds if scene else None,
        layers=scene.shown_layers if scene else (),
        caption=caption,
    )
    st_folium(
        compose.base_map(data.sites, presenter=present, overlay_table=data.overlays),
        key="map",
        height=settings.PRESENTER_MAP_HEIGHT_PX if present else settings.MAP_HEIGHT_PX,
        width="stretch",
        returned_objects=["last_object_clicked"],
        on_change=_on_map_click,
        feature_group_to_add=[
            *compose.dynamic_layers(
                chosen.deployments,
                chosen.events,
                state=state,
                site_table=data.sites,
                anchors=data.anchors,
                source_titles=data.source_titles,
            ),
            view,
        ],
    )
    if present:
        if scene is not None and scene.talking_points:
            with st.expander("Talking points", expanded=False):
                for point in scene.talking_points:
                    st.markdown("- " + markdown_text(point))
        return

    counts = chosen.counts
    nations_col, rows_col, people_col, site_col = st.columns([1, 1, 1.4, 2.6])
    nations_col.metric("Nations", counts.nations)
    rows_col.metric("Deployments", counts.deployments)
    people_col.metric(
        "Personnel where stated",
        counts.personnel,
        help=f"Known for {counts.personnel_rows} of {counts.deployments} rows; the rest unstated.",
    )
    site_names = dict(zip(data.sites["id"], data.sites["name"], strict=True))
    site_col.selectbox(
        "Selected site (click a marker or a row)",
        [None, *sorted(site_names, key=site_names.__getitem__)],
        key="site",
        format_func=lambda s: "—" if s is None else site_names[s],
        placeholder="—",
    )
    table = summary.table_frame(
        chosen.deployments,
        source_titles=data.source_titles,
        selected_site=state.site,
        limit=settings.TABLE_MAX_ROWS,
    )
    if counts.deployments > settings.TABLE_MAX_ROWS:
        st.caption(
            f"Showing the first {settings.TABLE_MAX_ROWS:,} of {counts.deployments:,} rows "
            "(the selected site's first); narrow the filters to see the rest."
        )
    ss.table_sites = table["site"].tolist()
    # A new key per selected site: the rows move (the site's come first), so an old row
    # selection would point at another row; the "●" column shows what is selected.
    table_key = f"table-{state.site or ''}"
    st.dataframe(
        table,
        key=table_key,
        hide_index=True,
        width="stretch",
        on_select=functools.partial(_on_table_select, table_key),
        selection_mode="single-row",
        column_order=[c for c in table.columns if c not in ("site", "start")],
        column_config=TABLE_COLUMNS,
    )
    st.subheader("Timeline")
    window = summary.timeline_window(state.date, state.date_range, (data.first_day, data.last_day))
    st.altair_chart(
        timeline_chart(
            chosen.deployments,
            data.events,
            window=window,
            marker=state.date or state.date_range,
            labels={code: nations.label(code) for code in data.nations},
            colors={code: nations.color(code) for code in data.nations},
            source_titles=data.source_titles,
            selected_site=state.site,
        ),
        width="stretch",
    )


# --- Your data: upload, check, edit, save and download the user's tables and layers ---------


def _say(kind: str, text: str) -> None:
    st.session_state.data_message = (kind, text)


def _saved(done: str, **parts: object) -> None:
    """Save parts of the workspace; on success, clear the uploaders and say ``done``."""
    ss = st.session_state
    try:
        workspace.update_workspace(_workspace_path(), **parts)
    except DataError as exc:
        _say("error", f"Not saved: {exc}")
        return
    ss.upload_round = ss.get("upload_round", 0) + 1
    _say("success", done)


def _apply_table(table: Any, done: str) -> None:
    _saved(done, deployments=table)


def _add_overlay(features: Any, layer: str) -> None:
    kept = workspace.read_workspace(_workspace_path()).overlays
    kept = kept[kept["layer"] != layer]
    _saved(f"Layer “{layer}” added to the map.", overlays=userdata.concat_frames(kept, features))


def _remove_overlay(layer: str) -> None:
    kept = workspace.read_workspace(_workspace_path()).overlays
    _saved(f"Layer “{layer}” removed.", overlays=kept[kept["layer"] != layer])


def _add_sites(found: Any) -> None:
    kept = workspace.read_workspace(_workspace_path()).sites
    names = ", ".join(found["name"].astype(str))
    _saved(f"Added: {names}.", sites=userdata.concat_frames(kept, found))


def _undo() -> None:
    try:
        workspace.undo_save(_workspace_path())
    except DataError as exc:
        _say("error", str(exc))
    else:
        _say("success", "The previous version is back (undo again to return to this one).")


def _on_pick() -> None:
    clicked = (st.session_state.get("pick_map") or {}).get("last_clicked")
    if clicked:
        st.session_state.new_site_lat = round(float(clicked["lat"]), 5)
        st.session_state.new_site_lon = round(float(clicked["lng"]), 5)


def _add_clicked_site(data: Dataset) -> None:
    ss = st.session_state
    try:
        site = userdata.new_site(
            site_id=ss.new_site_id.strip()
            or userdata.site_id(ss.new_site_name, frozenset(data.sites["id"])),
            name=ss.new_site_name.strip(),
            kind=ss.new_site_kind,
            country=ss.new_site_country.strip().upper(),
            lon=float(ss.new_site_lon),
            lat=float(ss.new_site_lat),
            known_ids=frozenset(data.sites["id"]),
        )
    except DataError as exc:
        _say("error", f"The site was not added: {exc}")
        return
    _add_sites(site)


def _report(error: DataError, heading: str) -> None:
    count = len(error.problems)
    st.error(f"{markdown_text(heading)} {count} problem{'s' if count != 1 else ''}:", icon="⛔")
    st.dataframe(userdata.problems_frame(error), hide_index=True, width="stretch")


def _data_status(data: Dataset, path: Path) -> None:
    ss = st.session_state
    if data.workspace_problem:
        st.error(
            "The workspace could not be used, so the bundled data is shown. The file was not "
            "changed: nothing in it is lost.\n\n" + markdown_lines(data.workspace_problem)
        )
    origin = (
        f"**your table** ({len(data.table):,} rows, kept in the workspace)"
        if data.origin == "workspace"
        else f"**the bundled table** ({len(data.table):,} rows, from the source documents)"
    )
    kept = workspace.read_workspace(path) if path.exists() and not data.workspace_problem else None
    st.markdown(
        f"Deployments in use: {origin}. Added sites: {len(kept.sites) if kept else 0}; "
        f"your layers: {kept.overlays['layer'].nunique() if kept else 0}."
    )
    st.caption(
        "Workspace: " + markdown_text(str(path)) + (f" · saved {kept.saved}" if kept else "")
    )
    undo, bundled = st.columns(2)
    undo.button(
        "↶ Undo the last save",
        key="undo_save",
        on_click=_undo,
        disabled=not workspace.can_undo(path),
        help="Swaps the workspace with the version before the last save.",
    )
    bundled.button(
        "Use the bundled table again",
        key="use_bundled",
        on_click=_apply_table,
        args=(None, "The bundled table is in use again (undo brings yours back)."),
        disabled=data.origin != "workspace",
    )
    message = ss.pop("data_message", None)
    if message:
        kind, text = message
        (st.error if kind == "error" else st.success)(markdown_lines(text))


def _upload_table(data: Dataset) -> None:
    ss = st.session_state
    st.markdown(
        "A CSV or Excel (.xlsx) file with the columns of the bundled table: "
        + markdown_text(", ".join(settings.DEPLOYMENT_COLUMNS))
        + ". Nothing is applied before every row is valid."
    )
    upload = st.file_uploader(
        "Deployment table",
        type=list(settings.TABLE_UPLOAD_TYPES),
        key=f"table_upload-{ss.get('upload_round', 0)}",
    )
    if upload is None:
        return
    try:
        table = userdata.read_table(
            upload.name,
            upload.getvalue(),
            site_ids=frozenset(data.sites["id"]),
            source_ids=frozenset(data.sources["id"]),
        )
    except DataError as exc:
        _report(exc, f"“{upload.name}” was not applied, nothing changed:")
        return
    st.success(markdown_text(f"“{upload.name}”: {len(table):,} rows, every one valid."))
    how = st.radio("Use it to", list(HOW_TO_USE), key="upload_how", format_func=HOW_TO_USE.get)
    if how == "merge":
        prefer = st.radio(
            "Where an id is in both tables and the rows differ, keep",
            list(KEEP_ON_CONFLICT),
            key="upload_prefer",
            format_func=KEEP_ON_CONFLICT.get,
            horizontal=True,
        )
        merge = userdata.merge_tables(data.table, table, prefer=prefer)
        st.markdown(
            f"{len(merge.added):,} new rows, {len(merge.same):,} the same, "
            f"{len(merge.conflicting_ids):,} in conflict."
        )
        if len(merge.conflicts):
            st.dataframe(merge.conflicts, hide_index=True, width="stretch")
        table, done = merge.table, f"Merged: {len(merge.table):,} rows."
    else:
        done = f"Your table ({len(table):,} rows) replaces the current one."
    st.button("Apply", key="apply_table", type="primary", on_click=_apply_table, args=(table, done))


def _upload_layer(data: Dataset) -> None:
    ss = st.session_state
    kind = st.radio(
        "The file holds", list(LAYER_KINDS), key="layer_kind", format_func=LAYER_KINDS.get
    )
    upload = st.file_uploader(
        "GeoJSON (longitude, latitude in WGS 84)",
        type=list(settings.LAYER_UPLOAD_TYPES),
        key=f"layer_upload-{ss.get('upload_round', 0)}",
    )
    if upload is not None:
        try:
            if kind == "sites":
                found = userdata.read_sites(
                    upload.name, upload.getvalue(), known_ids=frozenset(data.sites["id"])
                )
            else:
                layer = userdata.read_layer(upload.name, upload.getvalue())
        except DataError as exc:
            _report(exc, f"“{upload.name}” was not added, nothing changed:")
        else:
            if kind == "sites":
                st.success(markdown_text(f"“{upload.name}”: {len(found)} sites, all valid."))
                st.dataframe(found.drop(columns="geometry"), hide_index=True)
                st.button(
                    "Add the sites",
                    key="apply_sites",
                    type="primary",
                    on_click=_add_sites,
                    args=(found,),
                )
            else:
                name = str(layer.features["layer"].iloc[0])
                st.success(markdown_text(f"“{upload.name}”: {len(layer.features)} features."))
                for note in layer.notes:
                    st.info(markdown_text(note))
                st.button(
                    "Add to the map",
                    key="apply_layer",
                    type="primary",
                    on_click=_add_overlay,
                    args=(layer.features, name),
                )
    for name, count in data.overlays["layer"].value_counts(sort=False).items():
        label, drop = st.columns([4, 1], vertical_alignment="center")
        label.markdown(markdown_text(f"Layer “{name}”: {count} features"))
        drop.button("Remove", key=f"drop-layer-{name}", on_click=_remove_overlay, args=(str(name),))


def _place_site(data: Dataset) -> None:
    ss = st.session_state
    st.caption("Click the map to place the site, then name it.")
    ss.setdefault("new_site_lat", 0.0)
    ss.setdefault("new_site_lon", 0.0)
    picked = (ss.new_site_lat, ss.new_site_lon) != (0.0, 0.0)
    st_folium(
        compose.base_map(data.sites, overlay_table=data.overlays),
        key="pick_map",
        height=settings.PICK_MAP_HEIGHT_PX,
        width="stretch",
        returned_objects=["last_clicked"],
        on_change=_on_pick,
        feature_group_to_add=(
            compose.picked_place(ss.new_site_lat, ss.new_site_lon) if picked else None
        ),
    )
    lat, lon, kind, country = st.columns(4)
    lat.number_input("Latitude", key="new_site_lat", min_value=-90.0, max_value=90.0, format="%.5f")
    lon.number_input(
        "Longitude", key="new_site_lon", min_value=-180.0, max_value=180.0, format="%.5f"
    )
    kind.selectbox(
        "Kind",
        list(settings.SITE_KINDS),
        key="new_site_kind",
        format_func=lambda kind: settings.SITE_KIND_LABELS.get(kind, kind),
    )
    country.text_input(
        "Country (ISO alpha-3)", key="new_site_country", max_chars=3, placeholder="LTU"
    )
    name, ident = st.columns(2)
    name.text_input("Name", key="new_site_name", max_chars=120)
    ident.text_input("Id (from the name when empty)", key="new_site_id", max_chars=60)
    st.button(
        "Add the site",
        key="add_site",
        type="primary",
        on_click=_add_clicked_site,
        args=(data,),
        disabled=not ss.get("new_site_name", "").strip(),
    )


def _edit_table(data: Dataset, path: Path) -> None:
    if len(data.table) > settings.EDITOR_MAX_ROWS:
        st.info(
            f"The table has {len(data.table):,} rows, more than the editor takes "
            f"({settings.EDITOR_MAX_ROWS:,}): download it, edit it, and upload it again."
        )
        return
    st.caption("Every change is checked at once; *Save the edits* keeps them in the workspace.")
    columns = {
        **EDITOR_COLUMNS,
        "site": st.column_config.SelectboxColumn("site", options=sorted(data.sites["id"])),
    }
    edited = st.data_editor(
        data.table,
        key=f"editor-{workspace.version(path)}",
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        column_config=columns,
    )
    if edited.equals(data.table):
        return
    try:
        table = userdata.validate_table(
            edited,
            site_ids=frozenset(data.sites["id"]),
            source_ids=frozenset(data.sources["id"]),
        )
    except DataError as exc:
        _report(exc, "The edits are not saved yet:")
        return
    st.success("The edits are valid.")
    st.button(
        "Save the edits",
        key="save_edits",
        type="primary",
        on_click=_apply_table,
        args=(table, f"Edits saved ({len(table):,} rows)."),
    )


def _downloads(data: Dataset) -> None:
    st.caption(
        "Text cells that a spreadsheet would run as a formula (starting with =, +, -, @) get "
        "an apostrophe in front; an upload takes it off again."
    )
    csv_col, xlsx_col, json_col = st.columns(3)
    csv_col.download_button(
        "Table as CSV",
        data=functools.partial(userdata.table_csv, data.table),
        file_name="deployments.csv",
        mime="text/csv",
        key="download_csv",
        on_click="ignore",
    )
    xlsx_col.download_button(
        "Table as Excel",
        data=functools.partial(userdata.table_xlsx, data.table),
        file_name="deployments.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="download_xlsx",
        on_click="ignore",
    )
    json_col.download_button(
        "Sites and layers as GeoJSON",
        data=functools.partial(userdata.layers_geojson, data.sites, data.overlays),
        file_name="layers.geojson",
        mime="application/geo+json",
        key="download_geojson",
        on_click="ignore",
    )


def _data_page(data: Dataset) -> None:
    path = _workspace_path()
    st.title("Your data")
    _data_status(data, path)
    tabs = st.tabs(
        ["Upload a table", "Upload a layer", "Add a site", "Edit the table", "Download"],
        key="data_tab",  # the open tab stays open across reruns (an upload, a save)
        on_change="rerun",  # only the open tab runs: the site map is drawn when visible
    )
    parts = (
        functools.partial(_upload_table, data),
        functools.partial(_upload_layer, data),
        functools.partial(_place_site, data),
        functools.partial(_edit_table, data, path),
        functools.partial(_downloads, data),
    )
    for tab, part in zip(tabs, parts, strict=True):
        if tab.open:
            with tab:
                part()


def main() -> None:
    _install_static()
    try:
        data = _dataset()
    except DataError as exc:
        st.error(markdown_lines(str(exc)))
        st.stop()
    ss = st.session_state
    _keep_widget_state()
    briefing = _scenes(data)
    if "default_state" not in ss:
        ss.default_state = FilterState.build(date=data.default_day)
        params = st.query_params.to_dict()
        ss.present = params.pop("present", "0") in ("1", "true")
        state, notices = urlstate.state_from_query(
            params, known=_known(data, briefing), default=ss.default_state
        )
        scene = scenes.find_scene(briefing, state.scene)
        # A scene in the link sets the view; the link's other keys refine it.
        if scene is not None and set(params) == {"scene"}:
            state = scene.state()
        _seed_widgets(state, data)
        ss.notices = [notice.message for notice in notices]
    _fit_widgets(data)
    if ss.get("page") == "data" and not ss.present:
        _sidebar(data)
        _data_page(data)
        return
    if ss.present:
        st.html(f"<style>{PRESENTER_CSS}</style>")
    else:
        st.title("Allied deployments: the High North and the eastern flank")
    for message in ss.notices:
        st.warning(markdown_text(message), icon="⚠️")
    if ss.scenes_error:
        st.error(
            "The scenes file was not loaded; the last good scenes stay in use.\n\n"
            + markdown_lines(ss.scenes_error)
        )
    _sidebar(data)
    if ss.present:
        # Outside the fragment: a scene step reruns the whole page, so the sidebar's widgets
        # (hidden, but sent back with every rerun) take the scene's values too.
        _presenter_controls(scenes.find_scene(ss.last_good_scenes, ss.scene))
    run_every = settings.PLAY_SPEEDS[ss.speed] if ss.playing else None
    st.fragment(_view, run_every=run_every)()
    if ss.present:
        return
    st.caption(
        "Outlines: Natural Earth (public domain). Deployments and events: the source documents "
        "listed in data/sources.csv, cited by title and date in each popup and row."
    )


main()
