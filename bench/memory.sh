#!/usr/bin/env bash
# Benchmark 5 (memory per channel): builds Release into build-release/ and runs bench-dashboard
# --memory under xvfb-run: RSS of the pulseboard app connected with no channels, with 20 quiet
# channels, and with 20 channels filled to a series' capacity, giving bytes per subscribed
# channel and per retained sample.
#   bench/memory.sh                      3 runs, 20 channels x 32768 samples
#   bench/memory.sh --runs 5 --channels 40
set -euo pipefail
source "$(dirname "$0")/build-release.sh"
exec xvfb-run -a -s "-screen 0 1920x1200x24" "$bin/bench-dashboard" --memory "$@"
