# Shared by run.sh and test.sh: one virtual environment in .venv, installed from the pins.
VENV="${VENV:-.venv}"
PYTHON="${PYTHON:-python3.11}"

ensure_venv() {
  local req="$1"
  if ! command -v "$PYTHON" >/dev/null 2>&1; then
    echo "Python 3.11 is needed ($PYTHON not found)." >&2
    exit 1
  fi
  if [ ! -x "$VENV/bin/python" ]; then
    echo "Creating the virtual environment in $VENV..."
    "$PYTHON" -m venv "$VENV"
  fi
  # Reinstall only when the pins changed since the last successful install.
  local stamp="$VENV/.installed-$(basename "$req")"
  if [ ! -f "$stamp" ] || [ -n "$(find requirements*.txt constraints.txt -newer "$stamp" 2>/dev/null)" ]; then
    echo "Installing the pinned Python packages of $req (the first time takes a minute or two)..."
    # One line per package as pip goes (not --quiet), so a first install shows its progress;
    # the pipeline fails when pip does (the callers set -o pipefail).
    "$VENV/bin/python" -m pip install --disable-pip-version-check --progress-bar off \
      -r "$req" -c constraints.txt 2>&1 \
      | awk '/^(Collecting|Installing collected|Successfully|ERROR)/ {print "  " $0; fflush()}'
    touch "$stamp"
    echo "Python packages ready."
  fi
}
