"""Put the registered layers together into one map (no streamlit here).

The map has two parts. The base map (outlines, sea areas, sites, legend, runtime) never
changes with the filters: built afresh on each rerun from the same data, its script is the same
every time, so streamlit-folium keeps the mounted map. The dynamic layers (contributions,
deployments, events) are rebuilt from the filtered rows and pushed into it
(``st_folium(feature_group_to_add=...)``), and they hand the filter state to the static layers,
which restyle without re-sending their geometry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

import folium
import geopandas as gpd
import pandas as pd
from jinja2 import Template

from geo import settings
from geo.filters import FilterState
from geo.story import Story
from layers import (
    REGISTRY,
    contributions,
    countries,
    deployments,
    events,
    overlays,
    sea_areas,
    sites,
    timebar,
)
from layers.assets import CSS_LINKS
from layers.base import (
    DataLayer,
    LegendEntry,
    OfflineMap,
    Runtime,
    SetState,
    TextMacroElement,
    new_map,
    path_kwargs,
    safe_text,
)
from layers.stylesheet import stylesheet_url


def _swatch(entry: LegendEntry) -> str:
    style = entry.style
    fill = safe_text(style.get("fillColor", style.get("color", "#999")))
    line = safe_text(style.get("color", "#666"))
    dash = "dashed" if style.get("dashArray") else "solid"
    if entry.shape == "line":
        return f'<span class="swatch line" style="border-top:3px {dash} {line}"></span>'
    radius = {"circle": "50%", "diamond": "2px"}.get(entry.shape, "2px")
    turn = ";transform:rotate(45deg) scale(.8)" if entry.shape == "diamond" else ""
    return (
        f'<span class="swatch" style="background:{fill};border:2px {dash} {line};'
        f'border-radius:{radius}{turn}"></span>'
    )


def legend_html(
    entries: list[tuple[str, list[LegendEntry]]], *, names: list[str] | None = None
) -> str:
    """The legend as HTML: one titled block per layer, every text escaped.

    With ``names`` (each block's layer name), a block carries its layer's name and an entry
    its selector (:attr:`LegendEntry.shows`), so the browser lists only what the map draws.
    """
    blocks = []
    for index, (title, items) in enumerate(entries):
        rows = "".join(
            f'<div class="legend-row"{_shows(e)}>{_swatch(e)}{safe_text(e.label)}</div>'
            for e in items
        )
        layer = f' data-layer="{safe_text(names[index])}"' if names else ""
        blocks.append(
            f'<div class="legend-block"{layer}>'
            f"<div class='legend-title'>{safe_text(title)}</div>{rows}</div>"
        )
    return "".join(blocks)


def _shows(entry: LegendEntry) -> str:
    return f' data-shows="{safe_text(entry.shows)}"' if entry.shows else ""


class _Legend(TextMacroElement):
    """A static legend in a lower corner of the map, folded until opened."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        window.briefing.legend({{ this._parent.get_name() }}, {{ this.options|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, html: str, *, open_: bool = False, position: str = "bottomleft") -> None:
        super().__init__()
        self._name = "Legend"
        self.options = {"html": html, "open": open_, "position": position}


def base_map(
    site_table: gpd.GeoDataFrame,
    *,
    presenter: bool = False,
    overlay_table: gpd.GeoDataFrame | None = None,
) -> OfflineMap:
    """The part of the map that never changes with the filters.

    Parameters
    ----------
    site_table : GeoDataFrame
        The sites (EPSG:4326); drawn as the sites and sea-area layers.
    presenter : bool
        The audience's screen: the map fills its frame, larger type, the layer control
        folded.
    overlay_table : GeoDataFrame, optional
        The user's context layers (:mod:`geo.workspace`); drawn as "Your layers" when given
        and not empty.
    """
    # Presenter mode: the map fills its frame, which the page sizes to the window
    # (presenter_page_css).
    fmap = (
        new_map(height="100%", zoom_snap=settings.PRESENTER_ZOOM_SNAP) if presenter else new_map()
    )
    fmap.default_css = [*CSS_LINKS, ("briefing_css", stylesheet_url())]
    fmap.add_child(Runtime(presenter=presenter, collapsed=presenter))
    countries.build().add_to(fmap)
    sea_areas.build(site_table).add_to(fmap)
    has_overlays = overlay_table is not None and not overlay_table.empty
    if overlay_table is not None and has_overlays:
        overlays.build(overlay_table).add_to(fmap)
    sites.build(site_table).add_to(fmap)
    shown = [layer for layer in REGISTRY if layer is not overlays or has_overlays]
    html = legend_html(
        [(layer.TITLE, layer.legend()) for layer in shown], names=[layer.NAME for layer in shown]
    )
    # Folded in both modes; in presenter mode at the bottom right, clear of the title card.
    fmap.add_child(_Legend(html, position="bottomright" if presenter else "bottomleft"))
    return fmap


def view_group(
    *,
    scene: str | None,
    bounds: tuple[float, float, float, float] | None,
    layers: tuple[str, ...] = (),
    caption: tuple[str, str, str] | None = None,
    told: Story | None = None,
) -> folium.FeatureGroup:
    """An invisible group that moves the map to a scene and captions it.

    The browser flies to ``bounds`` (west, south, east, north) and shows only ``layers`` when
    ``scene`` differs from the scene it last showed, so a date step inside a scene leaves the
    view alone. ``caption`` (title, subtitle, date in words) is drawn over the map. ``told``
    (:func:`geo.story.story` of the view) restyles the static layers: only its hosts shaded as
    hosts, its sites drawn in full, the others quietly or not at all.
    """
    data: dict[str, object] = {"scene": scene, "layers": list(layers)}
    if bounds is not None:
        west, south, east, north = bounds
        data["bounds"] = [[south, west], [north, east]]
    if caption is not None:
        title, subtitle, when = caption
        data["caption"] = {
            "title": safe_text(title),
            "subtitle": safe_text(subtitle),
            "when": safe_text(when),
        }
    group = folium.FeatureGroup(name="view", control=False)
    if told is not None:
        group.add_child(SetState(story_state(told)))
    group.add_child(DataLayer("view", data))
    return group


def story_state(told: Story) -> dict[str, object]:
    """The part of the browser's state that tells the static layers a view's story
    (:func:`geo.story.story`): the hosts to shade, the sites to draw in full or quietly."""
    return {
        "hosts": sorted(told.hosts),
        "sites": sorted(told.sites),
        "quiet": sorted(told.quiet),
    }


def time_bar(
    rows: gpd.GeoDataFrame,
    event_rows: pd.DataFrame,
    *,
    day: dt.date | None,
    bounds: tuple[dt.date, dt.date],
    site_table: gpd.GeoDataFrame,
    other_sites: str,
    with_events: bool = True,
    publish: Callable[[object], str] | None = None,
) -> folium.FeatureGroup:
    """The time bar (:mod:`layers.timebar`), pushed after the dynamic layers.

    Parameters
    ----------
    rows, event_rows : DataFrame
        The deployments and events the dynamic layers were drawn from: every date, the
        other filters applied.
    day : date, optional
        The as-of day; None (a period, or every date) takes the bar off the map.
    bounds : (date, date)
        What the scrubber offers: the Streamlit slider's first and last day.
    site_table : GeoDataFrame
        All sites (the quiet ones of a view whose other sites are drawn quietly).
    other_sites : str
        "hidden" or "quiet", as :func:`geo.story.story`.
    with_events : bool
        Whether the view draws its events.
    publish : callable, optional
        Writes the columns to a served file and returns its URL
        (:func:`layers.static.publish_json`); None: they travel inside the push.
    """
    if day is None:
        return timebar.build(None)
    points = site_table.loc[site_table["kind"] != "sea_area", "id"].astype(str)
    columns = timebar.time_columns(
        rows,
        event_rows,
        day=day,
        bounds=bounds,
        point_sites=points.tolist() if other_sites == "quiet" else None,
        with_events=with_events,
    )
    return timebar.build(columns, publish=publish)


def picked_place(lat: float, lon: float) -> folium.FeatureGroup:
    """A ring where the user clicked to place a new site (pushed into the mounted map)."""
    group = folium.FeatureGroup(name="picked", control=False)
    folium.CircleMarker(location=(lat, lon), radius=9, **path_kwargs(settings.PICKED_STYLE)).add_to(
        group
    )
    return group


def dynamic_layers(
    rows: gpd.GeoDataFrame,
    event_rows: pd.DataFrame,
    *,
    state: FilterState,
    site_table: gpd.GeoDataFrame,
    anchors: Mapping[str, tuple[float, float]],
    source_titles: Mapping[str, str],
) -> list[folium.FeatureGroup]:
    """The layers that follow the filters, in drawing order, pushed on every rerun.

    Parameters
    ----------
    rows : GeoDataFrame
        Filtered deployments joined to their sites.
    event_rows : DataFrame
        Filtered events.
    state : FilterState
        The filter state (selected site, symbol style, flows mode).
    site_table : GeoDataFrame
        All sites, to place events.
    anchors : mapping
        Where each nation's contribution lines start.
    source_titles : mapping
        Source id -> title, for popups and tooltips.
    """
    return [
        contributions.build(rows, state=state, anchors=anchors),
        deployments.build(rows, state=state, source_titles=source_titles),
        events.build(event_rows, sites=site_table, source_titles=source_titles),
    ]
