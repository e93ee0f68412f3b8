#!/usr/bin/env bash
# Benchmark 4 (idle cost): builds Release into build-release/ and runs bench-idle, which measures
# a connected, idle pulseboard-cli and pulseboard dashboard (under xvfb-run) next to a bare
# QWebSocket client for the same window.
#   bench/idle.sh                 60 s window
#   bench/idle.sh --duration 20
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
export PULSEBOARD_BUILD_DIR=${PULSEBOARD_BUILD_DIR:-$root/build-release}
export PULSEBOARD_BUILD_TYPE=Release
bash "$root/scripts/deps.sh"
mkdir -p "$PULSEBOARD_BUILD_DIR"
log="$PULSEBOARD_BUILD_DIR/bench-build.log"
bash "$root/scripts/build.sh" -DPULSEBOARD_BUILD_TESTS=OFF >"$log" 2>&1 || { tail -30 "$log"; exit 1; }
exec xvfb-run -a -s "-screen 0 1920x1200x24" "$PULSEBOARD_BUILD_DIR/bin/bench-idle" "$@"
