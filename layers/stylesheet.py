"""The map's stylesheet, made from the style constants and the layers' own rules.

It sits below ``compose`` (which links it) and ``static`` (which writes it to the served
folder), so neither needs the other: the dependency points one way.
"""

from __future__ import annotations

import functools
import hashlib

from geo import settings
from layers import countries, sites

_CSS = (
    # Chromium draws a focus box around a clicked SVG shape's bounds; the shape is the focus.
    ".leaflet-container path.leaflet-interactive:focus{outline:none}"
    ".map-legend{background:rgba(255,255,255,.93);padding:5px 9px;border-radius:4px;"
    "font:12px/1.45 system-ui,sans-serif;color:#1d2b3a;box-shadow:0 1px 4px rgba(0,0,0,.3);"
    "max-height:60vh;overflow:auto}"
    ".map-legend summary{cursor:pointer;font-weight:700}"
    ".map-legend .legend-title{font-weight:700;margin-top:3px}"
    ".map-legend .swatch{display:inline-block;width:11px;height:11px;margin-right:6px;"
    "vertical-align:-1px;box-sizing:border-box}"
    ".map-legend .swatch.line{height:0;width:16px;vertical-align:3px}"
    ".sea-label{font:italic 600 12px system-ui,sans-serif;color:{sea};text-align:center;"
    "white-space:nowrap;text-shadow:0 0 3px #fff}"
    ".dep-icon{background:none;border:0}"
    # The time bar (layers/timebar.js): play, the day's scrubber, the day, the speed.
    ".time-bar{display:flex;align-items:center;gap:7px;background:rgba(255,255,255,.93);"
    "padding:4px 9px;border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.3);"
    "font:12px system-ui,sans-serif;color:#1d2b3a}"
    ".time-bar .time-scrub{width:260px;margin:0}"
    ".time-bar .time-day{min-width:92px;font-weight:700;white-space:nowrap}"
    ".time-bar button{min-width:30px;cursor:pointer}"
    # Until the time bar's columns arrive, the layers drawn for every date stay hidden.
    ".time-pending .dep-icon,.time-pending .event-icon,.time-pending path[class*=contrib-]"
    "{visibility:hidden}"
    # Below zoom 5 the sites of the eastern flank crowd together: draw the markers smaller.
    ".leaflet-container:not(.z-ge-5) .dep{transform:scale(.78)}"
    ".dep{position:relative;width:100%;height:100%}"
    ".dep-core{box-sizing:border-box;border-radius:50%;display:flex;align-items:center;"
    "justify-content:center;font:700 11px system-ui,sans-serif;color:#13283f;"
    "background:{fill};border:{weight}px solid {line};box-shadow:0 1px 3px rgba(0,0,0,.35)}"
    ".dep.selected .dep-core,.dep.selected svg{outline:{ring}px solid {ringcolor};"
    "outline-offset:3px;border-radius:50%}"
    # Badges sit above and to the right of the marker, clear of the site's name on its right.
    ".dep-badges{position:absolute;bottom:calc(50% + 3px);display:flex;flex-wrap:wrap;"
    "width:150px;gap:2px;align-content:flex-end}"
    ".dep-badge{font:700 10px/1 system-ui,sans-serif;color:#fff;background:var(--c);"
    "border:1.5px solid var(--c);border-radius:3px;padding:2px 3px;"
    "box-shadow:0 1px 2px rgba(0,0,0,.3)}"
    ".dep-app6{display:flex;align-items:center;justify-content:center}"
    ".dep-app6 svg{display:block;overflow:visible}"
    ".event-icon{background:none;border:0}"
    # Placed by the browser's declutter pass (briefing.js): a name with no free place hides;
    # a nation out of view shows its badge where its lines leave the map.
    ".label-hidden{visibility:hidden}"
    # A site outside the view's story: named in a muted colour, where there is room.
    ".leaflet-tooltip.site-label.quiet{color:{quiet};font-weight:400}"
    ".sea-label-icon,.country-label-icon{display:flex;justify-content:center}"
    ".country-label{display:inline-block;font:600 11px system-ui,sans-serif;"
    "letter-spacing:.08em;text-transform:uppercase;color:{quiet};white-space:nowrap;"
    "text-shadow:0 0 3px #fff,0 0 3px #fff}"
    # A country of the view's story: named at every zoom, in the text colour.
    ".leaflet-container .country-label.story{display:inline-block !important;color:#3e4c59}"
    ".sea-label{display:inline-block}"
    ".edge-badge-icon{background:none;border:0}"
    ".edge-badge{position:absolute;transform:translate(-50%,-50%);white-space:nowrap}"
    ".event-mark{display:block;width:10px;height:10px;border:1.5px solid;transform:rotate(45deg);"
    "box-shadow:0 1px 2px rgba(0,0,0,.3)}"
    ".dep-popup{font:13px/1.4 system-ui,sans-serif;color:#1d2b3a;max-height:340px;overflow:auto}"
    ".dep-popup .title{font-weight:700;font-size:15px}"
    ".dep-popup .meta{color:#52606d;margin-bottom:4px}"
    ".dep-popup table{border-collapse:collapse}"
    ".dep-popup td{vertical-align:top;padding:4px 6px 4px 0;border-top:1px solid #e4e7eb}"
    ".dep-popup td.who{white-space:nowrap}"
    ".dep-popup .dot{display:inline-block;width:9px;height:9px;border-radius:50%;margin-right:4px}"
    ".dep-popup .src{color:#52606d;font-style:italic}"
    ".dep-popup tr.status-declined td{color:#7b8794}"
    ".dep-popup .more{color:#52606d;margin-top:4px}"
    ".map-caption{background:rgba(255,255,255,.94);padding:8px 14px;border-radius:6px;"
    "box-shadow:0 1px 5px rgba(0,0,0,.35);color:#13283f;font-family:system-ui,sans-serif;"
    "max-width:46vw}"
    ".map-caption .caption-title{font-weight:700;font-size:20px;line-height:1.2}"
    ".map-caption .caption-sub{font-size:14px;color:#3e4c59}"
    ".map-caption .caption-date{font-size:15px;font-weight:600;color:#b3261e;margin-top:2px}"
)

# Presenter mode: the audience's screen (the runtime puts the class "presenter" on the map).
# Type that reads from the back of a room, sized with the window (1280x720 to 3840x2160) so
# the controls stay a small part of the map; a compact title card.
_PRESENTER_CSS = (
    ".map-caption{padding:clamp(5px,.5vw,12px) clamp(9px,.9vw,20px);max-width:40vw}"
    ".map-caption .caption-title{font-size:clamp(18px,1.45vw,40px)}"
    ".map-caption .caption-sub,.map-caption .caption-date{font-size:clamp(13px,1vw,28px);"
    "display:inline}"
    ".map-caption .caption-date{margin-left:.6em;white-space:nowrap}"
    ".map-legend{font-size:clamp(13px,.85vw,24px);line-height:1.45;max-height:55vh}"
    ".map-legend .swatch:not(.line){width:.9em;height:.9em}"
    ".leaflet-tooltip.site-label{font-size:clamp(13px,.8vw,22px)}"
    ".sea-label{font-size:clamp(13px,.8vw,22px)}"
    ".country-label{font-size:clamp(11px,.7vw,20px)}"
    ".dep-badge{font-size:clamp(11px,.7vw,20px);padding:2px 4px}"
    ".dep-core{font-size:clamp(11px,.7vw,20px)}"
    ".leaflet-control-layers{font-size:clamp(13px,.8vw,22px)}"
    ".time-bar{font-size:clamp(13px,.85vw,24px)}"
    ".time-bar .time-scrub{width:clamp(260px,22vw,640px)}"
    ".time-bar .time-day{min-width:8em}"
)


def _badge_css() -> str:
    """The badge look per status, from the same constants as the static export."""
    rules = []
    for status, look in settings.BADGE_STYLES.items():
        parts = []
        if look.get("fill"):
            parts.append(f"background:{look['fill']}")
        if look.get("text"):
            parts.append(f"color:{look['text']}")
        elif look.get("fill"):
            parts.append("color:var(--c)")  # the nation's colour on a light badge
        if look.get("line"):
            parts.append(f"border-color:{look['line']}")
        if look.get("dashed"):
            parts.append("border-style:dashed")
        if look.get("struck"):
            parts.append("text-decoration:line-through")
        opacity = float(str(look.get("opacity", 1.0)))
        if opacity < 1:
            parts.append(f"opacity:{opacity:g}")
        if parts:
            rules.append(f".dep-badge.status-{status}{{{';'.join(parts)}}}")
    return "".join(rules)


def _scoped(scope: str, rule: str) -> str:
    """One CSS rule (without its closing brace) with every selector under ``scope``."""
    selectors, body = rule.split("{", 1)
    return ",".join(f"{scope} {sel}" for sel in selectors.split(",")) + "{" + body + "}"


def stylesheet() -> str:
    """The map's whole stylesheet, made from the style constants; served as a static file.

    It is the same for every view (presenter mode only adds a class to the map), so the browser
    loads it once and a filter change never re-sends it.
    """
    style = settings.DEPLOYMENT_STYLE
    ring = settings.SELECTED_STYLE
    css = (
        _CSS.replace("{fill}", str(style["fillColor"]))
        .replace("{line}", str(style["color"]))
        .replace("{weight}", str(style["weight"]))
        .replace("{sea}", settings.SEA_LABEL_COLOR)
        .replace("{quiet}", settings.QUIET_LABEL_COLOR)
        .replace("{ringcolor}", str(ring["color"]))
        .replace("{ring}", str(ring["weight"]))
    )
    presenter = "".join(_scoped(".presenter", rule) for rule in _PRESENTER_CSS.split("}") if rule)
    # div.: wins over Leaflet's own .leaflet-container rule wherever its CSS lands.
    base = (
        f"div.leaflet-container{{background:{settings.SEA_COLOR}}}"
        # Presenter mode: the map fills its frame, whatever height the frame was given.
        "div.presenter.leaflet-container{height:100vh !important}"
        ".leaflet-tooltip.site-label:before{display:none}"
        ".leaflet-tooltip.site-label{background:transparent;border:0;box-shadow:none;"
        "font:600 12px/1.2 system-ui,sans-serif;color:#1d2b3a;"
        "text-shadow:0 0 3px #fff,0 0 3px #fff}"
    )
    return base + css + _badge_css() + sites.label_css() + countries.label_css() + presenter


@functools.lru_cache(maxsize=1)
def _named() -> tuple[str, str]:
    text = stylesheet()
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    return f"briefing-{digest}.css", text


def stylesheet_file() -> tuple[str, str]:
    """The stylesheet's file name (named by its content) and its text."""
    return _named()


def stylesheet_url() -> str:
    """URL of the map's stylesheet (written into the served folder by ``layers.static``)."""
    return f"{settings.STATIC_URL}/briefing/{_named()[0]}"
