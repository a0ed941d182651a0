"""Sea areas: the indicative Baltic and North Sea areas of the naval missions.

The polygons are fetched by the browser from the app's static copy of ``data/sites.geojson``
(once, then cached), not embedded in the map script: an area with a naval deployment in the
current filter is emphasised by restyling, without re-sending its geometry.
"""

from __future__ import annotations

import folium
import geopandas as gpd
from branca.element import MacroElement
from jinja2 import Template

from geo import settings
from layers.assets import sites_url
from layers.base import LegendEntry, layer_group, safe_text

NAME = "sea_areas"
TITLE = "Sea areas"


class _SeaAreaLoader(MacroElement):
    """Fetches the sea-area polygons into its parent group and restyles them by state."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (group) {
            var styles = {{ this.styles|tojson }};
            var active = new Set();
            var layer = null;
            function styleOf(f) {
                return active.has((f.properties || {}).id) ? styles.active : styles.inactive;
            }
            {{ this.labels|tojson }}.forEach(function (label) {
                L.marker([label.lat, label.lon], {
                    interactive: false,
                    keyboard: false,
                    icon: L.divIcon({className: "sea-label-icon", iconSize: [140, 18],
                                     iconAnchor: [70, 9],
                                     html: '<div class="sea-label">' + label.name + "</div>"})
                }).addTo(group);
            });
            fetch({{ this.url|tojson }})
                .then(function (r) {
                    if (!r.ok) { throw new Error(r.status); }
                    return r.json();
                })
                .then(function (data) {
                    layer = L.geoJSON(data, {
                        filter: function (f) { return (f.properties || {}).kind === "sea_area"; },
                        style: styleOf,
                        interactive: false
                    });
                    group.addLayer(layer);
                    layer.bringToBack();
                })
                .catch(function (err) { console.warn("sea areas not loaded", err); });
            window.briefing.onState(function (state) {
                active = new Set(state.active_seas || []);
                if (layer) { layer.setStyle(styleOf); }
            });
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, labels: list[dict[str, object]]) -> None:
        super().__init__()
        self._name = "SeaAreaLoader"
        self.url = sites_url()
        self.styles = settings.SEA_AREA_STYLES
        self.labels = labels


def build(sites: gpd.GeoDataFrame) -> folium.FeatureGroup:
    """The sea-areas layer: labels now, polygons fetched by the browser.

    Parameters
    ----------
    sites : GeoDataFrame
        Sites in EPSG:4326; those of kind ``sea_area`` are labelled. Not modified.
    """
    areas = sites[sites["kind"] == "sea_area"]
    labels = []
    for row in areas.itertuples():
        point = row.geometry.representative_point()
        labels.append(
            {"lat": round(point.y, 4), "lon": round(point.x, 4), "name": safe_text(row.name)}
        )
    group = layer_group(NAME, TITLE)
    group.add_child(_SeaAreaLoader(labels))
    return group


def legend() -> list[LegendEntry]:
    """Legend entries: an area with a naval deployment in the filter, and one without."""
    return [
        LegendEntry("Naval deployment in view", settings.SEA_AREA_STYLES["active"]),
        LegendEntry("Sea area (indicative)", settings.SEA_AREA_STYLES["inactive"]),
    ]
