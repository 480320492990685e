# Shared by the benchmark scripts (sourced, not run): a scratch directory removed on exit with the
# server and any PostgreSQL, wrk and bc, the release build (or GUILD_BIN), a free port, and the helpers below.
# The sourcing script sets `members`, `duration` and `which_db` first.
work=$(mktemp -d /tmp/guild-bench.XXXXXX)
chmod 755 "$work"
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  [ -d "$work/pg" ] && .ci/postgres.sh stop "$work/pg"
  rm -rf "$work"
}
trap cleanup EXIT
for tool in wrk bc; do command -v $tool >/dev/null || { apt-get update -qq && apt-get install -y -qq $tool >/dev/null; }; done

# SCRATCH=.build-release keeps the release build beside the debug one. GUILD_BIN=path runs that binary
# instead and builds nothing (unset, as before: `swift build -c release` first).
if [ -n "${GUILD_BIN:-}" ]; then
  guild=$GUILD_BIN
  [ -x "$guild" ] || { echo "no guild binary at $guild (GUILD_BIN)" >&2; exit 1; }
else
  scratch=${SCRATCH:-.build}
  swift build -c release --scratch-path "$scratch" 2>&1 | tail -1
  guild=$(swift build -c release --scratch-path "$scratch" --show-bin-path)/guild
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"

# `guild serve` without jobs on the free port; a script that needs other settings defines its own after sourcing this.
serve() { # database-url
  DATABASE_URL="$1" LOG_LEVEL=error GUILD_BASE_URL="$base" GUILD_MODEL_FETCH=0 "$guild" serve --port "$port" --no-jobs >>"$work/serve.log" 2>&1 &
  server=$!
  for _ in $(seq 1 300); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.2; done
}

session_cookie() { # email password → a Cookie header of a signed-in session, through the sign-in form
  local csrf
  csrf=$(curl -s -c "$work/jar" "$base/signin" | grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"//')
  curl -s -b "$work/jar" -c "$work/jar" -o /dev/null -X POST "$base/signin" --data-urlencode "csrf=$csrf" \
    --data-urlencode "email=$1" --data-urlencode "password=$2"
  echo "Cookie: guild_session=$(awk '$6 == "guild_session" {print $7}' "$work/jar")"
}

sql() { # database-url statement → rows, |-separated
  if [[ "$1" == sqlite* ]]; then
    python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); r=c.execute(sys.argv[2]).fetchall(); c.commit(); print("\n".join("|".join(map(str,x)) for x in r))' "${1#sqlite://}" "$2"
  else
    psql "$PG_URL" -Atqc "$2"
  fi
}

ms() { python3 -c "import sys; v=sys.argv[1]; print(round(float(v[:-2])/1000,3) if v.endswith('us') else round(float(v[:-2]),2) if v.endswith('ms') else round(float(v[:-1])*1000,1))" "$1"; }

measure() { # label header route; /ping first sets the ceiling
  local label=$1 header=$2 route=$3 rps p50 p99 one50 one99
  local args=(); [ -n "$header" ] && args=(-H "$header")
  local code  # warm up, and stop if the route does not answer 200 (a redirect to sign-in would measure nothing)
  code=$(curl -s -o /dev/null -w '%{http_code}' "${args[@]}" "$base$route")
  [ "$code" = 200 ] || { echo "$route answered $code, not 200; the server said:" >&2; tail -5 "$work/serve.log" >&2; exit 1; }
  wrk -t2 -c16 -d"${duration}s" --latency "${args[@]}" "$base$route" >"$work/wrk.txt"
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
  p50=$(ms "$(awk '$1=="50%" {print $2}' "$work/wrk.txt")"); p99=$(ms "$(awk '$1=="99%" {print $2}' "$work/wrk.txt")")
  wrk -t1 -c1 -d"$(( duration / 2 + 1 ))s" --latency "${args[@]}" "$base$route" >"$work/wrk1.txt"
  one50=$(ms "$(awk '$1=="50%" {print $2}' "$work/wrk1.txt")"); one99=$(ms "$(awk '$1=="99%" {print $2}' "$work/wrk1.txt")")
  if [ "$route" = /ping ]; then ping_rps=$rps; ping_p99=$one99; fi
  printf '| %s `%s` | %.0f | %s | %s | %.2f | %s | %s | %.1f× |\n' "$label" "$route" "$rps" "$p50" "$p99" \
    "$(echo "$rps / $ping_rps" | bc -l)" "$one50" "$one99" "$(echo "$one99 / $ping_p99" | bc -l)"
}

table_header() {
  printf '| route | req/s (16 conn) | p50 ms | p99 ms | req/s vs /ping | 1 conn: p50 ms | 1 conn: p99 ms | p99 vs /ping |\n|---|---|---|---|---|---|---|---|\n'
}
