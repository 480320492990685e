#!/usr/bin/env bash
# Events benchmark: release build; `guild demo` writes 100,000 members, then 2,000 circles (50 members
# each) with 50,000 event dates among them (25 a circle, from 60 days back to 120 ahead, a weekly
# series in every tenth circle, up to 8 answers a date); then wrk against the upcoming-events page
# (first and a deep page), a search of it, the busiest circle's page and its .ics feed, an event's page
# and /ping of the same server; then RSVP throughput with contention: 60 members answering yes and no
# in turn to one 50-seat event for the whole run, and a check afterwards that it never oversold.
# Targets (issue 18): the upcoming-events page and a circle's .ics p99 < 15 ms, on both databases.
#
# Usage: Benchmarks/events.sh [members] [seconds per route] [sqlite|postgres|both]   (defaults: 100000 10 both)
set -euo pipefail
cd "$(dirname "$0")/.."
members=${1:-100000}
duration=${2:-10}
which_db=${3:-both}
source Benchmarks/common.sh

run() { # label database-url
  local label=$1 url=$2 start end circle event contended
  echo "## $label: $members members"
  start=$(date +%s)
  DATABASE_URL="$url" "$guild" demo --members "$members" --referrals 0 --posts 0 --circles 2000 --events 50000 --seed 1 | tail -2
  end=$(date +%s)
  echo "demo written in $(( end - start )) s: $(sql "$url" "SELECT COUNT(*) FROM circles") circles, $(sql "$url" "SELECT COUNT(*) FROM events") event dates, $(sql "$url" "SELECT COUNT(*) FROM event_rsvps") answers"
  circle=$(sql "$url" "SELECT slug FROM circles ORDER BY member_count DESC, slug LIMIT 1")
  event=$(sql "$url" "SELECT e.id FROM events e JOIN circles c ON c.id = e.circle_id WHERE c.slug = '$circle' AND e.starts_at > $(now_sql "$url") ORDER BY e.starts_at LIMIT 1")
  serve "$url"
  echo
  table_header
  measure "" "" /ping
  measure "upcoming events, first page" "" /events
  measure "upcoming events, page 40" "" "/events?page=40"
  measure "upcoming events, search" "" "/events?q=breakfast"
  measure "the busiest circle's page" "" "/circles/$circle"
  measure "its iCalendar feed" "" "/circles/$circle.ics"
  measure "an event's page" "" "/events/$event"
  measure "events API" "" /api/v1/events
  echo

  # RSVP throughput with contention: one 50-seat event, 60 members answering yes and no in turn.
  # Sixty generated members get API tokens written straight into the database (sign-up is throttled per address).
  local tokens="" id secret
  for id in $(sql "$url" "SELECT id FROM users WHERE email LIKE '%@demo.guild.test' ORDER BY email LIMIT 60"); do
    secret=$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')
    if [[ "$url" == sqlite* ]]; then
      sql "$url" "INSERT INTO api_tokens (id, user_id, label, token_hash, created_at) VALUES ('$(python3 -c 'import uuid; print(str(uuid.uuid4()).upper())')', '$id', 'bench', '$(printf %s "$secret" | sha256sum | cut -d' ' -f1)', $(now_sql "$url"))" >/dev/null
    else
      sql "$url" "INSERT INTO api_tokens (id, user_id, label, token_hash, created_at) VALUES (gen_random_uuid(), '$id', 'bench', '$(printf %s "$secret" | sha256sum | cut -d' ' -f1)', now())" >/dev/null
    fi
    tokens+="${tokens:+,}$secret"
  done
  local token
  token=$(python3 - "$base" "${tokens%%,*}" <<'PY'
import json, sys, urllib.request
from datetime import datetime, timedelta, timezone
base, first = sys.argv[1], sys.argv[2]
start = (datetime.now(timezone.utc) + timedelta(days=3)).replace(microsecond=0).isoformat().replace("+00:00", "Z")
request = urllib.request.Request(base + "/api/v1/events", method="POST", headers={"Content-Type": "application/json", "Authorization": f"Bearer {first}"},
                                 data=json.dumps({"title": "Contended breakfast", "start": start, "timeZone": "UTC", "capacity": 50}).encode())
print(json.load(urllib.request.urlopen(request))["id"])
PY
)
  token="$token $tokens"
  contended=${token%% *}
  cat >"$work/rsvp.lua" <<LUA
local tokens = {}
for t in string.gmatch("${token#* }", "[^,]+") do tokens[#tokens + 1] = t end
local n = 0
request = function()
  n = n + 1
  local answer = (math.floor(n / #tokens) % 2 == 0) and "yes" or "no"
  return wrk.format("POST", "/api/v1/events/$contended/rsvp",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. tokens[(n % #tokens) + 1]},
    '{"answer":"' .. answer .. '"}')
end
LUA
  wrk -t2 -c16 -d"${duration}s" --latency -s "$work/rsvp.lua" "$base" >"$work/rsvp.txt"
  printf 'RSVP with contention (one 50-seat event, 60 members, 16 connections): %s answers/s, p50 %s ms, p99 %s ms; non-2xx: %s\n' \
    "$(awk '/Requests\/sec/ {print $2}' "$work/rsvp.txt")" "$(ms "$(awk '$1=="50%" {print $2}' "$work/rsvp.txt")")" \
    "$(ms "$(awk '$1=="99%" {print $2}' "$work/rsvp.txt")")" "$(awk '/Non-2xx/ {print $NF}' "$work/rsvp.txt" | grep . || echo 0)"
  local going seated
  going=$(sql "$url" "SELECT going FROM events WHERE id = '$(id_sql "$url" "$contended")'")
  seated=$(sql "$url" "SELECT COUNT(*) FROM event_rsvps WHERE event_id = '$(id_sql "$url" "$contended")' AND answer = 'yes' AND waitlisted_at IS NULL")
  echo "after the run: going $going, seated yes-answers $seated, capacity 50"
  [ "$going" = "$seated" ] && [ "$going" -le 50 ] || { echo "OVERSOLD or miscounted" >&2; exit 1; }
  printf 'server RSS after the runs: %d MB\n\n' "$(( $(ps -o rss= -p "$server") / 1024 ))"
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
}

# SQLite keeps dates as seconds since 1970 and ids as upper-case text; PostgreSQL as timestamptz and uuid.
now_sql() { if [[ "$1" == sqlite* ]]; then echo "((julianday('now') - 2440587.5) * 86400.0)"; else echo "now()"; fi; }
id_sql() { if [[ "$1" == sqlite* ]]; then echo "${2^^}"; else echo "$2"; fi; }

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr), $(date -u +%F)"
if [ "$which_db" != postgres ]; then run sqlite "sqlite://$work/bench.sqlite"; fi
if [ "$which_db" != sqlite ]; then
  eval "$(.ci/postgres.sh start "$work/pg")"
  run "postgres (Unix socket)" "$PG_UDS_URL"
fi
