#!/usr/bin/env bash
# corpus-realtext.sh builds a large folder of real text from what is on this machine, for
# measuring Docent at scale (cmd/bench sections realtext and curve, BENCHMARKS.md):
#
#   beir/scifact, beir/nfcorpus  the BEIR abstracts in ../shared/eval (beir-to-folder), when there
#   man/                         every manual page installed, in every language, roff markup
#                                stripped into Markdown (scripts/roff-to-markdown.pl); pages that
#                                only include another are left out
#   git-doc/                     Debian's git-doc HTML pages (the .txt sources of the same pages
#                                are left out), when installed (scripts/devset-doc.sh git-doc)
#   nodejs/                      Node.js's API reference as Markdown, when installed
#   go/                          `go doc -all` of every standard-library package, and the Go
#                                specification and memory model
#   doc/                         other packages' HTML, Markdown and text documentation
#                                (/usr/share/doc; no changelogs or licences), info manuals
#
# Files whose text is byte for byte another's are removed, so no passage is indexed twice from
# two copies (a manual page installed under two names, an abstract in both BEIR sets). What it
# holds depends on the packages installed: the count of files and words is printed at the end.
#
#   scripts/corpus-realtext.sh [DIR]    (default .data/realtext; DIR is replaced as a whole)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir="${1:-$root/.data/realtext}"
# The BEIR sets: BEIR as for `make eval`, else ../shared/eval beside the checkout or its worktree.
eval_dir="${BEIR:-}"
for d in "$root/../shared/eval" "$root/../../shared/eval"; do
  [ -n "$eval_dir" ] || [ ! -d "$d" ] || eval_dir=$d
done
say() { printf 'corpus-realtext: %s\n' "$*" >&2; }

# DIR is replaced as a whole: refuse one that this script did not make.
if [ -d "$dir" ] && [ -n "$(ls -A "$dir")" ] && [ ! -f "$dir/.corpus-realtext" ]; then
  say "$dir holds files this script did not write; give an empty or new folder"
  exit 1
fi
rm -rf "$dir"
mkdir -p "$dir"
echo "written by scripts/corpus-realtext.sh" >"$dir/.corpus-realtext" # hidden: not indexed

for set in scifact nfcorpus; do
  if [ -f "$eval_dir/$set/corpus.jsonl" ] && command -v python3 >/dev/null; then
    python3 "$eval_dir/beir-to-folder" "$eval_dir/$set/corpus.jsonl" "$dir/beir/$set" >/dev/null
  else
    say "no $eval_dir/$set/corpus.jsonl: BEIR $set left out"
  fi
done

find /usr/share/man -type f -name '*.gz' -print0 | sort -z |
  xargs -0 -n 500 perl "$root/scripts/roff-to-markdown.pl" "$dir/man" /usr/share/man

if [ -d /usr/share/doc/git-doc ]; then
  mkdir -p "$dir/git-doc"
  (cd /usr/share/doc/git-doc && find . -name '*.html' -print0 | tar --null -T - -cf -) | tar -C "$dir/git-doc" -xf -
fi

if [ -d /usr/share/doc/nodejs/api ]; then
  mkdir -p "$dir/nodejs"
  cp /usr/share/doc/nodejs/api/*.md "$dir/nodejs/" 2>/dev/null || true
  rm -f "$dir/nodejs/all.md" # every other page again, in one
fi

if command -v go >/dev/null; then
  mkdir -p "$dir/go"
  goroot=$(go env GOROOT)
  cp "$goroot"/doc/*.html "$dir/go/" 2>/dev/null || true
  for pkg in $(go list std | grep -v -e internal -e vendor); do
    go doc -all "$pkg" >"$dir/go/$(echo "$pkg" | tr / _).txt" 2>/dev/null || rm -f "$dir/go/$(echo "$pkg" | tr / _).txt"
  done
fi

# Other packages' documentation, not their changelogs, licences or the pages copied above.
find /usr/share/doc -type f \( -name '*.html' -o -name '*.md' -o -name '*.txt' -o -name '*.rst' \
  -o -name 'README*' -o -name 'NEWS*' -o -name '*.md.gz' -o -name '*.txt.gz' -o -name '*.rst.gz' \) \
  ! -path '/usr/share/doc/git-doc/*' ! -path '/usr/share/doc/nodejs/*' ! -path '/usr/share/doc/fonts-*' \
  ! -iname '*changelog*' ! -iname '*copying*' ! -iname '*license*' ! -iname '*licence*' -print0 |
  while IFS= read -r -d '' f; do
    rel=${f#/usr/share/doc/}
    case "$rel" in *.gz) rel=${rel%.gz} ;; esac
    case "$rel" in *.html | *.md | *.txt | *.rst) ;; *) rel="$rel.txt" ;; esac
    mkdir -p "$dir/doc/$(dirname "$rel")"
    case "$f" in *.gz) gzip -dc -- "$f" >"$dir/doc/$rel" ;; *) cp -- "$f" "$dir/doc/$rel" ;; esac
  done
if [ -d /usr/share/info ]; then
  mkdir -p "$dir/doc/info"
  for f in /usr/share/info/*.info*.gz; do
    [ -e "$f" ] || continue
    b=$(basename "$f" .gz)
    gzip -dc -- "$f" | tr -d '\037\010' >"$dir/doc/info/$b.txt"
  done
fi

# The same text twice, under two names, would be two passages a query finds twice: keep the
# first file (in path order) of each content.
find "$dir" -type f ! -name .corpus-realtext -print0 | sort -z | xargs -0 md5sum |
  awk 'seen[$1]++ { sub(/^[0-9a-f]+  /, ""); print }' | tr '\n' '\0' | xargs -0 -r rm -f --
find "$dir" -type f -empty -delete
say "$(find "$dir" -type f ! -name .corpus-realtext | wc -l) files, $(find "$dir" -type f ! -name .corpus-realtext -print0 | xargs -0 cat | wc -w) words in $dir"
for d in "$dir"/*/; do
  say "  $(basename "$d"): $(find "$d" -type f | wc -l) files, $(find "$d" -type f -print0 | xargs -0 cat | wc -w) words"
done
