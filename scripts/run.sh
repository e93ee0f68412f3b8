#!/usr/bin/env bash
# The run command: installs what is missing, builds Release, and starts the dashboard.
# With no --url the dashboard starts its embedded hub with this machine's live figures.
# Any arguments are passed to pulseboard (see README.md for the flags).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/deps.sh
PULSEBOARD_BUILD_TYPE=Release bash scripts/build.sh
bin=${PULSEBOARD_BUILD_DIR:-$root/build}/bin
if [ ! -x "$bin/pulseboard" ]; then
  echo "run.sh: the dashboard binary is not built yet; pulseboard-cli is at $bin/pulseboard-cli" >&2
  exit 1
fi
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
  echo "run.sh: no display found; starting under xvfb-run (set DISPLAY to see the window)" >&2
  exec xvfb-run -a -s "-screen 0 1600x1000x24" "$bin/pulseboard" "$@"
fi
exec "$bin/pulseboard" "$@"
