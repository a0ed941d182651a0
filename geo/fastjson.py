"""JSON parsed fast: orjson, with Python's cyclic garbage collector paused.

A 10 MB GeoJSON layer is about a million lists and floats. Parsed with the collector running,
each few hundred new objects start a collection that walks the ones already made: four
fifths of the parse time. They hold no cycles, so pausing the collector loses nothing;
reference counting frees them as before.

orjson is stricter than ``json`` (no NaN or Infinity, no lone surrogates) and reads integers
past 64 bits as floats; :func:`loads_exact` refuses those texts, so the caller parses them
with ``json`` and gets exactly what ``json`` would have given.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from typing import Any

import orjson

# Digits in a row from which orjson is not used: an integer of 19 digits or more may be past
# 64 bits, which orjson reads as a float (not exactly as ``json`` does).
_LONGEST_DIGIT_RUN = 19
# Every digit as "0", every other byte as a space (a table for ``bytes.translate``).
_DIGITS_AS_ZEROS = bytes(
    ord("0") if ord("0") <= code <= ord("9") else ord(" ") for code in range(256)
)


class NotExact(ValueError):
    """orjson cannot read this text exactly as ``json`` would (parse it with ``json``)."""


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for a block that makes millions of acyclic objects."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def long_digit_run(data: bytes) -> bool:
    """True when the text has ``_LONGEST_DIGIT_RUN`` digits in a row, or more."""
    return b"0" * _LONGEST_DIGIT_RUN in data.translate(_DIGITS_AS_ZEROS)


def loads_exact(data: bytes) -> Any:
    """The parsed UTF-8 JSON text, as ``json.loads`` would give it.

    Raises
    ------
    NotExact
        When orjson refuses the text (not JSON, not UTF-8, NaN, a lone surrogate...) or it
        holds a digit run long enough to be an integer past 64 bits; ``json`` then says
        what it makes of it.
    """
    if long_digit_run(data):
        raise NotExact("a run of digits that may be an integer past 64 bits")
    try:
        with gc_paused():
            return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise NotExact(str(exc)) from exc
