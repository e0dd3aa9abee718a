#!/usr/bin/env bash
# Rebuilds the office-probe corpus, testdata/office-probe/corpus: the policies of
# testdata/office-probe/html converted by LibreOffice into .docx, .pdf, .odt and .xlsx, as an
# intranet folder holds them. The converted files are committed (make eval indexes them as the
# office-probe dev set), so this is needed only when the HTML changes or to see what another
# LibreOffice writes.
#
#   scripts/office-probe.sh
#
# Needs soffice with Writer and Calc (Debian: libreoffice-writer-nogui, libreoffice-calc-nogui).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
src=$root/testdata/office-probe
out=$src/corpus
HOME=$(mktemp -d) # a LibreOffice profile of its own
export HOME
writer=(soffice --headless --infilter="HTML (StarWriter)")
rm -rf "$out"
cd "$src/html"
"${writer[@]}" --convert-to docx:"MS Word 2007 XML" --outdir "$out" travel-expenses.html password-mfa.html procurement.html benefits-2026.html >/dev/null
"${writer[@]}" --convert-to pdf:writer_pdf_Export --outdir "$out" vpn-setup.html onboarding.html incident-response.html >/dev/null
"${writer[@]}" --convert-to odt:writer8 --outdir "$out" leave-policy.html facilities.html remote-work.html >/dev/null
soffice --headless --infilter=calc_HTML_WebQuery --convert-to xlsx --outdir "$out" holidays-2026.html >/dev/null
ls -l "$out"
