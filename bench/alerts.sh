#!/usr/bin/env bash
# Alert rule evaluation (docs/PERFORMANCE.md, "Alert rules"): builds Release into build-release/ and
# runs bench-alerts, which measures the CPU per message of 50 rules at 20 channels x 1 kHz against
# decoding alone, in one process.
#   bench/alerts.sh                       5 runs of 30 s of simulated load
#   bench/alerts.sh --runs 3 --seconds 10 --rules 100
set -euo pipefail
source "$(dirname "$0")/build-release.sh"
exec "$bin/bench-alerts" "$@"
