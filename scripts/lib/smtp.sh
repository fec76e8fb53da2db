# The loopback SMTP server the tests and the email benchmark send to
# (scripts/lib/smtp-test-server.py, aiosmtpd in the browser suite's venv). Source it from the
# repository root after browser.sh; start_smtp_server exports LEADBRIDGE_TEST_SMTP and its
# companions (the spool folder, the throwaway CA, the control URL), which the Swift tests read.

SMTP_PID=""
SMTP_DIR=""

start_smtp_server() {
  SMTP_DIR=$(mktemp -d)
  "${BROWSER_PYTHON:-.build/browser-venv/bin/python}" scripts/lib/smtp-test-server.py --folder "$SMTP_DIR" \
    --env-file "$SMTP_DIR/env" > "$SMTP_DIR/server.log" 2>&1 &
  SMTP_PID=$!
  for _ in $(seq 1 100); do
    [ -f "$SMTP_DIR/env" ] && break
    if ! kill -0 "$SMTP_PID" 2>/dev/null; then cat "$SMTP_DIR/server.log" >&2; return 1; fi
    sleep 0.1
  done
  # shellcheck disable=SC1091
  source "$SMTP_DIR/env"
  echo "Test SMTP server on $LEADBRIDGE_TEST_SMTP (STARTTLS) and $LEADBRIDGE_TEST_SMTPS (TLS); spool $LEADBRIDGE_TEST_SMTP_SPOOL"
}

stop_smtp_server() {
  if [ -n "$SMTP_PID" ]; then kill "$SMTP_PID" 2>/dev/null || true; wait "$SMTP_PID" 2>/dev/null || true; fi
  SMTP_PID=""
  [ -n "$SMTP_DIR" ] && rm -rf "$SMTP_DIR"
  SMTP_DIR=""
}
