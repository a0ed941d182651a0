"""Loading, validation, geometry and time filtering of the briefing data (no streamlit here)."""
