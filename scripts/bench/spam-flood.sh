#!/usr/bin/env bash
# Spam flood (issue #31): 10,000 spam submissions at full speed (a third each: the honeypot, a
# rule's phrase, a form sent at once after it was shown) while 100 real enquiries arrive,
# against a release build on SQLite with SuiteDash in API mode (the sandbox). Prints the
# intake's p50/p99, and checks: every real enquiry synced, every spam kept as spam, 0
# SuiteDash calls and 0 automatic texts for spam.
# LEADBRIDGE_BIN measures another build's server (the sandbox is always this build's).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/common.sh

SPAM=${SPAM:-10000}
REAL=${REAL:-100}
CONCURRENCY=${CONCURRENCY:-32}

if [ -n "${LEADBRIDGE_BIN:-}" ]; then BIN=$LEADBRIDGE_BIN; else build_release; fi
WORK=$(mktemp -d /tmp/leadbridge-spam.XXXXXX)
SANDBOX_PORT=$(free_port); APP_PORT=$(free_port)
cleanup() { kill ${SERVER:-} ${SANDBOX:-} 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

$BIN sandbox --port "$SANDBOX_PORT" --latency 0 >"$WORK/sandbox.log" 2>&1 &
SANDBOX=$!
export APP_KEY=$($BIN key generate | sed 's/^APP_KEY=//') STORAGE_PATH="$WORK" LOG_LEVEL=warning INTAKE_RATE_LIMIT=0 \
  APP_URL="http://127.0.0.1:$APP_PORT" FORM_MIN_SECONDS=3 \
  ALLOW_PRIVATE_PROVIDER_HOSTS=true SUITEDASH_ENABLED=true SUITEDASH_API_URL="http://127.0.0.1:$SANDBOX_PORT/secure-api" \
  SUITEDASH_API_KEY=sandbox-public-id SUITEDASH_SECRET_KEY=sandbox-secret-key SUITEDASH_SYNCS_PER_MINUTE=0
$BIN migrate --yes >/dev/null
# The rule the flood's second third trips.
sqlite3 "$WORK/database.sqlite" "INSERT INTO spam_rules (kind, value, created_by, created_at) VALUES ('phrase', 'cheap seo', 'bench', 0)"
$BIN serve --env production --port "$APP_PORT" >"$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$APP_PORT/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$SANDBOX_PORT/_sandbox/suitedash" >/dev/null 2>&1 && break; sleep 0.1; done

echo "==> $SPAM spam and $REAL real enquiries, $CONCURRENCY at a time; SQLite; SuiteDash sandbox in API mode"
python3 scripts/bench/spam-flood.py "http://127.0.0.1:$APP_PORT" "$SPAM" "$REAL" "$CONCURRENCY"

# Wait for the real enquiries' syncs to finish.
for _ in $(seq 1 600); do
  PENDING=$(sqlite3 "$WORK/database.sqlite" "SELECT COUNT(*) FROM contact_submissions WHERE status = 'pending'")
  [ "$PENDING" = "0" ] && break; sleep 0.1
done
q() { sqlite3 "$WORK/database.sqlite" "$1"; }
SYNCED=$(q "SELECT COUNT(*) FROM contact_submissions WHERE status = 'synced' AND email LIKE 'real%'")
KEPT=$(q "SELECT COUNT(*) FROM contact_submissions WHERE status = 'spam'")
SPAM_REAL=$(q "SELECT COUNT(*) FROM contact_submissions WHERE status = 'spam' AND email LIKE 'real%'")
SPAM_LOGS=$(q "SELECT COUNT(*) FROM integration_logs l JOIN contact_submissions c ON c.id = l.related_id AND l.related_type = 'contact_submission' WHERE c.status = 'spam'")
SPAM_TEXTS=$(q "SELECT COUNT(*) FROM automatic_texts t JOIN contact_submissions c ON c.id = t.contact_submission_id WHERE c.status = 'spam'")
CONTACTS=$(curl -fs "http://127.0.0.1:$SANDBOX_PORT/_sandbox/suitedash" | python3 -c 'import json,sys; print(json.load(sys.stdin)["contacts"])')
echo "real enquiries synced: $SYNCED of $REAL (any kept as spam: $SPAM_REAL)"
echo "spam kept as spam: $KEPT"
echo "SuiteDash contacts: $CONTACTS; SuiteDash calls logged for spam: $SPAM_LOGS; automatic texts for spam: $SPAM_TEXTS"
[ "$SYNCED" = "$REAL" ] && [ "$SPAM_REAL" = "0" ] && [ "$SPAM_LOGS" = "0" ] && [ "$SPAM_TEXTS" = "0" ] && [ "$CONTACTS" = "$REAL" ]
