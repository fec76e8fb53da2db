#!/usr/bin/env bash
# What SQLite spends per enquiry row, by index and trigger (scripts/bench/intake-floor.py):
# the part of intake's cost that the admin's search and lists buy. See docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/common.sh
build_release
WORK=$(mktemp -d /tmp/leadbridge-floor.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
APP_KEY=$($BIN key generate | sed 's/^APP_KEY=//') STORAGE_PATH="$WORK" LOG_LEVEL=warning $BIN migrate --yes >/dev/null
python3 scripts/bench/intake-floor.py "$WORK/database.sqlite" "$WORK"
