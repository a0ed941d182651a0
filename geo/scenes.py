"""Scenes of a briefing: the ordered steps a briefer walks through, stored in ``data/scenes.json``.

A scene is a view (a bounding box, so it fits any screen), a filter (a day or a period, nations,
missions), what the map draws (layers, the selected site, contribution lines, marker style) and
a few talking points. :meth:`Scene.state` is the :class:`~geo.filters.FilterState` it shows.

The file is a JSON list of objects, one per scene, in briefing order::

    [
      {
        "id": "baltic-air-policing",
        "title": "Baltic Air Policing",
        "subtitle": "Šiauliai, Ämari and Malbork",
        "bounds": [15.5, 52.5, 29.5, 60.5],
        "date": "2026-01-19",
        "nations": [],
        "missions": ["Baltic Air Policing"],
        "layers": ["countries", "sites", "deployments"],
        "site": "siauliai",
        "flows": false,
        "symbols": "badges",
        "talking_points": ["..."]
      }
    ]

``id``, ``title`` and ``bounds`` are required; ``date`` (``YYYY-MM-DD``) or ``date_range``
(``[first, last]``) or neither (all dates); empty ``nations`` / ``missions`` / ``layers`` mean
all. Any other key is reported (a typo such as ``titel`` must not pass silently).

Loading collects every problem and raises one :class:`ScenesError` listing them all; saving
validates first, then replaces the file atomically and keeps the version it replaced as
``<name>.previous.json``. Nothing here imports streamlit.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import math
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pycountry

from geo import settings
from geo.errors import DataError, Problem
from geo.files import replace_atomically, sync_directory
from geo.filters import FilterState
from geo.urlstate import mission_slug

# Keys of a scene object, in the order scenes_to_json writes them.
SCENE_KEYS: tuple[str, ...] = (
    "id",
    "title",
    "subtitle",
    "bounds",
    "date",
    "date_range",
    "nations",
    "missions",
    "layers",
    "site",
    "flows",
    "symbols",
    "other_sites",
    "talking_points",
)
_REQUIRED_KEYS = ("id", "title", "bounds")
# Lower-case words joined by single hyphens: safe in a URL (?scene=...) and a file name.
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ALPHA3 = re.compile(r"[A-Z]{3}")

_EXPECT_SLUG = "an id of lower-case letters and digits joined by hyphens (e.g. 'baltic-sentry')"
_EXPECT_TEXT = "a non-empty text"
_EXPECT_DAY = "a date in the form YYYY-MM-DD"
_EXPECT_BOUNDS = "a list of four numbers [west, south, east, north] in degrees"


class ScenesError(DataError):
    """The scenes (data/scenes.json, or an edit of them) are not valid."""


@dataclass(frozen=True)
class SceneProblem(Problem):
    """A :class:`~geo.errors.Problem` of a scene: ``feature`` is the scene's 1-based number.

    ``column`` is the key concerned; ``scene_id`` names the scene when its id could be read.
    """

    scene_id: str | None = None

    def __str__(self) -> str:
        where = "file"
        if self.line is not None:
            where = f"line {self.line}"
        elif self.feature is not None:
            where = f"scene {self.feature}"
            if self.scene_id:
                where += f" ({self.scene_id!r})"
        if self.column is not None:
            where += f", key {self.column!r}"
        if self.value is None:
            return f"{where}: {self.expected}"
        if self.value == "":
            return f"{where}: empty, expected {self.expected}"
        return f"{where}: {self.value!r} is not {self.expected}"


@dataclass(frozen=True)
class Scene:
    """One step of a briefing: a view, a filter, what the map draws, and talking points.

    Attributes
    ----------
    id : str
        Slug naming the scene (in the URL as ``?scene=``).
    title, subtitle : str
        What the briefing shows above the map.
    bounds : (float, float, float, float)
        The view as ``(west, south, east, north)`` in degrees (EPSG:4326); the map fits it.
    date : date or None
        Show what is active on this day.
    date_range : (date, date) or None
        Show what is active at any time in this inclusive period. Neither: all dates.
    nations, missions : tuple of str
        Alpha-3 codes and full mission names; empty means all.
    layers : tuple of str
        Names of the map layers shown (``settings.LAYER_NAMES``); empty means all.
    site : str or None
        Id of the site selected.
    flows : bool
        Draw every contribution line, not only the selected site's.
    symbols : str
        Marker style, one of ``settings.SYMBOL_STYLES``.
    other_sites : str
        What the map does with the sites its deployments and events do not name: "hidden"
        or "quiet" context (``settings.OTHER_SITES``; see :func:`geo.story.story`).
    talking_points : tuple of str
        What the briefer says, each citing its source document in brackets.
    """

    id: str
    title: str
    subtitle: str
    bounds: tuple[float, float, float, float]
    date: dt.date | None = None
    date_range: tuple[dt.date, dt.date] | None = None
    nations: tuple[str, ...] = ()
    missions: tuple[str, ...] = ()
    layers: tuple[str, ...] = ()
    site: str | None = None
    flows: bool = False
    symbols: str = "badges"
    talking_points: tuple[str, ...] = ()
    other_sites: str = settings.SCENE_OTHER_SITES_DEFAULT

    def state(self) -> FilterState:
        """The filter state this scene shows, with ``scene`` set to its id.

        Raises
        ------
        ValueError
            If the scene has both a date and a date range, or an unknown marker style (a
            scene read by :func:`scenes_from_json` has neither).
        """
        return FilterState.build(
            nations=self.nations,
            missions=self.missions,
            date=self.date,
            date_range=self.date_range,
            scene=self.id,
            site=self.site,
            symbols=self.symbols,
            flows=self.flows,
        )

    @property
    def shown_layers(self) -> tuple[str, ...]:
        """The layers drawn, in drawing order: ``layers``, or every layer when it is empty.

        The user's own uploaded layers (``overlays``) are always drawn where there are any:
        a scene written before they were uploaded could not name them.
        """
        if not self.layers:
            return settings.LAYER_NAMES
        return tuple(
            name
            for name in settings.LAYER_NAMES
            if name in self.layers or name in settings.ALWAYS_SHOWN_LAYERS
        )


# --- reading -------------------------------------------------------------------------------------


class _JsonObject(dict[str, Any]):
    """A parsed JSON object that remembers the keys it held more than once."""

    duplicates: tuple[str, ...] = ()


def _object_pairs(pairs: list[tuple[str, Any]]) -> _JsonObject:
    obj = _JsonObject(pairs)
    seen: set[str] = set()
    duplicates: list[str] = []
    for key, _ in pairs:
        if key in seen:
            duplicates.append(key)
        seen.add(key)
    obj.duplicates = tuple(duplicates)
    return obj


def _json_text(value: object) -> str:
    # How a value is shown in a problem: as it is written in the file.
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=True)
    except (TypeError, ValueError):
        return repr(value)


class _SceneReader:
    """Reads one scene object, adding a problem for everything wrong with it."""

    def __init__(
        self,
        raw: dict[str, Any],
        number: int,
        *,
        known_sites: Collection[str] | None,
        known_nations: Collection[str] | None,
        known_missions: Collection[str] | None,
        known_days: tuple[dt.date, dt.date] | None,
    ) -> None:
        self.raw = raw
        self.number = number
        self.known_sites = known_sites
        self.known_nations = known_nations
        self.known_missions = known_missions
        self.known_days = known_days
        self.problems: list[SceneProblem] = []
        scene_id = raw.get("id")
        self.scene_id = scene_id if isinstance(scene_id, str) and scene_id else None

    def problem(self, key: str | None, value: object, expected: str) -> None:
        text = None if value is None else value if isinstance(value, str) else _json_text(value)
        self.problems.append(
            SceneProblem(None, key, text, expected, feature=self.number, scene_id=self.scene_id)
        )

    def statement(self, key: str | None, statement: str) -> None:
        self.problem(key, None, statement)

    def read(self) -> Scene | None:
        for key in getattr(self.raw, "duplicates", ()):
            self.statement(key, "the key is given more than once")
        for key in self.raw:
            if key not in SCENE_KEYS:
                close = difflib.get_close_matches(key, SCENE_KEYS, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                self.problem(None, key, f"a key of a scene{hint}")
        for key in _REQUIRED_KEYS:
            if key not in self.raw:
                self.statement(key, "missing: every scene needs it")
        scene_id = self.slug("id")
        title = self.text("title", required=True)
        subtitle = self.text("subtitle", required=False)
        bounds = self.bounds()
        date = self.day("date", self.raw.get("date"))
        date_range = self.period()
        if self.raw.get("date") is not None and self.raw.get("date_range") is not None:
            self.statement("date_range", "a scene has a date or a date range, not both")
            date_range = None
        nations = self.names("nations", self.nation_problem)
        missions = self.names("missions", self.mission_problem)
        layers = self.names("layers", self.layer_problem)
        site = self.site()
        flows = self.flag("flows")
        symbols = self.symbols()
        other_sites = self.other_sites()
        talking_points = self.texts("talking_points")
        if self.problems:
            return None
        assert scene_id is not None and title is not None and bounds is not None
        return Scene(
            id=scene_id,
            title=title,
            subtitle=subtitle or "",
            bounds=bounds,
            date=date,
            date_range=date_range,
            nations=tuple(sorted(nations)),
            missions=tuple(sorted(missions)),
            layers=tuple(name for name in settings.LAYER_NAMES if name in layers),
            site=site,
            flows=flows,
            symbols=symbols,
            talking_points=tuple(talking_points),
            other_sites=other_sites,
        )

    def slug(self, key: str) -> str | None:
        value = self.raw.get(key)
        if key not in self.raw:
            return None  # reported as missing
        if not isinstance(value, str) or not _SLUG.fullmatch(value):
            self.problem(key, value, _EXPECT_SLUG)
            return None
        return value

    def text(self, key: str, *, required: bool) -> str | None:
        if key not in self.raw:
            return None  # a required key is reported as missing
        value = self.raw[key]
        if not isinstance(value, str):
            self.problem(key, value, "a text")
            return None
        if required and not value.strip():
            self.problem(key, "", _EXPECT_TEXT)
            return None
        return value.strip()

    def bounds(self) -> tuple[float, float, float, float] | None:
        if "bounds" not in self.raw:
            return None
        value = self.raw["bounds"]
        numbers = value if isinstance(value, list) else []
        if len(numbers) != 4 or not all(_is_number(item) for item in numbers):
            self.problem("bounds", value, _EXPECT_BOUNDS)
            return None
        west, south, east, north = (float(item) for item in numbers)
        problems_before = len(self.problems)
        for name, number, limit in (
            ("west", west, 180),
            ("south", south, 90),
            ("east", east, 180),
            ("north", north, 90),
        ):
            if not -limit <= number <= limit:
                self.problem(
                    "bounds", value, f"a bounding box: {name} must lie in [-{limit}, {limit}]"
                )
        if len(self.problems) == problems_before:
            if not south < north:
                self.problem("bounds", value, "a bounding box: south must be less than north")
            # Leaflet fits [[south, west], [north, east]]: a box across the antimeridian
            # (west > east in RFC 7946) would be fitted the wrong way round the globe.
            if not west < east:
                self.problem("bounds", value, "a bounding box: west must be less than east")
        if len(self.problems) > problems_before:
            return None
        return (west, south, east, north)

    def day(self, key: str, value: object) -> dt.date | None:
        if value is None:
            return None
        if not isinstance(value, str) or not _ISO_DAY.fullmatch(value):
            self.problem(key, value, _EXPECT_DAY)
            return None
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            self.problem(key, value, "a real calendar date")
            return None
        if self.known_days is not None:
            first, last = self.known_days
            if not first <= day <= last:
                self.problem(key, value, f"a day within the dates of the data ({first} to {last})")
                return None
        return day

    def period(self) -> tuple[dt.date, dt.date] | None:
        value = self.raw.get("date_range")
        if value is None:
            return None
        if not isinstance(value, list) or len(value) != 2:
            self.problem("date_range", value, "a list of two dates [first, last]")
            return None
        if value[0] is None or value[1] is None:
            self.problem("date_range", value, "a list of two dates [first, last]")
            return None
        first = self.day("date_range", value[0])
        last = self.day("date_range", value[1])
        if first is None or last is None:
            return None  # the bad end is reported
        if last < first:
            self.problem("date_range", value, "a date range: it ends before it starts")
            return None
        return (first, last)

    def names(self, key: str, check: Any) -> list[str]:
        value = self.raw.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(key, value, "a list (empty for all)")
            return []
        names: list[str] = []
        for item in value:
            if not isinstance(item, str):
                self.problem(key, item, "a text")
            elif item in names:
                self.problem(key, item, "listed once only (it is listed twice)")
            else:
                expected = check(item)
                if expected is None:
                    names.append(item)
                else:
                    self.problem(key, item, expected)
        return names

    def nation_problem(self, code: str) -> str | None:
        if self.known_nations is not None:
            return None if code in self.known_nations else "a nation in the data"
        if _ALPHA3.fullmatch(code) and pycountry.countries.get(alpha_3=code) is not None:
            return None
        return "an ISO 3166-1 alpha-3 country code (upper case)"

    def mission_problem(self, name: str) -> str | None:
        if self.known_missions is not None:
            if name in self.known_missions:
                return None
            return "a mission in the data (its full name, as in the deployments table)"
        return None if name.strip() else _EXPECT_TEXT

    def layer_problem(self, name: str) -> str | None:
        if name in settings.LAYER_NAMES:
            return None
        return "a map layer (" + ", ".join(settings.LAYER_NAMES) + ")"

    def site(self) -> str | None:
        value = self.raw.get("site")
        if value is None:
            return None
        if not isinstance(value, str) or not value:
            self.problem("site", value, "a site id")
            return None
        if self.known_sites is not None and value not in self.known_sites:
            self.problem("site", value, "a site in the sites file")
            return None
        return value

    def flag(self, key: str) -> bool:
        value = self.raw.get(key, False)
        if not isinstance(value, bool):
            self.problem(key, value, "true or false")
            return False
        return value

    def symbols(self) -> str:
        value = self.raw.get("symbols", "badges")
        if value not in settings.SYMBOL_STYLES:
            self.problem(
                "symbols", value, "a marker style (" + ", ".join(settings.SYMBOL_STYLES) + ")"
            )
            return "badges"
        return str(value)

    def other_sites(self) -> str:
        value = self.raw.get("other_sites", settings.SCENE_OTHER_SITES_DEFAULT)
        if value not in settings.OTHER_SITES:
            expected = " or ".join(repr(option) for option in settings.OTHER_SITES)
            self.problem("other_sites", value, f"{expected} (the sites the scene does not name)")
            return settings.SCENE_OTHER_SITES_DEFAULT
        return str(value)

    def texts(self, key: str) -> list[str]:
        value = self.raw.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(key, value, "a list of texts")
            return []
        texts = []
        for item in value:
            if not isinstance(item, str) or not item.strip():
                self.problem(key, item, _EXPECT_TEXT)
            else:
                texts.append(item.strip())
        return texts


def _is_number(value: object) -> bool:
    # JSON true/false are bool, a subclass of int: not coordinates. NaN and Infinity are
    # accepted by Python's json module, but are no place on Earth.
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _validated(
    document: object,
    *,
    known_sites: Collection[str] | None,
    known_nations: Collection[str] | None,
    known_missions: Collection[str] | None,
    known_days: tuple[dt.date, dt.date] | None,
    source: str,
) -> tuple[Scene, ...]:
    if not isinstance(document, list):
        statement = "the scenes are not a JSON list of scene objects"
        raise ScenesError([SceneProblem(None, None, None, statement)], source)
    problems: list[Problem] = []
    scenes: list[Scene] = []
    first_number: dict[str, int] = {}
    for number, raw in enumerate(document, start=1):
        if not isinstance(raw, dict):
            problems.append(
                SceneProblem(None, None, _json_text(raw), "a scene object {...}", feature=number)
            )
            continue
        reader = _SceneReader(
            raw,
            number,
            known_sites=known_sites,
            known_nations=known_nations,
            known_missions=known_missions,
            known_days=known_days,
        )
        scene = reader.read()
        problems += reader.problems
        if reader.scene_id is not None and _SLUG.fullmatch(reader.scene_id):
            if reader.scene_id in first_number:
                expected = f"a new id: scene {first_number[reader.scene_id]} has the same id"
                reader.problem("id", reader.scene_id, expected)
                problems.append(reader.problems[-1])
            else:
                first_number[reader.scene_id] = number
        if scene is not None:
            scenes.append(scene)
    if problems:
        raise ScenesError(problems, source)
    return tuple(scenes)


def scenes_from_json(
    document: object,
    *,
    known_sites: Collection[str],
    known_nations: Collection[str] | None = None,
    known_missions: Collection[str] | None = None,
    known_days: tuple[dt.date, dt.date] | None = None,
    source: str = "scenes",
) -> tuple[Scene, ...]:
    """Validate parsed JSON (a list of scene objects) into scenes.

    Parameters
    ----------
    document : object
        The parsed JSON (``json.load`` output). Not modified.
    known_sites : collection of str
        Site ids a scene may select.
    known_nations, known_missions : collection of str, optional
        Nations and full mission names a scene may filter on; None checks only that a nation
        is an ISO 3166-1 alpha-3 code and a mission a non-empty text.
    known_days : (date, date), optional
        First and last day a scene's date or period may name (e.g. the dataset's
        ``first_day`` and ``last_day``); None checks only that dates are real.
    source : str
        Name of the document in error messages.

    Returns
    -------
    tuple of Scene
        In document order; nations, missions sorted, layers in drawing order, texts stripped.

    Raises
    ------
    ScenesError
        Listing every problem of every scene (number, key, value, what was expected).
    """
    return _validated(
        document,
        known_sites=known_sites,
        known_nations=known_nations,
        known_missions=known_missions,
        known_days=known_days,
        source=source,
    )


def _parse(text: str, source: str) -> object:
    try:
        return json.loads(text, object_pairs_hook=_object_pairs)
    except json.JSONDecodeError as exc:
        statement = f"the file is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        raise ScenesError([SceneProblem(exc.lineno, None, None, statement)], source) from exc


def _read(path: Path) -> str:
    try:
        # A byte-order mark (a Windows editor's) is tolerated and dropped.
        return path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError as exc:
        statement = "the scenes file does not exist"
        raise ScenesError([SceneProblem(None, None, None, statement)], str(path)) from exc
    except OSError as exc:
        statement = f"the scenes file cannot be read: {exc.strerror}"
        raise ScenesError([SceneProblem(None, None, None, statement)], str(path)) from exc
    except UnicodeDecodeError as exc:
        statement = f"the file is not UTF-8 text ({exc.reason} at byte {exc.start})"
        raise ScenesError([SceneProblem(None, None, None, statement)], str(path)) from exc


def load_scenes(
    path: str | Path = settings.SCENES_PATH,
    *,
    known_sites: Collection[str],
    known_nations: Collection[str] | None = None,
    known_missions: Collection[str] | None = None,
    known_days: tuple[dt.date, dt.date] | None = None,
) -> tuple[Scene, ...]:
    """Load and validate the scenes file.

    Parameters
    ----------
    path : str or Path
        The JSON file (UTF-8).
    known_sites, known_nations, known_missions, known_days
        As in :func:`scenes_from_json`.

    Returns
    -------
    tuple of Scene
        In briefing order.

    Raises
    ------
    ScenesError
        When the file is missing or unreadable, is not JSON (with the line), or any scene is
        invalid (listing every problem).
    """
    path = Path(path)
    document = _parse(_read(path), str(path))
    return scenes_from_json(
        document,
        known_sites=known_sites,
        known_nations=known_nations,
        known_missions=known_missions,
        known_days=known_days,
        source=str(path),
    )


def scenes_from_text(
    text: str,
    *,
    known_sites: Collection[str],
    known_nations: Collection[str] | None = None,
    known_missions: Collection[str] | None = None,
    known_days: tuple[dt.date, dt.date] | None = None,
    source: str = "scenes",
) -> tuple[Scene, ...]:
    """Validate scenes JSON text (e.g. as kept in the workspace); see :func:`load_scenes`."""
    return scenes_from_json(
        _parse(text.removeprefix("\ufeff"), source),
        known_sites=known_sites,
        known_nations=known_nations,
        known_missions=known_missions,
        known_days=known_days,
        source=source,
    )


def checked_json(scenes: Sequence[Scene], *, source: str = "scenes") -> str:
    """The scenes as JSON text, checked to read back (what the workspace keeps).

    Raises
    ------
    ScenesError
        When they could not be read back; nothing should be saved then.
    """
    try:
        text = scenes_to_json(scenes)
    except ValueError as exc:
        statement = f"the scenes cannot be written as JSON: {exc}"
        raise ScenesError([SceneProblem(None, None, None, statement)], source) from exc
    _validated(
        _parse(text, source),
        known_sites=None,
        known_nations=None,
        known_missions=None,
        known_days=None,
        source=source,
    )
    return text


def load_scenes_or_keep(
    path: str | Path,
    last_good: Sequence[Scene],
    *,
    known_sites: Collection[str],
    known_nations: Collection[str] | None = None,
    known_missions: Collection[str] | None = None,
    known_days: tuple[dt.date, dt.date] | None = None,
) -> tuple[tuple[Scene, ...], ScenesError | None]:
    """Load the scenes, or keep the last good ones when the file is broken.

    Returns
    -------
    scenes : tuple of Scene
        The file's scenes; ``last_good`` when it cannot be loaded.
    error : ScenesError or None
        Why the file was not loaded (for a notice), None when it was.
    """
    try:
        scenes = load_scenes(
            path,
            known_sites=known_sites,
            known_nations=known_nations,
            known_missions=known_missions,
            known_days=known_days,
        )
    except ScenesError as exc:
        return tuple(last_good), exc
    return scenes, None


# --- writing -------------------------------------------------------------------------------------


def _scene_object(scene: Scene) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "id": scene.id,
        "title": scene.title,
        "subtitle": scene.subtitle,
        "bounds": list(scene.bounds),
    }
    # Only the one that applies: a scene with neither shows all dates.
    if scene.date is not None:
        obj["date"] = scene.date.isoformat()
    if scene.date_range is not None:
        obj["date_range"] = [day.isoformat() for day in scene.date_range]
    obj["nations"] = list(scene.nations)
    obj["missions"] = list(scene.missions)
    obj["layers"] = list(scene.layers)
    if scene.site is not None:
        obj["site"] = scene.site
    obj["flows"] = scene.flows
    obj["symbols"] = scene.symbols
    obj["other_sites"] = scene.other_sites
    obj["talking_points"] = list(scene.talking_points)
    return obj


def _dump(value: object, indent: int) -> str:
    inline = json.dumps(value, ensure_ascii=False, allow_nan=False)
    flat = not isinstance(value, dict | list) or (
        isinstance(value, list)
        and not any(isinstance(item, dict | list) for item in value)
        and indent + len(inline) <= settings.SCENES_JSON_LINE_CHARS
    )
    if flat or not value:
        return inline
    pad = " " * (indent + 2)
    if isinstance(value, dict):
        items = [
            f"{pad}{json.dumps(key, ensure_ascii=False)}: {_dump(item, indent + 2)}"
            for key, item in value.items()
        ]
        brackets = "{}"
    else:
        assert isinstance(value, list)
        items = [f"{pad}{_dump(item, indent + 2)}" for item in value]
        brackets = "[]"
    return brackets[0] + "\n" + ",\n".join(items) + "\n" + " " * indent + brackets[1]


def scenes_to_json(scenes: Sequence[Scene]) -> str:
    """The scenes as the text of a scenes file: stable, pretty, UTF-8 (not ASCII-escaped).

    Keys in the order of ``SCENE_KEYS``; ``date`` or ``date_range`` only when set, ``site``
    only when one is selected; a list of plain values on one line when it fits in
    ``settings.SCENES_JSON_LINE_CHARS``. :func:`scenes_from_json` reads it back to equal
    scenes (for scenes it has read or :func:`scene_from_state` has made).

    Raises
    ------
    ValueError
        If a bound is NaN or infinite (JSON has no such number).
    """
    return _dump([_scene_object(scene) for scene in scenes], 0) + "\n"


def previous_path(path: str | Path) -> Path:
    """Where :func:`save_scenes` keeps the version it replaced: ``scenes.previous.json``."""
    path = Path(path)
    return path.with_name(path.stem + settings.SCENES_PREVIOUS_SUFFIX)


def save_scenes(
    scenes: Sequence[Scene],
    path: str | Path = settings.SCENES_PATH,
    *,
    keep_previous: bool = True,
    known_sites: Collection[str] | None = None,
    known_nations: Collection[str] | None = None,
    known_missions: Collection[str] | None = None,
    known_days: tuple[dt.date, dt.date] | None = None,
) -> Path:
    """Write the scenes file atomically, keeping the version it replaces.

    The scenes are validated first (as :func:`load_scenes` would read them back). The text
    goes to a temporary file in the same folder, flushed and synced, and is renamed over
    ``path`` (``os.replace``): a reader, or a crash at any moment, sees the old file or the new
    one, never a part. Before that, the current file is copied the same way to
    :func:`previous_path`.

    Parameters
    ----------
    scenes : sequence of Scene
        In briefing order. Not modified.
    path : str or Path
        The scenes file; its folder is made when missing.
    keep_previous : bool
        Copy the current file (when there is one) to ``<name>.previous.json`` first.
    known_sites, known_nations, known_missions, known_days : optional
        As in :func:`scenes_from_json`; None skips that check (ids, bounds, dates, layers,
        duplicates are always checked).

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    ScenesError
        If the scenes would not load; nothing is written.
    OSError
        If the folder cannot be written; the file is left as it was.
    """
    path = Path(path)
    try:
        text = scenes_to_json(scenes)
    except ValueError as exc:
        statement = f"the scenes cannot be written as JSON: {exc}"
        raise ScenesError([SceneProblem(None, None, None, statement)], str(path)) from exc
    _validated(
        _parse(text, str(path)),
        known_sites=known_sites,
        known_nations=known_nations,
        known_missions=known_missions,
        known_days=known_days,
        source=str(path),
    )
    path.parent.mkdir(parents=True, exist_ok=True)  # e.g. a workspace folder not made yet
    if keep_previous and path.exists():
        replace_atomically(previous_path(path), path.read_bytes())
    replace_atomically(path, text.encode("utf-8"))
    sync_directory(path.parent)
    return path


# --- editing -------------------------------------------------------------------------------------


def scene_from_state(
    state: FilterState,
    *,
    id: str,
    title: str,
    bounds: Sequence[float],
    subtitle: str = "",
    layers: Iterable[str] = (),
    talking_points: Iterable[str] = (),
    other_sites: str = settings.SCENE_OTHER_SITES_DEFAULT,
) -> Scene:
    """A new scene showing the current view: "save this view as a scene".

    Parameters
    ----------
    state : FilterState
        The view's filter: its nations, missions, date or period, site, flows and symbols.
    id : str
        The new scene's slug.
    title : str
        Its title.
    bounds : sequence of four floats
        The map's current view, ``(west, south, east, north)``.
    subtitle : str
        Optional subtitle.
    layers : iterable of str
        The layers shown (empty: all).
    talking_points : iterable of str
        Optional talking points.
    other_sites : str
        "hidden" or "quiet": the sites the scene's selection does not name.

    Returns
    -------
    Scene
        Validated as far as it can be without the data (id, title, bounds, layers).

    Raises
    ------
    ScenesError
        Listing every problem, including domain or status filters in ``state``: a scene does
        not keep them, and dropping them silently would show another view than the one saved.
    """
    scene = Scene(
        id=id,
        title=title,
        subtitle=subtitle,
        # Four numbers or not, the check below reports it.
        bounds=cast(tuple[float, float, float, float], tuple(bounds)),
        date=state.date,
        date_range=state.date_range,
        nations=state.nations,
        missions=state.missions,
        layers=tuple(layers),
        site=state.site,
        flows=state.flows,
        symbols=state.symbols,
        talking_points=tuple(talking_points),
        other_sites=other_sites,
    )
    extra: list[Problem] = []
    for key, values in (("domains", state.domains), ("statuses", state.statuses)):
        if values:
            statement = f"a scene cannot keep a {key} filter ({', '.join(values)}): clear it first"
            extra.append(SceneProblem(None, key, None, statement, feature=1, scene_id=id or None))
    return _checked_edit([scene], source="new scene", extra=extra)[0]


def _checked_edit(
    scenes: Sequence[Scene], *, source: str, extra: Sequence[Problem] = ()
) -> tuple[Scene, ...]:
    # The data-free checks of the file, on the edited list (so a bad scene never gets in).
    try:
        document = json.loads(scenes_to_json(scenes))
        checked = _validated(
            document,
            known_sites=None,
            known_nations=None,
            known_missions=None,
            known_days=None,
            source=source,
        )
    except ScenesError as exc:
        raise ScenesError([*exc.problems, *extra], source) from None
    except (ValueError, TypeError) as exc:
        statement = f"the scenes cannot be written as JSON: {exc}"
        problems = [SceneProblem(None, None, None, statement), *extra]
        raise ScenesError(problems, source) from exc
    if extra:
        raise ScenesError(extra, source)
    return checked


def _position(scenes: Sequence[Scene], scene_id: str, source: str) -> int:
    for position, scene in enumerate(scenes):
        if scene.id == scene_id:
            return position
    statement = f"there is no scene with the id {scene_id!r}"
    raise ScenesError([SceneProblem(None, "id", None, statement)], source)


def add_scene(
    scenes: Sequence[Scene], scene: Scene, *, position: int | None = None
) -> tuple[Scene, ...]:
    """A new tuple with ``scene`` inserted at ``position`` (None: at the end).

    Raises
    ------
    ScenesError
        If its id is already used, or it is not valid (bounds, id, title, layers, ...).
    """
    if any(other.id == scene.id for other in scenes):
        statement = f"a new id: a scene named {scene.id!r} already exists"
        raise ScenesError([SceneProblem(None, "id", None, statement)], "add scene")
    edited = list(scenes)
    edited.insert(len(edited) if position is None else position, scene)
    _checked_edit(edited, source="add scene")
    return tuple(edited)


def move_scene(scenes: Sequence[Scene], id: str, offset: int) -> tuple[Scene, ...]:
    """A new tuple with scene ``id`` moved ``offset`` places (negative: earlier).

    A move past either end stops there (moving the first scene up leaves it first).

    Raises
    ------
    ScenesError
        If there is no scene with this id.
    """
    edited = list(scenes)
    start = _position(edited, id, "move scene")
    scene = edited.pop(start)
    edited.insert(min(max(start + offset, 0), len(edited)), scene)
    return tuple(edited)


def delete_scene(scenes: Sequence[Scene], id: str) -> tuple[Scene, ...]:
    """A new tuple without scene ``id``.

    Raises
    ------
    ScenesError
        If there is no scene with this id.
    """
    position = _position(scenes, id, "delete scene")
    return tuple(scene for index, scene in enumerate(scenes) if index != position)


# --- finding and naming --------------------------------------------------------------------------


def find_scene(scenes: Sequence[Scene], scene_id: str | None) -> Scene | None:
    """The scene with this id, or None."""
    return next((scene for scene in scenes if scene.id == scene_id), None)


def neighbour(scenes: Sequence[Scene], scene_id: str | None, offset: int) -> Scene | None:
    """The scene ``offset`` steps from ``scene_id`` (kept within the briefing); the first
    scene when ``scene_id`` is not one of them; None for an empty briefing."""
    if not scenes:
        return None
    ids = [scene.id for scene in scenes]
    index = ids.index(scene_id) + offset if scene_id in ids else 0
    return scenes[min(max(index, 0), len(ids) - 1)]


def unique_id(title: str, scenes: Sequence[Scene]) -> str:
    """A new scene id from a title: its slug, with -2, -3... when taken ("scene" if empty)."""
    slug = mission_slug(title) or "scene"
    if not _SLUG.fullmatch(slug):  # letters no ASCII folding reaches (e.g. Greek)
        slug = "scene"
    taken = {scene.id for scene in scenes}
    if slug not in taken:
        return slug
    return next(f"{slug}-{n}" for n in range(2, len(taken) + 3) if f"{slug}-{n}" not in taken)
