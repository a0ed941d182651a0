"""Host shading and sites follow what a view selects (geo.story)."""

from __future__ import annotations

import datetime as dt

import pytest

from geo.dataset import Dataset, load_dataset
from geo.filters import FilterState
from geo.story import StoryError, story


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    """The bundled briefing data."""
    return load_dataset()


def _recon() -> FilterState:
    return FilterState.build(
        missions=["Greenland permanent presence", "Greenland reconnaissance"],
        date_range=(dt.date(2026, 1, 15), dt.date(2026, 1, 19)),
    )


def test_only_the_countries_hosting_selected_deployments_are_hosts(dataset: Dataset) -> None:
    told = story(dataset, FilterState.build(missions=["Multinational battlegroup Romania"]))
    assert told.hosts == {"ROU"}
    assert told.role("ROU") == "host" and told.role("LTU") == "context"
    assert told.role("BEL") == "contributor"


def test_greenland_reconnaissance_shades_greenland_not_iceland(dataset: Dataset) -> None:
    told = story(dataset, _recon(), other_sites="hidden")
    assert told.hosts == {"GRL"}
    assert {"greenland", "nuuk"} <= told.sites
    assert not {"keflavik", "siauliai", "malbork"} & (told.sites | told.quiet)


def test_quiet_context_keeps_the_other_point_sites_but_not_sea_areas(dataset: Dataset) -> None:
    told = story(dataset, _recon(), other_sites="quiet")
    assert {"keflavik", "siauliai", "malbork", "pituffik"} <= told.quiet
    assert not told.quiet & told.sites
    assert not {"baltic-sea", "north-sea"} & told.quiet


def test_deployments_at_sea_shade_no_country_and_name_their_event_places(
    dataset: Dataset,
) -> None:
    state = FilterState.build(
        missions=["Standing NATO Maritime Groups"],
        date_range=(dt.date(2022, 9, 1), dt.date(2025, 1, 31)),
    )
    told = story(dataset, state, other_sites="hidden")
    assert told.hosts == frozenset()
    assert {"baltic-sea", "north-sea", "nord-stream-2-leak"} <= told.sites
    assert "amari" not in told.sites


def test_a_declined_deployment_neither_hosts_nor_contributes(dataset: Dataset) -> None:
    state = FilterState.build(
        missions=["Greenland reconnaissance"], nations=["BEL"], date=dt.date(2026, 1, 15)
    )
    told = story(dataset, state)
    assert told.hosts == frozenset() and told.contributors == frozenset()


def test_an_unknown_other_sites_option_is_refused(dataset: Dataset) -> None:
    with pytest.raises(StoryError, match="hidden, quiet"):
        story(dataset, FilterState.build(), other_sites="loud")


def test_a_view_without_its_events_layer_leaves_the_event_places_out(dataset: Dataset) -> None:
    state = FilterState.build(missions=["Baltic Air Policing"])
    with_events = story(dataset, state, other_sites="hidden")
    without = story(dataset, state, other_sites="hidden", with_events=False)
    assert "nord-stream-2-leak" in with_events.sites
    assert "nord-stream-2-leak" not in without.sites
    assert {"siauliai", "amari", "malbork"} <= without.sites
