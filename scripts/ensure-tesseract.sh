#!/usr/bin/env bash
# ensure-tesseract.sh installs Debian's Tesseract OCR with English, German, French and
# Simplified Chinese models when the binary is missing: OCR of scanned PDFs and images
# (DOCENT_OCR) and its tests need it. Where it cannot install (not root and no sudo, or not
# Debian/Ubuntu) it prints what to do and, outside CI, carries on: Docent runs without OCR.
set -euo pipefail
PACKAGES="tesseract-ocr tesseract-ocr-eng tesseract-ocr-deu tesseract-ocr-fra tesseract-ocr-chi-sim"
command -v tesseract >/dev/null 2>&1 && exit 0
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO=sudo; else SUDO=none; fi
fi
if [ "$SUDO" = none ] || ! command -v apt-get >/dev/null 2>&1; then
  cat >&2 <<MSG
ensure-tesseract: OCR of scans and images needs Tesseract. Install it to turn OCR on:
  Debian/Ubuntu:  apt-get install $PACKAGES
  macOS:          brew install tesseract tesseract-lang
MSG
  [ "${CI:-}" = true ] && exit 1
  exit 0
fi
echo "ensure-tesseract: installing Debian's Tesseract OCR ($PACKAGES)" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null
