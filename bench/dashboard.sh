#!/usr/bin/env bash
# Benchmark 2 (dashboard under load): builds Release into build-release/ and runs bench-dashboard
# under xvfb-run: the pulseboard app subscribed to 20 channels at 1 kHz each, next to the same
# dashboard idle, with frame rate, p99 frame time, RSS and queue depths.
#   bench/dashboard.sh                 10 minutes
#   bench/dashboard.sh --minutes 1     a short run (or --seconds 90)
#   bench/dashboard.sh --channels 20 --rate 1000 --warmup 60 --geometry 1440x900
#   bench/dashboard.sh --channels 50 --rate 2000 --minutes 10   benchmark 2b: 100 000 msgs/s
#   bench/dashboard.sh --burst 200000                           benchmark 2c: a replay burst
#   bench/dashboard.sh --sources 4 --channels 20                 benchmark 2d: 4 sources x 5 channels
set -euo pipefail
source "$(dirname "$0")/build-release.sh"
exec xvfb-run -a -s "-screen 0 1920x1200x24" "$bin/bench-dashboard" "$@"
