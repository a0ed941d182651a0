"""The one filter state: seeded into the widgets, read back from them, stepped in time."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from geo import scenes, summary
from geo.dataset import Dataset
from geo.filters import FilterState
from layers import timebar
from ui import context
from ui.state import Key


def seed_widgets(state: FilterState, data: Dataset) -> None:
    """Put a filter state (from the URL, a scene, or the default) into the widgets."""
    ss = st.session_state
    # Only what the data has: a scene or a link may name more (see context._read_scenes).
    ss[Key.NATIONS] = [code for code in state.nations if code in data.nations]
    ss[Key.MISSIONS] = [name for name in state.missions if name in data.missions]
    ss[Key.DOMAINS], ss[Key.STATUSES] = list(state.domains), list(state.statuses)
    ss[Key.SYMBOLS], ss[Key.FLOWS], ss[Key.SITE] = state.symbols, state.flows, state.site
    ss[Key.SCENE] = state.scene
    ss[Key.TIME_MODE] = "day" if state.date else "range" if state.date_range else "all"
    ss[Key.DAY] = state.date or data.default_day
    ss[Key.PERIOD] = state.date_range or (
        data.default_day - dt.timedelta(days=30),
        data.default_day,
    )
    ss[Key.SPAN] = summary.span_for([ss[Key.DAY], *ss[Key.PERIOD]], data.first_day, data.last_day)


def apply_scene() -> None:
    """Put the chosen scene's view into the widgets (the map flies there on the next run)."""
    scene = context.current_scene()
    if scene is not None:
        seed_widgets(scene.state(), context.dataset())


def step_scene(offset: int) -> None:
    """Go to the previous (-1) or next (+1) scene of the briefing."""
    ss = st.session_state
    scene = scenes.neighbour(context.briefing(), ss[Key.SCENE], offset)
    if scene is not None:
        ss[Key.SCENE] = scene.id
        apply_scene()


def fit_widgets(data: Dataset) -> None:
    """After the data changed (an upload, an edit, an undo), drop choices it no longer has."""
    ss = st.session_state
    version = (data.origin, len(data.deployments), data.first_day, data.last_day, data.nations)
    if ss.get(Key.FITTED_TO) == version:
        return
    ss[Key.FITTED_TO] = version
    ss[Key.NATIONS] = [code for code in ss.get(Key.NATIONS, []) if code in data.nations]
    ss[Key.MISSIONS] = [name for name in ss.get(Key.MISSIONS, []) if name in data.missions]
    if ss.get(Key.SITE) is not None and ss[Key.SITE] not in set(data.sites["id"]):
        ss[Key.SITE] = None
    if Key.SPAN in ss:
        on_span()


def current() -> FilterState:
    """The filter state the widgets hold now."""
    ss = st.session_state
    return FilterState.build(
        nations=ss[Key.NATIONS],
        missions=ss[Key.MISSIONS],
        domains=ss[Key.DOMAINS],
        statuses=ss[Key.STATUSES],
        date=ss[Key.DAY] if ss[Key.TIME_MODE] == "day" else None,
        date_range=tuple(ss[Key.PERIOD]) if ss[Key.TIME_MODE] == "range" else None,
        site=ss[Key.SITE],
        scene=ss[Key.SCENE],
        symbols=ss[Key.SYMBOLS],
        flows=ss[Key.FLOWS],
    )


def bounds(data: Dataset) -> tuple[dt.date, dt.date]:
    """First and last day the slider offers for the chosen span."""
    # Takes the data rather than reading it: a rerun fetches the data once and passes it on.
    return summary.span_bounds(data.first_day, data.last_day, span=st.session_state[Key.SPAN])


def step(direction: int, data: Dataset | None = None) -> None:
    """Move the as-of day one step (the chosen unit) back (-1) or on (+1)."""
    ss = st.session_state
    ss[Key.DAY] = summary.step_day(
        ss[Key.DAY],
        unit=ss[Key.STEP],
        direction=direction,
        bounds=bounds(data or context.dataset()),
    )


def time_bar_settled(tags: object) -> bool:
    """Take the day the in-map time bar settled on, once; True when it was new."""
    ss = st.session_state
    settled = timebar.settled_day(tags)
    if settled is None or settled[1] == ss.get(Key.TIME_SETTLED):
        return False
    ss[Key.TIME_SETTLED] = settled[1]
    first, last = bounds(context.dataset())
    ss[Key.TIME_MODE], ss[Key.DAY] = "day", min(max(settled[0], first), last)
    return True


def on_span() -> None:
    """Keep the day and the period inside what the new span offers."""
    first, last = bounds(context.dataset())
    ss = st.session_state
    ss[Key.DAY] = min(max(ss[Key.DAY], first), last)
    start, end = (min(max(day, first), last) for day in ss[Key.PERIOD])
    ss[Key.PERIOD] = (start, end)


def toggle_play() -> None:
    """Start or stop playing (day by day)."""
    ss = st.session_state
    ss[Key.PLAYING] = not ss[Key.PLAYING]
    ss[Key.TIME_MODE] = "day"
