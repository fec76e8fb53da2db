#!/usr/bin/env bash
# Page-rendering benchmark: GET /contact (the public form, a Leaf page with a context that
# goes through BlankAwareViews) against /healthz as the ceiling, on SQLite, release build.
# Prints requests/s and p50/p99 latency of each.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=../lib/common.sh
source scripts/lib/common.sh

DURATION=${DURATION:-15s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
command -v wrk >/dev/null || apt_install wrk wrk

build_release
WORK=$(mktemp -d /tmp/leadbridge-pages.XXXXXX)
PORT=$(free_port)
cleanup() { [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

APP_KEY=$($BIN key generate 2>/dev/null | sed 's/^APP_KEY=//') STORAGE_PATH="$WORK" LOG_LEVEL=warning \
  "$BIN" serve --env production --hostname 127.0.0.1 --port "$PORT" >"$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.1; done

rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
pct() { awk -v p="$2" '$1 == p {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; printf "%.2f", v}' "$1"; }

for path in /healthz /contact; do
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$PORT$path" >"$WORK/wrk.txt"
  printf '%-9s %9s requests/s   p50 %6s ms   p99 %6s ms\n' "$path" "$(rps "$WORK/wrk.txt")" \
    "$(pct "$WORK/wrk.txt" 50%)" "$(pct "$WORK/wrk.txt" 99%)"
done
