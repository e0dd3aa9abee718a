#!/usr/bin/env bash
# devset-doc.sh prepares the corpus of a dev set built from a Debian documentation package: a
# software manual in HTML, as an intranet holds one. The package is installed with apt-get only
# when missing; its HTML pages are copied into DIR (default .data/devsets/SET) with their
# folders, so that document paths are the qrels' corpus ids.
#
#   git-doc     testdata/git-doc: Debian's git-doc, 242 pages (manual pages, the user manual,
#               guides, howto/, technical/). Its .txt files are the AsciiDoc sources of the
#               same pages and are left out: each page would otherwise be indexed twice.
#   python-doc  testdata/python-doc: Debian's python3.11-doc, the Python 3.11 documentation,
#               530 Sphinx pages (library reference, tutorial, HOWTOs, FAQ, C API, what's new,
#               and the generated index pages, as a copy of the site holds them).
#   sqlite-doc  testdata/sqlite-doc: Debian's sqlite3-doc, the SQLite 3.40 website's documentation,
#               766 pages (SQL syntax and functions, pragmas, the C API's c3ref/ pages, the
#               command-line shell, file format, FTS5, JSON, WAL, and releaselog/ for every
#               release), installed under the sqlite3 package's doc folder.
#
#   scripts/devset-doc.sh SET [DIR]              prepare DIR, then index it as source SET into
#                                                DATABASE_URL (the local cluster if unset)
#   scripts/devset-doc.sh SET --no-index DIR     only prepare DIR (what `make eval` uses)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
set=${1:-}
shift || true
# package, its HTML folder, and the version the questions and judgments were written against
# (the set's README).
case "$set" in
  git-doc) pkg=git-doc pkgdoc=/usr/share/doc/git-doc written_for="1:2.39.5-0+deb12u3" ;;
  python-doc) pkg=python3.11-doc pkgdoc=/usr/share/doc/python3.11/html written_for="3.11.2-6+deb12u9" ;;
  sqlite-doc) pkg=sqlite3-doc pkgdoc=/usr/share/doc/sqlite3 written_for="3.40.1-2+deb12u2" ;;
  *) echo "usage: scripts/devset-doc.sh git-doc|python-doc|sqlite-doc [--no-index] [DIR]" >&2; exit 2 ;;
esac
index=1
if [ "${1:-}" = "--no-index" ]; then index=0; shift; fi
dir="${1:-$root/.data/devsets/$set}"

say() { printf 'devset-doc: %s\n' "$*" >&2; }

if [ -z "$(find "$pkgdoc" -maxdepth 1 -name '*.html' -print -quit 2>/dev/null)" ]; then
  "$root/scripts/apt-install.sh" devset-doc "$pkg"
fi
version=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null || echo unknown)
[ "$version" = "$written_for" ] ||
  say "$pkg $version is installed; the judgments were written for $written_for (scores may differ)"

# DIR is replaced as a whole: refuse one that holds anything this script did not put there.
if [ -d "$dir" ] && [ -n "$(find "$dir" -type f ! -name '*.html' -print -quit)" ]; then
  say "$dir holds files other than HTML pages; give an empty or new folder"
  exit 1
fi
rm -rf "$dir"
mkdir -p "$dir"
(cd "$pkgdoc" && find -L . -name '*.html' -print0 | tar --null -T - -chf -) | tar -C "$dir" -xf -
say "$(find "$dir" -name '*.html' | wc -l) HTML pages in $dir"

[ "$index" = 1 ] || exit 0
if [ -z "${DATABASE_URL:-}" ]; then
  DATABASE_URL=$("$root/scripts/localdb.sh" "docent_${set//-/_}")
  export DATABASE_URL
fi
cd "$root"
[ -x bin/indexer ] || go build -o bin/ ./cmd/...
if ! bin/indexer sources list | grep -q "^$set "; then
  bin/indexer sources add "$set" "$dir"
fi
bin/indexer index "$set"
