"""Put the registered layers together into one map (no streamlit here)."""

from __future__ import annotations

import folium
import geopandas as gpd
from branca.element import MacroElement
from jinja2 import Template

from layers import REGISTRY, countries, sites
from layers.base import LegendEntry, OfflineMap, new_map, root, safe_text


def _swatch(entry: LegendEntry) -> str:
    style = entry.style
    fill = safe_text(style.get("fillColor", style.get("color", "#999")))
    line = safe_text(style.get("color", "#666"))
    radius = "50%" if entry.shape == "circle" else "2px"
    return (
        f'<span class="swatch" style="background:{fill};border:2px solid {line};'
        f'border-radius:{radius}"></span>'
    )


def legend_html(entries: list[tuple[str, list[LegendEntry]]]) -> str:
    """The legend as HTML: one titled block per layer, every text escaped."""
    blocks = []
    for title, items in entries:
        rows = "".join(f"<div>{_swatch(e)}{safe_text(e.label)}</div>" for e in items)
        blocks.append(f"<div class='legend-title'>{safe_text(title)}</div>{rows}")
    return "".join(blocks)


class _Legend(MacroElement):
    """A static legend in the map's lower-left corner."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
            var legend = L.control({position: "bottomleft"});
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", "map-legend");
                div.innerHTML = {{ this.html|tojson }};
                L.DomEvent.disableClickPropagation(div);
                return div;
            };
            legend.addTo(map);
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, html: str) -> None:
        super().__init__()
        self._name = "Legend"
        self.html = html


_LEGEND_CSS = (
    "<style>.map-legend{background:rgba(255,255,255,.92);padding:6px 9px;border-radius:4px;"
    "font:12px/1.5 system-ui,sans-serif;color:#1d2b3a;box-shadow:0 1px 4px rgba(0,0,0,.3)}"
    ".map-legend .legend-title{font-weight:700;margin-top:3px}"
    ".map-legend .swatch{display:inline-block;width:11px;height:11px;margin-right:6px;"
    "vertical-align:-1px}"
    ".sea-label{font:italic 600 12px system-ui,sans-serif;color:#2b6f9e;text-align:center;"
    "white-space:nowrap;text-shadow:0 0 3px #fff}</style>"
)


def base_map() -> OfflineMap:
    """The part of the map that never changes with the filters: outlines, legend, controls.

    Built afresh on each rerun from the same constants, its script is the same every time, so
    streamlit-folium keeps the mounted map and only the dynamic layers are pushed into it.
    """
    fmap = new_map()
    countries.build().add_to(fmap)
    root(fmap).header.add_child(folium.Element(_LEGEND_CSS), name="legend_css")
    entries = [(layer.TITLE, layer.legend()) for layer in REGISTRY]
    fmap.add_child(_Legend(legend_html(entries)))
    return fmap


def dynamic_layers(site_table: gpd.GeoDataFrame) -> list[folium.FeatureGroup]:
    """The layers that follow the filters, pushed into the mounted map on every rerun."""
    return [sites.build(site_table)]
