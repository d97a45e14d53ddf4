#!/usr/bin/env bash
# Debian packages Tagtrail needs outside Python: zbar (pyzbar), Pango (WeasyPrint),
# Chromium and fonts (browser tests, PDFs). Installs them when root, else prints the command.
set -euo pipefail
PACKAGES=(libzbar0 libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core fonts-liberation chromium)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  bash -c "$cmd"
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo bash -c "$cmd"
else
  echo "Tagtrail needs these Debian packages: ${missing[*]}" >&2
  echo "Run as root:  $cmd" >&2
  exit 1
fi
