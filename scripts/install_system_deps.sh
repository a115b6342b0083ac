#!/usr/bin/env bash
# Install the Debian packages Congres needs, only those that are missing.
#   scripts/install_system_deps.sh runtime   # weasyprint's Pango/HarfBuzz, fonts, Node.js/npm
#   scripts/install_system_deps.sh test      # + Chromium, PostgreSQL server, poppler
set -euo pipefail
runtime=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-dejavu-core fonts-noto-core)
test=(chromium postgresql poppler-utils)
wanted=("${runtime[@]}")
[ "${1:-runtime}" = test ] && wanted+=("${test[@]}")
command -v npm >/dev/null 2>&1 || wanted+=(nodejs npm)

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
