"""Benchmark of the briefing map against a naive tutorial-style Streamlit + Folium app."""
