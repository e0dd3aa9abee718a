#!/usr/bin/env bash
# devset-manpages.sh prepares the multilingual dev sets' corpus (testdata/manpages-de, -fr,
# -zh): the user commands (section 1) of Debian's German, French and Chinese manual pages
# (manpages-de, manpages-fr, manpages-zh), installed with apt-get only when missing, rendered to
# plain text into DIR (default .data/devsets/manpages) as de/NAME.txt, fr/NAME.txt and
# zh/NAME.txt, so that document paths are the qrels' corpus ids. One corpus holds all three
# languages, as a multilingual intranet does: a German question must find the German page, not
# its French or Chinese translation. Each file starts with the page's NAME line (its title),
# then the rendered page without hyphenation, one paragraph a line.
#
#   scripts/devset-manpages.sh [DIR]              prepare DIR, then index it as source
#                                                 manpages into DATABASE_URL (the local
#                                                 cluster if unset)
#   scripts/devset-manpages.sh --no-index DIR     only prepare DIR (what `make eval` uses)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
index=1
if [ "${1:-}" = "--no-index" ]; then index=0; shift; fi
dir="${1:-$root/.data/devsets/manpages}"
# The versions the questions and judgments were written against (testdata/manpages-de/README.md).
written_for="manpages-de=4.18.1-1 manpages-fr=4.18.1-1 manpages-zh=1.6.4.0-1"

say() { printf 'devset-manpages: %s\n' "$*" >&2; }

declare -A mandir=([de]=/usr/share/man/de/man1 [fr]=/usr/share/man/fr/man1 [zh]=/usr/share/man/zh_CN/man1)
missing=()
for p in manpages-de manpages-fr manpages-zh; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
command -v groff >/dev/null 2>&1 || missing+=(groff-base)
if [ ${#missing[@]} -gt 0 ]; then
  "$root/scripts/apt-install.sh" devset-manpages "${missing[@]}"
fi
installed=$(dpkg-query -W -f='${Package}=${Version} ' manpages-de manpages-fr manpages-zh | sed 's/ $//')
[ "$installed" = "$written_for" ] ||
  say "installed: $installed; the judgments were written for $written_for (scores may differ)"

# DIR is replaced as a whole: refuse one that holds anything this script did not put there.
if [ -d "$dir" ] && [ -n "$(find "$dir" -type f ! -name '*.txt' -print -quit)" ]; then
  say "$dir holds files other than rendered pages; give an empty or new folder"
  exit 1
fi
rm -rf "$dir"

# Rendering runs groff once per page (about ten minutes on two busy cores), so the rendered
# pages are kept in a cache named for the package versions and copied from there.
# Two runs at once (two `make eval`s) take turns on a lock, so the second copies what the first
# rendered instead of rendering again, and each renders into a directory of its own.
cache="${XDG_CACHE_HOME:-$HOME/.cache}/docent/manpages-$(echo "$installed" | tr ' =' '_-')"
mkdir -p "$(dirname "$cache")"
exec 9>"$cache.lock"
flock 9
if [ -f "$cache/.complete" ]; then
  mkdir -p "$dir"
  cp -r "$cache"/de "$cache"/fr "$cache"/zh "$dir"/
  say "$(find "$dir" -name '*.txt' | wc -l) pages in $dir (from $cache)"
else
  want="$dir"
  dir=$(mktemp -d "$cache.tmp.XXXXXX")
  trap 'rm -rf "$dir"' EXIT

# render LANG PAGE.gz writes DIR/LANG/NAME.txt: the NAME line as title, then the page body
# (groff without hyphenation, so no word is split across lines, and with a line length long
# enough that each paragraph is one line; the running header and footer are dropped).
render() {
  local lang=$1 page=$2 name out
  name=$(basename "$page" .gz)
  out="$dir/$lang/${name%.1}.txt"
  zcat "$page" | preconv 2>/dev/null | groff -mandoc -Tutf8 -rHY=0 -rLL=2000n -P-cbou 2>/dev/null |
    sed -E 's/[[:space:]]+$//; s/^ +//; s/ {2,}/ /g' | awk -v first=1 '
      NR == 1 { next }                          # running header: NAME(1) section NAME(1)
      { lines[++n] = $0 }
      END {
        while (n > 0 && lines[n] == "") n--
        n--                                     # running footer: version, date, NAME(1)
        title = ""
        for (i = 1; i <= n; i++) if (lines[i] != "" && i > 1 && title == "" && lines[i-1] ~ /^[^a-z]+$/ && lines[i-1] != "") { title = lines[i]; break }
        if (title == "") title = FILENAME
        print title; print ""
        start = 1; while (start <= n && lines[start] == "") start++
        for (i = start; i <= n; i++) print lines[i]
      }' >"$out.tmp"
  if [ -s "$out.tmp" ]; then mv "$out.tmp" "$out"; else rm -f "$out.tmp"; fi
}
export -f render
export dir
for lang in de fr zh; do
  mkdir -p "$dir/$lang"
  find "${mandir[$lang]}" -name '*.1.gz' -print0 | sort -z |
    xargs -0 -P "$(nproc)" -I{} bash -c 'render '"$lang"' "$1"' _ {}
done
touch "$dir/.complete"
rm -rf "$cache"
mv "$dir" "$cache"
trap - EXIT
dir="$want"
mkdir -p "$dir"
cp -r "$cache"/de "$cache"/fr "$cache"/zh "$dir"/
say "$(find "$dir" -name '*.txt' | wc -l) pages in $dir"
fi

[ "$index" = 1 ] || exit 0
if [ -z "${DATABASE_URL:-}" ]; then
  DATABASE_URL=$("$root/scripts/localdb.sh" docent_manpages)
  export DATABASE_URL
fi
cd "$root"
[ -x bin/indexer ] || go build -o bin/ ./cmd/...
if ! bin/indexer sources list | grep -q '^manpages '; then
  bin/indexer sources add manpages "$dir"
fi
bin/indexer index manpages
