# Throwaway PostgreSQL clusters for tests and benchmarks. Source this file, then call
# ensure_postgres and start_cluster; stop_cluster runs on exit. On a fresh Debian machine it
# installs PostgreSQL with apt-get (root needed, as on CI).

postgres_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

ensure_postgres() {
  if [ -z "$(postgres_bin)" ] || [ ! -x "$(postgres_bin)/initdb" ]; then
    apt_install PostgreSQL postgresql
  fi
}

# shellcheck source=common.sh
source scripts/lib/common.sh

PG_DIR=""
PG_BIN=""
PG_PORT=""

# initdb and postgres refuse to run as root; use the postgres account the package creates.
as_pg_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Starts a cluster on a free port in a temporary folder; sets PG_PORT and PG_URL (database
# "postgres", user "postgres", no password). Extra arguments are passed to postgres as -c settings.
start_cluster() {
  PG_BIN=$(postgres_bin)
  PG_DIR=$(mktemp -d /tmp/leadbridge-pg.XXXXXX)
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$PG_DIR"; fi
  PG_PORT=$(free_port)
  as_pg_owner "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null
  local options="-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=300"
  for setting in "$@"; do options="$options -c $setting"; done
  as_pg_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -o "$options" start >/dev/null
  PG_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
  echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on port $PG_PORT (data in $PG_DIR)"
}

stop_cluster() {
  if [ -n "$PG_DIR" ] && [ -d "$PG_DIR/data" ]; then
    as_pg_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
  PG_DIR=""
}
