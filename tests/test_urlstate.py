"""The view in the URL: query parameters <-> FilterState (geo/urlstate.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from geo import settings
from geo.filters import FilterState
from geo.urlstate import (
    NOTICE_VALUE_MAX_CHARS,
    QUERY_KEYS,
    Known,
    Notice,
    mission_slug,
    query_from_state,
    state_from_query,
)

KNOWN = Known(
    nations=frozenset({"BEL", "DEU", "DNK", "FRA", "NOR"}),
    missions=(
        "Baltic Air Policing",
        "Greenland reconnaissance",
        "Greenland permanent presence",
        "Multinational battlegroup Lithuania",
    ),
    sites=frozenset({"siauliai", "nuuk", "greenland", "orland"}),
    first_day=dt.date(2025, 1, 1),
    last_day=dt.date(2026, 12, 31),
    scenes=frozenset({"high-north", "eastern-flank"}),
)
TODAY = dt.date(2026, 1, 20)
DEFAULT = FilterState.build(date=TODAY)


def _read(
    params: dict[str, str | list[str]], *, default: FilterState = DEFAULT
) -> tuple[FilterState, list[Notice]]:
    return state_from_query(params, known=KNOWN, default=default)


def _reasons(notices: list[Notice]) -> list[tuple[str, str, str]]:
    return [(notice.key, notice.value, notice.reason) for notice in notices]


# --- mission_slug -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Baltic Air Policing", "baltic-air-policing"),
        ("  Standing NATO Maritime Group 1 (SNMG1) ", "standing-nato-maritime-group-1-snmg1"),
        ("Šiauliai", "siauliai"),
        ("Ørland — Main Air Station", "orland-main-air-station"),
        ("Łask/Poznań", "lask-poznan"),
        ("Straße", "strasse"),
        ("baltic-air-policing", "baltic-air-policing"),
        ("???", ""),
    ],
)
def test_mission_slug_is_lower_case_ascii_words_joined_by_hyphens(name: str, slug: str) -> None:
    assert mission_slug(name) == slug


@given(st.text())
def test_mission_slug_of_a_slug_is_the_same_slug(name: str) -> None:
    slug = mission_slug(name)
    assert mission_slug(slug) == slug
    assert not slug.startswith("-") and not slug.endswith("-") and "--" not in slug


# --- Notice ---------------------------------------------------------------------------------


def test_notice_message_names_the_key_the_value_and_the_reason() -> None:
    notice = Notice(key="date", value="2026-02-30", reason="not a real date")
    assert notice.message == "Ignored date=2026-02-30: not a real date"


def test_known_with_last_day_before_first_day_is_refused() -> None:
    with pytest.raises(ValueError, match="before first_day"):
        Known(
            nations=frozenset(),
            missions=(),
            sites=frozenset(),
            first_day=dt.date(2026, 1, 2),
            last_day=dt.date(2026, 1, 1),
        )


# --- state_from_query: the whole URL -------------------------------------------------------


def test_empty_query_gives_the_default_without_notices() -> None:
    assert _read({}) == (DEFAULT, [])


def test_example_url_opens_its_view() -> None:
    state, notices = _read(
        {"date": "2026-01-19", "nations": "BEL,DEU", "missions": "greenland-reconnaissance"}
    )
    assert notices == []
    assert state == FilterState.build(
        date=dt.date(2026, 1, 19), nations=("BEL", "DEU"), missions=("Greenland reconnaissance",)
    )


def test_absent_keys_keep_the_default() -> None:
    default = FilterState.build(
        nations=("FRA",), domains=("air",), site="nuuk", symbols="app6", flows=True
    )
    state, notices = _read({"statuses": "active"}, default=default)
    assert notices == []
    assert state == FilterState.build(
        nations=("FRA",),
        domains=("air",),
        statuses=("active",),
        site="nuuk",
        symbols="app6",
        flows=True,
    )


def test_input_mapping_is_not_modified() -> None:
    params: dict[str, str | list[str]] = {"nations": ["XXX", "BEL"], "bogus": "1"}
    _read(params)
    assert params == {"nations": ["XXX", "BEL"], "bogus": "1"}


def test_repeated_key_uses_its_last_value() -> None:
    state, notices = _read({"nations": ["XXX", "DEU"], "flows": ["0", "1"]})
    assert notices == []
    assert state.nations == ("DEU",)
    assert state.flows is True


def test_unknown_key_is_ignored_with_a_notice() -> None:
    state, notices = _read({"colour": "red", "utm_source": "mail"})
    assert state == DEFAULT
    assert _reasons(notices) == [
        ("colour", "red", "not a setting of this map"),
        ("utm_source", "mail", "not a setting of this map"),
    ]


# --- dates ----------------------------------------------------------------------------------


def test_valid_date_replaces_the_default_day() -> None:
    state, notices = _read({"date": "2025-06-01"})
    assert notices == []
    assert state.date == dt.date(2025, 6, 1)


def test_valid_date_clears_the_default_range() -> None:
    default = FilterState.build(date_range=(dt.date(2026, 1, 1), dt.date(2026, 1, 31)))
    state, notices = _read({"date": "2026-01-10"}, default=default)
    assert notices == []
    assert (state.date, state.date_range) == (dt.date(2026, 1, 10), None)


def test_valid_range_clears_the_default_date() -> None:
    state, notices = _read({"from": "2026-01-01", "to": "2026-01-31"})
    assert notices == []
    assert (state.date, state.date_range) == (None, (dt.date(2026, 1, 1), dt.date(2026, 1, 31)))


def test_range_of_one_day_is_valid() -> None:
    state, notices = _read({"from": "2026-01-05", "to": "2026-01-05"})
    assert notices == []
    assert state.date_range == (dt.date(2026, 1, 5), dt.date(2026, 1, 5))


def test_date_all_means_any_time() -> None:
    state, notices = _read({"date": "all"})
    assert notices == []
    assert (state.date, state.date_range) == (None, None)
    assert _read({"date": " ALL "})[0] == state


# The last one is in Arabic-Indic digits: a digit, but not the form a URL date is written in.
@pytest.mark.parametrize(
    "value",
    [
        "19-01-2026",
        "2026-1-19",
        "2026/01/19",
        "today",
        "",
        "\u0662\u0660\u0662\u0666-\u0660\u0661-\u0661\u0669",
    ],
)
def test_date_not_in_the_iso_form_is_ignored_with_a_notice(value: str) -> None:
    state, notices = _read({"date": value})
    assert state == DEFAULT
    assert _reasons(notices) == [("date", value, "not a date in the form YYYY-MM-DD")]


@pytest.mark.parametrize("value", ["2026-02-30", "2026-13-01", "2026-00-10", "0000-01-01"])
def test_impossible_date_is_ignored_with_a_notice(value: str) -> None:
    state, notices = _read({"date": value})
    assert state == DEFAULT
    assert _reasons(notices) == [("date", value, "not a real date")]
    assert notices[0].message == f"Ignored date={value}: not a real date"


@pytest.mark.parametrize("value", ["2024-12-31", "2027-01-01"])
def test_date_outside_the_data_is_ignored_with_a_notice(value: str) -> None:
    state, notices = _read({"date": value})
    assert state == DEFAULT
    assert _reasons(notices) == [
        ("date", value, "outside the dates of the data (2025-01-01 to 2026-12-31)")
    ]


def test_first_and_last_day_of_the_data_are_valid() -> None:
    state, notices = _read({"from": "2025-01-01", "to": "2026-12-31"})
    assert notices == []
    assert state.date_range == (KNOWN.first_day, KNOWN.last_day)


@pytest.mark.parametrize(("given", "missing"), [("from", "to"), ("to", "from")])
def test_half_a_range_is_ignored_with_a_notice(given: str, missing: str) -> None:
    state, notices = _read({given: "2026-01-05"})
    assert state == DEFAULT
    assert _reasons(notices) == [
        (given, "2026-01-05", f"a range needs both from and to; {missing} is missing")
    ]


def test_range_ending_before_it_starts_is_ignored_with_a_notice() -> None:
    state, notices = _read({"from": "2026-01-10", "to": "2026-01-01"})
    assert state == DEFAULT
    assert notices == [
        Notice(
            key="from", value="2026-01-10&to=2026-01-01", reason="the range ends before it starts"
        )
    ]
    assert notices[0].message == (
        "Ignored from=2026-01-10&to=2026-01-01: the range ends before it starts"
    )


def test_range_with_a_bad_end_is_ignored_with_the_notice_of_that_end() -> None:
    state, notices = _read({"from": "2026-01-01", "to": "2026-02-30"})
    assert state == DEFAULT
    assert _reasons(notices) == [("to", "2026-02-30", "not a real date")]


def test_date_wins_over_a_range_and_a_notice_says_the_range_was_ignored() -> None:
    state, notices = _read({"date": "2026-01-03", "from": "2026-01-01", "to": "2026-01-31"})
    assert (state.date, state.date_range) == (dt.date(2026, 1, 3), None)
    assert _reasons(notices) == [
        ("from", "2026-01-01&to=2026-01-31", "date is given too, and it wins over a range")
    ]


def test_range_applies_when_the_date_beside_it_is_invalid() -> None:
    state, notices = _read({"date": "soon", "from": "2026-01-01", "to": "2026-01-31"})
    assert state.date_range == (dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    assert [notice.key for notice in notices] == ["date"]


# --- list keys ------------------------------------------------------------------------------


def test_nations_are_case_insensitive() -> None:
    state, notices = _read({"nations": "bel, Deu"})
    assert notices == []
    assert state.nations == ("BEL", "DEU")


def test_unknown_nation_is_dropped_with_a_notice_and_the_others_kept() -> None:
    state, notices = _read({"nations": "BEL,XXX"})
    assert state.nations == ("BEL",)
    assert _reasons(notices) == [("nations", "XXX", "not a nation in the data")]


def test_list_key_with_only_invalid_items_keeps_the_default() -> None:
    default = FilterState.build(nations=("FRA",))
    state, notices = _read({"nations": "XXX,YYY"}, default=default)
    assert state.nations == ("FRA",)
    assert [notice.value for notice in notices] == ["XXX", "YYY"]


@pytest.mark.parametrize("key", ["nations", "missions", "domains", "statuses"])
def test_empty_list_key_means_all(key: str) -> None:
    default = FilterState.build(
        nations=("BEL",), missions=("Baltic Air Policing",), domains=("air",), statuses=("active",)
    )
    state, notices = _read({key: ""}, default=default)
    assert notices == []
    assert getattr(state, key) == ()


def test_empty_items_between_commas_are_skipped_silently() -> None:
    state, notices = _read({"nations": ",BEL,,DEU,"})
    assert notices == []
    assert state.nations == ("BEL", "DEU")


def test_mission_slugs_map_back_to_the_full_names() -> None:
    state, notices = _read({"missions": "baltic-air-policing,greenland-permanent-presence"})
    assert notices == []
    assert state.missions == ("Baltic Air Policing", "Greenland permanent presence")


def test_mission_given_by_its_full_name_is_accepted() -> None:
    state, notices = _read({"missions": "Baltic Air Policing"})
    assert notices == []
    assert state.missions == ("Baltic Air Policing",)


def test_unknown_mission_is_dropped_with_a_notice() -> None:
    state, notices = _read({"missions": "baltic-air-policing,arctic-sentry"})
    assert state.missions == ("Baltic Air Policing",)
    assert _reasons(notices) == [("missions", "arctic-sentry", "not a mission in the data")]


def test_mission_slug_shared_by_two_names_is_ignored_with_a_notice() -> None:
    known = Known(
        nations=frozenset(),
        missions=("Air policing", "Air-Policing"),
        sites=frozenset(),
        first_day=TODAY,
        last_day=TODAY,
    )
    state, notices = state_from_query({"missions": "air-policing"}, known=known, default=DEFAULT)
    assert state == DEFAULT
    assert _reasons(notices) == [
        ("missions", "air-policing", "matches more than one mission in the data")
    ]


def test_domains_and_statuses_are_read_case_insensitively() -> None:
    state, notices = _read({"domains": "AIR,Sea", "statuses": "Active"})
    assert notices == []
    assert (state.domains, state.statuses) == (("air", "sea"), ("active",))


def test_unknown_domain_and_status_are_dropped_with_a_notice() -> None:
    state, notices = _read({"domains": "air,space", "statuses": "rumoured"})
    assert state.domains == ("air",)
    assert _reasons(notices) == [
        ("domains", "space", "not a domain (land, air, sea or joint)"),
        ("statuses", "rumoured", "not a status (announced, active, ended or declined)"),
    ]


# --- single-value keys ----------------------------------------------------------------------


def test_site_is_selected() -> None:
    state, notices = _read({"site": "nuuk"})
    assert notices == []
    assert state.site == "nuuk"


def test_empty_site_and_scene_mean_none_selected() -> None:
    default = FilterState.build(site="nuuk", scene="high-north")
    state, notices = _read({"site": "", "scene": ""}, default=default)
    assert notices == []
    assert (state.site, state.scene) == (None, None)


def test_unknown_site_is_ignored_with_a_notice() -> None:
    default = FilterState.build(site="nuuk")
    state, notices = _read({"site": "atlantis"}, default=default)
    assert state.site == "nuuk"
    assert _reasons(notices) == [("site", "atlantis", "not a site in the data")]


def test_unknown_scene_is_ignored_with_a_notice() -> None:
    state, notices = _read({"scene": "moon"})
    assert state.scene is None
    assert _reasons(notices) == [("scene", "moon", "not a scene of this map")]


def test_scene_is_selected() -> None:
    state, notices = _read({"scene": "high-north"})
    assert notices == []
    assert state.scene == "high-north"


@pytest.mark.parametrize("style", settings.SYMBOL_STYLES)
def test_symbols_style_is_read(style: str) -> None:
    state, notices = _read({"symbols": style})
    assert notices == []
    assert state.symbols == style


def test_unknown_symbols_style_is_ignored_with_a_notice() -> None:
    state, notices = _read({"symbols": "emoji"})
    assert state.symbols == DEFAULT.symbols
    assert _reasons(notices) == [("symbols", "emoji", "not a marker style (badges or app6)")]


@pytest.mark.parametrize(
    ("value", "flows"), [("1", True), ("0", False), ("true", True), ("FALSE", False)]
)
def test_flows_accepts_one_zero_true_and_false(value: str, flows: bool) -> None:
    default = FilterState.build(flows=not flows)
    state, notices = _read({"flows": value}, default=default)
    assert notices == []
    assert state.flows is flows


def test_flows_other_than_a_flag_is_ignored_with_a_notice() -> None:
    state, notices = _read({"flows": "yes please"})
    assert state.flows is DEFAULT.flows
    assert _reasons(notices) == [("flows", "yes please", "not 1 or 0 (nor true or false)")]


# --- hostile values -------------------------------------------------------------------------

HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "${alert(1)}",
    "`",
    "{{7*7}}",
    "'; DROP TABLE deployments; --",
    "\x00\n\r\t",
    "\u202e\u200b\ufeff",
    "🇧🇪" * 100,
    "A" * 100_000,
    "%3Cscript%3E",
    "2026-01-19" + " " * 1000,
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_never_raise_and_are_kept_verbatim_but_truncated(value: str) -> None:
    params: dict[str, str | list[str]] = {key: value for key in QUERY_KEYS}
    params[value] = value  # as a key too
    state, notices = _read(params)
    assert isinstance(state, FilterState)
    assert notices
    for notice in notices:
        assert len(notice.key) <= NOTICE_VALUE_MAX_CHARS
        assert len(notice.value) <= NOTICE_VALUE_MAX_CHARS
        assert isinstance(notice.message, str)
    shown = value if len(value) <= NOTICE_VALUE_MAX_CHARS else value[:79] + "…"
    assert any(notice.value == shown for notice in notices)


def test_long_value_is_truncated_to_80_characters_with_an_ellipsis() -> None:
    _, notices = _read({"site": "x" * 200})
    assert notices[0].value == "x" * 79 + "…"
    assert len(notices[0].value) == 80


@hypothesis_settings(max_examples=300)
@given(
    st.dictionaries(
        st.one_of(st.sampled_from(QUERY_KEYS), st.text()),
        st.one_of(st.text(), st.lists(st.text())),
    )
)
def test_any_query_gives_a_valid_state_and_never_raises(
    params: dict[str, str | list[str]],
) -> None:
    state, notices = _read(params)
    assert state.date is None or state.date_range is None
    assert state.symbols in settings.SYMBOL_STYLES
    assert all(len(notice.value) <= NOTICE_VALUE_MAX_CHARS for notice in notices)


# --- query_from_state -----------------------------------------------------------------------


def test_default_state_gives_an_empty_query() -> None:
    assert query_from_state(DEFAULT, default=DEFAULT) == {}


def test_query_writes_only_what_differs_in_a_fixed_key_order() -> None:
    state = FilterState.build(
        date_range=(dt.date(2026, 1, 1), dt.date(2026, 1, 31)),
        nations=("DEU", "BEL"),
        missions=("Greenland reconnaissance", "Baltic Air Policing"),
        statuses=("active",),
        site="nuuk",
        symbols="app6",
        flows=True,
    )
    query = query_from_state(state, default=DEFAULT)
    assert list(query) == [
        "from",
        "to",
        "nations",
        "missions",
        "statuses",
        "site",
        "symbols",
        "flows",
    ]
    assert query == {
        "from": "2026-01-01",
        "to": "2026-01-31",
        "nations": "BEL,DEU",
        "missions": "baltic-air-policing,greenland-reconnaissance",
        "statuses": "active",
        "site": "nuuk",
        "symbols": "app6",
        "flows": "1",
    }


def test_any_time_is_written_as_date_all() -> None:
    assert query_from_state(FilterState.build(), default=DEFAULT) == {"date": "all"}


def test_cleared_selection_and_lists_are_written_empty() -> None:
    default = FilterState.build(nations=("BEL",), site="nuuk", scene="high-north")
    query = query_from_state(FilterState.build(), default=default)
    assert query == {"nations": "", "site": "", "scene": ""}


def test_query_does_not_modify_the_states() -> None:
    state = FilterState.build(nations=("BEL",))
    before = (state, DEFAULT)
    query_from_state(state, default=DEFAULT)
    assert (state, DEFAULT) == before


# --- round trip -----------------------------------------------------------------------------


def _days(known: Known) -> st.SearchStrategy[dt.date]:
    return st.dates(min_value=known.first_day, max_value=known.last_day)


@st.composite
def _states(draw: st.DrawFn, known: Known) -> FilterState:
    time = draw(st.sampled_from(["date", "range", "any"]))
    date = draw(_days(known)) if time == "date" else None
    scenes = (st.none() | st.sampled_from(sorted(known.scenes))) if known.scenes else st.none()
    date_range = None
    if time == "range":
        first, last = sorted((draw(_days(known)), draw(_days(known))))
        date_range = (first, last)
    return FilterState.build(
        nations=draw(st.lists(st.sampled_from(sorted(known.nations)))),
        missions=draw(st.lists(st.sampled_from(known.missions))),
        domains=draw(st.lists(st.sampled_from(settings.DOMAINS))),
        statuses=draw(st.lists(st.sampled_from(settings.STATUSES))),
        date=date,
        date_range=date_range,
        scene=draw(scenes),
        site=draw(st.none() | st.sampled_from(sorted(known.sites))),
        symbols=draw(st.sampled_from(settings.SYMBOL_STYLES)),
        flows=draw(st.booleans()),
    )


@hypothesis_settings(max_examples=300)
@given(_states(KNOWN), _states(KNOWN))
def test_state_survives_the_round_trip_through_the_url(
    state: FilterState, default: FilterState
) -> None:
    query = query_from_state(state, default=default)
    assert state_from_query(query, known=KNOWN, default=default) == (state, [])


_MISSION_NAMES = st.lists(
    st.text(min_size=1, max_size=30).filter(lambda name: mission_slug(name) != ""),
    min_size=1,
    max_size=5,
    unique_by=mission_slug,
)


@hypothesis_settings(max_examples=100)
@given(st.data(), _MISSION_NAMES)
def test_any_mission_names_with_distinct_slugs_survive_the_round_trip(
    data: st.DataObject, names: list[str]
) -> None:
    known = Known(
        nations=KNOWN.nations,
        missions=tuple(names),
        sites=KNOWN.sites,
        first_day=KNOWN.first_day,
        last_day=KNOWN.last_day,
    )
    state = data.draw(_states(known))
    default = data.draw(_states(known))
    query = query_from_state(state, default=default)
    assert state_from_query(query, known=known, default=default) == (state, [])


def test_singular_key_names_are_read_as_the_plural_ones() -> None:
    known = Known(
        nations=frozenset({"BEL", "DEU"}),
        missions=("Greenland reconnaissance",),
        sites=frozenset({"nuuk"}),
        first_day=dt.date(2026, 1, 1),
        last_day=dt.date(2026, 3, 1),
    )
    state, notices = state_from_query(
        {"mission": "greenland-reconnaissance", "nation": "bel"},
        known=known,
        default=FilterState(),
    )
    assert notices == []
    assert state.missions == ("Greenland reconnaissance",) and state.nations == ("BEL",)
