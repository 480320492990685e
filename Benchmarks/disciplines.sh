#!/usr/bin/env bash
# Disciplines benchmark (issue 20: the disciplines page for a member with 5 disciplines × 3 years of
# days, p99 < 15 ms): release build; a demo network, then one member whose 5 disciplines (three in
# minutes a day, one three times a week, one done every day) get three years of days, about 80 %
# logged, through `guild disciplines import` of a generated Loop Habit Tracker export (timed). wrk
# against the page (every streak, strength, the five year heat-maps, weekly bars, the results of the
# same weeks), the API list and one discipline's stats, and /ping of the same server.
#
# Usage: Benchmarks/disciplines.sh [members] [seconds per route] [sqlite|postgres|both]   (defaults: 1000 10 both)
set -euo pipefail
cd "$(dirname "$0")/.."
members=${1:-1000}
duration=${2:-10}
which_db=${3:-both}
source Benchmarks/common.sh

run() { # label database-url
  local label=$1 url=$2
  echo "## $label: $members demo members"
  DATABASE_URL="$url" "$guild" migrate >/dev/null
  DATABASE_URL="$url" "$guild" demo --members "$members" --referrals 2 --posts 0 >/dev/null
  serve "$url"
  python3 - "$base" "$work" <<'PY'
import datetime, json, random, sys, urllib.request
base, work = sys.argv[1], sys.argv[2]
def call(method, path, body=None, token=None):
    headers = {"Content-Type": "application/json"}
    if token: headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(base + path, data=json.dumps(body).encode() if body is not None else None, method=method, headers=headers)
    with urllib.request.urlopen(request) as response:
        text = response.read()
        return json.loads(text) if text else None
email = f"habits-{random.randrange(1 << 30)}@example.com"
call("POST", "/api/v1/accounts", {"name": "Habit Bench", "email": email, "password": "bench password 1"})
token = call("POST", "/api/v1/tokens", {"email": email, "password": "bench password 1", "label": "bench"})["token"]
open(f"{work}/member.email", "w").write(email)
open(f"{work}/member.token", "w").write(token)
habits = [("Writing", "NUMERICAL", 1, 1, 60), ("Marketing and sales", "NUMERICAL", 1, 1, 60), ("Reading", "NUMERICAL", 1, 1, 30),
          ("Calls", "YES_NO", 3, 7, 0), ("Post", "YES_NO", 1, 1, 0)]
with open(f"{work}/Habits.csv", "w") as out:
    out.write("Position,Name,Type,Question,Description,FrequencyNumerator,FrequencyDenominator,Color,Unit,Target Type,Target Value,Archived?\n")
    for i, (name, kind, num, den, target) in enumerate(habits):
        out.write(f"{i + 1:03d},{name},{kind},,,{num},{den},#37474F,{'minutes' if kind == 'NUMERICAL' else ''},{'AT_LEAST' if kind == 'NUMERICAL' else ''},{target if target else ''},false\n")
rng = random.Random(20)
today = datetime.date.today()
with open(f"{work}/Checkmarks.csv", "w") as out:
    out.write("Date," + ",".join(h[0] for h in habits) + ",\n")
    for back in range(3 * 365 - 1):
        day = today - datetime.timedelta(days=back + 1)
        cells = [str(rng.randrange(20, 100)) if h[1] == "NUMERICAL" and rng.random() < 0.8 else ("2" if rng.random() < 0.8 else "0") if h[1] == "YES_NO" else "0" for h in habits]
        out.write(day.isoformat() + "," + ",".join(cells) + ",\n")
PY
  local email token start id cookie
  email=$(cat "$work/member.email"); token=$(cat "$work/member.token")
  start=$(date +%s.%N)
  DATABASE_URL="$url" "$guild" disciplines import --member "$email" --habits "$work/Habits.csv" --checkmarks "$work/Checkmarks.csv"
  echo "import of 5 habits × 3 years from Loop's CSV: $(python3 -c "import time; print(f'{(time.time() - $start) * 1000:.0f}')") ms (includes starting guild)"
  echo "days stored: $(sql "$url" "SELECT COUNT(*) FROM discipline_days")"
  id=$(curl -fs -H "Authorization: Bearer $token" "$base/api/v1/disciplines" | python3 -c 'import json,sys; print(json.load(sys.stdin)["disciplines"][0]["id"])')
  cookie=$(session_cookie "$email" "bench password 1")
  echo
  table_header
  measure "" "" /ping
  measure "disciplines page (5 × 3 years, heat-maps, results)" "$cookie" /disciplines
  measure "one discipline's page" "$cookie" "/disciplines/$id"
  measure "API list (streaks, strength, week)" "Authorization: Bearer $token" /api/v1/disciplines
  measure "API stats of one discipline" "Authorization: Bearer $token" "/api/v1/disciplines/$id/stats"
  echo
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
}

if [ "$which_db" != postgres ]; then run SQLite "sqlite://$work/bench.sqlite"; fi
if [ "$which_db" != sqlite ]; then
  eval "$(.ci/postgres.sh start "$work/pg" | tail -1)"
  run PostgreSQL "$PG_URL"
fi
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(date -u +%Y-%m-%d)"
