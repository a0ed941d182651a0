"""The user's workspace: their deployment table, added sites, context layers and scenes.

All of it is one GeoPackage file (SQLite), by default ``workspace/briefing.gpkg``; the
environment variable ``BRIEFING_WORKSPACE`` or the command-line option ``--workspace`` names
another (:func:`workspace_path`). The bundled data under ``data/`` is never written.

Layers of the file
------------------
``deployments``  attribute table: the user's deployment table as CSV text (all columns of
                 ``settings.DEPLOYMENT_COLUMNS``); absent while the bundled table is in use.
``sites``        points or areas the user added (``settings.SITE_PROPERTIES``), EPSG:4326.
``overlays``     features of uploaded context layers: ``layer``, ``name``, ``properties``
                 (the feature's properties as JSON text), ``display`` (GeoJSON text of the
                 map's simplified copy, :func:`geo.geometry.display_geojson`; the geometry
                 itself stays exact), EPSG:4326.
``sources``      attribute table: the user's own sources as CSV text
                 (``settings.USER_SOURCE_COLUMNS``); absent while they have none.
``events``       attribute table: the user's own events as CSV text
                 (``settings.EVENT_COLUMNS``); absent while they have none.
``scenes``       attribute table with one row: the briefing's scenes as JSON text; absent
                 while the bundled briefing is in use.
``meta``         attribute table of ``key`` / ``value`` pairs (format version, time saved).

Saving is atomic (:func:`save_workspace`): the whole file is written beside the old one,
synced, and renamed over it, so a reader or a crash sees the old version or the new one. The
version replaced is kept as ``<name>.previous.gpkg``; :func:`undo_save` swaps them back.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from geo import fastjson, geometry, settings
from geo.errors import DataError, Problem
from geo.files import sync_directory

#: Version of the file layout written by this module (``meta`` key ``format``).
FORMAT = "1"
_ATTRIBUTE_LAYERS = ("deployments", "sources", "events", "scenes", "meta")
# The user's own tables kept as text: layer name -> columns.
_USER_TABLES: dict[str, tuple[str, ...]] = {
    "sources": settings.USER_SOURCE_COLUMNS,
    "events": settings.EVENT_COLUMNS,
}
_OVERLAY_COLUMNS = ("layer", "name", "properties", "display")


class WorkspaceError(DataError):
    """The workspace file cannot be read or written."""


def _no_sites() -> gpd.GeoDataFrame:
    columns = {name: pd.Series([], dtype=str) for name in settings.SITE_PROPERTIES}
    return gpd.GeoDataFrame(columns, geometry=gpd.GeoSeries([], crs=settings.CRS))


def _no_overlays() -> gpd.GeoDataFrame:
    columns = {name: pd.Series([], dtype=str) for name in _OVERLAY_COLUMNS}
    return gpd.GeoDataFrame(columns, geometry=gpd.GeoSeries([], crs=settings.CRS))


@dataclass(frozen=True)
class Workspace:
    """What the user keeps: each part None or empty while the bundled data is in use.

    Attributes
    ----------
    deployments : DataFrame or None
        The deployment table as CSV text (``settings.DEPLOYMENT_COLUMNS``, RangeIndex); None
        means the bundled table.
    sites : GeoDataFrame
        Sites the user added (``settings.SITE_PROPERTIES`` and a geometry, EPSG:4326).
    overlays : GeoDataFrame
        Features of context layers: ``layer``, ``name``, ``properties`` (JSON text),
        ``display`` (GeoJSON text of the map's copy; made when missing or empty).
    scenes : str or None
        The briefing's scenes as JSON text; None means the bundled briefing.
    sources : DataFrame or None
        The user's own sources as CSV text (``settings.USER_SOURCE_COLUMNS``), added to the
        bundled ones; None when they have none.
    events : DataFrame or None
        The user's own events as CSV text (``settings.EVENT_COLUMNS``), added to the
        bundled ones; None when they have none.
    saved : str
        When it was saved (ISO 8601, UTC); "" for a workspace never saved.
    """

    deployments: pd.DataFrame | None = None
    sites: gpd.GeoDataFrame = field(default_factory=_no_sites)
    overlays: gpd.GeoDataFrame = field(default_factory=_no_overlays)
    scenes: str | None = None
    saved: str = ""
    sources: pd.DataFrame | None = None
    events: pd.DataFrame | None = None

    @property
    def is_empty(self) -> bool:
        """True when nothing of the user's is kept (the bundled data alone is shown)."""
        return (
            self.deployments is None
            and self.sites.empty
            and self.overlays.empty
            and self.scenes is None
            and self.sources is None
            and self.events is None
        )

    def with_changes(self, **changes: object) -> Workspace:
        """A copy with some parts replaced (``dataclasses.replace``)."""
        return replace(self, **changes)  # type: ignore[arg-type]


def workspace_path(argv: Sequence[str] = (), environ: Mapping[str, str] | None = None) -> Path:
    """The workspace file: ``--workspace PATH`` in ``argv``, else ``$BRIEFING_WORKSPACE``,
    else ``settings.WORKSPACE_PATH``.

    A path naming a folder (an existing directory, or one without the ``.gpkg`` suffix) means
    ``briefing.gpkg`` inside it.

    Parameters
    ----------
    argv : sequence of str
        Arguments after the script's name (``streamlit run app.py -- --workspace x.gpkg``).
    environ : mapping, optional
        The environment; ``os.environ`` when None.
    """
    environ = os.environ if environ is None else environ
    chosen: str | None = None
    args = list(argv)
    for index, arg in enumerate(args):
        if arg == "--workspace" and index + 1 < len(args):
            chosen = args[index + 1]
        elif arg.startswith("--workspace="):
            chosen = arg.split("=", 1)[1]
    chosen = chosen or environ.get("BRIEFING_WORKSPACE") or None
    if not chosen:
        return settings.WORKSPACE_PATH
    path = Path(chosen).expanduser()
    if path.is_dir() or path.suffix.lower() != ".gpkg":
        return path / settings.WORKSPACE_FILE_NAME
    return path


def previous_path(path: str | Path) -> Path:
    """Where :func:`save_workspace` keeps the version it replaced."""
    path = Path(path)
    return path.with_name(path.stem + settings.WORKSPACE_PREVIOUS_SUFFIX)


def version(path: str | Path) -> tuple[int, int]:
    """(mtime in ns, size) of the workspace file, (0, 0) when there is none: a cache key."""
    try:
        status = Path(path).stat()
    except OSError:
        return (0, 0)
    return (status.st_mtime_ns, status.st_size)


def _problem(statement: str) -> list[Problem]:
    return [Problem(None, None, None, statement)]


def _layers(path: Path) -> dict[str, str | None]:
    return {str(name): kind for name, kind in pyogrio.list_layers(path)}


def _text_table(path: Path, layer: str) -> pd.DataFrame:
    frame = pyogrio.read_dataframe(path, layer=layer, read_geometry=False)
    frame = pd.DataFrame(frame).drop(columns=["fid"], errors="ignore")
    return frame.fillna("").astype(str).reset_index(drop=True)


def _geo_layer(path: Path, layer: str, columns: Sequence[str]) -> gpd.GeoDataFrame:
    frame = pyogrio.read_dataframe(path, layer=layer)
    for column in columns:
        if column not in frame.columns:
            frame[column] = ""
        frame[column] = frame[column].fillna("").astype(str)
    if frame.crs is None:
        frame = frame.set_crs(settings.CRS)
    elif not frame.crs.equals(settings.CRS):
        frame = frame.to_crs(settings.CRS)
    return gpd.GeoDataFrame(frame[[*columns, "geometry"]].reset_index(drop=True))


def with_display(overlays: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The overlays with a ``display`` text for every feature (made where it is missing).

    A layer read by :func:`geo.userdata.read_layer` brings its display copy; one saved by an
    earlier version has none, and gets it here, once per load or save. The map puts these
    texts into its script as they are, so unless all of them parse as JSON (a file edited by
    hand), all are made again.

    Returns
    -------
    GeoDataFrame
        ``overlays`` itself when nothing is missing, else a copy.
    """
    display = overlays.get("display")
    missing = (
        pd.Series(True, index=overlays.index)
        if display is None
        else display.isna() | (display.astype(str) == "")
    )
    if display is not None and not _all_json(display[~missing]):
        missing[:] = True
    if not missing.any():
        return overlays
    out = overlays.copy()
    made = geometry.display_geojson(out.geometry[missing].to_numpy())
    texts = np.full(len(out), "", dtype=object) if display is None else display.to_numpy(object)
    texts[missing.to_numpy()] = made
    out["display"] = pd.Series(texts, index=out.index, dtype=str)
    return out


def _all_json(texts: pd.Series) -> bool:
    joined = "[" + ",".join(texts.astype(str)) + "]"
    try:
        fastjson.loads_exact(joined.encode("utf-8", "surrogatepass"))
    except fastjson.NotExact:
        return False
    return True


def read_workspace(path: str | Path) -> Workspace:
    """Read the workspace file; an empty workspace when the file does not exist.

    Raises
    ------
    WorkspaceError
        When the file exists but is not a GeoPackage this module can read, naming why.
    """
    path = Path(path)
    if not path.exists():
        return Workspace()
    try:
        layers = _layers(path)
        meta: dict[str, str] = {}
        if "meta" in layers:
            rows = _text_table(path, "meta")
            meta = dict(zip(rows.get("key", []), rows.get("value", []), strict=True))
        deployments = None
        if "deployments" in layers:
            table = _text_table(path, "deployments")
            deployments = table.reindex(columns=list(settings.DEPLOYMENT_COLUMNS), fill_value="")
        sites = _no_sites()
        if "sites" in layers:
            sites = _geo_layer(path, "sites", settings.SITE_PROPERTIES)
        overlays = _no_overlays()
        if "overlays" in layers:
            overlays = with_display(_geo_layer(path, "overlays", _OVERLAY_COLUMNS))
        user_tables: dict[str, pd.DataFrame | None] = {}
        for layer, columns in _USER_TABLES.items():
            user_tables[layer] = None
            if layer in layers:
                table = _text_table(path, layer)
                user_tables[layer] = table.reindex(columns=list(columns), fill_value="")
        scenes = None
        if "scenes" in layers:
            documents = _text_table(path, "scenes").get("document", pd.Series([], dtype=str))
            scenes = str(documents.iloc[0]) if len(documents) else None
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError) as exc:
        statement = f"the workspace cannot be read as a GeoPackage: {exc}"
        raise WorkspaceError(_problem(statement), str(path)) from exc
    if meta.get("format", FORMAT) != FORMAT:
        statement = f"the workspace has format {meta['format']!r}; this version reads {FORMAT!r}"
        raise WorkspaceError(_problem(statement), str(path))
    return Workspace(
        deployments=deployments,
        sites=sites,
        overlays=overlays,
        scenes=scenes,
        saved=meta.get("saved", ""),
        sources=user_tables["sources"],
        events=user_tables["events"],
    )


def _write(workspace: Workspace, target: Path) -> None:
    """Write every part of ``workspace`` into a new GeoPackage at ``target``."""
    saved = workspace.saved or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    meta = pd.DataFrame({"key": ["format", "saved"], "value": [FORMAT, saved]})
    pyogrio.write_dataframe(meta, target, layer="meta", driver="GPKG")
    if workspace.deployments is not None:
        table = workspace.deployments.reindex(columns=list(settings.DEPLOYMENT_COLUMNS))
        table = table.fillna("").astype(str).reset_index(drop=True)
        pyogrio.write_dataframe(table, target, layer="deployments", driver="GPKG", append=True)
    for layer, columns in _USER_TABLES.items():
        user_table: pd.DataFrame | None = getattr(workspace, layer)
        if user_table is None:
            continue
        text = user_table.reindex(columns=list(columns)).fillna("").astype(str)
        pyogrio.write_dataframe(
            text.reset_index(drop=True), target, layer=layer, driver="GPKG", append=True
        )
    if workspace.scenes is not None:
        scenes = pd.DataFrame({"document": [workspace.scenes]})
        pyogrio.write_dataframe(scenes, target, layer="scenes", driver="GPKG", append=True)
    for layer, frame, columns in (
        ("sites", workspace.sites, settings.SITE_PROPERTIES),
        ("overlays", with_display(workspace.overlays), _OVERLAY_COLUMNS),
    ):
        if frame.empty:
            continue
        out = gpd.GeoDataFrame(
            frame[list(columns)].fillna("").astype(str).reset_index(drop=True),
            geometry=gpd.GeoSeries(frame.geometry.to_numpy(), crs=settings.CRS),
        )
        pyogrio.write_dataframe(
            out,
            target,
            layer=layer,
            driver="GPKG",
            append=True,
            geometry_type="Unknown",  # points and areas in one layer
            promote_to_multi=False,
        )


def _fsync(path: Path) -> None:
    with path.open("rb+") as stream:
        os.fsync(stream.fileno())


def _temporary(directory: Path, name: str) -> Path:
    handle, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp.gpkg", dir=directory)
    os.close(handle)
    os.unlink(temporary)  # GDAL makes the file itself
    return Path(temporary)


def _keep_as_previous(path: Path) -> None:
    """Make ``previous_path(path)`` the current file's version, atomically (a hard link).

    Before the first save there is no file: the previous version is then an empty
    workspace, so even the first save can be undone (back to the bundled data).
    """
    if not path.exists():
        empty = _temporary(path.parent, path.name + ".empty")
        try:
            _write(Workspace(saved="never"), empty)
            _fsync(empty)
            os.replace(empty, previous_path(path))
        finally:
            for leftover in (empty, *empty.parent.glob(empty.name + "-*")):
                with contextlib.suppress(FileNotFoundError):
                    leftover.unlink()
        return
    link = _temporary(path.parent, path.name + ".previous")
    try:
        try:
            os.link(path, link)
        except OSError:  # a file system without hard links
            link.write_bytes(path.read_bytes())
            _fsync(link)
        os.replace(link, previous_path(path))
    finally:
        with contextlib.suppress(FileNotFoundError):
            link.unlink()


def save_workspace(workspace: Workspace, path: str | Path) -> Path:
    """Write the workspace atomically, keeping the version it replaces.

    The new file is written completely beside the old one, synced, then renamed over it
    (``os.replace``); before that, the old file is linked as :func:`previous_path`. At any
    moment ``path`` is the old version or the new one, never a part.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    WorkspaceError
        When the file cannot be written; the old file is left as it was.
    """
    path = Path(path)
    stamped = workspace.with_changes(saved=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = _temporary(path.parent, path.name)
        try:
            _write(stamped, temporary)
            _fsync(temporary)
            _keep_as_previous(path)
            os.replace(temporary, path)
        finally:
            for leftover in (temporary, *temporary.parent.glob(temporary.name + "-*")):
                with contextlib.suppress(FileNotFoundError):
                    leftover.unlink()
        sync_directory(path.parent)
    except (OSError, pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        statement = f"the workspace could not be saved: {exc}"
        raise WorkspaceError(_problem(statement), str(path)) from exc
    return path


def update_workspace(path: str | Path, **changes: object) -> Path:
    """Read the workspace, replace some of its parts, and save it (:func:`save_workspace`).

    Raises
    ------
    WorkspaceError
        When the current file cannot be read (it is then left alone) or the new one written.
    """
    return save_workspace(read_workspace(path).with_changes(**changes), path)


def can_undo(path: str | Path) -> bool:
    """True when a previous version is kept beside the workspace file."""
    return previous_path(path).exists()


def undo_save(path: str | Path) -> Path:
    """Swap the workspace with its previous version (undoing again redoes).

    Both renames are atomic; between them, the workspace file is the previous version and
    the previous-version file still the same, so nothing is ever lost.

    Raises
    ------
    WorkspaceError
        When there is no previous version, or it cannot be read.
    """
    path = Path(path)
    previous = previous_path(path)
    if not previous.exists():
        raise WorkspaceError(_problem("there is no previous version to go back to"), str(path))
    read_workspace(previous)  # refuses a previous version that cannot be read
    current_copy = _temporary(path.parent, path.name + ".swap")
    restored = _temporary(path.parent, path.name + ".restore")
    try:
        os.link(previous, restored)
        if path.exists():
            os.link(path, current_copy)
        os.replace(restored, path)
        if current_copy.exists():
            os.replace(current_copy, previous)
        sync_directory(path.parent)
    except OSError as exc:
        statement = f"the previous version could not be restored: {exc}"
        raise WorkspaceError(_problem(statement), str(path)) from exc
    finally:
        for leftover in (current_copy, restored):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
    return path


def is_geopackage(path: str | Path) -> bool:
    """True when ``path`` is an SQLite file with GeoPackage's application id."""
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            (application_id,) = db.execute("PRAGMA application_id").fetchone()
    except sqlite3.Error:
        return False
    return bool(application_id == 0x47504B47)  # "GPKG"


if __name__ == "__main__":
    import sys

    # The command lives in geo.workspace_import, which imports this module under its own
    # name: running it from here keeps one Workspace class.
    from geo.workspace_import import main

    sys.exit(main(sys.argv[1:], sys.stdout, sys.stderr))
