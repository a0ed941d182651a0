"""The briefing deck (export/deck.py, ``python -m export --deck``): opened with python-pptx, and
converted by LibreOffice Impress as a viewer would open it. Everything is drawn offline."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import os
import shutil
import signal
import subprocess
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest
from PIL import Image
from pptx import Presentation
from pptx.presentation import Presentation as PresentationType
from pptx.shapes.picture import Picture
from pptx.slide import Slide
from pptx.util import Emu, Inches

from export import deck
from export.__main__ import main
from export.render import Renderer
from geo import settings, summary
from geo.dataset import Dataset, load_dataset
from geo.filters import FilterState
from geo.scenes import Scene, load_scenes, scene_from_state

BANNER = "NATO UNCLASSIFIED // RELEASABLE TO PUBLIC"
MADE = dt.date(2026, 1, 20)
SOFFICE = shutil.which("soffice")
PDFTOPPM = shutil.which("pdftoppm")


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    """The bundled briefing data, loaded once for the module."""
    return load_dataset()


@pytest.fixture(scope="module")
def briefing(dataset: Dataset) -> tuple[Scene, ...]:
    """The bundled briefing's scenes, in order."""
    return tuple(load_scenes(known_sites=frozenset(dataset.sites["id"])))


@pytest.fixture(scope="module")
def deck_file(dataset: Dataset, briefing: tuple[Scene, ...]) -> bytes:
    """The whole briefing as a deck with a banner, pictures drawn in two processes."""
    return deck.deck_bytes(dataset, briefing, banner=BANNER, made=MADE, workers=2)


@pytest.fixture(scope="module")
def presentation(deck_file: bytes) -> PresentationType:
    """The deck as python-pptx reads it back."""
    return Presentation(io.BytesIO(deck_file))


def _texts(slide: Slide) -> list[str]:
    return [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]


def _picture(slide: Slide) -> Picture:
    pictures = [shape for shape in slide.shapes if isinstance(shape, Picture)]
    assert len(pictures) == 1
    return pictures[0]


def _pixels(png: bytes) -> bytes:
    return Image.open(io.BytesIO(png)).convert("RGBA").tobytes()


def _notes(slide: Slide) -> str:
    frame = slide.notes_slide.notes_text_frame
    assert frame is not None
    return frame.text


def _scene(**changes: object) -> Scene:
    base = scene_from_state(
        FilterState.build(date=dt.date(2026, 1, 19), missions=["Baltic Air Policing"]),
        id="added",
        title="A scene the user added",
        subtitle="",
        bounds=(15.5, 52.5, 29.5, 60.5),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


# --- the deck, as python-pptx reads it ---------------------------------------------------------


def test_deck_is_16_9_with_a_title_slide_a_slide_per_scene_and_a_sources_slide(
    presentation: PresentationType, briefing: tuple[Scene, ...]
) -> None:
    assert presentation.slide_width is not None and presentation.slide_height is not None
    assert presentation.slide_width / presentation.slide_height == pytest.approx(16 / 9, 1e-3)
    slides = list(presentation.slides)
    assert len(slides) == 1 + len(briefing) + 1
    titles = [slide.shapes.title.text_frame.text for slide in slides]  # type: ignore[union-attr]
    assert titles[0] == settings.EXPORT_TITLE
    assert titles[1:-1] == [scene.title for scene in briefing]
    assert titles[-1] == "Sources"
    title_slide = " ".join(_texts(slides[0]))
    assert "20 Jan 2026" in title_slide and f"{len(briefing)} scenes" in title_slide


def test_each_scene_slide_has_its_subtitle_and_dates_as_editable_text(
    presentation: PresentationType, briefing: tuple[Scene, ...]
) -> None:
    slides = list(presentation.slides)[1:-1]
    for slide, scene in zip(slides, briefing, strict=True):
        text = " ".join(_texts(slide))
        assert scene.subtitle in text
        if scene.date is not None:
            as_of = f"As of {scene.date.day} {scene.date:%b %Y}"
            named = summary.names_days(scene.subtitle, [scene.date])
            assert (as_of not in text) if named else (as_of in text)
        elif scene.date_range is not None:
            first, last = scene.date_range
            dates = f"{first.day} {first:%b %Y} – {last.day} {last:%b %Y}"
            if summary.names_days(scene.subtitle, [first, last]):
                # The subtitle gives the dates already: they are not repeated after it.
                assert dates not in text
            else:
                assert dates in text
        else:
            assert "All dates" in text


def test_each_scene_map_is_a_picture_at_least_1920_px_wide_and_not_stretched(
    presentation: PresentationType,
) -> None:
    for slide in list(presentation.slides)[1:-1]:
        picture = _picture(slide)
        width_px, height_px = Image.open(io.BytesIO(picture.image.blob)).size
        assert width_px >= 1920
        assert 0 < picture.crop_top < 0.3  # the picture's own title lines are cropped away
        shown = width_px / (height_px * (1 - picture.crop_top))
        assert picture.width / picture.height == pytest.approx(shown, rel=0.01)
        assert picture.left >= 0 and picture.left + picture.width <= presentation.slide_width


def test_the_slide_texts_and_the_map_do_not_overlap(presentation: PresentationType) -> None:
    for slide in list(presentation.slides)[1:-1]:
        picture = _picture(slide)
        boxes = [shape for shape in slide.shapes if shape.has_text_frame]
        top_texts = [shape for shape in boxes if not shape.name.startswith("Banner")]
        assert all(shape.top + shape.height <= picture.top for shape in top_texts)
        bottom_band = next(shape for shape in boxes if shape.name == "Banner bottom")
        assert picture.top + picture.height <= bottom_band.top


def test_notes_hold_the_talking_points_and_the_documents_they_cite(
    presentation: PresentationType, briefing: tuple[Scene, ...], dataset: Dataset
) -> None:
    slides = list(presentation.slides)[1:-1]
    for slide, scene in zip(slides, briefing, strict=True):
        notes = _notes(slide)
        assert scene.talking_points[0] in notes
        assert all(point in notes for point in scene.talking_points)
    eastern = _notes(slides[0])
    # Cited as the slide's footer cites them (one form: geo.summary.citation).
    assert dataset.source_titles["002_966a53d1d1db0cce.txt"] in eastern
    assert "Missions on the eastern flank of Europe (Belgian Defence)" in eastern
    greenland = _notes(slides[-1])
    assert "News.Az report (16 Jan 2026): Belgium to send one officer" in greenland
    assert "Missions on the eastern flank" not in greenland


def test_banner_is_at_the_top_and_bottom_of_every_slide(presentation: PresentationType) -> None:
    height = presentation.slide_height
    assert height is not None
    for slide in presentation.slides:
        bands = {shape.name: shape for shape in slide.shapes if shape.name.startswith("Banner")}
        assert set(bands) == {"Banner top", "Banner bottom"}
        assert all(band.text_frame.text == BANNER for band in bands.values())
        assert bands["Banner top"].top == 0
        assert bands["Banner bottom"].top + bands["Banner bottom"].height == pytest.approx(
            height, abs=Emu(Inches(0.01))
        )


def test_sources_slide_lists_every_document_cited_with_publisher_and_date(
    presentation: PresentationType,
) -> None:
    text = " ".join(_texts(list(presentation.slides)[-1]))
    assert "Missions on the eastern flank of Europe" in text and "Belgian Defence" in text
    assert "undated · Scenes 1, 2, 3, 4, 5" in text
    assert "Belgium sends no soldiers to Greenland for now" in text and "15 Jan 2026" in text
    assert "Denmark, U.S. Deadlock on Greenland" in text
    # A document without a title of its own is cited as its publisher's report.
    assert "[untitled]" not in text
    assert "VRT report (15 Jan 2026)" in text


def test_sources_slide_and_slide_footer_cite_every_document_in_the_same_words(
    presentation: PresentationType, dataset: Dataset
) -> None:
    slide = list(presentation.slides)[-1]
    listed = [
        paragraph.text
        for shape in slide.shapes
        if shape.has_text_frame
        for paragraph in shape.text_frame.paragraphs
    ]
    for source_id in ("001_dac01f47c5353441.txt", "003_d82457b0f6138968.txt"):
        # The footer of a slide cites dataset.source_titles; the sources slide the same words.
        assert dataset.source_titles[source_id] in listed, source_id


# --- parts -----------------------------------------------------------------------------------


def test_cited_sources_finds_titles_in_brackets_even_without_the_untitled_prefix(
    dataset: Dataset,
) -> None:
    point = (
        "Belgium sends one officer [Belgium to send one officer to the Greenland "
        "reconnaissance mission (reporting News.Az, citing foreign media), 16 January 2026; "
        "Belgium joins NATO reconnaissance mission in Arctic Greenland, January 2026]."
    )
    ids = deck.cited_sources(point, dataset)
    titles = dict(zip(dataset.sources["id"], dataset.sources["title"], strict=True))
    assert [titles[i] for i in ids] == [
        "[untitled] Belgium to send one officer to the Greenland reconnaissance mission "
        "(reporting News.Az, citing foreign media)",
        "Belgium joins NATO reconnaissance mission in Arctic Greenland",
    ]
    assert deck.cited_sources("Belgium joins NATO reconnaissance mission", dataset) == []


def test_clean_text_drops_what_xml_cannot_carry() -> None:
    assert deck.clean_text("A\x00B\x1bC\x0cD\ud800E\tF") == "ABCDE\tF"
    assert deck.clean_text("one\r\ntwo\rthree", one_line=True) == "one two three"


def test_banner_longer_than_one_line_is_refused() -> None:
    assert deck.check_banner("  UNCLASSIFIED \n") == "UNCLASSIFIED"
    assert deck.check_banner("   ") is None
    assert deck.check_banner("W" * 55) is not None
    with pytest.raises(deck.DeckError, match="do not fit on one line"):
        deck.check_banner("W" * 120)


def test_unknown_scene_ids_are_named_with_the_known_ones(briefing: tuple[Scene, ...]) -> None:
    assert deck.pick_scenes(briefing, ["at-sea", "battlegroups"]) == (briefing[4], briefing[2])
    assert deck.pick_scenes(briefing, None) == briefing
    with pytest.raises(deck.DeckError, match=r"'nope', 'gone' \(the scenes are: eastern-flank"):
        deck.pick_scenes(briefing, ["nope", "at-sea", "gone"])


def test_a_pool_draws_the_pictures_one_process_draws_in_order_and_again(
    dataset: Dataset, briefing: tuple[Scene, ...]
) -> None:
    scenes = [briefing[1], briefing[5], _scene()]
    alone = deck.scene_pictures(dataset, scenes, size="slide", workers=1)
    with deck.PicturePool(workers=2) as pool:
        assert pool.wait_ready()
        first = pool.pictures(dataset, scenes, size="slide")
        other = dataclasses.replace(dataset, sources=dataset.sources.iloc[:0])
        again = pool.pictures(other, scenes[2:], size="slide")
    for one, two in zip(alone, first, strict=True):
        assert (one.width_px, one.height_px, one.crop_top) == (
            two.width_px,
            two.height_px,
            two.crop_top,
        )
        assert _pixels(one.png) == _pixels(two.png)
    # Another dataset is drawn from, not the one a worker held: no sources in the footer.
    assert _pixels(again[0].png) != _pixels(first[2].png)


def test_a_pool_whose_worker_died_draws_the_next_deck(
    dataset: Dataset, briefing: tuple[Scene, ...]
) -> None:
    with deck.PicturePool(workers=1, start_after=3600) as pool:
        # Not started yet: the first deck starts it.
        assert len(pool.pictures(dataset, briefing[3:4], size="slide")) == 1
        pid = pool._running().submit(os.getpid).result()
        os.kill(pid, signal.SIGKILL)
        with pytest.raises(BrokenProcessPool):
            pool.pictures(dataset, briefing[3:4], size="slide")
        assert len(pool.pictures(dataset, briefing[3:4], size="slide")) == 1


def test_scene_pictures_are_opaque_rgb_pngs(dataset: Dataset) -> None:
    picture = deck.scene_picture(Renderer(dataset=dataset), _scene(), size="slide")
    image = Image.open(io.BytesIO(picture.png))
    assert (image.format, image.mode, image.size) == ("PNG", "RGB", (1920, 1080))


def test_picture_crop_keeps_the_whole_map(dataset: Dataset, briefing: tuple[Scene, ...]) -> None:
    renderer = Renderer(dataset=dataset)
    picture = deck.scene_picture(renderer, briefing[1], size="slide")
    drawing = renderer.draw(
        briefing[1].state(),
        title=briefing[1].title,
        subtitle=briefing[1].subtitle,
        bounds=briefing[1].bounds,
        layers=briefing[1].shown_layers,
    )
    map_top = 1 - drawing.ax.get_position().y1
    assert 0 < picture.crop_top < map_top


def test_a_scene_the_user_added_with_odd_characters_gets_its_slide(dataset: Dataset) -> None:
    added = _scene(
        title="Added \x00scene\x1b <&> ü",
        subtitle="line\x0cbreak",
        talking_points=("Say \x07this & that <b>",),
    )
    bare = _scene(id="bare", title="No talking points")
    data = deck.deck_bytes(dataset, [added, bare], size="slide", workers=1, made=MADE)
    slides = list(Presentation(io.BytesIO(data)).slides)
    assert len(slides) == 4
    assert slides[1].shapes.title.text_frame.text == "Added scene <&> ü"  # type: ignore[union-attr]
    assert "Say this & that <b>" in _notes(slides[1])
    assert "No talking points for this scene." in _notes(slides[2])
    assert Image.open(io.BytesIO(_picture(slides[2]).image.blob)).size[0] == 1920
    assert not any(shape.name.startswith("Banner") for shape in slides[1].shapes)


def test_a_deck_needs_a_scene(dataset: Dataset) -> None:
    with pytest.raises(deck.DeckError, match="no scenes"):
        deck.deck_bytes(dataset, [])


def test_an_output_path_that_is_a_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "deck.pptx").mkdir()
    with pytest.raises(deck.DeckError, match="is a folder"):
        deck.check_output(tmp_path / "deck.pptx")
    assert deck.check_output(tmp_path / "new" / "deck.pptx").parent.is_dir()


# --- writing, and the command line -------------------------------------------------------------


def test_failed_write_keeps_the_old_deck_and_leaves_no_partial_file(
    tmp_path: Path, dataset: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "briefing.pptx"
    out.write_bytes(b"the old deck")

    def broken_drawing(*args: object, **kwargs: object) -> list[deck.ScenePicture]:
        raise RuntimeError("drawing failed")

    monkeypatch.setattr(deck, "scene_pictures", broken_drawing)
    with pytest.raises(RuntimeError):
        deck.write_deck(out, dataset, [_scene()])
    monkeypatch.setattr(deck, "deck_bytes", lambda *args, **kwargs: b"new deck")

    def full_disk(descriptor: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("geo.files.os.fsync", full_disk)
    with pytest.raises(deck.DeckError, match="No space left on device"):
        deck.write_deck(out, dataset, [_scene()])
    assert out.read_bytes() == b"the old deck"
    assert [path.name for path in tmp_path.iterdir()] == ["briefing.pptx"]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--deck", "{tmp}/deck.pptx", "--scene", "nope"], "--scene: no scene with the id 'nope'"),
        (["--deck", "/proc/deck.pptx"], "--deck: cannot write in '/proc'"),
        (["--deck", "{tmp}/deck.ppt"], "must be a file name ending in .pptx"),
        (["--deck", "{tmp}/deck.pptx", "--banner", "W" * 120], "--banner: 120 characters"),
        (["--deck", "{tmp}/deck.pptx", "--date", "2026-01-19"], "no filter options"),
        (["--deck", "{tmp}/deck.pptx", "--size", "print"], "not --size"),
    ],
)
def test_cli_refuses_a_bad_deck_in_one_line_with_status_2(
    argv: list[str], expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stop:
        main([arg.replace("{tmp}", str(tmp_path)) for arg in argv])
    assert stop.value.code == 2
    first, *rest = capsys.readouterr().err.splitlines()
    assert first.startswith("python -m export: error: ") and expected in first
    assert rest == ["(all options: python -m export --help)"]
    assert not list(tmp_path.iterdir())


def test_cli_writes_the_scenes_asked_for_in_that_order(tmp_path: Path) -> None:
    out = tmp_path / "deck" / "two.pptx"
    assert main(["--deck", str(out), "--scene", "at-sea", "baltic-air-policing"]) == 0
    slides = list(Presentation(str(out)).slides)
    titles = [slide.shapes.title.text_frame.text for slide in slides]  # type: ignore[union-attr]
    assert titles[1:3] == ["At sea: the maritime groups and Baltic Sentry", "Baltic Air Policing"]
    assert len(slides) == 4
    assert [path.name for path in out.parent.iterdir()] == ["two.pptx"]


# --- LibreOffice Impress ---------------------------------------------------------------------


@pytest.mark.skipif(
    SOFFICE is None or PDFTOPPM is None,
    reason="LibreOffice Impress / poppler-utils are not installed (scripts/test.sh installs them)",
)
def test_libreoffice_opens_the_deck_and_renders_every_slide(
    deck_file: bytes, presentation: PresentationType, tmp_path: Path
) -> None:
    source = tmp_path / "briefing.pptx"
    source.write_bytes(deck_file)
    profile = tmp_path / "profile"
    subprocess.run(
        [
            str(SOFFICE),
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    pdf = tmp_path / "briefing.pdf"
    subprocess.run(
        [str(PDFTOPPM), "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True
    )
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == len(presentation.slides)
    band = tuple(int(settings.EXPORT_BANNER_STYLE["fillColor"][i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[index]
    for page in pages:
        image = Image.open(page).convert("RGB")
        width, height = image.size
        assert width / height == pytest.approx(16 / 9, rel=0.01)
        for y in (2, height - 3):  # the banner bands, at the very top and bottom
            pixel = image.getpixel((width // 8, y))
            assert isinstance(pixel, tuple)
            assert all(abs(a - b) <= 12 for a, b in zip(pixel, band, strict=False))
