"""The Streamlit page, run headless with AppTest (no browser)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def test_app_runs_without_exception() -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()

    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value.startswith("Allied deployments")
