#!/usr/bin/env bash
# The one test command (README, .ci/run): set up, build, run every test, print "N passed, N failed".
# Two vitest passes: the bulk in parallel, then the tests that generate load or compare timings
# (probe, tune, browser, fuzz linearity) one file at a time, so they neither disturb nor get
# disturbed by the rest on a 2-core machine.
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }
if [ "${CI:-}" = true ]; then
  # In CI a missing tool is a failure, never a silent skip.
  for tool in nginx gunicorn wrk pre-commit chromium nvim; do
    command -v "$tool" >/dev/null 2>&1 || { echo "CI: $tool is missing after setup"; echo "0 passed, 1 failed"; exit 1; }
  done
fi
node scripts/build.mjs || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }

results=$(mktemp -d)
SERIAL=(test/probe test/tune test/browser test/fuzz)
status=0
if [ $# -gt 0 ]; then
  npx vitest run --reporter=default --reporter=json --outputFile.json="$results/all.json" "$@" || status=$?
else
  excludes=()
  for d in "${SERIAL[@]}"; do excludes+=(--exclude "$d/**"); done
  npx vitest run --reporter=default --reporter=json --outputFile.json="$results/parallel.json" "${excludes[@]}" || status=$?
  npx vitest run --no-file-parallelism --reporter=default --reporter=json --outputFile.json="$results/serial.json" "${SERIAL[@]}" || status=$?
fi
node scripts/test-summary.mjs "$results"/*.json || status=1
rm -rf "$results"
exit $status
