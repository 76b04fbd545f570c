#!/usr/bin/env bash
# Installs everything Quire needs on a Debian/Ubuntu machine: the engines and fonts from Debian's
# packages (through apt-get when run as root, else it prints the command), then the npm packages
# (which bring Node 24 through the `node` package). Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(
  libreoffice-writer-nogui libreoffice-calc-nogui libreoffice-impress-nogui libreoffice-draw-nogui
  python3-uno poppler-utils poppler-data qpdf util-linux
  fonts-liberation2 fonts-crosextra-carlito fonts-crosextra-caladea fonts-dejavu-core fonts-noto-core fonts-noto-cjk
  chromium
)

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    cmd="apt-get install -y --no-install-recommends ${missing[*]}"
    if [ "$(id -u)" -eq 0 ]; then
      echo "setup: installing Debian packages: ${missing[*]}"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $cmd
    else
      echo "setup: these Debian packages are missing; run as root:" >&2
      echo "  sudo apt-get update && sudo $cmd" >&2
      exit 1
    fi
  fi
else
  echo "setup: not a Debian/Ubuntu machine; install LibreOffice, poppler-utils, qpdf, Chromium and the fonts listed in scripts/setup.sh yourself" >&2
fi

# npm ci only when the lock file changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
