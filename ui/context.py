"""What every page reads: the workspace, the dataset and the briefing's scenes (cached)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import streamlit as st

from export.render import Renderer
from geo import scenes, settings, urlstate, workspace
from geo.dataset import Dataset, load_with_workspace
from geo.errors import DataError
from geo.scenes import Scene
from ui.state import Key


def workspace_path() -> Path:
    """`streamlit run app.py -- --workspace FILE`, else $BRIEFING_WORKSPACE, else the default."""
    return workspace.workspace_path(sys.argv[1:])


def dataset() -> Dataset:
    """The data in use: the workspace's, or the bundled data (cached per workspace version)."""
    path = workspace_path()
    return _load(str(path), *workspace.version(path))


@st.cache_resource(show_spinner="Loading the briefing data…", max_entries=4)
def _load(path: str, mtime_ns: int, size: int) -> Dataset:
    # Loaded once per version of the workspace file (mtime_ns and size are the cache key).
    # cache_resource, not cache_data (an exception to the rule): cache_data unpickles a fresh
    # copy on every call, 1.4 s per rerun at 100,000 rows. The Dataset is frozen and nothing
    # modifies what it is given (geo/ and layers/ copy first), so one shared copy is safe.
    return load_with_workspace(path)


def known(data: Dataset, briefing: tuple[Scene, ...]) -> urlstate.Known:
    """What a link may name: the data's nations, missions, sites and days, the scenes."""
    return urlstate.Known(
        nations=frozenset(data.nations),
        missions=data.missions,
        sites=frozenset(data.sites["id"]),
        scenes=frozenset(scene.id for scene in briefing),
        first_day=data.first_day,
        last_day=data.last_day,
    )


def load_scenes() -> tuple[Scene, ...]:
    """The briefing's scenes; if they cannot be read, the last good ones and a notice."""
    ss = st.session_state
    path = workspace_path()
    try:
        bundled = settings.SCENES_PATH.stat()
        found = _read_scenes(
            str(path), workspace.version(path), (bundled.st_mtime_ns, bundled.st_size)
        )
    except (OSError, DataError) as exc:
        ss[Key.SCENES_ERROR] = str(exc)
        ss[Key.SCENES] = tuple(ss.get(Key.SCENES, ()))
        return ss[Key.SCENES]
    ss[Key.SCENES] = found
    ss[Key.SCENES_ERROR] = None
    return found


def briefing() -> tuple[Scene, ...]:
    """The scenes last read well (``load_scenes`` runs first in every run)."""
    return tuple(st.session_state.get(Key.SCENES, ()))


def current_scene() -> Scene | None:
    """The scene chosen in the sidebar, if any."""
    return scenes.find_scene(briefing(), st.session_state.get(Key.SCENE))


@st.cache_data(show_spinner=False)
def _read_scenes(
    path: str, version: tuple[int, int], bundled_version: tuple[int, int]
) -> tuple[Scene, ...]:
    # Read and validated once per version of the workspace and of the bundled file (the
    # versions are the cache key, hence no leading underscore); a broken one raises, uncached.
    data = dataset()
    # Against the user's own table, a scene may name a nation or mission it does not have
    # (the widgets drop those); the bundled scenes must match the bundled data exactly.
    own = data.origin == "workspace"
    known_ids: dict[str, Any] = {
        "known_sites": frozenset(data.sites["id"]),
        "known_nations": None if own else frozenset(data.nations),
        "known_missions": None if own else frozenset(data.missions),
    }
    kept = workspace.read_workspace(path).scenes
    if kept is None:
        return scenes.load_scenes(settings.SCENES_PATH, **known_ids)
    return scenes.scenes_from_text(kept, source=f"{path} (scenes)", **known_ids)


@st.cache_resource(show_spinner=False)
def renderer() -> Renderer:
    """The static renderer.

    Not data: it holds the outlines projected once per CRS, shared by every session (its
    caches fill under a lock; each image gets its own figure).
    """
    return Renderer()
