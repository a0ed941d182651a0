"""The view in the URL: query parameters <-> :class:`geo.filters.FilterState`, both ways.

A link reopens the same view, e.g.
``?date=2026-01-19&nations=BEL,DEU&missions=greenland-reconnaissance``. The query keys are, in
the order :func:`query_from_state` writes them:

``date``
    As-of day, ``YYYY-MM-DD``; ``all`` means any time.
``from``, ``to``
    An inclusive period, ``YYYY-MM-DD`` each; both are needed. ``date`` wins over them.
``nations``
    Comma-separated ISO 3166-1 alpha-3 codes, any case.
``missions``
    Comma-separated mission slugs (:func:`mission_slug`), mapped back to the full names.
``domains``, ``statuses``
    Comma-separated values of ``settings.DOMAINS`` / ``settings.STATUSES``, any case.
``site``, ``scene``
    The selected site id and the preset view; empty means none.
``symbols``
    Marker style, one of ``settings.SYMBOL_STYLES``.
``flows``
    ``1`` / ``0`` (``true`` / ``false`` accepted too).

A list key given empty (``nations=``) means "all". A bad value never raises: it is dropped and
reported as a :class:`Notice`, and the rest of the URL still applies. Nothing here imports
streamlit; the app reads ``st.query_params`` and passes it in as a plain mapping.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from geo import settings
from geo.filters import FilterState

# Every key of the query string, in the order query_from_state writes them.
_ALIASES: dict[str, str] = {
    "mission": "missions",
    "nation": "nations",
    "domain": "domains",
    "status": "statuses",
}
QUERY_KEYS: tuple[str, ...] = (
    "date",
    "from",
    "to",
    "nations",
    "missions",
    "domains",
    "statuses",
    "site",
    "scene",
    "symbols",
    "flows",
)
# Value of ``date`` that means "any time" (no day, no period).
ANY_TIME = "all"
# Longest key or value a Notice keeps, ellipsis included: a URL can be arbitrarily long.
NOTICE_VALUE_MAX_CHARS = 80

# ASCII only: ``\d`` would also accept other scripts' digits.
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TRUE = frozenset({"1", "true"})
_FALSE = frozenset({"0", "false"})
# Letters that Unicode does not decompose into an ASCII base letter plus marks.
_ASCII_FOLDS = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "\u0131": "i"}
)


@dataclass(frozen=True)
class Known:
    """What the query values are checked against: the values present in the loaded data.

    Attributes
    ----------
    nations : frozenset of str
        ISO 3166-1 alpha-3 codes, e.g. ``{"BEL", "DEU"}``.
    missions : tuple of str
        Full mission names, e.g. ``"Baltic Air Policing"``; the URL names them by slug.
    sites : frozenset of str
        Site ids, e.g. ``{"siauliai", "nuuk"}``.
    first_day, last_day : date
        Earliest and latest day the date slider allows (inclusive).
    scenes : frozenset of str
        Names of the preset views; empty when the map has none.
    """

    nations: frozenset[str]
    missions: tuple[str, ...]
    sites: frozenset[str]
    first_day: dt.date
    last_day: dt.date
    scenes: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.last_day < self.first_day:
            raise ValueError(f"last_day ({self.last_day}) is before first_day ({self.first_day})")


@dataclass(frozen=True)
class Notice:
    """One query value that was ignored, and why.

    ``key`` and ``value`` are kept verbatim (only shortened to ``NOTICE_VALUE_MAX_CHARS``):
    they come from a URL anyone can write, so the caller escapes them before display
    (e.g. ``st.text`` or ``html.escape``, never ``unsafe_allow_html``).

    Attributes
    ----------
    key : str
        The query key, e.g. ``"date"``.
    value : str
        The offending value (a single item of a list key).
    reason : str
        Plain words, e.g. ``"not a real date"``.
    """

    key: str
    value: str
    reason: str

    @property
    def message(self) -> str:
        """One line for the user, e.g. ``"Ignored date=2026-02-30: not a real date"``."""
        return f"Ignored {self.key}={self.value}: {self.reason}"


def mission_slug(name: str) -> str:
    """URL form of a mission name: ``"Baltic Air Policing"`` -> ``"baltic-air-policing"``.

    Parameters
    ----------
    name : str
        A mission name (or a slug: slugging a slug returns it unchanged).

    Returns
    -------
    str
        Lower case; accented and ligature letters folded to ASCII where Unicode or a small
        table can (``"Šiauliai"`` -> ``"siauliai"``, ``"Ørland"`` -> ``"orland"``), other
        letters kept; every run of other characters replaced by one ``-``, none at either
        end. ``""`` if the name has no letter or digit.
    """
    # Decompose before and after folding case: some letters only show their case once
    # decomposed (e.g. a black-letter capital), and folding can leave marks to strip.
    text = unicodedata.normalize("NFKD", str(name)).casefold().translate(_ASCII_FOLDS)
    folded = unicodedata.normalize("NFKD", text)
    kept = "".join(
        char if char.isalnum() else "-" for char in folded if not unicodedata.combining(char)
    )
    return re.sub(r"-+", "-", kept).strip("-")


def state_from_query(
    params: Mapping[str, str | Sequence[str]], *, known: Known, default: FilterState
) -> tuple[FilterState, list[Notice]]:
    """The filter state a URL asks for, and a notice for every value it had to ignore.

    Parameters
    ----------
    params : mapping of str to str or sequence of str
        The query parameters, already percent-decoded (e.g. ``st.query_params.to_dict()``).
        A repeated key given as a list uses its last element. Not modified.
    known : Known
        The values in the loaded data that a query value may name.
    default : FilterState
        The view without a query string; every absent or ignored key keeps its value.

    Returns
    -------
    state : FilterState
        ``default`` with each valid key applied. A valid ``date`` clears the default's
        period and a valid ``from``/``to`` clears its day. A list key whose items are all
        invalid keeps the default (it does not become "all").
    notices : list of Notice
        One per ignored value or list item, in the order of ``QUERY_KEYS``, then unknown keys
        in the order given. ``key`` and ``value`` are verbatim user input: escape them before
        display.

    Notes
    -----
    Never raises on any query: hostile values (markup, template syntax, very long strings,
    any Unicode) are only compared with known values, never evaluated.
    """
    values = {str(key): _last(value) for key, value in params.items()}
    # Singular spellings people type by hand (``mission=...``) mean the same as the plural.
    for alias, key in _ALIASES.items():
        if alias in values and key not in values:
            values[key] = values.pop(alias)
    notices: list[Notice] = []

    time = _read_time(values, known=known, notices=notices)
    date, date_range = time if time is not None else (default.date, default.date_range)

    nation_codes = {code.upper(): code for code in known.nations}
    nations = _read_list(
        "nations",
        values,
        match=lambda item: nation_codes.get(item.upper()),
        reason="not a nation in the data",
        default=default.nations,
        notices=notices,
    )
    by_slug = _missions_by_slug(known.missions)
    missions = _read_list(
        "missions",
        values,
        # A slug shared by two names cannot say which one it means: it names neither.
        match=lambda item: _single(by_slug.get(mission_slug(item), set())),
        reason=lambda item: (
            "matches more than one mission in the data"
            if mission_slug(item) in by_slug
            else "not a mission in the data"
        ),
        default=default.missions,
        notices=notices,
    )
    domains = _read_list(
        "domains",
        values,
        match=_choice(settings.DOMAINS),
        reason=f"not a domain ({_or(settings.DOMAINS)})",
        default=default.domains,
        notices=notices,
    )
    statuses = _read_list(
        "statuses",
        values,
        match=_choice(settings.STATUSES),
        reason=f"not a status ({_or(settings.STATUSES)})",
        default=default.statuses,
        notices=notices,
    )
    site = _read_id(
        "site",
        values,
        choices=known.sites,
        reason="not a site in the data",
        default=default.site,
        notices=notices,
    )
    scene = _read_id(
        "scene",
        values,
        choices=known.scenes,
        reason="not a scene of this map",
        default=default.scene,
        notices=notices,
    )

    symbols = default.symbols
    if "symbols" in values:
        style = _choice(settings.SYMBOL_STYLES)(values["symbols"].strip())
        if style is None:
            reason = f"not a marker style ({_or(settings.SYMBOL_STYLES)})"
            notices.append(_notice("symbols", values["symbols"], reason))
        else:
            symbols = style
    flows = default.flows
    if "flows" in values:
        flag = values["flows"].strip().lower()
        if flag in _TRUE or flag in _FALSE:
            flows = flag in _TRUE
        else:
            notices.append(_notice("flows", values["flows"], "not 1 or 0 (nor true or false)"))

    for key, value in values.items():
        if key not in QUERY_KEYS:
            notices.append(_notice(key, value, "not a setting of this map"))

    state = FilterState.build(
        nations=nations,
        missions=missions,
        domains=domains,
        statuses=statuses,
        date=date,
        date_range=date_range,
        scene=scene,
        site=site,
        symbols=symbols,
        flows=flows,
    )
    return state, notices


def query_from_state(state: FilterState, *, default: FilterState) -> dict[str, str]:
    """The query parameters that reopen ``state`` from ``default``: only what differs.

    Parameters
    ----------
    state : FilterState
        The view to put in the URL. Not modified.
    default : FilterState
        The view without a query string (the same one given to :func:`state_from_query`).

    Returns
    -------
    dict of str to str
        Keys in the order of ``QUERY_KEYS``. Lists comma-joined and sorted (missions as
        slugs), ``""`` for "all"; dates ISO; a period as ``from``/``to``; ``date=all`` for
        "any time" when the default has a day or a period; ``site=`` / ``scene=`` for none;
        ``flows`` as ``1``/``0``. Empty when ``state`` equals ``default``.

    Notes
    -----
    :func:`state_from_query` reads the result back to ``state`` when every value of ``state``
    is among the known values; a mission whose slug is empty or shared with another mission
    cannot be named in a URL.
    """
    query: dict[str, str] = {}
    if (state.date, state.date_range) != (default.date, default.date_range):
        if state.date is not None:
            query["date"] = state.date.isoformat()
        elif state.date_range is not None:
            query["from"] = state.date_range[0].isoformat()
            query["to"] = state.date_range[1].isoformat()
        else:
            query["date"] = ANY_TIME
    if state.nations != default.nations:
        query["nations"] = ",".join(sorted(state.nations))
    if state.missions != default.missions:
        query["missions"] = ",".join(sorted(mission_slug(name) for name in state.missions))
    if state.domains != default.domains:
        query["domains"] = ",".join(sorted(state.domains))
    if state.statuses != default.statuses:
        query["statuses"] = ",".join(sorted(state.statuses))
    if state.site != default.site:
        query["site"] = state.site or ""
    if state.scene != default.scene:
        query["scene"] = state.scene or ""
    if state.symbols != default.symbols:
        query["symbols"] = state.symbols
    if state.flows != default.flows:
        query["flows"] = "1" if state.flows else "0"
    return query


def _last(value: str | Sequence[str]) -> str:
    # A repeated key arrives as a list: the last one wins, as in st.query_params.
    if isinstance(value, str):
        return value
    if isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        return str(value[-1]) if len(value) else ""
    return str(value)


def _shorten(text: str) -> str:
    if len(text) <= NOTICE_VALUE_MAX_CHARS:
        return text
    return text[: NOTICE_VALUE_MAX_CHARS - 1] + "…"


def _notice(key: str, value: str, reason: str) -> Notice:
    return Notice(key=_shorten(key), value=_shorten(value), reason=reason)


def _or(choices: Sequence[str]) -> str:
    return ", ".join(choices[:-1]) + " or " + choices[-1] if len(choices) > 1 else choices[0]


def _choice(choices: Sequence[str]) -> Callable[[str], str | None]:
    by_lower = {choice.lower(): choice for choice in choices}
    return lambda item: by_lower.get(item.lower())


def _single(names: set[str]) -> str | None:
    return next(iter(names)) if len(names) == 1 else None


def _lookup(value: str, choices: frozenset[str]) -> str | None:
    # Ids are matched exactly; a hand-typed one in another case is accepted when unambiguous.
    if value in choices:
        return value
    matches = [choice for choice in choices if choice.casefold() == value.casefold()]
    return matches[0] if len(matches) == 1 else None


def _items(value: str) -> list[str]:
    # Empty items (a trailing or doubled comma) are not values, so they are not reported.
    return [item.strip() for item in value.split(",") if item.strip()]


def _read_list(
    key: str,
    values: Mapping[str, str],
    *,
    match: Callable[[str], str | None],
    reason: str | Callable[[str], str],
    default: tuple[str, ...],
    notices: list[Notice],
) -> tuple[str, ...]:
    if key not in values:
        return default
    items = _items(values[key])
    chosen = []
    for item in items:
        found = match(item)
        if found is None:
            notices.append(_notice(key, item, reason if isinstance(reason, str) else reason(item)))
        else:
            chosen.append(found)
    if items and not chosen:
        return default  # nothing usable: keep the default rather than widen to "all"
    return tuple(chosen)


def _read_id(
    key: str,
    values: Mapping[str, str],
    *,
    choices: frozenset[str],
    reason: str,
    default: str | None,
    notices: list[Notice],
) -> str | None:
    if key not in values:
        return default
    raw = values[key].strip()
    if not raw:
        return None  # "site=": nothing selected
    found = _lookup(raw, choices)
    if found is None:
        notices.append(_notice(key, values[key], reason))
        return default
    return found


def _missions_by_slug(missions: Sequence[str]) -> dict[str, set[str]]:
    by_slug: dict[str, set[str]] = {}
    for name in missions:
        if not mission_slug(name):
            continue  # a name without letters or digits has no URL form
        by_slug.setdefault(mission_slug(name), set()).add(name)
    return by_slug


def _read_day(key: str, value: str, *, known: Known, notices: list[Notice]) -> dt.date | None:
    text = value.strip()
    if not _ISO_DAY.fullmatch(text):
        notices.append(_notice(key, value, "not a date in the form YYYY-MM-DD"))
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        notices.append(_notice(key, value, "not a real date"))
        return None
    if not known.first_day <= day <= known.last_day:
        reason = f"outside the dates of the data ({known.first_day} to {known.last_day})"
        notices.append(_notice(key, value, reason))
        return None
    return day


def _read_time(
    values: Mapping[str, str], *, known: Known, notices: list[Notice]
) -> tuple[dt.date | None, tuple[dt.date, dt.date] | None] | None:
    """The (date, date_range) that ``date``, ``from`` and ``to`` ask for; None: no change."""
    time: tuple[dt.date | None, tuple[dt.date, dt.date] | None] | None = None
    if "date" in values:
        if values["date"].strip().lower() == ANY_TIME:
            time = (None, None)
        else:
            day = _read_day("date", values["date"], known=known, notices=notices)
            if day is not None:
                time = (day, None)

    if "from" not in values and "to" not in values:
        return time
    if "from" not in values or "to" not in values:
        given, missing = ("from", "to") if "from" in values else ("to", "from")
        reason = f"a range needs both from and to; {missing} is missing"
        notices.append(_notice(given, values[given], reason))
        return time
    first = _read_day("from", values["from"], known=known, notices=notices)
    last = _read_day("to", values["to"], known=known, notices=notices)
    if first is None or last is None:
        return time  # the bad end has its notice; a period needs both
    # One notice for the pair, written as it reads in the URL (both ends are valid, short dates).
    pair = f"{values['from'].strip()}&to={values['to'].strip()}"
    if last < first:
        notices.append(Notice(key="from", value=pair, reason="the range ends before it starts"))
    elif time is not None:
        reason = "date is given too, and it wins over a range"
        notices.append(Notice(key="from", value=pair, reason=reason))
    else:
        time = (None, (first, last))
    return time
