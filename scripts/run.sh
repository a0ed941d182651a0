#!/usr/bin/env bash
# Set up (first time) and start the briefing map on http://localhost:8501.
# Usage: bash scripts/run.sh [extra streamlit options, e.g. --server.port 8600]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
ensure_venv requirements.txt
# The served folder (Leaflet, the outlines, the map's script and stylesheet) is filled before
# the server starts, so its first request already finds everything.
"$VENV/bin/python" -m layers.static
exec "$VENV/bin/streamlit" run app.py "$@"
