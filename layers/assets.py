"""Browser assets served by the app itself: vendored scripts from PyPI packages and boundary files.

Nothing here reaches the internet. Leaflet and jQuery come from the XStatic packages installed by
``requirements.txt``; they are copied, with the committed boundary GeoJSON, into the folder that
Streamlit serves at ``/app/static`` (``server.enableStaticServing``).
"""

from __future__ import annotations

import filecmp
import functools
import hashlib
import shutil
from pathlib import Path

from geo import settings

#: (XStatic module, files or folders inside its BASE_DIR, sub-folder of static/vendor/).
VENDOR: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("xstatic.pkg.leaflet", ("leaflet.js", "leaflet.css", "images"), "leaflet"),
    ("xstatic.pkg.jquery", ("jquery.min.js",), "jquery"),
)

#: The map's own browser code (layers/briefing.js), served under a name that changes with it.
BRIEFING_JS = Path(__file__).with_name("briefing.js")
#: The time bar's browser code (layers/timebar.js), loaded after it.
TIMEBAR_JS = Path(__file__).with_name("timebar.js")


def content_name(path: Path) -> str:
    # Named by content: two apps (or two data folders) never serve each other's copy, and a
    # browser never keeps a stale one. Hashed once per version of the file (the base map asks
    # on every rerun).
    status = path.stat()
    return _hashed_name(path, status.st_mtime_ns, status.st_size)


@functools.lru_cache(maxsize=32)
def _hashed_name(path: Path, mtime_ns: int, size: int) -> str:  # the version is the key
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    return f"{path.stem}-{digest}{path.suffix}"


#: Scripts every map page loads, in order (URLs under the app's static route).
JS_LINKS: tuple[tuple[str, str], ...] = (
    ("leaflet", f"{settings.STATIC_URL}/vendor/leaflet/leaflet.js"),
    ("jquery", f"{settings.STATIC_URL}/vendor/jquery/jquery.min.js"),
    ("briefing", f"{settings.STATIC_URL}/briefing/{content_name(BRIEFING_JS)}"),
    ("timebar", f"{settings.STATIC_URL}/briefing/{content_name(TIMEBAR_JS)}"),
)
#: Stylesheets every map page loads.
CSS_LINKS: tuple[tuple[str, str], ...] = (
    ("leaflet_css", f"{settings.STATIC_URL}/vendor/leaflet/leaflet.css"),
)


def boundary_url(stem: str) -> str:
    """URL under which the browser fetches one level of detail of the country outlines."""
    return f"{settings.STATIC_URL}/boundaries/{stem}.geojson"


def sites_url(path: Path = settings.SITES_PATH) -> str:
    """URL of the static copy of the sites file (the sea-area polygons are fetched from it)."""
    return f"{settings.STATIC_URL}/data/{content_name(path)}"


def copy_if_changed(src: Path, dst: Path) -> None:
    if src.is_dir():
        for child in sorted(src.iterdir()):
            copy_if_changed(child, dst / child.name)
        return
    if dst.exists() and filecmp.cmp(src, dst, shallow=False):
        return
    dst.parent.mkdir(parents=True, exist_ok=True)
    # Copy to a temporary name first so a concurrent reader never sees half a file.
    tmp = dst.with_name(dst.name + ".tmp")
    shutil.copyfile(src, tmp)
    tmp.replace(dst)
