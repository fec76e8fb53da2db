#!/usr/bin/env bash
# Lead to CRM: how long after the 201 answer SuiteDash receives the lead's POST /contact.
# Release build, SQLite, the SuiteDash sandbox answering at once (0 ms), 200 enquiries spaced
# 100 ms apart, the server's own workers. Prints p50, p90, p99 and max.
# Target (issue #16): p50 <= 30 ms, p99 <= 100 ms above the provider's own latency.
# DB=postgres runs it on a throwaway PostgreSQL cluster; WORKERS=separate leaves the work to a
# `leadbridge worker` process (the server runs none), which a NOTIFY must wake.
# LEADBRIDGE_BIN measures another build's server (the sandbox is always this build's).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/common.sh

COUNT=${COUNT:-200}
SPACING=${SPACING:-0.1}
DB=${DB:-sqlite}
WORKERS=${WORKERS:-in-process}

build_release
SANDBOX_BIN=$BIN
BIN=${LEADBRIDGE_BIN:-$BIN}
WORK=$(mktemp -d /tmp/leadbridge-l2c.XXXXXX)
SANDBOX_PORT=$(free_port); APP_PORT=$(free_port)
cleanup() {
  kill ${SERVER:-} ${WORKER:-} ${SANDBOX:-} 2>/dev/null || true; wait 2>/dev/null || true
  [ "$DB" = postgres ] && stop_cluster
  rm -rf "$WORK"
}
trap cleanup EXIT
if [ "$DB" = postgres ]; then
  source scripts/lib/postgres.sh
  ensure_postgres
  start_cluster
  export DATABASE_URL=$PG_URL
fi

$SANDBOX_BIN sandbox --port "$SANDBOX_PORT" --latency 0 >"$WORK/sandbox.log" 2>&1 &
SANDBOX=$!
# The providers are the local sandbox, which production refuses unless told (ALLOW_PRIVATE_PROVIDER_HOSTS).
export APP_KEY=$($SANDBOX_BIN key generate | sed 's/^APP_KEY=//') STORAGE_PATH="$WORK" LOG_LEVEL=warning INTAKE_RATE_LIMIT=0 \
  ALLOW_PRIVATE_PROVIDER_HOSTS=true SUITEDASH_ENABLED=true SUITEDASH_API_URL="http://127.0.0.1:$SANDBOX_PORT/secure-api" \
  SUITEDASH_API_KEY=sandbox-public-id SUITEDASH_SECRET_KEY=sandbox-secret-key \
  SUITEDASH_SYNCS_PER_MINUTE=0  # 10 leads a second is over the spam ceiling: this measures the path itself
if [ "$WORKERS" = separate ]; then
  $BIN migrate --yes >/dev/null
  QUEUE_WORKERS=0 $BIN serve --env production --port "$APP_PORT" >"$WORK/server.log" 2>&1 &
  SERVER=$!
  $BIN worker --env production >"$WORK/worker.log" 2>&1 &
  WORKER=$!
else
  $BIN serve --env production --port "$APP_PORT" >"$WORK/server.log" 2>&1 &
  SERVER=$!
fi
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$APP_PORT/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$SANDBOX_PORT/_sandbox/suitedash" >/dev/null 2>&1 && break; sleep 0.1; done

echo "==> $COUNT enquiries, ${SPACING}s apart; sandbox latency 0 ms; $DB; workers: $WORKERS"
python3 scripts/bench/lead-to-crm.py "http://127.0.0.1:$APP_PORT" "http://127.0.0.1:$SANDBOX_PORT" "$COUNT" "$SPACING"
