#!/usr/bin/env bash
# Install the Debian packages Congres needs, only those that are missing.
#   scripts/install_system_deps.sh runtime   # weasyprint's Pango/HarfBuzz, fonts, Node.js/npm
#   scripts/install_system_deps.sh test      # + Chromium, PostgreSQL server, Redis server, poppler
# The venv module's Debian package (python3-venv / python3.X-venv) is added only when the Python the
# Makefile uses cannot create a virtual environment (a pyenv or self-built Python brings its own).
set -euo pipefail
runtime=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-dejavu-core fonts-noto-core)
test=(chromium postgresql redis-server poppler-utils)
wanted=("${runtime[@]}")
[ "${1:-runtime}" = test ] && wanted+=("${test[@]}")
command -v npm >/dev/null 2>&1 || wanted+=(nodejs npm)

# Debian splits ensurepip (which `python -m venv` needs) into pythonX.Y-venv.
PY="${PYTHON:-$(command -v python3.11 || command -v python3 || true)}"
if [ -n "$PY" ] && ! "$PY" -c 'import ensurepip, venv' >/dev/null 2>&1; then
  real=$(readlink -f "$(command -v "$PY")")
  case "$real" in
    /usr/bin/python3.*) wanted+=("$(basename "$real")-venv") ;;  # e.g. python3.11-venv
    *) wanted+=(python3-venv) ;;
  esac
fi

missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing system packages: ${missing[*]}"
if [ "$(id -u)" != 0 ]; then
  echo "Not root: install them yourself (sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
