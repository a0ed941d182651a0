"""Fast JSON parsing (geo.fastjson): the same result as ``json``, or a refusal to fall back on."""

from __future__ import annotations

import gc
import json

import pytest

from geo import fastjson

SAME = [
    b'{"type": "FeatureCollection", "features": []}',
    b'{"a": 1, "a": 2}',
    b"[-0.0, 1.0000000000000002, 1e-07, 12345678901234567, -922337203685477580]",
    '{"name": "Tromsø \\u00e9 \\ud83d\\ude00"}'.encode(),
    b"  [1, 2.5, true, false, null]  ",
]


@pytest.mark.parametrize("text", SAME)
def test_text_is_parsed_exactly_as_json_parses_it(text: bytes) -> None:
    parsed = fastjson.loads_exact(text)
    assert parsed == json.loads(text)
    assert repr(parsed) == repr(json.loads(text))  # same types: ints stay ints


@pytest.mark.parametrize(
    "text",
    [
        b"[123456789012345678901234]",  # past 64 bits: orjson would give a float
        b"[18446744073709551616]",
        b'["1234567890123456789"]',  # a long digit run in a string: json decides, as well
        b"[NaN]",
        b"[1e400]",
        b'["\\ud800"]',  # a lone surrogate
        b"[1, 2",
        b"\xff",
    ],
)
def test_text_orjson_cannot_read_exactly_is_left_to_json(text: bytes) -> None:
    with pytest.raises(fastjson.NotExact):
        fastjson.loads_exact(text)


def test_long_digit_run_is_found_anywhere_but_short_ones_are_not() -> None:
    assert fastjson.long_digit_run(b"x" * 1000 + b"1" * 19)
    assert not fastjson.long_digit_run(b"[" + b"1" * 18 + b"," + b"2" * 18 + b"]")


@pytest.mark.parametrize("enabled", [True, False])
def test_collector_is_paused_inside_and_left_as_it_was_after(enabled: bool) -> None:
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        with pytest.raises(RuntimeError), fastjson.gc_paused():
            assert not gc.isenabled()
            raise RuntimeError
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()
