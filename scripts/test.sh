#!/usr/bin/env bash
# The one test command: builds, then runs the whole suite on SQLite and again on a
# throwaway PostgreSQL cluster. Works on a fresh Debian machine (installs PostgreSQL
# through apt-get when it is missing; needs root for that, as CI is).
set -euo pipefail
cd "$(dirname "$0")/.."

command -v swift >/dev/null 2>&1 || export PATH="$PATH:/opt/swift/usr/bin"

log() { printf '\n==> %s\n' "$*"; }

# shellcheck source=lib/postgres.sh
source scripts/lib/postgres.sh
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
# fsync off: a throwaway test cluster needs speed, not durability.
start_cluster fsync=off synchronous_commit=off
export LEADBRIDGE_TEST_POSTGRES_URL="$PG_URL"
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
