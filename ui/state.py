"""Session-state keys, declared once; every widget and callback names its key from here."""

from __future__ import annotations

from typing import Any, Final

import streamlit as st


class Key:
    """The session-state keys of the app (widget keys are the same strings)."""

    # Filters and display (sidebar).
    PAGE: Final = "page"
    NATIONS: Final = "nations"
    MISSIONS: Final = "missions"
    DOMAINS: Final = "domains"
    STATUSES: Final = "statuses"
    SCENE: Final = "scene"
    PRESENT: Final = "present"
    BANNER: Final = "banner"
    SYMBOLS: Final = "symbols"
    FLOWS: Final = "flows"
    # Time (above the map).
    TIME_MODE: Final = "time_mode"
    SPAN: Final = "span"
    DAY: Final = "day"
    PERIOD: Final = "period"
    STEP: Final = "step"
    SPEED: Final = "speed"
    PLAYING: Final = "playing"
    BACK: Final = "back"
    FORWARD: Final = "fwd"
    PLAY: Final = "play"
    # The last day the in-map time bar sent back (its token: each send is new).
    TIME_SETTLED: Final = "time_settled"
    # The map, the table and the selected site.
    MAP: Final = "map"
    SITE: Final = "site"
    TABLE_SITES: Final = "table_sites"
    # Presenter mode.
    PREVIOUS_SCENE: Final = "prev_scene"
    NEXT_SCENE: Final = "next_scene"
    EXIT_PRESENTER: Final = "exit_present"
    # Seeded once per session, and kept between runs.
    DEFAULT_STATE: Final = "default_state"
    NOTICES: Final = "notices"
    FITTED_TO: Final = "fitted_to"
    SCENES: Final = "last_good_scenes"
    SCENES_ERROR: Final = "scenes_error"
    # Briefing editor.
    NEW_SCENE_TITLE: Final = "new_scene_title"
    NEW_SCENE_SUBTITLE: Final = "new_scene_subtitle"
    ADD_SCENE: Final = "add_scene"
    EDITOR_MESSAGE: Final = "editor_message"
    # Downloads.
    HTML_VIEW: Final = "html_view"
    HTML_BRIEFING: Final = "html_briefing"
    DECK: Final = "deck"
    # Your data.
    DATA_TAB: Final = "data_tab"
    DATA_MESSAGE: Final = "data_message"
    UPLOAD_ROUND: Final = "upload_round"
    UPLOAD_HOW: Final = "upload_how"
    UPLOAD_PREFER: Final = "upload_prefer"
    APPLY_TABLE: Final = "apply_table"
    LAYER_KIND: Final = "layer_kind"
    APPLY_SITES: Final = "apply_sites"
    APPLY_LAYER: Final = "apply_layer"
    PICK_MAP: Final = "pick_map"
    NEW_SITE_LAT: Final = "new_site_lat"
    NEW_SITE_LON: Final = "new_site_lon"
    NEW_SITE_KIND: Final = "new_site_kind"
    NEW_SITE_COUNTRY: Final = "new_site_country"
    NEW_SITE_NAME: Final = "new_site_name"
    NEW_SITE_ID: Final = "new_site_id"
    ADD_SITE: Final = "add_site"
    SAVE_EDITS: Final = "save_edits"
    UNDO_SAVE: Final = "undo_save"
    USE_BUNDLED: Final = "use_bundled"
    DOWNLOAD_CSV: Final = "download_csv"
    DOWNLOAD_XLSX: Final = "download_xlsx"
    DOWNLOAD_GEOJSON: Final = "download_geojson"
    # The user's own sources and events (data page).
    APPLY_OWN_SOURCES: Final = "apply_own_sources"
    APPLY_OWN_EVENTS: Final = "apply_own_events"
    SAVE_OWN_SOURCES: Final = "save_own_sources"
    SAVE_OWN_EVENTS: Final = "save_own_events"
    DOWNLOAD_OWN_SOURCES: Final = "download_own_sources"
    DOWNLOAD_OWN_EVENTS: Final = "download_own_events"


# Keys made from ids: one builder each, so the spelling lives here too.
def scene_button(action: str, scene_id: str) -> str:
    """A briefing editor button ("up", "down", "del") for one scene."""
    return f"{action}-{scene_id}"


def export_button(fmt: str, size: str) -> str:
    """An image download button."""
    return f"export-{fmt}-{size}"


def table(site: str | None) -> str:
    """The deployment table: a new key per selected site (see ``map_view``)."""
    return f"table-{site or ''}"


def uploader(kind: str) -> str:
    """A file uploader ("table", "layer"); a new key after each save clears it."""
    return f"{kind}_upload-{st.session_state.get(Key.UPLOAD_ROUND, 0)}"


def drop_layer(name: str) -> str:
    """The button that removes one of the user's layers."""
    return f"drop-layer-{name}"


def editor(version: object) -> str:
    """The table editor, new for each version of the workspace file."""
    return f"editor-{version}"


def own_editor(kind: str, version: object) -> str:
    """The editor of the user's own "sources" or "events", new for each workspace version."""
    return f"own-{kind}-editor-{version}"


#: Defaults set once per session, for keys that are not seeded from the URL or a scene.
DEFAULTS: dict[str, Any] = {
    Key.STEP: "day",
    Key.PAGE: "map",
    Key.BANNER: "",
    Key.SPEED: "normal",
    Key.PLAYING: False,
    Key.UPLOAD_ROUND: 0,
}

#: Widgets drawn only on the map page: their values are kept while the data page shows
#: (Streamlit forgets the state of a widget not drawn in a run, unless it is set again).
MAP_PAGE_KEYS = (
    Key.TIME_MODE,
    Key.SPAN,
    Key.DAY,
    Key.PERIOD,
    Key.STEP,
    Key.SPEED,
    Key.SITE,
    Key.SYMBOLS,
    Key.FLOWS,
)


def init() -> None:
    """Set the defaults that are not set yet."""
    for key, value in DEFAULTS.items():
        st.session_state.setdefault(key, value)


def keep_map_page_widgets() -> None:
    """Keep the map page's widget values while another page is drawn."""
    ss = st.session_state
    for key in MAP_PAGE_KEYS:
        if key in ss:
            ss[key] = ss[key]
