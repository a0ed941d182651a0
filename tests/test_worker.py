"""Uploads read in a worker process: a runaway is stopped and reported, the caller stays free.

The worker is a fork of a fork server that imported geo/ once: settings patched in a test do
not reach it, so limits are passed as arguments here.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from bench import hostile
from geo import settings, userdata, worker
from geo.dataset import Dataset, load_dataset
from geo.errors import DeploymentTableError, SitesError
from geo.userdata import LayerUploadError

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def data() -> Dataset:
    """The bundled data, loaded once."""
    return load_dataset()


def _known(data: Dataset) -> dict[str, frozenset[str]]:
    return {"site_ids": frozenset(data.sites["id"]), "source_ids": frozenset(data.sources["id"])}


def test_a_good_table_comes_back_from_the_worker_as_it_is_read_in_process(data: Dataset) -> None:
    text = data.table.to_csv(index=False, lineterminator="\n").encode("utf-8")
    table = worker.read_table("mine.csv", text, **_known(data))
    pd.testing.assert_frame_equal(table, userdata.read_table("mine.csv", text, **_known(data)))


def test_a_refusal_comes_back_as_the_readers_error_cut_to_200_problems(data: Dataset) -> None:
    with pytest.raises(DeploymentTableError) as caught:
        worker.read_table("bad.csv", hostile.bad_rows_csv(rows=2000), **_known(data))
    error = caught.value
    assert error.source == "bad.csv" and error.total > 20_000
    assert len(error.problems) == settings.UPLOAD_PROBLEMS_SHOWN + 1
    assert str(error.problems[-1]).startswith(f"file: and {error.total - 200:,} more: ")


def test_a_worker_over_its_processing_time_is_stopped_and_reported() -> None:
    began = time.monotonic()
    with pytest.raises(LayerUploadError) as caught:
        # sum over a huge range: a builtin that keeps the processor busy for minutes
        worker.run_bounded(
            sum, range(10**12), name="slow.geojson", error=LayerUploadError, seconds=1.0
        )
    assert time.monotonic() - began < 20
    assert "took longer than 1 s of processing, so it was stopped" in str(caught.value.problems[0])


def test_a_worker_that_waits_without_working_is_not_stopped_for_time_until_the_wall_limit() -> None:
    # A loaded server may keep a worker waiting: that costs it no processing time. Only a
    # worker still there after the wall-clock limit is stopped, and told apart.
    assert worker.run_bounded(time.sleep, 1.5, name="x.csv", error=SitesError, seconds=1.0) is None
    with pytest.raises(LayerUploadError) as caught:
        worker.run_bounded(
            time.sleep, 30, name="slow.geojson", error=LayerUploadError, seconds=1.0, wall=2.0
        )
    assert "did not end within 2 s, so it was stopped" in str(caught.value.problems[0])


def test_processor_time_is_read_for_this_process_and_zero_for_a_gone_one() -> None:
    spent = worker._cpu_seconds(os.getpid())
    sum(range(3_000_000))
    assert worker._cpu_seconds(os.getpid()) >= spent > 0
    assert worker._cpu_seconds(2**22 + 7) == 0.0


def test_a_worker_over_its_memory_is_stopped_and_reported() -> None:
    with pytest.raises(SitesError) as caught:
        worker.run_bounded(
            bytearray, 3 * 1024**3, name="big.geojson", error=SitesError, memory=256 * 1024**2
        )
    assert "needed more than 0.25 GB of memory, so it was stopped" in str(caught.value)


def test_a_worker_that_dies_is_reported_not_raised_as_a_crash() -> None:
    with pytest.raises(LayerUploadError, match="stopped unexpectedly \\(exit code 3\\)"):
        worker.run_bounded(os._exit, 3, name="x.geojson", error=LayerUploadError)


def test_a_self_intersecting_ring_under_the_vertex_limit_is_stopped_not_left_running() -> None:
    layer = hostile.zigzag_polygon(vertices=100_000)
    began = time.monotonic()
    with pytest.raises(LayerUploadError) as caught:
        worker.run_bounded(
            userdata.read_layer, "zigzag.geojson", layer, name="zigzag.geojson",
            error=LayerUploadError, seconds=3.0,
        )  # fmt: skip
    assert time.monotonic() - began < 15
    assert "so it was stopped" in str(caught.value.problems[0])


def test_the_caller_thread_stays_free_while_a_worker_runs() -> None:
    ticks: list[float] = []
    done = threading.Event()

    def tick() -> None:
        while not done.is_set():
            ticks.append(time.monotonic())
            time.sleep(0.05)

    ticker = threading.Thread(target=tick)
    ticker.start()
    try:
        with pytest.raises(LayerUploadError):
            worker.run_bounded(
                userdata.read_layer, "zigzag.geojson", hostile.zigzag_polygon(vertices=100_000),
                name="zigzag.geojson", error=LayerUploadError, seconds=3.0,
            )  # fmt: skip
    finally:
        done.set()
        ticker.join()
    gaps = [later - earlier for earlier, later in itertools.pairwise(ticks)]
    assert len(ticks) > 20 and max(gaps) < 1.0


@pytest.mark.parametrize(
    ("reader", "name", "make", "words"),
    [
        ("table", "bomb.xlsx", hostile.workbook_bomb, "unzips to 131.6 MB"),
        ("table", "bad.csv", hostile.bad_rows_csv, "more than 100,000 rows"),
        ("layer", "deep.geojson", hostile.nested_brackets, "nested more than 64 levels"),
        ("sites", "deep.geojson", hostile.nested_brackets, "nested more than 64 levels"),
        ("layer", "zigzag.geojson", hostile.zigzag_polygon, "400,001 vertices"),
    ],
)
def test_each_hostile_file_is_refused_by_the_worker_with_its_message(
    data: Dataset, reader: str, name: str, make: object, words: str
) -> None:
    assert callable(make)
    upload = make()
    with pytest.raises((DeploymentTableError, LayerUploadError, SitesError)) as caught:
        if reader == "table":
            worker.read_table(name, upload, **_known(data))
        elif reader == "layer":
            worker.read_layer(name, upload)
        else:
            worker.read_sites(name, upload, known_ids=frozenset(data.sites["id"]))
    assert words in str(caught.value)


def test_a_10_mb_layer_of_natural_earth_detail_is_accepted_by_the_worker() -> None:
    layer = hostile.detailed_layer()
    upload = worker.read_layer("countries.geojson", layer)
    outlines = json.loads((settings.BOUNDARIES_DIR / "countries_lod2.geojson").read_bytes())
    assert len(upload.features) == len(outlines["features"])
    assert upload.features.geometry.is_valid.all()


def test_the_fork_server_and_its_workers_run_at_the_upload_niceness_once_started() -> None:
    from multiprocessing import forkserver

    worker.start()
    server = forkserver._forkserver._forkserver_pid  # private: read in this test only
    assert server is not None
    # The server lowers its own priority as it starts (geo.background), before its imports.
    deadline = time.monotonic() + 30
    while os.getpriority(os.PRIO_PROCESS, server) != settings.UPLOAD_WORKER_NICENESS:
        assert time.monotonic() < deadline, "the fork server never lowered its priority"
        time.sleep(0.05)
    worker.start()  # a second start changes nothing
    assert forkserver._forkserver._forkserver_pid == server
    # A worker inherits the priority, and is not lowered a second time.
    niceness = worker.run_bounded(os.nice, 0, name="nice", error=DeploymentTableError)
    assert niceness == settings.UPLOAD_WORKER_NICENESS


def test_a_worker_does_not_import_the_parents_main_module_again(tmp_path: Path) -> None:
    # Under Streamlit the main module is the page (app.py): a child importing it again as
    # "__mp_main__" paid for the page's imports (and ran it) before reading the file.
    mark = tmp_path / "imported"
    main = tmp_path / "main.py"
    main.write_text(
        "import os, sys\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        'if __name__ == "__mp_main__":\n'
        f"    open({str(mark)!r}, 'w').close()\n"
        'if __name__ == "__main__":\n'
        "    from geo import worker\n"
        "    from geo.errors import SitesError\n"
        '    print(worker.run_bounded(abs, -3, name="x", error=SitesError))\n',
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, str(main)], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip() == "3"
    assert not mark.exists()
