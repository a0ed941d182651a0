"""A naive, tutorial-style Streamlit + Folium app over the same data (the benchmark's baseline).

Full-resolution outlines drawn with ``folium.GeoJson``, one ``folium.Marker`` with a popup per
deployment row, the whole map rebuilt and sent by ``st_folium`` on every change. The only
change from the tutorial: folium's CDN links are replaced by the app's local copies of Leaflet
and jQuery (layers/assets.py), so that it draws offline. Nothing slows it down on purpose.

Streamlit serves ``static/`` beside the main script, so bench/run.py runs a copy of this file
from a folder whose ``static`` links to the repository's (``BENCH_REPO_ROOT`` names the root).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(os.environ.get("BENCH_REPO_ROOT") or Path(__file__).resolve().parent.parent)
if str(ROOT) not in sys.path:  # streamlit puts the script's folder on the path, not the root
    sys.path.insert(0, str(ROOT))

import folium  # noqa: E402
import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402
from streamlit_folium import st_folium  # noqa: E402

from layers import assets  # noqa: E402

DATA = Path(os.environ.get("BRIEFING_DATA_DIR") or ROOT / "data")
BOUNDARIES = ROOT / "data" / "boundaries" / "countries_lod2.geojson"


class LocalMap(folium.Map):
    """folium.Map with its CDN links replaced by the locally served Leaflet and jQuery."""

    default_js = [link for link in assets.JS_LINKS if link[0] != "briefing"]  # noqa: RUF012
    default_css = list(assets.CSS_LINKS)  # noqa: RUF012


@st.cache_data
def load() -> tuple[pd.DataFrame, dict[str, tuple[float, float]], dict[str, Any]]:
    deployments = pd.read_csv(DATA / "deployments.csv", dtype=str, keep_default_na=False)
    sites = json.loads((DATA / "sites.geojson").read_text(encoding="utf-8"))
    where = {}
    for feature in sites["features"]:
        geometry = feature["geometry"]
        if geometry["type"] == "Point":
            lon, lat = geometry["coordinates"][:2]
        else:  # a sea area: its first vertex will do for a tutorial
            lon, lat = geometry["coordinates"][0][0][:2]
        where[feature["properties"]["id"]] = (lat, lon)
    boundaries = json.loads(BOUNDARIES.read_text(encoding="utf-8"))
    return deployments, where, boundaries


deployments, where, boundaries = load()
st.title("Deployments (naive)")
start = dt.date(2026, 1, 19)
with contextlib.suppress(ValueError):
    start = dt.date.fromisoformat(st.query_params.get("date", ""))
day = st.slider("Date", dt.date(2024, 1, 1), dt.date(2026, 3, 1), start)
iso = day.isoformat()
shown = deployments[
    ((deployments["start"] == "") | (deployments["start"] <= iso))
    & ((deployments["end"] == "") | (deployments["end"] >= iso))
]

m = LocalMap(location=(62, -10), zoom_start=3, tiles=None)
folium.GeoJson(boundaries, name="Countries").add_to(m)
for row in shown.itertuples():
    folium.Marker(
        where[str(row.site)],
        popup=folium.Popup(
            f"<b>{row.nation}</b> {row.mission}<br>{row.start} – {row.end}<br>{row.status}"
        ),
        tooltip=f"{row.nation}: {row.mission}",
    ).add_to(m)
st_folium(m, width=1200, height=620)
st.dataframe(shown)
