"""Read uploads in a worker process with a time and a memory limit, off the server's threads.

Every session of the app shares one server process. Reading and checking an upload is
Python work that holds the interpreter lock (a 100,000-row table, geometry repair, splitting
at the antimeridian), so done in the server it would stall every other session, and a
runaway (a self-intersecting ring of many vertices) would never end. Here each upload is read
in a child process started from a ``forkserver`` (the modules are imported once, each child
is a cheap fork of that server, never of the multi-threaded server itself):

- the parent waits for the answer, looking at the child every few milliseconds, and kills it
  when it has spent more than ``settings.UPLOAD_WORKER_SECONDS`` of processor time (CPU time,
  so that a busy server delaying a small file's worker does not refuse the file), has taken
  more than ``settings.UPLOAD_WORKER_MEMORY_BYTES`` of memory, or is still running after
  ``settings.UPLOAD_WORKER_WALL_SECONDS`` (the waiting thread sleeps in ``poll``, so the
  server stays free);
- as a backstop the child limits its own address space (``RLIMIT_AS``, a few times the memory
  budget: allocators reserve far more address space than they use) and its CPU time;
- at most ``settings.UPLOAD_WORKERS`` children run at once.

A refusal comes back as the reader's own :class:`~geo.errors.DataError`, cut to its first
problems (:func:`geo.limits.capped`); a child stopped for time or memory becomes a refusal of
the same type that says which limit was hit. :func:`read_table`, :func:`read_layer` and
:func:`read_sites` take the arguments of their :mod:`geo.userdata` namesakes.
"""

from __future__ import annotations

import functools
import math
import multiprocessing
import os
import resource
import threading
import time
from collections.abc import Callable, Collection
from multiprocessing import forkserver, spawn
from multiprocessing.connection import Connection
from multiprocessing.context import ForkServerContext
from typing import Any, TypeVar

import geopandas as gpd
import pandas as pd

from geo import limits, settings, userdata
from geo.errors import (
    DataError,
    DeploymentTableError,
    EventsTableError,
    Problem,
    SitesError,
    SourcesTableError,
)

T = TypeVar("T")

# Modules the fork server imports once, so that no child imports anything; geo.background
# first, so that the imports themselves run at the workers' lower priority.
_PRELOAD = ["geo.background", "geo.worker"]
# Seconds of CPU time the child may use beyond the wall-clock limit before the kernel stops it
# (the parent normally kills it first; this covers a parent that died).
_CPU_GRACE_S = 5
# Address space the child may reserve, in memory budgets beyond what it holds at start
# (pyarrow's and glibc's allocators reserve arenas they never touch).
_ADDRESS_SPACE_BUDGETS = 4
# Seconds between two looks at the child's resident memory.
_WATCH_S = 0.02


@functools.cache
def without_main_module() -> None:
    """Start every later worker process without importing the parent's main module again.

    ``multiprocessing`` imports the parent's ``__main__`` in each child it starts from a fork
    server (as ``__mp_main__``), in case the function it runs was defined there. Ours never
    are (the readers and the deck's drawing are functions of this package), and under
    Streamlit the main module is the page itself, ``app.py``: its imports (Streamlit, the
    pages, folium) cost each upload about 2.6 s before the file was even read. This drops
    that step from the data every child is prepared with. Called once per process by the
    users of worker processes (:func:`_context`, the deck's picture pool).
    """
    prepare = spawn.get_preparation_data

    @functools.wraps(prepare)
    def preparation_data(name: str) -> dict[str, Any]:
        data: dict[str, Any] = prepare(name)
        data.pop("init_main_from_name", None)
        data.pop("init_main_from_path", None)
        return data

    spawn.get_preparation_data = preparation_data


@functools.cache
def _context() -> ForkServerContext:
    # A cached context, like a module constant: set up once per process, never mutated after.
    without_main_module()
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    return context


def start() -> None:
    """Start the workers' fork server now, in the background, rather than on the first upload.

    Its imports take a few seconds of CPU (at low priority); started with the app, the first
    upload neither waits for them within its time limit nor has them compete with the
    sessions stepping through the map meanwhile. Later calls do nothing.
    """
    _context()  # sets the fork server's preload
    forkserver.ensure_running()


@functools.cache
def _slots() -> threading.BoundedSemaphore:
    return threading.BoundedSemaphore(settings.UPLOAD_WORKERS)


def _address_space() -> int:
    """Bytes of address space this process holds now (VmSize)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _resident(pid: int) -> int:
    """Bytes of memory a process holds now (VmRSS); 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return 0
    return 0


def _cpu_seconds(pid: int) -> float:
    """Processor seconds (user and system) a process has spent; 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rpartition(")")[2].split()
    except OSError:
        return 0.0
    # After the command's closing parenthesis: state is field 0, utime 11, stime 12.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _limit_self(memory: int, seconds: float) -> None:
    # Inherited from the fork server already (geo.background); never lowered twice.
    os.nice(max(0, settings.UPLOAD_WORKER_NICENESS - os.nice(0)))
    limit = _address_space() + _ADDRESS_SPACE_BUDGETS * memory
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    cpu = math.ceil(seconds) + _CPU_GRACE_S
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))


def _child(
    conn: Connection,
    memory: int,
    seconds: float,
    function: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> None:
    answer: tuple[str, Any]
    try:
        _limit_self(memory, seconds)
        answer = ("value", function(*args, **kwargs))
    except DataError as exc:
        answer = ("refused", limits.capped(exc))
    except MemoryError:
        answer = ("memory", None)
    except RecursionError:
        answer = ("crash", "the file is nested too deeply to be read")
    except Exception as exc:  # reported to the page as a refusal, not a server crash
        answer = ("crash", f"{type(exc).__name__}: {exc}"[:500])
    try:
        conn.send(answer)
    except MemoryError:
        conn.send(("memory", None))
    finally:
        conn.close()


def _statement(kind: str, detail: object, *, seconds: float, memory: int) -> str:
    if kind == "time":
        return (
            f"reading and checking the file took longer than {seconds:g} s of processing, so it "
            "was stopped; a geometry with very many self-intersections or an unusually large "
            "table? Simplify or split the file"
        )
    if kind == "wall":
        return (
            f"reading and checking the file did not end within {detail:g} s, so it was stopped; "
            "the server may be very busy: try again in a moment"
        )
    if kind == "memory":
        return (
            f"reading and checking the file needed more than {memory / 1024**3:g} GB of "
            "memory, so it was stopped; split the file or simplify its geometries"
        )
    if kind == "died":
        return f"the process reading the file stopped unexpectedly ({detail})"
    return f"the file could not be read: {detail}"


def _wait(
    receiver: Connection, process: Any, *, seconds: float, memory: int, wall: float
) -> tuple[str, Any]:
    """The child's answer, or ("time" | "wall" | "memory" | "died", detail) once it must be
    stopped."""
    deadline = time.monotonic() + wall
    base = _resident(process.pid)  # what the fork shares with the fork server, counted once
    while not receiver.poll(_WATCH_S):
        if _cpu_seconds(process.pid) > seconds:
            return "time", None
        if time.monotonic() > deadline:
            return "wall", wall
        if _resident(process.pid) - base > memory:
            return "memory", None
    try:
        answer: tuple[str, Any] = receiver.recv()
    except EOFError:  # the child died without answering (a signal, the kernel)
        process.join(timeout=1)
        return "died", f"exit code {process.exitcode}"
    return answer


def run_bounded(
    function: Callable[..., T],
    *args: Any,
    name: str,
    error: type[DataError],
    seconds: float | None = None,
    memory: int | None = None,
    wall: float | None = None,
    **kwargs: Any,
) -> T:
    """Call ``function(*args, **kwargs)`` in a worker process within a time and memory limit.

    Parameters
    ----------
    function : callable
        A module-level function (it is sent to the child by name), e.g. a reader of
        :mod:`geo.userdata`. Its arguments and result must pickle.
    name : str
        The upload's name, shown in a refusal made here.
    error : type of DataError
        Raised, with one problem saying which limit was hit, when the child is stopped.
    seconds, memory, wall : optional
        Processor seconds, bytes of memory beyond its start and wall-clock seconds;
        ``settings.UPLOAD_WORKER_SECONDS``, ``settings.UPLOAD_WORKER_MEMORY_BYTES`` and
        ``settings.UPLOAD_WORKER_WALL_SECONDS`` when omitted.

    Returns
    -------
    The function's result.

    Raises
    ------
    DataError
        What the function raised (cut to its first problems), or ``error`` when the child
        ran out of time or memory or died.
    """
    seconds = settings.UPLOAD_WORKER_SECONDS if seconds is None else seconds
    memory = settings.UPLOAD_WORKER_MEMORY_BYTES if memory is None else memory
    wall = settings.UPLOAD_WORKER_WALL_SECONDS if wall is None else wall
    context = _context()
    with _slots():
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(
            target=_child,
            args=(sender, memory, seconds, function, args, kwargs),
            daemon=True,
        )
        process.start()
        sender.close()
        try:
            kind, payload = _wait(receiver, process, seconds=seconds, memory=memory, wall=wall)
        finally:
            receiver.close()
            if process.is_alive():
                process.kill()
            process.join()
            process.close()
    if kind == "value":
        result: T = payload
        return result
    if kind == "refused":
        raise payload
    statement = _statement(kind, payload, seconds=seconds, memory=memory)
    raise error([Problem(None, None, None, statement)], name)


def read_table(
    name: str, data: bytes, *, site_ids: Collection[str], source_ids: Collection[str]
) -> pd.DataFrame:
    """:func:`geo.userdata.read_table` in a worker process (see :func:`run_bounded`)."""
    return run_bounded(
        userdata.read_table,
        name,
        data,
        name=name,
        error=DeploymentTableError,
        site_ids=frozenset(site_ids),
        source_ids=frozenset(source_ids),
    )


def read_layer(name: str, data: bytes) -> userdata.LayerUpload:
    """:func:`geo.userdata.read_layer` in a worker process (see :func:`run_bounded`)."""
    return run_bounded(userdata.read_layer, name, data, name=name, error=userdata.LayerUploadError)


def read_sites(name: str, data: bytes, *, known_ids: Collection[str]) -> gpd.GeoDataFrame:
    """:func:`geo.userdata.read_sites` in a worker process (see :func:`run_bounded`)."""
    return run_bounded(
        userdata.read_sites,
        name,
        data,
        name=name,
        error=SitesError,
        known_ids=frozenset(known_ids),
    )


def read_sources(name: str, data: bytes, *, known_ids: Collection[str]) -> pd.DataFrame:
    """:func:`geo.userdata.read_sources` in a worker process (see :func:`run_bounded`)."""
    return run_bounded(
        userdata.read_sources,
        name,
        data,
        name=name,
        error=SourcesTableError,
        known_ids=frozenset(known_ids),
    )


def read_events(
    name: str,
    data: bytes,
    *,
    site_ids: Collection[str],
    source_ids: Collection[str],
    known_ids: Collection[str],
) -> pd.DataFrame:
    """:func:`geo.userdata.read_events` in a worker process (see :func:`run_bounded`)."""
    return run_bounded(
        userdata.read_events,
        name,
        data,
        name=name,
        error=EventsTableError,
        site_ids=frozenset(site_ids),
        source_ids=frozenset(source_ids),
        known_ids=frozenset(known_ids),
    )
