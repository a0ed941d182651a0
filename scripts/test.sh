#!/usr/bin/env bash
# Set up (first time) and run every check: ruff, mypy and the whole pytest suite,
# real-browser tests included.
# Usage: bash scripts/test.sh [extra pytest options]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh

# Debian packages the tests use, each with why (the README lists them too). Installed here when
# missing, as root; the app itself needs none of them.
SYSTEM_PACKAGES=(
  "chromium:the real-browser tests drive Debian's headless Chromium"
  "fonts-noto-color-emoji:the nations' flags in the browser tests' screenshots"
  "libreoffice-impress:the deck test opens the PowerPoint deck in headless LibreOffice Impress (to PDF)"
  "poppler-utils:pdftoppm draws that PDF's pages as PNGs to check each slide"
)
missing=()
for entry in "${SYSTEM_PACKAGES[@]}"; do
  name="${entry%%:*}"
  dpkg -s "$name" >/dev/null 2>&1 || missing+=("$entry")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "The tests need these Debian packages, not installed yet:"
  for entry in "${missing[@]}"; do echo "  ${entry%%:*}: ${entry#*:}"; done
  if [ "$(id -u)" != 0 ]; then
    echo "Install them as root (apt-get install ${missing[*]%%:*}), then run this again." >&2
    exit 1
  fi
  echo "Installing them with apt-get..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]%%:*}" >/dev/null
  echo "Debian packages ready."
fi

ensure_venv requirements-dev.txt
"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check .
"$VENV/bin/mypy"
exec "$VENV/bin/python" -m pytest "$@"
