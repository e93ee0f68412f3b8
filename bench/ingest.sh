#!/usr/bin/env bash
# Benchmark 1 (ingest): builds Release into build-release/ and runs bench-ingest, which compares
# a bare QWebSocket+QJsonDocument client with ConnectionManager's paths in the same run.
#   bench/ingest.sh                      5 runs of 1,000,000 messages over 10 channels per mode
#   bench/ingest.sh --runs 3 --count 500000 --modes baseline,sink
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
export PULSEBOARD_BUILD_DIR=${PULSEBOARD_BUILD_DIR:-$root/build-release}
export PULSEBOARD_BUILD_TYPE=Release
bash "$root/scripts/deps.sh"
# Tests are not needed for figures; the build stays quiet unless it fails.
mkdir -p "$PULSEBOARD_BUILD_DIR"
log="$PULSEBOARD_BUILD_DIR/bench-build.log"
bash "$root/scripts/build.sh" -DPULSEBOARD_BUILD_TESTS=OFF >"$log" 2>&1 || { tail -30 "$log"; exit 1; }
exec "$PULSEBOARD_BUILD_DIR/bin/bench-ingest" "$@"
