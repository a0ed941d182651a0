"""Static export (export/): formats and sizes, what the image shows, projections, the
renderer's caches and the command line. Everything is drawn offline, without a browser."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib.text
import numpy as np
import pytest
import shapely
from matplotlib import colors as mcolors
from PIL import Image

from export import basemap, view
from export import render as export_render
from export.__main__ import main
from export.render import Renderer
from export.view import Projection, ViewError
from geo import settings
from geo.dataset import Dataset, load_dataset
from geo.filters import FilterState

ROOT = Path(__file__).resolve().parent.parent
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SVG_NS = "{http://www.w3.org/2000/svg}"
BANNER = "UNCLASSIFIED"


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    """The bundled briefing data, loaded once for the module."""
    return load_dataset()


@pytest.fixture(scope="module")
def renderer(dataset: Dataset) -> Renderer:
    """One renderer for the module: its outlines are read and projected once."""
    return Renderer(dataset=dataset)


@pytest.fixture(scope="module")
def default_state(dataset: Dataset) -> FilterState:
    """The app's default view: as of the latest stated day, everything."""
    return FilterState.build(date=dataset.default_day)


@pytest.fixture(scope="module")
def default_drawing(renderer: Renderer, default_state: FilterState) -> export_render.Drawing:
    """The default view as a slide, with a banner."""
    return renderer.draw(default_state, banner=BANNER)


@pytest.fixture(scope="module")
def default_png(default_drawing: export_render.Drawing) -> bytes:
    """The default view's PNG."""
    return default_drawing.save("png")


def _svg_texts(svg: bytes) -> list[str]:
    # Our own output, parsed to read its <text> elements back.
    root = ET.fromstring(svg)  # noqa: S314
    return ["".join(node.itertext()) for node in root.iter(f"{SVG_NS}text")]


def _rgb(color: str) -> tuple[int, int, int]:
    red, green, blue = (round(channel * 255) for channel in mcolors.to_rgb(color))
    return red, green, blue


def _close(pixel: tuple[int, ...], expected: tuple[int, int, int], *, tolerance: int = 3) -> bool:
    return all(abs(int(a) - b) <= tolerance for a, b in zip(pixel[:3], expected, strict=True))


# --- formats and sizes -----------------------------------------------------------------------


def test_slide_png_is_1920_by_1080(default_png: bytes) -> None:
    assert default_png.startswith(PNG_MAGIC)
    assert Image.open(io.BytesIO(default_png)).size == (1920, 1080)


def test_print_png_is_a4_landscape_at_300_dpi(
    renderer: Renderer, default_state: FilterState
) -> None:
    png = renderer.render(default_state, size="print")
    image = Image.open(io.BytesIO(png))
    assert image.size == (3508, 2480)
    assert round(image.info["dpi"][0]) == 300


def test_svg_keeps_title_legend_and_banner_as_text(
    renderer: Renderer, default_state: FilterState
) -> None:
    svg = renderer.render(default_state, fmt="svg", title="Briefing 19 January", banner=BANNER)
    texts = _svg_texts(svg)
    assert "Briefing 19 January" in texts
    assert {"Host territory", "Contributing nation", "Belgium"} <= set(texts)
    assert texts.count(BANNER) == 2  # top and bottom


def test_pdf_starts_with_the_pdf_header(renderer: Renderer, default_state: FilterState) -> None:
    pdf = renderer.render(default_state, fmt="pdf")
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")


def test_unknown_format_and_size_are_refused(default_state: FilterState, dataset: Dataset) -> None:
    with pytest.raises(ValueError, match="format"):
        export_render.render(default_state, dataset=dataset, fmt="jpeg")
    with pytest.raises(ValueError, match="size"):
        export_render.render(default_state, dataset=dataset, size="poster")


# --- what the image shows --------------------------------------------------------------------


def test_image_is_not_blank(default_png: bytes) -> None:
    pixels = np.asarray(Image.open(io.BytesIO(default_png)).convert("L"), dtype=float)
    assert pixels.std() > 20


def test_sea_and_host_territory_have_their_styles(
    default_drawing: export_render.Drawing, default_png: bytes
) -> None:
    image = Image.open(io.BytesIO(default_png)).convert("RGB")
    sea = image.getpixel(default_drawing.pixel(-30.0, 55.0))  # the open Atlantic
    host = image.getpixel(default_drawing.pixel(-45.0, 66.0))  # inland Greenland
    assert isinstance(sea, tuple) and isinstance(host, tuple)
    assert _close(sea, _rgb(settings.SEA_COLOR))
    assert _close(host, _rgb(str(settings.COUNTRY_STYLES["host"]["fillColor"])))


def test_banner_is_drawn_at_the_top_and_the_bottom(default_png: bytes) -> None:
    image = Image.open(io.BytesIO(default_png)).convert("RGB")
    band = _rgb(str(settings.EXPORT_BANNER_STYLE["fillColor"]))
    top, bottom = image.getpixel((4, 4)), image.getpixel((4, image.height - 5))
    assert isinstance(top, tuple) and isinstance(bottom, tuple)
    assert _close(top, band) and _close(bottom, band)


def test_legend_lists_only_what_is_drawn(renderer: Renderer, default_state: FilterState) -> None:
    plain = set(_svg_texts(renderer.render(default_state, fmt="svg")))
    assert not any(text.startswith("Contribution (") for text in plain)
    assert "Selected site" not in plain
    flows = FilterState.build(date=default_state.date, flows=True, site="siauliai")
    drawn = set(_svg_texts(renderer.render(flows, fmt="svg")))
    assert "Contribution (active)" in drawn
    assert "Selected site" in drawn


def test_attribution_cites_natural_earth_and_the_sources_shown(
    renderer: Renderer, dataset: Dataset
) -> None:
    state = FilterState.build(date=dataset.default_day, missions=["Baltic Air Policing"])
    text = " ".join(_svg_texts(renderer.render(state, fmt="svg")))
    assert "Natural Earth" in text
    assert "Missions on the eastern flank of Europe" in text
    assert "Greenland reconnaissance mission" not in text  # not cited by the rows shown


def test_map_labels_do_not_overlap(default_drawing: export_render.Drawing) -> None:
    figure, ax = default_drawing.figure, default_drawing.ax
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    boxes = [
        text.get_window_extent(renderer)
        for text in ax.texts
        if text.get_zorder() >= 7 and text.get_text().strip() and text.get_gid() != "north"
    ]
    assert len(boxes) >= 5
    for index, first in enumerate(boxes):
        for second in boxes[index + 1 :]:
            assert not first.overlaps(second), (first, second)


def _hostile_data(tmp_path: Path) -> Dataset:
    for name in ("sources.csv", "deployments.csv", "events.csv"):
        (tmp_path / name).write_bytes((settings.BUNDLED_DATA_DIR / name).read_bytes())
    sites = json.loads((settings.BUNDLED_DATA_DIR / "sites.geojson").read_text(encoding="utf-8"))
    names = {"siauliai": r"$\alpha$ & \beta", "amari": "<img src=x>"}
    for feature in sites["features"]:
        if feature["properties"]["id"] in names:
            feature["properties"]["name"] = names[feature["properties"]["id"]]
    (tmp_path / "sites.geojson").write_text(json.dumps(sites), encoding="utf-8")
    return load_dataset(
        sources_path=tmp_path / "sources.csv",
        sites_path=tmp_path / "sites.geojson",
        deployments_path=tmp_path / "deployments.csv",
        events_path=tmp_path / "events.csv",
    )


def test_hostile_names_are_drawn_literally(renderer: Renderer, tmp_path: Path) -> None:
    data = _hostile_data(tmp_path)
    state = FilterState.build(date=data.default_day)
    title, banner = "Cost: $5 and $6 {x}", "$SECRET$ <b>"
    svg = renderer.render(state, dataset=data, fmt="svg", title=title, banner=banner)
    texts = _svg_texts(svg)
    assert r"$\alpha$ & \beta" in texts
    assert "<img src=x>" in texts
    assert title in texts and texts.count(banner) == 2
    assert b"<img" not in svg  # escaped as XML text, never markup
    png = renderer.render(state, dataset=data, fmt="png", title=title, banner=banner)
    assert png.startswith(PNG_MAGIC)


# --- projections -----------------------------------------------------------------------------


def test_greenland_and_europe_get_different_projections(
    renderer: Renderer, dataset: Dataset
) -> None:
    greenland = FilterState.build(
        date=dataset.default_day,
        missions=["Greenland reconnaissance", "Greenland permanent presence"],
    )
    baltic = FilterState.build(date=dataset.default_day, missions=["Baltic Air Policing"])
    drawn_greenland = renderer.draw(greenland)
    drawn_baltic = renderer.draw(baltic)
    assert drawn_baltic.projection.text == settings.EXPORT_EUROPE_CRS
    assert drawn_greenland.projection.text != drawn_baltic.projection.text
    centre = drawn_greenland.projection.centre
    assert centre is not None and 65 <= centre[0] <= 78 and -55 <= centre[1] <= -30
    assert drawn_greenland.bounds[0] < -60 < -20 < drawn_greenland.bounds[2]  # all Greenland


def test_projection_can_be_overridden_but_never_web_mercator(
    renderer: Renderer, default_state: FilterState
) -> None:
    drawing = renderer.draw(default_state, crs="EPSG:3413", bounds=(-75.0, 58.0, -10.0, 84.0))
    assert drawing.projection.crs.to_epsg() == 3413
    assert drawing.bounds == (-75.0, 58.0, -10.0, 84.0)
    with pytest.raises(ViewError, match="Web Mercator"):
        renderer.draw(default_state, crs="EPSG:3857")
    with pytest.raises(ViewError, match="projected"):
        renderer.draw(default_state, crs="EPSG:4326")


def test_view_choice_follows_the_region() -> None:
    assert view.choose_crs((19.0, 53.0, 25.0, 60.0)) == settings.EXPORT_EUROPE_CRS
    arctic = Projection.from_text(view.choose_crs((-73.0, 59.0, -11.0, 84.0)))
    assert arctic.crs.coordinate_operation is not None
    assert arctic.crs.coordinate_operation.method_name == "Lambert Azimuthal Equal Area"
    assert view.choose_crs(view.default_bounds()) != settings.EXPORT_EUROPE_CRS
    with pytest.raises(ViewError):
        view.check_bounds((10.0, 50.0, 5.0, 60.0))


def test_north_arrow_leans_with_the_meridians() -> None:
    europe = Projection.from_text("EPSG:3035")  # centred on 10°E

    def angle(lon: float, lat: float) -> float:
        x, y = europe.project(np.array([lon]), np.array([lat]))
        return view.north_angle(europe, float(x[0]), float(y[0]))

    assert abs(angle(10.0, 55.0)) < 0.01
    assert angle(25.0, 57.0) < -5  # east of the centre, north leans left
    assert angle(-10.0, 57.0) > 5


def test_scale_bar_measures_ground_metres() -> None:
    local = Projection.from_text(view.choose_crs((-73.0, 59.0, -11.0, 84.0)))
    assert view.ground_scale(local, 0.0, 0.0) == pytest.approx(1.0, abs=0.005)
    europe = Projection.from_text("EPSG:3035")
    x, y = europe.project(np.array([35.0]), np.array([70.0]))
    assert abs(view.ground_scale(europe, float(x[0]), float(y[0])) - 1.0) > 0.01


# --- the renderer's caches -------------------------------------------------------------------


def test_boundaries_are_read_and_projected_once_for_many_images(
    dataset: Dataset, default_state: FilterState, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[str] = []
    projections: list[str] = []
    read, project = basemap.read_boundaries, basemap.project_outlines

    def counting_read(path: str | Path) -> object:
        reads.append(Path(path).name)
        return read(path)

    def counting_project(frame: object, projection: Projection) -> object:
        projections.append(projection.text)
        return project(frame, projection)  # type: ignore[arg-type]

    monkeypatch.setattr(basemap, "read_boundaries", counting_read)
    monkeypatch.setattr(basemap, "project_outlines", counting_project)
    fresh = Renderer(dataset=dataset)
    for fmt in ("png", "svg", "png"):
        fresh.render(default_state, fmt=fmt)
    fresh.render(default_state, banner=BANNER, title="Again")
    assert len(reads) == len(set(reads)) == 1
    assert len(projections) == 1
    fresh.render(default_state, crs="EPSG:3035")
    assert len(reads) == 1 and len(projections) == 2


def test_render_uses_one_module_renderer(dataset: Dataset, default_state: FilterState) -> None:
    first = export_render.default_renderer()
    export_render.render(default_state, dataset=dataset, fmt="svg")
    assert export_render.default_renderer() is first


# --- command line ----------------------------------------------------------------------------


def test_cli_writes_the_filtered_view(tmp_path: Path) -> None:
    out = tmp_path / "filtered.svg"
    argv = ["--date", "2026-01-17", "--nations", "DEU,FRA,NOR", "--flows", "--out", str(out)]
    assert main([*argv, "--banner", BANNER, "--title", "Greenland"]) == 0
    texts = _svg_texts(out.read_bytes())  # the format follows the file name
    assert "Greenland" in texts and texts.count(BANNER) == 2
    assert any("17 Jan 2026" in text for text in texts)
    assert "Contribution (announced)" in texts


def test_cli_refuses_values_it_cannot_use(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--nations", "XXX", "--date", "2026-02-30", "--out", "/dev/null"])
    assert stop.value.code == 2
    error = capsys.readouterr().err
    assert "--nations=XXX" in error and "not a real date" in error
    with pytest.raises(SystemExit):
        main(["--bounds", "1,2,3"])


def test_cli_errors_come_first_one_line_each_with_the_expected_form(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--date", "2026-13-45", "--nations", "XXX", "--out", "/dev/null"])
    assert stop.value.code == 2
    lines = capsys.readouterr().err.splitlines()
    assert not lines[0].startswith("usage"), "the error comes before anything else"
    assert not any(line.startswith("usage") for line in lines)
    date_line = next(line for line in lines if "--date=2026-13-45" in line)
    assert "YYYY-MM-DD" in date_line
    nation_line = next(line for line in lines if "--nations=XXX" in line)
    assert "BEL" in nation_line and "DEU" in nation_line, "the valid nations are listed"
    with pytest.raises(SystemExit):
        main(["--scene", "nope", "--out", "/dev/null"])
    scene_line = capsys.readouterr().err.splitlines()[0]
    assert "'nope'" in scene_line and "baltic-air-policing" in scene_line


def test_cli_without_scenes_says_so(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from export import __main__ as cli

    real = cli.importlib.util.find_spec

    def no_scenes(name: str, *args: object) -> object:
        return None if name == "geo.scenes" else real(name, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(cli.importlib.util, "find_spec", no_scenes)
    with pytest.raises(SystemExit):
        main(["--all-scenes", str(tmp_path)])
    assert "scenes are not available yet" in capsys.readouterr().err


def test_python_m_export_writes_a_png(tmp_path: Path) -> None:
    out = tmp_path / "map.png"
    done = subprocess.run(
        [sys.executable, "-m", "export", "--missions", "baltic-air-policing", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(PNG_MAGIC)


def test_the_users_uploaded_layers_are_drawn_and_in_the_legend(
    renderer: Renderer, dataset: Dataset, default_state: FilterState
) -> None:
    import dataclasses

    import geopandas as gpd
    import shapely

    overlays = gpd.GeoDataFrame(
        {"layer": ["zones", "zones"], "name": ["Zone", "Point"], "properties": ["{}", "{}"]},
        geometry=[shapely.box(20.0, 54.0, 24.0, 57.0), shapely.Point(25.0, 58.0)],
        crs="EPSG:4326",
    )
    mine = dataclasses.replace(dataset, overlays=overlays)
    drawing = renderer.draw(default_state, dataset=mine)
    texts = [text.get_text() for text in drawing.figure.findobj(matplotlib.text.Text)]
    assert "Your uploaded layers" in texts
    plain = renderer.draw(default_state)
    assert "Your uploaded layers" not in [
        text.get_text() for text in plain.figure.findobj(matplotlib.text.Text)
    ]
    hidden = renderer.draw(default_state, dataset=mine, layers=("countries", "deployments"))
    assert "Your uploaded layers" not in [
        text.get_text() for text in hidden.figure.findobj(matplotlib.text.Text)
    ]


# --- a scene shows its story (issue 14) -------------------------------------------------------


@pytest.fixture(scope="module")
def scene_drawings(renderer: Renderer, dataset: Dataset) -> dict[str, export_render.Drawing]:
    """Every shipped scene drawn as a slide, by id."""
    from geo.scenes import load_scenes

    scenes = load_scenes(known_sites=frozenset(dataset.sites["id"]))
    return {
        scene.id: renderer.draw(
            scene.state(),
            title=scene.title,
            subtitle=scene.subtitle or None,
            bounds=scene.bounds,
            layers=scene.shown_layers,
            other_sites=scene.other_sites,
        )
        for scene in scenes
    }


def _apart(a: tuple[float, ...], b: tuple[float, ...], by: float) -> bool:
    """Whether two boxes (x0, y0, x1, y1) are at least ``by`` apart (0: they may touch)."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return width <= -by or height <= -by


def test_no_two_labels_overlap_on_any_scene_slide(
    scene_drawings: dict[str, export_render.Drawing],
) -> None:
    for scene_id, drawing in scene_drawings.items():
        boxes = drawing.labels
        assert boxes, scene_id
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                assert _apart(a, b, 0), (scene_id, a, b)


def test_no_label_comes_near_a_marker_or_a_badge_on_any_scene_slide(
    scene_drawings: dict[str, export_render.Drawing],
) -> None:
    # Clear by more than a label's white halo: a name never touches a badge (issue 14: the
    # "Baltic Sea" against Belgium's badge on the eastern flank).
    assert sum(len(drawing.symbols) for drawing in scene_drawings.values()) >= 20
    for scene_id, drawing in scene_drawings.items():
        clearance = drawing.units.px(settings.EXPORT_LABEL_CLEARANCE_PX) - 0.5
        for kind, text, box in drawing.named:
            for symbol in drawing.symbols:
                assert _apart(box, symbol, clearance), (scene_id, kind, text, box, symbol)


def test_site_names_keep_off_contribution_and_leader_lines_on_every_scene_slide(
    scene_drawings: dict[str, export_render.Drawing],
) -> None:
    crossed = []
    checked = 0
    for scene_id, drawing in scene_drawings.items():
        if not drawing.lines:
            continue
        lines = shapely.MultiLineString([points for _name, points in drawing.lines])
        for kind, text, box in drawing.named:
            if kind == "site":
                checked += 1
                if shapely.box(*box).intersects(lines):
                    crossed.append((scene_id, text))
    assert checked >= 10
    assert crossed == []


def test_every_line_from_a_nation_out_of_view_ends_at_its_badge_on_the_frame_edge(
    scene_drawings: dict[str, export_render.Drawing], dataset: Dataset
) -> None:
    ends = 0
    for scene_id, drawing in scene_drawings.items():
        xmin, xmax, ymin, ymax = drawing.extent
        frame = drawing.ax.get_window_extent()
        for code, points in drawing.lines:
            if code == "leader":
                continue
            anchor = dataset.anchors[code]
            (ax,), (ay,) = drawing.projection.project(np.array([anchor[1]]), np.array([anchor[0]]))
            if xmin <= ax <= xmax and ymin <= ay <= ymax:
                continue  # the nation is in view: its line starts there
            ends += 1
            x, y = points[0]
            # The line starts on the frame's edge ...
            edge = min(x - frame.x0, frame.x1 - x, y - frame.y0, frame.y1 - y)
            assert abs(edge) <= 1.5, (scene_id, code, (x, y))
            # ... at that nation's badge.
            badges = [box for nation, box in drawing.edge_badges if nation == code]
            assert any(b[0] - 8 <= x <= b[2] + 8 and b[1] - 8 <= y <= b[3] + 8 for b in badges), (
                scene_id,
                code,
                (x, y),
                badges,
            )
    assert ends >= 2  # Belgium out of view (Iceland, Baltic Air Policing), Germany (Greenland)
    recon = scene_drawings["greenland-reconnaissance"]
    assert [code for code, _box in recon.edge_badges].count("DEU") >= 1
    # Every contribution there is announced: no badge, at the edge or on a marker, looks active.
    assert "Nation badge: active" not in _legend_texts(recon)


def test_an_event_at_sea_is_drawn_at_its_recorded_position(
    scene_drawings: dict[str, export_render.Drawing], dataset: Dataset
) -> None:
    drawing = scene_drawings["at-sea"]
    sites = dataset.sites.set_index("id")
    spot = sites.geometry["nord-stream-2-leak"]
    assert sites.at["nord-stream-2-leak", "coord_source"].startswith("Danish Energy Agency")
    (found,) = [(x, y) for label, x, y in drawing.events if "Nord Stream" in label]
    column, row = drawing.pixel(spot.x, spot.y)
    assert abs(found[0] - column) <= 1
    assert abs(drawing.units.height_px - found[1] - row) <= 1


def test_a_scene_title_giving_the_dates_is_not_followed_by_them_again(
    scene_drawings: dict[str, export_render.Drawing],
) -> None:
    texts = [
        text.get_text()
        for text in scene_drawings["greenland-reconnaissance"].figure.texts
        if text.get_gid() == "subtitle"
    ]
    assert texts[0] == "15 to 19 January 2026"
    assert not any("15 Jan 2026" in text for text in texts)


def test_untitled_sources_are_cited_by_publisher_and_date(
    scene_drawings: dict[str, export_render.Drawing],
) -> None:
    footer = " ".join(
        text.get_text()
        for text in scene_drawings["greenland-reconnaissance"].figure.texts
        if text.get_gid() == "attribution"
    )
    assert "[untitled]" not in footer
    assert "VRT report (15 Jan 2026)" in footer


def _legend_texts(drawing: export_render.Drawing) -> list[str]:
    return [
        text.get_text()
        for text in drawing.figure.findobj(matplotlib.text.Text)
        if text.get_gid() == "legend"
    ]


def test_the_legend_lists_no_site_symbol_that_lies_hidden_under_a_marker(
    scene_drawings: dict[str, export_render.Drawing],
) -> None:
    air_base = settings.SITE_KIND_LABELS["air_base"]
    # Keflavík's marker sits on the air base: its symbol is not seen, nor listed.
    assert air_base not in _legend_texts(scene_drawings["iceland-air-policing"])
    # A marker moved aside leaves its site's symbol in view (the battlegroup in Lithuania,
    # where the sources state no place): that one is listed.
    eastern = _legend_texts(scene_drawings["eastern-flank"])
    assert settings.SITE_KIND_LABELS["region"] in eastern
    assert air_base not in eastern
