#!/usr/bin/env bash
# Installs the real servers the interop tests run against: each folder under tests/interop/ with a
# package-lock.json gets `npm ci` (exact versions from the committed lockfile) when its node_modules
# is missing or older than the lockfile. Node.js and npm come from Debian when the machine has none.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shopt -s nullglob
locks=("$root"/tests/interop/*/package-lock.json)
[ ${#locks[@]} -gt 0 ] || exit 0
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "interop-deps: installing nodejs npm"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm
fi
for lock in "${locks[@]}"; do
  dir=$(dirname "$lock")
  stamp="$dir/node_modules/.package-lock.json"
  if [ ! -f "$stamp" ] || [ "$lock" -nt "$stamp" ]; then
    echo "interop-deps: npm ci in ${dir#"$root"/}"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done
