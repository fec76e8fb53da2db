#!/usr/bin/env bash
# SuiteDash sync benchmark: 5,000 enquiries (4,000 people: some write twice) synced to the
# SuiteDash sandbox, which adds 50 ms to every call, with the default workers. Prints API
# calls per enquiry (target <= 2.0 for new contacts), drain time and enquiries/s; then syncs
# every enquiry again, now with the uid known (target <= 1.0 calls each); and checks the
# sandbox holds exactly one contact per distinct email.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/common.sh

ENQUIRIES=${ENQUIRIES:-5000}
PEOPLE=${PEOPLE:-4000}
LATENCY=${LATENCY:-50}
command -v sqlite3 >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3 >/dev/null; }

build_release
WORK=$(mktemp -d /tmp/leadbridge-sd-bench.XXXXXX)
SANDBOX_PORT=$(free_port); APP_PORT=$(free_port)
cleanup() { kill ${SERVER:-} ${SANDBOX:-} 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

$BIN sandbox --port "$SANDBOX_PORT" --latency "$LATENCY" >"$WORK/sandbox.log" 2>&1 &
SANDBOX=$!
# The providers are the local sandbox, which production refuses unless told (ALLOW_PRIVATE_PROVIDER_HOSTS).
export APP_KEY=$($BIN key generate | sed 's/^APP_KEY=//') STORAGE_PATH="$WORK" LOG_LEVEL=warning INTAKE_RATE_LIMIT=0 \
  ALLOW_PRIVATE_PROVIDER_HOSTS=true SUITEDASH_ENABLED=true SUITEDASH_API_URL="http://127.0.0.1:$SANDBOX_PORT/secure-api" \
  SUITEDASH_API_KEY=sandbox-public-id SUITEDASH_SECRET_KEY=sandbox-secret-key \
  SUITEDASH_SYNCS_PER_MINUTE=0  # measures the sync itself, not the spam ceiling
$BIN serve --env production --port "$APP_PORT" >"$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$APP_PORT/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
WORKERS="${QUEUE_WORKERS:-8 (the default)}"

stats() { curl -fs "http://127.0.0.1:$SANDBOX_PORT/_sandbox/suitedash"; }
field() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
pending_jobs() { sqlite3 "$WORK/database.sqlite" "SELECT COUNT(*) FROM jobs"; }
now() { date +%s.%N; }
wait_for_empty_queue() { while [ "$(pending_jobs)" -ne 0 ]; do sleep 0.2; done; }

echo "==> $ENQUIRIES enquiries from $PEOPLE people; sandbox latency ${LATENCY} ms; workers: $WORKERS"
START=$(now)
CREATED=$(python3 scripts/bench/post-enquiries.py "http://127.0.0.1:$APP_PORT" "$ENQUIRIES" "$PEOPLE")
POSTED=$(now)
wait_for_empty_queue
DRAINED=$(now)
FIRST=$(stats)
FIRST_CALLS=$(echo "$FIRST" | field '["totalCalls"]')
SYNCED=$(sqlite3 "$WORK/database.sqlite" "SELECT COUNT(*) FROM contact_submissions WHERE status = 'synced'")

echo "==> Syncing all $ENQUIRIES again with the uid known"
curl -fs -X POST "http://127.0.0.1:$SANDBOX_PORT/_sandbox/suitedash/reset-calls" >/dev/null
AGAIN_START=$(now)
$BIN suitedash sync --all >/dev/null
wait_for_empty_queue
AGAIN_END=$(now)
SECOND=$(stats)

echo
awk -v n="$ENQUIRIES" -v created="$CREATED" -v a="$START" -v p="$POSTED" -v d="$DRAINED" -v calls="$FIRST_CALLS" -v synced="$SYNCED" 'BEGIN {
  printf "first sync:  %d enquiries accepted (201) in %.1f s; all synced after %.1f s (%.0f enquiries/s); %d synced\n", created, p - a, d - a, n / (d - a), synced
  printf "             API calls: %d = %.2f per enquiry\n", calls, calls / n }'
echo "             calls by endpoint: $(echo "$FIRST" | field '["calls"]')"
awk -v n="$ENQUIRIES" -v a="$AGAIN_START" -v b="$AGAIN_END" -v calls="$(echo "$SECOND" | field '["totalCalls"]')" 'BEGIN {
  printf "second sync: %.1f s (%.0f enquiries/s); API calls: %d = %.2f per enquiry\n", b - a, n / (b - a), calls, calls / n }'
echo "             calls by endpoint: $(echo "$SECOND" | field '["calls"]')"
CONTACTS=$(echo "$SECOND" | field '["contacts"]'); DISTINCT=$(echo "$SECOND" | field '["distinctEmails"]')
echo "contacts in the sandbox: $CONTACTS; distinct emails: $DISTINCT; duplicates: $((CONTACTS - DISTINCT))"
[ "$CONTACTS" = "$PEOPLE" ] && [ "$DISTINCT" = "$PEOPLE" ]
