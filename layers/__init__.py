"""Map layers: one module each, in drawing order. Each exposes NAME, TITLE, build() and legend()."""

from layers import contributions, countries, deployments, events, overlays, sea_areas, sites

#: The layers in the order they are drawn (bottom first). The first four are static (drawn
#: once with the base map); the rest follow the filters (pushed into the mounted map).
REGISTRY = (countries, sea_areas, overlays, sites, contributions, deployments, events)

__all__ = [
    "REGISTRY",
    "contributions",
    "countries",
    "deployments",
    "events",
    "overlays",
    "sea_areas",
    "sites",
]
