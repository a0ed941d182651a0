"""Countries: the vector basemap, fetched by the browser from the app's static files.

The outlines are not embedded in the map script: the browser fetches the level of detail that
fits its zoom from ``/app/static/boundaries`` once and keeps it, so a rerun of the app never
re-sends them.
"""

from __future__ import annotations

import functools
import math
from pathlib import Path

import folium
import geopandas as gpd
import shapely
from jinja2 import Template

from geo import anchors, settings
from layers.assets import boundary_url
from layers.base import LegendEntry, TextMacroElement, layer_group, safe_text

NAME = "countries"
TITLE = "Countries"


class _BoundaryLoader(TextMacroElement):
    """Fetches the outlines for the current zoom into its parent feature group."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        window.briefing.countries({{ this._parent.get_name() }},
                                  {{ this._parent._parent.get_name() }},
                                  {{ this.options|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "BoundaryLoader"
        lods = [
            {"url": boundary_url(stem), "min_zoom": lo, "max_zoom": hi}
            for stem, lo, hi, _tol in settings.BOUNDARY_LODS
        ]
        self.options = {
            "lods": lods,
            "styles": settings.COUNTRY_STYLES,
            # [name, lat, lon, first zoom, code]: names placed by the browser's declutter pass.
            "labels": bundled_labels(),
        }


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


def label_zoom(area_km2: float) -> int:
    """The zoom from which a country whose largest part has ``area_km2`` shows its name."""
    for least, zoom in settings.COUNTRY_LABEL_ZOOMS:
        if area_km2 >= least:
            return zoom
    return settings.COUNTRY_LABEL_ZOOMS[-1][1]


def label_rows(countries: gpd.GeoDataFrame) -> list[list[object]]:
    """[name, lat, lon, first zoom, alpha-3 code] per country, named inside its largest part.

    Parameters
    ----------
    countries : GeoDataFrame
        Outlines in EPSG:4326 with ``name`` (Natural Earth's). Not modified. Only their parts
        within ``settings.COUNTRY_LABEL_REGION`` are named.
    """
    region = shapely.box(*settings.COUNTRY_LABEL_REGION)
    rows: list[list[object]] = []
    codes = countries["iso_a3"] if "iso_a3" in countries else [""] * len(countries)
    for name, code, shape in zip(countries["name"], codes, countries.geometry, strict=True):
        if not isinstance(name, str) or shape is None or shape.is_empty:
            continue
        inside = shape.intersection(region)
        if inside.is_empty:
            continue
        part = anchors.largest_part(inside)
        lon, lat = anchors.label_anchor(part)
        # Square degrees to km²: a degree of latitude is ~111 km, of longitude cos(lat) of it.
        area = part.area * 111.32**2 * math.cos(math.radians(part.centroid.y))
        code = safe_text(code) if isinstance(code, str) else ""
        rows.append([safe_text(name), round(lat, 3), round(lon, 3), label_zoom(area), code])
    return rows


@functools.lru_cache(maxsize=4)
def _bundled_labels(path: Path, mtime_ns: int) -> list[list[object]]:  # the version is the key
    return label_rows(gpd.read_file(path))


def bundled_labels(stem: str | None = None) -> list[list[object]]:
    """The country names of a bundled boundary file (``settings.COUNTRY_LABEL_LOD``), placed
    once per version of the file; empty when it is missing."""
    path = settings.BOUNDARIES_DIR / f"{stem or settings.COUNTRY_LABEL_LOD}.geojson"
    if not path.exists():
        return []
    return _bundled_labels(path, path.stat().st_mtime_ns)


def label_css() -> str:
    """CSS hiding each country's name below the zoom where it shows (``z-ge-N`` classes)."""
    zooms = sorted({zoom for _least, zoom in settings.COUNTRY_LABEL_ZOOMS})
    return "".join(
        f".leaflet-container:not(.z-ge-{zoom}) .country-label-z{zoom}{{display:none}}"
        for zoom in zooms
    )
