#!/usr/bin/env bash
# Speed to lead: how long after an enquiry's commit RingCentral accepted its staff alert and
# its instant reply. Release build, SQLite, the RingCentral sandbox, connected through the real
# OAuth round trip, the server's own workers. COUNT enquiries (default 30), SPACING seconds
# apart (default 2: 30 texts a minute, under RingCentral's Medium group of 40 SMS calls a
# minute, which the sandbox enforces and LeadBridge paces to), each from its own phone with
# consent: one alert and then one summary a minute (the burst rule), one instant reply each.
# Prints p50, p90, p99 and max in ms. Faster than 40 a minute, replies queue behind the limit.
# Target (issue #20): the alert within 5 s of the commit.
set -euo pipefail
cd "$(dirname "$0")/../.."
COUNT=${COUNT:-30}
SPACING=${SPACING:-2}
DB=sqlite
source scripts/bench/rc-common.sh

LEAD_ALERT_SMS_TO=+16505550199 BUSINESS_NAME="Bench Advisory" INTAKE_RATE_LIMIT=0 AUTO_TEXT_HOURLY_CAP=10000 \
  LEAD_AUTO_REPLY_SMS="Hi {first_name}, thanks for contacting {business_name}." QUEUE_WORKERS=8 \
  $BIN serve --env production --port "$APP_PORT" >"$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$APP_PORT/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
echo "==> $COUNT enquiries, ${SPACING}s apart; SQLite; the server's own workers"
python3 scripts/bench/speed-to-lead.py "http://127.0.0.1:$APP_PORT" "$WORK/database.sqlite" "$COUNT" "$SPACING"
