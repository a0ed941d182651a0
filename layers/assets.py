"""Browser assets served by the app itself: vendored scripts from PyPI packages and boundary files.

Nothing here reaches the internet. Leaflet and jQuery come from the XStatic packages installed by
``requirements.txt``; they are copied, with the committed boundary GeoJSON, into the folder that
Streamlit serves at ``/app/static`` (``server.enableStaticServing``).
"""

from __future__ import annotations

import filecmp
import functools
import hashlib
import importlib
import shutil
from pathlib import Path

from geo import settings

# (XStatic module, files or folders inside its BASE_DIR, sub-folder of static/vendor/).
_VENDOR: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("xstatic.pkg.leaflet", ("leaflet.js", "leaflet.css", "images"), "leaflet"),
    ("xstatic.pkg.jquery", ("jquery.min.js",), "jquery"),
)

# The map's own browser code (layers/briefing.js), served under a name that changes with it.
_BRIEFING_JS = Path(__file__).with_name("briefing.js")


def _content_name(path: Path) -> str:
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
    ("briefing", f"{settings.STATIC_URL}/briefing/{_content_name(_BRIEFING_JS)}"),
)
#: Stylesheets every map page loads.
CSS_LINKS: tuple[tuple[str, str], ...] = (
    ("leaflet_css", f"{settings.STATIC_URL}/vendor/leaflet/leaflet.css"),
)


@functools.lru_cache(maxsize=1)
def _stylesheet() -> tuple[str, str]:
    from layers import compose  # the stylesheet is made from the layers' styles

    text = compose.stylesheet()
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    return f"briefing-{digest}.css", text


def stylesheet_url() -> str:
    """URL of the map's stylesheet (made from the style constants, written by install_static)."""
    return f"{settings.STATIC_URL}/briefing/{_stylesheet()[0]}"


def boundary_url(stem: str) -> str:
    """URL under which the browser fetches one level of detail of the country outlines."""
    return f"{settings.STATIC_URL}/boundaries/{stem}.geojson"


def sites_url(path: Path = settings.SITES_PATH) -> str:
    """URL of the static copy of the sites file (the sea-area polygons are fetched from it)."""
    return f"{settings.STATIC_URL}/data/{_content_name(path)}"


def _copy_if_changed(src: Path, dst: Path) -> None:
    if src.is_dir():
        for child in sorted(src.iterdir()):
            _copy_if_changed(child, dst / child.name)
        return
    if dst.exists() and filecmp.cmp(src, dst, shallow=False):
        return
    dst.parent.mkdir(parents=True, exist_ok=True)
    # Copy to a temporary name first so a concurrent reader never sees half a file.
    tmp = dst.with_name(dst.name + ".tmp")
    shutil.copyfile(src, tmp)
    tmp.replace(dst)


def install_static(static_dir: Path = settings.STATIC_DIR) -> Path:
    """Fill ``static_dir`` with the vendored scripts and the boundary files.

    Idempotent and cheap when nothing changed; call it once per server process.

    Parameters
    ----------
    static_dir : Path
        The folder Streamlit serves at ``/app/static``.

    Returns
    -------
    Path
        ``static_dir``.
    """
    for module_name, names, target in _VENDOR:
        base = Path(importlib.import_module(module_name).BASE_DIR)
        for name in names:
            _copy_if_changed(base / name, static_dir / "vendor" / target / name)
    for stem, *_ in settings.BOUNDARY_LODS:
        src = settings.BOUNDARIES_DIR / f"{stem}.geojson"
        if src.exists():
            _copy_if_changed(src, static_dir / "boundaries" / src.name)
    _copy_if_changed(_BRIEFING_JS, static_dir / "briefing" / _content_name(_BRIEFING_JS))
    name, text = _stylesheet()
    css = static_dir / "briefing" / name
    if not css.exists():
        tmp = css.with_name(css.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(css)
    if settings.SITES_PATH.exists():
        sites_copy = static_dir / "data" / _content_name(settings.SITES_PATH)
        _copy_if_changed(settings.SITES_PATH, sites_copy)
    return static_dir
