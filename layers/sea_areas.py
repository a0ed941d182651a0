"""Sea areas: the indicative Baltic and North Sea areas of the naval missions.

The polygons are fetched by the browser from the app's static copy of ``data/sites.geojson``
(once, then cached), not embedded in the map script: an area with a naval deployment in the
current filter is emphasised by restyling, without re-sending its geometry.
"""

from __future__ import annotations

import folium
import geopandas as gpd
from jinja2 import Template

from geo import settings
from layers.assets import sites_url
from layers.base import LegendEntry, TextMacroElement, layer_group, safe_text

NAME = "sea_areas"
TITLE = "Sea areas"


class _SeaAreaLoader(TextMacroElement):
    """Fetches the sea-area polygons into its parent group and restyles them by state."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        window.briefing.seaAreas({{ this._parent.get_name() }}, {{ this.options|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, labels: list[dict[str, object]]) -> None:
        super().__init__()
        self._name = "SeaAreaLoader"
        self.options = {"url": sites_url(), "styles": settings.SEA_AREA_STYLES, "labels": labels}


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
