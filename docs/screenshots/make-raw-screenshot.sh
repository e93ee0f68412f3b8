#!/usr/bin/env bash
# The Raw panel's screenshot (docs/DASHBOARD.md, the README): the embedded hub, a path filter that
# keeps the sys.cpu frames, the list paused and its second frame clicked: the tree with the values
# that changed since the sys.cpu frame before it. Driven through --control as a person would (the
# row is found with `find` and clicked with the pointer). Usage: make-raw-screenshot.sh [GEOMETRY
# [FILE]] (1440x900 and docs/screenshots/raw-tree.png by default). Needs a build and xvfb-run. ~20 s.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${PULSEBOARD_BUILD_DIR:-$root/build}/bin
geometry=${1:-1440x900}
file=${2:-$root/docs/screenshots/raw-tree.png}
export XDG_CONFIG_HOME=$(mktemp -d) XDG_DATA_HOME=$(mktemp -d)

work=$(mktemp -d)
mkfifo "$work/in"
xvfb-run -a -s "-screen 0 3000x1900x24" "$bin/pulseboard" --no-settings --geometry "$geometry" --control \
  <"$work/in" >"$work/out" 2>/dev/null &
app=$!
exec 3>"$work/in"
# Sends a command and prints its reply (the newest line whose event is the command's first word).
ask() {
  local before
  before=$(grep -c "\"event\":\"${1%% *}\"" "$work/out" || true)
  echo "$1" >&3
  for _ in $(seq 50); do
    [ "$(grep -c "\"event\":\"${1%% *}\"" "$work/out" || true)" -gt "$before" ] && break
    sleep 0.1
  done
  grep "\"event\":\"${1%% *}\"" "$work/out" | tail -1
}
sleep 12 # a few sys.cpu frames (1 a second)
ask 'panel raw' >/dev/null
ask 'text rawFilter /channel == "sys.cpu"' >/dev/null
sleep 4
ask 'click rawPauseButton' >/dev/null
sleep 0.5
rect=$(ask 'find rawRow:1' | grep -o '"rect":{[^}]*}')
x=$(grep -o '"x":[0-9.]*' <<<"$rect" | cut -d: -f2)
y=$(grep -o '"y":[0-9.]*' <<<"$rect" | cut -d: -f2)
h=$(grep -o '"height":[0-9.]*' <<<"$rect" | cut -d: -f2)
ask "mouse click $(awk -v x="$x" 'BEGIN { print x + 300 }') $(awk -v y="$y" -v h="$h" 'BEGIN { print y + h / 2 }')" >/dev/null
ask 'mouse move 2 2' >/dev/null # no tooltip in the picture
sleep 1.5
ask "grab $file" >/dev/null
echo quit >&3
exec 3>&-
wait "$app" || true
rm -rf "$file.json" "$work"
