#!/usr/bin/env bash
# Benchmark 1 (ingest): builds Release into build-release/ and runs bench-ingest, which compares
# a bare QWebSocket+QJsonDocument client with ConnectionManager's paths in the same run.
#   bench/ingest.sh                      5 runs of 1,000,000 messages over 10 channels per mode
#   bench/ingest.sh --runs 3 --count 500000 --modes baseline,sink
set -euo pipefail
source "$(dirname "$0")/build-release.sh"
exec "$bin/bench-ingest" "$@"
