#!/usr/bin/env bash
# Benchmark 3 (hub fan-out): builds Release into build-release/ and runs bench-fanout, which
# starts a redis-server on a free loopback port and two pulseboard-hub instances of that build
# (in-memory, and --redis), then fans one publisher out to 200 subscribers on each.
#   bench/fanout.sh                  both phases: paced at 200 publishes/s (latency), then a flood
#                                    as fast as acks allow (deliveries/s at saturation)
#   bench/fanout.sh --rate 500 --messages 5000 --runs 5    one phase with these flags
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
export PULSEBOARD_BUILD_DIR=${PULSEBOARD_BUILD_DIR:-$root/build-release}
export PULSEBOARD_BUILD_TYPE=Release
bash "$root/scripts/deps.sh"
mkdir -p "$PULSEBOARD_BUILD_DIR"
log="$PULSEBOARD_BUILD_DIR/bench-build.log"
bash "$root/scripts/build.sh" -DPULSEBOARD_BUILD_TESTS=OFF >"$log" 2>&1 || { tail -30 "$log"; exit 1; }
bin="$PULSEBOARD_BUILD_DIR/bin/bench-fanout"
if [ $# -gt 0 ]; then
  exec "$bin" "$@"
fi
echo "== paced: 200 publishes/s x 200 subscribers =="
"$bin" --rate 200 --messages 2000
echo
echo "== flood: as fast as acks allow =="
"$bin" --rate 0 --messages 2000 --window 64
