"""What a view is about: the host countries to shade and the sites to draw, from its selection.

A scene tells a story through its filter: the deployments and events it selects. The map
(``layers/``) and the slides (``export/``) both ask :func:`story` what to emphasise, so they
shade the same hosts and draw the same sites. Sites the selection does not name are hidden or
drawn as quiet context, per the scene's ``other_sites`` option (``settings.OTHER_SITES``).

Example
-------
>>> from geo.dataset import load_dataset  # doctest: +SKIP
>>> from geo.filters import FilterState
>>> state = FilterState.build(missions=["Iceland Air Policing"])
>>> told = story(load_dataset(), state)  # doctest: +SKIP
>>> sorted(told.hosts)  # doctest: +SKIP
['ISL']
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from geo import settings
from geo.dataset import Dataset, Selection, select
from geo.filters import FilterState

__all__ = ["Story", "StoryError", "story"]


class StoryError(ValueError):
    """An ``other_sites`` option that is not one of ``settings.OTHER_SITES``."""


@dataclass(frozen=True)
class Story:
    """What a view emphasises.

    Attributes
    ----------
    hosts : frozenset of str
        Alpha-3 codes of the countries hosting a selected deployment (not a declined one):
        shaded as host territory. Nothing else is.
    contributors : frozenset of str
        Alpha-3 codes of the nations with a selected deployment (not a declined one).
    sites : frozenset of str
        Ids of the sites the selection names: those of its deployments and of its events.
        Drawn in full, with their names.
    quiet : frozenset of str
        Ids of the other point sites (not sea areas), drawn as quiet context; empty when the
        option is ``"hidden"``.
    """

    hosts: frozenset[str]
    contributors: frozenset[str]
    sites: frozenset[str]
    quiet: frozenset[str]

    def role(self, code: str) -> str:
        """A country's role on the map: "host", "contributor" or "context"."""
        if code in self.hosts:
            return "host"
        if code in self.contributors:
            return "contributor"
        return "context"


def _texts(values: pd.Series) -> frozenset[str]:
    return frozenset(str(value) for value in values if isinstance(value, str) and value)


def story(
    dataset: Dataset,
    state: FilterState,
    *,
    other_sites: str = settings.VIEW_OTHER_SITES_DEFAULT,
    selection: Selection | None = None,
    with_events: bool = True,
) -> Story:
    """The hosts to shade and the sites to draw (fully or quietly) for a view.

    Parameters
    ----------
    dataset : Dataset
        The briefing's data. Not modified.
    state : FilterState
        The view's filter.
    other_sites : str
        "hidden" or "quiet" (``settings.OTHER_SITES``): what becomes of the sites the
        selection does not name. A scene's option (``Scene.other_sites``).
    selection : Selection, optional
        ``select(dataset, state)`` when the caller has it already.
    with_events : bool
        Whether the view draws its events; if not, their places are not part of its story.

    Returns
    -------
    Story

    Raises
    ------
    StoryError
        If ``other_sites`` is not one of ``settings.OTHER_SITES``.
    """
    if other_sites not in settings.OTHER_SITES:
        raise StoryError(
            f"other_sites must be one of {', '.join(settings.OTHER_SITES)}, not {other_sites!r}"
        )
    chosen = selection if selection is not None else select(dataset, state)
    rows = chosen.deployments
    standing = rows[rows["status"] != "declined"]
    # The table's host column; a row without one (at sea) hosts nowhere.
    hosts = _texts(standing["host"] if "host" in standing else standing["site_country"])
    contributors = _texts(standing["nation"])
    named = _texts(rows["site"]) | (_texts(chosen.events["site"]) if with_events else frozenset())
    known = frozenset(str(site) for site in dataset.sites["id"])
    named &= known
    points = dataset.sites[dataset.sites["kind"] != "sea_area"]
    quiet = (
        frozenset(str(site) for site in points["id"]) - named
        if other_sites == "quiet"
        else frozenset()
    )
    return Story(hosts=hosts, contributors=contributors, sites=named, quiet=quiet)
