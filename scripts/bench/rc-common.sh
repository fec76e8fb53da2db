# Shared by the RingCentral benchmarks: a release build, the sandbox, an admin, a server
# connected to RingCentral through the real OAuth round trip. Source it after setting DB
# (sqlite or postgres). LEADBRIDGE_BIN runs another build of the app (say, the one before a
# change, to compare); the sandbox is always this checkout's (SANDBOX_BIN to change that).
source scripts/lib/common.sh

build_release
SANDBOX_BIN=${SANDBOX_BIN:-$BIN}
if [ -n "${LEADBRIDGE_BIN:-}" ]; then BIN=$LEADBRIDGE_BIN; fi
WORK=$(mktemp -d /tmp/leadbridge-rc-bench.XXXXXX)
SANDBOX_PORT=$(free_port); APP_PORT=$(free_port)
SANDBOX_URL="http://127.0.0.1:$SANDBOX_PORT"
rc_cleanup() { kill ${SERVER:-} ${SANDBOX:-} 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"; }
# Set here, before anything can fail: a failed connect used to leave the sandbox and the
# PostgreSQL cluster running (the caller's own trap was not yet set).
trap 'rc_cleanup; if type stop_cluster >/dev/null 2>&1; then stop_cluster; fi' EXIT

$SANDBOX_BIN sandbox --port "$SANDBOX_PORT" >"$WORK/sandbox.log" 2>&1 &
SANDBOX=$!
for _ in $(seq 1 100); do curl -fs "$SANDBOX_URL/_sandbox/ringcentral" >/dev/null 2>&1 && break; sleep 0.1; done

# The providers are the local sandbox, which production refuses unless told (ALLOW_PRIVATE_PROVIDER_HOSTS).
export APP_KEY=$($BIN key generate | sed 's/^APP_KEY=//') STORAGE_PATH="$WORK" LOG_LEVEL=warning QUEUE_WORKERS=0 \
  APP_URL="http://127.0.0.1:$APP_PORT" ALLOW_PRIVATE_PROVIDER_HOSTS=true \
  RINGCENTRAL_SERVER_URL="$SANDBOX_URL" RINGCENTRAL_CLIENT_ID=rc-sandbox-client-id \
  RINGCENTRAL_CLIENT_SECRET=rc-sandbox-client-secret \
  RINGCENTRAL_REDIRECT_URI="http://127.0.0.1:$APP_PORT/api/integrations/ringcentral/callback"
if [ "${DB:-sqlite}" = postgres ]; then export DATABASE_URL="$PG_URL"; fi

rc_sandbox() { curl -fs -X POST -H 'Content-Type: application/json' -d "$2" "$SANDBOX_URL/_sandbox/ringcentral/$1" >/dev/null; }
rc_stats() { curl -fs "$SANDBOX_URL/_sandbox/ringcentral"; }
field() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

echo "==> Connecting RingCentral (sign in, Connect, approve, callback)"
$BIN migrate --yes >/dev/null
printf 'bench-password-123\n' | $BIN user create --email bench@example.com --name Bench --password-stdin >/dev/null
$BIN serve --env production --port "$APP_PORT" >"$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$APP_PORT/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
python3 scripts/bench/rc-connect.py "http://127.0.0.1:$APP_PORT" bench@example.com bench-password-123
kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""
