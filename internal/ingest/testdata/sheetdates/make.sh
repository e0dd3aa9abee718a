#!/bin/sh
# Writes the workbooks of this folder from the flat OpenDocument spreadsheets beside them with
# LibreOffice (7.4.7, Debian's libreoffice-calc-nogui), a real writer of .xlsx and .xls number
# formats; holidays1904.fods is holidays.fods counting its dates from 1904
# (table:null-date), which LibreOffice writes as the 1904 date system.
set -e
cd "$(dirname "$0")"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
for f in holidays holidays1904; do
	for to in xlsx xls; do
		HOME=$profile soffice -env:UserInstallation=file://$profile --headless --convert-to $to $f.fods
	done
done
