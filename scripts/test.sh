#!/usr/bin/env bash
# The one command that runs every test, from a fresh clone on a fresh machine:
# installs what is missing, type-checks, builds dist/, runs vitest with the
# pinned Node 26, and ends with the line "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
NODE=node_modules/.bin/node   # the pinned Node 26; the host's node may be older

echo "test: type-check (tsc --noEmit)" >&2
"$NODE" node_modules/typescript/bin/tsc -p .
echo "test: build" >&2
"$NODE" build/build.mjs
mkdir -p .build
results=.build/vitest-results.json
rm -f "$results"
status=0
"$NODE" node_modules/vitest/vitest.mjs run --reporter=default --reporter=json --outputFile.json="$results" "$@" || status=$?
"$NODE" scripts/summary.mjs "$results" || status=1
exit "$status"
