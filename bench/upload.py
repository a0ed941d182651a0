"""Upload benchmark: ``.venv/bin/python -m bench.upload [--megabytes 10] [--repeat 3]``.

A GeoJSON layer of about the given size (Natural-Earth-like polygons: many rings of a few
hundred vertices, spread over the briefing's region) is read and checked
(:func:`geo.userdata.read_layer`), saved into a fresh workspace
(:func:`geo.workspace.save_workspace`) and drawn as the map draws it
(:func:`layers.overlays.build` added to a folium map, rendered to HTML). Each step is timed
in-process, wall clock, best and median of ``--repeat`` runs; the target is 2 s in all.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import folium

from geo import userdata, workspace
from layers import overlays

TARGET_SECONDS = 2.0


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


def run_once(data: bytes, folder: Path) -> dict[str, float]:
    """Seconds for each step of one upload."""
    times: dict[str, float] = {}
    start = time.perf_counter()
    upload = userdata.read_layer("bench.geojson", data)
    times["read and check"] = time.perf_counter() - start
    start = time.perf_counter()
    path = folder / f"bench-{time.monotonic_ns()}.gpkg"
    workspace.save_workspace(workspace.Workspace(overlays=upload.features), path)
    times["save"] = time.perf_counter() - start
    start = time.perf_counter()
    fmap = folium.Map(location=[55, 20], zoom_start=4, tiles=None)
    overlays.build(upload.features).add_to(fmap)
    html = fmap.get_root().render()
    times["draw"] = time.perf_counter() - start
    times["total"] = sum(times.values())
    assert len(html) > len(data) // 4  # the features are in the page
    return times


def main(argv: list[str]) -> int:
    """Run the benchmark and print a table; exit 1 when the median total misses the target."""
    parser = argparse.ArgumentParser(prog="python -m bench.upload")
    parser.add_argument("--megabytes", type=float, default=10.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    data = layer_bytes(args.megabytes)
    runs = []
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(args.repeat):
            runs.append(run_once(data, Path(folder)))
    print(f"layer: {len(data) / 1e6:.1f} MB, {data.count(b'Feature') - 1} features")
    for step in runs[0]:
        values = [run[step] for run in runs]
        print(f"{step:>15}: best {min(values):.2f} s, median {statistics.median(values):.2f} s")
    total = statistics.median(run["total"] for run in runs)
    print(f"target {TARGET_SECONDS:.0f} s: {'met' if total <= TARGET_SECONDS else 'missed'}")
    return 0 if total <= TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
