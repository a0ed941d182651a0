"""The briefing as one 16:9 PowerPoint deck: a title slide, a slide per scene, the sources.

Each scene's slide carries its title, subtitle and dates as editable text, and the map drawn by
the static renderer (:mod:`export.render`) as a picture, cropped of the picture's own title
lines (the crop is PowerPoint's, so the whole picture is still in the file) and placed without
stretching. The talking points, and the documents they cite (title, publisher, date, from
``data/sources.csv``), are in the speaker notes; a sources slide at the end lists every document
the deck cites, in its talking points or on its maps. A banner (a classification or handling
marking) is written at the top and bottom of every slide.

The pictures are drawn in parallel processes, kept ready by a :class:`PicturePool` (the
command line starts one as it begins) or started for one deck
(:func:`scene_pictures`); the deck itself is
built with python-pptx (MIT licence). :func:`deck_bytes` is the whole deck as bytes, for the
page's download button; :func:`write_deck` writes it atomically, for ``python -m export --deck``.

Example
-------
>>> from geo.dataset import load_dataset
>>> from geo.scenes import load_scenes
>>> data = load_dataset()
>>> pptx = deck_bytes(data, load_scenes(), banner="UNCLASSIFIED")  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import io
import multiprocessing
import os
import pickle
import re
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath
from PIL import Image
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.presentation import Presentation as PresentationType
from pptx.shapes.autoshape import Shape
from pptx.slide import Slide
from pptx.text.text import TextFrame
from pptx.util import Emu, Inches, Pt

from export.labels import wrap_words
from export.render import Drawing, Renderer
from geo import settings, summary, worker
from geo.dataset import Dataset, select
from geo.files import replace_atomically
from geo.scenes import Scene

__all__ = [
    "DeckError",
    "Document",
    "PicturePool",
    "ScenePicture",
    "check_banner",
    "cited_sources",
    "clean_text",
    "deck_bytes",
    "pick_scenes",
    "scene_pictures",
    "write_deck",
]

# python-pptx's default template: layout 0 is "Title Slide", layout 5 "Title Only".
_TITLE_LAYOUT = 0
_TITLE_ONLY_LAYOUT = 5
# Characters XML 1.0 cannot carry (control characters other than tab and newline, lone
# surrogates, the two non-characters), which lxml refuses.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# A talking point cites its documents in brackets at its end: "[Title, Publisher, date; ...]".
_CITATION = re.compile(r"\[([^\[\]]+)\]")
# Viewers lay text out a little wider than matplotlib measures it (LibreOffice by about 1 %):
# measured widths are taken this much wider, so a line said to fit does fit.
_WIDTH_SAFETY = 1.04
# Gap, in picture pixels, kept between the picture's title lines and what is left of it.
_CROP_GAP_PX = 6
# Space after each document on the sources slide (points), and under its title (inches).
_SOURCE_GAP_PT = 9
_SOURCES_BELOW_TITLE_IN = 0.25
# The deck's own text colours: those of the pictures' texts.
# Modules drawing imports on first use (the legend's layer styles, the APP-6 symbols): a
# worker imports them as it starts.
_WARM_MODULES = ("layers", "layers.symbols")
_TEXT = RGBColor.from_string(settings.EXPORT_TEXT_COLOR.lstrip("#"))
_MUTED = RGBColor.from_string(settings.EXPORT_MUTED_COLOR.lstrip("#"))


class DeckError(ValueError):
    """A deck that cannot be made as asked; the message is one line, for the user."""


@dataclass(frozen=True)
class Document:
    """A source document as the deck cites it.

    Attributes
    ----------
    id : str
        The document's id in ``data/sources.csv``.
    citation : str
        The document cited as the slides' footer cites it (:func:`geo.summary.citation`):
        "Title (Publisher, 16 Jan 2026)", or "VRT report (15 Jan 2026)" without a title.
    about : str
        For a document without a title of its own, what the table says it is; else "".
    undated : bool
        Whether the document states no date.
    """

    id: str
    citation: str
    about: str = ""
    undated: bool = False

    @property
    def line(self) -> str:
        """The citation, with what an untitled document is about."""
        return f"{self.citation}: {self.about}" if self.about else self.citation


@dataclass(frozen=True)
class ScenePicture:
    """A scene's map as a PNG, and how much of its top the slide crops away.

    Attributes
    ----------
    png : bytes
        The picture drawn by :class:`~export.render.Renderer`.
    width_px, height_px : int
        Its size in pixels.
    crop_top : float
        Fraction of the height taken by the picture's own title and subtitle lines, which the
        slide shows as text instead.
    """

    png: bytes
    width_px: int
    height_px: int
    crop_top: float


# --- text ----------------------------------------------------------------------------------------


def clean_text(text: object, *, one_line: bool = False) -> str:
    """``text`` without the characters XML cannot carry; on one line when asked.

    Line ends become ``\\n`` (or spaces, with ``one_line``); tabs are kept.
    """
    value = str(text).replace("\r\n", "\n").replace("\r", "\n")
    value = _NOT_XML.sub("", value)
    if one_line:
        value = " ".join(value.split())
    return value.strip()


@lru_cache(maxsize=4096)
def _text_width_pt(text: str, size_pt: float, bold: bool) -> float:
    """Width of one line in the deck's font, in points (DejaVu Sans is wider than the fonts
    a viewer without it falls back on, so what fits here fits there)."""
    prop = FontProperties(
        family=settings.EXPORT_FONT, weight="bold" if bold else "normal", size=size_pt
    )
    width, _height, _descent = TextToPath().get_text_width_height_descent(text, prop, ismath=False)
    return float(width) * _WIDTH_SAFETY


def _wrap(text: str, width_pt: float, size_pt: float, *, bold: bool = False) -> list[str]:
    """``text`` broken at spaces into lines no wider than ``width_pt``."""
    return wrap_words(text, lambda trial: _text_width_pt(trial, size_pt, bold) > width_pt)


def _fitting_size(text: str, width_pt: float, largest: float, smallest: float) -> float:
    """The largest size, in 2 pt steps from ``largest`` down to ``smallest``, at which the bold
    ``text`` fits on one line (``smallest`` if none: the text then wraps)."""
    size = largest
    while size > smallest and _text_width_pt(text, size, True) > width_pt:
        size = max(smallest, size - 2)
    return size


def _usable_width_in() -> float:
    return settings.DECK_SLIDE_IN[0] - 2 * settings.DECK_MARGIN_IN


def check_banner(banner: str | None) -> str | None:
    """The banner as the deck writes it, or None for no banner.

    Raises
    ------
    DeckError
        If it does not fit on one line across the slide at the banner's size.
    """
    if banner is None:
        return None
    text = clean_text(banner, one_line=True)
    if not text:
        return None
    size = settings.DECK_TEXT_PT["banner"]
    room = _usable_width_in() * 72
    width = _text_width_pt(text, size, True)
    if width > room:
        chars = int(len(text) * room / width)
        raise DeckError(
            f"--banner: {len(text)} characters do not fit on one line of the slide "
            f"(about {chars} of these fit at {size:g} pt)"
        )
    return text


# --- sources ---------------------------------------------------------------------------------


def _bare_title(title: str) -> str:
    # A document without a title is described in the table after settings.UNTITLED_MARK.
    mark = settings.UNTITLED_MARK
    return title[len(mark) :].strip() if title.startswith(mark) else title


def _documents(dataset: Dataset) -> dict[str, Document]:
    """Every source of the dataset as the deck cites it, by id, in file order."""
    out: dict[str, Document] = {}
    for row in dataset.sources.to_dict("records"):
        cited = summary.citation(row)
        out[str(row["id"])] = Document(
            id=str(row["id"]),
            citation=clean_text(cited.text, one_line=True),
            about=clean_text(cited.about, one_line=True),
            undated=not cited.when,
        )
    return out


def cited_sources(text: str, dataset: Dataset) -> list[str]:
    """Ids of the documents a talking point cites in brackets, in the order it cites them.

    A document is cited when its title (without ``settings.UNTITLED_MARK``) appears in
    one of the text's bracketed citations, compared without regard to case or spacing.
    """
    citations = [" ".join(group.split()).casefold() for group in _CITATION.findall(text)]
    if not citations:
        return []
    found: list[tuple[int, int, str]] = []
    for order, (source_id, title) in enumerate(
        zip(dataset.sources["id"], dataset.sources["title"], strict=True)
    ):
        bare = " ".join(_bare_title(str(title)).split()).casefold()
        if not bare:
            continue
        for number, citation in enumerate(citations):
            position = citation.find(bare)
            if position >= 0:
                found.append((number * 100_000 + position, order, str(source_id)))
                break
    return [source_id for *_, source_id in sorted(found)]


def _map_sources(dataset: Dataset, scene: Scene) -> list[str]:
    """Ids of the documents behind the rows and events a scene's map shows, in file order."""
    chosen = select(dataset, scene.state())
    cited: set[str] = set(chosen.deployments["source"].astype(str))
    for value in chosen.deployments["also_sources"]:
        if isinstance(value, str) and value:
            cited.update(
                part.strip() for part in value.split(settings.LIST_SEPARATOR) if part.strip()
            )
    if "events" in scene.shown_layers:
        cited.update(chosen.events["source"].astype(str))
    return [str(source) for source in dataset.sources["id"] if str(source) in cited]


# --- scene pictures ----------------------------------------------------------------------------


def _crop_top(drawing: Drawing) -> float:
    """Fraction of the picture's height above the map: its title and subtitle lines."""
    figure = drawing.figure
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    height = float(figure.bbox.height)
    header_bottom = 0.0
    for text in figure.texts:
        if text.get_gid() in ("title", "subtitle") and text.get_text():
            box = text.get_window_extent(renderer)
            header_bottom = max(header_bottom, height - float(box.y0))
    if header_bottom == 0.0:
        return 0.0
    # Never cut into what lies below the header: the map, the legend, any other text.
    content_top = min(
        [height - float(ax.get_window_extent(renderer).y1) for ax in figure.axes]
        + [
            height - float(text.get_window_extent(renderer).y1)
            for text in figure.texts
            if text.get_gid() not in ("title", "subtitle") and text.get_text()
        ]
    )
    cut = min(header_bottom + _CROP_GAP_PX, content_top - _CROP_GAP_PX)
    return max(0.0, cut / height)


def scene_picture(
    renderer: Renderer,
    scene: Scene,
    *,
    size: str | None = None,
    dataset: Dataset | None = None,
) -> ScenePicture:
    """A scene's map as the renderer draws it (title, subtitle and layers of the scene).

    Parameters
    ----------
    renderer : Renderer
        Draws the picture.
    scene : Scene
        The scene to draw.
    size : str, optional
        A name of ``settings.EXPORT_SIZES``; ``settings.DECK_PICTURE_SIZE`` by default.
    dataset : Dataset, optional
        The data to draw from; the renderer's by default.
    """
    drawing = renderer.draw(
        scene.state(),
        dataset=dataset,
        size=size or settings.DECK_PICTURE_SIZE,
        # Cropped away on the slide, but measured and drawn: no character the font lacks.
        title=clean_text(scene.title, one_line=True),
        subtitle=clean_text(scene.subtitle, one_line=True) or None,
        bounds=scene.bounds,
        layers=scene.shown_layers,
        other_sites=scene.other_sites,
    )
    pixels = drawing.rgba()  # draws the figure: the text extents below are those drawn
    return ScenePicture(
        png=_png(pixels),
        width_px=drawing.units.width_px,
        height_px=drawing.units.height_px,
        crop_top=_crop_top(drawing),
    )


def _png(pixels: np.ndarray) -> bytes:
    """The pixels as a PNG: RGB when every pixel is opaque (a quarter fewer bytes to pack),
    packed at ``settings.DECK_PNG_COMPRESS_LEVEL``."""
    image = Image.fromarray(pixels, mode="RGBA")
    if int(pixels[:, :, 3].min()) == 255:
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, format="png", compress_level=settings.DECK_PNG_COMPRESS_LEVEL)
    return out.getvalue()


# What a worker process keeps between pictures: its renderer (the outline files read and
# projected), and the last dataset it was sent, under the digest of its pickled bytes.
_WORKER: dict[str, Any] = {}


def _start_worker(crs: tuple[str, ...]) -> None:
    """Make the worker's renderer and do, before any picture is asked for, what every picture
    needs: read the outline files, project them for ``crs``, import what drawing imports."""
    renderer = Renderer()
    for name in crs:
        projection = renderer.projection(name)
        for stem in settings.EXPORT_BOUNDARY_LODS:
            renderer.outlines(stem, projection)
    renderer.country_bounds()
    for module in _WARM_MODULES:
        importlib.import_module(module)
    _WORKER["renderer"] = renderer


def _worker_id(pause: float = 0.0) -> int:
    """The worker's process id, after ``pause`` seconds: a task that makes the pool start a
    worker (which runs ``_start_worker`` first), or that tells which one is ready."""
    time.sleep(pause)
    return os.getpid()


def _draw_in_worker(
    digest: str, data: bytes, scene: Scene, size: str | None
) -> tuple[ScenePicture, float]:
    """The scene's picture, and the CPU seconds it took."""
    began = time.process_time()
    held = _WORKER.get("data")
    if held is None or held[0] != digest:
        held = (digest, pickle.loads(data))  # noqa: S301 - bytes this package pickled itself
        _WORKER["data"] = held
    picture = scene_picture(_WORKER["renderer"], scene, size=size, dataset=held[1])
    return picture, time.process_time() - began


def _fork_allowed() -> bool:
    # A forked child inherits the parent's loaded modules: the fastest start. It also inherits
    # every lock as it was at the fork, so a process with other threads (the app's server)
    # uses a clean server process instead (forkserver, which imports this module once).
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


class PicturePool:
    """Processes that draw scene pictures, started once and kept ready for every deck.

    Each worker, as it starts, reads the outline files, projects them for
    ``settings.EXPORT_EUROPE_CRS`` and imports what drawing needs, so that a deck asked for
    later pays for its pictures only. The scenes are handed out one at a time to whichever
    worker is free, the longest first (as timed in the last deck). The command line starts
    one before it reads the data, so the workers get ready while it reads. (The app does not
    keep one yet: a forkserver child runs the app's script first, see ``_running``.)

    Parameters
    ----------
    workers : int, optional
        Processes; by default one per CPU, at most ``settings.DECK_MAX_WORKERS``.
    start_after : float
        Seconds to wait before starting the workers (the app leaves its first page the CPU);
        a deck asked for sooner starts them at once.

    Notes
    -----
    Thread-safe. Workers are forked from this process when it runs no other thread, else
    from a fork server. A pool whose worker died is replaced on the next deck.
    """

    def __init__(self, *, workers: int | None = None, start_after: float = 0.0) -> None:
        if workers is None:
            workers = min(settings.DECK_MAX_WORKERS, os.cpu_count() or 1)
        self.workers = max(1, workers)
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None
        self._timer: threading.Timer | None = None
        self._seconds: dict[tuple[str, str | None], float] = {}  # CPU per (scene id, size)
        if start_after > 0:
            self._timer = threading.Timer(start_after, self._running)
            self._timer.daemon = True
            self._timer.start()
        else:
            self._running()

    def _running(self) -> ProcessPoolExecutor:
        """The executor, started (again, if a worker died) when needed."""
        if _WORKER:
            # A worker never starts workers: a forkserver child first runs the parent's main
            # script (the Streamlit app, which would make a pool again), a fork bomb.
            raise RuntimeError("a picture worker does not start picture workers")
        with self._lock:
            executor = self._executor
            if executor is not None and not getattr(executor, "_broken", False):
                return executor
            if executor is not None:
                executor.shutdown(wait=False, cancel_futures=True)
            worker.without_main_module()  # a child need not import the app's page again
            context: multiprocessing.context.BaseContext
            if _fork_allowed():
                context = multiprocessing.get_context("fork")
            else:
                context = multiprocessing.get_context("forkserver")
                context.set_forkserver_preload(["export.deck"])
            executor = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=context,
                initializer=_start_worker,
                initargs=((settings.EXPORT_EUROPE_CRS,),),
            )
            # The executor starts a worker per task waiting (up to max_workers): one task each
            # makes them all start now. Their answers are not waited for.
            for _ in range(self.workers):
                executor.submit(_worker_id)
            self._executor = executor
            return executor

    def wait_ready(self, timeout: float = 120.0) -> bool:
        """Wait until every worker has started and got ready; False if not within ``timeout``
        seconds."""
        deadline = time.monotonic() + timeout
        seen: set[int] = set()
        while len(seen) < self.workers and time.monotonic() < deadline:
            # A worker takes a task only once ready; a short pause in each lets every worker
            # take one, not only the first that is free.
            futures = [self._running().submit(_worker_id, 0.05) for _ in range(self.workers)]
            for future in futures:
                try:
                    seen.add(future.result(timeout=max(0.0, deadline - time.monotonic())))
                except FutureTimeout:
                    return False
        return len(seen) >= self.workers

    def pictures(
        self, dataset: Dataset, scenes: Sequence[Scene], *, size: str | None = None
    ) -> list[ScenePicture]:
        """Every scene's picture, in order (see :func:`scene_pictures`)."""
        data = pickle.dumps(dataset, protocol=pickle.HIGHEST_PROTOCOL)
        digest = hashlib.blake2b(data, digest_size=16).hexdigest()
        executor = self._running()
        # Longest first (as they took last time; a scene not drawn yet counts as longest), so
        # that no worker is left with a long picture when the others are done.
        order = sorted(
            range(len(scenes)),
            key=lambda n: -self._seconds.get((scenes[n].id, size), float("inf")),
        )
        futures = {
            n: executor.submit(_draw_in_worker, digest, data, scenes[n], size) for n in order
        }
        pictures = []
        for n, scene in enumerate(scenes):
            picture, seconds = futures[n].result()
            self._seconds[(scene.id, size)] = seconds
            pictures.append(picture)
        return pictures

    def close(self) -> None:
        """Stop the workers (a deck being made is finished first)."""
        if self._timer is not None:
            self._timer.cancel()
        with self._lock:
            if self._executor is not None:
                self._executor.shutdown(wait=True)
                self._executor = None

    def __enter__(self) -> PicturePool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def scene_pictures(
    dataset: Dataset,
    scenes: Sequence[Scene],
    *,
    size: str | None = None,
    workers: int | None = None,
    pool: PicturePool | None = None,
) -> list[ScenePicture]:
    """Every scene's picture, in order, drawn in ``pool`` or in up to ``workers`` processes.

    Parameters
    ----------
    dataset : Dataset
        The data to draw from.
    scenes : sequence of Scene
        The scenes, in briefing order.
    size : str, optional
        A name of ``settings.EXPORT_SIZES``; ``settings.DECK_PICTURE_SIZE`` by default.
    workers : int, optional
        Without a pool: the processes of a pool started for these pictures alone; by default
        one per CPU and per scene, at most ``settings.DECK_MAX_WORKERS``. With 1, the pictures
        are drawn in this process.
    pool : PicturePool, optional
        Processes kept ready (the app's): ``workers`` is then not used.
    """
    if pool is not None:
        return pool.pictures(dataset, scenes, size=size)
    if workers is None:
        workers = min(settings.DECK_MAX_WORKERS, os.cpu_count() or 1)
    workers = max(1, min(workers, len(scenes)))
    if workers == 1:
        renderer = Renderer(dataset=dataset)
        return [scene_picture(renderer, scene, size=size) for scene in scenes]
    with PicturePool(workers=workers) as started:
        return started.pictures(dataset, scenes, size=size)


# --- slides ------------------------------------------------------------------------------------


def _paragraphs(
    frame: TextFrame,
    lines: Iterable[tuple[str, float, bool, RGBColor]],
    *,
    align: PP_ALIGN = PP_ALIGN.LEFT,
) -> None:
    """Fill a text frame: one paragraph per (text, size in points, bold, colour)."""
    frame.clear()
    for index, (text, size, bold, color) in enumerate(lines):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.alignment = align
        run = paragraph.add_run()
        run.text = text
        font = run.font
        font.name = settings.EXPORT_FONT
        font.size = Pt(size)
        font.bold = bold
        font.color.rgb = color


def _frame(frame: TextFrame, *, anchor: MSO_ANCHOR = MSO_ANCHOR.TOP) -> TextFrame:
    frame.word_wrap = True
    frame.auto_size = None
    frame.vertical_anchor = anchor
    frame.margin_left = frame.margin_right = Emu(0)
    frame.margin_top = frame.margin_bottom = Emu(0)
    return frame


def _banners(slide: Slide, banner: str | None) -> None:
    """The banner in a band at the top and at the bottom edge of the slide."""
    if banner is None:
        return
    width, height = settings.DECK_SLIDE_IN
    band = settings.DECK_BANNER_IN
    fill = RGBColor.from_string(str(settings.EXPORT_BANNER_STYLE["fillColor"]).lstrip("#"))
    color = RGBColor.from_string(str(settings.EXPORT_BANNER_STYLE["color"]).lstrip("#"))
    for name, top in (("Banner top", 0.0), ("Banner bottom", height - band)):
        shape: Shape = slide.shapes.add_shape(
            MSO_SHAPE.RECTANGLE, Inches(0), Inches(top), Inches(width), Inches(band)
        )
        shape.name = name
        shape.fill.solid()
        shape.fill.fore_color.rgb = fill
        shape.line.fill.background()
        shape.shadow.inherit = False
        _paragraphs(
            _frame(shape.text_frame, anchor=MSO_ANCHOR.MIDDLE),
            [(banner, settings.DECK_TEXT_PT["banner"], True, color)],
            align=PP_ALIGN.CENTER,
        )


def _place(shape: Shape, left: float, top: float, width: float, height: float) -> None:
    shape.left, shape.top = Inches(left), Inches(top)
    shape.width, shape.height = Inches(width), Inches(height)


def _line_in(size_pt: float, lines: int = 1) -> float:
    return size_pt * 1.2 * lines / 72


def _title_block(slide: Slide, title: str, under: Sequence[str], *, top: float) -> float:
    """The slide's title (its title placeholder) and the lines under it; returns their bottom."""
    pt = settings.DECK_TEXT_PT
    width = _usable_width_in()
    size = _fitting_size(title, width * 72, pt["title"], pt["title_min"])
    title_lines = len(_wrap(title, width * 72, size, bold=True))
    holder = slide.shapes.title
    assert holder is not None  # the "Title Only" layout has one
    height = _line_in(size, title_lines)
    _place(holder, settings.DECK_MARGIN_IN, top, width, height)
    _paragraphs(_frame(holder.text_frame, anchor=MSO_ANCHOR.BOTTOM), [(title, size, True, _TEXT)])
    bottom = top + height
    wrapped = [line for text in under for line in _wrap(text, width * 72, pt["subtitle"])]
    if wrapped:
        box = slide.shapes.add_textbox(
            Inches(settings.DECK_MARGIN_IN),
            Inches(bottom + 0.06),
            Inches(width),
            Inches(_line_in(pt["subtitle"], len(wrapped))),
        )
        box.name = "Subtitle"
        _paragraphs(
            _frame(box.text_frame),
            [(text, pt["subtitle"], False, _MUTED) for text in under],
        )
        bottom += 0.06 + _line_in(pt["subtitle"], len(wrapped))
    return bottom


def _facts(dataset: Dataset, scene: Scene) -> str:
    counts = select(dataset, scene.state()).counts
    # A subtitle that already gives the dates is not followed by them again (as on the map).
    when = summary.when_after(scene.subtitle, scene.date, scene.date_range)
    parts = [
        *([when] if when else []),
        f"{counts.nations} nation{'s' if counts.nations != 1 else ''}",
        f"{counts.deployments} deployment row{'s' if counts.deployments != 1 else ''}",
    ]
    if counts.personnel_rows:
        parts.append(f"{counts.personnel:,} personnel where stated")
    return " · ".join(parts)


def _under_title(subtitle: str, facts: str) -> list[str]:
    """The scene's subtitle and its dates and counts: on one line where they fit."""
    if not subtitle:
        return [facts]
    joined = f"{subtitle} · {facts}"
    fits = _text_width_pt(joined, settings.DECK_TEXT_PT["subtitle"], False) <= (
        _usable_width_in() * 72
    )
    return [joined] if fits else [subtitle, facts]


def _picture(slide: Slide, picture: ScenePicture, *, top: float, bottom: float) -> None:
    """The map below the texts, as large as fits, centred, its shape kept."""
    room_w = settings.DECK_SLIDE_IN[0] - 2 * settings.DECK_MARGIN_IN
    room_h = bottom - top
    shown_h_px = picture.height_px * (1.0 - picture.crop_top)
    aspect = picture.width_px / shown_h_px
    width = min(room_w, room_h * aspect)
    height = width / aspect
    left = (settings.DECK_SLIDE_IN[0] - width) / 2
    shape = slide.shapes.add_picture(
        io.BytesIO(picture.png), Inches(left), Inches(top), Inches(width), Inches(height)
    )
    shape.name = "Map"
    shape.crop_top = picture.crop_top


def _notes(slide: Slide, scene: Scene, documents: Sequence[Document]) -> None:
    size = settings.DECK_TEXT_PT["notes"]
    lines: list[tuple[str, float, bool, RGBColor]] = []
    points = [clean_text(point, one_line=True) for point in scene.talking_points]
    if points:
        lines.append(("Talking points", size, True, _TEXT))
        lines += [(f"{n}. {point}", size, False, _TEXT) for n, point in enumerate(points, 1)]
    else:
        lines.append(("No talking points for this scene.", size, False, _TEXT))
    lines.append(("", size, False, _TEXT))
    if documents:
        lines.append(("Documents cited", size, True, _TEXT))
        lines += [(f"• {doc.line}", size, False, _TEXT) for doc in documents]
    else:
        lines.append(
            ("The talking points cite no document of the sources list.", size, False, _TEXT)
        )
    notes = slide.notes_slide.notes_text_frame
    assert notes is not None  # the default template's notes master has a body placeholder
    _paragraphs(notes, lines)


def _content_top(banner: str | None) -> float:
    return (settings.DECK_BANNER_IN if banner else 0.0) + 0.22


def _content_bottom(banner: str | None) -> float:
    return settings.DECK_SLIDE_IN[1] - (settings.DECK_BANNER_IN if banner else 0.0) - 0.18


def _title_slide(
    deck: PresentationType, title: str, lines: Sequence[str], banner: str | None
) -> None:
    pt = settings.DECK_TEXT_PT
    slide = deck.slides.add_slide(deck.slide_layouts[_TITLE_LAYOUT])
    width = _usable_width_in()
    size = _fitting_size(title, width * 72, pt["deck_title"], pt["title"])
    title_lines = len(_wrap(title, width * 72, size, bold=True))
    middle = settings.DECK_SLIDE_IN[1] / 2
    holder = slide.shapes.title
    assert holder is not None
    height = _line_in(size, title_lines)
    _place(holder, settings.DECK_MARGIN_IN, middle - 0.2 - height, width, height)
    _paragraphs(_frame(holder.text_frame, anchor=MSO_ANCHOR.BOTTOM), [(title, size, True, _TEXT)])
    under = slide.placeholders[1]
    _place(under, settings.DECK_MARGIN_IN, middle, width, _line_in(pt["deck_subtitle"], 4))
    _paragraphs(
        _frame(under.text_frame), [(line, pt["deck_subtitle"], False, _MUTED) for line in lines]
    )
    _banners(slide, banner)


def _source_lines(doc: Document, scenes: Sequence[int]) -> list[tuple[str, float, bool, RGBColor]]:
    pt = settings.DECK_TEXT_PT
    where = f"Scene{'s' if len(scenes) > 1 else ''} {', '.join(str(n) for n in scenes)}"
    about = f"Untitled; about: {doc.about}" if doc.about else ""
    detail = " · ".join(part for part in (about, "undated" if doc.undated else "", where) if part)
    return [
        (doc.citation, pt["source"], True, _TEXT),
        (detail, pt["source_detail"], False, _MUTED),
    ]


def _lines_height_in(lines: Sequence[tuple[str, float, bool, RGBColor]]) -> float:
    width = _usable_width_in() * 72
    return sum(
        _line_in(size, len(_wrap(text, width, size, bold=bold))) for text, size, bold, _ in lines
    )


def _sources_pages(
    cited: dict[str, list[int]], documents: dict[str, Document], room_in: float
) -> list[list[tuple[str, float, bool, RGBColor]]]:
    """The sources list cut into slides: each document whole on one slide, as many as fit."""
    pages: list[list[tuple[str, float, bool, RGBColor]]] = [[]]
    used = 0.0
    for source_id in (source_id for source_id in documents if source_id in cited):
        entry = _source_lines(documents[source_id], cited[source_id])
        height = _lines_height_in(entry) + _SOURCE_GAP_PT / 72
        if pages[-1] and used + height > room_in:
            pages.append([])
            used = 0.0
        pages[-1] += entry
        used += height
    return pages


def _sources_slides(
    deck: PresentationType,
    cited: dict[str, list[int]],
    documents: dict[str, Document],
    banner: str | None,
) -> None:
    top = _content_top(banner)
    heading = _line_in(settings.DECK_TEXT_PT["title"]) + _SOURCES_BELOW_TITLE_IN
    room = _content_bottom(banner) - top - heading
    pages = _sources_pages(cited, documents, room)
    for number, lines in enumerate(pages, start=1):
        slide = deck.slides.add_slide(deck.slide_layouts[_TITLE_ONLY_LAYOUT])
        title = "Sources" if len(pages) == 1 else f"Sources ({number} of {len(pages)})"
        bottom = _title_block(slide, title, [], top=top) + _SOURCES_BELOW_TITLE_IN
        box = slide.shapes.add_textbox(
            Inches(settings.DECK_MARGIN_IN),
            Inches(bottom),
            Inches(_usable_width_in()),
            Inches(_content_bottom(banner) - bottom),
        )
        box.name = "Sources"
        frame = _frame(box.text_frame)
        if not lines:
            lines = [
                ("The deck cites no document.", settings.DECK_TEXT_PT["source"], False, _MUTED)
            ]
        _paragraphs(frame, lines)
        for index, paragraph in enumerate(frame.paragraphs):
            if index % 2 == 1:
                paragraph.space_after = Pt(_SOURCE_GAP_PT)
        _banners(slide, banner)


def deck_bytes(
    dataset: Dataset,
    scenes: Sequence[Scene],
    *,
    banner: str | None = None,
    title: str | None = None,
    made: dt.date | None = None,
    workers: int | None = None,
    size: str | None = None,
    pool: PicturePool | None = None,
) -> bytes:
    """The briefing as a PowerPoint (.pptx) file.

    Parameters
    ----------
    dataset : Dataset
        The briefing's data (the sources come from it).
    scenes : sequence of Scene
        The scenes, in briefing order: one slide each.
    banner : str, optional
        Classification or handling marking, at the top and bottom of every slide.
    title : str, optional
        The title slide's title; ``settings.EXPORT_TITLE`` by default.
    made : date, optional
        The date the deck is made, on the title slide; today by default.
    workers : int, optional
        Processes drawing the pictures, without a pool (:func:`scene_pictures`).
    size : str, optional
        The pictures' size, a name of ``settings.EXPORT_SIZES``;
        ``settings.DECK_PICTURE_SIZE`` by default.
    pool : PicturePool, optional
        Processes kept ready to draw the pictures (the app's); else a pool is started for
        this deck alone.

    Returns
    -------
    bytes

    Raises
    ------
    DeckError
        No scene, or a banner that does not fit on one line.
    """
    if not scenes:
        raise DeckError("the briefing has no scenes to put in a deck")
    banner = check_banner(banner)
    name = clean_text(title, one_line=True) if title else settings.EXPORT_TITLE
    documents = _documents(dataset)
    pictures = scene_pictures(dataset, scenes, workers=workers, size=size, pool=pool)

    deck = Presentation()
    deck.slide_width = Inches(settings.DECK_SLIDE_IN[0])
    deck.slide_height = Inches(settings.DECK_SLIDE_IN[1])
    made = made or dt.date.today()
    count = f"{len(scenes)} scene{'s' if len(scenes) != 1 else ''}"
    _title_slide(
        deck,
        name,
        [f"Briefing in {count}", f"Made {summary.day_text(pd.Timestamp(made), 'day')}"],
        banner,
    )
    cited: dict[str, list[int]] = {}
    for number, (scene, picture) in enumerate(zip(scenes, pictures, strict=True), start=1):
        slide = deck.slides.add_slide(deck.slide_layouts[_TITLE_ONLY_LAYOUT])
        under = _under_title(clean_text(scene.subtitle, one_line=True), _facts(dataset, scene))
        bottom = _title_block(
            slide, clean_text(scene.title, one_line=True), under, top=_content_top(banner)
        )
        _picture(slide, picture, top=bottom + 0.12, bottom=_content_bottom(banner))
        in_points: list[str] = []
        for point in scene.talking_points:
            in_points += [s for s in cited_sources(point, dataset) if s not in in_points]
        _notes(slide, scene, [documents[s] for s in in_points if s in documents])
        for source_id in [*in_points, *_map_sources(dataset, scene)]:
            numbers = cited.setdefault(source_id, [])
            if number not in numbers:
                numbers.append(number)
        _banners(slide, banner)
    _sources_slides(deck, cited, documents, banner)
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


# --- the command line's side -------------------------------------------------------------------


def pick_scenes(scenes: Sequence[Scene], ids: Sequence[str] | None) -> tuple[Scene, ...]:
    """The scenes named by ``ids``, in the order given; all of them when ``ids`` is empty.

    Raises
    ------
    DeckError
        Naming every id that is not a scene's, and the ids there are.
    """
    if not ids:
        return tuple(scenes)
    by_id = {scene.id: scene for scene in scenes}
    unknown = [scene_id for scene_id in ids if scene_id not in by_id]
    if unknown:
        names = ", ".join(repr(scene_id) for scene_id in unknown)
        known = ", ".join(by_id) or "none"
        raise DeckError(f"--scene: no scene with the id {names} (the scenes are: {known})")
    return tuple(by_id[scene_id] for scene_id in ids)


def check_output(path: Path) -> Path:
    """``path`` if a deck can be written there (its folder made if missing).

    Raises
    ------
    DeckError
        If it does not end in .pptx, is a folder, or its folder cannot be made or written.
    """
    if path.suffix.lower() != ".pptx":
        raise DeckError(f"--deck: {str(path)!r} must be a file name ending in .pptx")
    if path.is_dir():
        raise DeckError(f"--deck: {str(path)!r} is a folder, expected a .pptx file")
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DeckError(f"--deck: cannot make the folder {str(folder)!r}: {exc.strerror}") from exc
    # Try it: permission bits do not tell (root may write anywhere but /proc, a read-only mount).
    try:
        handle, probe = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".probe", dir=folder)
        os.close(handle)
        os.unlink(probe)
    except OSError as exc:
        raise DeckError(f"--deck: cannot write in {str(folder)!r}: {exc.strerror}") from exc
    if path.exists() and not os.access(path, os.W_OK):
        raise DeckError(f"--deck: cannot replace {str(path)!r}: permission denied")
    return path


def write_deck(
    path: Path,
    dataset: Dataset,
    scenes: Sequence[Scene],
    *,
    banner: str | None = None,
    title: str | None = None,
    pool: PicturePool | None = None,
) -> Path:
    """Make the deck and write it to ``path`` atomically: a failure leaves no partial file.

    Raises
    ------
    DeckError
        For an output path that cannot be written, no scene, or a banner too long.
    """
    check_output(path)
    banner = check_banner(banner)  # before the costly pictures
    data = deck_bytes(dataset, scenes, banner=banner, title=title, pool=pool)
    try:
        replace_atomically(path, data)
    except OSError as exc:
        raise DeckError(f"--deck: cannot write {str(path)!r}: {exc.strerror}") from exc
    return path
