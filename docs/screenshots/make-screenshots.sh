#!/usr/bin/env bash
# Regenerates the screenshots of docs/DASHBOARD.md with the dashboard's own --screenshot option
# (and, for the one that shows a dialog, its --control commands).
# Needs a build (scripts/build.sh) and xvfb-run. Takes about three and a half minutes.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${PULSEBOARD_BUILD_DIR:-$root/build}/bin
out=$root/docs/screenshots
# A screen larger than twice the window: the pointer starts at its centre, outside the window, so
# no chart shows a hover read-out.
xvfb() { xvfb-run -a -s "-screen 0 3000x1900x24" "$@"; }
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
#    (Its own screen: the kiosk takes the whole of it, and draws no hover read-out.)
xvfb-run -a -s "-screen 0 1600x1000x24" "$bin/pulseboard" --kiosk --config "$root/docs/examples/kiosk.json" \
  --screenshot "$out/kiosk.png" --screenshot-delay 26000
# 5. Building the dashboard: through --control, as a person would in the app: a chart added in
#    the dialog and made full width, then the dialog open on a second one, refused for its range.
{
  sleep 25
  for c in "click addChartButton" "text chartChannel sys.cpu" "sleep" "click chartField:data.user" \
           "click chartField:data.system" "text chartTitle CPU: user and system" "text chartUnit %" \
           "text chartMin 0" "text chartMax 100" "text chartWarn:data.user 60" "text chartAlarm:data.user 85" \
           "click chartSave" "sleep" "click tileWide:chart:5" "sleep" \
           "click addChartButton" "text chartChannel sys.load" "sleep" "click chartField:data.load1" \
           "click chartField:data.load5" "text chartTitle Load" "text chartMin 8" "text chartMax 0" \
           "text chartWarn:data.load1 4" "text chartAlarm:data.load1 8" "click chartSave" "sleep" \
           "grab $out/building.png" "quit"; do
    if [ "$c" = sleep ]; then sleep 2; else echo "$c"; sleep 0.3; fi
  done
} | xvfb "$bin/pulseboard" --geometry 1440x900 --control >/dev/null

# 6. The light theme: the default dashboard in it, after 30 s of data.
xvfb "$bin/pulseboard" --geometry 1440x900 --theme light --screenshot "$out/light-theme.png" \
  --screenshot-delay 30000

# 7. Alerts: rules that raise on this machine's own figures (any CPU use, memory in use) and one
#    that waits; the Alerts panel after one is acknowledged with a note. Then a kiosk with a
#    critical alert raised: the banner across the wall.
{
  sleep 20
  for c in "panel alerts" "sleep" "click acknowledge:mem-in-use" "text ackNote:mem-in-use known: the build runs" \
           "click ackConfirm:mem-in-use" "sleep" "grab $out/alerts.png" "quit"; do
    if [ "$c" = sleep ]; then sleep 1; else echo "$c"; sleep 0.3; fi
  done
} | xvfb "$bin/pulseboard" --geometry 1440x900 --control --no-notifications \
      --alert 'name=cpu-busy severity=critical channel=sys.cpu field=/total above=0 clear=-1' \
      --alert 'name=mem-in-use channel=sys.mem field=/usedPercent above=1 clear=0.5' \
      --alert 'name=load-high channel=sys.load field=/load1 above=64 clear=48 for=30s' >/dev/null
xvfb-run -a -s "-screen 0 1600x1000x24" "$bin/pulseboard" --kiosk --config "$root/docs/examples/kiosk.json" \
  --no-notifications --alert 'name=cpu-busy severity=critical channel=sys.cpu field=/total above=0 clear=-1' \
  --screenshot "$out/kiosk-alert.png" --screenshot-delay 12000
# 8. The Console's command library (docs/examples/commands.json) on the embedded hub: a run of
#    ping, a scale refused for its missing service, then filled in and run, and the dangerous
#    restart confirmed; the chosen command's form and the history of the runs. Its own data
#    folder: the history file is this run's only.
{
  sleep 12
  for c in "panel console" "sleep" "click commandRun:ping" "sleep" "click commandRun:scale" "sleep" \
           "text commandParam:service checkout" "click commandRun" "sleep" "click commandRun:restart service" \
           "sleep" "click commandConfirm" "sleep" "click commandRun:scale" "sleep" "text commandParam:service checkout" \
           "sleep" "grab $out/console-commands.png" "quit"; do
    if [ "$c" = sleep ]; then sleep 1.5; else echo "$c"; sleep 0.3; fi
  done
} | XDG_DATA_HOME=$(mktemp -d) xvfb "$bin/pulseboard" --geometry 1440x900 --control \
      --config "$root/docs/examples/commands.json" >/dev/null
# 9. Recording: the header's REC pressed on the embedded hub, a few seconds in (the recording
#    goes to a folder of this run's).
rec_dir=$(mktemp -d)
{
  sleep 12
  for c in "click recordButton" "sleep" "grab $out/recording.png" "click recordButton" "quit"; do
    if [ "$c" = sleep ]; then sleep 5; else echo "$c"; sleep 0.3; fi
  done
} | xvfb "$bin/pulseboard" --no-settings --geometry 1440x900 --control --record-dir "$rec_dir" >/dev/null
rm -rf "$rec_dir"
# 10. Two sources, one cut and restored (its own script).
bash "$root/docs/screenshots/make-sources-screenshot.sh"
# 10. The Raw panel: a path filter, the selected frame as a tree with its changes (its own script).
bash "$root/docs/screenshots/make-raw-screenshot.sh"
rm -f "$out"/*.png.json "$hub_log"
