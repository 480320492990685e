#!/usr/bin/env bash
# Cover plans benchmark: release build; a demo network, then one member with a large runbook (100
# active clients and 50 duties with long notes, about 200 KB sealed) who is out, with an accepted
# backup. wrk against the pages and API that read it (each backup read opens the sealed runbook and
# writes a log row), the member's cover page, the covered member's profile (cached fragment) and
# /ping of the same server; then 200 referrals to the covered member through the API, each routed
# to the backup (time per referral).
# No target in issue 19; the figures say what sealing, logging reads and routing cost.
#
# Usage: Benchmarks/cover.sh [members] [seconds per route] [sqlite|postgres|both]   (defaults: 1000 10 both)
set -euo pipefail
cd "$(dirname "$0")/.."
members=${1:-1000}
duration=${2:-10}
which_db=${3:-both}
source Benchmarks/common.sh
export GUILD_RUNBOOK_KEY=$("$guild" cover new-key)

run() { # label database-url
  local label=$1 url=$2
  echo "## $label: $members demo members"
  DATABASE_URL="$url" "$guild" migrate >/dev/null
  DATABASE_URL="$url" "$guild" demo --members "$members" --referrals 2 --posts 0 >/dev/null
  serve "$url"
  python3 - "$base" "$work" <<'PY'
import json, sys, time, urllib.request, random
base, work = sys.argv[1], sys.argv[2]
def call(method, path, body=None, token=None):
    headers = {"Content-Type": "application/json"}
    if token: headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(base + path, data=json.dumps(body).encode() if body is not None else None, method=method, headers=headers)
    with urllib.request.urlopen(request) as response:
        text = response.read()
        return json.loads(text) if text else None
tokens, slugs = {}, {}
for who in ["out", "backup", "giver"]:
    email = f"cover-{who}-{random.randrange(1 << 30)}@example.com"
    call("POST", "/api/v1/accounts", {"name": f"Cover {who.title()}", "email": email, "password": "bench password 1"})
    tokens[who] = call("POST", "/api/v1/tokens", {"email": email, "password": "bench password 1", "label": "bench"})["token"]
    slugs[who] = call("PUT", "/api/v1/me/profile", {"niches": [{"name": "bookkeeping", "level": "expert"}], "business": f"{who} books"}, tokens[who])["slug"]
    open(f"{work}/{who}.email", "w").write(email)
asked = call("POST", "/api/v1/cover/backups", {"with": slugs["backup"]}, tokens["out"])
call("POST", f"/api/v1/cover/backups/{asked['id']}/accept", {}, tokens["backup"])
note = "Proof three is with them; the printer needs the final files by Friday, and the client must hear that the reprint is on us. " * 3
runbook = {"clients": [{"name": f"Client {n}", "email": f"client{n}@example.com", "phone": "+1 512 555 0100", "inProgress": note,
                        "deadline": "2027-03-14", "mustHear": note[:300]} for n in range(100)],
           "duties": [{"title": f"Duty {n}", "when": "Thursdays 9:00", "steps": note} for n in range(50)],
           "whereThingsLive": note, "emergencyContact": "Ana Ruiz, +34 612 345 678", "clientMessage": ""}
start = time.perf_counter(); call("PUT", "/api/v1/cover/runbook", runbook, tokens["out"])
print(f"runbook of 100 clients and 50 duties saved (checked for secrets, sealed): {1000 * (time.perf_counter() - start):.1f} ms")
activation = call("POST", "/api/v1/cover/activations", {}, tokens["out"])
open(f"{work}/out.id", "w").write(activation["member"])
open(f"{work}/backup.token", "w").write(tokens["backup"])
out_slug = slugs["out"]
open(f"{work}/out.slug", "w").write(out_slug)
times = []
for n in range(200):
    start = time.perf_counter()
    call("POST", "/api/v1/referrals", {"to": out_slug, "clientName": f"Client {n}", "clientEmail": f"c{n}@example.com",
                                                  "need": "Books before tax season", "urgency": "this_month", "consent": True}, tokens["giver"])
    times.append(1000 * (time.perf_counter() - start))
times.sort()
print(f"200 referrals to the covered member, routed to the backup: p50 {times[100]:.1f} ms, p99 {times[197]:.1f} ms (one client, sequential)")
PY
  echo "referrals received by the backup: $(sql "$url" "SELECT COUNT(*) FROM referrals WHERE covering_for_id IS NOT NULL")"
  local out backup_token cookie email
  out=$(cat "$work/out.id"); backup_token=$(cat "$work/backup.token"); email=$(cat "$work/backup.email")
  cookie=$(session_cookie "$email" "bench password 1")
  echo
  table_header
  measure "" "" /ping
  measure "backup's cover page" "$cookie" /cover
  measure "runbook for the backup (opens it, logs the read)" "$cookie" "/cover/for/$out"
  measure "runbook API for the backup" "Authorization: Bearer $backup_token" "/api/v1/cover/runbook/$out"
  measure "covered member's profile (away, covered by)" "" "/m/$(cat "$work/out.slug")"
  echo "runbook reads logged: $(sql "$url" "SELECT COUNT(*) FROM cover_log WHERE kind = 'runbook_read'")"
  echo
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
}

if [ "$which_db" != postgres ]; then run SQLite "sqlite://$work/bench.sqlite"; fi
if [ "$which_db" != sqlite ]; then
  eval "$(.ci/postgres.sh start "$work/pg" | tail -1)"
  run PostgreSQL "$PG_URL"
fi
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(date -u +%Y-%m-%d)"
