"""What every layer shares: the offline map, safe text, and the legend entry type."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any, cast

import folium
from branca.element import Element, Figure, MacroElement
from jinja2 import Template
from jinja2.utils import htmlsafe_json_dumps

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


class _Text(Element):
    """Text put into the page as it is (branca's ``Element(text)`` parses it as a template)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


class TextMacroElement(MacroElement):
    """A ``MacroElement`` whose rendered header, html and script go into the page as text.

    branca's ``MacroElement.render`` wraps each in ``Element(text)``, which parses the text
    again as a Jinja template: 2.5 s for a 9 MB layer, and a user's text holding
    ``{{ ... }}`` (a feature or site named so) would run as template code in the server.
    Every element of the map's own is one of these.
    """

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]  # None, as MacroElement
        figure = self.get_root()
        assert isinstance(figure, Figure), "You cannot render this Element if not in a Figure."
        macros = self._template.module.__dict__
        for part in ("header", "html", "script"):
            macro = macros.get(part)
            if macro is not None:
                target: Element = getattr(figure, part)
                target.add_child(_Text(macro(self, kwargs)), name=self.get_name())
        for element in self._children.values():
            element.render(**kwargs)


class Runtime(TextMacroElement):
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


class Registered(TextMacroElement):
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


class SetState(TextMacroElement):
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


@dataclass(frozen=True)
class JSONText:
    """JSON already written (by :func:`json_text` or by hand, HTML-safe), put into a
    :class:`DataLayer`'s script as it is: a large layer is serialised once, not per render."""

    text: str


def json_text(value: object) -> str:
    """``value`` as JSON safe inside a ``<script>`` (as Jinja's ``tojson``: ``<``, ``>``,
    ``&`` and ``'`` escaped)."""
    return str(htmlsafe_json_dumps(value, sort_keys=True))


def html_safe_json(text: str) -> str:
    """JSON text made safe inside a ``<script>`` the way :func:`json_text` writes it (the
    four characters can only stand inside strings, where the escapes mean the same)."""
    for character, escape in _SCRIPT_ESCAPES:
        text = text.replace(character, escape)
    return text


_SCRIPT_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027"))


class DataLayer(TextMacroElement):
    """Draws its parent group in the browser from compact JSON, with a function of
    ``layers/briefing.js``.

    folium writes every marker and line with its full option set and jQuery-built popups;
    for the layers pushed on every filter change that is most of the bytes sent. Here only the
    data go, as JSON (``tojson`` escapes ``<``, ``>``, ``&`` and quotes), with one call to
    ``window.briefing[function]``; the code itself is a static file the browser caches. Every
    text inside ``data`` that the function puts in as HTML must already be escaped
    (:func:`safe_text`). ``data`` may be :class:`JSONText`, written once beforehand; either
    way it is serialised once, however often the map is rendered (streamlit-folium renders
    it twice per run).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        window.briefing[{{ this.function|tojson }}]({{ this._parent.get_name() }},
                                                   {{ this.json }});
        {% endmacro %}
        """
    )

    def __init__(self, function: str, data: object) -> None:
        super().__init__()
        self._name = "DataLayer"
        self.function = function
        self.data = data
        self._json: str | None = None

    @property
    def json(self) -> str:
        """The data as HTML-safe JSON, written on first use."""
        if self._json is None:
            self._json = self.data.text if isinstance(self.data, JSONText) else json_text(self.data)
        return self._json
