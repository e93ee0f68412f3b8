#!/usr/bin/env bash
# Benchmark 9 (idle connections per hub, docs/SCALING.md): builds Release into build-release/ and
# runs bench-hubscale, which opens N idle WebSocket connections to a pulseboard-hub from several
# client processes bound to 127.0.0.2, 127.0.0.3, ... and measures the time to open them all, the
# hub's RSS per connection and its CPU while idle (default heartbeat and --heartbeat-ms 5000),
# and the time to open with --listen-backlog 50.
#   bench/hubscale.sh                                 2 500, 5 000, 10 000 connections
#   bench/hubscale.sh --counts 19000                  as many as the descriptors allow (ulimit -Hn)
#   bench/hubscale.sh --baseline-hub OTHER/bin/pulseboard-hub
#                                                     also runs another build's hub the same way
set -euo pipefail
source "$(dirname "$0")/build-release.sh"
exec "$bin/bench-hubscale" "$@"
