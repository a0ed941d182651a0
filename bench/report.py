"""Targets, pass/miss and the Markdown / JSON writers of the benchmark results (no browser)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Metric:
    """One measured figure: its key in the results, how it is shown, and its unit."""

    key: str
    label: str
    unit: str  # "s", "ms", "KB", "MB"


METRICS: tuple[Metric, ...] = (
    Metric("first_map_s", "First map drawn (open → first marker)", "s"),
    Metric("first_map_warm_s", "First map drawn, second session (server caches warm)", "s"),
    Metric("step_ms", "Date-slider step, median (key press → map updated)", "ms"),
    Metric("step_kb", "Websocket bytes received per step, median", "KB"),
    Metric("first_payload_kb", "First map payload (largest websocket frame before drawn)", "KB"),
    Metric("scrub_frame_ms", "Time bar: frame, median (key on the scrubber → map redrawn)", "ms"),
    Metric("scrub_frame_p95_ms", "Time bar: frame, 95th percentile", "ms"),
    Metric("time_columns_kb", "Time bar: columns sent once, deflated", "KB"),
    Metric("png_s", "PNG export 1920×1080, warm, median of 3", "s"),
    Metric("deck_s", "PowerPoint deck of the briefing's scenes, in-process, median of 3", "s"),
    Metric("deck_cli_s", "PowerPoint deck from `python -m export --deck` (start to end)", "s"),
    Metric("peak_rss_mb", "Server peak RSS (VmHWM)", "MB"),
)

# Targets per dataset name: metric key -> upper bound (in the metric's unit).
TARGETS: dict[str, dict[str, float]] = {
    "default": {
        "first_map_s": 1.5,
        "first_map_warm_s": 1.5,
        "step_ms": 150,
        "step_kb": 50,
        "scrub_frame_ms": 16,
        "png_s": 1.5,
        "deck_s": 10,
    },
    "10000": {
        "first_map_s": 1.5,
        "first_map_warm_s": 1.5,
        "step_ms": 300,
        "step_kb": 50,
        "png_s": 1.5,
    },
    "100000": {
        "step_ms": 1000,
        "step_kb": 50,
        "scrub_frame_ms": 50,
        "time_columns_kb": 2048,
        "png_s": 1.5,
    },
}


def verdict(value: float | None, target: float | None) -> str:
    """ "pass", "miss" or "" (no target); a figure not measured misses its target."""
    if target is None:
        return ""
    return "pass" if value is not None and value <= target else "miss"


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "ms":
        return f"{value:.0f} ms"
    return f"{value:,.1f} {unit}"


def _ratio(naive: float | None, ours: float | None) -> str:
    if naive is None or ours is None or ours == 0:
        return "—"
    return f"{naive / ours:.1f}×"


def table_rows(dataset: dict[str, Any]) -> list[list[str]]:
    """The rows of one dataset's table: metric, ours, naive, ratio, target, pass/miss."""
    targets = TARGETS.get(str(dataset["name"]), {})
    ours, naive = dataset.get("ours", {}), dataset.get("naive", {})
    rows = []
    for metric in METRICS:
        target = targets.get(metric.key)
        value = ours.get(metric.key)
        rows.append(
            [
                metric.label,
                _fmt(value, metric.unit),
                _fmt(naive.get(metric.key), metric.unit),
                _ratio(naive.get(metric.key), value),
                "—" if target is None else f"≤ {_fmt(target, metric.unit)}",
                verdict(value, target),
            ]
        )
    return rows


def markdown(results: dict[str, Any]) -> str:
    """The whole RESULTS.md: machine, date, commit, a table per dataset, and the misses."""
    machine = results.get("machine", {})
    lines = [
        "# Benchmark results",
        "",
        "Written by `.venv/bin/python -m bench.run` (one run; figures vary by a few per cent "
        "from run to run). *Ours* is `app.py`; *naive* is `bench/naive_app.py`, a tutorial-style "
        "app on the same data. Ratio = naive / ours.",
        "",
        f"- Date: {results.get('date', '?')}",
        f"- Commit: {results.get('commit', '?')}",
        f"- CPU: {machine.get('cpu', '?')} × {machine.get('cpus', '?')}; "
        f"RAM {machine.get('ram_gb', '?')} GB",
        f"- Python {machine.get('python', '?')}; Chromium {machine.get('chromium', '?')} "
        "(headless, every non-loopback request aborted)",
        "",
    ]
    for dataset in results.get("datasets", []):
        lines += [
            f"## {dataset.get('title', dataset['name'])}",
            "",
            "| Figure | Ours | Naive | Naive/ours | Target | Ours: pass/miss |",
            "| --- | ---: | ---: | ---: | --- | --- |",
        ]
        lines += ["| " + " | ".join(row) + " |" for row in table_rows(dataset)]
        lines.append("")
        lines += [f"- {note}" for note in dataset.get("notes", [])]
        lines.append("")
    misses = results.get("misses", [])
    lines += ["## Missed targets", ""]
    lines += [f"- {miss}" for miss in misses] if misses else ["- None."]
    lines += ["", "## How it was measured", ""]
    lines += [f"- {line}" for line in results.get("method", [])]
    return "\n".join(lines).rstrip() + "\n"


def _mb_text(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f} MB"


def _s_text(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f} s"


def uploads_markdown(uploads: dict[str, Any]) -> str:
    """The uploads section of RESULTS.md (written by ``python -m bench.uploads``)."""
    limits = uploads.get("limits", {})
    lines = [
        "## Uploads: hostile files and the largest valid ones",
        "",
        f"Written by `.venv/bin/python -m bench.uploads` on {uploads.get('date', '?')} "
        f"(commit {uploads.get('commit', '?')}). *In process*: the reader of geo/userdata.py "
        "alone in a fresh process, no time limit; peak = VmHWM growth while reading. "
        f"*Worker*: the app's way (geo/worker.py), limits {limits.get('seconds', '?')} s and "
        f"{limits.get('memory_mb', 0):,.0f} MB resident. Load average at the start: "
        f"{uploads.get('load_average', '?')} (2 cores).",
        "",
        "| Case | Size | In process: time | In process: CPU | In process: peak "
        "| In process: outcome | Worker: time | Worker: outcome |",
        "| --- | ---: | ---: | ---: | ---: | --- | ---: | --- |",
    ]
    for entry in uploads.get("entries", []):
        inside = entry.get("in_process", {})
        bounded = entry.get("worker", {})
        lines.append(
            "| "
            + " | ".join(
                [
                    entry["case"],
                    f"{entry.get('bytes', 0) / 1024 / 1024:,.2f} MB",
                    _s_text(inside.get("seconds")),
                    _s_text(inside.get("cpu_seconds")),
                    _mb_text(inside.get("peak_mb")),
                    str(inside.get("outcome", "not run")).replace("|", "/"),
                    _s_text(bounded.get("seconds")),
                    str(bounded.get("outcome", "")).replace("|", "/"),
                ]
            )
            + " |"
        )
    return "\n".join(lines) + "\n"


def layer_upload_markdown(kept: dict[str, Any]) -> str:
    """The section of RESULTS.md on a 10 MB layer read, checked, saved and drawn (written by
    ``python -m bench.upload --write``)."""
    return (
        "## A 10 MB layer: read, checked, saved, drawn (target 2 s)\n\n"
        f"Written by `.venv/bin/python -m bench.upload --write` on {kept.get('date', '?')} "
        f"(commit {kept.get('commit', '?')}); best and median of 3.\n\n```\n"
        + "\n".join(str(line) for line in kept.get("lines", []))
        + "\n```\n"
    )


def write(results: dict[str, Any], folder: Path) -> tuple[Path, Path]:
    """Write results.json and RESULTS.md into ``folder`` (with the uploads section when
    ``folder/uploads.json`` exists)."""
    json_path = folder / "results.json"
    md_path = folder / "RESULTS.md"
    json_path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", "utf-8")
    text = markdown(results)
    uploads = folder / "uploads.json"
    if uploads.exists():
        text += "\n" + uploads_markdown(json.loads(uploads.read_text("utf-8")))
    layer = folder / "upload.json"
    if layer.exists():
        text += "\n" + layer_upload_markdown(json.loads(layer.read_text("utf-8")))
    md_path.write_text(text, "utf-8")
    return json_path, md_path
