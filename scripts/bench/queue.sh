#!/usr/bin/env bash
# Queue benchmark: enqueue 20,000 no-op jobs, drain them with 1, 2 and 4 workers, on SQLite
# and on PostgreSQL; prints jobs/s for each. The clock starts at the first finished job and
# stops when the queue is empty, so process start-up is not counted.
# Targets (issue #3): >= 3,000 jobs/s on SQLite with one worker; more with more workers on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v swift >/dev/null 2>&1 || export PATH="$PATH:/opt/swift/usr/bin"
source scripts/lib/postgres.sh
trap stop_cluster EXIT

JOBS=${JOBS:-20000}
WORKER_COUNTS=${WORKER_COUNTS:-"1 2 4"}

ensure_postgres
command -v sqlite3 >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3 >/dev/null; }

# LEADBRIDGE_BIN names another build to measure (say, the last commit's, to compare).
if [ -n "${LEADBRIDGE_BIN:-}" ]; then
  BIN=$LEADBRIDGE_BIN
else
  echo "==> Building release"
  swift build -c release --product leadbridge 2>&1 | tail -n 1
  BIN=$PWD/.build/release/leadbridge
fi
KEY=$($BIN key generate | sed 's/^APP_KEY=//')

echo "==> Starting PostgreSQL (default durability: fsync on)"
start_cluster

now() { date +%s.%N; }

# Runs one drain; prints "jobs/s seconds".
drain() {
  local database=$1 workers=$2 count_cmd
  local work; work=$(mktemp -d /tmp/leadbridge-queue-bench.XXXXXX)
  export APP_KEY="$KEY" LOG_LEVEL=warning QUEUE_POLL_MILLISECONDS=20 STORAGE_PATH="$work"
  if [ "$database" = postgres ]; then
    local name="bench_$(date +%s%N)"
    as_pg_owner "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "CREATE DATABASE $name" >/dev/null
    export DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/$name"
    count_cmd=("$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "$name" -tAc "SELECT COUNT(*) FROM jobs")
  else
    unset DATABASE_URL
    count_cmd=(sqlite3 "$work/database.sqlite" "SELECT COUNT(*) FROM jobs")
  fi
  $BIN migrate --yes >/dev/null 2>&1
  $BIN jobs noop --count "$JOBS" >/dev/null
  local before; before=$("${count_cmd[@]}")
  $BIN worker --workers "$workers" >"$work/worker.log" 2>&1 &
  local worker=$!
  local left start_left start end
  while :; do left=$("${count_cmd[@]}"); [ "$left" -lt "$before" ] && break; sleep 0.02; done
  start=$(now); start_left=$left
  while :; do left=$("${count_cmd[@]}"); [ "$left" -eq 0 ] && break; sleep 0.05; done
  end=$(now)
  kill -TERM "$worker"; wait "$worker" || true
  awk -v n="$start_left" -v a="$start" -v b="$end" 'BEGIN {printf "%.0f %.2f\n", n / (b - a), b - a}'
  rm -rf "$work"
}

echo
printf '%-11s %8s %10s %10s\n' database workers "jobs/s" seconds
for database in sqlite postgres; do
  for workers in $WORKER_COUNTS; do
    read -r rate seconds < <(drain "$database" "$workers")
    printf '%-11s %8s %10s %10s\n' "$database" "$workers" "$rate" "$seconds"
  done
done
