#!/usr/bin/env bash
# ensure-postgres.sh makes sure PostgreSQL (>= 15) and pgvector (>= 0.8) are installed.
#
# It installs only what is missing, so a second run returns in well under a second. Debian
# bookworm ships no pgvector binary package, so pgvector is built from Debian trixie's source
# package (0.8.0) against the installed server. Where it cannot install (not root and no sudo,
# or not Debian/Ubuntu) it stops and prints the exact commands to run instead.
set -euo pipefail

PGVECTOR_MIN="0.8.0"

say() { printf 'ensure-postgres: %s\n' "$*" >&2; }

pg_bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ] && { pg_config --bindir; return 0; }
  return 1
}

pg_major() { "$1/postgres" --version | sed -E 's/.* ([0-9]+)(\.[0-9]+)?.*/\1/'; }

vector_installed() {
  local bindir=$1 sharedir
  sharedir=$("$bindir/pg_config" --sharedir 2>/dev/null || echo "/usr/share/postgresql/$(pg_major "$bindir")")
  local control="$sharedir/extension/vector.control"
  [ -f "$control" ] || return 1
  local v
  v=$(sed -nE "s/^default_version *= *'([^']+)'.*/\1/p" "$control")
  [ "$(printf '%s\n%s\n' "$PGVECTOR_MIN" "$v" | sort -V | head -1)" = "$PGVECTOR_MIN" ]
}

manual_steps() {
  cat >&2 <<'MSG'
ensure-postgres: cannot install PostgreSQL/pgvector automatically here.
Install them yourself, then run the command again:

  Debian/Ubuntu (as root):
    apt-get update && apt-get install -y postgresql postgresql-server-dev-all build-essential
    # pgvector: 'apt-get install postgresql-NN-pgvector' where your release has it; on Debian
    # bookworm build it from trixie's source package:
    echo 'deb-src http://deb.debian.org/debian trixie main' > /etc/apt/sources.list.d/trixie-src.list
    apt-get update && cd /tmp && apt-get source --download-only pgvector
    tar xf pgvector_*.orig.tar.* && cd pgvector-*/ && make PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config && make install

  macOS (Homebrew):
    brew install postgresql@17 pgvector && brew link --force postgresql@17

Or point Docent at an existing PostgreSQL with pgvector and skip all of this:
    export DATABASE_URL=postgres://user:pass@host:5432/docent
MSG
  exit 1
}

SUDO=""
can_install() {
  [ -r /etc/debian_version ] && command -v apt-get >/dev/null 2>&1 || return 1
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; return 0; fi
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo"; return 0; fi
  return 1
}

apt_updated=""
apt_update() {
  [ -n "$apt_updated" ] && return 0
  say "apt-get update"
  $SUDO apt-get update -qq
  apt_updated=1
}

bindir=$(pg_bindir || true)
if [ -n "$bindir" ] && vector_installed "$bindir"; then
  exit 0
fi
can_install || manual_steps

export DEBIAN_FRONTEND=noninteractive
if [ -z "$bindir" ]; then
  say "installing PostgreSQL from Debian's packages"
  apt_update
  $SUDO apt-get install -y -qq postgresql >/dev/null
  bindir=$(pg_bindir) || { say "PostgreSQL installed but initdb not found"; exit 1; }
fi
major=$(pg_major "$bindir")
if [ "$major" -lt 15 ]; then
  say "PostgreSQL $major is too old: Docent needs 15 or newer"; exit 1
fi
vector_installed "$bindir" && exit 0

# A binary package first (Ubuntu, Debian trixie and later, PGDG); else build from source.
apt_update
if apt-cache show "postgresql-$major-pgvector" >/dev/null 2>&1 &&
   $SUDO apt-get install -y -qq "postgresql-$major-pgvector" >/dev/null 2>&1 && vector_installed "$bindir"; then
  say "installed postgresql-$major-pgvector"
  exit 0
fi

say "building pgvector from Debian trixie's source package"
$SUDO apt-get install -y -qq "postgresql-server-dev-$major" build-essential dpkg-dev >/dev/null
srclist=/etc/apt/sources.list.d/docent-trixie-src.list
if ! grep -rqs "deb-src.*trixie" /etc/apt/sources.list /etc/apt/sources.list.d/; then
  echo "deb-src http://deb.debian.org/debian trixie main" | $SUDO tee "$srclist" >/dev/null
  apt_updated=""
  apt_update
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get source --download-only -qq pgvector >/dev/null)
tarball=$(ls "$work"/pgvector_*.orig.tar.* | head -1)
tar -xf "$tarball" -C "$work"
src=$(find "$work" -maxdepth 1 -type d -name 'pgvector-*' | head -1)
make -s -C "$src" PG_CONFIG="$bindir/pg_config" >/dev/null
$SUDO make -s -C "$src" PG_CONFIG="$bindir/pg_config" install >/dev/null
vector_installed "$bindir" || { say "pgvector build finished but the extension is not installed"; exit 1; }
say "pgvector $(sed -nE "s/^default_version *= *'([^']+)'.*/\1/p" "$("$bindir/pg_config" --sharedir)/extension/vector.control") installed"
