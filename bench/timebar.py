"""The in-map time bar's figures, into the last results (``python -m bench.run timebar``).

Frame time = from a key press on the scrubber (the event's timeStamp) to the end of the
animation frame that applied the day and placed the markers again (``performance.now()`` in
the map's frame, kept by layers/timebar.js in ``briefing.timeState.frames``). Bytes = the time
columns as JSON, raw and deflated (what a compressed transfer carries), measured on the same
data the app loads.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import zlib
from dataclasses import replace
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, sync_playwright

from bench import generate, report
from bench.run import (
    BENCH_DIR,
    CHROMIUM,
    CHROMIUM_ARGS,
    DATASETS,
    DAY,
    DRAW_TIMEOUT_S,
    MAP_FRAME,
    ROOT,
    SEED,
    _now,
    _offline,
    commit,
    running,
)

#: Key presses on the scrubber per dataset (alternately back and on, so the day stays near
#: the bench's day), with this pause between them so each gets its own frame.
PRESSES = 60
PAUSE_MS = 40
METHOD = (
    "Time bar (`python -m bench.timebar`): page at `/?date=2026-01-19`, 1600×1000; "
    f"{PRESSES} ArrowLeft/ArrowRight presses on the in-map scrubber, {PAUSE_MS} ms apart; "
    "frame = the key event's timeStamp to the end of the animation frame that showed, hid and "
    "restyled what the day changes (layout forced; painting not included; markers are moved "
    "aside only once the bar settles), `performance.now()` in the map's frame; median and "
    "95th percentile. Reruns counted by the page's script state. Bytes = the time columns "
    "(layers/timebar.py) as JSON, raw and deflated (zlib level 6): a file under /app/static "
    "named by its content, fetched once per filter (a rerun for another day pushes only its "
    "URL); the static route sends it uncompressed, so the raw figure is what arrives today."
)


def column_bytes(folder: Path | None) -> tuple[int, int]:
    """Raw and deflated bytes of the time columns the app sends for the bench's day."""
    from geo import settings
    from geo.dataset import load_dataset, select
    from geo.filters import FilterState
    from layers import timebar

    paths: dict[str, Path] = {}
    if folder is not None:
        paths = {
            "sources_path": folder / "sources.csv",
            "sites_path": folder / "sites.geojson",
            "deployments_path": folder / "deployments.csv",
            "events_path": folder / "events.csv",
        }
    data = load_dataset(**paths)  # type: ignore[arg-type]
    state = FilterState.build(date=DAY)
    drawn = select(data, replace(state, date=None))
    columns = timebar.time_columns(
        drawn.deployments,
        drawn.events,
        day=DAY,
        bounds=(data.first_day, data.last_day),
        point_sites=(
            data.sites.loc[data.sites["kind"] != "sea_area", "id"].astype(str).tolist()
            if settings.VIEW_OTHER_SITES_DEFAULT == "quiet"
            else None
        ),
    )
    rest = {key: value for key, value in columns.items() if key not in timebar.DAY_KEYS}
    text = json.dumps(rest, separators=(",", ":"), ensure_ascii=False).encode()
    return len(text), len(zlib.compress(text, 6))


def frames(browser: Browser, url: str) -> dict[str, Any]:
    """Frame times of key presses on the scrubber, and the reruns they caused."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    try:
        page = context.new_page()
        _offline(page)
        page.goto(f"{url}/?date={DAY.isoformat()}", wait_until="domcontentloaded")
        page.wait_for_selector("[data-test-script-state=notRunning]", timeout=DRAW_TIMEOUT_S * 3000)
        handle = page.locator(MAP_FRAME).element_handle(timeout=DRAW_TIMEOUT_S * 3000)
        assert handle is not None
        frame = handle.content_frame()
        assert frame is not None
        frame.wait_for_selector('[data-testid="time-scrub"]', timeout=DRAW_TIMEOUT_S * 3000)
        frame.wait_for_selector(".dep-icon", timeout=DRAW_TIMEOUT_S * 1000)
        page.wait_for_timeout(1000)
        page.evaluate(
            """() => { window.__reruns = 0;
            const app = document.querySelector("[data-test-script-state]");
            new MutationObserver(() => {
                if (app.getAttribute("data-test-script-state") === "running") {
                    window.__reruns++; } })
            .observe(app, {attributes: true, attributeFilter: ["data-test-script-state"]}); }"""
        )
        frame.locator('[data-testid="time-scrub"]').focus()
        frame.evaluate("() => { window.briefing.timeState.frames.length = 0; }")
        rows = []
        for press in range(PRESSES):
            page.keyboard.press("ArrowLeft" if press % 2 == 0 else "ArrowRight")
            page.wait_for_timeout(PAUSE_MS)
            rows.append(
                int(
                    frame.evaluate(
                        "() => +document.querySelector('.leaflet-container').dataset.timeRows"
                    )
                )
            )
        page.wait_for_timeout(200)
        times: list[float] = frame.evaluate("() => window.briefing.timeState.frames.slice()")
        reruns = int(page.evaluate("() => window.__reruns"))
    finally:
        context.close()
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] if ordered else None
    return {
        "scrub_frame_ms": round(statistics.median(ordered), 2) if ordered else None,
        "scrub_frame_p95_ms": None if p95 is None else round(p95, 2),
        "scrub_frames": len(ordered),
        "scrub_reruns": reruns,
        "scrub_rows_shown": sorted(set(rows)),
    }


def measure(datasets: tuple[tuple[str, int | None], ...]) -> dict[str, dict[str, Any]]:
    """Time bar figures per dataset name."""
    out: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-timebar-") as name, sync_playwright() as pw:
        tmp = Path(name)
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        for dataset_name, rows in datasets:
            env = {"BRIEFING_WORKSPACE": str(tmp / f"workspace-{dataset_name}")}
            folder = None
            if rows is not None:
                folder = generate.data_folder(tmp / f"data-{rows}", rows, seed=SEED)
                env["BRIEFING_DATA_DIR"] = str(folder)
            load = os.getloadavg()[0]
            with running(ROOT / "app.py", env, tmp / f"{dataset_name}.log") as (url, _pid):
                figures = frames(browser, url)
            raw, deflated = column_bytes(folder)
            figures.update(
                {
                    "time_columns_kb": round(deflated / 1024, 1),
                    "time_columns_raw_kb": round(raw / 1024, 1),
                    "timebar_load": round(load, 1),
                }
            )
            out[dataset_name] = figures
            print(dataset_name, figures, flush=True)
        browser.close()
    return out


def into(results: dict[str, Any], figures: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The last results with the time bar's figures and a note per dataset."""
    for entry in results["datasets"]:
        found = figures.get(entry["name"])
        if found is None:
            continue
        entry["ours"].update(found)
        entry["notes"] = [n for n in entry["notes"] if not n.startswith("time bar:")]
        entry["notes"].append(
            f"time bar: {found['scrub_frames']} frames, {found['scrub_reruns']} rerun(s) "
            f"while scrubbing, rows shown {found['scrub_rows_shown']}; columns "
            f"{found['time_columns_raw_kb']:,} KB raw; measured alone at {commit()} on "
            f"{_now()}, load average before {found['timebar_load']}"
        )
    results["method"] = [m for m in results["method"] if not m.startswith("Time bar (")]
    results["method"].insert(-1, METHOD)
    return results


def main() -> None:
    # Optional arguments: dataset names (default: the bundled data and 100,000 rows).
    names = tuple(sys.argv[1:]) or ("default", "100000")
    chosen = tuple((name, rows) for name, rows, _steps in DATASETS if name in names)
    results: dict[str, Any] = json.loads((BENCH_DIR / "results.json").read_text("utf-8"))
    kept = _hand_written_sections(BENCH_DIR / "RESULTS.md")
    json_path, md_path = report.write(into(results, measure(chosen)), BENCH_DIR)
    if kept:
        md_path.write_text(md_path.read_text("utf-8") + kept, "utf-8")
    print(f"Wrote {json_path} and {md_path}")


def _hand_written_sections(path: Path) -> str:
    # The uploads section is kept by hand in RESULTS.md when bench/uploads.json is absent:
    # writing the results again must not drop it.
    text = path.read_text("utf-8") if path.exists() else ""
    at = text.find("\n## Uploads")
    if at < 0 or (path.parent / "uploads.json").exists():
        return ""
    return text[at:]


if __name__ == "__main__":
    main()
