#!/usr/bin/env bash
# The one test command (README, .ci/run): set up, build, run every test, print "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }
if [ "${CI:-}" = true ]; then
  # In CI a missing tool is a failure, never a silent skip.
  for tool in nginx gunicorn wrk pre-commit; do
    command -v "$tool" >/dev/null 2>&1 || { echo "CI: $tool is missing after setup"; echo "0 passed, 1 failed"; exit 1; }
  done
fi
node scripts/build.mjs || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }

result=$(mktemp)
npx vitest run --reporter=default --reporter=json --outputFile.json="$result" "$@"
status=$?
node scripts/test-summary.mjs "$result" || status=1
rm -f "$result"
exit $status
