#!/usr/bin/env bash
# Contacts import under load (issue 30, "Big imports stall everyone"): one member imports a file of tiny
# vCard 3.0 cards (BEGIN:VCARD, VERSION:3.0, FN, one distinct EMAIL, END:VCARD; LF line ends; as many as fit
# in the import route's limit, 10 MB = 10,485,760 bytes: 182,443 cards) through
# `POST /api/v1/contacts/import` (text/vcard, bearer token) on a `guild serve --no-jobs` of a fresh database,
# while a prober asks `/ping` on a fixed schedule. A member keeps at most 50,000 contacts: the import
# creates 50,000 and answers 200 with the rest listed as problems (the first 500, then "and N more").
# Target (issue 30): `/ping` p99 < 10 ms during a 10 MB import.
#
# The prober (python, threads): PING_CONNS keep-alive connections (default 8) send PING_RATE requests a
# second between them (default 100), each at its scheduled time; a request's latency counts from the time
# it was due, not from when a busy connection got round to sending it, so a stall of the server counts
# for every request it delayed (no coordinated omission; wrk's closed loop would record one slow request
# per connection per stall). The prober starts curl itself, so the figures cover exactly the import: from
# the upload's first byte to the answer (and, if the answer came before the import finished, e.g. a 503
# at the request deadline, on until the contact count stops growing). Baselines of the same server
# before the import: the prober alone for 5 s, and wrk -t1 -c4 for 5 s (closed loop, as the other scripts).
# Also: the import's wall time, HTTP status and answer, the server's RSS (VmRSS, VmHWM) before and after,
# the contact count after, and the load average.
#
# Usage: Benchmarks/contacts_import.sh [sqlite|postgres|both] [megabytes]   (defaults: both 10)
#   GUILD_BIN   the guild binary to run (then nothing is built); default: `swift build -c release` as
#               common.sh does, and its binary. A relative path is from the checkout.
#   PING_RATE, PING_CONNS   the prober's requests a second and connections (defaults 100, 8)
# Needs: python3, curl, wrk, psql and PostgreSQL binaries for postgres (.ci/postgres.sh starts a throw-away
# one, fsync off). Runs guild from the checkout (it reads Resources/ there); scratch files in /tmp.
set -euo pipefail
cd "$(dirname "$0")/.."
which_db=${1:-both}
megabytes=${2:-10}
case "$which_db" in sqlite|postgres|both) ;; *) echo "usage: $0 [sqlite|postgres|both] [megabytes]" >&2; exit 2 ;; esac
members=1
duration=5
ping_rate=${PING_RATE:-100}
ping_conns=${PING_CONNS:-8}
source Benchmarks/common.sh

# The file: tiny cards until the next one would pass the limit (megabytes × 1,048,576 bytes).
python3 - "$megabytes" >"$work/cards.vcf" <<'PY'
import sys
limit = int(float(sys.argv[1]) * 1_048_576)
digits = "0123456789abcdefghijklmnopqrstuvwxyz"
def base36(n):
    s = ""
    while True:
        n, r = divmod(n, 36)
        s = digits[r] + s
        if n == 0: return s
out, size, i = [], 0, 0
while True:
    key = base36(i)
    card = f"BEGIN:VCARD\nVERSION:3.0\nFN:{key}\nEMAIL:{key}@x.io\nEND:VCARD\n"
    if size + len(card) > limit: break
    out.append(card); size += len(card); i += 1
sys.stdout.write("".join(out))
PY
cards=$(grep -c BEGIN:VCARD "$work/cards.vcf")
expected=$(( cards < 50000 ? cards : 50000 ))
echo "vCard file: $(wc -c <"$work/cards.vcf") bytes, $cards cards (limit $(python3 -c "print(int(float('$megabytes') * 1048576))") bytes)"

# The prober. `probe.py HOST PORT RATE CONNS PID baseline SECONDS` or `… import IMPORT_SCRIPT COUNT_SCRIPT EXPECTED`:
# the second runs IMPORT_SCRIPT (curl; prints "status seconds") one second after the first probes, and if the
# status is not 200 keeps probing until COUNT_SCRIPT's count reaches EXPECTED or stays put for 10 s (5 min at most).
# During the import it also samples, every 0.1 s, the machine's busy CPU (/proc/stat) and the server's CPU by
# thread (/proc/PID/task/*/stat): NIO's event loops (NIO-SGLTN-*), its thread pool (SGLTN-TP-*), the other
# pool (TP-*, SQLite's), Swift's cooperative pool (*qos*) and the rest ("other": BulkExecutor's guild-bulk-*
# threads, where the import parses, checks and builds its batches); printed per second beside the slowest /ping.
cat >"$work/probe.py" <<'PY'
import http.client, os, subprocess, sys, threading, time
host, port, rate, conns, pid, mode = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
samples = []  # (due, latency from due, service time from send, ok)
cpu = []      # (time, machine busy ticks, machine total ticks, {thread group: ticks})
lock = threading.Lock()
stop = threading.Event()
t0 = time.perf_counter() + 0.2

def worker(k):
    conn = http.client.HTTPConnection(host, port, timeout=120)
    i = 0
    while not stop.is_set():
        due = t0 + (k + i * conns) / rate
        i += 1
        wait = due - time.perf_counter()
        if wait > 0: time.sleep(wait)
        if stop.is_set(): break
        sent = time.perf_counter()
        ok = False
        try:
            conn.request("GET", "/ping")
            response = conn.getresponse()
            response.read()
            ok = response.status == 200
        except Exception:
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=120)
        done = time.perf_counter()
        with lock: samples.append((due, done - due, done - sent, ok))

def group(name):
    if name.startswith("NIO-"): return "event loops"
    if name.startswith("SGLTN-TP"): return "NIO pool"
    if name.startswith("TP-"): return "TP pool"
    if "qos" in name: return "Swift tasks"
    return "other"

def sampler():
    while not stop.is_set():
        now = time.perf_counter()
        with open("/proc/stat") as f: fields = [int(x) for x in f.readline().split()[1:]]
        busy, total = sum(fields) - fields[3] - fields[4], sum(fields)
        threads = {}
        try:
            for tid in os.listdir(f"/proc/{pid}/task"):
                try:
                    with open(f"/proc/{pid}/task/{tid}/stat") as f: raw = f.read()
                except OSError: continue
                name, rest = raw[raw.index("(") + 1:raw.rindex(")")], raw[raw.rindex(")") + 2:].split()
                threads[group(name)] = threads.get(group(name), 0) + int(rest[11]) + int(rest[12])
        except OSError: pass
        cpu.append((now, busy, total, threads))
        time.sleep(0.1)

threads = [threading.Thread(target=worker, args=(k,), daemon=True) for k in range(conns)]
for t in threads: t.start()

def stats(label, start, end):
    window = sorted((s for s in samples if start <= s[0] < end), key=lambda s: s[1])
    if not window: print(f"{label}: no requests"); return
    lat = [s[1] * 1000 for s in window]; svc = sorted(s[2] * 1000 for s in window)
    pick = lambda xs, q: xs[min(len(xs) - 1, int(q * len(xs)))]
    failed = sum(not s[3] for s in window)
    print(f"{label}: {len(lat)} requests in {end - start:.1f} s ({len(lat) / (end - start):.0f}/s, {failed} failed); "
          f"latency from due time p50 {pick(lat, .5):.2f} ms, p90 {pick(lat, .9):.2f} ms, p99 {pick(lat, .99):.2f} ms, "
          f"max {lat[-1]:.1f} ms; over 10 ms: {sum(x > 10 for x in lat)}; service time (from send) p50 {pick(svc, .5):.2f} ms, "
          f"p99 {pick(svc, .99):.2f} ms, max {svc[-1]:.1f} ms")
    return window

if mode == "baseline":
    seconds = float(sys.argv[7])
    time.sleep(0.2 + seconds + 0.5)
    stop.set()
    with lock: stats("/ping alone, prober", t0, t0 + seconds)
    sys.exit(0)

import_script, count_script, expected = sys.argv[7], sys.argv[8], int(sys.argv[9])
threading.Thread(target=sampler, daemon=True).start()
time.sleep(1.2)
start = time.perf_counter()
answer = subprocess.run(["bash", import_script], capture_output=True, text=True)
answered = time.perf_counter()
status = answer.stdout.split()[0] if answer.stdout.split() else "none"
end = answered
if status != "200":
    print(f"the answer came before the import ended ({status} after {answered - start:.1f} s): probing on until the contact count settles")
    last, since, limit = None, time.perf_counter(), time.perf_counter() + 300
    while time.perf_counter() < limit:
        count = int((subprocess.run(["bash", count_script], capture_output=True, text=True).stdout.strip() or "0"))
        now = time.perf_counter()
        if count != last: last, since, end = count, now, now
        if count >= expected or (count > 0 and now - since > 10): break
        time.sleep(0.5)
    print(f"contact count settled at {last} about {end - start:.1f} s after the upload started (polled every 0.5 s)")
time.sleep(0.5)
stop.set()
time.sleep(0.2)
with lock:
    print(f"import: HTTP {status}, {answered - start:.2f} s from upload to answer (curl: {' '.join(answer.stdout.split()[1:])}) {answer.stderr.strip()}")
    window = stats("/ping during the import", start, end)
    if status != "200" and end > answered: stats("/ping while curl waited for the answer", start, answered)
    if not window: sys.exit(0)
    worst = sorted(window, key=lambda s: -s[1])[:5]
    print("slowest /ping during the import: " + ", ".join(f"{s[1] * 1000:.0f} ms due at {s[0] - start:.1f} s" for s in worst))
    # per second of the import: the slowest /ping due then, and CPU use (100 % = one core) from the samples
    hz = os.sysconf("SC_CLK_TCK")
    names = ["event loops", "Swift tasks", "NIO pool", "TP pool", "other"]
    cores = os.cpu_count()
    def at(t):  # the sample closest to t
        return min(cpu, key=lambda c: abs(c[0] - t))
    spent = {n: 0.0 for n in names}
    a, b = at(start), at(end)
    for n in names: spent[n] = (b[3].get(n, 0) - a[3].get(n, 0)) / hz
    print(f"server CPU during the import ({b[0] - a[0]:.1f} s): " + ", ".join(f"{n} {spent[n]:.1f} s" for n in names)
          + f"; machine busy {100 * (b[1] - a[1]) / max(1, b[2] - a[2]):.0f} % of {cores} cores")
    print("second | slowest /ping ms | machine busy % | server CPU % (100 = one core): " + " / ".join(names))
    second = 0
    while start + second < end:
        lo, hi = start + second, min(end, start + second + 1)
        due = [s[1] * 1000 for s in window if lo <= s[0] < hi]
        a, b = at(lo), at(hi)
        dt = max(b[0] - a[0], 1e-3)
        machine = 100 * (b[1] - a[1]) / max(1, b[2] - a[2])
        per = " / ".join(f"{100 * (b[3].get(n, 0) - a[3].get(n, 0)) / hz / dt:.0f}" for n in names)
        print(f"{second:6d} | {max(due) if due else 0:16.0f} | {machine:14.0f} | {per}")
        second += 1
PY

rss() { awk '/^VmRSS|^VmHWM/ {printf "%s %d MB  ", $1, $2 / 1024}' "/proc/$server/status"; }

run() { # label database-url
  local label=$1 url=$2 email token
  echo "## $label: import of $cards cards ($megabytes MB) while /ping is probed"
  DATABASE_URL="$url" "$guild" migrate >/dev/null
  : >"$work/serve.log"
  serve "$url"
  email="bench-$RANDOM@example.com"
  curl -fs -X POST "$base/api/v1/accounts" -H 'Content-Type: application/json' \
    -d "{\"name\":\"Bench Member\",\"email\":\"$email\",\"password\":\"bench password 1\"}" >/dev/null
  token=$(curl -fs -X POST "$base/api/v1/tokens" -H 'Content-Type: application/json' \
    -d "{\"email\":\"$email\",\"password\":\"bench password 1\",\"label\":\"bench\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  # the import (Expect: off, or curl waits a second for a 100 Continue before a body this size), and the count
  cat >"$work/import.sh" <<EOF
curl -s -o '$work/import.json' -w '%{http_code} %{time_total}s, %{size_upload} bytes up\n' --max-time 900 -X POST -H 'Expect:' \
  -H 'Content-Type: text/vcard' -H 'Authorization: Bearer $token' --data-binary @'$work/cards.vcf' '$base/api/v1/contacts/import'
EOF
  if [[ "$url" == sqlite* ]]; then
    echo "python3 -c 'import sqlite3; print(sqlite3.connect(\"${url#sqlite://}\").execute(\"SELECT COUNT(*) FROM contacts\").fetchone()[0])'" >"$work/count.sh"
  else
    echo "psql '$PG_URL' -Atqc 'SELECT COUNT(*) FROM contacts'" >"$work/count.sh"
  fi
  for _ in 1 2 3; do curl -fs "$base/ping" >/dev/null; done
  echo "server RSS before: $(rss)"
  wrk -t1 -c4 -d"${duration}s" --latency "$base/ping" >"$work/wrk.txt"
  printf '/ping alone, wrk -t1 -c4 %ss: %.0f req/s, p50 %s ms, p99 %s ms, max %s ms\n' "$duration" \
    "$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")" "$(ms "$(awk '$1=="50%" {print $2}' "$work/wrk.txt")")" \
    "$(ms "$(awk '$1=="99%" {print $2}' "$work/wrk.txt")")" "$(ms "$(awk '$1=="Latency" && NF>=4 {print $4; exit}' "$work/wrk.txt")")"
  python3 "$work/probe.py" 127.0.0.1 "$port" "$ping_rate" "$ping_conns" "$server" baseline "$duration"
  python3 "$work/probe.py" 127.0.0.1 "$port" "$ping_rate" "$ping_conns" "$server" import "$work/import.sh" "$work/count.sh" "$expected"
  python3 - "$work/import.json" <<'PY'
import json, re, sys
raw = open(sys.argv[1], "rb").read()
try:
    answer = json.loads(raw)
except ValueError:
    print("answer (not JSON): %r" % raw[:300]); sys.exit(0)
if "created" not in answer:
    print("answer: %s" % json.dumps(answer)[:300]); sys.exit(0)
problems = answer["problems"]
more = sum(int(m.group(1).replace(",", "")) for p in problems for m in [re.match(r"and ([\d,]+) more", p["reason"])] if m)
listed = [p for p in problems if not re.match(r"and [\d,]+ more", p["reason"])]
print(f"answer: created {answer['created']:,}, updated {answer['updated']:,}, not imported {len(listed) + more:,} "
      f"({len(listed)} listed{', then “' + problems[-1]['reason'] + '”' if more else ''}); {len(raw):,} bytes")
if listed: print(f"first problem: card {listed[0]['position']} (line {listed[0]['line']}): {listed[0]['reason']}")
PY
  echo "server RSS after: $(rss)"
  echo "contacts after: $(sql "$url" "SELECT COUNT(*) FROM contacts"), email handles: $(sql "$url" "SELECT COUNT(*) FROM contact_handles")"
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  tail -5 "$work/serve.log" | sed "s/^/server log: /"
  echo
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
}

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr), $(date -u +%F), load average $(cut -d" " -f1-3 /proc/loadavg); guild: $guild"
if [ "$which_db" != postgres ]; then run sqlite "sqlite://$work/bench.sqlite"; fi
if [ "$which_db" != sqlite ]; then
  eval "$(.ci/postgres.sh start "$work/pg")"
  run "postgres (Unix socket)" "$PG_UDS_URL"
fi
