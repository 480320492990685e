#!/usr/bin/env bash
# Directory benchmark: release build, a 100,000-member demo network, `guild serve`, then wrk against
# search (common term, rare term, niche filter), a profile page, the member JSON and the trivial
# /ping route of the same server as the ceiling. Runs on SQLite, then on a throw-away PostgreSQL.
#
# Usage: Benchmarks/directory.sh [members] [seconds per route] [sqlite|postgres|both]   (defaults: 100000 10 both)
# Before the routes, on a freshly started server: 1,000 distinct searches people would type, each
# once (Benchmarks/search_mix.py: every one a cache miss), then again (cache hits); the database's
# files are read once before them (this VM pages out memory idle for a minute).
# Niche pages and the niche index are measured like the other routes. On SQLite the profile and
# cached-search routes run once more with GUILD_SQLITE_READER=false (through Fluent), to see what
# the SQLite reader still buys now that profiles are cached.
# The search routes run twice, with the search cache on (repeated queries: the default) and off
# (GUILD_SEARCH_CACHE=0: every request ranks and counts). Each route is measured twice: 16 connections (throughput; latency includes queueing behind the
# server's two database connections) and 1 connection (the latency one request sees).
# PostgreSQL is reached over its Unix socket (postgres+uds://), as on a single-host deployment.
# Needs: wrk (apt-get install wrk), PostgreSQL 15 binaries for the second half.
set -euo pipefail
cd "$(dirname "$0")/.."
members=${1:-100000}
duration=${2:-10}
which_db=${3:-both}
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

# SCRATCH=.build-release keeps the release build beside the debug one.
scratch=${SCRATCH:-.build}
swift build -c release --scratch-path "$scratch" 2>&1 | tail -1
guild=$(swift build -c release --scratch-path "$scratch" --show-bin-path)/guild
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

serve() { # database-url search-cache-size [sqlite-reader]
  DATABASE_URL="$1" GUILD_SEARCH_CACHE="$2" GUILD_SQLITE_READER="${3:-true}" LOG_LEVEL=error \
    "$guild" serve --port "$port" --no-jobs >>"$work/serve.log" 2>&1 &
  server=$!
  for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
}

ms() { python3 -c "import sys; v=sys.argv[1]; print(round(float(v[:-2])/1000,3) if v.endswith('us') else round(float(v[:-2]),2) if v.endswith('ms') else round(float(v[:-1])*1000,1))" "$1"; }

measure() { # routes…; /ping first sets the ceiling
  local route rps p50 p99 one50 one99
  for route in "$@"; do
    curl -fs -o /dev/null "http://127.0.0.1:$port$route"  # warm up
    wrk -t2 -c16 -d"${duration}s" --latency "http://127.0.0.1:$port$route" >"$work/wrk.txt"
    rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
    p50=$(ms "$(awk '$1=="50%" {print $2}' "$work/wrk.txt")"); p99=$(ms "$(awk '$1=="99%" {print $2}' "$work/wrk.txt")")
    wrk -t1 -c1 -d"$(( duration / 2 + 1 ))s" --latency "http://127.0.0.1:$port$route" >"$work/wrk1.txt"
    one50=$(ms "$(awk '$1=="50%" {print $2}' "$work/wrk1.txt")"); one99=$(ms "$(awk '$1=="99%" {print $2}' "$work/wrk1.txt")")
    if [ "$route" = /ping ]; then ping_rps=$rps; ping_p99=$one99; fi
    printf '| `%s` | %.0f | %s | %s | %.2f | %s | %s | %.1f× |\n' "$route" "$rps" "$p50" "$p99" \
      "$(echo "$rps / $ping_rps" | bc -l)" "$one50" "$one99" "$(echo "$one99 / $ping_p99" | bc -l)"
  done
}

header() { printf '| route | req/s (16 conn) | p50 ms | p99 ms | req/s vs /ping | 1 conn: p50 ms | 1 conn: p99 ms | p99 vs /ping |\n|---|---|---|---|---|---|---|---|\n'; }

run() { # label database-url
  local label=$1 url=$2
  echo "## $label: $members members"
  local start end
  start=$(date +%s.%N)
  DATABASE_URL="$url" "$guild" demo --members "$members" --posts 0 --seed 1 >/dev/null 2>&1
  end=$(date +%s.%N)
  printf 'generate %d members: %.1f s\n' "$members" "$(echo "$end - $start" | bc)"
  serve "$url" 1000
  # This VM pages out memory idle for a minute (DAMON `pageout`, page cache included), so after the
  # generator the first touch of an index page came from disk. Read the database files once, as
  # a server that has been answering would have them, and time the search, not the VM's disk.
  if [[ "$url" == sqlite* ]]; then cat "$work"/bench.sqlite* >/dev/null; else find "$work/pg" -type f -exec cat {} + >/dev/null; fi
  echo "### 1,000 distinct searches, 1 connection, search cache as shipped"
  python3 Benchmarks/search_mix.py "http://127.0.0.1:$port"
  echo
  local slug
  slug=$(curl -fs "http://127.0.0.1:$port/api/v1/members?q=bookkeeping" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["slug"])')
  local searches=("/api/v1/members?q=marketing" "/api/v1/members?q=matterport" "/api/v1/members?niche=local-seo" "/directory?q=marketing")
  local niches=("/n/local-seo" "/niches" "/api/v1/niches/local-seo")
  echo "### search cache on (the default): repeated queries"
  header
  measure /ping "${searches[@]}" "${niches[@]}" "/m/$slug" "/api/v1/members/$slug"
  echo "server RSS after the run: $(( $(ps -o rss= -p "$server") / 1024 )) MB"
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
  echo "### search cache off (GUILD_SEARCH_CACHE=0): every search ranks and counts"
  serve "$url" 0
  header
  measure /ping "${searches[@]}" "${niches[@]}"
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
  if [[ "$url" == sqlite* ]]; then
    echo "### GUILD_SQLITE_READER=false: the same hot reads through Fluent (cache on)"
    serve "$url" 1000 false
    header
    measure /ping "/api/v1/members?q=marketing" "/m/$slug" "/api/v1/members/$slug"
    kill "$server"; wait "$server" 2>/dev/null || true; server=""
  fi
  echo
}

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr), $(date -u +%F)"
if [ "$which_db" != postgres ]; then run sqlite "sqlite://$work/bench.sqlite"; fi
if [ "$which_db" != sqlite ]; then
  eval "$(.ci/postgres.sh start "$work/pg")"
  # Same machine, so the Unix socket, as a same-host deployment would (8-12 % faster than loopback TCP here).
  run "postgres (Unix socket)" "$PG_UDS_URL"
fi
