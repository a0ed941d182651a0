"""APP-6 unit symbols: the SIDC each row gets, and SVG that is safe to inline into HTML."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter

import pytest
from milsymbol import Symbol

from geo import settings
from layers import symbols
from layers.symbols import app6_legend, app6_sidc, app6_svg

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "${alert(1)}",
    "`+alert(1)+`",
    "</script><script>alert(1)</script>",
    '"><svg onload=alert(1)>',
    "A&amp;B & C",
    "]]><!-- x -->",
]
DRAWN_STATUSES = ("active", "announced", "ended")
GENERIC = "10031000000000000000"


def _xml(svg: str) -> ET.Element:
    """Parse ``svg`` once it is known to hold no DTD, so there is nothing to expand."""
    assert "<!" not in svg and "<?" not in svg
    return ET.fromstring(svg)  # noqa: S314 -- checked above


def _safe_root(svg: str) -> ET.Element:
    """Parse ``svg`` and check that nothing in it can run code or load anything."""
    root = _xml(svg)
    assert root.tag == f"{SVG}svg"
    for element in root.iter():
        assert element.tag.startswith(SVG), element.tag
        local = element.tag[len(SVG) :]
        assert local.lower() not in {"script", "foreignobject", "iframe", "a", "image", "style"}
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), name
            assert name != "style"
            if name.endswith("href"):
                assert value.startswith("#"), value
            assert "javascript:" not in value.lower()
            if "url(" in value:
                assert re.fullmatch(r"url\(#[\w.:-]+\)", value), value
    return root


def _texts(root: ET.Element) -> list[str]:
    return [element.text or "" for element in root.iter(f"{SVG}text")]


def _tags(root: ET.Element) -> Counter[str]:
    return Counter(element.tag for element in root.iter())


def _view_box(svg: str) -> tuple[float, ...]:
    return tuple(float(part) for part in _xml(svg).get("viewBox", "").split())


def test_each_domain_gives_a_distinct_sidc() -> None:
    sidcs = {domain: app6_sidc(domain=domain, status="active") for domain in settings.DOMAINS}
    assert len(set(sidcs.values())) == len(settings.DOMAINS)
    assert GENERIC not in sidcs.values()


def test_sidcs_are_friendly_app6d_number_sidcs() -> None:
    for domain in settings.DOMAINS:
        for status in settings.STATUSES:
            sidc = app6_sidc(domain=domain, status=status)
            assert re.fullmatch(r"1003\d{16}", sidc), sidc


@pytest.mark.parametrize("domain", [*settings.DOMAINS, "unknown"])
@pytest.mark.parametrize("status", [*settings.STATUSES, "unknown"])
def test_every_sidc_given_is_one_milsymbol_can_draw(domain: str, status: str) -> None:
    assert Symbol(app6_sidc(domain=domain, status=status)).is_valid()


def test_symbol_sets_match_the_domains() -> None:
    symbol_set = {d: app6_sidc(domain=d, status="active")[4:6] for d in settings.DOMAINS}
    assert symbol_set == {"air": "01", "land": "10", "sea": "30", "joint": "10"}


def test_land_battlegroup_is_a_battalion_and_joint_team_a_team() -> None:
    assert app6_sidc(domain="land", status="active")[8:10] == "16"
    assert app6_sidc(domain="joint", status="active")[8:10] == "11"


@pytest.mark.parametrize("domain", settings.DOMAINS)
def test_announced_differs_from_active(domain: str) -> None:
    active = app6_sidc(domain=domain, status="active")
    announced = app6_sidc(domain=domain, status="announced")
    assert (active[6], announced[6]) == ("0", "1")
    assert active[:6] + active[7:] == announced[:6] + announced[7:]
    active_svg = app6_svg(domain=domain, status="active")
    announced_svg = app6_svg(domain=domain, status="announced")
    assert "stroke-dasharray" not in active_svg
    dashed = [
        element
        for element in _safe_root(announced_svg).iter()
        if element.get("stroke-dasharray") == symbols.PLANNED_DASHARRAY
    ]
    assert len(dashed) == 1


@pytest.mark.parametrize("domain", settings.DOMAINS)
def test_ended_is_drawn_as_present_and_declined_as_planned(domain: str) -> None:
    assert app6_sidc(domain=domain, status="ended") == app6_sidc(domain=domain, status="active")
    assert app6_sidc(domain=domain, status="declined") == app6_sidc(
        domain=domain, status="announced"
    )


def test_domain_and_status_are_read_in_any_case() -> None:
    assert app6_sidc(domain=" Air ", status="ACTIVE") == app6_sidc(domain="air", status="active")


@pytest.mark.parametrize("domain", [*settings.DOMAINS, "unknown"])
@pytest.mark.parametrize("status", settings.STATUSES)
@pytest.mark.parametrize("label", ["", "BEL DEU"])
def test_svg_parses_and_is_safe(domain: str, status: str, label: str) -> None:
    svg = app6_svg(domain=domain, status=status, label=label)
    root = _safe_root(svg)
    assert "foreignobject" not in svg.lower() and "<script" not in svg.lower()
    assert (label in _texts(root)) is bool(label)


@pytest.mark.parametrize("label", [*HOSTILE, "BEL <b onclick=x>${alert(1)}`</script>"])
@pytest.mark.parametrize("domain", settings.DOMAINS)
def test_hostile_label_comes_out_as_text(label: str, domain: str) -> None:
    plain = _safe_root(app6_svg(domain=domain, status="active"))
    svg = app6_svg(domain=domain, status="active", label=label)
    root = _safe_root(svg)
    assert label in _texts(root)
    # Exactly one element more (the text), and no attribute that the plain symbol lacks.
    assert _tags(root) - _tags(plain) == Counter({f"{SVG}text": 1})
    assert _tags(plain) - _tags(root) == Counter()
    plain_names = {name for element in plain.iter() for name in element.attrib}
    text_names = {"x", "y", "text-anchor", "font-size", "font-family", "fill", "stroke"}
    names = {name for element in root.iter() for name in element.attrib}
    assert names <= plain_names | text_names | {"stroke-width"}
    # Nothing a <script> block or a JavaScript template string would act on.
    assert "</script" not in svg.lower() and "<!--" not in svg
    assert "`" not in svg and "${" not in svg


def test_label_is_escaped_once() -> None:
    svg = app6_svg(domain="land", status="active", label="A&B <C>")
    assert "A&amp;B &lt;C&gt;" in svg
    assert "&amp;amp;" not in svg and "&amp;lt;" not in svg
    assert "A&B <C>" in _texts(_safe_root(svg))


def test_control_characters_in_label_are_dropped() -> None:
    svg = app6_svg(domain="land", status="active", label="\x00BEL\x1b\n\tDEU\ufffe")
    assert _texts(_safe_root(svg)) == ["BEL DEU"]


def test_long_label_is_cut_with_an_ellipsis() -> None:
    svg = app6_svg(domain="land", status="active", label=" ".join(["DEU"] * 30))
    (text,) = _texts(_safe_root(svg))
    assert len(text) == symbols.MAX_LABEL_CHARS and text.endswith("…")


@pytest.mark.parametrize(
    "text",
    ["", "   ", "unknown", "Luft", "<b>", "${x}", "\x00", "air\n", "\uff41\uff49\uff52", "🚀" * 50],
)
def test_unknown_inputs_do_not_raise(text: str) -> None:
    sidc = app6_sidc(domain=text, status=text, mission=text, assets=text)
    assert Symbol(sidc).is_valid()
    for size in (-5, 0, 36, 10_000):
        _safe_root(app6_svg(domain=text, status=text, mission=text, assets=text, size=size))


def test_unknown_domain_or_status_gives_a_generic_friendly_unit() -> None:
    assert app6_sidc(domain="space", status="active") == GENERIC
    assert app6_sidc(domain="land", status="rumoured") == GENERIC
    # A known status still shows on the generic unit.
    assert app6_sidc(domain="space", status="announced")[6] == "1"


def test_mission_and_assets_do_not_change_the_symbol() -> None:
    plain = app6_svg(domain="sea", status="active", label="DEU")
    detailed = app6_svg(
        domain="sea",
        status="active",
        mission="Standing NATO Maritime Groups",
        assets="frigates; mine countermeasures ships",
        label="DEU",
    )
    assert detailed == plain


@pytest.mark.parametrize("domain", [*settings.DOMAINS, "unknown"])
@pytest.mark.parametrize("label", ["", "BEL DEU FRA"])
def test_frame_centre_is_the_svg_centre(domain: str, label: str) -> None:
    x, y, width, height = _view_box(app6_svg(domain=domain, status="active", label=label))
    assert (x + width / 2, y + height / 2) == pytest.approx((100, 100))


def test_label_does_not_change_the_svg_box() -> None:
    plain = _xml(app6_svg(domain="land", status="active"))
    labelled = _xml(app6_svg(domain="land", status="active", label="BEL DEU FRA"))
    for name in ("width", "height", "viewBox"):
        assert labelled.get(name) == plain.get(name)
    assert labelled.get("overflow") == "visible"


def test_size_scales_the_svg() -> None:
    small = _xml(app6_svg(domain="land", status="active", size=36))
    large = _xml(app6_svg(domain="land", status="active", size=72))
    assert float(large.get("width", "0")) == pytest.approx(2 * float(small.get("width", "0")))


@pytest.mark.parametrize("domain", settings.DOMAINS)
def test_svg_is_small(domain: str) -> None:
    for status in ("active", "announced"):
        assert len(app6_svg(domain=domain, status=status, size=36)) < 800
        assert len(app6_svg(domain=domain, status=status, size=36, label="BEL DEU FRA")) < 1000


def test_same_arguments_give_the_cached_svg() -> None:
    first = app6_svg(domain="air", status="active", label="BEL")
    assert app6_svg(domain="air", status="active", label="BEL") is first


def test_sanitiser_strips_what_milsymbol_might_emit() -> None:
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
        ' viewBox="0 0 200 200" onload="alert(1)" style="background:url(http://x)">'
        "<script>alert(1)</script>"
        '<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>'
        '<use xlink:href="http://evil/#a" href="javascript:alert(1)"/>'
        '<path d="M0,0" fill="url(http://evil/a.svg#p)" clip-path="url(#clip-0)"'
        ' onclick="alert(1)"/>'
        '<text x="1" y="2">ok<tspan onmouseover="alert(1)">more</tspan></text>'
        "</svg>"
    )
    clean = symbols._serialise(symbols._parse(svg), root=True)
    root = _safe_root(clean)
    assert {element.tag[len(SVG) :] for element in root.iter()} == {"svg", "path", "text", "tspan"}
    path = root.find(f"{SVG}path")
    assert path is not None
    assert path.attrib == {"d": "M0,0", "clip-path": "url(#clip-0)"}
    assert "".join(root.itertext()) == "okmore"


@pytest.mark.parametrize(
    "svg",
    [
        '<!DOCTYPE svg [<!ENTITY a "b">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
        '<?xml-stylesheet href="http://x"?><svg xmlns="http://www.w3.org/2000/svg"/>',
        "<html><body/></html>",
    ],
)
def test_sanitiser_refuses_declarations_and_other_documents(svg: str) -> None:
    with pytest.raises(ValueError):
        symbols._parse(svg)


def test_legend_lists_one_entry_per_drawable_symbol() -> None:
    legend = app6_legend()
    drawable = {
        app6_svg(domain=domain, status=status, size=symbols.LEGEND_SIZE)
        for domain in settings.DOMAINS
        for status in DRAWN_STATUSES
    }
    assert len(legend) == len(drawable) == 2 * len(settings.DOMAINS)
    assert {svg for _, svg in legend} == drawable
    labels = [label for label, _ in legend]
    assert len(set(labels)) == len(labels) and all(labels)
    for label, svg in legend:
        assert "<" not in label
        _safe_root(svg)


def test_legend_is_a_fresh_list_each_time() -> None:
    app6_legend().clear()
    assert app6_legend()


def test_symbols_module_does_not_import_streamlit() -> None:
    code = "import sys, layers.symbols; sys.exit('streamlit' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
