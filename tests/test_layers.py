"""Layers rendered to HTML and checked for what is in it (folium's way of testing)."""

from __future__ import annotations

import json
import re
from typing import Any

import folium
import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box
from streamlit_folium import _get_feature_group_string, _get_map_string

from geo import settings, tables
from geo.dataset import load_dataset, select
from geo.filters import FilterState
from layers import (
    REGISTRY,
    compose,
    contributions,
    countries,
    deployments,
    events,
    sites,
    stylesheet,
)
from layers.base import DataLayer, markdown_text, safe_text

HOSTILE = ["<img src=x onerror=alert(1)>", "`+alert(1)+`", "${alert(1)}", "</script>"]
PAYLOAD = "".join(HOSTILE)


@pytest.fixture
def tiny_sites() -> gpd.GeoDataFrame:
    """Two points and a sea area in EPSG:4326, one named with injection payloads."""
    return gpd.GeoDataFrame(
        {
            "id": ["a", "b", "sea"],
            "name": ["Šiauliai Air Base", PAYLOAD, "Test Sea"],
            "kind": ["air_base", "city", "sea_area"],
            "country": ["LTU", "EST", ""],
        },
        geometry=[Point(23.4, 55.9), Point(24.2, 59.3), box(15, 54, 20, 58)],
        crs="EPSG:4326",
    )


@pytest.fixture
def tiny_rows(tiny_sites: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Three deployments (two at site b, one at sea) with payloads in every text column."""
    day = pd.Series(pd.to_datetime(["2026-01-15", "2026-01-15", None])).astype(settings.DATE_DTYPE)
    frame = pd.DataFrame(
        {
            "id": ["r1", "r2", "r3"],
            "nation": ["BEL", "DEU", "BEL"],
            "mission": [PAYLOAD, "Recon", "Standing NATO Maritime Groups"],
            "site": ["b", "b", "sea"],
            "host": ["EST", "EST", ""],
            "start": day,
            "end": day.iloc[[2, 2, 2]].reset_index(drop=True),
            "date_precision": ["day", "day", ""],
            "personnel": pd.array([13, pd.NA, pd.NA], dtype="Int64"),
            "assets": [PAYLOAD, "", "frigates"],
            "domain": ["joint", "land", "sea"],
            "command": ["DNK", "", ""],
            "status": ["announced", "declined", "active"],
            "source": ["s1", "s1", "s2"],
            "note": [PAYLOAD, "", ""],
        }
    )
    frame["start_day"], frame["end_day"] = frame["start"], frame["end"]
    return tables.join_sites(frame, tiny_sites)


@pytest.fixture
def tiny_events() -> pd.DataFrame:
    """One event at site b with a hostile title, one without a site."""
    return pd.DataFrame(
        {
            "id": ["e1", "e2"],
            "date": pd.to_datetime(["2026-01-14", "2026-01-14"]),
            "date_precision": ["day", "day"],
            "title": [PAYLOAD, "Talks"],
            "place": ["", ""],
            "site": ["b", ""],
            "source": ["s1", "s1"],
            "note": ["", ""],
        }
    )


TITLES = {"s1": "Source one " + PAYLOAD, "s2": "Source two"}
ANCHORS = {"BEL": (50.5, 4.8), "DEU": (51.0, 10.0)}


def _html(fmap: folium.Map) -> str:
    return fmap.get_root().render()  # type: ignore[no-any-return]


def _data(group: folium.FeatureGroup) -> Any:
    """The JSON data a data-driven layer hands to its script."""
    (layer,) = [c for c in group._children.values() if isinstance(c, DataLayer)]
    return layer.data


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return []


def _dynamic_html(
    rows: gpd.GeoDataFrame,
    event_rows: pd.DataFrame,
    site_table: gpd.GeoDataFrame,
    state: FilterState,
) -> str:
    fmap = compose.base_map(site_table)
    groups = compose.dynamic_layers(
        rows,
        event_rows,
        state=state,
        site_table=site_table,
        anchors=ANCHORS,
        source_titles=TITLES,
    )
    for group in groups:
        group.add_to(fmap)
    return _html(fmap)


def test_base_map_asks_no_cdn_for_scripts_or_styles(tiny_sites: gpd.GeoDataFrame) -> None:
    html = _html(compose.base_map(tiny_sites))
    links = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert links, "the map loads no scripts at all"
    assert all(link.startswith(settings.STATIC_URL + "/") for link in links), links


def test_base_map_has_no_tile_layer_by_default(tiny_sites: gpd.GeoDataFrame) -> None:
    assert "L.tileLayer" not in _html(compose.base_map(tiny_sites))


def test_outlines_and_sea_areas_are_fetched_not_embedded(tiny_sites: gpd.GeoDataFrame) -> None:
    html = _html(compose.base_map(tiny_sites))
    assert "countries_lod0.geojson" in html
    assert f"{settings.STATIC_URL}/data/sites-" in html
    assert '"type": "Feature"' not in html and '"type":"Feature"' not in html
    assert "Polygon" not in html


def test_base_map_script_is_the_same_on_every_build(tiny_sites: gpd.GeoDataFrame) -> None:
    # streamlit-folium keys the mounted map by this script: if it changed, every rerun would
    # re-mount the map.
    first, second = compose.base_map(tiny_sites), compose.base_map(tiny_sites)
    first.render()
    second.render()
    assert _get_map_string(first) == _get_map_string(second)


def test_every_registered_layer_has_a_legend_entry() -> None:
    for layer in REGISTRY:
        assert layer.legend(), layer.NAME
        assert layer.NAME and layer.TITLE


def test_legend_names_host_and_context_roles(tiny_sites: gpd.GeoDataFrame) -> None:
    html = _html(compose.base_map(tiny_sites))
    assert "Host territory" in html and "Other country" in html


def test_site_names_are_escaped_in_labels(tiny_sites: gpd.GeoDataFrame) -> None:
    names = [row[3] for row in _data(sites.build(tiny_sites))["sites"]]
    assert names == ["Šiauliai Air Base", safe_text(PAYLOAD)]
    html = _html(compose.base_map(tiny_sites))
    for payload in HOSTILE[:3]:
        assert payload not in html
    assert "${alert" not in html and "`+alert" not in html


def test_a_site_named_like_a_template_is_drawn_as_written_not_run_in_the_server(
    tiny_sites: gpd.GeoDataFrame,
) -> None:
    named = tiny_sites.copy()
    named.loc[named.index[0], "name"] = "{{ 6 * 7 }} {% if 1 %}ran{% endif %}"
    html = _html(compose.base_map(named))
    assert "{{ 6 * 7 }} {% if 1 %}ran{% endif %}" in html
    assert "42 ran" not in html


def test_every_text_of_the_dynamic_layers_is_escaped(
    tiny_rows: gpd.GeoDataFrame, tiny_sites: gpd.GeoDataFrame, tiny_events: pd.DataFrame
) -> None:
    for symbols in settings.SYMBOL_STYLES:
        state = FilterState.build(site="b", flows=True, symbols=symbols)
        groups = compose.dynamic_layers(
            tiny_rows,
            tiny_events,
            state=state,
            site_table=tiny_sites,
            anchors=ANCHORS,
            source_titles=TITLES,
        )
        texts = [text for group in groups for text in _strings(_data(group))]
        assert any("&lt;img src=x onerror=alert(1)&gt;" in text for text in texts)
        for text in texts:
            assert "<img" not in text and "`" not in text and "${" not in text, text
        html = _dynamic_html(tiny_rows, tiny_events, tiny_sites, state)
        for payload in HOSTILE[:3]:
            assert payload not in html, (symbols, payload)
        # No closing tag beyond those of the page's own scripts.
        assert html.count("</script>") == html.count("<script")
        assert "${alert" not in html and "`+alert" not in html


@pytest.mark.parametrize("payload", HOSTILE)
def test_safe_text_leaves_no_markup_backtick_or_template(payload: str) -> None:
    out = safe_text(payload)
    assert "<" not in out and "`" not in out and "${" not in out


def test_markdown_text_leaves_no_link_or_markup() -> None:
    out = markdown_text("[x](javascript:alert(1)) <b>`y`</b> :red[z]")
    assert "](" not in out.replace("\\]\\(", "")
    assert "\\<b\\>" in out and "\\`" in out and "\\:red" in out


def test_sites_layer_draws_every_point_site(tiny_sites: gpd.GeoDataFrame) -> None:
    rows = _data(sites.build(tiny_sites))["sites"]
    assert [row[2] for row in rows] == ["air_base", "city"]
    assert rows[0][:2] == [55.9, 23.4]


def test_deployments_layer_has_one_marker_per_site_with_each_nation(
    tiny_rows: gpd.GeoDataFrame,
) -> None:
    group = deployments.build(tiny_rows, state=FilterState(), source_titles=TITLES)
    markers = _data(group)["markers"]
    assert len(markers) == 2
    at_b = markers[0]
    assert at_b["b"] == [
        ["BEL", settings.NATION_COLORS["BEL"], "announced"],
        ["DEU", settings.NATION_COLORS["DEU"], "declined"],
    ]
    assert at_b["fig"] == "13" and markers[1]["fig"] == ""
    assert at_b["d"] > markers[1]["d"]
    popup = " ".join(_strings(at_b["pop"]))
    data = _data(group)
    first_row = at_b["pop"]["r"][0]
    # Nation, mission and source are positions in lists sent once per push.
    assert data["nations"][first_row[0]][0].endswith("Belgium")
    assert data["missions"][first_row[1]] == safe_text(PAYLOAD)
    assert data["sources"][first_row[6]].startswith("Source one")
    assert "command: Denmark" in popup
    assert "13 personnel" in popup and "personnel not stated" in popup
    # No markup in the data: the browser builds the popup's tags.
    assert "<" not in popup


def test_deployments_layer_hands_contributors_and_active_seas_to_the_static_layers(
    tiny_rows: gpd.GeoDataFrame,
) -> None:
    fmap = folium.Map(tiles=None)
    deployments.build(tiny_rows, state=FilterState(), source_titles=TITLES).add_to(fmap)
    state = re.search(r"window\.briefing\.setState\((.*?)\);", _html(fmap), re.S)
    assert state is not None
    # DEU only declined: not tinted as contributing.
    assert json.loads(state.group(1)) == {"contributors": ["BEL"], "active_seas": ["sea"]}


def test_selected_site_marker_is_highlighted(tiny_rows: gpd.GeoDataFrame) -> None:
    group = deployments.build(tiny_rows, state=FilterState(site="b"), source_titles=TITLES)
    assert [marker["sel"] for marker in _data(group)["markers"]] == [1, 0]


def test_contribution_lines_only_for_the_selected_site_unless_flows(
    tiny_rows: gpd.GeoDataFrame,
) -> None:
    def lines(state: FilterState) -> int:
        return len(_data(contributions.build(tiny_rows, state=state, anchors=ANCHORS))["lines"])

    assert lines(FilterState()) == 0
    assert lines(FilterState(site="b")) == 2
    assert lines(FilterState(flows=True)) == 3


def test_only_events_with_a_site_are_drawn(
    tiny_events: pd.DataFrame, tiny_sites: gpd.GeoDataFrame
) -> None:
    group = events.build(tiny_events, sites=tiny_sites, source_titles=TITLES)
    assert len(_data(group)["marks"]) == 1


def test_a_filter_change_sends_little_for_the_default_data() -> None:
    data = load_dataset()
    state = FilterState.build(date=data.default_day, flows=True)
    chosen = select(data, state)
    fmap = compose.base_map(data.sites)
    fmap.render()
    base = len(_get_map_string(fmap))
    groups = compose.dynamic_layers(
        chosen.deployments,
        chosen.events,
        state=state,
        site_table=data.sites,
        anchors=data.anchors,
        source_titles=data.source_titles,
    )
    pushed = sum(
        len(_get_feature_group_string(group, fmap, idx=i)) for i, group in enumerate(groups)
    )
    assert pushed + base < 50_000, (pushed, base)


def test_presenter_map_fills_its_frame_and_folds_its_controls(
    tiny_sites: gpd.GeoDataFrame,
) -> None:
    html = _html(compose.base_map(tiny_sites, presenter=True))
    assert re.search(r"height:\s*100(\.0)?%", html)
    assert '"zoomSnap": 0.25' in html
    assert '"collapsed": true, "presenter": true' in html
    # The legend starts folded, at the bottom right, clear of the title card.
    assert '"open": false, "position": "bottomright"' in html


def test_analyst_map_keeps_its_height_and_whole_zoom_steps(tiny_sites: gpd.GeoDataFrame) -> None:
    html = _html(compose.base_map(tiny_sites))
    assert f"height: {settings.MAP_HEIGHT_PX}" in html.replace(".0px", "px")
    assert '"zoomSnap": 1' in html


def test_legend_blocks_name_their_layer_and_entries_what_they_show() -> None:
    html = compose.legend_html(
        [("Deployments", deployments.legend()), ("Sites", sites.legend())],
        names=["deployments", "sites"],
    )
    assert '<div class="legend-block" data-layer="deployments">' in html
    assert 'data-shows=".dep-badge.status-announced"' in html
    assert 'data-shows=".site-air_base:not(.under-marker)"' in html


def test_country_is_named_inside_its_largest_part_from_a_zoom_set_by_its_size() -> None:
    island, mainland = box(-30.0, 60.0, -29.0, 61.0), box(10.0, 50.0, 20.0, 56.0)
    shapes = gpd.GeoDataFrame(
        {"name": ["Mainland <b>", "Islet"]},
        geometry=[mainland.union(island), box(5.0, 40.0, 5.2, 40.2)],
        crs="EPSG:4326",
    )
    (name, lat, lon, zoom, _code), (*_islet, islet_zoom, _) = countries.label_rows(shapes)
    assert name == "Mainland &lt;b&gt;"
    assert mainland.contains(Point(lon, lat))
    assert zoom == 3  # ~430,000 km²: named when zoomed out
    assert islet_zoom == 6  # ~370 km²: named only close up


def test_a_country_beyond_the_region_is_named_within_it() -> None:
    _west, _south, east, _north = settings.COUNTRY_LABEL_REGION
    wide = box(east - 20.0, 50.0, east + 100.0, 60.0)  # mostly east of the region
    shapes = gpd.GeoDataFrame({"name": ["Wide"]}, geometry=[wide], crs="EPSG:4326")
    lon = countries.label_rows(shapes)[0][2]
    assert east - 20.0 < lon < east


def test_country_names_hide_below_their_zoom_in_the_stylesheet() -> None:
    css = stylesheet.stylesheet()
    assert ".leaflet-container:not(.z-ge-4) .country-label-z4{display:none}" in css
    # Presenter rules are scoped selector by selector; a value's commas stay whole.
    assert ".presenter .map-caption .caption-sub,.presenter .map-caption .caption-date{" in css
    assert "clamp(18px,1.45vw,40px)" in css
