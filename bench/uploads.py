"""Time and peak memory of reading each hostile upload and each largest valid one:
``.venv/bin/python -m bench.uploads`` writes bench/uploads.json and the uploads section of
bench/RESULTS.md.

Each case is measured twice:

- in process, in a fresh Python process per case (``python -m bench.uploads CASE``): the
  reader of geo/userdata.py with no time limit, its wall time and the process's peak resident
  memory (VmHWM) minus what it held before reading (imports, the file's bytes);
- the app's way, through geo/worker.py from this process: wall time until the answer or the
  refusal, with the worker's time and memory limits in force.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import hostile, report
from bench.run import BENCH_DIR, ROOT, commit, peak_rss_mb
from geo import settings, userdata, worker
from geo.dataset import Dataset, load_dataset
from geo.errors import DataError

# A case that does not end in process within this is recorded as not ending.
IN_PROCESS_TIMEOUT_S = 180


def _cases() -> dict[str, tuple[str, str, Callable[[], bytes], bool]]:
    """name -> (reader, file name, maker, measured in process too)."""
    return {
        "workbook-bomb": ("table", "bomb.xlsx", hostile.workbook_bomb, True),
        "workbook-far-cell": ("table", "far.xlsx", hostile.far_cell_workbook, True),
        "300000-bad-rows": ("table", "bad.csv", hostile.bad_rows_csv, True),
        "nested-brackets": ("layer", "deep.geojson", hostile.nested_brackets, True),
        "zigzag-400000": ("layer", "zigzag.geojson", hostile.zigzag_polygon, True),
        # Within every limit, yet a runaway: only the worker's limit stops it.
        "zigzag-100000": (
            "layer",
            "zigzag.geojson",
            lambda: hostile.zigzag_polygon(vertices=100_000),
            False,
        ),
        "100000-bad-rows": ("table", "bad.csv", lambda: hostile.bad_rows_csv(100_000), True),
        "csv-10mb-valid": ("table", "large.csv", hostile.large_table_csv, True),
        "xlsx-100000-valid": ("table", "large.xlsx", hostile.large_table_xlsx, True),
        "layer-10mb-valid": ("layer", "countries.geojson", hostile.detailed_layer, True),
    }


def _read(reader: str, name: str, data: bytes, *, bounded: bool, dataset: Dataset) -> str:
    module: Any = worker if bounded else userdata
    try:
        if reader == "table":
            table = module.read_table(
                name,
                data,
                site_ids=frozenset(dataset.sites["id"]),
                source_ids=frozenset(dataset.sources["id"]),
            )
            return f"accepted: {len(table):,} rows"
        upload = module.read_layer(name, data)
        return f"accepted: {len(upload.features):,} features"
    except DataError as exc:
        first = str(exc.problems[0]) if exc.problems else ""
        return f"refused ({exc.total:,} problems): {first[:160]}"


def measure_one(case: str) -> dict[str, Any]:
    """Read one case in this process; its time, outcome and peak memory above the start."""
    reader, name, make, _ = _cases()[case]
    data = make()
    dataset = load_dataset()  # data and imports loaded before the baseline
    before = peak_rss_mb(os.getpid()) or 0.0
    began, cpu = time.perf_counter(), time.process_time()
    outcome = _read(reader, name, data, bounded=False, dataset=dataset)
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    after = peak_rss_mb(os.getpid()) or 0.0
    return {
        "bytes": len(data),
        "seconds": seconds,
        # CPU time as well: on a loaded machine the wall time says more about the others.
        "cpu_seconds": cpu,
        "peak_mb": after - before,
        "outcome": outcome,
    }


def run() -> dict[str, Any]:
    dataset = load_dataset()
    entries = []
    for case, (reader, name, make, in_process) in _cases().items():
        print(f"== {case}", flush=True)
        entry: dict[str, Any] = {"case": case}
        if in_process:
            try:
                done = subprocess.run(
                    [sys.executable, "-m", "bench.uploads", case],
                    cwd=ROOT,
                    capture_output=True,
                    text=True,
                    timeout=IN_PROCESS_TIMEOUT_S,
                    check=True,
                )
                entry["in_process"] = json.loads(done.stdout.strip().splitlines()[-1])
            except subprocess.TimeoutExpired:
                entry["in_process"] = {"outcome": f"did not end within {IN_PROCESS_TIMEOUT_S} s"}
            except subprocess.CalledProcessError as exc:
                entry["in_process"] = {"outcome": f"crashed: {exc.stderr[-300:]}"}
        data = make()
        entry["bytes"] = len(data)
        began = time.perf_counter()
        entry["worker"] = {"outcome": _read(reader, name, data, bounded=True, dataset=dataset)}
        entry["worker"]["seconds"] = time.perf_counter() - began
        print(f"   {entry}", flush=True)
        entries.append(entry)
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit(),
        "load_average": os.getloadavg()[0],
        "limits": {
            "seconds": settings.UPLOAD_WORKER_SECONDS,
            "memory_mb": settings.UPLOAD_WORKER_MEMORY_BYTES / 1024 / 1024,
        },
        "entries": entries,
    }


def main() -> None:
    if len(sys.argv) > 1:
        print(json.dumps(measure_one(sys.argv[1])))
        return
    results = run()
    path = BENCH_DIR / "uploads.json"
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", "utf-8")
    main_results = BENCH_DIR / "results.json"
    if main_results.exists():
        report.write(json.loads(main_results.read_text("utf-8")), BENCH_DIR)
    print(f"Wrote {path} and {Path(BENCH_DIR / 'RESULTS.md')}")


if __name__ == "__main__":
    main()
