"""A contact sheet of the briefing: every scene as a slide, beside its presenter screenshot.

``python -m export.contact_sheet`` draws every scene of the briefing (as
``python -m export --all-scenes``) into ``docs/contact-sheet/slides/`` and writes
``docs/contact-sheet/index.html``: one row per scene, the slide and, where
``docs/presenter/<scene>.png`` exists, the presenter-mode screenshot beside it. Offline: the
page links only files beside it.
"""

from __future__ import annotations

import argparse
import html
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from export.__main__ import main as export_main
from geo import settings

# Where the sheet goes, and where the presenter screenshots are looked for.
_DOCS = settings.ROOT_DIR / "docs"


def page(rows: Sequence[tuple[str, Path, Path | None]], *, base: Path) -> str:
    """The contact sheet's HTML: (scene id, slide PNG, presenter PNG or None) per row."""
    parts = [
        "<!doctype html>",
        '<meta charset="utf-8">',
        "<title>Briefing contact sheet</title>",
        "<style>body{font-family:sans-serif;margin:16px}td{vertical-align:top;padding:6px}"
        "img{width:100%;border:1px solid #ccc}td{width:50%}</style>",
        "<h1>Briefing contact sheet</h1>",
        "<p>Regenerate with <code>python -m export.contact_sheet</code>.</p>",
        "<table>",
        "<tr><th>Slide (python -m export)</th><th>Presenter mode</th></tr>",
    ]
    for scene_id, slide, presenter in rows:
        slide_ref = html.escape(os.path.relpath(slide, base))
        right = "<em>no screenshot in docs/presenter/</em>"
        if presenter is not None:
            ref = html.escape(os.path.relpath(presenter, base))
            right = f'<a href="{ref}"><img src="{ref}" alt="{html.escape(scene_id)}"></a>'
        parts.append(
            f"<tr><td><b>{html.escape(scene_id)}</b><br>"
            f'<a href="{slide_ref}"><img src="{slide_ref}" alt="{html.escape(scene_id)}"></a>'
            f"</td><td><br>{right}</td></tr>"
        )
    parts.append("</table>")
    return "\n".join(parts) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Draw every scene's slide and write the contact sheet; 0 on success."""
    p = argparse.ArgumentParser(prog="python -m export.contact_sheet", description=__doc__)
    p.add_argument("--out", type=Path, default=_DOCS / "contact-sheet", help="folder to write")
    p.add_argument("--presenter", type=Path, default=_DOCS / "presenter")
    args = p.parse_args(argv)
    slides = args.out / "slides"
    for old in slides.glob("*.png"):
        old.unlink()  # a scene removed from the briefing leaves no stale slide
    status = export_main(["--all-scenes", str(slides)])
    if status:
        return status
    rows = []
    for slide in sorted(slides.glob("*.png")):
        scene_id = slide.stem.split("-", 1)[1]
        shot = args.presenter / f"{scene_id}.png"
        rows.append((scene_id, slide, shot if shot.exists() else None))
    index = args.out / "index.html"
    index.write_text(page(rows, base=args.out), encoding="utf-8")
    print(index)
    return 0


if __name__ == "__main__":
    sys.exit(main())
