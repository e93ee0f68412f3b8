#!/usr/bin/env bash
# Benchmark 3 (hub fan-out): builds Release into build-release/ and runs bench-fanout, which
# starts a redis-server on a free loopback port and two pulseboard-hub instances of that build
# (in-memory, and --redis), then fans one publisher out to 200 subscribers on each.
#   bench/fanout.sh                  both phases: paced at 200 publishes/s (latency), then a flood
#                                    as fast as acks allow (deliveries/s at saturation)
#   bench/fanout.sh --rate 500 --messages 5000 --runs 5    one phase with these flags
#   bench/fanout.sh --rate 200 --baseline-hub OTHER/bin/pulseboard-hub
#                                    also runs another build's hubs in the same rotation and prints
#                                    this build / baseline (a change measured in one run)
set -euo pipefail
source "$(dirname "$0")/build-release.sh"
fanout="$bin/bench-fanout"
if [ $# -gt 0 ]; then
  exec "$fanout" "$@"
fi
echo "== paced: 200 publishes/s x 200 subscribers =="
"$fanout" --rate 200 --messages 2000
echo
echo "== flood: as fast as acks allow =="
"$fanout" --rate 0 --messages 2000 --window 64
