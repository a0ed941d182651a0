"""Constants of the briefing map, in one place (osmnx ``settings.py`` style)."""

from __future__ import annotations

from pathlib import Path

# Repository root: every default path below is relative to it.
ROOT_DIR = Path(__file__).resolve().parent.parent
# Folder of the bundled default data (never overwritten by the app).
DATA_DIR = ROOT_DIR / "data"
# Country outlines, one GeoJSON per level of detail (written by scripts/build_geodata.py).
BOUNDARIES_DIR = DATA_DIR / "boundaries"
# Named places: air bases, bases, cities, sea areas.
SITES_PATH = DATA_DIR / "sites.geojson"
# One row per source document.
SOURCES_PATH = DATA_DIR / "sources.csv"
# The deployment table: nation x mission x site x period.
DEPLOYMENTS_PATH = DATA_DIR / "deployments.csv"
# Dated events that are not deployments.
EVENTS_PATH = DATA_DIR / "events.csv"
# Folder Streamlit serves at /app/static (server.enableStaticServing); filled at start-up.
STATIC_DIR = ROOT_DIR / "static"
# URL path under which Streamlit serves STATIC_DIR.
STATIC_URL = "/app/static"

# Every geometry that leaves geo/ is in WGS 84 longitude/latitude (RFC 7946).
CRS = "EPSG:4326"
