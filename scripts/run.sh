#!/usr/bin/env bash
# run.sh is `make run`: a database (the local cluster unless DATABASE_URL is set), the sample
# handbook as source "handbook" (its hr/confidential folder restricted to group hr) and the
# generated PDF/Office samples as source "formats", indexed incrementally, then the server in
# the foreground.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if [ -z "${DATABASE_URL:-}" ]; then
  DATABASE_URL=$(scripts/localdb.sh docent)
  export DATABASE_URL
fi
if ! bin/indexer sources list | grep -q '^handbook '; then
  bin/indexer sources add handbook examples/handbook --rule 'hr/confidential/**=hr'
fi
# The binary formats (PDF, Word, PowerPoint, Excel) are generated rather than committed.
if [ ! -d .data/samples ]; then
  go run ./examples/samplegen .data/samples
fi
if ! bin/indexer sources list | grep -q '^formats '; then
  bin/indexer sources add formats .data/samples
fi
bin/indexer index handbook formats
exec bin/server "$@"
