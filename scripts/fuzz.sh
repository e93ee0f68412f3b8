#!/usr/bin/env bash
# The fuzz command: builds the libFuzzer targets with clang (ASan + UBSan) into build-fuzz/ and runs
# each for a bounded time on its committed seed corpus (fuzz/corpus/<name>/).
#   scripts/fuzz.sh                      every target in fuzz/CMakeLists.txt, 60 s each
#   scripts/fuzz.sh 3600 fuzz_envelope   one target for an hour
# New interesting inputs go to build-fuzz/fuzz-corpus/<name>/ (not the repo); a crash leaves its
# input in build-fuzz/fuzz-artifacts/ and makes this script fail. Reproduce one with
#   build-fuzz/fuzz/<target> build-fuzz/fuzz-artifacts/crash-...
# and commit it to fuzz/corpus/<name>/ once fixed: tst_fuzzcorpus replays that corpus in every build.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# Let ccache share results between checkouts in different folders (CI clones afresh).
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root} CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
cd "$root"
seconds=${1:-60}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(sed -n 's/^pulseboard_add_fuzzer(\([A-Za-z0-9_]*\) .*/\1/p' "$root/fuzz/CMakeLists.txt")
fi
[ -n "${PULSEBOARD_DEPS_DONE:-}" ] || bash scripts/deps.sh

build=${PULSEBOARD_FUZZ_BUILD_DIR:-$root/build-fuzz}
generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=clang++ -DPULSEBOARD_BUILD_FUZZERS=ON -DPULSEBOARD_BUILD_TESTS=OFF \
    -DPULSEBOARD_BUILD_BENCH=OFF
fi
cmake --build "$build" --target "${targets[@]}" --parallel "$(nproc)"

# Leak checks stay off: Qt's lazily built global caches look like leaks to LeakSanitizer.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
artifacts="$build/fuzz-artifacts/"
mkdir -p "$artifacts"
for target in "${targets[@]}"; do
  name=${target#fuzz_}
  seeds="$root/fuzz/corpus/$name"
  work="$build/fuzz-corpus/$name"
  mkdir -p "$work"
  dict=()
  [ -f "$root/fuzz/$name.dict" ] && dict=(-dict="$root/fuzz/$name.dict")
  echo "fuzz: $target for $seconds s (seeds $seeds)"
  "$build/fuzz/$target" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 "${dict[@]}" -artifact_prefix="$artifacts" "$work" "$seeds" 2>"$build/fuzz-$name.log" || {
    tail -n 60 "$build/fuzz-$name.log" >&2
    echo "fuzz: $target FAILED (log: $build/fuzz-$name.log)" >&2
    exit 1
  }
  grep -E '^(Done|stat::number_of_executed_units|stat::new_units_added)' "$build/fuzz-$name.log" || true
done
