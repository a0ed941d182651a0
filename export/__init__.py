"""Static export: slide-ready images (PNG, SVG, PDF) of a view, without a browser or internet.

``export.render.render(state, fmt="png")`` draws what the interactive map shows for a
:class:`~geo.filters.FilterState`, from the same data and style constants; a
:class:`~export.render.Renderer` draws many images with one read of the outlines;
``python -m export`` does the same from the command line. (The function is not re-exported
here: ``export.render`` stays the module.)
"""

from export.render import Drawing, Renderer

__all__ = ["Drawing", "Renderer"]
