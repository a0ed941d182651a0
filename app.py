"""Briefing map: the Streamlit page. Widgets and layout only; logic lives in geo/ and layers/."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import streamlit as st
from streamlit_folium import st_folium

from charts.timeline import timeline_chart
from geo import nations, settings, summary, urlstate
from geo.dataset import Dataset, load_dataset, select
from geo.errors import DataError
from geo.filters import FilterState
from layers import assets, compose
from layers.base import markdown_text

st.set_page_config(page_title="Briefing map", page_icon="🗺️", layout="wide")

TIME_MODES = {"day": "As of a day", "range": "Any time in a period", "all": "All dates"}
SYMBOLS = {"badges": "Nation badges", "app6": "NATO APP-6 symbols"}
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
    return str(assets.install_static())


@st.cache_data(show_spinner="Loading the briefing data…")
def _dataset() -> Dataset:
    return load_dataset()


def _known(data: Dataset) -> urlstate.Known:
    return urlstate.Known(
        nations=frozenset(data.nations),
        missions=data.missions,
        sites=frozenset(data.sites["id"]),
        first_day=data.first_day,
        last_day=data.last_day,
    )


def _seed_widgets(state: FilterState, data: Dataset) -> None:
    """Put a filter state (from the URL, or the default) into the widgets, once per session."""
    ss = st.session_state
    ss.nations, ss.missions = list(state.nations), list(state.missions)
    ss.domains, ss.statuses = list(state.domains), list(state.statuses)
    ss.symbols, ss.flows, ss.site = state.symbols, state.flows, state.site
    ss.time_mode = "day" if state.date else "range" if state.date_range else "all"
    ss.day = state.date or data.default_day
    ss.period = state.date_range or (data.default_day - dt.timedelta(days=30), data.default_day)
    ss.span = summary.span_for([ss.day, *ss.period], data.first_day, data.last_day)
    ss.setdefault("step", "day")
    ss.setdefault("speed", "normal")
    ss.setdefault("playing", False)


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
        symbols=ss.symbols,
        flows=ss.flows,
    )


def _bounds() -> tuple[dt.date, dt.date]:
    data = _dataset()
    return summary.span_bounds(data.first_day, data.last_day, span=st.session_state.span)


def _step(direction: int) -> None:
    st.session_state.day = summary.step_day(
        st.session_state.day, unit=st.session_state.step, direction=direction, bounds=_bounds()
    )


def _on_span() -> None:
    # Keep the day and the period inside what the new span offers.
    first, last = _bounds()
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


def _sidebar(data: Dataset) -> None:
    with st.sidebar:
        st.header("Filters")
        st.multiselect("Nations", data.nations, key="nations", format_func=nations.label)
        st.multiselect("Missions", data.missions, key="missions")
        st.multiselect("Domain", settings.DOMAINS, key="domains")
        st.multiselect("Status", settings.STATUSES, key="statuses")
        st.caption("An empty filter shows everything.")
        st.header("Display")
        st.radio("Symbols", list(SYMBOLS), key="symbols", format_func=SYMBOLS.__getitem__)
        st.toggle("Contribution lines for every site", key="flows")


def _time_controls(data: Dataset) -> None:
    ss = st.session_state
    mode, span, slider, buttons = st.columns([1.3, 1, 4, 2.2], vertical_alignment="bottom")
    mode.selectbox("Time", list(TIME_MODES), key="time_mode", format_func=TIME_MODES.__getitem__)
    span.selectbox("Span", list(settings.SLIDER_SPANS), key="span", on_change=_on_span)
    first, last = _bounds()
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


def _view() -> None:
    """The part that reruns on its own: time controls, map, table, timeline (a fragment)."""
    data = _dataset()
    ss = st.session_state
    if ss.playing:
        if ss.day >= _bounds()[1]:
            ss.playing = False
        else:
            _step(1)
    _time_controls(data)
    state = _state()
    st.query_params.from_dict(urlstate.query_from_state(state, default=ss.default_state))
    chosen = select(data, state)

    st_folium(
        compose.base_map(data.sites),
        key="map",
        height=settings.MAP_HEIGHT_PX,
        width="stretch",
        returned_objects=["last_object_clicked"],
        on_change=_on_map_click,
        feature_group_to_add=compose.dynamic_layers(
            chosen.deployments,
            chosen.events,
            state=state,
            site_table=data.sites,
            anchors=data.anchors,
            source_titles=data.source_titles,
        ),
    )

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
    )
    table = summary.table_frame(
        chosen.deployments, source_titles=data.source_titles, selected_site=state.site
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
    window = state.date_range or (
        (state.date - dt.timedelta(days=45), state.date + dt.timedelta(days=15))
        if state.date
        else (data.first_day, data.last_day)
    )
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


def main() -> None:
    _install_static()
    try:
        data = _dataset()
    except DataError as exc:
        st.error(markdown_text(str(exc)))
        st.stop()
    ss = st.session_state
    if "default_state" not in ss:
        ss.default_state = FilterState.build(date=data.default_day)
        state, notices = urlstate.state_from_query(
            st.query_params.to_dict(), known=_known(data), default=ss.default_state
        )
        _seed_widgets(state, data)
        ss.notices = [notice.message for notice in notices]
    st.title("Allied deployments: the High North and the eastern flank")
    for message in ss.notices:
        st.warning(markdown_text(message), icon="⚠️")
    _sidebar(data)
    run_every = settings.PLAY_SPEEDS[ss.speed] if ss.playing else None
    st.fragment(_view, run_every=run_every)()
    st.caption(
        "Outlines: Natural Earth (public domain). Deployments and events: the source documents "
        "listed in data/sources.csv, cited by title and date in each popup and row."
    )


main()
