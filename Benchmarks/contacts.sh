#!/usr/bin/env bash
# Contacts benchmark: release build; one member imports a 10,000-card vCard 3.0 file (realistic
# cards: two addresses and two numbers with types, ORG, a folded NOTE, CATEGORIES, a PHOTO on every
# tenth) with `guild contacts import`, is given 300 follow-ups through the API (50 due today, 20
# overdue), then wrk against Today, the contact list, a search of it, the contacts and follow-ups
# API, and /ping of the same server; the server's resident memory at the end.
# Targets (issue 17): import < 5 s; Today and the contact list p99 < 10 ms at 10,000 contacts.
#
# Usage: Benchmarks/contacts.sh [contacts] [seconds per route] [sqlite|postgres|both]   (defaults: 10000 10 both)
set -euo pipefail
cd "$(dirname "$0")/.."
contacts=${1:-10000}
duration=${2:-10}
which_db=${3:-both}
members=$contacts
source Benchmarks/common.sh

python3 - "$contacts" >"$work/cards.vcf" <<'PY'
import base64, random, sys
random.seed(7)
first = "Ada Marisol Dev Rae Omar Lena Kofi Priya Tom Ines Yuki Sam Noor Jonas Amara Luis Hana Felix Zoë Malik Greta Ravi Chloé Ben".split()
last = "Ortega Kapoor Lindqvist Haddad Novak Mensah Iyer Becker Silva Tanaka Rahman Okafor Schmidt García Kowalski Nguyen Dubois".split()
trades = ["Plumbing", "Bakery", "Yoga, Pilates & More", "Family Law", "Dental", "Roofing; Gutters", "Print", "Coffee"]
out = []
for i in range(int(sys.argv[1])):
    f, l = random.choice(first), random.choice(last)
    domain = f"{l.lower()}{i}.example"
    card = ["BEGIN:VCARD", "VERSION:3.0", f"N:{l};{f};;;", f"FN:{f} {l}",
            "ORG:" + random.choice(trades).replace(",", "\\,").replace(";", "\\;"),
            f"EMAIL;TYPE=INTERNET,WORK:{f.lower().replace('ë','e').replace('é','e')}@{domain}",
            f"EMAIL;TYPE=INTERNET,HOME:{l.lower()}.{i}@mail.example",
            f"TEL;TYPE=CELL:+1 512 555 {i % 10000:04d}", f"TEL;TYPE=WORK:(512) 555-{(i * 7) % 10000:04d}",
            f"CATEGORIES:{random.choice(['clients', 'prospects', 'partners'])},breakfast club"]
    note = f"Met at the Wednesday networking morning; wants a quote before March. Card {i}, follow up after the launch of the second location."
    card.append("NOTE:" + note[:60])
    card.append(" " + note[60:])
    if i % 10 == 0:
        photo = base64.b64encode(bytes(random.getrandbits(8) for _ in range(600))).decode()
        card.append("PHOTO;ENCODING=b;TYPE=JPEG:" + photo[:40])
        card += [" " + photo[j:j + 74] for j in range(40, len(photo), 74)]
    card.append("END:VCARD")
    out.append("\r\n".join(card))
sys.stdout.write("\r\n".join(out) + "\r\n")
PY
echo "vCard file: $(wc -c <"$work/cards.vcf") bytes, $(grep -c BEGIN:VCARD "$work/cards.vcf") cards"

run() { # label database-url
  local label=$1 url=$2 email start end token cookie
  echo "## $label: $contacts contacts"
  DATABASE_URL="$url" "$guild" migrate >/dev/null
  serve "$url"
  email="bench-$RANDOM@example.com"
  curl -fs -X POST "$base/api/v1/accounts" -H 'Content-Type: application/json' \
    -d "{\"name\":\"Bench Member\",\"email\":\"$email\",\"password\":\"bench password 1\"}" >/dev/null
  token=$(curl -fs -X POST "$base/api/v1/tokens" -H 'Content-Type: application/json' \
    -d "{\"email\":\"$email\",\"password\":\"bench password 1\",\"label\":\"bench\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  start=$(date +%s.%N)
  DATABASE_URL="$url" "$guild" contacts import "$work/cards.vcf" --member "$email" | tail -1
  end=$(date +%s.%N)
  printf 'import, the whole command (start-up and migration check included): %.2f s\n' "$(echo "$end - $start" | bc)"
  echo "contacts: $(sql "$url" "SELECT COUNT(*) FROM contacts"), addresses and numbers: $(sql "$url" "SELECT COUNT(*) FROM contact_handles")"
  # 300 follow-ups: 50 due today, 20 overdue, the rest in the next months
  python3 - "$base" "$token" <<'PY'
import datetime, json, sys, urllib.request
base, token = sys.argv[1], sys.argv[2]
def call(method, path, body=None):
    request = urllib.request.Request(base + path, data=json.dumps(body).encode() if body else None, method=method,
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(request))
ids = [item["id"] for page in range(1, 7) for item in call("GET", f"/api/v1/contacts?page={page}")["items"]]
today = datetime.date.today()
for n in range(300):
    due = today if n < 50 else today - datetime.timedelta(days=1 + n % 9) if n < 70 else today + datetime.timedelta(days=1 + n % 90)
    call("POST", "/api/v1/followups", {"contactId": ids[n], "purpose": f"Follow up {n}", "due": due.isoformat()})
PY
  cookie=$(session_cookie "$email" "bench password 1")
  echo
  table_header
  measure "" "" /ping
  measure "Today (50 due, 20 overdue, chart)" "$cookie" /today
  measure "contact list, first page" "$cookie" /contacts
  deep=$(sql "$url" "SELECT c.id FROM contacts c JOIN users u ON u.id = c.owner_id WHERE u.email = '$email' ORDER BY c.sort_name, c.id LIMIT 1 OFFSET 4949")
  measure "contact list, page 100 (Next from contact 4,950)" "$cookie" "/contacts?after=$deep"
  measure "contact search" "$cookie" "/contacts?q=okafor"
  measure "contacts API" "Authorization: Bearer $token" /api/v1/contacts
  measure "follow-ups due API" "Authorization: Bearer $token" "/api/v1/followups?due=today"
  echo
  printf 'server RSS after the runs: %d MB\n\n' "$(( $(ps -o rss= -p "$server") / 1024 ))"
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
}

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr), $(date -u +%F)"
if [ "$which_db" != postgres ]; then run sqlite "sqlite://$work/bench.sqlite"; fi
if [ "$which_db" != sqlite ]; then
  eval "$(.ci/postgres.sh start "$work/pg")"
  run "postgres (Unix socket)" "$PG_UDS_URL"
fi
