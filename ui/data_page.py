"""Your data: upload, check, edit, save and download the user's tables and layers."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo import settings, userdata, worker, workspace
from geo.dataset import Dataset
from geo.errors import DataError
from layers import compose
from layers.base import markdown_lines, markdown_text
from ui import context
from ui.state import Key, drop_layer, editor, own_editor, uploader

HOW_TO_USE = {"replace": "Replace the current table", "merge": "Merge into it (by id)"}
KEEP_ON_CONFLICT = {"uploaded": "the uploaded row", "current": "the current row"}
LAYER_KINDS = {
    "overlay": "a context layer (areas, lines or points drawn on the map)",
    "sites": "sites that deployments can refer to (id, name, kind, country)",
}
EDITOR_COLUMNS: dict[str, Any] = {
    "domain": st.column_config.SelectboxColumn("domain", options=settings.DOMAINS),
    "status": st.column_config.SelectboxColumn("status", options=settings.STATUSES),
    "date_precision": st.column_config.SelectboxColumn(
        "date_precision", options=settings.DATE_PRECISIONS
    ),
}


def _say(kind: str, text: str) -> None:
    st.session_state[Key.DATA_MESSAGE] = (kind, text)


def _saved(done: str, **parts: object) -> None:
    """Save parts of the workspace; on success, clear the uploaders and say ``done``."""
    ss = st.session_state
    try:
        workspace.update_workspace(context.workspace_path(), **parts)
    except DataError as exc:
        _say("error", f"Not saved: {exc}")
        return
    ss[Key.UPLOAD_ROUND] = ss.get(Key.UPLOAD_ROUND, 0) + 1
    _say("success", done)


def _apply_table(table: Any, done: str) -> None:
    _saved(done, deployments=table)


def _add_overlay(features: Any, layer: str) -> None:
    kept = workspace.read_workspace(context.workspace_path()).overlays
    kept = kept[kept["layer"] != layer]
    _saved(f"Layer “{layer}” added to the map.", overlays=userdata.concat_frames(kept, features))


def _remove_overlay(layer: str) -> None:
    kept = workspace.read_workspace(context.workspace_path()).overlays
    _saved(f"Layer “{layer}” removed.", overlays=kept[kept["layer"] != layer])


def _add_sites(found: Any) -> None:
    kept = workspace.read_workspace(context.workspace_path()).sites
    names = ", ".join(found["name"].astype(str))
    _saved(f"Added: {names}.", sites=userdata.concat_frames(kept, found))


def _undo() -> None:
    try:
        workspace.undo_save(context.workspace_path())
    except DataError as exc:
        _say("error", str(exc))
    else:
        _say("success", "The previous version is back (undo again to return to this one).")


def _on_pick() -> None:
    clicked = (st.session_state.get(Key.PICK_MAP) or {}).get("last_clicked")
    if clicked:
        st.session_state[Key.NEW_SITE_LAT] = round(float(clicked["lat"]), 5)
        st.session_state[Key.NEW_SITE_LON] = round(float(clicked["lng"]), 5)


def _add_clicked_site(data: Dataset) -> None:
    ss = st.session_state
    try:
        site = userdata.new_site(
            site_id=ss[Key.NEW_SITE_ID].strip()
            or userdata.site_id(ss[Key.NEW_SITE_NAME], frozenset(data.sites["id"])),
            name=ss[Key.NEW_SITE_NAME].strip(),
            kind=ss[Key.NEW_SITE_KIND],
            country=ss[Key.NEW_SITE_COUNTRY].strip().upper(),
            lon=float(ss[Key.NEW_SITE_LON]),
            lat=float(ss[Key.NEW_SITE_LAT]),
            known_ids=frozenset(data.sites["id"]),
        )
    except DataError as exc:
        _say("error", f"The site was not added: {exc}")
        return
    _add_sites(site)


def _report(error: DataError, heading: str) -> None:
    count = len(error.problems)
    st.error(f"{markdown_text(heading)} {count} problem{'s' if count != 1 else ''}:", icon="⛔")
    st.dataframe(userdata.problems_frame(error), hide_index=True, width="stretch")


def _data_status(data: Dataset, path: Path) -> None:
    ss = st.session_state
    if data.workspace_problem:
        st.error(
            "The workspace could not be used, so the bundled data is shown. The file was not "
            "changed: nothing in it is lost.\n\n" + markdown_lines(data.workspace_problem)
        )
    origin = (
        f"**your table** ({len(data.table):,} rows, kept in the workspace)"
        if data.origin == "workspace"
        else f"**the bundled table** ({len(data.table):,} rows, from the source documents)"
    )
    kept = workspace.read_workspace(path) if path.exists() and not data.workspace_problem else None
    st.markdown(
        f"Deployments in use: {origin}. Added sites: {len(kept.sites) if kept else 0}; "
        f"your layers: {kept.overlays['layer'].nunique() if kept else 0}."
    )
    st.caption(
        "Workspace: " + markdown_text(str(path)) + (f" · saved {kept.saved}" if kept else "")
    )
    undo, bundled = st.columns(2)
    undo.button(
        "↶ Undo the last save",
        key=Key.UNDO_SAVE,
        on_click=_undo,
        disabled=not workspace.can_undo(path),
        help="Swaps the workspace with the version before the last save.",
    )
    bundled.button(
        "Use the bundled table again",
        key=Key.USE_BUNDLED,
        on_click=_apply_table,
        args=(None, "The bundled table is in use again (undo brings yours back)."),
        disabled=data.origin != "workspace",
    )
    message = ss.pop(Key.DATA_MESSAGE, None)
    if message:
        kind, text = message
        (st.error if kind == "error" else st.success)(markdown_lines(text))


def _upload_table(data: Dataset) -> None:
    st.markdown(
        "A CSV or Excel (.xlsx) file with the columns of the bundled table: "
        + markdown_text(", ".join(settings.DEPLOYMENT_COLUMNS))
        + ". Nothing is applied before every row is valid."
    )
    upload = st.file_uploader(
        "Deployment table",
        type=list(settings.TABLE_UPLOAD_TYPES),
        key=uploader("table"),
    )
    if upload is None:
        return
    try:
        table = worker.read_table(
            upload.name,
            upload.getvalue(),
            site_ids=frozenset(data.sites["id"]),
            source_ids=frozenset(data.sources["id"]),
        )
    except DataError as exc:
        _report(exc, f"“{upload.name}” was not applied, nothing changed:")
        return
    st.success(markdown_text(f"“{upload.name}”: {len(table):,} rows, every one valid."))
    how = st.radio("Use it to", list(HOW_TO_USE), key=Key.UPLOAD_HOW, format_func=HOW_TO_USE.get)
    if how == "merge":
        prefer = st.radio(
            "Where an id is in both tables and the rows differ, keep",
            list(KEEP_ON_CONFLICT),
            key=Key.UPLOAD_PREFER,
            format_func=KEEP_ON_CONFLICT.get,
            horizontal=True,
        )
        merge = userdata.merge_tables(data.table, table, prefer=prefer)
        st.markdown(
            f"{len(merge.added):,} new rows, {len(merge.same):,} the same, "
            f"{len(merge.conflicting_ids):,} in conflict."
        )
        if len(merge.conflicts):
            st.dataframe(merge.conflicts, hide_index=True, width="stretch")
        table, done = merge.table, f"Merged: {len(merge.table):,} rows."
    else:
        done = f"Your table ({len(table):,} rows) replaces the current one."
    st.button(
        "Apply", key=Key.APPLY_TABLE, type="primary", on_click=_apply_table, args=(table, done)
    )


def _upload_layer(data: Dataset) -> None:
    kind = st.radio(
        "The file holds", list(LAYER_KINDS), key=Key.LAYER_KIND, format_func=LAYER_KINDS.get
    )
    upload = st.file_uploader(
        "GeoJSON (longitude, latitude in WGS 84)",
        type=list(settings.LAYER_UPLOAD_TYPES),
        key=uploader("layer"),
    )
    if upload is not None:
        try:
            if kind == "sites":
                found = worker.read_sites(
                    upload.name, upload.getvalue(), known_ids=frozenset(data.sites["id"])
                )
            else:
                layer = worker.read_layer(upload.name, upload.getvalue())
        except DataError as exc:
            _report(exc, f"“{upload.name}” was not added, nothing changed:")
        else:
            if kind == "sites":
                st.success(markdown_text(f"“{upload.name}”: {len(found)} sites, all valid."))
                for note in found.attrs.get("repairs", []):
                    st.info(markdown_text(note))
                st.dataframe(found.drop(columns="geometry"), hide_index=True)
                st.button(
                    "Add the sites",
                    key=Key.APPLY_SITES,
                    type="primary",
                    on_click=_add_sites,
                    args=(found,),
                )
            else:
                name = str(layer.features["layer"].iloc[0])
                st.success(markdown_text(f"“{upload.name}”: {len(layer.features)} features."))
                for note in layer.notes:
                    st.info(markdown_text(note))
                st.button(
                    "Add to the map",
                    key=Key.APPLY_LAYER,
                    type="primary",
                    on_click=_add_overlay,
                    args=(layer.features, name),
                )
    for name, count in data.overlays["layer"].value_counts(sort=False).items():
        label, drop = st.columns([4, 1], vertical_alignment="center")
        label.markdown(markdown_text(f"Layer “{name}”: {count} features"))
        drop.button(
            "Remove", key=drop_layer(str(name)), on_click=_remove_overlay, args=(str(name),)
        )


def _place_site(data: Dataset) -> None:
    ss = st.session_state
    st.caption("Click the map to place the site, then name it.")
    ss.setdefault(Key.NEW_SITE_LAT, 0.0)
    ss.setdefault(Key.NEW_SITE_LON, 0.0)
    picked = (ss[Key.NEW_SITE_LAT], ss[Key.NEW_SITE_LON]) != (0.0, 0.0)
    st_folium(
        compose.base_map(data.sites, overlay_table=data.overlays),
        key=Key.PICK_MAP,
        height=settings.PICK_MAP_HEIGHT_PX,
        width="stretch",
        returned_objects=["last_clicked"],
        on_change=_on_pick,
        feature_group_to_add=(
            compose.picked_place(ss[Key.NEW_SITE_LAT], ss[Key.NEW_SITE_LON]) if picked else None
        ),
    )
    lat, lon, kind, country = st.columns(4)
    lat.number_input(
        "Latitude", key=Key.NEW_SITE_LAT, min_value=-90.0, max_value=90.0, format="%.5f"
    )
    lon.number_input(
        "Longitude", key=Key.NEW_SITE_LON, min_value=-180.0, max_value=180.0, format="%.5f"
    )
    kind.selectbox(
        "Kind",
        list(settings.SITE_KINDS),
        key=Key.NEW_SITE_KIND,
        format_func=lambda kind: settings.SITE_KIND_LABELS.get(kind, kind),
    )
    country.text_input(
        "Country (ISO alpha-3)", key=Key.NEW_SITE_COUNTRY, max_chars=3, placeholder="LTU"
    )
    name, ident = st.columns(2)
    name.text_input("Name", key=Key.NEW_SITE_NAME, max_chars=120)
    ident.text_input("Id (from the name when empty)", key=Key.NEW_SITE_ID, max_chars=60)
    st.button(
        "Add the site",
        key=Key.ADD_SITE,
        type="primary",
        on_click=_add_clicked_site,
        args=(data,),
        disabled=not ss.get(Key.NEW_SITE_NAME, "").strip(),
    )


def _edit_table(data: Dataset, path: Path) -> None:
    if len(data.table) > settings.EDITOR_MAX_ROWS:
        st.info(
            f"The table has {len(data.table):,} rows, more than the editor takes "
            f"({settings.EDITOR_MAX_ROWS:,}): download it, edit it, and upload it again."
        )
        return
    st.caption("Every change is checked at once; *Save the edits* keeps them in the workspace.")
    columns = {
        **EDITOR_COLUMNS,
        "site": st.column_config.SelectboxColumn("site", options=sorted(data.sites["id"])),
    }
    edited = st.data_editor(
        data.table,
        key=editor(workspace.version(path)),
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        column_config=columns,
    )
    if edited.equals(data.table):
        return
    try:
        table = userdata.validate_table(
            edited,
            site_ids=frozenset(data.sites["id"]),
            source_ids=frozenset(data.sources["id"]),
        )
    except DataError as exc:
        _report(exc, "The edits are not saved yet:")
        return
    st.success("The edits are valid.")
    st.button(
        "Save the edits",
        key=Key.SAVE_EDITS,
        type="primary",
        on_click=_apply_table,
        args=(table, f"Edits saved ({len(table):,} rows)."),
    )


def _downloads(data: Dataset) -> None:
    st.caption(
        "Text cells that a spreadsheet would run as a formula (starting with =, +, -, @) get "
        "an apostrophe in front; an upload takes it off again."
    )
    csv_col, xlsx_col, json_col = st.columns(3)
    csv_col.download_button(
        "Table as CSV",
        data=functools.partial(userdata.table_csv, data.table),
        file_name="deployments.csv",
        mime="text/csv",
        key=Key.DOWNLOAD_CSV,
        on_click="ignore",
    )
    xlsx_col.download_button(
        "Table as Excel",
        data=functools.partial(userdata.table_xlsx, data.table),
        file_name="deployments.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=Key.DOWNLOAD_XLSX,
        on_click="ignore",
    )
    json_col.download_button(
        "Sites and layers as GeoJSON",
        data=functools.partial(userdata.layers_geojson, data.sites, data.overlays),
        file_name="layers.geojson",
        mime="application/geo+json",
        key=Key.DOWNLOAD_GEOJSON,
        on_click="ignore",
    )


def _own_tables(data: Dataset, path: Path) -> tuple[Any, Any, frozenset[str], frozenset[str]]:
    """The user's own sources and events (text), and the ids of the bundled ones."""
    kept = (
        workspace.read_workspace(path)
        if path.exists() and not data.workspace_problem
        else workspace.Workspace()
    )
    sources = kept.sources if kept.sources is not None else _empty(settings.USER_SOURCE_COLUMNS)
    events = kept.events if kept.events is not None else _empty(settings.EVENT_COLUMNS)
    bundled_sources = frozenset(data.sources["id"]) - set(sources["id"])
    bundled_events = frozenset(data.events["id"]) - set(events["id"])
    return sources, events, bundled_sources, bundled_events


def _empty(columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series([], dtype=str) for column in columns})


def _own_part(
    kind: str,
    current: Any,
    columns: tuple[str, ...],
    read: Any,
    validate: Any,
    path: Path,
) -> None:
    keys = {
        "sources": (Key.APPLY_OWN_SOURCES, Key.SAVE_OWN_SOURCES, Key.DOWNLOAD_OWN_SOURCES),
        "events": (Key.APPLY_OWN_EVENTS, Key.SAVE_OWN_EVENTS, Key.DOWNLOAD_OWN_EVENTS),
    }[kind]
    st.subheader(f"Your {kind}")
    st.caption("Columns: " + markdown_text(", ".join(columns)))
    upload = st.file_uploader(
        f"Upload {kind} (CSV or Excel)",
        type=list(settings.TABLE_UPLOAD_TYPES),
        key=uploader(f"own_{kind}"),
    )
    if upload is not None:
        try:
            table = read(upload.name, upload.getvalue())
        except DataError as exc:
            _report(exc, f"“{upload.name}” was not applied, nothing changed:")
        else:
            merged, line = userdata.merge_by_id(current, table, kind)
            st.success(markdown_text(f"“{upload.name}”: every row valid ({line})."))
            st.button(
                "Apply", key=keys[0], type="primary", on_click=_saved,
                args=(f"Your {kind} are saved ({line}).",), kwargs={kind: merged},
            )  # fmt: skip
    edited = st.data_editor(
        current,
        key=own_editor(kind, workspace.version(path)),
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
    )
    if not edited.equals(current):
        try:
            table = validate(edited)
        except DataError as exc:
            _report(exc, "The edits are not saved yet:")
        else:
            st.button(
                "Save the edits", key=keys[1], type="primary", on_click=_saved,
                args=(f"Your {kind} are saved ({len(table)} rows).",), kwargs={kind: table},
            )  # fmt: skip
    st.download_button(
        f"Your {kind} as CSV",
        data=functools.partial(userdata.text_table_csv, current),
        file_name=f"my-{kind}.csv",
        mime="text/csv",
        key=keys[2],
        on_click="ignore",
    )


def _sources_and_events(data: Dataset, path: Path) -> None:
    st.caption(
        "Your own sources can be cited by your table and your events, like the bundled "
        "ones. A link is kept and shown as text; it is never opened by the app."
    )
    sources, events, bundled_sources, bundled_events = _own_tables(data, path)
    all_sources = frozenset(data.sources["id"])
    sites = frozenset(data.sites["id"])
    _own_part(
        "sources",
        sources,
        settings.USER_SOURCE_COLUMNS,
        functools.partial(worker.read_sources, known_ids=bundled_sources),
        functools.partial(userdata.validate_sources_table, known_ids=bundled_sources),
        path,
    )
    _own_part(
        "events",
        events,
        settings.EVENT_COLUMNS,
        functools.partial(
            worker.read_events,
            site_ids=sites,
            source_ids=all_sources,
            known_ids=bundled_events,
        ),
        functools.partial(
            userdata.validate_events_table,
            site_ids=sites,
            source_ids=all_sources,
            known_ids=bundled_events,
        ),
        path,
    )


def render(data: Dataset) -> None:
    """Draw the data page."""
    path = context.workspace_path()
    st.title("Your data")
    _data_status(data, path)
    tabs = st.tabs(
        [
            "Upload a table",
            "Upload a layer",
            "Add a site",
            "Edit the table",
            "Your sources and events",
            "Download",
        ],
        key=Key.DATA_TAB,  # the open tab stays open across reruns (an upload, a save)
        on_change="rerun",  # only the open tab runs: the site map is drawn when visible
    )
    parts = (
        functools.partial(_upload_table, data),
        functools.partial(_upload_layer, data),
        functools.partial(_place_site, data),
        functools.partial(_edit_table, data, path),
        functools.partial(_sources_and_events, data, path),
        functools.partial(_downloads, data),
    )
    for tab, part in zip(tabs, parts, strict=True):
        if tab.open:
            with tab:
                part()
