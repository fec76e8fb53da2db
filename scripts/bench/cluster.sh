#!/usr/bin/env bash
# Scale-out soak (issue #17): a throwaway PostgreSQL cluster, two `serve` processes
# (QUEUE_WORKERS=0) on their own ports, two `leadbridge worker` processes, and the provider
# sandbox (SuiteDash answering in 100 ms, 1 % of answers a 500). ENQUIRIES (default 10,000)
# enquiries go to both servers, some from the same people, some with a phone and no email;
# meanwhile a worker is killed with SIGKILL every 20 s and restarted, one server is killed
# with SIGKILL and restarted, both servers are restarted one at a time (a rolling deploy),
# SuiteDash answers 503 for 30 s and then 429 with Retry-After for 30 s, and an admin signed in
# on server A works on server B. It prints what it checks at the end and exits non-zero when a
# check fails. A benchmark and soak, not a CI test: Tests/Browser/test_cluster.py is the CI one.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/postgres.sh

ENQUIRIES=${ENQUIRIES:-10000}
build_release
ensure_postgres
start_cluster max_connections=400
trap stop_cluster EXIT
python3 scripts/bench/cluster/soak.py "$BIN" "$PG_URL" "$ENQUIRIES"
