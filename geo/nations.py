"""Nations: names, flags and colours for ISO 3166-1 alpha-3 codes (plain text, no HTML)."""

from __future__ import annotations

import zlib
from functools import lru_cache

import pycountry

from geo import settings

# Shorter common names than ISO's formal ones, where ISO's would crowd a legend.
_SHORT_NAMES: dict[str, str] = {
    "GBR": "United Kingdom",
    "USA": "United States",
    "RUS": "Russia",
    "MDA": "Moldova",
    "NLD": "Netherlands",
}


@lru_cache(maxsize=512)
def name(code: str) -> str:
    """English short name of a nation, e.g. ``"BEL"`` -> ``"Belgium"``; the code if unknown."""
    code = str(code).strip().upper()
    if code in _SHORT_NAMES:
        return _SHORT_NAMES[code]
    country = pycountry.countries.get(alpha_3=code) if len(code) == 3 else None
    if country is None:
        return code
    return str(getattr(country, "common_name", None) or country.name)


@lru_cache(maxsize=512)
def flag(code: str) -> str:
    """Flag emoji of a nation (two regional indicator letters); "" if the code is unknown."""
    code = str(code).strip().upper()
    country = pycountry.countries.get(alpha_3=code) if len(code) == 3 else None
    if country is None:
        return ""
    return "".join(chr(0x1F1E6 + ord(letter) - ord("A")) for letter in country.alpha_2)


def label(code: str) -> str:
    """Flag and name, e.g. ``"🇧🇪 Belgium"``; the name alone when there is no flag."""
    mark = flag(code)
    return f"{mark} {name(code)}" if mark else name(code)


def color(code: str) -> str:
    """The nation's colour: fixed in ``settings.NATION_COLORS``, else a stable palette pick."""
    code = str(code).strip().upper()
    if code in settings.NATION_COLORS:
        return settings.NATION_COLORS[code]
    palette = settings.NATION_PALETTE
    return palette[zlib.crc32(code.encode("utf-8")) % len(palette)]
