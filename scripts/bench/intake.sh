#!/usr/bin/env bash
# Intake benchmark: POST /api/contact against /healthz as the ceiling, on SQLite.
# Prints requests/s, the ratio, p50/p99 latency, and checks rows == 201 responses.
# Targets (issue #2): intake >= half the ceiling's requests/s, p99 <= 25 ms, zero rows lost.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v swift >/dev/null 2>&1 || export PATH="$PATH:/opt/swift/usr/bin"

DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}

for tool in wrk sqlite3; do
  if ! command -v "$tool" >/dev/null; then
    echo "Installing $tool with apt-get"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$tool" >/dev/null
  fi
done

# LEADBRIDGE_BIN names another build to measure (say, the last commit's, to compare).
if [ -n "${LEADBRIDGE_BIN:-}" ]; then
  BIN=$LEADBRIDGE_BIN
else
  echo "==> Building release"
  swift build -c release --product leadbridge 2>&1 | tail -n 1
  BIN=.build/release/leadbridge
fi

WORK=$(mktemp -d /tmp/leadbridge-bench.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
KEY=$($BIN key generate 2>/dev/null | sed 's/^APP_KEY=//')
cleanup() { [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

echo "==> Serving on 127.0.0.1:$PORT (SQLite in $WORK, rate limit off)"
APP_KEY="$KEY" STORAGE_PATH="$WORK" INTAKE_RATE_LIMIT=0 LOG_LEVEL=warning \
  $BIN serve --env production --hostname 127.0.0.1 --port "$PORT" >"$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.1; done

# Pulls "Requests/sec", and the 50% / 99% latency lines (converted to ms) out of wrk's report.
rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
pct() { awk -v p="$2" '$1 == p {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; printf "%.2f", v}' "$1"; }

echo "==> Ceiling: GET /healthz, $CONNECTIONS connections, $DURATION"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$PORT/healthz" >"$WORK/health.txt"
echo "==> Intake: POST /api/contact, $CONNECTIONS connections, $DURATION"
IDS_FILE="$WORK/ids.txt" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s scripts/bench/intake-post.lua \
  "http://127.0.0.1:$PORT" >"$WORK/intake.txt"

kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""
CREATED=$(awk '/^CREATED/ {print $2}' "$WORK/intake.txt")
OTHER=$(awk '/^OTHER/ {print $2}' "$WORK/intake.txt")
ROWS=$(sqlite3 "$WORK/database.sqlite" "SELECT COUNT(*) FROM contact_submissions")
# Every id answered with 201 must be a row. (Rows may exceed 201s by the requests still in
# flight when wrk stopped: committed and answered, but after wrk stopped counting.)
LOST=$(sqlite3 "$WORK/database.sqlite" <<SQL
CREATE TEMP TABLE answered(id INTEGER);
.import $WORK/ids.txt answered
SELECT COUNT(*) FROM answered LEFT JOIN contact_submissions c ON c.id = answered.id WHERE c.id IS NULL;
SQL
)
ANSWERED=$(wc -l < "$WORK/ids.txt")
ERRORS=$(awk '/Non-2xx|Socket errors/' "$WORK/intake.txt")

H_RPS=$(rps "$WORK/health.txt"); I_RPS=$(rps "$WORK/intake.txt")
echo
printf '%-22s %12s %10s %10s\n' "" "requests/s" "p50 ms" "p99 ms"
printf '%-22s %12s %10s %10s\n' "GET /healthz" "$H_RPS" "$(pct "$WORK/health.txt" 50%)" "$(pct "$WORK/health.txt" 99%)"
printf '%-22s %12s %10s %10s\n' "POST /api/contact" "$I_RPS" "$(pct "$WORK/intake.txt" 50%)" "$(pct "$WORK/intake.txt" 99%)"
echo "intake / ceiling: $(awk -v a="$I_RPS" -v b="$H_RPS" 'BEGIN {printf "%.2f", a / b}')"
echo "201 responses: $CREATED (ids recorded: $ANSWERED); other responses: $OTHER"
echo "rows in contact_submissions: $ROWS ($((ROWS - CREATED)) committed for requests still in flight when wrk stopped)"
[ -n "$ERRORS" ] && echo "wrk: $ERRORS"
echo "rows lost (a 201 id with no row): $LOST"
[ "$LOST" = "0" ] && [ "$ANSWERED" = "$CREATED" ]
