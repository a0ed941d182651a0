"""What every layer shares: the offline map, safe text, and the legend entry type."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any, cast

import folium
from branca.element import Figure

from geo import settings
from layers.assets import CSS_LINKS, JS_LINKS


class OfflineMap(folium.Map):
    """A ``folium.Map`` whose scripts and stylesheets are served by the app, never by a CDN."""

    default_js = list(JS_LINKS)  # noqa: RUF012 (folium declares it per class, not ClassVar)
    default_css = list(CSS_LINKS)  # noqa: RUF012


@dataclass(frozen=True)
class LegendEntry:
    """One line of a legend: a label and the style (Leaflet path options) it is drawn with."""

    label: str
    style: dict[str, object]
    shape: str = "area"  # "area", "circle" or "line"


def safe_text(value: object) -> str:
    """Escape a text for HTML and for the JavaScript template strings folium writes.

    folium's ``Tooltip`` and ``Popup`` put text inside backtick template literals, where a
    backtick ends the string and ``${...}`` is evaluated; HTML escaping alone does not stop that.
    """
    text = "" if value is None else str(value)
    text = html.escape(text, quote=True)
    return text.replace("`", "&#96;").replace("${", "&#36;{").replace("\\", "&#92;")


def new_map(*, height: int = settings.MAP_HEIGHT_PX) -> OfflineMap:
    """The base map: no tiles, sea-coloured background, the default view fitted."""
    (south, west), (north, east) = settings.DEFAULT_BOUNDS
    fmap = OfflineMap(
        location=((south + north) / 2, (west + east) / 2),
        zoom_start=3,
        tiles=None,
        height=height,
        min_zoom=settings.MIN_ZOOM,
        max_zoom=settings.MAX_ZOOM,
        world_copy_jump=False,
        prefer_canvas=False,
        control_scale=True,
    )
    root(fmap).header.add_child(
        folium.Element(
            "<style>.leaflet-container{background:"
            + settings.SEA_COLOR
            + ";}.leaflet-tooltip.site-label{background:transparent;border:0;box-shadow:none;"
            "font:600 12px/1.2 system-ui,sans-serif;color:#1d2b3a;"
            "text-shadow:0 0 3px #fff,0 0 3px #fff;}</style>"
        ),
        name="briefing_map_css",
    )
    fmap.fit_bounds([[south, west], [north, east]])
    return fmap


def root(fmap: folium.Map) -> Figure:
    """The HTML document a map renders into (folium types it as a plain Element)."""
    return cast(Figure, fmap.get_root())


def path_kwargs(style: dict[str, object]) -> dict[str, Any]:
    """Turn a Leaflet path style (camelCase, as in settings) into folium keyword arguments."""
    out: dict[str, Any] = {}
    for key, value in style.items():
        snake = "".join("_" + c.lower() if c.isupper() else c for c in key)
        out[snake] = value
    return out
