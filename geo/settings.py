"""Constants of the briefing map, in one place (osmnx ``settings.py`` style)."""

from __future__ import annotations

import os
from pathlib import Path

# Repository root: every default path below is relative to it.
ROOT_DIR = Path(__file__).resolve().parent.parent
# Folder of the bundled default data (never overwritten by the app).
BUNDLED_DATA_DIR = ROOT_DIR / "data"
# Folder of the briefing's tables and sites: the bundled data unless BRIEFING_DATA_DIR names
# another folder with the same four files (sites.geojson, sources.csv, deployments.csv,
# events.csv), e.g. for a test or another briefing.
DATA_DIR = Path(os.environ.get("BRIEFING_DATA_DIR") or BUNDLED_DATA_DIR)
# Country outlines, one GeoJSON per level of detail (written by scripts/build_geodata.py).
BOUNDARIES_DIR = BUNDLED_DATA_DIR / "boundaries"
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
# Files of time-bar columns kept in STATIC_DIR/timebar (one per filter; the oldest go first).
TIMEBAR_FILES_KEPT = 40
# URL path under which Streamlit serves STATIC_DIR.
STATIC_URL = "/app/static"

# Every geometry that leaves geo/ is in WGS 84 longitude/latitude (RFC 7946).
CRS = "EPSG:4326"

# Levels of detail of the country outlines: (file stem in BOUNDARIES_DIR, first zoom, last zoom,
# simplification tolerance in degrees). The browser loads the one that fits its zoom, once.
BOUNDARY_LODS: tuple[tuple[str, int, int, float], ...] = (
    # Tolerances stay under a screen pixel at the level's last zoom, even at 70°N (zoom 3: ~0.06°
    # of longitude per pixel there; zoom 5: ~0.015°; zoom 8: ~0.002°).
    ("countries_lod0", 0, 3, 0.05),
    ("countries_lod1", 4, 5, 0.01),
    ("countries_lod2", 6, 18, 0.002),
)

# Default view: the High North and the eastern flank, as [[south, west], [north, east]].
DEFAULT_BOUNDS: tuple[tuple[float, float], tuple[float, float]] = ((42.0, -60.0), (78.0, 35.0))
# Height of the interactive map in CSS pixels.
MAP_HEIGHT_PX = 620
# Height of the map in presenter mode (a 1920x1080 projector, Streamlit's chrome hidden).
PRESENTER_MAP_HEIGHT_PX = 900
# Presenter mode: height of the slim scene bar (scene n of N, previous, next, exit) above the
# map, in CSS pixels; the map takes the rest of the window.
PRESENTER_BAR_PX = 40
# ... and, on larger screens, this share of the window's height (in hundredths: 4.2 is 45 px at
# 1080 and 91 px at 2160), so that the bar's buttons and text grow with the screen.
PRESENTER_BAR_VH = 4.2
# Presenter mode: zoom steps a scene's fitted view may take (a quarter fills the screen better
# than whole zoom levels, which can leave half the screen empty).
PRESENTER_ZOOM_SNAP = 0.25
# Zoom limits of the interactive map: beyond 9 the finest outlines show their vertices.
MIN_ZOOM = 2
MAX_ZOOM = 10

# Map background where no outline is drawn: the sea. No tile server is needed.
SEA_COLOR = "#dce8f2"
# Country outline styles by role (Leaflet path options), read by the map and the static export.
COUNTRY_STYLES: dict[str, dict[str, object]] = {
    # Host territories of the deployments briefed: Greenland, Iceland, the Baltic states,
    # Romania, Poland.
    "host": {"color": "#27476e", "weight": 1.4, "fillColor": "#f3e9cf", "fillOpacity": 1.0},
    # Contributing nations with a deployment in the current filter.
    # A sage green: apart from the sea's blues (the sea, the sea areas) and the hosts' sand.
    "contributor": {"color": "#5d7a55", "weight": 1.0, "fillColor": "#d5e5cc", "fillOpacity": 1.0},
    # Everything else: muted context.
    "context": {"color": "#a3adb8", "weight": 0.6, "fillColor": "#f4f4f1", "fillOpacity": 1.0},
}
# Marker styles of the sites by kind (circle markers; radius in pixels).
SITE_STYLES: dict[str, dict[str, object]] = {
    "air_base": {"radius": 6, "color": "#1b3a5c", "fillColor": "#ffffff", "weight": 2.5},
    "base": {"radius": 6, "color": "#2f5d3a", "fillColor": "#ffffff", "weight": 2.5},
    "city": {"radius": 4, "color": "#333333", "fillColor": "#333333", "weight": 1},
    "region": {
        "radius": 5,
        "color": "#7a5c00",
        "fillColor": "#ffffff",
        "weight": 1.5,
        "dashArray": "2 2",
    },
    # A recorded position at sea (where an event happened): a small ring on the water.
    "sea_point": {"radius": 4, "color": "#6b2c91", "fillColor": "#ffffff", "weight": 1.5},
}
# Sites that are not part of a scene's story, drawn as quiet context (circle marker options).
QUIET_SITE_STYLE: dict[str, object] = {
    "radius": 3.5,
    "color": "#8a96a3",
    "fillColor": "#ffffff",
    "weight": 1.2,
}
# Precision of a name's anchor (polylabel), as a share of the shape's size.
LABEL_ANCHOR_TOLERANCE = 0.01
# Colour of the names of quiet sites and of country names (muted, under the story's labels).
QUIET_LABEL_COLOR = "#6b7785"
# Interactive map: the zoom from which a country's name shows, by the area of its largest part
# (km², largest first): a big country is named when zoomed out, a small one only close up.
# The countries of the view's story (hosts, contributors) are named at every zoom.
COUNTRY_LABEL_ZOOMS: tuple[tuple[float, int], ...] = (
    (400_000.0, 3),
    (150_000.0, 4),
    (50_000.0, 5),
    (0.0, 6),
)
# Boundary file (stem in BOUNDARIES_DIR) the interactive map's country names are placed from.
COUNTRY_LABEL_LOD = "countries_lod1"
# Where the interactive map names countries (west, south, east, north): a country reaching
# beyond it (Russia, Kazakhstan) is named inside its largest part within it, in view of the
# briefing's scenes rather than in Siberia.
COUNTRY_LABEL_REGION: tuple[float, float, float, float] = (-100.0, 30.0, 60.0, 85.0)
# Zoom from which each kind of site shows its name (below it, only the symbol).
SITE_LABEL_MIN_ZOOM: dict[str, int] = {
    "air_base": 3,
    "base": 3,
    "city": 4,
    "region": 6,
    "sea_point": 5,
}
# Sea areas (indicative polygons): emphasised when a naval deployment there is in the filter.
SEA_AREA_STYLES: dict[str, dict[str, object]] = {
    "active": {
        "color": "#1f5f8b",
        "weight": 1.6,
        "fillColor": "#2b6f9e",
        "fillOpacity": 0.22,
        "dashArray": "6 4",
    },
    "inactive": {
        "color": "#6f9bbd",
        "weight": 1.0,
        "fillColor": "#2b6f9e",
        "fillOpacity": 0.05,
        "dashArray": "4 6",
    },
}
# Human names of the site kinds, for legends.
SITE_KIND_LABELS: dict[str, str] = {
    "air_base": "Air base",
    "base": "Base",
    "city": "City",
    "region": "Place not stated (country)",
    "sea_area": "Sea area (indicative)",
    "sea_point": "Place at sea (recorded position)",
}

# The core circle of a deployment marker (its size follows known personnel).
DEPLOYMENT_STYLE: dict[str, object] = {"color": "#13283f", "fillColor": "#f7c948", "weight": 2}
# Smallest size (px) of an APP-6 symbol, so its frame and icon stay readable.
APP6_MIN_SIZE_PX = 30
# Rows the table below the map shows at most (a larger table is cut, with a note): every
# row is sent to the browser on each change.
TABLE_MAX_ROWS = 1000
# Rows listed in one marker's popup; more are counted and left to the table.
POPUP_MAX_ROWS = 25
# Contribution lines (nation -> site): nation colour; dashed while only announced.
CONTRIBUTION_STYLES: dict[str, dict[str, object]] = {
    "active": {"weight": 2.2, "opacity": 0.85},
    "announced": {"weight": 2.0, "opacity": 0.8, "dashArray": "6 5"},
    "ended": {"weight": 1.5, "opacity": 0.5, "dashArray": "2 4"},
    "declined": {"weight": 1.2, "opacity": 0.45, "dashArray": "1 5"},
}
# Contribution curves: control point offset (share of the line's length) and points drawn.
CURVE_BEND = 0.18
CURVE_POINTS = 24
# Events (dated, without deployment): small diamonds beside their site.
EVENT_STYLE: dict[str, object] = {"color": "#6b2c91", "fillColor": "#e9d8f4", "weight": 1.5}
# Smallest and largest diameter (px) of a deployment marker; the area follows known personnel.
MARKER_DIAMETER_PX: tuple[int, int] = (22, 54)
# Known personnel at or above which a marker has the largest diameter.
MARKER_FULL_PERSONNEL = 1000
# Colour of each contributing nation (badges, contribution lines, timeline bars): fixed for
# the nations of the default data so a nation keeps its colour across views and exports.
NATION_COLORS: dict[str, str] = {
    "BEL": "#c8102e",
    "DEU": "#1f1f1f",
    "DNK": "#8c1d40",
    "FRA": "#1d4fa0",
    "GBR": "#5a2d82",
    "NLD": "#e06c00",
    "NOR": "#0f7b6c",
    "SWE": "#c59a00",
    "USA": "#3b6e8f",
    "CAN": "#b5452b",
    "POL": "#7d3c98",
}
# Colours for any other nation, chosen by a stable hash of its code.
NATION_PALETTE: tuple[str, ...] = (
    "#4e79a7",
    "#f28e2b",
    "#59a14f",
    "#b07aa1",
    "#9c755f",
    "#76b7b2",
    "#edc948",
    "#e15759",
)

# As of a day, events of this many days before it still show on the map.
EVENT_RECENT_DAYS = 14
# Days the date controls reach beyond the latest stated day.
DATE_MARGIN_DAYS = 60
# What the date slider spans: label -> days back from the last day (None: every stated day).
# The data reach back to 1951; a slider over 75 years cannot pick a day in January 2026.
SLIDER_SPANS: dict[str, int | None] = {"3 months": 92, "2 years": 731, "all dates": None}
# Days the timeline shows before and after the as-of day.
TIMELINE_DAYS_BEFORE = 45
TIMELINE_DAYS_AFTER = 15
# Steps of the date buttons and of play mode: label -> pandas offset.
DATE_STEPS: dict[str, str] = {"day": "1D", "week": "7D", "month": "MS"}
# Play speeds: label -> seconds between steps.
PLAY_SPEEDS: dict[str, float] = {"slow": 1.5, "normal": 0.8, "fast": 0.4}

# --- Data schema, read by geo/tables.py and geo/filters.py ---------------------------------
# Encoding of the CSV files: UTF-8, a leading byte-order mark (Excel) is tolerated and dropped.
CSV_ENCODING = "utf-8-sig"
# Separator between several ids in one cell (deployments.also_sources).
LIST_SEPARATOR = ";"
# Columns of data/deployments.csv, in file order (the loaders return them in this order).
DEPLOYMENT_COLUMNS: tuple[str, ...] = (
    "id",
    "nation",
    "mission",
    "site",
    "host",
    "start",
    "end",
    "date_precision",
    "personnel",
    "assets",
    "domain",
    "command",
    "status",
    "source",
    "also_sources",
    "reported",
    "note",
)
# Columns of data/sources.csv, in file order.
SOURCE_COLUMNS: tuple[str, ...] = (
    "id",
    "title",
    "publisher",
    "date",
    "date_precision",
    "date_note",
    "kind",
)
# Columns of the user's own sources: the bundled ones and an optional link (a web address kept
# and shown as text, never fetched).
USER_SOURCE_COLUMNS: tuple[str, ...] = (*SOURCE_COLUMNS, "link")
# Columns of data/events.csv, in file order.
EVENT_COLUMNS: tuple[str, ...] = (
    "id",
    "date",
    "date_precision",
    "title",
    "place",
    "site",
    "source",
    "note",
)
# Properties every feature of data/sites.geojson must have (others are kept as they are).
SITE_PROPERTIES: tuple[str, ...] = ("id", "name", "kind", "country")
# Columns the loaders derive: the first and last day a dated row covers, per its date_precision.
DERIVED_DAY_COLUMNS: tuple[str, ...] = ("start_day", "end_day")
# How precise a stored date is: month means "that month" (stored as the 1st), year "that year".
DATE_PRECISIONS: tuple[str, ...] = ("day", "month", "year")
# Domains of a deployment.
DOMAINS: tuple[str, ...] = ("land", "air", "sea", "joint")
# Statuses of a deployment.
STATUSES: tuple[str, ...] = ("announced", "active", "ended", "declined")
# How a source's title starts when the document has none (the rest describes it): such a
# source is cited by its publisher and date.
UNTITLED_MARK = "[untitled]"
# Kinds of source document.
SOURCE_KINDS: tuple[str, ...] = ("news", "ministry_page")
# Kinds of site, in legend order.
# When several rows of one nation at a site differ, the most current status shows, in this
# order (badges, lines and the export alike).
STATUS_PRECEDENCE: tuple[str, ...] = ("active", "announced", "ended", "declined")
# Marker styles of the deployments layer: nation badges, or NATO APP-6 unit symbols.
SYMBOL_STYLES: tuple[str, ...] = ("badges", "app6")
SITE_KINDS: tuple[str, ...] = ("air_base", "base", "city", "sea_area", "region", "sea_point")
# Site kinds that may have an empty country: a sea area lies between several, a place at sea
# (e.g. where an event happened) lies in none.
SITE_KINDS_WITHOUT_COUNTRY: tuple[str, ...] = ("sea_area", "sea_point")
# What a scene does with the sites its deployments and events do not name: hide them, or draw
# them as quiet context (small, grey, named only where there is room).
OTHER_SITES: tuple[str, ...] = ("hidden", "quiet")
# A scene's default: it shows its story, nothing else.
SCENE_OTHER_SITES_DEFAULT = "hidden"
# An image or map not drawn from a scene keeps every site, the others quietly.
VIEW_OTHER_SITES_DEFAULT = "quiet"
# Dtype of every date column the loaders return (naive, midnight; NaT when empty).
DATE_DTYPE = "datetime64[ns]"

# --- Geodata build (scripts/build_geodata.py writes BOUNDARIES_DIR and SITES_PATH) ---
# npm package the country outlines come from: Natural Earth 4.1.0 as TopoJSON (world-atlas, ISC).
WORLD_ATLAS_PACKAGE = "world-atlas@2.0.2"
# npm integrity of that package's tarball; the build refuses any other bytes.
WORLD_ATLAS_INTEGRITY = (
    "sha512-IXfV0qwlKXpckz1FhwXVwKRjiIhOnWttOskm5CtxMsjgE/"
    "MXAYRHWJqgXOpM8IkcPBoXnyTU5lFHcYa5ChG0LQ=="
)
# Per BOUNDARY_LODS stem: (world-atlas file, decimals written). world-atlas quantizes 10m to
# 0.0036 deg of longitude, so more than 4 decimals would only add bytes.
BOUNDARY_SOURCES: dict[str, tuple[str, int]] = {
    # 1:50m rather than 1:110m even for the world view: 110m lacks small countries and islands
    # (Andorra, Faroe Islands, Liechtenstein, Malta, ...) and is visibly crude at zoom 3.
    "countries_lod0": ("countries-50m.json", 2),
    "countries_lod1": ("countries-50m.json", 3),
    "countries_lod2": ("countries-10m.json", 3),
}
# Host territories of the deployments briefed: role "host"; every other outline is "context".
HOST_COUNTRIES: tuple[str, ...] = ("EST", "GRL", "ISL", "LTU", "LVA", "POL", "ROU")
# Countries every level of detail must contain (the build fails without them).
REQUIRED_COUNTRIES: tuple[str, ...] = (
    *HOST_COUNTRIES,
    "BEL",
    "BLR",
    "CAN",
    "DEU",
    "DNK",
    "FIN",
    "FRA",
    "GBR",
    "MDA",
    "NLD",
    "NOR",
    "RUS",
    "SWE",
    "UKR",
    "USA",
)
# Area the map shows (west, south, east, north in degrees): every country touching it is kept.
CONTEXT_BBOX: tuple[float, float, float, float] = (-100.0, 34.0, 60.0, 90.0)
# Countries kept whatever CONTEXT_BBOX says (the map's far edges, drawn whole).
ALWAYS_KEPT_COUNTRIES: tuple[str, ...] = ("CAN", "RUS", "USA")
# English names where pycountry's (common) name is a formal one.
COUNTRY_NAME_OVERRIDES: dict[str, str] = {"RUS": "Russia", "VAT": "Vatican City"}
# Natural Earth features without an ISO numeric id: name -> (ISO alpha-3 or None, English name).
# They are kept when they touch CONTEXT_BBOX or a kept country (no hole in Cyprus or Kazakhstan).
UNCODED_COUNTRIES: dict[str, tuple[str | None, str]] = {
    "Kosovo": ("XKX", "Kosovo"),
    "N. Cyprus": (None, "Northern Cyprus"),
    "Cyprus U.N. Buffer Zone": (None, "UN buffer zone in Cyprus"),
    "Akrotiri": (None, "Akrotiri"),
    "Dhekelia": (None, "Dhekelia"),
    "Baikonur": (None, "Baikonur"),
}
# Decimals of site coordinates (airportsdata gives 4, geonames 5; 1e-5 deg is about a metre).
SITE_DECIMALS = 5
# Sea areas: islands (holes) smaller than this (square degrees) are not cut out.
SEA_AREA_MIN_PART_DEG2 = 0.01
# Sea areas: simplification tolerance (degrees) after the land is cut out.
SEA_AREA_TOLERANCE_DEG = 0.02
# Sea areas: decimals written.
SEA_AREA_DECIMALS = 3

# --- Scenes (geo/scenes.py: the ordered steps of a briefing) --------------------------------
# The briefing's scenes, an ordered JSON list; follows BRIEFING_DATA_DIR like the tables.
SCENES_PATH = DATA_DIR / "scenes.json"
# The user's workspace (geo/workspace.py): one GeoPackage holding their table, added sites,
# context layers and scenes; never the bundled data. BRIEFING_WORKSPACE or the command-line
# option --workspace names another file (or folder); "workspace/" is git-ignored.
WORKSPACE_FILE_NAME = "briefing.gpkg"
WORKSPACE_PATH = ROOT_DIR / "workspace" / WORKSPACE_FILE_NAME
# Suffix of the copy of the workspace as it was before the last save (briefing.previous.gpkg).
WORKSPACE_PREVIOUS_SUFFIX = ".previous.gpkg"
# Suffix of the copy of the scenes file as it was before the last save (scenes.previous.json).
SCENES_PREVIOUS_SUFFIX = ".previous.json"
# Names of the map layers a scene may show, in drawing order (the NAMEs of layers.REGISTRY).
LAYER_NAMES: tuple[str, ...] = (
    "countries",
    "sea_areas",
    "overlays",
    "sites",
    "contributions",
    "deployments",
    "events",
)
# Layers every scene shows, whatever its list: the user's uploaded layers.
ALWAYS_SHOWN_LAYERS: tuple[str, ...] = ("overlays",)
# Width (characters) up to which scenes.json keeps a list of plain values on one line.
SCENES_JSON_LINE_CHARS = 96

# --- Static export (export/: PNG, SVG and PDF drawn with matplotlib from the styles above) ----
# Image sizes: name -> ((width, height) in pixels, dots per inch). "slide" is a 16:9 slide,
# "print" A4 landscape at 300 dpi. Every length of the layout below is in pixels of the slide
# and scales with the image width, so a print looks like the slide.
EXPORT_SIZES: dict[str, tuple[tuple[int, int], int]] = {
    "slide": ((1920, 1080), 100),
    "print": ((3508, 2480), 300),
    "projector": ((3840, 2160), 200),  # the slide at twice the pixels (4K), same layout
}
# Formats the export writes (matplotlib backends without a browser).
EXPORT_FORMATS: tuple[str, ...] = ("png", "svg", "pdf")
# Title of an image when none is given (the page title of the app).
EXPORT_TITLE = "Allied deployments: the High North and the eastern flank"
# Font of every text: shipped with matplotlib (and Debian's fonts-dejavu), so no download.
EXPORT_FONT = "DejaVu Sans"
# Colour of titles, labels and legend text (the map's CSS text colour).
EXPORT_TEXT_COLOR = "#1d2b3a"
# Colour of secondary text: subtitle, attribution.
EXPORT_MUTED_COLOR = "#52606d"
# Text sizes in slide pixels.
EXPORT_TEXT_PX: dict[str, float] = {
    "title": 34,
    "subtitle": 19,
    "legend_title": 17,
    "legend": 15,
    "label": 16,
    "sea_label": 16,
    "quiet_label": 13,  # a site that is not part of the view's story
    "country_label": 14,  # a country's name (Natural Earth's), in capitals
    "event_label": 13,
    "badge": 13,
    "figure": 13,  # personnel figure inside a deployment marker
    "attribution": 12.5,
    "banner": 17,
    "scale": 14,
    "north": 17,
}
# Room kept around a country the export's frame grows to hold (share of the frame's size).
EXPORT_GROW_MARGIN = 0.03
# A contributing nation cut by the frame is shown whole if the frame grows at most this much
# (in area); else it stays cut.
EXPORT_MAX_GROWTH = 2.0
# Room kept between a label and a marker or badge (slide pixels): wider than a label's white
# halo, so that a name never touches a badge.
EXPORT_LABEL_CLEARANCE_PX = 6
# Points of a contribution line on a slide: the map's curve (CURVE_BEND), finer, so that a
# slide zoomed on a line's end (Iceland, from Belgium) shows a curve, not its corners.
EXPORT_CURVE_POINTS = 120
# Width of the legend panel right of the map, and the outer margin (slide pixels).
EXPORT_PANEL_WIDTH_PX = 420
EXPORT_MARGIN_PX = 26
# Classification / handling banner at the top and bottom edge (text set by the user).
EXPORT_BANNER_STYLE: dict[str, object] = {"color": "#ffffff", "fillColor": "#1d2b3a"}
# Credit of the country outlines (data/boundaries/ATTRIBUTION.md).
EXPORT_OUTLINE_CREDIT = "Outlines: Natural Earth (public domain)"
# Boundary files the export chooses from, coarsest first (tolerances in BOUNDARY_LODS): the
# coarsest whose tolerance stays under EXPORT_LOD_MAX_PX pixels of the image.
EXPORT_BOUNDARY_LODS: tuple[str, ...] = ("countries_lod1", "countries_lod2")
EXPORT_LOD_MAX_PX = 1.0
# Views inside this box (west, south, east, north; degrees) are drawn in ETRS89-LAEA Europe.
EXPORT_EUROPE_BBOX: tuple[float, float, float, float] = (-30.0, 30.0, 45.0, 75.0)
EXPORT_EUROPE_CRS = "EPSG:3035"
# Other views (Greenland, the Arctic, the North Atlantic): Lambert azimuthal equal-area centred
# on the view, its centre rounded to EXPORT_CENTRE_STEP_DEG so that close views share one
# projection (and one projected copy of the outlines).
EXPORT_LOCAL_CRS = "+proj=laea +lat_0={lat} +lon_0={lon} +x_0=0 +y_0=0 +datum=WGS84 +units=m"
EXPORT_CENTRE_STEP_DEG = 1.0
# Before projecting, outlines are cut to latitudes within this many degrees beyond the
# projection's centre, on its side of the globe: far from the antipode, where azimuthal
# projections tear.
EXPORT_CLIP_LAT_DEG = 60.0
# Margin around the selected rows when the view follows them (share of their span), and the
# smallest span (degrees of latitude; longitude twice that) of such a view.
EXPORT_VIEW_MARGIN = 0.12
EXPORT_MIN_SPAN_DEG = 6.0
# Ring around the selected site's marker: the map's CSS and the export read it.
SELECTED_STYLE: dict[str, object] = {"color": "#e4572e", "weight": 3}
# Colour of the sea-area labels, on the map and in the export.
SEA_LABEL_COLOR = "#2b6f9e"
# Nation badges by status, on the map (CSS made from it) and in the export: "fill" None is
# the nation's colour,
# "text" None is white on the nation's colour or the nation's colour on white.
BADGE_STYLES: dict[str, dict[str, object]] = {
    "active": {"fill": None, "text": None, "dashed": False, "struck": False, "opacity": 1.0},
    "announced": {"fill": "#ffffff", "text": None, "dashed": True, "struck": False, "opacity": 1.0},
    "ended": {"fill": None, "text": None, "dashed": False, "struck": False, "opacity": 0.55},
    "declined": {
        "fill": "#ffffff",
        "text": "#9aa4ae",
        "line": "#9aa4ae",
        "dashed": False,
        "struck": True,
        "opacity": 1.0,
    },
}
# Nation badges per row beside a marker (the map wraps them at 150 px).
EXPORT_BADGES_PER_ROW = 4
# Line from a site to its marker when the marker had to move aside to stay clear of another.
EXPORT_LEADER_STYLE: dict[str, object] = {"color": "#13283f", "weight": 1.2, "opacity": 0.8}
# Characters per line of a map label before it wraps, and the most characters shown.
EXPORT_LABEL_WRAP_CHARS = 26
EXPORT_LABEL_MAX_CHARS = 90

# --- The user's own data (geo/userdata.py: uploads, merges, downloads) -----------------------
# Largest upload read (bytes); Streamlit's server.maxUploadSize (10 MB) refuses bigger first.
UPLOAD_MAX_BYTES = 10 * 1024 * 1024
# --- Upload budget (geo/limits.py checks these before parsing; geo/worker.py runs the reading) --
# Every upload is read and checked within UPLOAD_WORKER_SECONDS and UPLOAD_WORKER_MEMORY_BYTES,
# whatever the file: the app, the import command and a team server read these same figures.
# Largest uncompressed size of an Excel workbook, all its parts together, as its zip directory
# states them (zipfile never inflates a part beyond its stated size). A 100,000-row table as the
# app's own Excel download is about 63 MB; a 700 KB file of "x" cells can unzip to 131 MB.
UPLOAD_MAX_UNCOMPRESSED_BYTES = 80 * 1024 * 1024
# Most parts (files) inside an Excel workbook's zip: a real workbook has a few dozen.
UPLOAD_MAX_ZIP_ENTRIES = 1000
# Most data rows of a table (the header not counted): the largest table the map is tested with.
UPLOAD_MAX_ROWS = 100_000
# Most columns of a table (a deployment table has 17; others are reported as not expected).
UPLOAD_MAX_COLUMNS = 50
# Most features of a GeoJSON file.
UPLOAD_MAX_FEATURES = 50_000
# Most positions (vertices) in one geometry: Natural Earth's most detailed country outline has
# far fewer; repairing a self-intersecting ring grows faster than its length.
UPLOAD_MAX_VERTICES = 200_000
# Deepest nesting of brackets in a JSON file (a MultiPolygon inside a FeatureCollection is 7);
# checked on the bytes before json.loads, which would otherwise exhaust Python's recursion.
UPLOAD_MAX_JSON_DEPTH = 64
# Problems listed one by one in a refusal; the rest are counted by column and kind.
UPLOAD_PROBLEMS_SHOWN = 200
# Seconds of processing (CPU time, user and system) a worker process may spend reading and
# checking one upload; then it is stopped. CPU time, not the clock: on a loaded server a small
# file's worker may wait its turn for seconds, and that is no reason to refuse the file.
UPLOAD_WORKER_SECONDS = 10.0
# Wall-clock seconds after which a worker is stopped whatever it has spent: one starved of the
# processor or blocked. Far above UPLOAD_WORKER_SECONDS, so only a stuck worker meets it.
UPLOAD_WORKER_WALL_SECONDS = 60.0
# Memory (bytes of address space) a worker may take on top of what it holds when it starts.
UPLOAD_WORKER_MEMORY_BYTES = 1024 * 1024 * 1024
# Uploads checked at the same time (one worker process each); more wait for a free slot.
UPLOAD_WORKERS = 2
# Niceness added to an upload's worker process: reading a file is background work, and the
# sessions stepping through the map (the server, the browsers on the same host) go first.
UPLOAD_WORKER_NICENESS = 10
# Kinds of file taken as a deployment table, and as a layer.
TABLE_UPLOAD_TYPES: tuple[str, ...] = ("csv", "xlsx")
LAYER_UPLOAD_TYPES: tuple[str, ...] = ("geojson", "json")
# Where the briefing's places lie (west, south, east, north): an upload with no feature in it
# gets a notice (never a refusal: data may lie anywhere on Earth).
REGION_BOUNDS: tuple[float, float, float, float] = (-80.0, 30.0, 60.0, 90.0)
# A text cell starting with one of these is a formula to a spreadsheet: downloads put an
# apostrophe before it (OWASP "CSV injection"), and uploads take that apostrophe off again.
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
# A download also puts an apostrophe before a text that itself starts with one, so that taking
# one leading apostrophe off on upload always gives back the text (an unambiguous escape).
FORMULA_ESCAPE = "'"
# Free-text columns of the tables: kept exactly as typed (leading and trailing spaces too); the
# other columns (ids, codes, dates, numbers) have their surrounding spaces taken off.
FREE_TEXT_COLUMNS: frozenset[str] = frozenset(
    {"mission", "assets", "note", "title", "publisher", "date_note", "place"}
)
# Longest text a table cell may hold: an Excel cell holds at most 32,767 characters, and a
# longer one would be cut in the Excel download.
MAX_CELL_CHARACTERS = 32_767
# Characters no table cell may hold: an Excel workbook (XML 1.0) cannot carry them, and a
# GeoPackage text ends at NUL. Tab, line feed and carriage return are allowed.
FORBIDDEN_CELL_CHARACTERS: frozenset[str] = frozenset(
    {chr(code) for code in range(32) if chr(code) not in "\t\n\r"} | {"\x7f", "\ufffe", "\uffff"}
)
# Sheet of an Excel workbook read as the deployment table (else its first sheet), and written.
XLSX_SHEET = "deployments"
# Decimals of the coordinates in the GeoJSON download (about 1 m).
DOWNLOAD_DECIMALS = 5
# Rows of the table editor (st.data_editor) above which it is read-only: edit in a file.
EDITOR_MAX_ROWS = 5000
# Style of the user's uploaded context layers (layers/overlays.py and the export).
OVERLAY_STYLE: dict[str, object] = {
    "color": "#7b3294",
    "weight": 2,
    "opacity": 0.9,
    "fillColor": "#c2a5cf",
    "fillOpacity": 0.25,
    "dashArray": "6 4",
}
# Longest edge (degrees) of an uploaded shape before the export projects it.
EXPORT_SEGMENT_DEG = 0.25
# The ring where the user clicked to place a new site (Your data → Add a site).
PICKED_STYLE: dict[str, object] = {
    "color": "#c0392b",
    "weight": 3,
    "fill": True,
    "fillColor": "#ffffff",
    "fillOpacity": 0.6,
}
# Height (px) of the map that places a new site.
PICK_MAP_HEIGHT_PX = 480
# Properties of an uploaded feature listed in its popup (the first ones).
OVERLAY_POPUP_PROPERTIES = 20
# The map draws a display copy of each uploaded feature, made once when the layer is read or
# saved and kept in the workspace (the saved shape stays exact): simplified by this tolerance
# (degrees; under half a screen pixel at MAX_ZOOM as far north as 70°N, where a pixel at zoom
# 10 is ~0.0005° of latitude) and written with these decimals (~1 m).
OVERLAY_DISPLAY_TOLERANCE_DEG = 0.0002
OVERLAY_DISPLAY_DECIMALS = 5

# --- The briefing deck (export/deck.py: one 16:9 PowerPoint file of the scenes) -----------------
# Size of each scene's map picture (a name of EXPORT_SIZES): 3840 px wide, sharp on a projector.
DECK_PICTURE_SIZE = "projector"
# Slide size in inches: PowerPoint's 16:9 widescreen.
DECK_SLIDE_IN: tuple[float, float] = (13.333, 7.5)
# Margin left and right of the slide's texts and picture, in inches.
DECK_MARGIN_IN = 0.4
# Height of the banner bands at the top and bottom edge (when there is a banner), in inches.
DECK_BANNER_IN = 0.34
# Text sizes in points: the title slide's title, a slide title (shrunk down to "title_min"
# before it wraps), the line under it, the banner, the sources list, the notes.
DECK_TEXT_PT: dict[str, float] = {
    "deck_title": 40,
    "deck_subtitle": 20,
    "title": 30,
    "title_min": 22,
    "subtitle": 16,
    "banner": 13,
    "source": 15,
    "source_detail": 12,
    "notes": 12,
}
# Processes that draw the scene pictures at once (at most one per scene and per CPU).
DECK_MAX_WORKERS = 4
# zlib level of the scene pictures' PNGs: 1 packs a 3840 px map in half the time of the usual
# 6, for about an eighth more bytes (the pixels are the same).
DECK_PNG_COMPRESS_LEVEL = 1
