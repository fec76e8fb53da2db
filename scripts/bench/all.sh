#!/usr/bin/env bash
# Every benchmark, one after another, then one table: each figure, its target, and its anchor
# measured in the same run where there is one (the bare /healthz route for intake and pages,
# sqlite3 -csv for the export, RingCentral's own rate limit for the call-log sync).
#   scripts/bench/all.sh           the full sizes (about 15 minutes on 2 cores)
#   scripts/bench/all.sh --quick   smaller sizes and shorter runs (under 10 minutes)
# Each benchmark's own output is kept in the folder printed at the end.
set -uo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/common.sh

QUICK=false
[ "${1:-}" = "--quick" ] && QUICK=true
LOGS=$(mktemp -d /tmp/leadbridge-bench-all.XXXXXX)
build_release >/dev/null
export LEADBRIDGE_BIN=$BIN

if $QUICK; then
  RUNS=(
    "intake|DURATION=8s scripts/bench/intake.sh"
    "pages|DURATION=5s scripts/bench/pages.sh"
    "lead-to-crm|COUNT=50 scripts/bench/lead-to-crm.sh"
    "queue|JOBS=5000 WORKER_COUNTS='1 4' scripts/bench/queue.sh"
    "suitedash-sync|ENQUIRIES=1000 PEOPLE=800 scripts/bench/suitedash-sync.sh"
    "call-log-sync|RECORDS=20000 scripts/bench/call-log-sync.sh"
    "token-refresh|EXPIRIES=6 scripts/bench/token-refresh.sh"
    "export|ROWS=200000 scripts/bench/export.sh"
    "admin-sqlite|ROWS=200000 REPEATS=10 scripts/bench/admin-at-scale.sh"
    "admin-postgres|DB=postgres ROWS=200000 REPEATS=10 scripts/bench/admin-at-scale.sh"
  )
else
  RUNS=(
    "intake|scripts/bench/intake.sh"
    "pages|scripts/bench/pages.sh"
    "lead-to-crm|scripts/bench/lead-to-crm.sh"
    "queue|scripts/bench/queue.sh"
    "suitedash-sync|scripts/bench/suitedash-sync.sh"
    "call-log-sync|scripts/bench/call-log-sync.sh"
    "token-refresh|scripts/bench/token-refresh.sh"
    "export|scripts/bench/export.sh"
    "admin-sqlite|scripts/bench/admin-at-scale.sh"
    "admin-postgres|DB=postgres scripts/bench/admin-at-scale.sh"
  )
fi

started=$(date +%s)
total=${#RUNS[@]}
index=0
for run in "${RUNS[@]}"; do
  name=${run%%|*}; command=${run#*|}
  index=$((index + 1))
  printf '[%2d/%d] %-16s ' "$index" "$total" "$name"
  run_started=$(date +%s)
  if bash -c "$command" >"$LOGS/$name.log" 2>&1; then result=done; else result="FAILED (see $LOGS/$name.log)"; fi
  printf '%s in %ss\n' "$result" "$(( $(date +%s) - run_started ))"
done

# Pulls a field out of a log: LOG, a pattern for the line, and the awk field (or expression).
pick() { awk "/$2/ {print \$$3; exit}" "$LOGS/$1.log" 2>/dev/null; }
row() { printf '%-16s %-40s %14s  %-22s %s\n' "$1" "$2" "${3:-n/a}" "$4" "${5:-}"; }

echo
printf '%-16s %-40s %14s  %-22s %s\n' benchmark figure value target anchor
row intake "POST /api/contact requests/s" "$(pick intake '^POST \/api\/contact' 3)" ">= 0.5 x /healthz" "/healthz $(pick intake '^GET \/healthz' 3)/s"
row intake "intake / ceiling" "$(pick intake 'intake \/ ceiling' 4)" ">= 0.5"
row intake "POST /api/contact p99 ms" "$(pick intake '^POST \/api\/contact' 5)" "<= 25" "/healthz p99 $(pick intake '^GET \/healthz' 5) ms"
row intake "rows lost" "$(pick intake 'rows lost' NF)" "0"
row pages "GET /contact requests/s" "$(pick pages '^\/contact' 2)" "" "/healthz $(pick pages '^\/healthz' 2)/s"
row pages "GET /contact p99 ms" "$(pick pages '^\/contact' 8)" "" "/healthz p99 $(pick pages '^\/healthz' 8) ms"
row lead-to-crm "201 -> SuiteDash POST p50 ms" "$(pick lead-to-crm '^201 -> POST' 6)" "<= 30" "sandbox latency 0 ms"
row lead-to-crm "201 -> SuiteDash POST p99 ms" "$(pick lead-to-crm '^201 -> POST' 8)" "<= 100"
row queue "SQLite, 1 worker, jobs/s" "$(awk '$1 == "sqlite" && $2 == 1 {print $3; exit}' "$LOGS/queue.log")" ">= 3,000"
row queue "PostgreSQL, 4 workers, jobs/s" "$(awk '$1 == "postgres" && $2 == 4 {print $3; exit}' "$LOGS/queue.log")" "more than 1 worker" \
  "1 worker $(awk '$1 == "postgres" && $2 == 1 {print $3; exit}' "$LOGS/queue.log")/s"
row suitedash-sync "API calls per new enquiry" "$(awk '/API calls:/ {print $(NF-2); exit}' "$LOGS/suitedash-sync.log")" "<= 2.0"
row suitedash-sync "API calls per known enquiry" "$(awk '/^second sync/ {print $(NF-2); exit}' "$LOGS/suitedash-sync.log")" "<= 1.0"
row suitedash-sync "duplicate contacts" "$(awk '/duplicates:/ {print $NF; exit}' "$LOGS/suitedash-sync.log")" "0"
row call-log-sync "records/s (full sync)" "$(awk '/^full sync:/ {print $3; exit}' "$LOGS/call-log-sync.log")" "" \
  "RingCentral's limit: 10 pages/min = 167 records/s"
row call-log-sync "429 answers" "$(awk '/429 answers/ {print $5; exit}' "$LOGS/call-log-sync.log")" "0"
row token-refresh "refresh requests / expiries" "$(awk '/^refresh requests/ {print $3; exit}' "$LOGS/token-refresh.log") / $(awk '/^forced expiries/ {print $3; exit}' "$LOGS/token-refresh.log")" "equal"
row token-refresh "invalid_grant" "$(awk '/invalid_grant:/ {print $2; exit}' "$LOGS/token-refresh.log")" "0"
row export "export / sqlite3 -csv" "$(awk '/export \/ floor/ {print $NF; exit}' "$LOGS/export.log")" "<= 2x" \
  "sqlite3 -csv $(awk '/sqlite3 -csv floor/ {print $4; exit}' "$LOGS/export.log") s"
row export "peak RSS MB" "$(awk -F'peak RSS ' '/peak RSS/ {split($2, a, " "); print a[1]; exit}' "$LOGS/export.log")" "<= 64"
for db in sqlite postgres; do
  row "admin-$db" "worst page p95 ms" "$(awk '/^worst p95/ {print $4; exit}' "$LOGS/admin-$db.log")" "<= 100"
  row "admin-$db" "worst search p95 ms" "$(awk '/^worst p95/ {print $9; exit}' "$LOGS/admin-$db.log")" "<= 50"
  row "admin-$db" "migrations 017-019 on the seeded rows s" "$(awk '/^migrations 017-019/ {print $(NF-1); exit}' "$LOGS/admin-$db.log")" ""
done
echo
echo "$( $QUICK && echo 'Quick run' || echo 'Full run') in $(( $(date +%s) - started )) s; each benchmark's output: $LOGS"
