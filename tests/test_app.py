"""The Streamlit page, run headless with AppTest (no browser): wiring of filters, URL and state."""

from __future__ import annotations

import datetime as dt
import runpy
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.dataset import load_dataset, select
from geo.filters import FilterState

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def _app(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def _kept_scenes() -> str:
    """The scenes JSON kept in the test's workspace file."""
    from geo import settings, workspace

    return workspace.read_workspace(settings.WORKSPACE_PATH).scenes or ""


def _keep_scenes(text: str) -> None:
    from geo import settings, workspace

    workspace.update_workspace(settings.WORKSPACE_PATH, scenes=text)


def _metric(at: AppTest, label: str) -> str:
    (metric,) = [m for m in at.metric if m.label == label]
    return str(metric.value)


def test_app_runs_without_exception() -> None:
    at = _app()

    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value.startswith("Allied deployments")
    assert not at.warning


def test_default_view_counts_what_is_active_on_the_latest_stated_day() -> None:
    data = load_dataset()
    expected = select(data, FilterState.build(date=data.default_day)).counts
    at = _app()

    assert at.slider(key="day").value == data.default_day
    assert _metric(at, "Deployments") == str(expected.deployments)
    assert _metric(at, "Nations") == str(expected.nations)


def test_nation_filter_changes_the_table_counts() -> None:
    at = _app()
    at.multiselect(key="nations").set_value(["DEU"]).run()
    at.slider(key="day").set_value(dt.date(2026, 1, 16)).run()

    assert _metric(at, "Deployments") == "1"
    assert _metric(at, "Nations") == "1"
    assert _metric(at, "Personnel where stated") == "13"
    assert at.query_params["nations"] in ("DEU", ["DEU"])
    assert at.query_params["date"] in ("2026-01-16", ["2026-01-16"])


def test_url_sets_the_state() -> None:
    at = _app(date="2026-01-17", nations="DEU,FRA", symbols="app6", site="nuuk")

    assert not at.exception and not at.warning
    assert at.multiselect(key="nations").value == ["DEU", "FRA"]
    assert at.slider(key="day").value == dt.date(2026, 1, 17)
    assert at.radio(key="symbols").value == "app6"
    assert at.selectbox(key="site").value == "nuuk"
    assert _metric(at, "Deployments") == "2"  # Germany in Nuuk, France in Greenland


def test_url_range_sets_range_mode() -> None:
    at = _app(**{"from": "2026-01-10", "to": "2026-01-20"})

    assert at.selectbox(key="time_mode").value == "range"
    assert at.slider(key="period").value == (dt.date(2026, 1, 10), dt.date(2026, 1, 20))


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("date", "2026-02-30"),
        ("date", "yesterday"),
        ("nations", "XXX"),
        ("symbols", "<img src=x onerror=alert(1)>"),
        ("colour", "red"),
    ],
)
def test_bad_url_value_is_ignored_with_a_visible_notice(key: str, value: str) -> None:
    at = _app(**{key: value})

    assert not at.exception, [e.value for e in at.exception]
    assert len(at.warning) == 1
    assert key in at.warning[0].value
    # Markdown-escaped: shown as typed, never as markup.
    assert "<img" not in at.warning[0].value.replace("\\<img", "")


def test_step_buttons_move_the_date_by_the_chosen_unit() -> None:
    at = _app(date="2026-01-19")
    at.button(key="back").click().run()
    assert at.slider(key="day").value == dt.date(2026, 1, 18)
    at.selectbox(key="step").set_value("week").run()
    at.button(key="fwd").click().run()
    assert at.slider(key="day").value == dt.date(2026, 1, 25)


def test_play_advances_the_date_and_pause_stops_it() -> None:
    at = _app(date="2026-01-10")
    at.button(key="play").click().run()
    assert at.session_state["playing"]
    day = at.slider(key="day").value
    assert day > dt.date(2026, 1, 10)
    at.button(key="play").click().run()
    assert not at.session_state["playing"]


def test_a_date_long_ago_widens_the_slider_span_to_reach_it() -> None:
    at = _app(date="2004-06-01")

    assert not at.exception and not at.warning
    assert at.selectbox(key="span").value == "all dates"
    assert at.slider(key="day").value == dt.date(2004, 6, 1)
    assert _metric(at, "Deployments") == "5"  # Šiauliai (since 2004) and the undated four


def test_a_scene_link_opens_presenter_mode_on_that_scene() -> None:
    from geo import settings
    from geo.scenes import load_scenes

    data = load_dataset()
    briefing = load_scenes(settings.SCENES_PATH, known_sites=set(data.sites["id"]))
    first, second = briefing[0], briefing[1]
    at = _app(scene=first.id, present="1")

    assert not at.exception, [e.value for e in at.exception]
    assert not at.title  # the page is the map
    assert at.session_state["scene"] == first.id
    at.button(key="next_scene").click().run()
    assert at.session_state["scene"] == second.id
    assert at.multiselect(key="nations").value == list(second.nations)
    at.button(key="prev_scene").click().run()
    assert at.session_state["scene"] == first.id
    at.button(key="exit_present").click().run()
    assert at.title


def test_saving_the_current_view_as_a_scene_writes_the_workspace_not_the_bundle() -> None:
    from geo import settings

    bundled = settings.SCENES_PATH.read_bytes()
    at = _app(date="2026-01-16", nations="DEU")
    at.text_input(key="new_scene_title").input("German team in Nuuk").run()
    at.button(key="add_scene").click().run()

    assert not at.exception, [e.value for e in at.exception]
    assert settings.SCENES_PATH.read_bytes() == bundled
    saved = _kept_scenes()
    assert "German team in Nuuk" in saved and '"DEU"' in saved
    assert at.selectbox(key="scene").options[-1] == "German team in Nuuk"

    at.button(key="del-german-team-in-nuuk").click().run()
    assert "German team in Nuuk" not in _kept_scenes()


def test_broken_scenes_in_the_workspace_are_refused_and_the_last_good_scenes_stay() -> None:
    at = _app()
    titles = at.selectbox(key="scene").options
    _keep_scenes('[{"id": "x", "titel": 1}')
    at.run()

    assert not at.exception
    assert any("scenes file was not loaded" in e.value for e in at.error)
    assert at.selectbox(key="scene").options == titles


def test_a_large_table_is_cut_with_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    from geo import settings

    monkeypatch.setattr(settings, "TABLE_MAX_ROWS", 5)
    at = _app()

    assert len(at.dataframe[0].value) == 5
    assert any("Showing the first 5 of" in c.value for c in at.caption)


def test_scenes_edited_in_the_workspace_are_read_again() -> None:
    at = _app()
    at.text_input(key="new_scene_title").input("First edit").run()
    at.button(key="add_scene").click().run()
    _keep_scenes(_kept_scenes().replace("First edit", "Second edit"))
    at.run()

    assert at.selectbox(key="scene").options[-1] == "Second edit"


def test_a_missing_scenes_file_leaves_an_empty_briefing_and_a_notice(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from geo import settings

    monkeypatch.setattr(settings, "SCENES_PATH", tmp_path / "no-such-scenes.json")
    at = _app()

    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="scene").options == ["— (free view)"]
    assert any("scenes file was not loaded" in e.value for e in at.error)


class _PageRan(Exception):
    pass


@pytest.mark.parametrize(("run_name", "runs"), [("__main__", True), ("__mp_main__", False)])
def test_the_page_runs_as_streamlit_runs_it_and_not_when_a_worker_imports_it_again(
    monkeypatch: pytest.MonkeyPatch, run_name: str, runs: bool
) -> None:
    # A worker process (an upload's reader, a deck's picture) imports the parent's main
    # module as "__mp_main__"; under Streamlit that is app.py, whose page must not run there.
    def page_ran(*args: object, **kwargs: object) -> None:
        raise _PageRan

    monkeypatch.setattr("streamlit.set_page_config", page_ran)
    if runs:
        with pytest.raises(_PageRan):
            runpy.run_path(APP, run_name=run_name)
    else:
        runpy.run_path(APP, run_name=run_name)
