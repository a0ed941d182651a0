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
from layers.base import LegendEntry

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
            var contributors = new Set({{ this.contributors|tojson }});
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
            function build(data) {
                return L.geoJSON(data, {
                    style: function (f) { return styles[roleOf(f.properties || {})]; },
                    onEachFeature: function (f, layer) {
                        layer.bindTooltip(esc((f.properties || {}).name), {sticky: true});
                    }
                });
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
            show();
        })({{ this._parent.get_name() }}, {{ this._parent._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, *, contributors: tuple[str, ...] = ()) -> None:
        super().__init__()
        self._name = "BoundaryLoader"
        self.lods = [
            {"url": boundary_url(stem), "min_zoom": lo, "max_zoom": hi}
            for stem, lo, hi, _tol in settings.BOUNDARY_LODS
        ]
        self.styles = settings.COUNTRY_STYLES
        self.contributors = sorted(contributors)


def build(*, contributors: tuple[str, ...] = ()) -> folium.FeatureGroup:
    """The countries layer: an empty group the browser fills with the outlines.

    Parameters
    ----------
    contributors : tuple of str
        ISO 3166-1 alpha-3 codes of nations tinted as contributing.
    """
    group = folium.FeatureGroup(name=TITLE, overlay=False, control=False)
    group.add_child(_BoundaryLoader(contributors=contributors))
    return group


def legend() -> list[LegendEntry]:
    """Legend entries of the countries layer."""
    labels = {
        "host": "Host territory",
        "contributor": "Contributing nation",
        "context": "Other country",
    }
    return [LegendEntry(label, settings.COUNTRY_STYLES[role]) for role, label in labels.items()]
