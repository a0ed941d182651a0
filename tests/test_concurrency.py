"""Ten browser sessions at once, each with its own filters, each seeing only its own result.

Issue #7 (concurrency): one server, ten separate browser contexts (ten Streamlit sessions)
opened at the same time with different links; then several of them change their filters at
the same time. Every session must show, at every check, exactly what its own filters select:
the metrics, the table's row count, the markers on the map, the marker style and the link in
the address bar. What each one should show is computed here with the functions the app uses
(``geo.urlstate`` and ``geo.dataset.select``), so the test cannot pass by accident.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, Page, sync_playwright
from test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, OfflinePage, _running_app

from geo import nations, urlstate
from geo.dataset import Dataset, load_dataset, select
from geo.filters import FilterState

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed"),
]

# Ten pages share two cores: a page that is not in front must not be slowed down.
BACKGROUND_ARGS = [
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
]
# Ten pages load at once on a small machine: the first one may wait for all the others.
LOAD_TIMEOUT_S = 180
STEP_TIMEOUT_S = 90

# Everything one page shows that depends on its filters, read in one go (so the parts cannot
# come from two different runs): whether a run is going on, the query string, the metrics,
# the table's row count (the grid's aria-rowcount counts the header too), the sites with a
# deployment marker and how many of those are APP-6 symbols. The map's frame is same-origin
# (a component served by the app), so its document is readable from here.
READ_VIEW = """() => {
    const script = document.querySelector("[data-test-script-state]");
    const frame = document.querySelector('iframe[title="streamlit_folium.st_folium"]');
    const doc = frame && frame.contentDocument;
    // As of a day every date's marker is in the map; the time bar hides (display: none) the
    // ones its day does not show.
    const markers = doc ? [...doc.querySelectorAll(".dep[data-site]")]
        .filter(m => m.getClientRects().length > 0) : [];
    const metrics = {};
    document.querySelectorAll('[data-testid="stMetric"]').forEach(m => {
        const label = m.querySelector('[data-testid="stMetricLabel"]');
        const value = m.querySelector('[data-testid="stMetricValue"]');
        metrics[label.innerText.trim()] = value.innerText.trim();
    });
    const grid = document.querySelector('[data-testid="stDataFrame"] table[aria-rowcount]');
    return {
        running: !script || script.getAttribute("data-test-script-state") !== "notRunning",
        search: location.search,
        metrics: metrics,
        rows: grid ? Number(grid.getAttribute("aria-rowcount")) - 1 : -1,
        sites: markers.map(m => m.dataset.site).sort(),
        app6: markers.filter(m => m.classList.contains("dep-app6")).length,
    };
}"""


@dataclass(frozen=True)
class View:
    """What a page shows for its filters, in a form that compares equal when it is the same."""

    query: tuple[tuple[str, str], ...]  # the address bar's query parameters, sorted
    metrics: tuple[tuple[str, str], ...]  # label -> shown value, sorted by label
    rows: int  # rows in the table
    sites: tuple[str, ...]  # site id of each deployment marker, sorted
    symbols: str  # the markers' style: "badges", "app6", "mixed"; "" without markers


@dataclass(frozen=True)
class Step:
    """One thing a user does on a page, and the link (query string) that should follow."""

    act: Callable[[Page], None]
    then: str


@dataclass
class Session:
    """One browser context with one page: one Streamlit session."""

    name: str  # its number and its link, for messages
    offline: OfflinePage
    want: View

    @property
    def page(self) -> Page:
        return self.offline.page


def _press(key: str) -> Callable[[Page], None]:
    """Click the button with this widget key (the ◀ / ▶ date steps are keyed back / fwd)."""
    # Streamlit also renders a zero-size copy of a button with a help tooltip: not that one.
    return lambda page: page.locator(f".st-key-{key} button").filter(visible=True).click()


def _click_label(text: str) -> Callable[[Page], None]:
    """Click a toggle's or a radio option's label."""
    return lambda page: page.get_by_text(text, exact=True).click()


def _remove_nation(code: str) -> Callable[[Page], None]:
    label = nations.label(code)
    return lambda page: page.get_by_role("button", name=f"Remove {label}", exact=True).click()


def _add_nation(code: str) -> Callable[[Page], None]:
    def act(page: Page) -> None:
        box = page.get_by_role("combobox", name="Nations", exact=True)
        box.click()
        box.fill(nations.name(code))
        page.get_by_role("option", name=nations.label(code), exact=True).click()
        page.keyboard.press("Escape")

    return act


# Ten links whose views differ pairwise (metrics and markers), and what each session then
# does; the steps of all sessions are taken at the same time, round by round. Three sessions
# do nothing: they must not change while the others do. Session 0 steps onto the day that
# session 2 opened on, while session 2 steps away from it.
SESSIONS: tuple[tuple[str, tuple[Step, ...]], ...] = (
    ("", (Step(_press("back"), "date=2026-01-18"),)),
    (
        "date=2026-01-15",
        (Step(_press("fwd"), "date=2026-01-16"), Step(_press("fwd"), "date=2026-01-17")),
    ),
    (
        "date=2026-01-18",
        (
            Step(_press("back"), "date=2026-01-17"),
            Step(_press("back"), "date=2026-01-16"),
            Step(_press("back"), "date=2026-01-15"),
        ),
    ),
    (
        "date=2010-01-01",
        (Step(_click_label("Contribution lines for every site"), "date=2010-01-01&flows=1"),),
    ),
    (
        "date=all&nations=BEL",
        (Step(_click_label("NATO APP-6 symbols"), "date=all&nations=BEL&symbols=app6"),),
    ),
    ("date=all&nations=DEU,FRA", (Step(_remove_nation("FRA"), "date=all&nations=DEU"),)),
    ("date=all&missions=greenland-reconnaissance", ()),
    ("date=all&missions=baltic-air-policing", ()),
    ("from=2025-01-01&to=2025-12-31", ()),
    ("nations=NOR,SWE,DNK", (Step(_add_nation("BEL"), "nations=BEL,DNK,NOR,SWE"),)),
)


def _expected(data: Dataset, query: str) -> View:
    """What the app should show for a link, from the same functions the app uses."""
    default = FilterState.build(date=data.default_day)
    known = urlstate.Known(
        nations=frozenset(data.nations),
        missions=data.missions,
        sites=frozenset(data.sites["id"]),
        first_day=data.first_day,
        last_day=data.last_day,
    )
    state, notices = urlstate.state_from_query(
        dict(parse_qsl(query, keep_blank_values=True)), known=known, default=default
    )
    assert notices == [], f"the test's link {query!r} is not a valid one: {notices}"
    chosen = select(data, state)
    counts = chosen.counts
    metrics = {
        "Nations": counts.nations,
        "Deployments": counts.deployments,
        "Personnel where stated": counts.personnel,
    }
    return View(
        query=tuple(sorted(urlstate.query_from_state(state, default=default).items())),
        metrics=tuple(sorted((label, str(value)) for label, value in metrics.items())),
        rows=counts.deployments,
        sites=tuple(sorted(set(chosen.deployments["site"]))),  # one marker per site
        symbols=state.symbols if len(chosen.deployments) else "",
    )


def _marker_style(*, markers: int, app6: int) -> str:
    """The style of a page's markers, as FilterState names it; "mixed" is never right."""
    if not markers:
        return ""
    if app6 == markers:
        return "app6"
    return "badges" if app6 == 0 else "mixed"


def _shown(page: Page) -> tuple[View, bool]:
    """What the page shows now, and whether its script is still running."""
    seen = page.evaluate(READ_VIEW)
    sites, app6 = tuple(seen["sites"]), int(seen["app6"])
    view = View(
        query=tuple(sorted(parse_qsl(seen["search"].removeprefix("?"), keep_blank_values=True))),
        metrics=tuple(sorted(seen["metrics"].items())),
        rows=int(seen["rows"]),
        sites=sites,
        symbols=_marker_style(markers=len(sites), app6=app6),
    )
    return view, bool(seen["running"])


def _wait_until_shown(session: Session, *, timeout_s: float, idle: bool = False) -> None:
    """Wait until the page has finished its run and shows its own view; fail with what it shows.

    An idle page (nothing asked of it) fails as soon as a finished run shows anything else; a
    page that was just clicked may still show its previous view until its run starts.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        seen, running = _shown(session.page)
        if not running and (seen == session.want or idle):
            break
        if time.monotonic() > deadline:
            break
        session.page.wait_for_timeout(200)  # a polling interval, not a wait for time to pass
    if running or seen != session.want:
        ARTIFACTS.mkdir(exist_ok=True)
        number = session.name.split()[0]
        session.page.screenshot(path=str(ARTIFACTS / f"concurrency-session-{number}.png"))
    assert not running, f"session {session.name} is still running after {timeout_s} s"
    assert seen == session.want, f"session {session.name} does not show its own view"


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One app on the bundled data for the whole module (workspace in a tmp dir)."""
    workspace = tmp_path_factory.mktemp("app-workspace")
    with _running_app({"BRIEFING_WORKSPACE": str(workspace)}) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium, every page kept at full speed even when not in front."""
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=[*CHROMIUM_ARGS, *BACKGROUND_ARGS]
        )
        yield chromium
        chromium.close()


def test_ten_simultaneous_sessions_each_show_only_their_own_filters(
    app_url: str, browser: Browser
) -> None:
    data = load_dataset()
    views = [_expected(data, query) for query, _ in SESSIONS]
    # The test means something only if the sessions would show different things.
    assert len({(view.metrics, view.sites) for view in views}) == len(views)

    contexts = [browser.new_context(viewport={"width": 1280, "height": 900}) for _ in SESSIONS]
    try:
        sessions = [
            Session(f"{number} ?{query}", OfflinePage(context.new_page()), want=view)
            for number, (context, view, (query, _)) in enumerate(
                zip(contexts, views, SESSIONS, strict=True)
            )
        ]
        # Open all ten before waiting on any, so that they load (and run) at the same time.
        for session, (query, _) in zip(sessions, SESSIONS, strict=True):
            session.page.goto(f"{app_url}/?{query}" if query else app_url, wait_until="commit")
        for session in sessions:
            _wait_until_shown(session, timeout_s=LOAD_TIMEOUT_S)

        # Then act in seven of them, all at once, round by round: every session clicks before
        # any is waited for. A session's next step waits for its previous one to be shown.
        rounds = max(len(steps) for _, steps in SESSIONS)
        for turn in range(rounds):
            acting = []
            for session, (_, steps) in zip(sessions, SESSIONS, strict=True):
                if turn < len(steps):
                    steps[turn].act(session.page)
                    session.want = _expected(data, steps[turn].then)
                    acting.append(session)
            for session in sessions:
                idle = session not in acting
                _wait_until_shown(session, timeout_s=STEP_TIMEOUT_S, idle=idle)

        finals = [session.want for session in sessions]
        assert len({(view.metrics, view.sites) for view in finals}) == len(finals)
        # Last, every session again: nothing that another did after it settled changed it.
        for session in sessions:
            _wait_until_shown(session, timeout_s=STEP_TIMEOUT_S, idle=True)
            page_errors = session.offline.own_errors()
            assert page_errors == [], f"session {session.name} logged errors: {page_errors}"
            assert session.offline.aborted == [], f"session {session.name} asked the internet"
    finally:
        for context in contexts:
            context.close()
