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
    "$PYTHON" -m venv "$VENV"
  fi
  # Reinstall only when the pins changed since the last successful install.
  local stamp="$VENV/.installed-$(basename "$req")"
  if [ ! -f "$stamp" ] || [ -n "$(find requirements*.txt constraints.txt -newer "$stamp" 2>/dev/null)" ]; then
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req" -c constraints.txt
    touch "$stamp"
  fi
}
