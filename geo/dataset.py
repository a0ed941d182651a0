"""The briefing's data in one object: loaded, validated, joined, and what the controls offer.

:func:`load_dataset` is the one entry point the app caches; :func:`select` applies a
:class:`~geo.filters.FilterState` to it. Both are pure (no streamlit).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo import settings, summary, tables
from geo.filters import FilterState, apply_filters, events_in_range


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
) -> Dataset:
    """Load and validate every file of the briefing.

    Raises
    ------
    geo.errors.DataError
        A subclass per file, listing every problem found in it.
    """
    sources = tables.load_sources(sources_path)
    sites = tables.load_sites(sites_path)
    deployments = tables.load_deployments(deployments_path, sites=sites, sources=sources)
    events = tables.load_events(events_path, sites=sites, sources=sources)
    joined = tables.join_sites(deployments, sites)
    countries = gpd.read_file(boundaries_path, engine="pyogrio")
    first, last = summary.date_bounds(deployments, events)
    return Dataset(
        sources=sources,
        sites=sites,
        deployments=joined,
        events=events,
        anchors=summary.nation_anchors(countries),
        source_titles=dict(summary.source_titles(sources)),
        nations=tuple(sorted(set(deployments["nation"]))),
        missions=tuple(sorted(set(deployments["mission"]))),
        first_day=first,
        last_day=last,
        default_day=summary.latest_day(deployments, events),
    )


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
