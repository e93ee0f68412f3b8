#!/usr/bin/env bash
# Benchmark 8 (local history): builds Release into build-release/ and runs bench-history: the
# writer at 20 ch x 1 kHz (its CPU, the largest queue, refusals), the writer's top speed, bucket
# reads of a 7-day store, a chart's 7-day window, and the week's export as CSV and JSON Lines
# against the plain read (docs/PERFORMANCE.md, section 8).
#   bench/history.sh                    10 s at real rate, a 1,000,000-sample burst
#   bench/history.sh --seconds 60 --burst 5000000 --dir /var/tmp
set -euo pipefail
source "$(dirname "$0")/build-release.sh"
exec "$bin/bench-history" "$@"
