#!/usr/bin/env bash
# Configures and builds Pulseboard into build/ (or $PULSEBOARD_BUILD_DIR). Extra args go to cmake.
# PULSEBOARD_GENERATOR picks the CMake generator for a new build folder ("Ninja" when ninja is
# installed, else CMake's default); the project builds with Ninja and with "Unix Makefiles".
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# Let ccache share results between checkouts in different folders (CI clones afresh).
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root} CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
build=${PULSEBOARD_BUILD_DIR:-$root/build}
type=${PULSEBOARD_BUILD_TYPE:-RelWithDebInfo}
generator=()
if [ -n "${PULSEBOARD_GENERATOR:-}" ]; then
  generator=(-G "$PULSEBOARD_GENERATOR")
elif command -v ninja >/dev/null 2>&1; then
  generator=(-G Ninja)
fi
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE="$type" "$@"
elif [ $# -gt 0 ]; then
  cmake "$build" "$@"
fi
cmake --build "$build" --parallel "$(nproc)"
