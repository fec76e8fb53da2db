#!/usr/bin/env bash
# Email: how long after an enquiry's commit the loopback SMTP server (aiosmtpd with STARTTLS and
# AUTH, scripts/lib/smtp.sh) accepted its staff email, p50 and p99 over COUNT enquiries (default
# 200; target p50 <= 200 ms); then DRAIN enquiries (default 1000) queued while the server answers
# every MAIL FROM with 421 for 30 s: all delivered, none twice. SQLite, the server's own workers,
# a summary window of 0 so each enquiry gets its own email. BIN picks the binary (default: the
# release build; BUILD=debug uses .build/debug; LEADBRIDGE_BIN names any). Not a timed test: run it by hand.
set -euo pipefail
cd "$(dirname "$0")/../.."
COUNT=${COUNT:-200}
DRAIN=${DRAIN:-1000}
source scripts/lib/common.sh
source scripts/lib/browser.sh
source scripts/lib/smtp.sh
# LEADBRIDGE_BIN measures another build, as the other benchmarks do.
if [ -n "${LEADBRIDGE_BIN:-}" ]; then BIN=$LEADBRIDGE_BIN
elif [ "${BUILD:-release}" = debug ]; then BIN=${BIN:-$PWD/.build/debug/leadbridge}; else build_release; fi
ensure_browser_tools
WORK=$(mktemp -d)
SERVER=""
trap '[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; stop_smtp_server; rm -rf "$WORK"' EXIT
start_smtp_server
APP_PORT=$(free_port)
HOST_PORT=(${LEADBRIDGE_TEST_SMTP/:/ })

run_server() {
  rm -rf "$WORK/storage"; mkdir -p "$WORK/storage"
  APP_URL="http://127.0.0.1:$APP_PORT" PORT="$APP_PORT" STORAGE_PATH="$WORK/storage" APP_KEY="$(openssl rand -base64 32 | sed 's/^/base64:/')" \
    INTAKE_RATE_LIMIT=0 QUEUE_WORKERS=8 QUEUE_POLL_MILLISECONDS=100 QUEUE_BACKOFF_BASE_SECONDS=1 QUEUE_BACKOFF_CAP_SECONDS=8 \
    MAIL_HOST="${HOST_PORT[0]}" MAIL_PORT="${HOST_PORT[1]}" MAIL_ENCRYPTION=tls MAIL_CA_FILE="$LEADBRIDGE_TEST_SMTP_CA" \
    MAIL_USERNAME="$LEADBRIDGE_TEST_SMTP_USERNAME" MAIL_PASSWORD="$LEADBRIDGE_TEST_SMTP_PASSWORD" \
    MAIL_FROM_ADDRESS=leads@example.test LEAD_ALERT_EMAIL_TO="$1" LEAD_ALERT_EMAIL_SUMMARY_SECONDS=0 \
    "$BIN" serve --port "$APP_PORT" >"$WORK/server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 200); do curl -fs "http://127.0.0.1:$APP_PORT/readyz" >/dev/null 2>&1 && return; sleep 0.1; done
  cat "$WORK/server.log"; exit 1
}

echo "==> $COUNT enquiries 0.1 s apart, each one staff email"
run_server latency@example.test
"$BROWSER_PYTHON" scripts/bench/email-bench.py latency "http://127.0.0.1:$APP_PORT" "$LEADBRIDGE_TEST_SMTP_SPOOL" latency@example.test "$COUNT"
kill "$SERVER"; wait "$SERVER" 2>/dev/null || true

echo "==> $DRAIN enquiries queued while the server answers 421 for 30 s"
run_server drain@example.test
"$BROWSER_PYTHON" scripts/bench/email-bench.py drain "http://127.0.0.1:$APP_PORT" "$LEADBRIDGE_TEST_SMTP_SPOOL" drain@example.test "$DRAIN" "$LEADBRIDGE_TEST_SMTP_CONTROL"
