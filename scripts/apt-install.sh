#!/usr/bin/env bash
# apt-install.sh installs Debian packages a dev set's corpus is built from, as root or through
# passwordless sudo; where neither can, it says which packages to install and fails.
#
#   scripts/apt-install.sh WHO PACKAGE...     WHO prefixes its messages (the calling script)
set -euo pipefail
who=$1
shift
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO=sudo; else SUDO=none; fi
fi
if [ "$SUDO" = none ] || ! command -v apt-get >/dev/null 2>&1; then
  printf '%s: the corpus is Debian'"'"'s %s; install it (apt-get install %s) and run again\n' "$who" "$*" "$*" >&2
  exit 1
fi
printf "%s: installing Debian's %s\n" "$who" "$*" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
