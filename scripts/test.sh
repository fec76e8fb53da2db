#!/usr/bin/env bash
# The one test command: builds, then runs the whole suite on SQLite and again on a
# throwaway PostgreSQL cluster. Works on a fresh Debian machine (installs PostgreSQL
# through apt-get when it is missing; needs root for that, as CI is).
set -euo pipefail
cd "$(dirname "$0")/.."

command -v swift >/dev/null 2>&1 || export PATH="$PATH:/opt/swift/usr/bin"

log() { printf '\n==> %s\n' "$*"; }

postgres_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

ensure_postgres() {
  if [ -z "$(postgres_bin)" ] || [ ! -x "$(postgres_bin)/initdb" ]; then
    log "Installing PostgreSQL with apt-get"
    if [ "$(id -u)" -ne 0 ]; then
      echo "PostgreSQL is not installed and this is not root: run 'sudo apt-get install postgresql' first." >&2
      exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq postgresql >/dev/null
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

PG_DIR=""
PG_BIN=""
as_pg_owner() {
  # initdb and postgres refuse to run as root; use the postgres account the package creates.
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_cluster() {
  PG_BIN=$(postgres_bin)
  PG_DIR=$(mktemp -d /tmp/leadbridge-pg.XXXXXX)
  [ "$(id -u)" -eq 0 ] && chown postgres: "$PG_DIR"
  PG_PORT=$(free_port)
  as_pg_owner "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null
  as_pg_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -o \
    "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=300" \
    start >/dev/null
  export LEADBRIDGE_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
  echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on port $PG_PORT (data in $PG_DIR)"
}

stop_cluster() {
  if [ -n "$PG_DIR" ] && [ -d "$PG_DIR/data" ]; then
    as_pg_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
}
trap stop_cluster EXIT

ensure_postgres

log "Building"
swift build --build-tests

RESULTS=$(mktemp)
# Runs the suite once, keeping Swift Testing's closing line for the summary.
run_suite() {
  local output status
  output=$(mktemp)
  set +e
  swift test --skip-build 2>&1 | tee "$output"
  status=${PIPESTATUS[0]}
  set -e
  grep -E 'Test run with [0-9]+ tests?' "$output" | tail -n 1 >> "$RESULTS" || true
  rm -f "$output"
  return "$status"
}

log "Tests on SQLite"
SQLITE_STATUS=0
env -u LEADBRIDGE_TEST_POSTGRES_URL bash -c "$(declare -f run_suite); RESULTS=$RESULTS; run_suite" || SQLITE_STATUS=$?

log "Tests on PostgreSQL"
start_cluster
POSTGRES_STATUS=0
run_suite || POSTGRES_STATUS=$?

# Swift Testing's closing line: "Test run with 45 tests in 7 suites passed|failed … [with N issues]".
total=$(awk '{for (i = 1; i < NF; i++) if ($i == "with" && $(i+1) ~ /^[0-9]+$/ && $(i+2) ~ /^tests?$/) s += $(i+1)} END {print s+0}' "$RESULTS")
failed=$(awk '{for (i = 1; i < NF; i++) if ($i == "with" && $(i+1) ~ /^[0-9]+$/ && $(i+2) ~ /^issues?/) s += $(i+1)} END {print s+0}' "$RESULTS")
rm -f "$RESULTS"
echo
echo "SQLite: $([ $SQLITE_STATUS -eq 0 ] && echo passed || echo FAILED); PostgreSQL: $([ $POSTGRES_STATUS -eq 0 ] && echo passed || echo FAILED)"
if [ $SQLITE_STATUS -ne 0 ] || [ $POSTGRES_STATUS -ne 0 ]; then
  [ "$failed" -eq 0 ] && failed=1
  echo "tests: $((total - failed)) passed, $failed failed"
  exit 1
fi
echo "tests: $total passed, 0 failed"
