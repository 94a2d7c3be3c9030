#!/usr/bin/env bash
# Installs what conftune's tests and demo need on a fresh Debian machine (run as root):
# nginx, gunicorn, python3-gevent, python3-django, wrk, pre-commit, chromium, neovim from Debian; node modules with `npm ci`.
# Idempotent: does nothing that is already there. In CI a failed install is fatal.
set -euo pipefail
cd "$(dirname "$0")/.."

# `setup.sh node`: only what `conftune check` needs (the demo): node modules, no system packages.
only_node=false
[ "${1:-}" = node ] && only_node=true

need=()
command -v nginx >/dev/null 2>&1 || need+=(nginx-light)
command -v gunicorn >/dev/null 2>&1 || need+=(gunicorn)
python3 -c 'import gevent' >/dev/null 2>&1 || need+=(python3-gevent)
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import gevent' >/dev/null 2>&1 || need+=(python3-gevent)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
command -v pre-commit >/dev/null 2>&1 || need+=(pre-commit)
# The tune report's browser test renders the HTML page in headless Chromium.
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# The language server's editor test drives Neovim's built-in LSP client headless.
command -v nvim >/dev/null 2>&1 || need+=(neovim)
# tune's integration test runs a small Django app under Debian's gunicorn (/usr/bin/python3).
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import django' >/dev/null 2>&1 || need+=(python3-django)
if [ ${#need[@]} -gt 0 ] && [ "$only_node" = false ]; then
  # shellcheck disable=SC2207
  need=($(printf '%s\n' "${need[@]}" | sort -u))
  echo "setup: installing ${need[*]} from Debian's packages" >&2
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: need root to apt-get install ${need[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci" >&2
  npm ci --no-audit --no-fund >/dev/null
fi
