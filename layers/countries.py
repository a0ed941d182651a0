"""Countries: the vector basemap, fetched by the browser from the app's static files.

The outlines are not embedded in the map script: the browser fetches the level of detail that
fits its zoom from ``/app/static/boundaries`` once and keeps it, so a rerun of the app never
re-sends them.
"""

from __future__ import annotations

import folium
from branca.element import MacroElement
from jinja2 import Template

from geo import settings
from layers.assets import boundary_url
from layers.base import LegendEntry, layer_group

NAME = "countries"
TITLE = "Countries"


class _BoundaryLoader(MacroElement):
    """Fetches the outlines for the current zoom into its parent feature group."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (group, map) {
            var lods = {{ this.lods|tojson }};
            var styles = {{ this.styles|tojson }};
            var contributors = new Set();
            var built = [];
            var cache = {};
            var shown = null;
            function esc(s) {
                var d = document.createElement("div");
                d.textContent = s == null ? "" : String(s);
                return d.innerHTML;
            }
            function roleOf(p) {
                if (p.role === "host") { return "host"; }
                return contributors.has(p.iso_a3) ? "contributor" : "context";
            }
            function pick(z) {
                for (var i = 0; i < lods.length; i++) {
                    if (z >= lods[i].min_zoom && z <= lods[i].max_zoom) { return lods[i]; }
                }
                return lods[lods.length - 1];
            }
            function styleOf(f) { return styles[roleOf(f.properties || {})]; }
            function build(data) {
                var layer = L.geoJSON(data, {
                    style: styleOf,
                    onEachFeature: function (f, part) {
                        part.bindTooltip(esc((f.properties || {}).name), {sticky: true});
                    }
                });
                built.push(layer);
                return layer;
            }
            function show() {
                var lod = pick(Math.round(map.getZoom()));
                if (shown === lod.url) { return; }
                shown = lod.url;
                var pending = cache[lod.url] || (cache[lod.url] = fetch(lod.url)
                    .then(function (r) {
                        if (!r.ok) { throw new Error(r.status); }
                        return r.json();
                    })
                    .then(build));
                pending.then(function (layer) {
                    if (shown !== lod.url) { return; }
                    group.clearLayers();
                    group.addLayer(layer);
                    layer.bringToBack();
                    map.getContainer().setAttribute("data-boundaries", lod.url);
                }).catch(function (err) {
                    delete cache[lod.url];
                    shown = null;
                    console.warn("boundaries not loaded", lod.url, err);
                });
            }
            map.on("zoomend", show);
            // Contributing nations follow the filters: restyle, never re-fetch.
            window.briefing.onState(function (state) {
                contributors = new Set(state.contributors || []);
                built.forEach(function (layer) { layer.setStyle(styleOf); });
            });
            show();
        })({{ this._parent.get_name() }}, {{ this._parent._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "BoundaryLoader"
        self.lods = [
            {"url": boundary_url(stem), "min_zoom": lo, "max_zoom": hi}
            for stem, lo, hi, _tol in settings.BOUNDARY_LODS
        ]
        self.styles = settings.COUNTRY_STYLES


def build() -> folium.FeatureGroup:
    """The countries layer: an empty group the browser fills with the outlines.

    Which nations are tinted as contributing follows the filter state the dynamic layers hand
    to ``window.briefing.setState`` (key ``contributors``: alpha-3 codes).
    """
    group = layer_group(NAME, TITLE)
    group.add_child(_BoundaryLoader())
    return group


def role(code: str, *, host: bool, contributors: frozenset[str]) -> str:
    """The style role of a country: ``host``, ``contributor`` or ``context`` (the export's rule,
    the same as the browser's)."""
    if host:
        return "host"
    return "contributor" if code in contributors else "context"


def legend() -> list[LegendEntry]:
    """Legend entries of the countries layer."""
    labels = {
        "host": "Host territory",
        "contributor": "Contributing nation",
        "context": "Other country",
    }
    return [LegendEntry(label, settings.COUNTRY_STYLES[role]) for role, label in labels.items()]
