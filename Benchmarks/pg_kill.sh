#!/usr/bin/env bash
# PostgreSQL kill test (fault test): `guild serve` on a throw-away PostgreSQL under load from 8 threads
# (even ones: POST /api/v1/contacts with a bearer token, a write in a transaction; odd ones:
# GET /api/v1/members?q=…, a read), and K times: 5 s into a 25 s load, kill -9 of the postmaster and
# all its children at once, 8 s with no database, `pg_ctl start` again with the same options. Every
# request's start, latency and status is recorded. Per kill: requests, 503s (and any without
# Retry-After), requests slower than 1 s and those answered only by the 30 s request deadline; the
# requests hit by the kill (in flight at it, or started in the half second after it, before their pool
# connection saw the close) and how long after the kill the last of them answered; for requests started
# in the outage window (kill − 1 s .. PostgreSQL accepting again + 2 s) p50, p99 and max latency; then,
# while the load goes on, how long after PostgreSQL accepts again a GET /api/v1/members first answers 200
# (the same server, no restart). During the first outage, requests of its own until one answers 503:
# its headers are printed. After the last kill, whether pool connections leaked: 200 sequential GETs of
# /api/v1/members (all 200? p99) and the connections the server holds to PostgreSQL after a 16-way
# burst, against the same count before the first kill.
# Target: every request in flight when PostgreSQL dies answers within 1 s (503 with Retry-After), none
# waits for the 30 s deadline (GUILD_REQUEST_TIMEOUT); Guild recovers without a restart (a 200 within
# 5 s of PostgreSQL accepting again, as many pool connections as before). Exits 1 when missed
# (requests that started during the outage and waited for PostgreSQL to come back are reported, not judged).
#
# Usage: GUILD_BIN=path Benchmarks/pg_kill.sh [kills]   (default 3)
#   GUILD_BIN  the guild binary (required: this script builds nothing)
# Needs: python3, curl, psql and PostgreSQL 15 binaries (.ci/postgres.sh; as root it runs them as the
# user postgres). Runs guild from the checkout (it reads Resources/ there); the scratch files, the
# database and the server's log go to a temporary directory removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
kills=${1:-3}
guild=${GUILD_BIN:?set GUILD_BIN to the guild binary (this script builds nothing)}
[ -x "$guild" ] || { echo "no guild binary at $guild (GUILD_BIN)" >&2; exit 1; }
[[ "$kills" =~ ^[1-9][0-9]*$ ]] || { echo "usage: GUILD_BIN=path $0 [kills]" >&2; exit 2; }

work=$(mktemp -d /tmp/guild-pgkill.XXXXXX)
chmod 755 "$work"
server="" load="" peek=""
cleanup() {
  for p in $load $peek; do kill "$p" 2>/dev/null || true; done
  [ -n "$server" ] && { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
  [ -d "$work/pg" ] && .ci/postgres.sh stop "$work/pg"
  rm -rf "$work"
}
trap cleanup EXIT

eval "$(.ci/postgres.sh start "$work/pg")"
# Restarting needs the options .ci/postgres.sh started it with; postmaster.pid is in the data directory.
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
pg_port=${PG_URL##*:}; pg_port=${pg_port%%/*}
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pg_kill() { # the postmaster first (so it cannot react to its children's deaths), then every child, at once
  local pm; pm=$(head -1 "$PG_DIR/data/postmaster.pid")
  kill -9 "$pm" $(pgrep -P "$pm") 2>/dev/null || true
  while kill -0 "$pm" 2>/dev/null; do sleep 0.01; done
}
pg_start() { # after a kill -9 pg_ctl warns of the stale postmaster.pid; its words go to pg_ctl.log
  as_postgres "$pg_bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
    -o "-p $pg_port -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=1000" start >>"$work/pg_ctl.log" 2>&1 \
    || { echo "PostgreSQL did not start again:" >&2; tail -5 "$work/pg_ctl.log" "$PG_DIR/log" >&2; exit 1; }
}
guild_connections() { # the server's connections to PostgreSQL, not psql's own: "pool listeners" (the two LISTEN
  # connections of the cache generations last ran LISTEN or their heartbeat, a SELECT with a literal id)
  psql "$PG_URL" -Atqc "SELECT COUNT(*) FILTER (WHERE NOT listener), COUNT(*) FILTER (WHERE listener) FROM (
    SELECT query LIKE 'LISTEN%' OR query ~ 'search_state WHERE id = [0-9]' AS listener FROM pg_stat_activity
    WHERE datname = 'guild' AND backend_type = 'client backend' AND pid <> pg_backend_pid()) c" | tr '|' ' '
}

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr), $(date -u +%F), load average $(cut -d" " -f1-3 /proc/loadavg); guild: $guild"
echo "## PostgreSQL killed $kills time(s) under load (8 threads: POST /api/v1/contacts, GET /api/v1/members)"

# guild serve migrates the fresh database itself; PostgreSQL over its Unix socket, as the other benchmarks.
DATABASE_URL="$PG_UDS_URL" LOG_LEVEL=warning GUILD_BASE_URL="$base" GUILD_MODEL_FETCH=0 \
  "$guild" serve --port "$port" --no-jobs >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 600); do curl -fs "$base/healthz" >/dev/null && break; kill -0 "$server" 2>/dev/null || break; sleep 0.2; done
curl -fs "$base/healthz" >/dev/null || { echo "guild serve did not come up; its log:" >&2; tail -20 "$work/serve.log" >&2; exit 1; }

email="pgkill-$RANDOM@example.com"
curl -fs -X POST "$base/api/v1/accounts" -H 'Content-Type: application/json' \
  -d "{\"name\":\"Fault Test\",\"email\":\"$email\",\"password\":\"fault test password\"}" >/dev/null
token=$(curl -fs -X POST "$base/api/v1/tokens" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$email\",\"password\":\"fault test password\",\"label\":\"pg kill\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')

# The load client: THREADS threads until DURATION s have passed (a request under way then is waited for);
# one JSON row per request: start (epoch s), latency (s), status (or the exception's name), method,
# whether a 503 carried Retry-After.
cat >"$work/load.py" <<'PY'
import json, sys, threading, time, urllib.error, urllib.request
base, duration, token, out = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4]
threads = int(sys.argv[5]) if len(sys.argv) > 5 else 8
rows, lock, t0 = [], threading.Lock(), time.time()
def worker(i):
    n = 0
    while time.time() - t0 < duration:
        n += 1
        if token != "-" and i % 2 == 0:
            body = json.dumps({"name": f"Contact {i}-{n}-{t0:.0f}", "emails": [f"c{i}x{n}t{t0:.0f}@example.org"]}).encode()
            req = urllib.request.Request(base + "/api/v1/contacts", data=body, method="POST",
                                         headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
        else:
            req = urllib.request.Request(base + f"/api/v1/members?q=design{n % 5}")
        retry_after = None
        started = time.time()
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                status = r.status; r.read()
        except urllib.error.HTTPError as e:
            status = e.code; retry_after = e.headers.get("Retry-After"); e.read()
        except Exception as e:
            status = type(e).__name__
        took = time.time() - started
        with lock:
            rows.append([started, took, status, req.get_method(), retry_after])
workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
[w.start() for w in workers]; [w.join() for w in workers]
json.dump(rows, open(out, "w"))
PY

# One kill's figures from its rows: kill = when kill -9 was sent, ready = when pg_ctl start returned
# (PostgreSQL accepting connections again), first200 = seconds from ready to the probe's first 200.
cat >"$work/report.py" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1])); kill, ready = float(sys.argv[2]), float(sys.argv[3]); first200 = sys.argv[4]; k = sys.argv[5]
restart = float(sys.argv[7])  # when pg_ctl start began (ready: when it returned; it polls, so a bit late)
def pick(xs, q): return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else float("nan")
status = {}
for r in rows: status["%s %s" % (r[2], r[3])] = status.get("%s %s" % (r[2], r[3]), 0) + 1
n503 = sum(r[2] == 503 for r in rows)
no_retry = sum(r[2] == 503 and not r[4] for r in rows)
slow = sorted((r for r in rows if r[1] > 1), key=lambda r: -r[1])
deadline = sum(r[1] >= 29 for r in rows)  # answered by the 30 s request deadline, not by the database
# Hit by the kill: in flight at it, or started in the half second after it (their pool connection may not
# have seen the close yet: the old hang began there too).
inflight = [r for r in rows if r[0] < kill + 0.5 and r[0] + r[1] > kill]
after_kill = max((r[0] + r[1] - kill for r in inflight), default=0)
window = sorted(r[1] * 1000 for r in rows if kill - 1 <= r[0] <= ready + 2)
# Answered with success while there was no PostgreSQL at all (a cache could; nothing else should).
while_down = [r for r in rows if r[0] > kill + 0.5 and r[0] + r[1] < restart and r[2] in (200, 201)]
print("kill %s: %d requests (%s); 503s %d (%d without Retry-After); slower than 1 s: %d, of them %d at the 30 s deadline; PostgreSQL down %.1f s (%.1f s of it starting again)"
      % (k, len(rows), ", ".join("%s: %d" % kv for kv in sorted(status.items())), n503, no_retry, len(slow), deadline, ready - kill, ready - restart))
print("  hit by the kill (in flight, or started < 0.5 s after it): %d, the last answered %.2f s after it; outage window (%d requests): p50 %.1f ms, p99 %.1f ms, max %.1f ms"
      % (len(inflight), after_kill, len(window), pick(window, .5), pick(window, .99), window[-1] if window else float("nan")))
if while_down:
    print("  answered %s while PostgreSQL was down: %d (%s)" % ("/".join(sorted({"%s %s" % (r[2], r[3]) for r in while_down})), len(while_down),
          ", ".join("%+.1f s" % (r[0] - kill) for r in while_down[:5])))
for r in slow[:5]:
    print("  slow: started %+.2f s from the kill, took %.2f s, %s %s" % (r[0] - kill, r[1], r[2], r[3]))
print("  first 200 of GET /api/v1/members after PostgreSQL accepted again: %s" % (first200 + " s" if first200 != "none" else "none within 60 s"))
ok = after_kill <= 1 and deadline == 0 and no_retry == 0 and first200 != "none" and float(first200) <= 5
with open(sys.argv[6], "a") as f:
    f.write("| %s | %d | %d | %d | %d | %d, last %.2f s after | %d | %.1f | %.0f | %.0f | %s |\n"
            % (k, len(rows), n503, len(slow), deadline, len(inflight), after_kill, len(window), pick(window, .5), pick(window, .99),
               window[-1] if window else float("nan"), first200 + " s" if first200 != "none" else "none"))
sys.exit(0 if ok else 3)
PY

# Before the kills: the connections the server holds to PostgreSQL after a 16-way burst (the pool fills up).
python3 "$work/load.py" "$base" 3 - "$work/burst0.json" 16
read -r pool_before listen_before <<<"$(guild_connections)"

missed=0
for k in $(seq 1 "$kills"); do
  python3 "$work/load.py" "$base" 25 "$token" "$work/load$k.json" &
  load=$!
  sleep 5
  kill_at=$(date +%s.%N)
  pg_kill
  if [ "$k" = 1 ]; then  # from 1 s into the outage, a request every 0.5 s until one answers 503: its headers
    ( sleep 1
      for i in $(seq 1 10); do
        code=$(curl -s -o /dev/null -D "$work/headers.txt" -w "%{http_code} in %{time_total} s, sent $(python3 -c "import time; print('%+.1f' % (time.time() - $kill_at))") s from the kill" \
          --max-time 40 "$base/api/v1/members?q=outage$i" || true)
        echo "$code" >>"$work/peeks.txt"
        [ "${code%% *}" = 503 ] && { tr -d '\r' <"$work/headers.txt" >"$work/outage-headers.txt"; break; }
        sleep 0.5
      done ) &
    peek=$!
  fi
  sleep 8
  restart_at=$(date +%s.%N)
  pg_start
  ready_at=$(date +%s.%N)
  first200=none  # the same server answering again: poll every 0.1 s for up to 60 s
  while python3 -c "import sys,time; sys.exit(time.time() - $ready_at > 60)"; do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$base/api/v1/members?q=recovery" || true)
    if [ "$code" = 200 ]; then first200=$(python3 -c "import time; print('%.2f' % (time.time() - $ready_at))"); break; fi
    sleep 0.1
  done
  wait "$load"; load=""
  kill -0 "$server" 2>/dev/null || { echo "guild serve exited during kill $k; its log:" >&2; tail -20 "$work/serve.log" >&2; exit 1; }
  python3 "$work/report.py" "$work/load$k.json" "$kill_at" "$ready_at" "$first200" "$k" "$work/table.md" "$restart_at" || missed=1
  if [ "$k" = 1 ]; then
    wait "$peek" || true; peek=""
    echo "  requests of their own during the outage: $(paste -sd';' "$work/peeks.txt" | sed 's/;/; /g')"
    if [ -s "$work/outage-headers.txt" ]; then echo "  the 503's headers:"; sed -n '/./s/^/    /p' "$work/outage-headers.txt"; fi
    grep -qi '^retry-after:' "$work/outage-headers.txt" 2>/dev/null || { echo "  no 503 with Retry-After"; missed=1; }
  fi
done

# After the kills: 200 sequential reads (one connection at a time), then the same burst as before.
python3 - "$base" <<'PY' >"$work/sequential.txt"
import sys, time, urllib.error, urllib.request
codes, ms = {}, []
for n in range(200):
    started = time.time()
    try:
        with urllib.request.urlopen(sys.argv[1] + f"/api/v1/members?q=design{n % 5}", timeout=60) as r: code = r.status; r.read()
    except urllib.error.HTTPError as e: code = e.code
    except Exception as e: code = type(e).__name__
    ms.append((time.time() - started) * 1000); codes[code] = codes.get(code, 0) + 1
ms.sort()
print("%d %s %.1f %.1f %.1f" % (codes.get(200, 0), ",".join("%s:%d" % kv for kv in codes.items()), ms[len(ms) // 2], ms[min(199, int(.99 * 200))], ms[-1]))
PY
read -r seq_ok seq_codes seq_p50 seq_p99 seq_max <"$work/sequential.txt"
python3 "$work/load.py" "$base" 3 - "$work/burst1.json" 16
read -r pool_after listen_after <<<"$(guild_connections)"
burst=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("%d requests, %d of them 200, slowest %.0f ms" % (len(r), sum(x[2]==200 for x in r), 1000*max(x[1] for x in r)))' "$work/burst1.json")

echo
echo "| kill | requests | 503 | > 1 s | at 30 s deadline | hit by the kill: n, last answer | outage-window requests | p50 ms | p99 ms | max ms | first 200 after PG ready |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
cat "$work/table.md"
echo
echo "after $kills kill(s): 200 sequential GET /api/v1/members: $seq_ok answered 200 ($seq_codes), p50 $seq_p50 ms, p99 $seq_p99 ms, max $seq_max ms"
echo "connections guild holds to PostgreSQL after a 16-way burst of GETs (the pool's most is 8: 4 per event loop): pool $pool_before and LISTEN $listen_before before the kills, pool $pool_after and LISTEN $listen_after after ($burst)"
echo "server log: $(wc -l <"$work/serve.log") lines; load average now $(cut -d" " -f1-3 /proc/loadavg)"
[ "$seq_ok" = 200 ] || missed=1
[ "$pool_after" -ge "$pool_before" ] && [ "$listen_after" -ge "$listen_before" ] || missed=1
if [ "$missed" = 0 ]; then echo "target met"; else echo "target MISSED"; exit 1; fi
