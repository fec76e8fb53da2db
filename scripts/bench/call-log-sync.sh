#!/usr/bin/env bash
# Call-log sync benchmark: the sandbox holds 100,000 call-log records (its rate limits raised
# for the run); `leadbridge ringcentral sync-calls` fetches them all, then runs again
# incrementally. Prints records/s ingested, API requests per run (targets: 100 for the full
# sync at 1,000 a page, 1 for an incremental with nothing new), 429s (target 0) and the rows
# in call_logs (must equal 100,000). DB=postgres runs it on a throwaway PostgreSQL cluster.
set -euo pipefail
cd "$(dirname "$0")/../.."
RECORDS=${RECORDS:-100000}
DB=${DB:-sqlite}
command -v sqlite3 >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3 >/dev/null; }
if [ "$DB" = postgres ]; then
  source scripts/lib/postgres.sh
  ensure_postgres
  start_cluster
fi
source scripts/bench/rc-common.sh
trap 'rc_cleanup; [ "$DB" = postgres ] && stop_cluster || true' EXIT

rc_sandbox settings '{"limits":{"Light":100000,"Medium":100000,"Heavy":100000,"Auth":1000}}'
# Spaced 60 s apart and ending a minute ago: the oldest is about 70 days back.
rc_sandbox call-log/generate "{\"count\": $RECORDS, \"spacing\": 60, \"phoneNumbers\": [\"+14155550100\", \"+14155550111\", \"+14155550122\"]}"
rc_sandbox reset-stats '{}'
SINCE=$(python3 -c "import datetime; print((datetime.datetime.utcnow() - datetime.timedelta(seconds=60 * $RECORDS + 86400)).strftime('%Y-%m-%dT%H:%M:%SZ'))")

requests() { rc_stats | field "sum(v for k, v in d['callsByEndpoint'].items() if 'call-log' in k)"; }
rows() {
  if [ "$DB" = postgres ]; then as_pg_owner "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc "SELECT COUNT(*) FROM call_logs"
  else sqlite3 "$WORK/database.sqlite" "SELECT COUNT(*) FROM call_logs"; fi
}

echo "==> Full sync of $RECORDS records ($DB)"
START=$(date +%s.%N)
${PERF:+perf record -F 499 -g -o /tmp/call-log-sync.perf} $BIN ringcentral sync-calls --since "$SINCE" | tail -n 1
END=$(date +%s.%N)
FULL_REQUESTS=$(requests)
ROWS=$(rows)
python3 -c "print(f'full sync: {$RECORDS / ($END - $START):,.0f} records/s wall clock ({$END - $START:.1f} s, process start included)')"
echo "full sync requests:        $FULL_REQUESTS (target $(( (RECORDS + 999) / 1000 )))"
echo "rows in call_logs:         $ROWS (must equal $RECORDS)"

rc_sandbox reset-stats '{}'
echo "==> Incremental sync, nothing new"
$BIN ringcentral sync-calls | tail -n 1
echo "incremental requests:      $(requests) (target 1)"
echo "429 answers (both runs):   $(rc_stats | field "d['rateLimited']") (target 0)"
echo "rows in call_logs:         $(rows)"
