"""Names, flags and colours of nations."""

from __future__ import annotations

from geo import nations, settings


def test_label_is_flag_and_short_name() -> None:
    assert nations.label("BEL") == "🇧🇪 Belgium"
    assert nations.label("gbr") == "🇬🇧 United Kingdom"


def test_unknown_code_is_shown_as_given_without_a_flag() -> None:
    assert nations.flag("XXX") == ""
    assert nations.label("XXX") == "XXX"


def test_colour_is_fixed_for_known_nations_and_stable_for_others() -> None:
    assert nations.color("BEL") == settings.NATION_COLORS["BEL"]
    assert nations.color("EST") == nations.color("EST")
    assert nations.color("EST") in settings.NATION_PALETTE
