#!/usr/bin/env bash
# Benchmark 6 (one hostile frame against everyone else): builds Release into build-release/ and
# runs bench-hostile, which starts a pulseboard-hub of that build (tokens required) and measures
# an authenticated bystander's ping round trips alone, then while another process sends 850 KiB
# publishes of an 80 000-key object in random order, before auth and after it.
#   bench/hostile.sh                  10 frames a phase, 3 runs
#   bench/hostile.sh --frames 20 --runs 5
set -euo pipefail
source "$(dirname "$0")/build-release.sh"
exec "$bin/bench-hostile" "$@"
