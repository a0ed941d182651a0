#!/usr/bin/env bash
# Set up (first time) and start the briefing map on http://localhost:8501.
# Usage: bash scripts/run.sh [extra streamlit options, e.g. --server.port 8600]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
ensure_venv requirements.txt
exec "$VENV/bin/streamlit" run app.py "$@"
