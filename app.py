"""Briefing map: the Streamlit page. Widgets and layout only; logic lives in geo/ and layers/."""

from __future__ import annotations

import geopandas as gpd
import streamlit as st
from streamlit_folium import st_folium

from geo import settings
from geo.tables import load_sites
from layers import assets, compose

st.set_page_config(page_title="Briefing map", page_icon="🗺️", layout="wide")


@st.cache_resource(show_spinner=False)
def _install_static() -> str:
    # Not data: copies vendored scripts and outlines into ./static once per server process.
    return str(assets.install_static())


@st.cache_data(show_spinner=False)
def _sites(path: str) -> gpd.GeoDataFrame:
    return load_sites(path)


_install_static()
sites = _sites(str(settings.SITES_PATH))

st.title("Allied deployments: the High North and the eastern flank")
st_folium(
    compose.base_map(),
    key="map",
    height=settings.MAP_HEIGHT_PX,
    use_container_width=True,
    returned_objects=[],
    feature_group_to_add=compose.dynamic_layers(sites),
)
st.caption(
    "Outlines: Natural Earth (public domain). Deployments: the source documents listed in "
    "data/sources.csv."
)
