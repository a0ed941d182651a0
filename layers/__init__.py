"""Map layers: one module each, in drawing order. Each exposes NAME, TITLE, build() and legend()."""

from layers import countries, sites

#: The layers in the order they are drawn (bottom first).
REGISTRY = (countries, sites)

__all__ = ["REGISTRY", "countries", "sites"]
