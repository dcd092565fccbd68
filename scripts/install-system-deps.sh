#!/usr/bin/env bash
# Debian/Ubuntu packages PQM needs: Pango for WeasyPrint, HarfBuzz subsetting (20x faster
# PDFs), a CJK font (never boxes), an emoji font (notes with emoji print them, ~20 KB per
# distinct emoji in a PDF), poppler-utils (PDF to PNG in tests), python3-venv.
# Installs the missing ones when run as root; otherwise prints the one command to run.
set -euo pipefail

PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-noto-cjk
          fonts-noto-color-emoji poppler-utils tmux sqlite3)
python3 -c 'import ensurepip, venv' 2>/dev/null || PACKAGES+=(python3-venv)

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "install-system-deps: not a Debian/Ubuntu system; install Pango, HarfBuzz, a CJK font" \
       "(Noto Sans CJK SC) and poppler-utils with your package manager." >&2
  exit 0
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "PQM needs these system packages. Run this once, then try again:" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
