#!/usr/bin/env bash
# Sourced by every bench/<name>.sh: installs what is missing and builds Release (tests off) into
# build-release/ (or $PULSEBOARD_BUILD_DIR), quietly unless the build fails. Sets $root and $bin.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PULSEBOARD_BUILD_DIR=${PULSEBOARD_BUILD_DIR:-$root/build-release}
export PULSEBOARD_BUILD_TYPE=Release
bash "$root/scripts/deps.sh"
mkdir -p "$PULSEBOARD_BUILD_DIR"
log="$PULSEBOARD_BUILD_DIR/bench-build.log"
bash "$root/scripts/build.sh" -DPULSEBOARD_BUILD_TESTS=OFF >"$log" 2>&1 || { tail -30 "$log"; exit 1; }
bin="$PULSEBOARD_BUILD_DIR/bin"
