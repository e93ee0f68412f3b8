#!/usr/bin/env bash
# The fuzz command: builds the libFuzzer targets with clang (ASan + UBSan) into build-fuzz/ and runs
# one of them for a bounded time on its committed seed corpus (fuzz/corpus/<name>/).
#   scripts/fuzz.sh                  fuzz_envelope for 60 s
#   scripts/fuzz.sh 3600             fuzz_envelope for an hour
#   scripts/fuzz.sh 60 fuzz_other    another target
# New interesting inputs go to build-fuzz/fuzz-corpus/<name>/ (not the repo); a crash leaves its input
# in build-fuzz/fuzz-artifacts/ and makes this script fail. Reproduce one with
#   build-fuzz/fuzz/<target> build-fuzz/fuzz-artifacts/crash-...
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
seconds=${1:-60}
target=${2:-fuzz_envelope}
name=${target#fuzz_}
[ -n "${PULSEBOARD_DEPS_DONE:-}" ] || bash scripts/deps.sh

build=${PULSEBOARD_FUZZ_BUILD_DIR:-$root/build-fuzz}
generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
if [ ! -f "$build/CMakeCache.txt" ]; then
  CXX=clang++ cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=clang++ -DPULSEBOARD_BUILD_FUZZERS=ON -DPULSEBOARD_BUILD_TESTS=OFF \
    -DPULSEBOARD_BUILD_BENCH=OFF
fi
cmake --build "$build" --target "$target" --parallel "$(nproc)"

seeds="$root/fuzz/corpus/$name"
work="$build/fuzz-corpus/$name"
artifacts="$build/fuzz-artifacts/"
mkdir -p "$work" "$artifacts"
dict=()
[ -f "$root/fuzz/$name.dict" ] && dict=(-dict="$root/fuzz/$name.dict")
# Leak checks stay off: Qt's lazily built global caches look like leaks to LeakSanitizer.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
echo "fuzz: $target for $seconds s (seeds $seeds)"
"$build/fuzz/$target" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 "${dict[@]}" -artifact_prefix="$artifacts" "$work" "$seeds"
