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
        self.options = {"lods": lods, "styles": settings.COUNTRY_STYLES}


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
