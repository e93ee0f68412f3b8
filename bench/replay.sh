#!/usr/bin/env bash
# Benchmark 10 (record and replay): builds Release into build-release/ and runs bench-replay: a
# recording of 10 minutes at 200 messages a second replayed through pulseboard-hub --replay at 1x
# (per-message deviation from the recorded timing: median, p99, max; drift) and at 100x (all
# delivered, in order, messages a second) (docs/PERFORMANCE.md, section 10).
#   bench/replay.sh                                  600 s at 1x, then 100x (about 11 minutes)
#   bench/replay.sh --seconds 60 --speeds 1,10,100   shorter
set -euo pipefail
source "$(dirname "$0")/build-release.sh"
exec "$bin/bench-replay" --bin "$bin" "$@"
