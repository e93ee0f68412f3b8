#!/usr/bin/env bash
# Regenerates the screenshots of docs/DASHBOARD.md with the dashboard's own --screenshot option.
# Needs a build (scripts/build.sh) and xvfb-run. Takes about three minutes.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${PULSEBOARD_BUILD_DIR:-$root/build}/bin
out=$root/docs/screenshots
xvfb() { xvfb-run -a -s "-screen 0 1600x1000x24" "$@"; }
export XDG_CONFIG_HOME=$(mktemp -d)   # no settings from this machine

# 1. The default: embedded hub, this machine's figures, after 50 s of data.
xvfb "$bin/pulseboard" --geometry 1440x900 --screenshot "$out/dashboard.png" --screenshot-delay 50000

# 2. Reconnecting: a separate hub that dies (SIGKILL) after 35 s; grab 6 s later.
hub_log=$(mktemp)
"$bin/pulseboard-hub" --port 0 >"$hub_log" 2>&1 &
hub=$!
for _ in $(seq 50); do grep -q "listening on" "$hub_log" && break; sleep 0.1; done
url=$(grep -o 'ws://127.0.0.1:[0-9]*' "$hub_log" | head -1)
( sleep 35; kill -9 "$hub" ) &
xvfb "$bin/pulseboard" --url "$url" --subscribe sys.cpu --subscribe sys.mem --subscribe demo.wave --subscribe sys.load \
  --geometry 1440x900 --backoff-initial 2000 --backoff-max 8000 \
  --screenshot "$out/reconnecting.png" --screenshot-delay 41000
wait

# 3. After an outage: a hub killed after 25 s and started again on the same port 8 s later; the
#    dashboard reconnects by itself and the lines break where no data came (a fresh hub has no
#    history to replay). Grab 20 s after it is back.
hub_log=$(mktemp)
"$bin/pulseboard-hub" --port 0 >"$hub_log" 2>&1 &
hub=$!
for _ in $(seq 50); do grep -q "listening on" "$hub_log" && break; sleep 0.1; done
url=$(grep -o 'ws://127.0.0.1:[0-9]*' "$hub_log" | head -1)
port=${url##*:}
( sleep 25; kill -9 "$hub"; sleep 8; exec "$bin/pulseboard-hub" --port "$port" >"$hub_log" 2>&1 ) &
restarter=$!
xvfb "$bin/pulseboard" --url "$url" --subscribe sys.cpu --subscribe demo.wave \
  --geometry 1440x900 --backoff-initial 500 --backoff-max 2000 --max-retries 0 \
  --screenshot "$out/outage.png" --screenshot-delay 53000
kill "$restarter" 2>/dev/null || true
pkill -f "pulseboard-hub --port $port" || true
wait

# 4. Kiosk: the example layout, fullscreen, before it first cycles to the next panel (30 s).
xvfb "$bin/pulseboard" --kiosk --config "$root/docs/examples/kiosk.json" \
  --screenshot "$out/kiosk.png" --screenshot-delay 26000
rm -f "$out"/*.png.json "$hub_log"
