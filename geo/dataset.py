"""The briefing's data in one object: loaded, validated, joined, and what the controls offer.

:func:`load_dataset` is the one entry point the app caches; :func:`select` applies a
:class:`~geo.filters.FilterState` to it. Both are pure (no streamlit).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo import settings, summary, tables, userdata
from geo.errors import DataError
from geo.filters import FilterState, apply_filters, events_in_range
from geo.workspace import Workspace, WorkspaceError, read_workspace


def _no_overlays() -> gpd.GeoDataFrame:
    return Workspace().overlays


@dataclass(frozen=True)
class Dataset:
    """Everything the map, the table and the timeline read; never modified after loading."""

    sources: pd.DataFrame
    sites: gpd.GeoDataFrame
    deployments: gpd.GeoDataFrame  # joined to their sites (geo.tables.join_sites)
    events: pd.DataFrame
    anchors: dict[str, tuple[float, float]]  # where each nation's contribution lines start
    source_titles: dict[str, str]
    nations: tuple[str, ...]  # contributing nations present, sorted
    missions: tuple[str, ...]
    first_day: dt.date  # what the date controls offer
    last_day: dt.date
    default_day: dt.date  # the default "as of" day: the latest stated day
    # Context layers the user uploaded (geo.workspace: layer, name, properties, geometry).
    overlays: gpd.GeoDataFrame = field(default_factory=_no_overlays)
    # The deployment table as CSV text, as the editor and the downloads show it.
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    # Where the deployments come from: "bundled" or "workspace".
    origin: str = "bundled"
    # Why the workspace was not used (it could not be read or no longer validates), or "".
    workspace_problem: str = ""


@dataclass(frozen=True)
class Selection:
    """The rows a filter state selects."""

    deployments: gpd.GeoDataFrame
    events: pd.DataFrame
    counts: summary.Counts


def load_dataset(
    *,
    sources_path: str | Path = settings.SOURCES_PATH,
    sites_path: str | Path = settings.SITES_PATH,
    deployments_path: str | Path = settings.DEPLOYMENTS_PATH,
    events_path: str | Path = settings.EVENTS_PATH,
    boundaries_path: str | Path = settings.BOUNDARIES_DIR / "countries_lod0.geojson",
    workspace: Workspace | None = None,
) -> Dataset:
    """Load and validate every file of the briefing, and the user's workspace over it.

    The workspace's table replaces the bundled deployments, its sites are added to the
    bundled ones and its context layers drawn over them. A workspace that no longer
    validates (e.g. a site it needs was removed from the bundled data) is not used: the
    bundled data is, and ``workspace_problem`` says why.

    Raises
    ------
    geo.errors.DataError
        A subclass per file, listing every problem found in it.
    """
    sources = tables.load_sources(sources_path)
    bundled_sites = tables.load_sites(sites_path)
    bundled = tables.load_deployments(deployments_path, sites=bundled_sites, sources=sources)
    events = tables.load_events(events_path, sites=bundled_sites, sources=sources)
    countries = gpd.read_file(boundaries_path, engine="pyogrio")
    plain = _assemble(sources, bundled_sites, bundled, events, countries)
    if workspace is None or workspace.is_empty:
        return plain
    try:
        return _with_workspace(plain, workspace, countries)
    except DataError as exc:
        # The bundled data stays in use; the workspace file is left as it is, not lost.
        return _replace(plain, workspace_problem=str(exc))


def load_with_workspace(path: str | Path) -> Dataset:
    """The bundled data with the workspace at ``path`` over it (:func:`load_dataset`).

    A workspace file that cannot be read leaves the bundled data in use, ``workspace_problem``
    saying why; the file itself is not touched.
    """
    try:
        workspace = read_workspace(path)
    except WorkspaceError as exc:
        return _replace(load_dataset(), workspace_problem=str(exc))
    return load_dataset(workspace=workspace)


def _replace(data: Dataset, **changes: object) -> Dataset:
    from dataclasses import replace

    return replace(data, **changes)  # type: ignore[arg-type]


def combined_sites(bundled: gpd.GeoDataFrame, added: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The bundled sites followed by the sites the user added (their ids never collide)."""
    if added.empty:
        return bundled
    extra = added[~added["id"].isin(set(bundled["id"]))]
    frame = pd.concat([bundled, extra.to_crs(settings.CRS)], ignore_index=True)
    for column in bundled.columns:
        if column != "geometry" and frame[column].dtype == object:
            frame[column] = frame[column].where(frame[column].notna(), "")
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=settings.CRS)


def combined_sources(bundled: pd.DataFrame, own: pd.DataFrame | None) -> pd.DataFrame:
    """The bundled sources followed by the user's own (checked: ids never collide).

    Raises
    ------
    geo.errors.SourcesTableError
        When the user's sources no longer validate (e.g. an id now bundled).
    """
    if own is None or own.empty:
        return bundled
    typed = tables.validate_sources(
        own, taken_ids=frozenset(bundled["id"]), source="your sources (workspace)"
    )
    frame = pd.concat([bundled, typed], ignore_index=True)
    if "link" in frame.columns:
        frame["link"] = frame["link"].fillna("").astype(str)
    return frame


def combined_events(
    bundled: pd.DataFrame,
    own: pd.DataFrame | None,
    *,
    site_ids: frozenset[str],
    source_ids: frozenset[str],
) -> pd.DataFrame:
    """The bundled events followed by the user's own, checked against every site and source.

    Raises
    ------
    geo.errors.EventsTableError
        When the user's events no longer validate.
    """
    if own is None or own.empty:
        return bundled
    typed = tables.validate_events(
        own,
        site_ids=site_ids,
        source_ids=source_ids,
        taken_ids=frozenset(bundled["id"]),
        source="your events (workspace)",
    )
    return pd.concat([bundled, typed], ignore_index=True)


def _with_workspace(plain: Dataset, workspace: Workspace, countries: gpd.GeoDataFrame) -> Dataset:
    sites = combined_sites(plain.sites, workspace.sites)
    sources = combined_sources(plain.sources, workspace.sources)
    source_ids = frozenset(sources["id"])
    events = combined_events(
        plain.events, workspace.events, site_ids=frozenset(sites["id"]), source_ids=source_ids
    )
    deployments = plain.deployments
    origin = "bundled"
    if workspace.deployments is not None:
        deployments = tables.validate_deployments(
            workspace.deployments,
            site_ids=frozenset(sites["id"]),
            source_ids=source_ids,
        )
        origin = "workspace"
    data = _assemble(sources, sites, deployments, events, countries)
    return _replace(data, overlays=workspace.overlays, origin=origin)


def _assemble(
    sources: pd.DataFrame,
    sites: gpd.GeoDataFrame,
    deployments: pd.DataFrame,
    events: pd.DataFrame,
    countries: gpd.GeoDataFrame,
) -> Dataset:
    columns = [c for c in deployments.columns if c not in _JOINED]
    joined = tables.join_sites(pd.DataFrame(deployments[columns]), sites)
    first, last = summary.date_bounds(joined, events)
    return Dataset(
        sources=sources,
        sites=sites,
        deployments=joined,
        events=events,
        anchors=summary.nation_anchors(countries),
        source_titles=dict(summary.source_titles(sources)),
        nations=tuple(sorted(set(joined["nation"]))),
        missions=tuple(sorted(set(joined["mission"]))),
        first_day=first,
        last_day=last,
        default_day=summary.latest_day(joined, events),
        table=userdata.table_text(joined),
    )


# Columns join_sites adds (dropped before joining again).
_JOINED = ("site_name", "site_kind", "site_country", "site_is_area", "site_geometry", "geometry")


def select(dataset: Dataset, state: FilterState) -> Selection:
    """The deployments and events a filter state selects, and their counts.

    As of a day, events of the ``settings.EVENT_RECENT_DAYS`` days up to it are selected; in a
    period, those in it; with no date, all.
    """
    rows = apply_filters(dataset.deployments, state)
    if state.date is not None:
        # As of a day, the map also shows what happened shortly before it.
        recent = state.date - dt.timedelta(days=settings.EVENT_RECENT_DAYS)
        events = events_in_range(dataset.events, recent, state.date)
    elif state.date_range is not None:
        events = events_in_range(dataset.events, *state.date_range)
    else:
        events = dataset.events
    return Selection(deployments=rows, events=events, counts=summary.counts(rows))
