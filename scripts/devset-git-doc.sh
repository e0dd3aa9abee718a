#!/usr/bin/env bash
# devset-git-doc.sh prepares the git-doc dev set's corpus (testdata/git-doc): Debian's git-doc
# package, installed with apt-get only when missing, its HTML pages copied into DIR (default
# .data/devsets/git-doc) with their folders, so that document paths are the qrels' corpus ids.
# The package's .txt files are the AsciiDoc sources of the same pages and are left out: each
# page would otherwise be indexed twice under two ids.
#
#   scripts/devset-git-doc.sh [DIR]              prepare DIR, then index it as source git-doc
#                                                into DATABASE_URL (the local cluster if unset)
#   scripts/devset-git-doc.sh --no-index DIR     only prepare DIR (what `make eval` uses)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
index=1
if [ "${1:-}" = "--no-index" ]; then index=0; shift; fi
dir="${1:-$root/.data/devsets/git-doc}"
pkgdoc=/usr/share/doc/git-doc
# The version the questions and judgments were written against (testdata/git-doc/README.md).
written_for="1:2.39.5-0+deb12u3"

say() { printf 'devset-git-doc: %s\n' "$*" >&2; }

if [ ! -f "$pkgdoc/git-add.html" ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO=sudo; else SUDO=none; fi
  fi
  if [ "$SUDO" = none ] || ! command -v apt-get >/dev/null 2>&1; then
    say "the corpus is Debian's git-doc package; install it (apt-get install git-doc) and run again"
    exit 1
  fi
  say "installing Debian's git-doc"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends git-doc >/dev/null
fi
version=$(dpkg-query -W -f='${Version}' git-doc 2>/dev/null || echo unknown)
[ "$version" = "$written_for" ] ||
  say "git-doc $version is installed; the judgments were written for $written_for (scores may differ)"

# DIR is replaced as a whole: refuse one that holds anything this script did not put there.
if [ -d "$dir" ] && [ -n "$(find "$dir" -type f ! -name '*.html' -print -quit)" ]; then
  say "$dir holds files other than HTML pages; give an empty or new folder"
  exit 1
fi
rm -rf "$dir"
mkdir -p "$dir"
(cd "$pkgdoc" && find . -name '*.html' -print0 | tar --null -T - -cf -) | tar -C "$dir" -xf -
say "$(find "$dir" -name '*.html' | wc -l) HTML pages in $dir"

[ "$index" = 1 ] || exit 0
if [ -z "${DATABASE_URL:-}" ]; then
  DATABASE_URL=$("$root/scripts/localdb.sh" docent_git_doc)
  export DATABASE_URL
fi
cd "$root"
[ -x bin/indexer ] || go build -o bin/ ./cmd/...
if ! bin/indexer sources list | grep -q '^git-doc '; then
  bin/indexer sources add git-doc "$dir"
fi
bin/indexer index git-doc
