"""Put the registered layers together into one map (no streamlit here).

The map has two parts. The base map (outlines, sea areas, sites, legend, runtime) never
changes with the filters: built afresh on each rerun from the same data, its script is the same
every time, so streamlit-folium keeps the mounted map. The dynamic layers (contributions,
deployments, events) are rebuilt from the filtered rows and pushed into it
(``st_folium(feature_group_to_add=...)``), and they hand the filter state to the static layers,
which restyle without re-sending their geometry.
"""

from __future__ import annotations

from collections.abc import Mapping

import folium
import geopandas as gpd
import pandas as pd
from branca.element import MacroElement
from jinja2 import Template

from geo import settings
from geo.filters import FilterState
from layers import (
    REGISTRY,
    contributions,
    countries,
    deployments,
    events,
    overlays,
    sea_areas,
    sites,
)
from layers.assets import CSS_LINKS
from layers.base import (
    DataLayer,
    LegendEntry,
    OfflineMap,
    Runtime,
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


def legend_html(entries: list[tuple[str, list[LegendEntry]]]) -> str:
    """The legend as HTML: one titled block per layer, every text escaped."""
    blocks = []
    for title, items in entries:
        rows = "".join(f"<div>{_swatch(e)}{safe_text(e.label)}</div>" for e in items)
        blocks.append(f"<div class='legend-title'>{safe_text(title)}</div>{rows}")
    return "".join(blocks)


class _Legend(MacroElement):
    """A static legend in the map's lower-left corner, folded on small screens."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        window.briefing.legend({{ this._parent.get_name() }}, {{ this.options|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, html: str, *, open_: bool = False) -> None:
        super().__init__()
        self._name = "Legend"
        # Open (presenter mode): bottom right, clear of the scene's caption at the top left.
        self.options = {
            "html": html,
            "open": open_,
            "position": "bottomright" if open_ else "bottomleft",
        }


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
        Projector size: a taller map, large type, the legend open.
    overlay_table : GeoDataFrame, optional
        The user's context layers (:mod:`geo.workspace`); drawn as "Your layers" when given
        and not empty.
    """
    height = settings.PRESENTER_MAP_HEIGHT_PX if presenter else settings.MAP_HEIGHT_PX
    fmap = new_map(height=height)
    fmap.default_css = [*CSS_LINKS, ("briefing_css", stylesheet_url())]
    fmap.add_child(Runtime(presenter=presenter))
    countries.build().add_to(fmap)
    sea_areas.build(site_table).add_to(fmap)
    has_overlays = overlay_table is not None and not overlay_table.empty
    if overlay_table is not None and has_overlays:
        overlays.build(overlay_table).add_to(fmap)
    sites.build(site_table).add_to(fmap)
    entries = [
        (layer.TITLE, layer.legend()) for layer in REGISTRY if layer is not overlays or has_overlays
    ]
    fmap.add_child(_Legend(legend_html(entries), open_=presenter))
    return fmap


def view_group(
    *,
    scene: str | None,
    bounds: tuple[float, float, float, float] | None,
    layers: tuple[str, ...] = (),
    caption: tuple[str, str, str] | None = None,
) -> folium.FeatureGroup:
    """An invisible group that moves the map to a scene and captions it.

    The browser flies to ``bounds`` (west, south, east, north) and shows only ``layers`` when
    ``scene`` differs from the scene it last showed, so a date step inside a scene leaves the
    view alone. ``caption`` (title, subtitle, date in words) is drawn over the map.
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
    group.add_child(DataLayer("view", data))
    return group


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
