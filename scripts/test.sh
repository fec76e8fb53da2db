#!/usr/bin/env bash
# The one test command: builds, then runs the whole suite on SQLite and again on a
# throwaway PostgreSQL cluster. Works on a fresh Debian machine (installs PostgreSQL
# through apt-get when it is missing; needs root for that, as CI is), with a loopback SMTP
# server (aiosmtpd, scripts/lib/smtp.sh) for the email tests. Then it runs the browser
# suite: Debian's Chromium, driven by Playwright, clicks through every flow of the guide
# against the real binary on SQLite and the provider sandbox (Tests/Browser).
set -euo pipefail
cd "$(dirname "$0")/.."

command -v swift >/dev/null 2>&1 || export PATH="$PATH:/opt/swift/usr/bin"

log() { printf '\n==> %s\n' "$*"; }

# shellcheck source=lib/postgres.sh
source scripts/lib/postgres.sh
# shellcheck source=lib/browser.sh
source scripts/lib/browser.sh
# shellcheck source=lib/smtp.sh
source scripts/lib/smtp.sh
trap 'stop_cluster; stop_smtp_server' EXIT

ensure_postgres
ensure_browser_tools
# Every email test sends to this real server (STARTTLS, AUTH, refusals); the Swift tests skip
# only when LEADBRIDGE_TEST_SMTP is absent, which here it never is.
start_smtp_server

log "Building"
swift build --build-tests

RESULTS=$(mktemp)
LOGS=$(mktemp -d)
trap 'stop_cluster; stop_smtp_server; rm -rf "$LOGS" "$RESULTS"' EXIT
# Suites whose assertions are about time (a worker wakes within seconds, a stop is prompt, a
# thousand jobs drain, bcrypt floods leave the database free, a token refresh beats its
# deadline). With all 400 tests at once on two cores, each making its own PostgreSQL
# database, CI starved them for minutes (a 20 s stop bound took 25.8 s; 268 of 1,000 jobs in
# 60 s), which says nothing about LeadBridge. They run in a second pass of their own, every
# bound unchanged, after the rest has finished.
TIMED_SUITES='JobWakeupTests|JobQueueTests|SignInFloodTests|TokenPolicyTests|RateLimitTests'
# Runs the suite in those two passes, keeping the whole output in $LOGS/<name>.log and each
# pass's Swift Testing closing line for the summary.
run_suite() {
  local name=$1 status=0 pass
  : > "$LOGS/$name.log"
  set +e
  for pass in "--skip $TIMED_SUITES" "--filter $TIMED_SUITES"; do
    # shellcheck disable=SC2086 # the pass is two words on purpose
    swift test --skip-build $pass 2>&1 | tee -a "$LOGS/$name.log" "$LOGS/$name.pass"
    [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
    grep -E 'Test run with [0-9]+ tests?' "$LOGS/$name.pass" | tail -n 1 >> "$RESULTS"
    rm -f "$LOGS/$name.pass"
  done
  set -e
  return "$status"
}

# What went wrong in a failed run, repeated at the very end where a CI log's tail shows it:
# each failed test and its recorded issues, or, when the run never reached its closing line
# (a crash), the last lines it printed.
explain_failure() {
  local name=$1 log="$LOGS/$1.log"
  echo
  echo "==> What failed on $name"
  grep -E '✘|recorded an issue|Fatal error|Assertion failed|Precondition failed|error: |Exited with|signal' "$log" | grep -v '^✔' | head -n 60 || true
  if [ "$(grep -cE 'Test run with [0-9]+ tests?' "$log")" -lt 2 ]; then
    echo "-- a pass has no closing line: the test process died; its last 40 lines:"
    tail -n 40 "$log"
  fi
}

log "Tests on SQLite"
SQLITE_STATUS=0
env -u LEADBRIDGE_TEST_POSTGRES_URL bash -c "$(declare -f run_suite); TIMED_SUITES='$TIMED_SUITES'; RESULTS=$RESULTS; LOGS=$LOGS; run_suite SQLite" || SQLITE_STATUS=$?

log "Tests on PostgreSQL"
# fsync off: a throwaway test cluster needs speed, not durability. Every test runs its own app
# (a pool per event loop, a LISTEN connection, the RingCentral budget's own) at once: 300
# connections ran out ("too many clients") once the suite passed 280 tests.
start_cluster fsync=off synchronous_commit=off max_connections=800
export LEADBRIDGE_TEST_POSTGRES_URL="$PG_URL"
POSTGRES_STATUS=0
run_suite PostgreSQL || POSTGRES_STATUS=$?

# The cluster stays up for the browser suite: its multi-process test runs on PostgreSQL.
log "Browser tests (Chromium)"
BROWSER_STATUS=0
run_browser_suite "$LOGS/browser.log" || BROWSER_STATUS=$?
stop_cluster
browser_passed=0; browser_failed=0
read -r browser_passed browser_failed < <(browser_counts "$LOGS/browser.log") || true
if [ $BROWSER_STATUS -ne 0 ] && [ "$browser_failed" -eq 0 ]; then browser_failed=1; fi
echo "Screenshots of every main page: .build/browser-screenshots/"

# Swift Testing's closing line: "Test run with 45 tests in 7 suites passed|failed … [with N issues]".
total=$(awk '{for (i = 1; i < NF; i++) if ($i == "with" && $(i+1) ~ /^[0-9]+$/ && $(i+2) ~ /^tests?$/) s += $(i+1)} END {print s+0}' "$RESULTS")
failed=$(awk '{for (i = 1; i < NF; i++) if ($i == "with" && $(i+1) ~ /^[0-9]+$/ && $(i+2) ~ /^issues?/) s += $(i+1)} END {print s+0}' "$RESULTS")
rm -f "$RESULTS"
[ $SQLITE_STATUS -eq 0 ] || explain_failure SQLite
[ $POSTGRES_STATUS -eq 0 ] || explain_failure PostgreSQL
if [ $BROWSER_STATUS -ne 0 ]; then
  echo
  echo "==> What failed in the browser"
  grep -E '^(FAILED|ERROR) |^E  ' "$LOGS/browser.log" | head -n 60 || true
fi
# passed, FAILED, or FAILED with a note when the process died before its closing line.
verdict() {
  if [ "$2" -eq 0 ]; then echo passed
  elif [ "$(grep -cE 'Test run with [0-9]+ tests?' "$LOGS/$1.log")" -ge 2 ]; then echo FAILED
  else echo "FAILED (the test process died, exit $2)"; fi
}
echo
echo "SQLite: $(verdict SQLite $SQLITE_STATUS); PostgreSQL: $(verdict PostgreSQL $POSTGRES_STATUS); browser: $([ $BROWSER_STATUS -eq 0 ] && echo passed || echo FAILED) ($browser_passed passed, $browser_failed failed)"
rm -rf "$LOGS"
if [ $SQLITE_STATUS -ne 0 ] || [ $POSTGRES_STATUS -ne 0 ]; then
  [ "$failed" -eq 0 ] && failed=1
fi
# The closing line counts Swift tests (each database) and browser tests together.
passed_all=$((total - failed + browser_passed))
failed_all=$((failed + browser_failed))
echo "tests: $passed_all passed, $failed_all failed"
[ $SQLITE_STATUS -eq 0 ] && [ $POSTGRES_STATUS -eq 0 ] && [ $BROWSER_STATUS -eq 0 ]
