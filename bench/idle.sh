#!/usr/bin/env bash
# Benchmark 4 (idle cost): builds Release into build-release/ and runs bench-idle, which measures
# a connected, idle pulseboard-cli and pulseboard dashboard (under xvfb-run) next to a bare
# QWebSocket client for the same window.
#   bench/idle.sh                 60 s window
#   bench/idle.sh --duration 20
set -euo pipefail
source "$(dirname "$0")/build-release.sh"
exec xvfb-run -a -s "-screen 0 1920x1200x24" "$bin/bench-idle" "$@"
