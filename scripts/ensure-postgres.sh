#!/usr/bin/env bash
# ensure-postgres.sh makes sure PostgreSQL (>= 15) and pgvector (>= 0.8) are installed.
#
# It installs only what is missing, so a second run returns in well under a second. Debian
# bookworm ships no pgvector binary package, so pgvector is built from source against the
# installed server: pgvector's own release source as the Go module proxy serves it (the go
# command verifies it against the checksum database), else Debian trixie's source package
# (0.8.0). The release matters: pgvector before 0.8.2 overflows a buffer in parallel HNSW
# builds (CVE-2026-3172), so Docent builds on one core there, and 0.8.3/0.8.4 fix index
# corruption when VACUUM cleans an HNSW index after deletions. A 0.8.0/0.8.1 this script built
# earlier is therefore upgraded; one from a distribution package is left alone, with a note.
# Where it cannot install (not root and no sudo, or not Debian/Ubuntu) it stops and prints the
# exact commands to run instead.
set -euo pipefail

PGVECTOR_MIN="0.8.0"
PGVECTOR_SAFE="0.8.2"      # parallel HNSW builds are safe from here on
PGVECTOR_RELEASE="0.8.6"   # what this script builds where no binary package exists

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

vector_control() {
  local bindir=$1 sharedir
  sharedir=$("$bindir/pg_config" --sharedir 2>/dev/null || echo "/usr/share/postgresql/$(pg_major "$bindir")")
  echo "$sharedir/extension/vector.control"
}

# vector_version prints the installed pgvector's version (empty when none is installed).
vector_version() {
  local control
  control=$(vector_control "$1")
  [ -f "$control" ] || return 0
  sed -nE "s/^default_version *= *'([^']+)'.*/\1/p" "$control"
}

# at_least A B succeeds when version A >= B.
at_least() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -1)" = "$2" ]; }

vector_installed() {
  local v
  v=$(vector_version "$1")
  [ -n "$v" ] && at_least "$v" "$PGVECTOR_MIN"
}

# vector_outdated succeeds when an installed pgvector predates the parallel-build fix and was
# not installed by a distribution package (so this script, or someone by hand, built it).
vector_outdated() {
  local v
  v=$(vector_version "$1")
  [ -n "$v" ] && ! at_least "$v" "$PGVECTOR_SAFE" || return 1
  if command -v dpkg >/dev/null 2>&1 && dpkg -S "$(vector_control "$1")" >/dev/null 2>&1; then
    say "pgvector $v comes from a package: HNSW indexes are built on one core until it is $PGVECTOR_SAFE or newer"
    return 1
  fi
  return 0
}

manual_steps() {
  cat >&2 <<'MSG'
ensure-postgres: cannot install PostgreSQL/pgvector automatically here.
Install them yourself, then run the command again:

  Debian/Ubuntu (as root):
    apt-get update && apt-get install -y postgresql postgresql-server-dev-all build-essential
    # pgvector: 'apt-get install postgresql-NN-pgvector' where your release has it; on Debian
    # bookworm build 0.8.6 from its source through the Go module proxy:
    cp -R "$(cd /tmp && go mod download -json github.com/pgvector/pgvector@v0.8.6 | sed -nE 's/.*"Dir": "(.*)",/\1/p')" /tmp/pgvector
    chmod -R u+w /tmp/pgvector && cd /tmp/pgvector && make PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config && make install
    # or 0.8.0 from trixie's source package (HNSW indexes are then built on one core):
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
if [ -n "$bindir" ] && vector_installed "$bindir" && ! vector_outdated "$bindir"; then
  exit 0
fi
if [ -n "$bindir" ] && vector_installed "$bindir" && ! can_install; then
  say "pgvector $(vector_version "$bindir") builds HNSW indexes on one core; install $PGVECTOR_RELEASE as root to build them in parallel"
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
vector_installed "$bindir" && ! vector_outdated "$bindir" && exit 0

# build_pgvector DIR builds and installs the pgvector source in DIR against this server.
# Each step must succeed: called in a condition, the function runs without set -e.
build_pgvector() {
  apt_update &&
    $SUDO apt-get install -y -qq "postgresql-server-dev-$major" build-essential >/dev/null &&
    make -s -C "$1" PG_CONFIG="$bindir/pg_config" >/dev/null &&
    $SUDO make -s -C "$1" PG_CONFIG="$bindir/pg_config" install >/dev/null
}

# pgvector's release source from the Go module proxy: the one network source besides Debian's
# that reaches every machine Docent is built on. The module's hash is pinned here and compared
# with what the go command reports, whatever GOSUMDB, GONOSUMDB or GOPROXY say; the download
# is given two minutes, so an unreachable proxy costs a run no more.
PGVECTOR_SUM="h1:6sfeu20BrrzDH+jB/mteFbbk32+HzvSN2y6Fd81TFN8="
pgvector_from_go_proxy() {
  command -v go >/dev/null 2>&1 || { say "no go command: pgvector $PGVECTOR_RELEASE is built from the Go module proxy's copy"; return 1; }
  local json dir sum work
  json=$(cd /tmp && GOFLAGS=-mod=mod timeout 120 go mod download -json "github.com/pgvector/pgvector@v$PGVECTOR_RELEASE" 2>/dev/null) || return 1
  dir=$(printf '%s\n' "$json" | sed -nE 's/^[[:space:]]*"Dir": "(.*)",?$/\1/p')
  sum=$(printf '%s\n' "$json" | sed -nE 's/^[[:space:]]*"Sum": "(.*)",?$/\1/p')
  if [ "$sum" != "$PGVECTOR_SUM" ]; then
    say "pgvector $PGVECTOR_RELEASE from the Go module proxy has hash '$sum', not $PGVECTOR_SUM: not built"
    return 1
  fi
  [ -n "$dir" ] && [ -f "$dir/vector.control" ] || return 1
  work=$(mktemp -d)
  cp -R "$dir/." "$work" && chmod -R u+w "$work"
  if build_pgvector "$work"; then rm -rf "$work"; return 0; fi
  rm -rf "$work"
  return 1
}

if vector_installed "$bindir"; then
  # A failed upgrade is not tried again for a day: make test and make run call this script
  # each time, and an offline machine would wait on the proxy at every one.
  failed="${XDG_CACHE_HOME:-$HOME/.cache}/docent/pgvector-$PGVECTOR_RELEASE-upgrade-failed"
  if [ -n "$(find "$failed" -mmin -1440 2>/dev/null)" ]; then
    exit 0
  fi
  say "upgrading pgvector $(vector_version "$bindir") to $PGVECTOR_RELEASE (parallel HNSW builds, HNSW vacuum fixes)"
  if pgvector_from_go_proxy && at_least "$(vector_version "$bindir")" "$PGVECTOR_SAFE"; then
    say "pgvector $(vector_version "$bindir") installed; restart running Docent servers and indexers, whose open connections keep the old library"
  else
    mkdir -p "$(dirname "$failed")" && touch "$failed" || true
    say "could not build pgvector $PGVECTOR_RELEASE: HNSW indexes stay on one core (tried again after a day, or now once $failed is removed)"
  fi
  exit 0
fi

# A binary package first (Ubuntu, Debian trixie and later, PGDG); else build from source.
apt_update
if apt-cache show "postgresql-$major-pgvector" >/dev/null 2>&1 &&
   $SUDO apt-get install -y -qq "postgresql-$major-pgvector" >/dev/null 2>&1 && vector_installed "$bindir"; then
  say "installed postgresql-$major-pgvector"
  exit 0
fi

say "building pgvector $PGVECTOR_RELEASE from its source (Go module proxy)"
if pgvector_from_go_proxy && vector_installed "$bindir"; then
  say "pgvector $(vector_version "$bindir") installed"
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
build_pgvector "$src"
vector_installed "$bindir" || { say "pgvector build finished but the extension is not installed"; exit 1; }
say "pgvector $(sed -nE "s/^default_version *= *'([^']+)'.*/\1/p" "$("$bindir/pg_config" --sharedir)/extension/vector.control") installed"
