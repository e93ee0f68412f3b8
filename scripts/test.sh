#!/usr/bin/env bash
# The test command: installs what is missing, builds, and runs every test with ctest.
#   scripts/test.sh              build/ and the whole suite
#   scripts/test.sh --sanitize   the same in build-asan/ with AddressSanitizer + UBSan
#   scripts/test.sh -R PATTERN   only tests matching PATTERN (any other args go to ctest)
# The whole suite (no ctest args, no --sanitize) ends with a short bounded fuzz run of the protocol
# decoder (scripts/fuzz.sh, PULSEBOARD_FUZZ_SECONDS, default 10; 0 skips it).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/deps.sh
bash scripts/interop-deps.sh

sanitize=0
ctest_args=()
for arg in "$@"; do
  case "$arg" in
    --sanitize) sanitize=1 ;;
    *) ctest_args+=("$arg") ;;
  esac
done

if [ "$sanitize" = 1 ]; then
  export PULSEBOARD_BUILD_DIR=${PULSEBOARD_BUILD_DIR:-$root/build-asan}
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
  bash scripts/build.sh -DPULSEBOARD_SANITIZE=ON -DPULSEBOARD_BUILD_BENCH=OFF
else
  export PULSEBOARD_BUILD_DIR=${PULSEBOARD_BUILD_DIR:-$root/build}
  bash scripts/build.sh
fi

cd "$PULSEBOARD_BUILD_DIR"
# Two cores: run two tests at once; each test carries its own timeout.
ctest --output-on-failure --timeout 300 -j 2 "${ctest_args[@]}"

fuzz_seconds=${PULSEBOARD_FUZZ_SECONDS:-10}
if [ "$sanitize" = 0 ] && [ ${#ctest_args[@]} -eq 0 ] && [ "$fuzz_seconds" -gt 0 ]; then
  PULSEBOARD_DEPS_DONE=1 bash "$root/scripts/fuzz.sh" "$fuzz_seconds"
fi
