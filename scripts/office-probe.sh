#!/usr/bin/env bash
# Builds the office-probe corpus (testdata/office-probe/html converted by LibreOffice into
# .docx, .pdf, .odt and .xlsx, as an intranet folder holds them), indexes it into a database of
# its own and runs the probe's questions through retrieval and the extractive answers.
#
#   scripts/office-probe.sh postgres://docent@127.0.0.1:54329/probe_office?sslmode=disable
#
# Needs soffice with Writer and Calc (Debian: libreoffice-writer-nogui, libreoffice-calc-nogui),
# bin/indexer (make build) and an empty database with pgvector at the URL given.
set -euo pipefail
url=${1:?usage: $0 DATABASE_URL}
root=$(cd "$(dirname "$0")/.." && pwd)
src=$root/testdata/office-probe
out=$(mktemp -d)
export HOME=$out/lo # a LibreOffice profile of its own
writer=(soffice --headless --infilter="HTML (StarWriter)")
cd "$src/html"
"${writer[@]}" --convert-to docx:"MS Word 2007 XML" --outdir "$out/corpus" travel-expenses.html password-mfa.html procurement.html benefits-2026.html >/dev/null
"${writer[@]}" --convert-to pdf:writer_pdf_Export --outdir "$out/corpus" vpn-setup.html onboarding.html incident-response.html >/dev/null
"${writer[@]}" --convert-to odt:writer8 --outdir "$out/corpus" leave-policy.html facilities.html remote-work.html >/dev/null
soffice --headless --infilter=calc_HTML_WebQuery --convert-to xlsx --outdir "$out/corpus" holidays-2026.html >/dev/null
export DATABASE_URL=$url
"$root/bin/indexer" sources add office "$out/corpus"
"$root/bin/indexer" index office
"$root/bin/indexer" eval --source office --queries "$src/questions.jsonl" --qrels "$src/qrels.tsv" \
	--negatives "$src/unanswerable.jsonl" --answers --facts "$src/facts.tsv" --decisions "$out/decisions.tsv"
column -t -s $'\t' "$out/decisions.tsv"
echo "corpus: $out/corpus"
