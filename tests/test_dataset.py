"""The user's own sources and events: uploaded, kept in the workspace, merged and cited."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from geo import settings, userdata
from geo.dataset import Dataset, load_dataset, load_with_workspace
from geo.errors import EventsTableError, SourcesTableError
from geo.workspace import Workspace, read_workspace, save_workspace

OWN_SOURCES = (
    b"id,title,publisher,date,date_precision,date_note,kind,link\r\n"
    b"own-patrol-1,Own patrol report,Analyst cell,2026-01-20,day,,news,https://example.org/r1\r\n"
)
OWN_EVENTS = (
    b"id,date,date_precision,title,place,site,source,note\r\n"
    b'ev-own-1,2026-01-21,day,Patrol seen off Nuuk,Nuuk,,own-patrol-1,"seen, twice"\r\n'
)


@pytest.fixture(scope="module")
def bundled() -> Dataset:
    return load_dataset()


def _own(bundled: Dataset) -> tuple[pd.DataFrame, pd.DataFrame]:
    sources = userdata.read_sources(
        "mine.csv", OWN_SOURCES, known_ids=frozenset(bundled.sources["id"])
    )
    events = userdata.read_events(
        "events.csv",
        OWN_EVENTS,
        site_ids=frozenset(bundled.sites["id"]),
        source_ids=frozenset(bundled.sources["id"]) | set(sources["id"]),
        known_ids=frozenset(bundled.events["id"]),
    )
    return sources, events


def test_own_sources_csv_is_read_with_its_link_kept_as_text(bundled: Dataset) -> None:
    sources, _ = _own(bundled)
    assert list(sources.columns) == list(settings.USER_SOURCE_COLUMNS)
    assert sources.loc[0, "link"] == "https://example.org/r1"


def test_own_source_reusing_a_bundled_id_or_a_bad_link_is_refused(bundled: Dataset) -> None:
    taken = str(bundled.sources["id"].iloc[0])
    data = (
        "id,title,publisher,date,date_precision,date_note,kind,link\r\n"
        f"{taken},Again,,2026-01-20,day,,news,\r\n"
        "x,Other,,2026-01-20,day,,news,ftp://nope\r\n"
    ).encode()
    with pytest.raises(SourcesTableError) as raised:
        userdata.read_sources("bad.csv", data, known_ids=frozenset(bundled.sources["id"]))
    found = {(p.line, p.column, p.value) for p in raised.value.problems}
    assert found == {(2, "id", taken), (3, "link", "ftp://nope")}


def test_own_event_citing_an_unknown_source_is_refused(bundled: Dataset) -> None:
    with pytest.raises(EventsTableError, match="an id in the sources file"):
        userdata.read_events(
            "events.csv",
            OWN_EVENTS,
            site_ids=frozenset(bundled.sites["id"]),
            source_ids=frozenset(bundled.sources["id"]),
            known_ids=frozenset(bundled.events["id"]),
        )


def test_workspace_keeps_own_sources_and_events_and_the_dataset_cites_them(
    bundled: Dataset, tmp_path: Path
) -> None:
    sources, events = _own(bundled)
    table = bundled.table.copy()
    table.loc[0, "source"] = "own-patrol-1"
    path = tmp_path / "briefing.gpkg"
    save_workspace(Workspace(deployments=table, sources=sources, events=events), path)

    kept = read_workspace(path)
    assert kept.sources is not None and kept.events is not None
    pd.testing.assert_frame_equal(kept.sources, sources)
    pd.testing.assert_frame_equal(kept.events, events)

    data = load_with_workspace(path)
    assert data.workspace_problem == ""
    assert data.source_titles["own-patrol-1"].startswith("Own patrol report (Analyst cell")
    assert "ev-own-1" in set(data.events["id"])
    assert data.deployments.loc[0, "source"] == "own-patrol-1"


def test_edited_own_sources_are_checked_like_an_upload(bundled: Dataset) -> None:
    sources, _ = _own(bundled)
    edited = userdata.apply_edits(
        sources,
        edited_rows={0: {"date_precision": "week"}},
        added_rows=[],
        deleted_rows=[],
        columns=settings.USER_SOURCE_COLUMNS,
    )
    with pytest.raises(SourcesTableError) as raised:
        userdata.validate_sources_table(edited, known_ids=frozenset(bundled.sources["id"]))
    assert {(p.line, p.column) for p in raised.value.problems} == {(2, "date_precision")}
