#!/usr/bin/env bash
# The two-source screenshots of docs/SOURCES.md and the README: the embedded hub (first) and an MQTT
# broker (aedes, tests/interop/mqtt) as the source "plant", whose broker is killed after 30 s and
# started again on the same port 30 s later. sources-cut.png is grabbed while plant is down (its
# tile greyed, its banner, the hub's charts still drawing); sources.png after plant is back, its
# line broken across the outage. Needs a build, xvfb-run and `scripts/interop-deps.sh`. ~85 s.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${PULSEBOARD_BUILD_DIR:-$root/build}/bin
out=$root/docs/screenshots
export XDG_CONFIG_HOME=$(mktemp -d) XDG_DATA_HOME=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# A broker fed with two temperatures, 10 a second, until it is killed.
broker() {
  (cd "$root/tests/interop/mqtt" &&
   awk -v start="$1" 'BEGIN { for (i = start; ; ++i) {
       printf "{\"publish\": {\"topic\": \"line/a/temp\", \"payload\": \"%.2f\"}}\n", 61 + 4 * sin(i / 25)
       printf "{\"publish\": {\"topic\": \"line/b/temp\", \"payload\": \"%.2f\"}}\n", 54 + 3 * cos(i / 40)
       fflush(); system("sleep 0.1") } }' | exec node broker.js --port "$port" >/dev/null)
}
broker 0 &
first=$!
sleep 1
( sleep 30; pkill -9 -f "broker.js --port $port" || true; kill "$first" 2>/dev/null || true
  sleep 30; broker 300 ) &
restarter=$!
{
  sleep 45; echo "grab $out/sources-cut.png"
  sleep 35; echo "grab $out/sources.png"
  sleep 1; echo quit
} | xvfb-run -a -s "-screen 0 3000x1900x24" "$bin/pulseboard" --no-settings --control --geometry 1440x900 \
      --source "plant:mqtt=ws://127.0.0.1:$port" --subscribe 'plant/line/+/temp' \
      --backoff-initial 500 --backoff-max 2000 --max-retries 0 >/dev/null
kill "$restarter" 2>/dev/null || true
pkill -f "broker.js --port $port" || true
wait 2>/dev/null || true
