"""The served folder (layers/static.py): files the browser fetches by a content-named URL."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from geo import settings
from layers import static


def test_published_json_is_named_by_its_content_and_written_once(tmp_path: Path) -> None:
    url = static.publish_json({"a": [1, 2]}, static_dir=tmp_path)
    again = static.publish_json({"a": [1, 2]}, static_dir=tmp_path)
    other = static.publish_json({"a": [1, 3]}, static_dir=tmp_path)

    assert url == again != other
    assert url.startswith(f"{settings.STATIC_URL}/timebar/") and url.endswith(".json")
    written = tmp_path / "timebar" / url.rsplit("/", 1)[1]
    assert json.loads(written.read_text(encoding="utf-8")) == {"a": [1, 2]}
    assert not list(tmp_path.glob("timebar/*.tmp"))


def test_only_the_newest_published_files_are_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "TIMEBAR_FILES_KEPT", 2)
    urls = []
    for number in range(4):
        urls.append(static.publish_json({"n": number}, static_dir=tmp_path))
        newest = tmp_path / "timebar" / urls[-1].rsplit("/", 1)[1]
        os.utime(newest, (1_000_000 + number, 1_000_000 + number))  # distinct, ordered times
    kept = sorted(p.name for p in (tmp_path / "timebar").glob("*.json"))
    assert kept == sorted(url.rsplit("/", 1)[1] for url in urls[-2:])
