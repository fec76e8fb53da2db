#!/usr/bin/env bash
# Admin pages at scale: 1,000,000 enquiries, 1,000,000 call logs, 1,000,000 integration log rows
# and 200,000 texts, on SQLite (default) or PostgreSQL (DB=postgres, a throwaway cluster).
# Seeds the rows in bulk on the schema before migrations 017-019, times those migrations on
# the full tables, signs in and times each admin page 20 times. Release build.
# Targets (issue #16): p95 <= 100 ms for every page, <= 50 ms for every search.
# LEADBRIDGE_BIN measures another build's server, LEADBRIDGE_DIR its checkout (for its views).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/common.sh

DB=${DB:-sqlite}
REPEATS=${REPEATS:-20}
ROWS=${ROWS:-1000000}   # enquiries, call logs and log rows; texts are a fifth of it
build_release
BIN=${LEADBRIDGE_BIN:-$BIN}
WORK=$(mktemp -d /tmp/leadbridge-scale.XXXXXX)
PORT=$(free_port)
cleanup() {
  kill ${SERVER:-} 2>/dev/null || true; wait 2>/dev/null || true
  [ "$DB" = postgres ] && stop_cluster
  rm -rf "$WORK"
}
trap cleanup EXIT

export APP_KEY=$($BIN key generate | sed 's/^APP_KEY=//') STORAGE_PATH="$WORK" LOG_LEVEL=warning
# SuiteDash in API mode with a monthly limit, as a real install has it: the dashboard then reads
# this month's calls too. Nothing calls it (the seeded jobs are all due tomorrow or later).
# A loopback address nothing listens on, which production refuses unless told (ALLOW_PRIVATE_PROVIDER_HOSTS).
export ALLOW_PRIVATE_PROVIDER_HOSTS=true SUITEDASH_ENABLED=true SUITEDASH_API_URL=http://127.0.0.1:9/secure-api SUITEDASH_API_KEY=bench \
  SUITEDASH_SECRET_KEY=bench SUITEDASH_MONTHLY_CALL_LIMIT=1000000
if [ "$DB" = postgres ]; then
  source scripts/lib/postgres.sh
  ensure_postgres
  start_cluster shared_buffers=256MB work_mem=16MB maintenance_work_mem=256MB fsync=off synchronous_commit=off
  export DATABASE_URL=$PG_URL
  run_sql() { PGOPTIONS='-c client_min_messages=warning' "$PG_BIN/psql" -q -v ON_ERROR_STOP=1 "$PG_URL" -f "$1" >/dev/null; }
else
  command -v sqlite3 >/dev/null || apt_install sqlite3 sqlite3
  run_sql() { sqlite3 -bail "$WORK/database.sqlite" < "$1" >/dev/null; }
fi
seconds() { python3 -c 'import time; print(time.time())'; }
since() { python3 -c 'import sys, time; print(f"{time.time() - float(sys.argv[1]):.1f}")' "$1"; }

echo "==> Database: $DB; seeding on the schema before 017-019 and 021"
$BIN migrate --yes >/dev/null
run_sql "scripts/bench/admin-at-scale/unmigrate-$DB.sql"
started=$(seconds)
# The seed is written for 1,000,000 (and 200,000 texts); other sizes are substituted in.
sed -e "s/200000/$((ROWS / 5))/g" -e "s/1000000/$ROWS/g" "scripts/bench/admin-at-scale/seed-$DB.sql" >"$WORK/seed.sql"
run_sql "$WORK/seed.sql"
echo "seeded $ROWS enquiries, call logs and log rows, $((ROWS / 5)) texts in $(since "$started") s"
started=$(seconds)
$BIN migrate --yes >/dev/null
echo "migrations 017-019, 021 and 025 (counts, search index, list indexes, counts per day, statistics) on those rows: $(since "$started") s"
echo 'bench-password-123' | $BIN user create --email bench@example.com --name Bench --password-stdin >/dev/null

(cd "${LEADBRIDGE_DIR:-.}" && exec $BIN serve --env production --hostname 127.0.0.1 --port "$PORT") >"$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
python3 scripts/bench/admin-at-scale/pages.py "http://127.0.0.1:$PORT" bench@example.com bench-password-123 "$REPEATS" "$ROWS" \
  || { echo "The server said:"; tail -n 20 "$WORK/server.log"; exit 1; }
