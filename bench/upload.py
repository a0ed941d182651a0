"""Upload benchmark: ``.venv/bin/python -m bench.upload [--megabytes 10] [--repeat 3]
[--natural-earth]``.

A GeoJSON layer of about the given size (Natural-Earth-like polygons: many rings of a few
hundred vertices, spread over the briefing's region; or, with ``--natural-earth``, the bundled
Natural Earth outlines densified to 10 MB, :func:`bench.hostile.detailed_layer`) goes the way
the page takes it, each step timed:

- *read and check*: :func:`geo.worker.read_layer`, the app's way (a worker process: parse,
  checks, repairs, the display copy, and the answer pickled back). The worker's fork server
  is started by one small upload first, as it is once per app;
- *save*: :func:`geo.workspace.save_workspace` into a fresh workspace file;
- *load*: :func:`geo.workspace.read_workspace`, as the page reloads its data after a save;
- *draw*: :func:`layers.overlays.build` added to a folium map and rendered to HTML.

The target is 2 s for the four. Wall times are best and median of ``--repeat`` runs; CPU
times (user + system) are of the same steps run in this process (the worker's own CPU time
is not counted by the parent), and the load average is printed before and after, since the
machine may be shared. One more figure, outside the total: *rerun*, what every rerun of the
map page pays for the layer (the base map built with it and turned into the script
streamlit-folium sends).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import streamlit_folium

from bench import hostile
from geo import userdata, worker, workspace
from geo.dataset import load_dataset
from layers import compose, overlays

TARGET_SECONDS = 2.0
STEPS = ("read and check", "save", "load", "draw")


def layer_bytes(megabytes: float, *, seed: int = 15) -> bytes:
    """A FeatureCollection of star-shaped polygons of about ``megabytes`` MB of JSON."""
    chance = random.Random(seed)  # noqa: S311 - test data, not a secret
    features = []
    size = 0
    number = 0
    while size < megabytes * 1_000_000:
        number += 1
        lon0, lat0 = chance.uniform(-20, 40), chance.uniform(40, 70)
        count = 300
        ring = []
        for k in range(count):
            angle = math.tau * k / count
            radius = 0.6 + 0.4 * math.sin(7 * angle)  # a star: many vertices, never crossing
            ring.append(
                [
                    round(lon0 + 0.5 * radius * math.cos(angle), 6),
                    round(lat0 + 0.3 * radius * math.sin(angle), 6),
                ]
            )
        ring.append(ring[0])
        feature = {
            "type": "Feature",
            "properties": {"name": f"area {number}", "kind": "exercise"},
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        }
        size += len(json.dumps(feature)) + 1
        features.append(feature)
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def _draw(features: gpd.GeoDataFrame) -> str:
    fmap = folium.Map(location=[55, 20], zoom_start=4, tiles=None)
    overlays.build(features).add_to(fmap)
    html: str = fmap.get_root().render()
    return html


def _timed(
    read: Callable[[str, bytes], userdata.LayerUpload], data: bytes, folder: Path, clock: Any
) -> tuple[dict[str, float], str]:
    times: dict[str, float] = {}
    start = clock()
    upload = read("bench.geojson", data)
    times["read and check"] = clock() - start
    start = clock()
    path = folder / f"bench-{time.monotonic_ns()}.gpkg"
    workspace.save_workspace(workspace.Workspace(overlays=upload.features), path)
    times["save"] = clock() - start
    start = clock()
    kept = workspace.read_workspace(path).overlays
    times["load"] = clock() - start
    start = clock()
    html = _draw(kept)
    times["draw"] = clock() - start
    times["total"] = sum(times[step] for step in STEPS)
    return times, html


def run_once(data: bytes, folder: Path) -> dict[str, float]:
    """Wall-clock seconds of each step of one upload, the app's way (see the module's doc)."""
    times, html = _timed(worker.read_layer, data, folder, time.perf_counter)
    assert len(html) > len(data) // 10  # the features are in the page
    return times


def cpu_once(data: bytes, folder: Path) -> dict[str, float]:
    """CPU seconds (user + system) of each step, all of them in this process."""
    times, _ = _timed(userdata.read_layer, data, folder, time.process_time)
    return times


def rerun_seconds(features: gpd.GeoDataFrame, sites: gpd.GeoDataFrame) -> float:
    """Wall seconds of what a rerun of the map page pays for the base map with the layer: built,
    rendered and turned into the script streamlit-folium sends (as ``st_folium`` does)."""
    start = time.perf_counter()
    fmap = compose.base_map(sites, overlay_table=features)
    fmap.get_root().render()
    fmap.render()
    script = streamlit_folium._get_map_string(fmap)
    hashlib.sha256(script.encode()).hexdigest()
    return time.perf_counter() - start


def _warm_up(attempts: int = 3) -> None:
    """Start the worker's fork server with a small upload (its imports take seconds; on a very
    busy machine the first worker may be stopped as stuck: then it is tried again)."""
    for attempt in range(attempts):
        try:
            worker.read_layer("warm-up.geojson", layer_bytes(0.01))
        except userdata.LayerUploadError:
            if attempt == attempts - 1:
                raise
        else:
            return


def _line(name: str, values: list[float]) -> str:
    return f"{name:>15}: best {min(values):.2f} s, median {statistics.median(values):.2f} s"


def main(argv: list[str]) -> int:
    """Run the benchmark and print a table; exit 1 when the median total misses the target."""
    parser = argparse.ArgumentParser(prog="python -m bench.upload")
    parser.add_argument("--megabytes", type=float, default=10.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--natural-earth", action="store_true")
    parser.add_argument(
        "--write", action="store_true", help="keep the figures in bench/RESULTS.md (upload.json)"
    )
    args = parser.parse_args(argv)
    data = hostile.detailed_layer() if args.natural_earth else layer_bytes(args.megabytes)
    load_before = os.getloadavg()
    _warm_up()
    runs, cpus = [], []
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(args.repeat):
            runs.append(run_once(data, Path(folder)))
            cpus.append(cpu_once(data, Path(folder)))
        kept = workspace.read_workspace(next(Path(folder).glob("bench-*.gpkg"))).overlays
    reruns = [rerun_seconds(kept, load_dataset().sites) for _ in range(args.repeat)]
    load_after = os.getloadavg()
    lines = [f"layer: {len(data) / 1e6:.1f} MB, {data.count(b'Feature') - 1} features"]
    lines.append("wall clock, the app's way (worker process):")
    lines += [_line(step, [run[step] for run in runs]) for step in (*STEPS, "total")]
    lines.append("CPU (user + system), in process:")
    lines += [_line(step, [cpu[step] for cpu in cpus]) for step in (*STEPS, "total")]
    lines.append(_line("rerun", reruns) + " (every rerun of the map page; not in the total)")
    lines.append(f"load average: {load_before[0]:.1f} before, {load_after[0]:.1f} after (1 min)")
    total = statistics.median(run["total"] for run in runs)
    lines.append(f"target {TARGET_SECONDS:.0f} s: {'met' if total <= TARGET_SECONDS else 'missed'}")
    print("\n".join(lines))
    if args.write:
        _write(lines)
    return 0 if total <= TARGET_SECONDS else 1


def _write(lines: list[str]) -> None:
    """Keep the figures as bench/upload.json and rewrite RESULTS.md with them."""
    from bench import report
    from bench.run import BENCH_DIR, commit

    kept = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "commit": commit()}
    (BENCH_DIR / "upload.json").write_text(
        json.dumps({**kept, "lines": lines}, indent=2) + "\n", "utf-8"
    )
    results = BENCH_DIR / "results.json"
    if results.exists():
        report.write(json.loads(results.read_text("utf-8")), BENCH_DIR)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
