"""Downloads of the view and the briefing: HTML to share, images for slides and print."""

from __future__ import annotations

import functools

import streamlit as st

from export import deck
from export import html as share
from geo.filters import FilterState
from geo.scenes import Scene
from ui import context
from ui.state import Key, export_button

# Image exports offered: (format, size, button label, MIME type).
IMAGES = (
    ("png", "slide", "PNG for a slide (1920×1080)", "image/png"),
    ("png", "print", "PNG for print (A4, 300 dpi)", "image/png"),
    ("svg", "slide", "SVG", "image/svg+xml"),
    ("pdf", "slide", "PDF", "application/pdf"),
)


# Deferred downloads run outside the session (no st.session_state): they get all they need
# as arguments, bound when the button is drawn.
def _image(fmt: str, size: str, scene: Scene | None, state: FilterState, banner: str) -> bytes:
    return context.renderer().render(
        state,
        dataset=context.dataset(),
        fmt=fmt,
        size=size,
        title=scene.title if scene else None,
        subtitle=scene.subtitle if scene else None,
        bounds=scene.bounds if scene else None,
        layers=scene.shown_layers if scene else None,
        other_sites=scene.other_sites if scene else None,
        banner=banner.strip() or None,
    )


def _view_html(scene: Scene | None, state: FilterState) -> str:
    data = context.dataset()
    if scene is None:
        scene = share.state_scene(state, dataset=data, title="Allied deployments")
    return share.briefing_html(data, [scene])


def _briefing_html(briefing: tuple[Scene, ...]) -> str:
    return share.briefing_html(context.dataset(), briefing, title="Briefing")


def _deck(briefing: tuple[Scene, ...], banner: str) -> bytes:
    return deck.deck_bytes(context.dataset(), briefing, banner=banner or None)


def html_buttons(scene: Scene | None, state: FilterState) -> None:
    """Download the view, or the whole briefing, as one offline HTML file."""
    briefing = context.briefing()
    st.download_button(
        "Download this view as HTML",
        data=functools.partial(_view_html, scene, state),
        file_name=f"{scene.id if scene else 'current-view'}.html",
        mime="text/html",
        key=Key.HTML_VIEW,
        on_click="ignore",
        help="One file that works offline, for people who do not run the app.",
    )
    st.download_button(
        "Download the whole briefing as HTML",
        data=functools.partial(_briefing_html, briefing),
        file_name="briefing.html",
        mime="text/html",
        key=Key.HTML_BRIEFING,
        on_click="ignore",
        disabled=not briefing,
    )
    banner = st.session_state[Key.BANNER].strip()
    problem = None
    try:
        deck.check_banner(banner)
    except deck.DeckError as exc:
        problem = str(exc).removeprefix("--banner: ")
    st.download_button(
        "Download the briefing as PowerPoint",
        data=functools.partial(_deck, briefing, banner),
        file_name="briefing.pptx",
        mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
        key=Key.DECK,
        on_click="ignore",
        disabled=not briefing or problem is not None,
        help=problem
        or "A 16:9 deck: a slide per scene with its map, talking points in the speaker notes, "
        "the sources at the end, and the banner set under 'Export an image'.",
    )


def image_buttons(scene: Scene | None, state: FilterState) -> None:
    """The banner and one download button per image format."""
    st.text_input(
        "Banner (top and bottom)",
        key=Key.BANNER,
        max_chars=80,
        placeholder="e.g. UNCLASSIFIED",
    )
    for fmt, size, label, mime in IMAGES:
        st.download_button(
            label,
            data=functools.partial(_image, fmt, size, scene, state, st.session_state[Key.BANNER]),
            file_name=f"{scene.id if scene else 'briefing-map'}-{size}.{fmt}",
            mime=mime,
            key=export_button(fmt, size),
            on_click="ignore",
            width="stretch",
        )
    st.caption("Drawn from the same styles as the map, in a projection for the region.")
