"""What every layer shares: the offline map, safe text, and the legend entry type."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any, cast

import folium
from branca.element import Figure, MacroElement
from jinja2 import Template

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
    # A CSS selector: the interactive legend lists the entry only while the map holds an
    # element it matches (what the view draws); empty: listed whenever its layer is shown.
    shows: str = ""


def safe_text(value: object) -> str:
    """Escape a text for HTML and for the JavaScript template strings folium writes.

    folium's ``Tooltip`` and ``Popup`` put text inside backtick template literals, where a
    backtick ends the string and ``${...}`` is evaluated; HTML escaping alone does not stop that.
    """
    text = "" if value is None else str(value)
    text = html.escape(text, quote=True)
    return text.replace("`", "&#96;").replace("${", "&#36;{").replace("\\", "&#92;")


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$&:])")


def markdown_text(value: object) -> str:
    """Escape a text for Streamlit's Markdown, so it shows as typed: no link, no markup."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", "" if value is None else str(value))


def markdown_lines(value: object) -> str:
    """A multi-line message (e.g. a DataError: a heading, one problem per line) as Markdown:
    the first line a paragraph, each further line a bullet; every line escaped."""
    lines = [line.strip() for line in str(value).splitlines() if line.strip()]
    if not lines:
        return ""
    head, rest = markdown_text(lines[0]), [f"- {markdown_text(line)}" for line in lines[1:]]
    return "\n\n".join([head, "\n".join(rest)]) if rest else head


def new_map(*, height: int | str = settings.MAP_HEIGHT_PX, zoom_snap: float = 1) -> OfflineMap:
    """The base map: no tiles, sea-coloured background, the default view fitted.

    ``height`` in pixels, or a CSS length such as ``"100%"`` (the map fills its frame);
    ``zoom_snap`` the zoom steps a fitted view may take (fractions fill a screen better).
    """
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
        zoom_snap=zoom_snap,
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


class Runtime(MacroElement):
    """The map's small runtime (``window.briefing`` in ``layers/briefing.js``).

    A layer registry behind the layer control, so layers pushed later (the filtered ones,
    swapped on every filter change) keep the visibility the user chose; shared state, so the
    static layers (outlines, sea areas) restyle when the filters change without re-sending
    their geometry; and ``z-ge-N`` classes on the map for labels that need a zoom.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        window.briefing.runtime({{ this._parent.get_name() }}, {{ this.options|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, *, collapsed: bool = False, presenter: bool = False) -> None:
        super().__init__()
        self._name = "BriefingRuntime"
        self.options = {"collapsed": collapsed, "presenter": presenter}


class Registered(MacroElement):
    """Registers its parent feature group with the runtime's layer control, under a title."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        window.briefing.register({{ this.layer_name|tojson }}, {{ this.title|tojson }},
                                 {{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, name: str, title: str) -> None:
        super().__init__()
        self._name = "Registered"
        self.layer_name = name
        # Leaflet's layer control puts the title in as HTML.
        self.title = safe_text(title)


class SetState(MacroElement):
    """Hands the filter-dependent state (plain JSON) to the static layers when pushed."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        window.briefing.setState({{ this.state|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, state: dict[str, object]) -> None:
        super().__init__()
        self._name = "SetState"
        self.state = state


def layer_group(name: str, title: str, *, show: bool = True) -> folium.FeatureGroup:
    """A feature group registered with the layer control (not folium's own control)."""
    group = folium.FeatureGroup(name=title, overlay=True, control=False, show=show)
    group.add_child(Registered(name, title))
    return group


class DataLayer(MacroElement):
    """Draws its parent group in the browser from compact JSON, with a function of
    ``layers/briefing.js``.

    folium writes every marker and line with its full option set and jQuery-built popups;
    for the layers pushed on every filter change that is most of the bytes sent. Here only the
    data go, as JSON (``tojson`` escapes ``<``, ``>``, ``&`` and quotes), with one call to
    ``window.briefing[function]``; the code itself is a static file the browser caches. Every
    text inside ``data`` that the function puts in as HTML must already be escaped
    (:func:`safe_text`).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        window.briefing[{{ this.function|tojson }}]({{ this._parent.get_name() }},
                                                   {{ this.data|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, function: str, data: object) -> None:
        super().__init__()
        self._name = "DataLayer"
        self.function = function
        self.data = data
