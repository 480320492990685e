#!/usr/bin/env bash
# Referrals benchmark: release build, a demo network of N members with about 10 referrals each
# (`guild demo --referrals 10`: 1,000,000 referrals at 100,000 members, with their histories), then
# wrk against a member's ledger and dashboard (page and API), the organizer report, and the trivial
# /ping route of the same server as the ceiling; then the organizers' CSV export of every referral,
# streamed, with the server's resident memory sampled every 50 ms while it runs.
#
# The member measured is the busiest one (most referrals given and received): the worst ledger.
# Generated members have no password, so the script signs up two accounts through the API and
# gives their password to that member and the organizer role to the other (SQL, the one shortcut).
#
# Usage: Benchmarks/referrals.sh [members] [seconds per route] [sqlite|postgres|both]   (defaults: 100000 10 both)
# Needs: wrk, bc (installed if missing), PostgreSQL 15 binaries for the second half.
set -euo pipefail
cd "$(dirname "$0")/.."
members=${1:-100000}
duration=${2:-10}
which_db=${3:-both}
source Benchmarks/common.sh
password="bench-password-1234"

serve() { # database-url
  DATABASE_URL="$1" LOG_LEVEL=error GUILD_BASE_URL="$base" "$guild" serve --port "$port" --no-jobs >>"$work/serve.log" 2>&1 &
  server=$!
  for _ in $(seq 1 300); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.2; done
}

signin_cookie() { # email → "Cookie: …" for the web pages
  local jar="$work/jar-$RANDOM" csrf
  csrf=$(curl -fs -c "$jar" "$base/signin" | python3 -c 'import re,sys; print(re.search(r"name=\"csrf\" value=\"([^\"]+)\"", sys.stdin.read()).group(1))')
  curl -fs -o /dev/null -b "$jar" -c "$jar" -X POST "$base/signin" --data-urlencode "email=$1" --data-urlencode "password=$password" \
    --data-urlencode "csrf=$csrf"
  # curl writes HttpOnly cookies (the session) as "#HttpOnly_host …" lines.
  echo "Cookie: $(sed 's/^#HttpOnly_//' "$jar" | awk '!/^#/ && NF >= 7 {printf "%s%s=%s", sep, $6, $7; sep="; "}')"
}

token() { # email → bearer token
  curl -fs -X POST "$base/api/v1/tokens" -H 'Content-Type: application/json' \
    -d "{\"email\":\"$1\",\"password\":\"$password\",\"label\":\"bench\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}

run() { # label database-url
  local label=$1 url=$2 start end
  echo "## $label: $members members"
  start=$(date +%s.%N)
  DATABASE_URL="$url" "$guild" demo --members "$members" --referrals 10 --posts 0 --seed 1 2>&1 | grep -E "^Added" || true
  end=$(date +%s.%N)
  printf 'generate: %.1f s in all\n' "$(echo "$end - $start" | bc)"
  echo "referrals: $(sql "$url" "SELECT COUNT(*) FROM referrals"), history rows: $(sql "$url" "SELECT COUNT(*) FROM referral_events")"
  serve "$url"
  for who in member organizer; do
    curl -fs -o /dev/null -X POST "$base/api/v1/accounts" -H 'Content-Type: application/json' \
      -d "{\"name\":\"Bench $who\",\"email\":\"bench-$who@guild.test\",\"password\":\"$password\"}"
  done
  local busiest email hash
  busiest=$(sql "$url" "SELECT user_id FROM (SELECT giver_id AS user_id FROM referrals UNION ALL SELECT receiver_id FROM referrals) t GROUP BY user_id ORDER BY COUNT(*) DESC LIMIT 1")
  email=$(sql "$url" "SELECT email FROM users WHERE id = '$busiest'")
  hash=$(sql "$url" "SELECT password_hash FROM users WHERE email = 'bench-member@guild.test'")
  sql "$url" "UPDATE users SET password_hash = '$hash' WHERE id = '$busiest'" >/dev/null
  sql "$url" "UPDATE users SET role = 'organizer' WHERE email = 'bench-organizer@guild.test'" >/dev/null
  echo "member measured: given $(sql "$url" "SELECT COUNT(*) FROM referrals WHERE giver_id = '$busiest'"), received $(sql "$url" "SELECT COUNT(*) FROM referrals WHERE receiver_id = '$busiest'")"
  local member_cookie organizer_cookie member_token organizer_token
  member_cookie=$(signin_cookie "$email"); organizer_cookie=$(signin_cookie bench-organizer@guild.test)
  member_token=$(token "$email"); organizer_token=$(token bench-organizer@guild.test)
  # The organizer report is computed once per ledger change and kept (OrganizerReportCache): time the
  # first computation, which the first view starts (`guild serve` with jobs starts it at boot).
  local report_started report_ready
  report_started=$(date +%s.%N)
  # Into a file, then grep: under pipefail `curl | grep -q` fails when grep stops reading early.
  until curl -s -H "$organizer_cookie" "$base/organize/referrals" -o "$work/report.html" && grep -q "referrals\? in all" "$work/report.html"; do
    sleep 0.5
  done
  report_ready=$(date +%s.%N)
  printf 'organizer report, first computation over every referral: %.1f s (then served from memory until the ledger changes)\n\n' \
    "$(echo "$report_ready - $report_started" | bc)"
  table_header
  measure "" "" /ping
  measure "ledger and dashboard page" "$member_cookie" /referrals
  measure "ledger API" "Authorization: Bearer $member_token" /api/v1/referrals
  measure "dashboard API" "Authorization: Bearer $member_token" /api/v1/me/reciprocity
  measure "organizer report" "$organizer_cookie" /organize/referrals
  echo
  echo "### CSV export of every referral (organizers: no client details), streamed, 1 request"
  local before peak=0 rss started finished
  before=$(ps -o rss= -p "$server")
  started=$(date +%s.%N)
  curl -fs -H "Authorization: Bearer $organizer_token" "$base/api/v1/referrals/export.csv?scope=all" -o "$work/all.csv" &
  local fetch=$!
  while kill -0 "$fetch" 2>/dev/null; do
    rss=$(ps -o rss= -p "$server"); [ "$rss" -gt "$peak" ] && peak=$rss
    sleep 0.05
  done
  wait "$fetch"
  finished=$(date +%s.%N)
  printf 'rows: %d, size: %d MB, time: %.1f s, server RSS before: %d MB, peak growth while streaming: %d MB\n' \
    "$(( $(wc -l <"$work/all.csv") - 1 ))" "$(( $(stat -c %s "$work/all.csv") / 1048576 ))" "$(echo "$finished - $started" | bc)" \
    "$(( before / 1024 ))" "$(( (peak - before) / 1024 ))"
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
  echo
}

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr), $(date -u +%F)"
if [ "$which_db" != postgres ]; then run sqlite "sqlite://$work/bench.sqlite"; fi
if [ "$which_db" != sqlite ]; then
  eval "$(.ci/postgres.sh start "$work/pg")"
  run "postgres (Unix socket)" "$PG_UDS_URL"
fi
