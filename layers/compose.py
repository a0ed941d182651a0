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
from layers.assets import CSS_LINKS, stylesheet_url
from layers.base import (
    DataLayer,
    LegendEntry,
    OfflineMap,
    Runtime,
    new_map,
    path_kwargs,
    safe_text,
)


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


_CSS = (
    # Chromium draws a focus box around a clicked SVG shape's bounds; the shape is the focus.
    ".leaflet-container path.leaflet-interactive:focus{outline:none}"
    ".map-legend{background:rgba(255,255,255,.93);padding:5px 9px;border-radius:4px;"
    "font:12px/1.45 system-ui,sans-serif;color:#1d2b3a;box-shadow:0 1px 4px rgba(0,0,0,.3);"
    "max-height:60vh;overflow:auto}"
    ".map-legend summary{cursor:pointer;font-weight:700}"
    ".map-legend .legend-title{font-weight:700;margin-top:3px}"
    ".map-legend .swatch{display:inline-block;width:11px;height:11px;margin-right:6px;"
    "vertical-align:-1px;box-sizing:border-box}"
    ".map-legend .swatch.line{height:0;width:16px;vertical-align:3px}"
    ".sea-label{font:italic 600 12px system-ui,sans-serif;color:{sea};text-align:center;"
    "white-space:nowrap;text-shadow:0 0 3px #fff}"
    ".dep-icon{background:none;border:0}"
    # Below zoom 5 the sites of the eastern flank crowd together: draw the markers smaller.
    ".leaflet-container:not(.z-ge-5) .dep{transform:scale(.78)}"
    ".dep{position:relative;width:100%;height:100%}"
    ".dep-core{box-sizing:border-box;border-radius:50%;display:flex;align-items:center;"
    "justify-content:center;font:700 11px system-ui,sans-serif;color:#13283f;"
    "background:{fill};border:{weight}px solid {line};box-shadow:0 1px 3px rgba(0,0,0,.35)}"
    ".dep.selected .dep-core,.dep.selected svg{outline:{ring}px solid {ringcolor};"
    "outline-offset:3px;border-radius:50%}"
    # Badges sit above and to the right of the marker, clear of the site's name on its right.
    ".dep-badges{position:absolute;bottom:calc(50% + 3px);display:flex;flex-wrap:wrap;"
    "width:150px;gap:2px;align-content:flex-end}"
    ".dep-badge{font:700 10px/1 system-ui,sans-serif;color:#fff;background:var(--c);"
    "border:1.5px solid var(--c);border-radius:3px;padding:2px 3px;"
    "box-shadow:0 1px 2px rgba(0,0,0,.3)}"
    ".dep-app6{display:flex;align-items:center;justify-content:center}"
    ".dep-app6 svg{display:block;overflow:visible}"
    ".event-icon{background:none;border:0}"
    ".event-mark{display:block;width:10px;height:10px;border:1.5px solid;transform:rotate(45deg);"
    "box-shadow:0 1px 2px rgba(0,0,0,.3)}"
    ".dep-popup{font:13px/1.4 system-ui,sans-serif;color:#1d2b3a;max-height:340px;overflow:auto}"
    ".dep-popup .title{font-weight:700;font-size:15px}"
    ".dep-popup .meta{color:#52606d;margin-bottom:4px}"
    ".dep-popup table{border-collapse:collapse}"
    ".dep-popup td{vertical-align:top;padding:4px 6px 4px 0;border-top:1px solid #e4e7eb}"
    ".dep-popup td.who{white-space:nowrap}"
    ".dep-popup .dot{display:inline-block;width:9px;height:9px;border-radius:50%;margin-right:4px}"
    ".dep-popup .src{color:#52606d;font-style:italic}"
    ".dep-popup tr.status-declined td{color:#7b8794}"
    ".dep-popup .more{color:#52606d;margin-top:4px}"
    ".map-caption{background:rgba(255,255,255,.94);padding:8px 14px;border-radius:6px;"
    "box-shadow:0 1px 5px rgba(0,0,0,.35);color:#13283f;font-family:system-ui,sans-serif;"
    "max-width:46vw}"
    ".map-caption .caption-title{font-weight:700;font-size:20px;line-height:1.2}"
    ".map-caption .caption-sub{font-size:14px;color:#3e4c59}"
    ".map-caption .caption-date{font-size:15px;font-weight:600;color:#b3261e;margin-top:2px}"
)

# Presenter mode: type that reads from the back of a room on a 1920x1080 projector (the
# runtime puts the class "presenter" on the map).
_PRESENTER_CSS = (
    ".map-caption{padding:14px 22px}"
    ".map-caption .caption-title{font-size:40px}"
    ".map-caption .caption-sub{font-size:24px}"
    ".map-caption .caption-date{font-size:28px}"
    ".map-legend{font-size:18px;line-height:1.5}"
    ".map-legend .swatch:not(.line){width:16px;height:16px}"
    ".leaflet-tooltip.site-label{font-size:18px}"
    ".sea-label{font-size:18px}"
    ".dep-badge{font-size:15px;padding:3px 5px}"
    ".dep-core{font-size:15px}"
    ".leaflet-control-layers{font-size:16px}"
)


def _badge_css() -> str:
    """The badge look per status, from the same constants as the static export."""
    rules = []
    for status, look in settings.BADGE_STYLES.items():
        parts = []
        if look.get("fill"):
            parts.append(f"background:{look['fill']}")
        if look.get("text"):
            parts.append(f"color:{look['text']}")
        elif look.get("fill"):
            parts.append("color:var(--c)")  # the nation's colour on a light badge
        if look.get("line"):
            parts.append(f"border-color:{look['line']}")
        if look.get("dashed"):
            parts.append("border-style:dashed")
        if look.get("struck"):
            parts.append("text-decoration:line-through")
        opacity = float(str(look.get("opacity", 1.0)))
        if opacity < 1:
            parts.append(f"opacity:{opacity:g}")
        if parts:
            rules.append(f".dep-badge.status-{status}{{{';'.join(parts)}}}")
    return "".join(rules)


def stylesheet() -> str:
    """The map's whole stylesheet, made from the style constants; served as a static file.

    It is the same for every view (presenter mode only adds a class to the map), so the browser
    loads it once and a filter change never re-sends it.
    """
    style = settings.DEPLOYMENT_STYLE
    ring = settings.SELECTED_STYLE
    css = (
        _CSS.replace("{fill}", str(style["fillColor"]))
        .replace("{line}", str(style["color"]))
        .replace("{weight}", str(style["weight"]))
        .replace("{sea}", settings.SEA_LABEL_COLOR)
        .replace("{ringcolor}", str(ring["color"]))
        .replace("{ring}", str(ring["weight"]))
    )
    presenter = "".join(
        ".presenter " + rule.replace(",", ",.presenter ") + "}"
        for rule in _PRESENTER_CSS.split("}")
        if rule
    )
    # div.: wins over Leaflet's own .leaflet-container rule wherever its CSS lands.
    base = (
        f"div.leaflet-container{{background:{settings.SEA_COLOR}}}"
        ".leaflet-tooltip.site-label{background:transparent;border:0;box-shadow:none;"
        "font:600 12px/1.2 system-ui,sans-serif;color:#1d2b3a;"
        "text-shadow:0 0 3px #fff,0 0 3px #fff}"
    )
    return base + css + _badge_css() + sites.label_css() + presenter


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
