#!/usr/bin/env bash
# Set up, build, and run `conftune check` on the bundled seed example (the Server Fault setup:
# nginx in front of `gunicorn -w8 -k gevent --keep-alive 60`). Exit status is check's: 1 = findings.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh node
node scripts/build.mjs >/dev/null
echo "\$ conftune check fixtures/seed/nginx.conf fixtures/seed/Procfile" >&2
exec node dist/bundle/main.js check fixtures/seed/nginx.conf fixtures/seed/Procfile "$@"
