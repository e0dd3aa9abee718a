#!/usr/bin/env bash
# ensure-chromium.sh installs Debian's Chromium for the browser tests when it is missing.
# Where it cannot (not root and no sudo, or not Debian/Ubuntu) it prints what to do.
set -euo pipefail
for b in chromium chromium-browser google-chrome; do
  command -v "$b" >/dev/null 2>&1 && exit 0
done
[ -n "${DOCENT_CHROMIUM:-}" ] && [ -x "$DOCENT_CHROMIUM" ] && exit 0
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO=sudo; else SUDO=none; fi
fi
if [ "$SUDO" = none ] || ! command -v apt-get >/dev/null 2>&1; then
  cat >&2 <<'MSG'
ensure-chromium: the browser tests need Chromium. Install it, then run the tests again:
  Debian/Ubuntu:  apt-get install chromium
  macOS:          brew install --cask chromium   (then export DOCENT_CHROMIUM=/Applications/Chromium.app/Contents/MacOS/Chromium)
MSG
  exit 1
fi
echo "ensure-chromium: installing Debian's chromium for the browser tests" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium >/dev/null
