"""Errors of the data loaders: each carries every problem found, not just the first.

``str(err)`` is one heading line, then one problem per line, e.g.::

    data/deployments.csv: 2 problems
      line 4, column 'nation': 'XXX' is not an ISO 3166-1 alpha-3 country code
      line 6, column 'start': empty, expected a date in the form YYYY-MM-DD
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem in a data file or table.

    Attributes
    ----------
    line : int or None
        CSV line number (the header is line 1, the first data row line 2); None when the
        problem concerns the whole file or a GeoJSON feature.
    column : str or None
        Column (or GeoJSON property) concerned; None when the problem concerns a whole row/file.
    value : str or None
        The offending cell as text ("" when empty); None when there is no single value, in
        which case ``expected`` is a full statement of the problem.
    expected : str
        What was expected, as a noun phrase ("an ISO 3166-1 alpha-3 country code").
    feature : int or None
        1-based position of the GeoJSON feature concerned (sites only).
    """

    line: int | None
    column: str | None
    value: str | None
    expected: str
    feature: int | None = None

    def __str__(self) -> str:
        where = "file"
        if self.line is not None:
            where = f"line {self.line}"
        elif self.feature is not None:
            where = f"feature {self.feature}"
        if self.column is not None:
            where += f", column {self.column!r}"
        if self.value is None:
            return f"{where}: {self.expected}"
        if self.value == "":
            return f"{where}: empty, expected {self.expected}"
        return f"{where}: {self.value!r} is not {self.expected}"


class DataError(ValueError):
    """A data file or table is not valid; ``problems`` lists every problem found."""

    # Not a one-liner: the problems are kept as data so the app can show them as a table.
    def __init__(
        self, problems: Iterable[Problem], source: str = "table", *, total: int | None = None
    ) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.source = source
        # How many problems were found: more than listed when a long list was cut short
        # (geo.limits.capped), whose last problem then counts the rest.
        self.total = len(self.problems) if total is None else total
        super().__init__(self.problems, source)

    def __str__(self) -> str:
        count = self.total
        heading = f"{self.source}: {count:,} problem{'' if count == 1 else 's'}"
        return "\n".join([heading, *(f"  {problem}" for problem in self.problems)])


class DeploymentTableError(DataError):
    """The deployments table (data/deployments.csv, an upload or an edit) is not valid."""


class SourcesTableError(DataError):
    """The sources table (data/sources.csv) is not valid."""


class EventsTableError(DataError):
    """The events table (data/events.csv) is not valid."""


class SitesError(DataError):
    """The sites file (data/sites.geojson) is not valid."""
