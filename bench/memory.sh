#!/usr/bin/env bash
# Benchmark 5 (memory per channel): builds Release into build-release/ and runs bench-dashboard
# --memory under xvfb-run: RSS of the pulseboard app connected with no channels, with 20 quiet
# channels, and with 20 channels filled to a series' capacity, giving bytes per subscribed
# channel and per retained sample.
#   bench/memory.sh                      3 runs, 20 channels x 32768 samples
#   bench/memory.sh --runs 5 --channels 40
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
export PULSEBOARD_BUILD_DIR=${PULSEBOARD_BUILD_DIR:-$root/build-release}
export PULSEBOARD_BUILD_TYPE=Release
bash "$root/scripts/deps.sh"
mkdir -p "$PULSEBOARD_BUILD_DIR"
log="$PULSEBOARD_BUILD_DIR/bench-build.log"
bash "$root/scripts/build.sh" -DPULSEBOARD_BUILD_TESTS=OFF >"$log" 2>&1 || { tail -30 "$log"; exit 1; }
exec xvfb-run -a -s "-screen 0 1920x1200x24" "$PULSEBOARD_BUILD_DIR/bin/bench-dashboard" --memory "$@"
