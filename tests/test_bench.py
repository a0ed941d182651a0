"""The benchmark's data generator and results writer (the benchmark itself is not run here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bench import generate, report, run, upload
from geo import settings, tables


def test_generator_gives_the_same_rows_for_the_same_seed() -> None:
    assert generate.deployment_rows(200, seed=7) == generate.deployment_rows(200, seed=7)
    assert generate.deployment_rows(200, seed=7) != generate.deployment_rows(200, seed=8)


def test_generated_rows_are_accepted_by_the_deployment_loader(tmp_path: Path) -> None:
    folder = generate.data_folder(tmp_path / "data", 500, seed=3)
    sites = tables.load_sites(folder / "sites.geojson")
    sources = tables.load_sources(folder / "sources.csv")
    rows = tables.load_deployments(folder / "deployments.csv", sites=sites, sources=sources)
    assert len(rows) == 500 and rows["id"].is_unique
    real = tables.load_deployments(settings.DEPLOYMENTS_PATH, sites=sites, sources=sources)
    assert set(rows["nation"]) <= set(real["nation"])
    assert set(rows["mission"]) <= set(real["mission"])
    countries = dict(zip(sites["id"], sites["country"].fillna(""), strict=True))
    assert all(
        host == ("" if countries[site] is None else countries[site])
        for host, site in zip(rows["host"].fillna(""), rows["site"], strict=True)
    )
    assert rows["start"].min().date() >= generate.FIRST_DAY
    assert rows["end"].max().date() <= generate.LAST_DAY
    assert (rows["date_precision"] == "day").all()
    assert rows["end"].isna().any() and rows["personnel"].isna().any()


def _results() -> dict[str, object]:
    return {
        "date": "2026-01-19 12:00 UTC",
        "commit": "abc1234",
        "machine": {"cpu": "Test CPU", "cpus": 2, "ram_gb": 8, "python": "3.11", "chromium": "1"},
        "datasets": [
            {
                "name": "default",
                "title": "Default data",
                "ours": {"first_map_s": 1.2, "step_ms": 200.0, "step_kb": 20.0, "png_s": 0.5},
                "naive": {"first_map_s": 4.8, "step_ms": 2000.0, "step_kb": 3000.0},
                "notes": ["ours: 10 steps"],
            }
        ],
        "misses": ["default: step 200 ms, target ≤ 150 ms"],
        "method": ["how"],
    }


def test_markdown_table_shows_figures_ratio_and_pass_or_miss() -> None:
    text = report.markdown(_results())
    assert "| Figure | Ours | Naive | Naive/ours | Target | Ours: pass/miss |" in text
    first = next(line for line in text.splitlines() if line.startswith("| First map drawn ("))
    assert "1.20 s" in first and "4.80 s" in first and "4.0×" in first and first.endswith("pass |")
    step = next(line for line in text.splitlines() if line.startswith("| Date-slider step"))
    assert "200 ms" in step and "10.0×" in step and step.endswith("miss |")
    assert "- default: step 200 ms, target ≤ 150 ms" in text
    assert "Test CPU × 2" in text and "abc1234" in text


def test_a_figure_not_measured_misses_its_target() -> None:
    assert report.verdict(None, 1.5) == "miss"
    assert report.verdict(1.5, 1.5) == "pass"
    assert report.verdict(3.0, None) == ""


def test_write_puts_json_and_markdown_in_the_folder(tmp_path: Path) -> None:
    json_path, md_path = report.write(_results(), tmp_path)
    assert json_path.read_text("utf-8").startswith("{")
    assert md_path.read_text("utf-8").startswith("# Benchmark results")


def test_upload_benchmark_layer_has_the_size_asked_and_runs_every_step(tmp_path: Path) -> None:
    data = upload.layer_bytes(0.3)
    assert 0.3e6 <= len(data) <= 0.4e6
    for times in (upload.run_once(data, tmp_path), upload.cpu_once(data, tmp_path)):
        assert set(times) == {"read and check", "save", "load", "draw", "total"}
        assert times["total"] == pytest.approx(sum(v for k, v in times.items() if k != "total"))


def test_cpu_time_counts_a_child_process_still_running() -> None:
    burn = (
        "import sys, time\n"
        "began = time.process_time()\n"
        "while time.process_time() - began < 0.5:\n"
        "    pass\n"
        "sys.stdout.write('x'); sys.stdout.flush(); time.sleep(60)\n"
    )
    before = run._cpu_s()
    child = subprocess.Popen([sys.executable, "-c", burn], stdout=subprocess.PIPE)
    try:
        assert child.stdout is not None and child.stdout.read(1) == b"x"
        assert run._cpu_s() - before >= 0.45
    finally:
        child.kill()
        child.wait()


def test_deck_note_gives_wall_and_cpu_time_and_the_load() -> None:
    figures = {
        "deck_scenes": 7,
        "deck_runs_s": [6.1, 5.9, 6.0],
        "deck_runs_cpu_s": [11.0, 10.5, 10.7],
        "deck_pool_ready_s": [3.2, 5.0],
        "deck_no_pool_s": [9.5, 16.0],
        "deck_cli_s": 11.8,
        "deck_cli_cpu_s": 20.1,
        "deck_load_before": 0.4,
    }
    note = run.deck_note(figures, "measured in this run")
    assert note.startswith("deck: 7 scenes, 3840 px pictures; in-process runs 6.10 s (11.0 s CPU)")
    assert "command line 11.80 s (20.1 s CPU)" in note
    assert "load average before 0.4; measured in this run" in note
