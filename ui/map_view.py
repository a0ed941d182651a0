"""The part of the map page that reruns on its own (a fragment): time, map, table, timeline."""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import Any

import streamlit as st
from streamlit_folium import st_folium

from charts.timeline import timeline_chart
from geo import nations, settings, summary, urlstate
from geo.dataset import Dataset, Selection, select
from geo.filters import FilterState
from geo.scenes import Scene
from geo.story import story
from layers import compose, static
from ui import context, filters
from ui.state import Key, table

TIME_MODES = {"day": "As of a day", "range": "Any time in a period", "all": "All dates"}
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


def _time_controls(data: Dataset) -> None:
    ss = st.session_state
    mode, span, slider, buttons = st.columns([1.3, 1, 4, 2.2], vertical_alignment="bottom")
    mode.selectbox("Time", list(TIME_MODES), key=Key.TIME_MODE, format_func=TIME_MODES.__getitem__)
    span.selectbox("Span", list(settings.SLIDER_SPANS), key=Key.SPAN, on_change=filters.on_span)
    first, last = filters.bounds(data)
    if ss[Key.TIME_MODE] == "day":
        slider.slider("As of", first, last, key=Key.DAY, format="D MMM YYYY")
    elif ss[Key.TIME_MODE] == "range":
        slider.slider("Period", first, last, key=Key.PERIOD, format="D MMM YYYY")
    else:
        slider.caption("Every deployment and event, whatever its dates.")
    back, fwd, unit, play = buttons.columns([1, 1, 1.6, 1.6], vertical_alignment="bottom")
    day_mode = ss[Key.TIME_MODE] == "day"
    back.button(
        "◀",
        key=Key.BACK,
        on_click=filters.step,
        args=(-1,),
        disabled=not day_mode,
        help="Step back",
    )
    fwd.button(
        "▶",
        key=Key.FORWARD,
        on_click=filters.step,
        args=(1,),
        disabled=not day_mode,
        help="Step on",
    )
    unit.selectbox("Step", list(settings.DATE_STEPS), key=Key.STEP)
    play.button(
        "❚❚ Pause" if ss[Key.PLAYING] else "▶ Play", key=Key.PLAY, on_click=filters.toggle_play
    )
    if ss[Key.PLAYING]:
        st.select_slider("Speed", list(settings.PLAY_SPEEDS), key=Key.SPEED)


def _on_map_click() -> None:
    returned = st.session_state.get(Key.MAP) or {}
    if filters.time_bar_settled(returned.get("selected_tags")):
        return  # the time bar moved the day; the click, if any, was handled before
    clicked = returned.get("last_object_clicked")
    site = summary.site_at(context.dataset().sites, clicked)
    if site is not None:
        st.session_state[Key.SITE] = site


def _on_table_select(key: str) -> None:
    rows = st.session_state[key].selection.rows
    shown = st.session_state.get(Key.TABLE_SITES, [])
    if rows and rows[0] < len(shown):
        st.session_state[Key.SITE] = shown[rows[0]]


def _map(data: Dataset, chosen: Selection, state: FilterState, scene: Scene | None) -> None:
    present = bool(st.session_state[Key.PRESENT])
    caption = None
    if present:
        title = scene.title if scene else "Allied deployments"
        subtitle = scene.subtitle if scene else "The High North and the eastern flank"
        caption = (title, subtitle, summary.when_after(subtitle, state.date, state.date_range))
    other_sites = scene.other_sites if scene else settings.VIEW_OTHER_SITES_DEFAULT
    with_events = scene is None or "events" in scene.shown_layers
    # As of a day, the layers hold every date and the in-map time bar shows the day's rows.
    drawn = select(data, replace(state, date=None)) if state.date else chosen
    view = compose.view_group(
        scene=scene.id if scene else None,
        bounds=scene.bounds if scene else None,
        layers=scene.shown_layers if scene else (),
        caption=caption,
        told=story(
            data,
            state,
            other_sites=other_sites,
            selection=chosen,
            with_events=with_events,
        ),
    )
    st_folium(
        compose.base_map(data.sites, presenter=present, overlay_table=data.overlays),
        key=Key.MAP,
        height=settings.PRESENTER_MAP_HEIGHT_PX if present else settings.MAP_HEIGHT_PX,
        width="stretch",
        # selected_tags: the day the in-map time bar settled on (layers/timebar.js).
        returned_objects=["last_object_clicked", "selected_tags"],
        on_change=_on_map_click,
        feature_group_to_add=[
            *compose.dynamic_layers(
                drawn.deployments,
                drawn.events,
                state=state,
                site_table=data.sites,
                anchors=data.anchors,
                source_titles=data.source_titles,
            ),
            view,
            compose.time_bar(
                drawn.deployments,
                drawn.events,
                day=state.date,
                bounds=filters.bounds(data),
                site_table=data.sites,
                other_sites=other_sites,
                with_events=with_events,
                publish=static.publish_json,
            ),
        ],
    )


def _metrics(data: Dataset, chosen: Selection) -> None:
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
        key=Key.SITE,
        format_func=lambda s: "—" if s is None else site_names[s],
        placeholder="—",
    )


def _table(data: Dataset, chosen: Selection, state: FilterState) -> None:
    shown = summary.table_frame(
        chosen.deployments,
        source_titles=data.source_titles,
        selected_site=state.site,
        limit=settings.TABLE_MAX_ROWS,
    )
    total = chosen.counts.deployments
    if total > settings.TABLE_MAX_ROWS:
        st.caption(
            f"Showing the first {settings.TABLE_MAX_ROWS:,} of {total:,} rows "
            "(the selected site's first); narrow the filters to see the rest."
        )
    st.session_state[Key.TABLE_SITES] = shown["site"].tolist()
    # A new key per selected site: the rows move (the site's come first), so an old row
    # selection would point at another row; the "●" column shows what is selected.
    key = table(state.site)
    st.dataframe(
        shown,
        key=key,
        hide_index=True,
        width="stretch",
        on_select=functools.partial(_on_table_select, key),
        selection_mode="single-row",
        column_order=[c for c in shown.columns if c not in ("site", "start")],
        column_config=TABLE_COLUMNS,
    )


def _timeline(data: Dataset, chosen: Selection, state: FilterState) -> None:
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


def view() -> None:
    """Time controls, map, metrics, table and timeline; run as a fragment."""
    data = context.dataset()
    ss = st.session_state
    if ss[Key.PLAYING]:
        if ss[Key.DAY] >= filters.bounds(data)[1]:
            ss[Key.PLAYING] = False
        else:
            filters.step(1, data)
    present = bool(ss[Key.PRESENT])
    scene = context.current_scene()
    if not present:  # the audience's screen has no analyst controls
        _time_controls(data)
    state = filters.current()
    query = urlstate.query_from_state(state, default=ss[Key.DEFAULT_STATE])
    st.query_params.from_dict({**query, **({"present": "1"} if present else {})})
    chosen = select(data, state)
    _map(data, chosen, state, scene)
    if present:
        return
    _metrics(data, chosen)
    _table(data, chosen, state)
    _timeline(data, chosen, state)
