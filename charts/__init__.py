"""Charts shown beside the map (Altair / Vega-Lite specs; pure, no streamlit)."""

from charts.timeline import timeline_chart

__all__ = ["timeline_chart"]
