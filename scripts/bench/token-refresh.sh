#!/usr/bin/env bash
# Token-refresh benchmark: two LeadBridge processes on one PostgreSQL database, each with 50
# concurrent callers calling RingCentral (the sandbox) without pause, while the sandbox kills
# every access token 20 times (as RingCentral does when a token expires). Each expiry must
# cost exactly one refresh across both processes, with no invalid_grant (a refresh token
# spent twice) and no 429. Prints refresh requests (target 20), invalid_grant (target 0),
# 429s (target 0) and the calls made.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/postgres.sh
EXPIRIES=${EXPIRIES:-20}
CALLERS=${CALLERS:-50}
INTERVAL=${INTERVAL:-1.5}

ensure_postgres
start_cluster "max_connections=200"
DB=postgres
source scripts/bench/rc-common.sh
trap 'rc_cleanup; stop_cluster' EXIT

# Light and Auth limits raised for the run: 2 x 50 callers in a tight loop would otherwise
# (rightly) be paced to RingCentral's 50 requests a minute; pacing has its own tests.
rc_sandbox settings '{"limits":{"Light":1000000,"Medium":1000,"Heavy":1000,"Auth":1000}}'
rc_sandbox reset-stats '{}'

SECONDS_TOTAL=$(python3 -c "print($EXPIRIES * $INTERVAL + 2)")
echo "==> 2 processes x $CALLERS callers for ${SECONDS_TOTAL}s; $EXPIRIES forced expiries every ${INTERVAL}s"
$BIN ringcentral ping --callers "$CALLERS" --seconds "$SECONDS_TOTAL" >"$WORK/ping1.log" 2>&1 &
P1=$!
$BIN ringcentral ping --callers "$CALLERS" --seconds "$SECONDS_TOTAL" >"$WORK/ping2.log" 2>&1 &
P2=$!
sleep 1
for _ in $(seq 1 "$EXPIRIES"); do
  rc_sandbox expire-tokens '{}'
  sleep "$INTERVAL"
done
wait $P1 $P2 || { cat "$WORK/ping1.log" "$WORK/ping2.log"; exit 1; }

echo "process 1: $(tail -n 1 "$WORK/ping1.log")"
echo "process 2: $(tail -n 1 "$WORK/ping2.log")"
STATS=$(rc_stats)
REFRESHES=$(echo "$STATS" | field "d['tokenRequests'].get('refresh_token', 0)")
INVALID=$(echo "$STATS" | field "d['invalidGrants']")
LIMITED=$(echo "$STATS" | field "d['rateLimited']")
CALLS=$(echo "$STATS" | field "d['totalCalls']")
echo "forced expiries:      $EXPIRIES"
echo "refresh requests:     $REFRESHES (target $EXPIRIES)"
echo "invalid_grant:        $INVALID (target 0)"
echo "429 answers:          $LIMITED (target 0)"
echo "requests to sandbox:  $CALLS"
