#!/usr/bin/env bash
# Set up (first time) and run every check: ruff, mypy and the whole pytest suite,
# real-browser tests included (Debian's chromium, installed here when missing).
# Usage: bash scripts/test.sh [extra pytest options]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh

# Debian's chromium drives the browser tests; the emoji font draws the nations' flags in the
# screenshots they save.
if [ ! -x /usr/bin/chromium ] || ! dpkg -s fonts-noto-color-emoji >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    echo "Installing Debian's chromium and emoji font for the browser tests..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-color-emoji >/dev/null
  elif [ ! -x /usr/bin/chromium ]; then
    echo "Debian's chromium is missing: run 'sudo apt-get install chromium' first." >&2
    exit 1
  fi
fi

ensure_venv requirements-dev.txt
"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check .
"$VENV/bin/mypy"
exec "$VENV/bin/python" -m pytest "$@"
