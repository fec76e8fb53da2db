#!/usr/bin/env bash
# Form benchmark (issue #30): POST /f/contact (urlencoded, as a plain HTML form on another site
# posts it) and POST /api/contact (JSON) against the same server, in the same run, on SQLite.
# Prints requests/s and p50/p99 for each, the ratio, and checks that every answered enquiry
# is a row. Targets: the form path >= 0.9x the JSON path's requests/s, p99 <= 25 ms, 0 lost.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/common.sh

DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}

for tool in wrk sqlite3; do command -v "$tool" >/dev/null || apt_install "$tool" "$tool"; done
# LEADBRIDGE_BIN names another build to measure.
if [ -n "${LEADBRIDGE_BIN:-}" ]; then BIN=$LEADBRIDGE_BIN; else build_release; fi

WORK=$(mktemp -d /tmp/leadbridge-bench.XXXXXX)
PORT=$(free_port)
KEY=$($BIN key generate 2>/dev/null | sed 's/^APP_KEY=//')
ORIGIN="http://127.0.0.1:$PORT"
cleanup() { [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

echo "==> Serving on $ORIGIN (SQLite in $WORK, rate limit off)"
APP_KEY="$KEY" APP_URL="$ORIGIN" STORAGE_PATH="$WORK" INTAKE_RATE_LIMIT=0 LOG_LEVEL=warning \
  $BIN serve --env production --hostname 127.0.0.1 --port "$PORT" >"$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do curl -fs "$ORIGIN/readyz" >/dev/null 2>&1 && break; sleep 0.1; done

rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
pct() { awk -v p="$2" '$1 == p {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; printf "%.2f", v}' "$1"; }

echo "==> POST /api/contact (JSON), $CONNECTIONS connections, $DURATION"
IDS_FILE="$WORK/ids.txt" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s scripts/bench/intake-post.lua \
  "$ORIGIN" >"$WORK/json.txt"
echo "==> POST /f/contact (urlencoded, Origin $ORIGIN), $CONNECTIONS connections, $DURATION"
ORIGIN="$ORIGIN" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s scripts/bench/form-post.lua \
  "$ORIGIN" >"$WORK/form.txt"

kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""
CREATED=$(awk '/^CREATED/ {print $2}' "$WORK/json.txt")
STORED=$(awk '/^STORED/ {print $2}' "$WORK/form.txt")
FORM_OTHER=$(awk '/^OTHER/ {print $2}' "$WORK/form.txt")
JSON_OTHER=$(awk '/^OTHER/ {print $2}' "$WORK/json.txt")
JSON_LOST=$(sqlite3 "$WORK/database.sqlite" <<SQL
CREATE TEMP TABLE answered(id INTEGER);
.import $WORK/ids.txt answered
SELECT COUNT(*) FROM answered LEFT JOIN contact_submissions c ON c.id = answered.id WHERE c.id IS NULL;
SQL
)
# A 303 carries no id: every form enquiry answered 303 must be a row, with its extra field
# and tag (rows may exceed the 303s by requests in flight when wrk stopped).
FORM_ROWS=$(sqlite3 "$WORK/database.sqlite" "SELECT COUNT(*) FROM contact_submissions WHERE email LIKE 'form%' AND extra_fields LIKE '%budget%' AND utm_source = 'bench'")
FORM_LOST=$(( STORED > FORM_ROWS ? STORED - FORM_ROWS : 0 ))

J_RPS=$(rps "$WORK/json.txt"); F_RPS=$(rps "$WORK/form.txt")
echo
printf '%-28s %12s %10s %10s\n' "" "requests/s" "p50 ms" "p99 ms"
printf '%-28s %12s %10s %10s\n' "POST /api/contact (JSON)" "$J_RPS" "$(pct "$WORK/json.txt" 50%)" "$(pct "$WORK/json.txt" 99%)"
printf '%-28s %12s %10s %10s\n' "POST /f/contact (form)" "$F_RPS" "$(pct "$WORK/form.txt" 50%)" "$(pct "$WORK/form.txt" 99%)"
echo "form / JSON: $(awk -v a="$F_RPS" -v b="$J_RPS" 'BEGIN {printf "%.2f", a / b}')"
echo "JSON: 201 responses $CREATED, other $JSON_OTHER, lost $JSON_LOST"
echo "form: 303 responses $STORED, other $FORM_OTHER, rows $FORM_ROWS, lost $FORM_LOST"
[ "$JSON_LOST" = "0" ] && [ "$FORM_LOST" = "0" ] && [ "$FORM_OTHER" = "0" ]
