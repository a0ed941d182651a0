"""Fill the folder Streamlit serves at ``/app/static``: vendored scripts, outlines, our own code.

``scripts/run.sh`` runs ``python -m layers.static`` before Streamlit starts, so a fresh clone's
server has every asset from its first request; the app calls ``install_static`` again at start
(cheap when nothing changed) for servers started another way.
"""

from __future__ import annotations

import hashlib
import importlib
import json
from pathlib import Path

from geo import settings
from geo.files import replace_atomically
from layers import assets
from layers.stylesheet import stylesheet_file


def install_static(static_dir: Path | None = None) -> Path:
    """Fill ``static_dir`` with the vendored scripts and the boundary files.

    Idempotent and cheap when nothing changed; call it once per server process.

    Parameters
    ----------
    static_dir : Path, optional
        The folder Streamlit serves at ``/app/static``; ``settings.STATIC_DIR`` if None.

    Returns
    -------
    Path
        ``static_dir``.
    """
    static_dir = settings.STATIC_DIR if static_dir is None else static_dir
    for module_name, names, target in assets.VENDOR:
        base = Path(importlib.import_module(module_name).BASE_DIR)
        for name in names:
            assets.copy_if_changed(base / name, static_dir / "vendor" / target / name)
    for stem, *_ in settings.BOUNDARY_LODS:
        src = settings.BOUNDARIES_DIR / f"{stem}.geojson"
        if src.exists():
            assets.copy_if_changed(src, static_dir / "boundaries" / src.name)
    for script in (assets.BRIEFING_JS, assets.TIMEBAR_JS):
        assets.copy_if_changed(script, static_dir / "briefing" / assets.content_name(script))
    name, text = stylesheet_file()
    css = static_dir / "briefing" / name
    if not css.exists():
        tmp = css.with_name(css.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(css)
    if settings.SITES_PATH.exists():
        sites_copy = static_dir / "data" / assets.content_name(settings.SITES_PATH)
        assets.copy_if_changed(settings.SITES_PATH, sites_copy)
    return static_dir


def publish_json(data: object, *, static_dir: Path | None = None, folder: str = "timebar") -> str:
    """Write ``data`` as a JSON file named by its content into the served folder; its URL.

    The browser fetches it once and keeps it (the same content, the same name): the time
    bar's columns travel once per filter, not with every rerun. The oldest files beyond
    ``settings.TIMEBAR_FILES_KEPT`` are removed.
    """
    static_dir = settings.STATIC_DIR if static_dir is None else static_dir
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    name = hashlib.sha256(text.encode()).hexdigest()[:20] + ".json"
    target = static_dir / folder / name
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        replace_atomically(target, text.encode("utf-8"))  # a reader never sees half a file
        files = sorted(target.parent.glob("*.json"), key=lambda p: p.stat().st_mtime)
        for old in files[: max(0, len(files) - settings.TIMEBAR_FILES_KEPT)]:
            old.unlink(missing_ok=True)
    return f"{settings.STATIC_URL}/{folder}/{name}"


if __name__ == "__main__":
    print(f"Static assets ready in {install_static()}")
