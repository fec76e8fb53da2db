#!/usr/bin/env bash
# Token-refresh benchmark: two LeadBridge processes on one PostgreSQL database, each with 50
# concurrent callers calling RingCentral (the sandbox) without pause, while the sandbox kills
# every access token 20 times (as RingCentral does when a token expires). Each expiry must
# cost exactly one refresh across both processes, with no invalid_grant (a refresh token
# spent twice) and no 429. Prints refresh requests (target 20), invalid_grant (target 0),
# 429s (target 0) and the calls made.
#
# LIMITS=documented (issue #34): RingCentral's documented limits instead (Light 50 a minute,
# Auth 5), 20 callers in each process for 25 s, access tokens that live 20 s (so they expire
# on their own, mid-run), and COUNTING=sliding (default: the last 60 s, every request during a
# penalty restarts it, as RingCentral's guide says) or COUNTING=fixed (consecutive windows).
# Prints, per group, the most requests RingCentral saw in any 60 s (target: at most the limit),
# the 429s by group, invalid_grant and failed calls (targets 0).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/postgres.sh
LIMITS=${LIMITS:-raised}
COUNTING=${COUNTING:-sliding}
if [ "$LIMITS" = documented ]; then
  EXPIRIES=${EXPIRIES:-0}; CALLERS=${CALLERS:-20}; SECONDS_TOTAL=${SECONDS_TOTAL:-25}; TOKEN_TTL=${TOKEN_TTL:-20}
else
  EXPIRIES=${EXPIRIES:-20}; CALLERS=${CALLERS:-50}; TOKEN_TTL=${TOKEN_TTL:-3600}
fi
INTERVAL=${INTERVAL:-1.5}

ensure_postgres
start_cluster "max_connections=200"
DB=postgres
source scripts/bench/rc-common.sh
trap 'rc_cleanup; stop_cluster' EXIT

# Light and Auth limits raised for the run: 2 x 50 callers in a tight loop would otherwise
# (rightly) be paced to RingCentral's 50 requests a minute; pacing has its own tests.
if [ "$LIMITS" = documented ]; then
  rc_sandbox settings "{\"limits\":{\"Light\":50,\"Medium\":40,\"Heavy\":10,\"Auth\":5},\"accessTokenTTL\":$TOKEN_TTL,\"rateLimitCounting\":\"$COUNTING\"}"
  # The connection's token was issued for an hour: start from one that lives TOKEN_TTL.
  rc_sandbox expire-tokens '{}'
else
  rc_sandbox settings '{"limits":{"Light":1000000,"Medium":1000,"Heavy":1000,"Auth":1000}}'
fi
rc_sandbox reset-stats '{}'

SECONDS_TOTAL=${SECONDS_TOTAL:-$(python3 -c "print($EXPIRIES * $INTERVAL + 2)")}
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
if [ "$LIMITS" = documented ]; then
  echo "limits:               documented, $COUNTING window; tokens live ${TOKEN_TTL}s"
  echo "refresh requests:     $REFRESHES"
  echo "busiest 60 s, by group: $(echo "$STATS" | field "', '.join(f'{g} {n}' for g, n in sorted(d.get('busiestWindow', {}).items())) or 'not reported'") (limits: Light 50, Auth 5)"
  echo "429 answers:          $LIMITED (target 0) $(echo "$STATS" | field "d.get('rateLimitedByGroup', {})")"
else
  echo "forced expiries:      $EXPIRIES"
  echo "refresh requests:     $REFRESHES (target $EXPIRIES)"
  echo "429 answers:          $LIMITED (target 0)"
fi
echo "invalid_grant:        $INVALID (target 0)"
echo "requests to sandbox:  $CALLS"
