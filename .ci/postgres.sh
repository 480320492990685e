#!/usr/bin/env bash
# Starts a throw-away PostgreSQL on a free loopback port and prints its URL.
# Usage: eval "$(.ci/postgres.sh start DIR)"   →  sets PG_URL (TCP), PG_UDS_URL (Unix socket) and PG_DIR
#        .ci/postgres.sh stop DIR
set -euo pipefail
action=${1:?start or stop}
dir=${2:?data directory}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "$action" in
start)
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  as_postgres "$bin/initdb" -D "$dir/data" -U postgres -A trust --no-sync >/dev/null
  as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=1000" start >/dev/null
  psql -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE DATABASE guild" >/dev/null
  socket="$(cd "$dir" && pwd)/.s.PGSQL.$port"
  echo "PG_URL=postgres://postgres@127.0.0.1:$port/guild; PG_UDS_URL='postgres+uds://postgres@localhost$socket#guild'; PG_DIR=$dir"
  ;;
stop)
  as_postgres "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null || true
  ;;
esac
