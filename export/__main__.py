"""Command line: ``python -m export --date 2026-01-17 --nations DEU,FRA --out map.png``.

The filter options are the app's URL keys and are read by the same code
(:func:`geo.urlstate.state_from_query`), so ``--missions baltic-air-policing`` means what
``?missions=baltic-air-policing`` means; every option is optional and defaults to the app's
view (as of the dataset's latest day). Unlike the URL, a value that cannot be used stops the
command: an image must not quietly show another view than the one asked for.

``--scene ID`` draws a scene of the briefing (its filter, view, layers, title and subtitle;
options given on the command line override its filter), and ``--all-scenes DIR`` draws every
scene into DIR, all with one renderer. ``--deck OUT.pptx`` makes the briefing's PowerPoint deck
(:mod:`export.deck`): every scene, or those named by ``--scene ID ...`` in that order.

The data and scenes are the app's: the bundled data with the user's workspace over it
(``--workspace FILE``, else ``$BRIEFING_WORKSPACE``, else ``workspace/briefing.gpkg``), so an
image shows what the app shows.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from export import deck
from export.render import Renderer
from export.view import ViewError
from geo import settings, urlstate, workspace
from geo.dataset import Dataset, load_with_workspace
from geo.errors import DataError
from geo.filters import FilterState

# Command-line option -> URL query key, for the filter options.
_QUERY_OPTIONS: dict[str, str] = {
    "date": "date",
    "from_": "from",
    "to": "to",
    "nations": "nations",
    "missions": "missions",
    "domains": "domains",
    "statuses": "statuses",
    "site": "site",
    "symbols": "symbols",
}
_NO_SCENES = "scenes are not available yet"


class CommandError(Exception):
    """A problem with the command line; the message is for the user."""


class _Parser(argparse.ArgumentParser):
    """Errors first, one line each, and a pointer to --help instead of the usage block."""

    def error(self, message: str) -> NoReturn:
        lines = "".join(f"{self.prog}: error: {line.strip()}\n" for line in message.splitlines())
        self.exit(2, f"{lines}(all options: {self.prog} --help)\n")


def parser() -> argparse.ArgumentParser:
    """The command's argument parser."""
    p = _Parser(
        prog="python -m export",
        description="Draw the briefing map as a slide-ready PNG, SVG or PDF, or the whole "
        "briefing as a PowerPoint deck, offline.",
    )
    view = p.add_argument_group("view (as the app's URL keys)")
    view.add_argument("--date", help="as of this day, YYYY-MM-DD; 'all' for any time")
    view.add_argument("--from", dest="from_", metavar="FROM", help="first day of a period")
    view.add_argument("--to", help="last day of a period")
    view.add_argument("--nations", help="alpha-3 codes, comma-separated, e.g. BEL,DEU")
    view.add_argument("--missions", help="mission slugs, e.g. baltic-air-policing")
    view.add_argument("--domains", help=f"comma-separated: {', '.join(settings.DOMAINS)}")
    view.add_argument("--statuses", help=f"comma-separated: {', '.join(settings.STATUSES)}")
    view.add_argument("--site", help="id of the selected site, e.g. siauliai")
    view.add_argument("--symbols", help=f"marker style: {', '.join(settings.SYMBOL_STYLES)}")
    view.add_argument(
        "--flows", action="store_true", help="draw the contribution lines of every site"
    )
    image = p.add_argument_group("image")
    image.add_argument("--title", help=f"title (default: {settings.EXPORT_TITLE!r})")
    image.add_argument("--banner", help="classification / handling text, top and bottom")
    image.add_argument("--crs", help="projected CRS in metres (default: chosen from the view)")
    image.add_argument("--bounds", metavar="W,S,E,N", help="view in degrees")
    image.add_argument("--size", choices=tuple(settings.EXPORT_SIZES), default="slide")
    image.add_argument(
        "--format",
        dest="fmt",
        choices=settings.EXPORT_FORMATS,
        help="image format (default: from --out, else png)",
    )
    image.add_argument("--out", type=Path, help="file to write (default: briefing-map.FORMAT)")
    p.add_argument(
        "--workspace",
        type=Path,
        help="the workspace GeoPackage whose data and scenes to draw (default: "
        "$BRIEFING_WORKSPACE, else workspace/briefing.gpkg)",
    )
    scenes = p.add_argument_group("scenes")
    scenes.add_argument(
        "--scene",
        metavar="ID",
        nargs="+",
        action="extend",
        help="draw this scene of the briefing (with --deck: these scenes, in this order)",
    )
    scenes.add_argument("--all-scenes", metavar="DIR", type=Path, help="draw every scene into DIR")
    scenes.add_argument(
        "--deck",
        metavar="OUT.pptx",
        type=Path,
        help="write the briefing as a 16:9 PowerPoint deck (takes --scene, --banner, --title)",
    )
    return p


def _bounds(text: str | None) -> tuple[float, float, float, float] | None:
    if text is None:
        return None
    parts = [part.strip() for part in text.split(",")]
    try:
        values = tuple(float(part) for part in parts)
    except ValueError:
        raise CommandError(f"--bounds: {text!r} is not four numbers W,S,E,N") from None
    if len(values) != 4:
        raise CommandError(f"--bounds: {text!r} is not four numbers W,S,E,N")
    return (values[0], values[1], values[2], values[3])


def _format(args: argparse.Namespace) -> str:
    if args.fmt:
        return str(args.fmt)
    suffix = args.out.suffix.lower().lstrip(".") if args.out is not None else ""
    return suffix if suffix in settings.EXPORT_FORMATS else "png"


def known(dataset: Dataset, scene_ids: Sequence[str] = ()) -> urlstate.Known:
    """What the filter options may name: the values of the loaded data (as the app)."""
    return urlstate.Known(
        nations=frozenset(dataset.nations),
        missions=dataset.missions,
        sites=frozenset(dataset.sites["id"]),
        first_day=dataset.first_day,
        last_day=dataset.last_day,
        scenes=frozenset(scene_ids),
    )


def state_from_args(
    args: argparse.Namespace, dataset: Dataset, *, default: FilterState
) -> FilterState:
    """The filter state the options ask for, on top of ``default``.

    Raises
    ------
    CommandError
        Listing every option value that could not be used.
    """
    params: dict[str, str] = {}
    for option, key in _QUERY_OPTIONS.items():
        value = getattr(args, option)
        if value is not None:
            params[key] = str(value)
    if args.flows:
        params["flows"] = "1"
    state, notices = urlstate.state_from_query(params, known=known(dataset), default=default)
    if notices:
        lines = [
            f"--{notice.key}={notice.value}: {notice.reason}; {_expected(notice.key, dataset)}"
            for notice in notices
        ]
        raise CommandError("\n".join(lines))
    return state


def _listed(values: Sequence[str], limit: int = 30) -> str:
    shown = ", ".join(values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")


def _expected(key: str, dataset: Dataset) -> str:
    """What an option takes, in the data loaded: the expected form or the valid values."""
    days = f"{dataset.first_day:%Y-%m-%d} to {dataset.last_day:%Y-%m-%d}"
    valid = {
        "date": f"expected YYYY-MM-DD (the data runs {days}) or 'all'",
        "from": f"expected YYYY-MM-DD (the data runs {days})",
        "to": f"expected YYYY-MM-DD (the data runs {days})",
        "nations": "the data has: " + _listed(list(dataset.nations)),
        "missions": "the data has: "
        + _listed([urlstate.mission_slug(name) for name in dataset.missions]),
        "domains": "one of: " + _listed(list(settings.DOMAINS)),
        "statuses": "one of: " + _listed(list(settings.STATUSES)),
        "site": "the data has: " + _listed(sorted(dataset.sites["id"])),
        "symbols": "one of: " + _listed(list(settings.SYMBOL_STYLES)),
    }
    return valid.get(key, "see --help")


def _scenes_module() -> Any:
    if importlib.util.find_spec("geo.scenes") is None:
        raise CommandError(_NO_SCENES)
    return importlib.import_module("geo.scenes")


def _workspace_file(args: argparse.Namespace) -> Path:
    given = getattr(args, "workspace", None)
    return workspace.workspace_path(["--workspace", str(given)] if given else [])


def _load_scenes(dataset: Dataset, path: Path | None = None) -> tuple[Any, ...]:
    scenes = _scenes_module()
    known: dict[str, Any] = {
        "known_sites": frozenset(dataset.sites["id"]),
        "known_nations": frozenset(dataset.nations) if dataset.origin == "bundled" else None,
        "known_missions": dataset.missions if dataset.origin == "bundled" else None,
        "known_days": (dataset.first_day, dataset.last_day),
    }
    kept = workspace.read_workspace(path).scenes if path is not None else None
    if kept is not None:
        return tuple(scenes.scenes_from_text(kept, source=f"{path} (scenes)", **known))
    return tuple(scenes.load_scenes(**known))


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    print(path)


def _check_deck_options(args: argparse.Namespace) -> Path:
    """The deck's output path, once the options that do not apply to a deck are refused."""
    if any(getattr(args, key) is not None for key in _QUERY_OPTIONS) or args.flows:
        raise CommandError("--deck shows each scene as saved: no filter options")
    others = {
        "--all-scenes": args.all_scenes,
        "--out": args.out,
        "--bounds": args.bounds,
        "--crs": args.crs,
        "--format": args.fmt,
    }
    given = [name for name, value in others.items() if value is not None]
    if given or args.size != "slide":
        given += [] if args.size == "slide" else ["--size"]
        raise CommandError(
            f"--deck takes only --scene, --banner, --title and --workspace, not {', '.join(given)}"
        )
    try:
        deck.check_banner(args.banner)
        return deck.check_output(args.deck)
    except deck.DeckError as exc:
        raise CommandError(str(exc)) from exc


def _run_deck(
    args: argparse.Namespace,
    path: Path,
    dataset: Dataset,
    store: Path | None,
    pool: deck.PicturePool | None,
) -> Path:
    try:
        chosen = deck.pick_scenes(_load_scenes(dataset, store), args.scene)
        written = deck.write_deck(
            path, dataset, chosen, banner=args.banner, title=args.title, pool=pool
        )
    except deck.DeckError as exc:
        raise CommandError(str(exc)) from exc
    print(written)
    return written


def run(args: argparse.Namespace, *, renderer: Renderer | None = None) -> list[Path]:
    """Draw what the parsed options ask for; return the files written.

    Raises
    ------
    CommandError
        For any option that cannot be used (bad value, unknown scene, bad bounds or CRS).
    """
    # A deck's options are checked before the data are loaded: a mistake is told at once.
    deck_path = _check_deck_options(args) if args.deck is not None else None
    # The deck's drawing processes start now and get ready while the data are read.
    pool = deck.PicturePool() if deck_path is not None else None
    try:
        return _run(args, deck_path, pool, renderer)
    finally:
        if pool is not None:
            pool.close()


def _run(
    args: argparse.Namespace,
    deck_path: Path | None,
    pool: deck.PicturePool | None,
    renderer: Renderer | None,
) -> list[Path]:
    fmt = _format(args)
    bounds = _bounds(args.bounds)
    store = _workspace_file(args)
    if renderer is None:
        loaded = load_with_workspace(store)
        if loaded.workspace_problem:
            print(f"the workspace is not used:\n{loaded.workspace_problem}", file=sys.stderr)
        renderer = Renderer(dataset=loaded)
    dataset = renderer.dataset
    store_for_scenes = store if dataset.origin == "workspace" or store.exists() else None
    if deck_path is not None:
        return [_run_deck(args, deck_path, dataset, store_for_scenes, pool)]
    default = FilterState.build(date=dataset.default_day)
    image = {"fmt": fmt, "size": args.size, "banner": args.banner, "crs": args.crs}
    written: list[Path] = []
    try:
        if args.all_scenes is not None:
            if any(getattr(args, key) is not None for key in _QUERY_OPTIONS) or args.flows:
                raise CommandError("--all-scenes draws each scene as saved: no filter options")
            if args.scene or args.out or args.title or args.bounds:
                raise CommandError("--all-scenes takes only --format, --size, --banner, --crs")
            for number, scene in enumerate(_load_scenes(dataset, store_for_scenes), start=1):
                data = renderer.render(
                    scene.state(),
                    title=scene.title,
                    subtitle=scene.subtitle or None,
                    bounds=scene.bounds,
                    layers=scene.shown_layers,
                    other_sites=scene.other_sites,
                    **image,
                )
                path = args.all_scenes / f"{number:02d}-{scene.id}.{fmt}"
                _write(path, data)
                written.append(path)
            return written
        title, subtitle, layers, other_sites = args.title, None, None, None
        if args.scene:
            if len(args.scene) > 1:
                raise CommandError("--scene: one scene id for an image (several with --deck)")
            briefing = _load_scenes(dataset, store_for_scenes)
            matches = [scene for scene in briefing if scene.id == args.scene[0]]
            if not matches:
                ids = _listed([scene.id for scene in briefing])
                raise CommandError(
                    f"--scene: no scene with the id {args.scene[0]!r}; the briefing has: {ids}"
                )
            scene = matches[0]
            default = scene.state()
            title = title if title is not None else scene.title
            subtitle = scene.subtitle or None
            bounds = bounds if bounds is not None else scene.bounds
            layers = scene.shown_layers
            other_sites = scene.other_sites
        state = state_from_args(args, dataset, default=default)
        data = renderer.render(
            state,
            title=title,
            subtitle=subtitle,
            bounds=bounds,
            layers=layers,
            other_sites=other_sites,
            **image,
        )
    except ViewError as exc:
        raise CommandError(str(exc)) from exc
    path = args.out if args.out is not None else Path(f"briefing-map.{fmt}")
    _write(path, data)
    written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: parse, draw, write; 2 on a usage error, 1 when the data are invalid."""
    p = parser()
    args = p.parse_args(argv)
    started = time.perf_counter()
    try:
        written = run(args)
    except CommandError as exc:
        p.error(str(exc))  # exits with status 2
    except DataError as exc:
        print(f"{p.prog}: the briefing data are not valid:\n{exc}", file=sys.stderr)
        return 1
    seconds = time.perf_counter() - started
    what = "deck" if args.deck is not None else "image(s)"
    print(f"{len(written)} {what} in {seconds:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
