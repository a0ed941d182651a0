"""Scripted import into a workspace: ``python -m geo.workspace import FILE.gpkg [options]``.

Options (each may be left out; ``--layer`` may be repeated)::

    --deployments CSV|XLSX   the deployment table, merged by id (a row of the file wins)
    --sites GEOJSON          sites to add (an id already added is replaced)
    --sources CSV|XLSX       the user's own sources, merged by id
    --events CSV|XLSX        the user's own events, merged by id
    --layer NAME=GEOJSON     a context layer, replacing the layer of that name

Every file is read and checked with the app's own readers (:mod:`geo.userdata`), then the
whole new workspace is checked as the app loads it (:func:`geo.dataset.load_dataset`). Only
when nothing is wrong is it written, atomically (:func:`geo.workspace.save_workspace`,
creating the file if needed); what changed is printed. Otherwise every problem is printed
(file, row or feature, column, value, what was expected), nothing is written, and the exit
status is 1 (2 for a wrong command line).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import geopandas as gpd
import pandas as pd

from geo import dataset, userdata
from geo.errors import DataError, Problem
from geo.workspace import Workspace, read_workspace, save_workspace


class ImportRefused(DataError):
    """An import whose files or result do not pass the app's checks (nothing was written)."""

    # Not a one-liner: keeps each file's own error, so each is printed under the file's name.
    def __init__(self, errors: Sequence[DataError], source: str) -> None:
        self.errors = tuple(errors)
        super().__init__([p for e in self.errors for p in e.problems], source)

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self.errors)


@dataclass
class Plan:
    """The workspace an import would write, and a line per change."""

    workspace: Workspace
    changes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _read(path: Path, problems: list[DataError], reader: Callable[[str, bytes], object]) -> object:
    """``reader(name, bytes)``; its error (every problem, the file named) kept, not raised."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        statement = f"the file cannot be read ({exc.strerror})"
        problems.append(DataError([Problem(None, None, None, statement)], str(path)))
        return None
    try:
        return reader(path.name, data)
    except DataError as exc:
        problems.append(DataError(exc.problems, str(path)))
        return None


def plan_import(
    path: Path,
    *,
    deployments: Path | None = None,
    sites: Path | None = None,
    sources: Path | None = None,
    events: Path | None = None,
    layers: Sequence[tuple[str, Path]] = (),
) -> Plan:
    """Read and check every file, and the workspace they make together; write nothing.

    Raises
    ------
    ImportRefused
        Listing every problem of every file, or of the resulting workspace.
    """
    current = read_workspace(path)
    bundled = dataset.load_dataset()
    problems: list[DataError] = []
    plan = Plan(workspace=current)
    work = current

    if sources is not None:
        own = _read(
            sources,
            problems,
            lambda n, d: userdata.read_sources(n, d, known_ids=frozenset(bundled.sources["id"])),
        )
        if isinstance(own, pd.DataFrame):
            table, line = userdata.merge_by_id(work.sources, own, "sources")
            work = work.with_changes(sources=table)
            plan.changes.append(line)
    source_ids = frozenset(bundled.sources["id"]) | frozenset(
        [] if work.sources is None else work.sources["id"]
    )

    if sites is not None:
        added = _read(
            sites,
            problems,
            lambda n, d: userdata.read_sites(n, d, known_ids=frozenset(bundled.sites["id"])),
        )
        if isinstance(added, gpd.GeoDataFrame):
            kept = work.sites[~work.sites["id"].isin(set(added["id"]))]
            replaced = len(work.sites) - len(kept)
            frame = userdata.concat_frames(kept, added[list(work.sites.columns)])
            work = work.with_changes(sites=frame)
            plan.changes.append(f"sites: {len(added) - replaced} added, {replaced} replaced")
            plan.notes.extend(added.attrs.get("repairs", []))
    site_ids = frozenset(bundled.sites["id"]) | frozenset(work.sites["id"])

    if events is not None:
        own_events = _read(
            events,
            problems,
            lambda n, d: userdata.read_events(
                n,
                d,
                site_ids=site_ids,
                source_ids=source_ids,
                known_ids=frozenset(bundled.events["id"]),
            ),
        )
        if isinstance(own_events, pd.DataFrame):
            table, line = userdata.merge_by_id(work.events, own_events, "events")
            work = work.with_changes(events=table)
            plan.changes.append(line)

    if deployments is not None:
        uploaded = _read(
            deployments,
            problems,
            lambda n, d: userdata.read_table(n, d, site_ids=site_ids, source_ids=source_ids),
        )
        if isinstance(uploaded, pd.DataFrame):
            base = bundled.table if work.deployments is None else work.deployments
            merge = userdata.merge_tables(base, uploaded, prefer="uploaded")
            work = work.with_changes(deployments=merge.table)
            plan.changes.append(
                f"deployments: {len(merge.added)} added, {len(merge.conflicting_ids)} changed, "
                f"{len(merge.same)} same"
            )

    for name, layer_path in layers:
        upload = _read(layer_path, problems, lambda n, d: userdata.read_layer(n, d))
        if isinstance(upload, userdata.LayerUpload):
            features = upload.features.assign(layer=name)
            kept = work.overlays[work.overlays["layer"] != name]
            replaced = len(work.overlays) - len(kept)
            work = work.with_changes(overlays=userdata.concat_frames(kept, features))
            plan.changes.append(
                f"layer {name!r}: {len(features)} features"
                + (f" (replacing {replaced})" if replaced else "")
            )
            plan.notes.extend(upload.notes)

    if problems:
        raise ImportRefused(problems, str(path))
    loaded = dataset.load_dataset(workspace=work)
    if loaded.workspace_problem:
        statement = f"the imported workspace does not load: {loaded.workspace_problem}"
        whole = DataError([Problem(None, None, None, statement)], str(path))
        raise ImportRefused([whole], str(path))
    plan.workspace = work
    return plan


def _layer_option(value: str) -> tuple[str, Path]:
    name, separator, file = value.partition("=")
    if not separator or not name.strip() or not file:
        raise argparse.ArgumentTypeError(f"expected NAME=GEOJSON, not {value!r}")
    return name.strip(), Path(file)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m geo.workspace",
        description="Import files into a workspace GeoPackage, checked as the app checks them.",
    )
    sub = p.add_subparsers(dest="command", required=True)
    imp = sub.add_parser("import", help="check files and write them into the workspace")
    imp.add_argument("workspace", type=Path, metavar="FILE.gpkg")
    imp.add_argument("--deployments", type=Path, metavar="CSV|XLSX")
    imp.add_argument("--sites", type=Path, metavar="GEOJSON")
    imp.add_argument("--sources", type=Path, metavar="CSV|XLSX")
    imp.add_argument("--events", type=Path, metavar="CSV|XLSX")
    imp.add_argument(
        "--layer", type=_layer_option, action="append", default=[], metavar="NAME=GEOJSON"
    )
    return p


def main(argv: Sequence[str], out: TextIO, err: TextIO) -> int:
    """Run the command line; return the exit status (0 written, 1 refused, 2 usage)."""
    try:
        args = _parser().parse_args(list(argv))
    except SystemExit as exc:
        return int(exc.code or 0)
    path = Path(args.workspace)
    if path.suffix.lower() != ".gpkg":
        print(f"{path}: the workspace must be a .gpkg file", file=err)
        return 2
    try:
        plan = plan_import(
            path,
            deployments=args.deployments,
            sites=args.sites,
            sources=args.sources,
            events=args.events,
            layers=args.layer,
        )
    except DataError as exc:
        print(f"refused, nothing written: {exc}", file=err)
        return 1
    if not plan.changes:
        print(f"{path}: nothing to import (give --deployments, --sites, ...)", file=out)
        return 0
    save_workspace(plan.workspace, path)
    print(f"{path}: imported", file=out)
    for line in plan.changes:
        print(f"  {line}", file=out)
    for note in plan.notes:
        print(f"  note: {note}", file=out)
    return 0


__all__ = ["ImportRefused", "Plan", "main", "plan_import"]
