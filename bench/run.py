"""The benchmark, in one command: ``.venv/bin/python -m bench.run``.

For the default data and generated tables of 10,000 and 100,000 rows, it starts our app and the
naive one (bench/naive_app.py) on loopback, drives each in headless Debian Chromium with every
non-loopback request aborted, times the PNG export in-process, and writes bench/results.json and
bench/RESULTS.md.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from playwright.sync_api import Browser, Page, Route, WebSocket, sync_playwright
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from bench import generate, report

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
DAY = dt.date(2026, 1, 19)
SEED = 20260119
DRAW_TIMEOUT_S = 120  # a dataset that does not draw within this is recorded as unusable
STEP_TIMEOUT_S = 60
NAIVE_STEP_BUDGET_S = 90  # the naive app stops stepping once its steps took this long
# (name, rows or None for the bundled data, slider steps)
DATASETS: tuple[tuple[str, int | None, int], ...] = (
    ("default", None, 10),
    ("10000", 10_000, 10),
    ("100000", 100_000, 5),
)
DECK_METHOD = (
    "Deck = `export.deck.deck_bytes(dataset, scenes, banner=..., pool=...)` in-process with "
    "the data loaded and a pool of drawing processes ready (what a pool kept by the app "
    "would give; the app's button today starts one per deck: the figure without a pool), "
    "pictures 3840 px wide, median of 3; once more "
    "without a pool ready (one started for the deck); and `python -m export --deck` timed "
    "once from its start (imports and data loading included). CPU time = user + system of "
    "the process and all its children (workers read in /proc). Default data only: the scenes "
    "are written for it."
)
# What marks "the map is drawn" in each app's map iframe.
MARKERS = {"ours": ".dep-icon", "naive": ".leaflet-marker-icon"}

# Injected in every frame: script states and the key press, timed by the page's clock.
INIT_SCRIPT = """
window.__states = [];
new MutationObserver(ms => { for (const m of ms) {
    const v = m.target.getAttribute('data-test-script-state');
    if (v) { window.__states.push([v, Date.now()]); } } })
  .observe(document, {attributes: true, subtree: true,
                      attributeFilter: ['data-test-script-state']});
document.addEventListener('keydown', () => { window.__t0 = Date.now(); window.__states = []; },
                          true);
"""
# Before a step: remember the map's window and the last pushed layers.
BEFORE_STEP = """(sel) => { const f = document.querySelector(sel);
    window.__oldWin = f ? f.contentWindow : null;
    window.__gen = f ? (f.contentWindow.__GLOBAL_DATA__ || {}).last_feature_group : null; }"""
# After the key press: how the map was updated and when, or false while it is not.
STEP_DONE = """([sel, mark]) => {
    const f = document.querySelector(sel); const w = f && f.contentWindow;
    if (w && w !== window.__oldWin && w.document.querySelector(mark)) {
        return ['remount', Date.now() - window.__t0]; }
    if (w && w.__GLOBAL_DATA__ && w.__GLOBAL_DATA__.last_feature_group !== window.__gen) {
        return ['layers', Date.now() - window.__t0]; }
    const s = window.__states || [];
    const ran = s.some(x => x[0] === 'running');
    const last = s[s.length - 1];
    // Idle without a map change: only once it has stayed idle for 300 ms.
    if (ran && last && last[0] === 'notRunning' && Date.now() - last[1] > 300) {
        return ['idle', last[1] - window.__t0]; }
    return false; }"""
IDLE = """() => { const s = window.__states || []; const last = s[s.length - 1];
    return s.some(x => x[0] === 'running') && last && last[0] === 'notRunning'
        && Date.now() - last[1] > 200; }"""
DRAWN = """([sel, mark]) => {
    const f = document.querySelector(sel);
    if (f && f.contentDocument && f.contentDocument.querySelector(mark)) { return 'drawn'; }
    const e = document.querySelector('[data-testid="stException"]');
    return e ? 'error: ' + e.innerText.slice(0, 200) : false; }"""


# Milestones of a page opening, each true from the moment it is reached (the warm first map
# is broken down by them): Streamlit's page up, the map's iframe, Leaflet in it, outlines
# drawn (more than 20 shapes), the first deployment marker.
MILESTONES = """([sel, mark]) => {
    const f = document.querySelector(sel);
    const d = f && f.contentDocument;
    return {
        page: !!document.querySelector('[data-testid="stMain"], [data-testid="stApp"]'),
        iframe: !!f,
        leaflet: !!(d && d.querySelector('.leaflet-container')),
        outlines: !!(d && d.querySelectorAll('.leaflet-overlay-pane path').length > 20),
        marker: !!(d && d.querySelector(mark)),
    }; }"""
MILESTONE_NAMES = {
    "page": "Streamlit's page up",
    "iframe": "map iframe",
    "leaflet": "Leaflet in it",
    "outlines": "outlines drawn",
    "marker": "first marker",
}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def running(script: Path, env: dict[str, str], log: Path) -> Iterator[tuple[str, int]]:
    """Start ``streamlit run script`` from the repository root; yield (url, pid); stop it."""
    port = _free_port()
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(script),
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
            ],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false", **env},
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:  # noqa: S310
                        if resp.status == 200:
                            break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"the app did not start; see {log}") from None
                    time.sleep(0.2)
            yield url, proc.pid
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def peak_rss_mb(pid: int) -> float | None:
    """The process's peak resident set size (VmHWM), in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def frame_kind(payload: bytes) -> str:
    """What a Streamlit websocket message carries, guessed from its bytes."""
    if b"streamlit_folium" in payload or b"feature_group" in payload:
        return "map"
    if b"vega-lite" in payload or b"vega.github.io" in payload:
        return "timeline"
    if b"pandas_version" in payload or b"ARROW" in payload:
        return "table"
    return "other"


class Recorder:
    """Every websocket frame the page receives: (time, bytes, kind)."""

    def __init__(self, page: Page) -> None:
        self.frames: list[tuple[float, int, str]] = []
        page.on("websocket", self._socket)

    def _socket(self, ws: WebSocket) -> None:
        ws.on("framereceived", self._frame)

    def _frame(self, payload: str | bytes) -> None:
        data = payload.encode() if isinstance(payload, str) else payload
        self.frames.append((time.perf_counter(), len(data), frame_kind(data)))

    def since(self, mark: int) -> tuple[int, dict[str, int]]:
        kinds: dict[str, int] = {}
        for _, size, kind in self.frames[mark:]:
            kinds[kind] = kinds.get(kind, 0) + size
        return sum(kinds.values()), kinds


def _offline(page: Page) -> list[str]:
    aborted: list[str] = []

    def route(r: Route) -> None:
        parsed = urlparse(r.request.url)
        if parsed.scheme in ("data", "blob", "about") or parsed.hostname in LOCAL_HOSTS:
            r.continue_()
        else:
            aborted.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    return aborted


def drive(browser: Browser, url: str, *, marker: str, steps: int, naive: bool) -> dict[str, Any]:
    """Open the page, wait for the map, step the date slider; the browser-side figures."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    out: dict[str, Any] = {}
    try:
        page = context.new_page()
        page.add_init_script(INIT_SCRIPT)
        aborted = _offline(page)
        rec = Recorder(page)
        start = time.perf_counter()
        page.goto(f"{url}/?date={DAY.isoformat()}", wait_until="commit")
        try:
            handle = page.wait_for_function(
                DRAWN, arg=[MAP_FRAME, marker], timeout=DRAW_TIMEOUT_S * 1000, polling=50
            )
            state = handle.json_value()
        except PlaywrightTimeout:
            state = f"not drawn within {DRAW_TIMEOUT_S} s"
        drawn_at = time.perf_counter()
        if state != "drawn":
            out["unusable"] = str(state)
            return out
        out["first_map_s"] = drawn_at - start
        before = [(size, kind) for t, size, kind in rec.frames if t <= drawn_at]
        if before:
            size, kind = max(before)
            out["first_payload_kb"] = size / 1024
            out["first_payload_kind"] = kind
        page.wait_for_selector("[data-test-script-state=notRunning]", timeout=STEP_TIMEOUT_S * 1000)
        page.wait_for_timeout(300)
        out["steps"] = _steps(page, rec, marker=marker, steps=steps, naive=naive)
        times = [s["ms"] for s in out["steps"] if s.get("ms") is not None]
        sizes = [s["bytes"] for s in out["steps"] if s.get("bytes") is not None]
        if times:
            out["step_ms"] = statistics.median(times)
        if sizes:
            out["step_kb"] = statistics.median(sizes) / 1024
        out["aborted_requests"] = aborted
    finally:
        context.close()
    return out


def _warm_open(browser: Browser, url: str, *, marker: str) -> dict[str, float]:
    """Time to the map in a second session (the server's caches warm), and when each of
    :data:`MILESTONES` was first seen (seconds after opening, polled every 50 ms)."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    seen: dict[str, float] = {}
    try:
        page = context.new_page()
        _offline(page)
        start = time.perf_counter()
        page.goto(f"{url}/?date={DAY.isoformat()}", wait_until="commit")
        while time.perf_counter() - start < DRAW_TIMEOUT_S and "marker" not in seen:
            try:
                state = page.evaluate(MILESTONES, [MAP_FRAME, marker])
            except PlaywrightError:  # the page is still navigating
                state = {}
            now = time.perf_counter() - start
            for name, reached in state.items():
                if reached and name not in seen:
                    seen[name] = now
            page.wait_for_timeout(50)
    finally:
        context.close()
    return seen


def _steps(
    page: Page, rec: Recorder, *, marker: str, steps: int, naive: bool
) -> list[dict[str, Any]]:
    slider = page.locator('[data-testid="stSlider"] input[type=range]').first
    done: list[dict[str, Any]] = []
    spent = 0.0
    for _ in range(steps):
        if naive and spent > NAIVE_STEP_BUDGET_S:
            break
        slider.focus()
        page.evaluate(BEFORE_STEP, MAP_FRAME)
        mark = len(rec.frames)
        began = time.perf_counter()
        page.keyboard.press("ArrowLeft")
        try:
            how, ms = page.wait_for_function(
                STEP_DONE, arg=[MAP_FRAME, marker], timeout=STEP_TIMEOUT_S * 1000
            ).json_value()
            page.wait_for_function(IDLE, timeout=STEP_TIMEOUT_S * 1000)
        except PlaywrightTimeout:
            done.append({"how": f"timeout after {STEP_TIMEOUT_S} s", "ms": None, "bytes": None})
            break
        page.wait_for_timeout(150)  # late frames of the same rerun
        total, kinds = rec.since(mark)
        done.append({"how": how, "ms": ms, "bytes": total, "by_kind": kinds})
        spent += time.perf_counter() - began
    return done


def png_seconds(folder: Path | None) -> float:
    """Warm 1920×1080 PNG export in-process, median of 3."""
    from export.render import Renderer
    from geo.dataset import load_dataset
    from geo.filters import FilterState

    if folder is None:
        dataset = load_dataset()
    else:
        dataset = load_dataset(
            deployments_path=folder / "deployments.csv",
            sites_path=folder / "sites.geojson",
            sources_path=folder / "sources.csv",
            events_path=folder / "events.csv",
        )
    renderer = Renderer()
    state = FilterState.build(date=DAY)
    renderer.render(state, dataset=dataset)  # warm: outlines loaded and projected
    times = []
    for _ in range(3):
        began = time.perf_counter()
        renderer.render(state, dataset=dataset)
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def _cpu_s() -> float:
    """CPU seconds (user + system) used so far by this process and every process it started:
    those waited for, and those still running (the deck's workers), read from /proc."""
    own = os.times()
    total = own.user + own.system + own.children_user + own.children_system
    parents: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        parents[int(entry.name)] = int(fields[1])
        ticks[int(entry.name)] = int(fields[11]) + int(fields[12])  # utime + stime
    mine = {os.getpid()}
    grew = True
    while grew:
        found = {pid for pid, parent in parents.items() if parent in mine} - mine
        grew = bool(found)
        mine |= found
    mine.discard(os.getpid())
    return total + sum(ticks[pid] for pid in mine) / os.sysconf("SC_CLK_TCK")


def _timed(work: Callable[[], object]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process and its children) of ``work()``."""
    cpu, began = _cpu_s(), time.perf_counter()
    work()
    return time.perf_counter() - began, _cpu_s() - cpu


def deck_figures(runs: int = 3) -> dict[str, Any]:
    """The bundled briefing's deck: in-process as the app's button makes it (data loaded, the
    app's pool of drawing processes ready), median of ``runs``; and ``python -m export --deck``
    once, from the interpreter's start to the file written. Wall and CPU time (user + system,
    workers included) of each, the load average before, and how long the pool takes to get
    ready."""
    from export import deck
    from geo.dataset import load_dataset
    from geo.scenes import load_scenes

    load_before = os.getloadavg()[0]
    dataset = load_dataset()
    scenes = load_scenes(known_sites=frozenset(dataset.sites["id"]))

    def make(pool: deck.PicturePool | None = None) -> bytes:
        return deck.deck_bytes(dataset, scenes, banner="UNCLASSIFIED", pool=pool)

    holder: list[deck.PicturePool] = []

    def start() -> None:
        holder.append(deck.PicturePool())
        holder[0].wait_ready()

    ready_s, ready_cpu = _timed(start)
    pool = holder[0]
    try:
        runs_s = [_timed(lambda: make(pool)) for _ in range(runs)]
    finally:
        pool.close()
    no_pool = _timed(make)  # a pool started for this deck alone (a click before it is ready)
    with tempfile.TemporaryDirectory(prefix="bench-deck-") as name:
        out = Path(name) / "briefing.pptx"
        env = {**os.environ, "BRIEFING_WORKSPACE": str(Path(name) / "workspace.gpkg")}
        command = [sys.executable, "-m", "export", "--deck", str(out), "--banner", "UNCLASSIFIED"]
        cli = _timed(
            lambda: subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)
        )
    return {
        "deck_s": statistics.median(wall for wall, _ in runs_s),
        "deck_cli_s": cli[0],
        "deck_scenes": len(scenes),
        "deck_runs_s": [round(wall, 2) for wall, _ in runs_s],
        "deck_runs_cpu_s": [round(cpu, 2) for _, cpu in runs_s],
        "deck_pool_ready_s": [round(ready_s, 2), round(ready_cpu, 2)],
        "deck_no_pool_s": [round(no_pool[0], 2), round(no_pool[1], 2)],
        "deck_cli_cpu_s": round(cli[1], 2),
        "deck_load_before": round(load_before, 2),
    }


def deck_note(figures: dict[str, Any], where: str) -> str:
    """The deck's line under the default data's table."""
    runs = ", ".join(
        f"{wall:.2f} s ({cpu:.1f} s CPU)"
        for wall, cpu in zip(figures["deck_runs_s"], figures["deck_runs_cpu_s"], strict=True)
    )
    ready, no_pool = figures["deck_pool_ready_s"], figures["deck_no_pool_s"]
    return (
        f"deck: {figures['deck_scenes']} scenes, 3840 px pictures; in-process runs {runs}, "
        f"with a pool of drawing processes ready (it got ready in {ready[0]:.2f} s, "
        f"{ready[1]:.1f} s CPU); without a pool ready {no_pool[0]:.2f} s ({no_pool[1]:.1f} s "
        f"CPU); command line {figures['deck_cli_s']:.2f} s ({figures['deck_cli_cpu_s']:.1f} s "
        f"CPU); CPU = user + system of every process; load average before "
        f"{figures['deck_load_before']:.1f}; {where}"
    )


def deck_only() -> dict[str, Any]:
    """Measure the deck alone and put it into the last results (bench/results.json)."""
    results: dict[str, Any] = json.loads((BENCH_DIR / "results.json").read_text("utf-8"))
    default = next(entry for entry in results["datasets"] if entry["name"] == "default")
    figures = deck_figures()
    default["ours"].update(figures)
    default["naive"]["deck_s"] = default["naive"]["deck_cli_s"] = None
    default["notes"] = [note for note in default["notes"] if not note.startswith("deck:")]
    default["notes"].append(
        deck_note(
            figures,
            f"measured alone (`python -m bench.run deck`) at {commit()} on {_now()}; "
            "the other figures are from the run above",
        )
    )
    results["method"] = [line for line in results["method"] if not line.startswith("Deck = ")]
    results["method"].insert(-2, DECK_METHOD)
    results["misses"] = [m for m in results["misses"] if "PowerPoint deck" not in m]
    results["misses"] += [m for m in _misses("default", default["ours"]) if "PowerPoint" in m]
    return results


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def machine(browser_version: str) -> dict[str, Any]:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    models = [
        line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if "model name" in line
    ]
    meminfo = Path("/proc/meminfo").read_text().split()
    ram_kb = int(meminfo[meminfo.index("MemTotal:") + 1])
    return {
        "cpu": models[0] if models else platform.processor(),
        "cpus": len(models) or os.cpu_count(),
        "ram_gb": round(ram_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "chromium": browser_version,
    }


def _git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def commit() -> str:
    head = _git("rev-parse", "--short", "HEAD")
    # A --porcelain line is its status letters, then the path; _git strips the output's ends,
    # which takes the leading space of the first line's status (" M README.md").
    lines = _git("status", "--porcelain").splitlines()
    dirty = [line.split(maxsplit=1)[1] for line in lines if len(line.split(maxsplit=1)) == 2]
    others = [path for path in dirty if not path.startswith("bench/")]
    return head + (f" (with uncommitted changes to {', '.join(others)})" if others else "")


def _naive_folder(tmp: Path) -> Path:
    folder = tmp / "naive"
    folder.mkdir()
    shutil.copyfile(BENCH_DIR / "naive_app.py", folder / "naive_app.py")
    (folder / "static").symlink_to(ROOT / "static")  # Streamlit serves static/ beside the script
    return folder / "naive_app.py"


def _step_notes(app: str, result: dict[str, Any]) -> list[str]:
    steps = result.get("steps", [])
    if not steps:
        return []
    hows: dict[str, int] = {}
    for step in steps:
        hows[step["how"]] = hows.get(step["how"], 0) + 1
    kinds: dict[str, list[int]] = {}
    for step in steps:
        for kind, size in step.get("by_kind", {}).items():
            kinds.setdefault(kind, []).append(size)
    split = ", ".join(
        f"{kind} {statistics.median(sizes) / 1024:.1f} KB" for kind, sizes in sorted(kinds.items())
    )
    how = ", ".join(f"{n}× {h}" for h, n in hows.items())
    return [f"{app}: {len(steps)} steps ({how}); bytes per step by message (median): {split}"]


def _misses(name: str, ours: dict[str, Any]) -> list[str]:
    misses = []
    for key, target in report.TARGETS.get(name, {}).items():
        if report.verdict(ours.get(key), target) != "miss":
            continue
        metric = next(m for m in report.METRICS if m.key == key)
        value = ours.get(key)
        why = ""
        if "unusable" in ours:
            why = f" ({ours['unusable']})"
        elif key == "step_kb":
            why = " — " + _step_notes("made up of", ours)[0].split("; ", 1)[1]
        elif key == "step_ms":
            why = (
                " — the whole fragment (map layers, table, timeline) reruns on the server "
                "and is sent per step; see the bytes per step"
            )
        elif key == "first_map_warm_s":
            parts = ours.get("first_map_warm_parts") or {}
            reached = ", ".join(
                f"{label} {parts[name]:.2f} s"
                for name, label in MILESTONE_NAMES.items()
                if name in parts
            )
            why = (
                " — with the data cached, the time goes to the page's own start-up; reached "
                f"after opening: {reached}"
            )
        elif key == "first_map_s":
            why = (
                f" — largest frame before the map: {ours.get('first_payload_kb', 0):.0f} KB "
                f"({ours.get('first_payload_kind', '?')}); includes loading the data on the "
                "first session"
            )
        shown = "not measured" if value is None else f"{value:.1f} {metric.unit}"
        target_text = f"{target:g} {metric.unit}"
        misses.append(f"{name}: {metric.label}: {shown}, target ≤ {target_text}{why}")
    return misses


def run(only: tuple[str, ...] = ()) -> dict[str, Any]:
    began = time.monotonic()
    results: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit(),
        "datasets": [],
        "misses": [],
    }
    with tempfile.TemporaryDirectory(prefix="bench-") as name, sync_playwright() as pw:
        tmp = Path(name)
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        results["machine"] = machine(browser.version)
        naive_script = _naive_folder(tmp)
        for dataset_name, rows, steps in DATASETS:
            if only and dataset_name not in only:
                continue
            print(f"== {dataset_name}", flush=True)
            folder = None
            env = {
                "BRIEFING_WORKSPACE": str(tmp / f"workspace-{dataset_name}"),
                "BENCH_REPO_ROOT": str(ROOT),
            }
            if rows is not None:
                folder = generate.data_folder(tmp / f"data-{rows}", rows, seed=SEED)
                env["BRIEFING_DATA_DIR"] = str(folder)
            entry: dict[str, Any] = {
                "name": dataset_name,
                "title": "Default data (data/)"
                if rows is None
                else f"Generated: {rows:,} deployments (seed {SEED})",
                "steps_requested": steps,
                "notes": [],
            }
            for app, script in (("ours", ROOT / "app.py"), ("naive", naive_script)):
                log = tmp / f"{app}-{dataset_name}.log"
                try:
                    with running(script, env, log) as (url, pid):
                        result = drive(
                            browser, url, marker=MARKERS[app], steps=steps, naive=app == "naive"
                        )
                        if "unusable" not in result:
                            parts = _warm_open(browser, url, marker=MARKERS[app])
                            result["first_map_warm_s"] = parts.get("marker")
                            result["first_map_warm_parts"] = parts
                        result["peak_rss_mb"] = peak_rss_mb(pid)
                except RuntimeError as exc:
                    result = {"unusable": str(exc)}
                if "unusable" in result:
                    entry["notes"].append(f"{app}: unusable — {result['unusable']}")
                    tail = log.read_text(errors="replace")[-400:] if log.exists() else ""
                    if tail.strip():
                        result["server_log_tail"] = tail
                entry["notes"] += _step_notes(app, result)
                if result.get("aborted_requests"):
                    entry["notes"].append(f"{app}: aborted {result['aborted_requests'][:3]}")
                entry[app] = result
                print(f"   {app}: {_summary(result)}", flush=True)
            entry["ours"]["png_s"] = png_seconds(folder)
            entry["naive"]["png_s"] = None  # the naive app has no image export
            if rows is None:  # the briefing's scenes are written for the bundled data
                figures = deck_figures()
                entry["ours"].update(figures)
                entry["notes"].append(deck_note(figures, "measured in this run"))
            results["datasets"].append(entry)
            results["misses"] += _misses(dataset_name, entry["ours"])
        browser.close()
    results["elapsed_s"] = round(time.monotonic() - began, 1)
    results["method"] = [
        f"Page opened at `/?date={DAY.isoformat()}` in a 1600×1000 headless Chromium; first "
        "map = from `page.goto` (the first session after the server started: data loaded "
        "cold) to the first `.dep-icon` (ours) or `.leaflet-marker-icon` "
        "(naive) inside the st_folium iframe (polled every 50 ms).",
        "First map, warm = the same in a second browser context afterwards (caches warm).",
        "Step = focus the date slider, press ArrowLeft; timed in the page's clock from the "
        "keydown to: `layers` (the iframe's `__GLOBAL_DATA__.last_feature_group` changed), "
        "`remount` (a new map iframe with a marker drawn: the naive app's map is re-created on "
        "every change), or `idle` (the app's script state back to notRunning, held 300 ms, "
        "with no map change; the time is that of the notRunning).",
        "Bytes per step = sum of websocket frames received from the key press until the app is "
        "idle (+150 ms). Message kinds are guessed from their bytes (map: streamlit_folium; "
        "timeline: Vega-Lite; table: Arrow/pandas).",
        "First map payload = the largest websocket frame received before the map was drawn.",
        "PNG = `export.render.Renderer().render(FilterState.build(date=...), dataset=...)` "
        "in-process, after one warm-up render, median of 3. The naive app has no export.",
        DECK_METHOD,
        "Peak RSS = VmHWM of the Streamlit server process after the steps.",
        f"Steps: {', '.join(f'{n} at {d}' for d, _, n in DATASETS)}; the naive app stops "
        f"stepping after {NAIVE_STEP_BUDGET_S} s of steps, and a step times out after "
        f"{STEP_TIMEOUT_S} s. A map not drawn within {DRAW_TIMEOUT_S} s is recorded as unusable.",
        f"Whole run: {results['elapsed_s']} s.",
    ]
    return results


def _summary(result: dict[str, Any]) -> str:
    if "unusable" in result:
        return f"unusable: {result['unusable']}"
    keys = ("first_map_s", "step_ms", "step_kb", "first_payload_kb", "peak_rss_mb")
    return ", ".join(f"{k}={result[k]:.2f}" for k in keys if result.get(k) is not None)


def main() -> None:
    # Optional arguments: dataset names to run (default: all), e.g. `-m bench.run default`;
    # `-m bench.run deck` measures only the deck, into the last results.
    only = tuple(sys.argv[1:])
    results = deck_only() if only == ("deck",) else run(only)
    json_path, md_path = report.write(results, BENCH_DIR)
    for dataset in results["datasets"]:
        print(f"\n{dataset['title']}")
        for row in report.table_rows(dataset):
            print("  " + " | ".join(row))
    print()
    for miss in results["misses"]:
        print("MISS", miss)
    print(f"\nWrote {json_path} and {md_path} in {results['elapsed_s']} s")


if __name__ == "__main__":
    main()
