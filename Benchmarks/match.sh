#!/usr/bin/env bash
# Matching benchmark: release build, a 100,000-member demo network, `guild serve` (with its background
# worker, which embeds the demo's profile texts), then:
#   - how long until every profile text is embedded (from the server's start);
#   - the server's RSS with the model loaded and every member in its in-memory index;
#   - time to embed one need (median, p99) on each matrix kernel this machine has (`guild model bench`);
#   - wrk on POST /api/v1/matches with 200 distinct needs (Benchmarks/match_needs.py), 16 connections
#     and 1 connection, beside /ping in the same run.
# Runs on SQLite, then on a throw-away PostgreSQL.
#
# Usage: Benchmarks/match.sh [members] [seconds per route] [sqlite|postgres|both]   (defaults: 100000 10 both)
# Needs: wrk, PostgreSQL 15 binaries for the second half, the model (guild model fetch).
set -euo pipefail
cd "$(dirname "$0")/.."
members=${1:-100000}
duration=${2:-10}
which_db=${3:-both}
work=$(mktemp -d /tmp/guild-match-bench.XXXXXX)
chmod 755 "$work"
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  [ -d "$work/pg" ] && .ci/postgres.sh stop "$work/pg"
  rm -rf "$work"
}
trap cleanup EXIT
for tool in wrk bc; do command -v $tool >/dev/null || { apt-get update -qq && apt-get install -y -qq $tool >/dev/null; }; done

scratch=${SCRATCH:-.build}
swift build -c release --scratch-path "$scratch" 2>&1 | tail -1
guild=$(swift build -c release --scratch-path "$scratch" --show-bin-path)/guild
"$guild" model fetch >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 Benchmarks/match_needs.py >"$work/needs.jsonl"
python3 Benchmarks/match_needs.py --plain >"$work/needs.txt"
cat >"$work/needs.lua" <<LUA
local bodies = {}
for line in io.lines("$work/needs.jsonl") do bodies[#bodies + 1] = line end
local i = math.random(#bodies)
request = function()
  i = i % #bodies + 1
  return wrk.format("POST", "/api/v1/matches", {["Content-Type"] = "application/json"}, bodies[i])
end
LUA

echo "## machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "### time to embed one need, one thread (guild model bench, 200 needs × 3)"
"$guild" model bench --needs "$work/needs.txt"

ms() { python3 -c "import sys; v=sys.argv[1]; print(round(float(v[:-2])/1000,3) if v.endswith('us') else round(float(v[:-2]),2) if v.endswith('ms') else round(float(v[:-1])*1000,1))" "$1"; }

measure() { # label, wrk arguments…
  local label=$1; shift
  wrk -t2 -c16 -d"${duration}s" --latency "$@" >"$work/wrk.txt"
  local rps p50 p99 one50 one99
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
  p50=$(ms "$(awk '$1=="50%" {print $2}' "$work/wrk.txt")"); p99=$(ms "$(awk '$1=="99%" {print $2}' "$work/wrk.txt")")
  grep -q "Non-2xx" "$work/wrk.txt" && { echo "non-2xx answers:"; grep "Non-2xx" "$work/wrk.txt"; }
  wrk -t1 -c1 -d"$(( duration / 2 + 1 ))s" --latency "$@" >"$work/wrk1.txt"
  one50=$(ms "$(awk '$1=="50%" {print $2}' "$work/wrk1.txt")"); one99=$(ms "$(awk '$1=="99%" {print $2}' "$work/wrk1.txt")")
  [ "$label" = /ping ] && ping_rps=$rps
  printf '| %s | %.0f | %s | %s | %.3f | %s | %s |\n' "$label" "$rps" "$p50" "$p99" "$(echo "$rps / $ping_rps" | bc -l)" "$one50" "$one99"
}

run() { # label database-url
  local label=$1 url=$2
  echo "## $label: $members members"
  DATABASE_URL="$url" "$guild" demo --members "$members" --posts 0 --seed 1 >/dev/null 2>&1
  local start end
  start=$(date +%s.%N)
  DATABASE_URL="$url" GUILD_MATCHES_PER_MINUTE=0 LOG_LEVEL=error "$guild" serve --port "$port" >>"$work/serve.log" 2>&1 &
  server=$!
  for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
  while [ "$(DATABASE_URL="$url" LOG_LEVEL=error "$guild" model status | awk -F': ' '/waiting/ {print $2}')" != "0" ]; do sleep 5; done
  end=$(date +%s.%N)
  DATABASE_URL="$url" "$guild" model status | tail -1
  printf 'every profile text embedded %.0f s after the server started\n' "$(echo "$end - $start" | bc)"
  start=$(date +%s.%N)
  curl -fs -X POST "http://127.0.0.1:$port/api/v1/matches" -H 'Content-Type: application/json' -d '{"need":"our books are a mess"}' -o /dev/null
  end=$(date +%s.%N)
  printf 'first match after that (loads the in-memory index): %.2f s\n' "$(echo "$end - $start" | bc)"
  echo "server RSS with the model and $members members indexed: $(awk '/VmRSS/ {printf "%.0f MB", $2/1024}' /proc/$server/status)"
  echo
  echo "| route | req/s (16 conn) | p50 ms | p99 ms | req/s vs /ping | 1 conn: p50 ms | 1 conn: p99 ms |"
  echo "|---|---|---|---|---|---|---|"
  measure /ping "http://127.0.0.1:$port/ping"
  measure "POST /api/v1/matches (200 needs)" -s "$work/needs.lua" "http://127.0.0.1:$port"
  echo "server RSS after the runs: $(awk '/VmRSS/ {printf "%.0f MB", $2/1024}' /proc/$server/status)"
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
  echo
}

if [ "$which_db" != postgres ]; then
  run SQLite "sqlite://$work/bench.sqlite"
fi
if [ "$which_db" != sqlite ]; then
  eval "$(.ci/postgres.sh start "$work/pg")"
  run PostgreSQL "$PG_UDS_URL"
fi
