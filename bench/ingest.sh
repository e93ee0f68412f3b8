#!/usr/bin/env bash
# Benchmark 1 (ingest): builds Release into build-release/ and runs bench-ingest, which compares
# the CPU per message of a bare QWebSocket that parses nothing (the floor), a bare
# QWebSocket+QJsonDocument client, ConnectionManager's paths and the CLI's output path, in the same run.
#   bench/ingest.sh                      5 runs of 1,000,000 messages over 10 channels per mode
#   bench/ingest.sh --runs 3 --count 500000 --modes noparse,sink,cli
set -euo pipefail
source "$(dirname "$0")/build-release.sh"
exec "$bin/bench-ingest" "$@"
