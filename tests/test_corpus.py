"""The corpus under tests/data/: each file's expected outcome (tests/data/README.md)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import shapely
from pyproj import Geod
from shapely.geometry import shape

from geo import geometry, userdata
from geo.userdata import LayerUploadError
from geo.workspace import Workspace

DATA = Path(__file__).parent / "data"
with (DATA / "geojson_expected.csv").open(encoding="utf-8", newline="") as stream:
    EXPECTED = list(csv.DictReader(stream))
NATURAL_EARTH = DATA / "geojson" / "ne_110m_admin_0_countries.geojson"


def _assert_downloads_valid(upload: userdata.LayerUpload) -> None:
    written = json.loads(userdata.layers_geojson(Workspace().sites, upload.features))
    assert written["type"] == "FeatureCollection" and "crs" not in written
    for feature in written["features"]:
        member = feature["geometry"]
        back = shape(member)
        assert back.is_valid, (feature["properties"], shapely.is_valid_reason(back))
        for part in member.get("geometries", [member]):
            assert part["type"] != "GeometryCollection"
        for polygon in shapely.get_parts(back):
            if polygon.geom_type == "Polygon":
                assert polygon.exterior.is_ccw
                assert all(not ring.is_ccw for ring in polygon.interiors)
        if back.geom_type in ("Polygon", "MultiPolygon"):
            assert not geometry.crosses_antimeridian(back)


def test_every_corpus_file_has_an_expected_outcome() -> None:
    listed = {row["file"] for row in EXPECTED}
    assert listed == {path.name for path in (DATA / "geojson").glob("*.geojson")}


@pytest.mark.parametrize("row", EXPECTED, ids=[row["file"] for row in EXPECTED])
def test_corpus_file_has_its_expected_outcome_and_accepted_ones_download_valid(
    row: dict[str, str],
) -> None:
    data = (DATA / "geojson" / row["file"]).read_bytes()
    if row["outcome"] == "refused":
        with pytest.raises(LayerUploadError) as raised:
            userdata.read_layer(row["file"], data)
        assert row["words"] in str(raised.value)
        assert "Traceback" not in str(raised.value) and "object has no" not in str(raised.value)
        return
    upload = userdata.read_layer(row["file"], data)
    repairs = [note for note in upload.notes if not note.startswith("notice:")]
    if row["outcome"] == "accepted":
        assert repairs == []
    else:
        assert any(row["words"] in note for note in repairs), repairs
    _assert_downloads_valid(upload)


def test_natural_earth_antarctica_is_kept_whole_without_a_note() -> None:
    upload = userdata.read_layer(NATURAL_EARTH.name, NATURAL_EARTH.read_bytes())
    assert not any("Antarctica" in note for note in upload.notes)
    source = json.loads(NATURAL_EARTH.read_text(encoding="utf-8"))
    original = next(f for f in source["features"] if f["properties"]["NAME"] == "Antarctica")
    kept = upload.features.loc[upload.features["name"] == "Antarctica"].geometry.iloc[0]
    geod = Geod(ellps="WGS84")
    before = abs(geod.geometry_area_perimeter(shape(original["geometry"]))[0])
    assert abs(geod.geometry_area_perimeter(kept)[0]) == pytest.approx(before, rel=0.005)
