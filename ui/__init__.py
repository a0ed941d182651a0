"""The Streamlit pages: widgets, layout and callbacks only; the logic is in geo/, layers/, export/.

Dependencies point one way: ``app`` -> the pages (``map_page``, ``data_page``) -> their parts
(``sidebar``, ``map_view``, ``presenter``, ``briefing_editor``, ``exports``) -> ``filters`` ->
``context`` -> ``state``.
"""
