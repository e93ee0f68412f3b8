#!/usr/bin/env bash
# Repeats the timing-sensitive tests (ctest label `timing`) on a busy machine, to find a test
# that flakes under load before CI does.
#   scripts/stress-tests.sh [N]              build/: every timing test N times (default 20)
#   scripts/stress-tests.sh --sanitize [N]   the same in build-asan/ (AddressSanitizer + UBSan)
#   PULSEBOARD_BUILD_DIR=dir                 another build directory
# It builds nothing: build first (scripts/build.sh; for build-asan/: scripts/test.sh --sanitize
# -R NOTHING_MATCHES).
# How: `ctest --repeat until-fail:N -L timing`, one test at a time, while a busy loop that this
# script starts keeps one core at 100 % (it is killed on exit, however the script ends). ctest
# runs each test N times in a row and stops repeating a test at its first failure, so the script
# prints how many runs of each test passed and "rounds passed": the fewest of those (N when every
# run held), with the wall time. Exit status 0 only when every run passed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

sanitize=0
rounds=20
for arg in "$@"; do
  case "$arg" in
    --sanitize) sanitize=1 ;;
    '' | *[!0-9]*) echo "usage: $0 [--sanitize] [N]" >&2; exit 2 ;;
    *) rounds=$arg ;;
  esac
done
if [ "$rounds" -lt 1 ]; then
  echo "N must be at least 1" >&2
  exit 2
fi
if [ "$sanitize" = 1 ]; then
  build=${PULSEBOARD_BUILD_DIR:-$root/build-asan}
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
else
  build=${PULSEBOARD_BUILD_DIR:-$root/build}
fi
if [ ! -f "$build/CTestTestfile.cmake" ]; then
  echo "no build in $build: build it first (see the top of this script)" >&2
  exit 2
fi

log=$(mktemp)
busy=
tests=
cleanup() {
  for pid in $tests $busy; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -f "$log"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# The load: one process spinning on "the other core" for as long as the tests run.
bash -c 'while :; do :; done' &
busy=$!
echo "stress: $rounds round(s) of the timing tests in $build; busy loop pid $busy; load: $(cut -d' ' -f1-3 /proc/loadavg)"

start=$(date +%s)
# In the background, so that a signal reaches the traps at once rather than after the last run.
(cd "$build" && exec ctest --repeat until-fail:"$rounds" -L timing --output-on-failure) >"$log" 2>&1 &
tests=$!
tail -n +1 -f --pid="$tests" "$log" &
follow=$!
set +e
wait "$tests"
status=$?
set -e
tests=
wait "$follow" || true
seconds=$(($(date +%s) - start))

# One result line per run: "Test #3: tst_name .....   Passed   1.23 sec" (or ***Failed, ***Timeout...).
awk -v rounds="$rounds" -v seconds="$seconds" -v status="$status" '
  /Test +#[0-9]+: / {
    for (i = 1; i <= NF; ++i) if ($i ~ /^#[0-9]+:$/) { name = $(i + 1); break }
    if (!(name in passed)) { order[++n] = name; passed[name] = 0; failed[name] = 0 }
    if ($0 ~ / Passed +[0-9.]+ sec/) passed[name]++; else failed[name]++
  }
  END {
    least = n ? rounds : 0
    for (k = 1; k <= n; ++k) {
      t = order[k]
      printf "  %-24s %3d of %d passed%s\n", t, passed[t], rounds, (failed[t] ? sprintf("  <- FAILED on run %d", passed[t] + 1) : "")
      if (passed[t] < least) least = passed[t]
    }
    printf "stress: rounds passed: %d of %d (%d timing tests), wall time %d s (%d min %02d s)\n",
           least, rounds, n, seconds, seconds / 60, seconds % 60
    if (status != 0) print "stress: ctest reported failures (see the output above)"
  }' "$log"
echo "stress: load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$status"
