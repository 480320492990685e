#!/usr/bin/env bash
# Outbox purge benchmark (issue 30): a freshly migrated database with N delivered messages (status 'sent',
# kind 'notification', a subject, a ~600-byte body, a recipient like user123@example.org, an unsubscribe
# link, purged_at NULL), then `guild outbox purge` timed from the outside, its own line ("purged: N
# message(s) in B statement(s), …; longest statement X ms"), a check that no text is left, and, while the
# purge runs, a concurrent writer: one INSERT into throttle_events in its own transaction every 50 ms,
# whose longest latency is the longest a write waited for the purge.
# Target (issue 30): no lock held longer than 100 ms, that is no statement longer than 100 ms (the purge
# runs each batch as one autocommit UPDATE: the longest statement is the longest any lock is held; on SQLite
# that is the database's one write lock, on PostgreSQL only the batch's rows, so there it is an upper bound).
#
# Usage: Benchmarks/outbox_purge.sh [sqlite|postgres] [rows]   (defaults: sqlite 1000000)
#   GUILD_BIN     the guild binary (default .build/release/guild: `swift build -c release` first)
#   DATABASE_URL  postgres only: an empty database to use (postgres://…, psql must reach it too);
#                 without it the script starts a throw-away PostgreSQL with .ci/postgres.sh
# Needs: python3 (its sqlite3 module), psql and PostgreSQL 15 binaries for postgres.
# Runs guild from the checkout (it reads Resources/ there); the scratch files go to a temporary directory.
set -euo pipefail
cd "$(dirname "$0")/.."
which_db=${1:-sqlite}
rows=${2:-1000000}
guild=${GUILD_BIN:-.build/release/guild}
case "$which_db" in sqlite|postgres) ;; *) echo "usage: $0 [sqlite|postgres] [rows]" >&2; exit 2 ;; esac
[ -x "$guild" ] || { echo "no guild binary at $guild (set GUILD_BIN, or swift build -c release)" >&2; exit 1; }

work=$(mktemp -d /tmp/guild-purge.XXXXXX)
chmod 755 "$work"
writer=""
cleanup() {
  touch "$work/stop" 2>/dev/null || true
  [ -n "$writer" ] && { kill "$writer" 2>/dev/null || true; wait "$writer" 2>/dev/null || true; }
  [ -d "$work/pg" ] && .ci/postgres.sh stop "$work/pg"
  rm -rf "$work"
}
trap cleanup EXIT

if [ "$which_db" = sqlite ]; then
  url="sqlite://$work/purge.sqlite"
  db="$work/purge.sqlite"
elif [ -n "${DATABASE_URL:-}" ]; then
  url=$DATABASE_URL
  psql_url=$DATABASE_URL
else
  eval "$(.ci/postgres.sh start "$work/pg")"
  url=$PG_UDS_URL  # guild over the Unix socket, as the other benchmarks; psql over TCP
  psql_url=$PG_URL
fi

sql() { # statement → rows, |-separated
  if [ "$which_db" = sqlite ]; then
    python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); r=c.execute(sys.argv[2]).fetchall(); c.commit(); print("\n".join("|".join(map(str,x)) for x in r))' "$db" "$1"
  else
    psql "$psql_url" -Atqc "$1"
  fi
}

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr), $(date -u +%F), load average $(cut -d" " -f1-3 /proc/loadavg); guild: $guild"
echo "## outbox purge, $which_db, $rows delivered messages"
DATABASE_URL="$url" LOG_LEVEL=error "$guild" migrate -y >"$work/migrate.log" 2>&1 || { tail -5 "$work/migrate.log" >&2; exit 1; }
[ "$(sql "SELECT COUNT(*) FROM outbox_messages")" = 0 ] || { echo "outbox_messages is not empty: use a fresh database" >&2; exit 1; }

# The rows. SQLite keeps ids as upper-case UUID text and dates as seconds since 1970 (REAL);
# PostgreSQL as uuid and timestamptz. Delivered over the last 30 days, oldest first.
start=$(date +%s.%N)
if [ "$which_db" = sqlite ]; then
  python3 - "$db" "$rows" <<'EOF'
import sqlite3, sys, time, uuid
db, n = sys.argv[1], int(sys.argv[2])
now = time.time()
filler = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore. "
def rows():
    for i in range(1, n + 1):
        t = now - 30 * 86400 * (n - i) / n
        body = ("Hello member %d,\n\nYou have a new referral on Guild: open https://guild.example/referrals/%d to see it.\n\n" % (i, i) + filler * 6)[:600]
        yield (str(uuid.uuid4()).upper(), "user%d@example.org" % i, "New referral #%d on Guild" % i, body, "sent", 1, t, t, t + 1,
               "https://guild.example/unsubscribe/%032x" % i)
c = sqlite3.connect(db, isolation_level=None)
c.execute("PRAGMA synchronous = OFF")
c.execute("BEGIN")
c.executemany("""INSERT INTO outbox_messages (id, recipient, subject, body, status, attempts, next_attempt_at, created_at, sent_at,
                 unsubscribe_url, kind, purged_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'notification', NULL)""", rows())
c.execute("COMMIT")
c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
EOF
else
  psql "$psql_url" -qv ON_ERROR_STOP=1 <<EOF
INSERT INTO outbox_messages (id, recipient, subject, body, status, attempts, next_attempt_at, created_at, sent_at,
                             unsubscribe_url, kind, purged_at)
SELECT gen_random_uuid(), 'user' || g || '@example.org', 'New referral #' || g || ' on Guild',
       left('Hello member ' || g || E',\n\nYou have a new referral on Guild: open https://guild.example/referrals/' || g
            || E' to see it.\n\n' || repeat('Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore. ', 6), 600),
       'sent', 1, t, t, t + interval '1 second', 'https://guild.example/unsubscribe/' || lpad(to_hex(g), 32, '0'), 'notification', NULL
FROM generate_series(1, $rows) g, LATERAL (SELECT now() - interval '30 days' * ($rows - g) / $rows AS t) d;
-- As autovacuum would have left a table that filled over a month: statistics and visibility map up to date.
VACUUM ANALYZE outbox_messages;
CHECKPOINT;
EOF
fi
end=$(date +%s.%N)
printf 'inserted %s rows in %.1f s; average body %s bytes\n' "$(sql "SELECT COUNT(*) FROM outbox_messages")" "$(awk "BEGIN {print $end - $start}")" \
  "$(sql "SELECT CAST(AVG(LENGTH(body)) AS INTEGER) FROM outbox_messages")"
[ "$which_db" = sqlite ] && printf 'database file: %d MB\n' "$(( $(stat -c %s "$db") / 1048576 ))"

# The concurrent writer: an INSERT into another table, in its own transaction, every 50 ms until the
# stop file appears; each latency is printed in ms. SQLite: BEGIN IMMEDIATE with a busy timeout, as the
# app's own writers (it waits for the database's one write lock); PostgreSQL: an autocommit INSERT on
# one connection, psql's \timing for its round trip.
if [ "$which_db" = sqlite ]; then
  python3 - "$db" "$work/stop" >"$work/writer.txt" <<'EOF' &
import os, sqlite3, sys, time, uuid
db, stop = sys.argv[1], sys.argv[2]
c = sqlite3.connect(db, isolation_level=None, timeout=60)
c.execute("PRAGMA busy_timeout = 60000")
c.execute("PRAGMA synchronous = NORMAL")  # as the app's connections
while not os.path.exists(stop):
    started = time.perf_counter()
    c.execute("BEGIN IMMEDIATE")
    locked = time.perf_counter()
    c.execute("INSERT INTO throttle_events (id, bucket, occurred_at) VALUES (?, 'bench:purge', ?)", (str(uuid.uuid4()).upper(), time.time()))
    c.execute("COMMIT")
    print("%.3f %.3f" % ((time.perf_counter() - started) * 1000, (locked - started) * 1000), flush=True)
    time.sleep(0.05)
EOF
  writer=$!
else
  ( echo '\timing on'
    while [ ! -e "$work/stop" ]; do
      echo "INSERT INTO throttle_events (id, bucket, occurred_at) VALUES (gen_random_uuid(), 'bench:purge', now());"
      sleep 0.05
    done ) | psql "$psql_url" -q -v ON_ERROR_STOP=1 | awk '/^Time:/ {print $2; fflush()}' >"$work/writer.txt" &
  writer=$!
fi
sleep 1  # the writer's first writes happen before the purge: its baseline

start=$(date +%s.%N)
DATABASE_URL="$url" LOG_LEVEL=error "$guild" outbox purge >"$work/purge.log" 2>&1 || { tail -5 "$work/purge.log" >&2; exit 1; }
end=$(date +%s.%N)
sleep 0.5
touch "$work/stop"; wait "$writer" || true; writer=""

grep '^purged:' "$work/purge.log"
printf 'wall time of the command (start-up included): %.2f s; load average after it: %s\n' "$(awk "BEGIN {print $end - $start}")" "$(cut -d' ' -f1-3 /proc/loadavg)"
left=$(sql "SELECT COUNT(*) FROM outbox_messages WHERE body <> '' OR subject <> '' OR purged_at IS NULL OR unsubscribe_url IS NOT NULL OR recipient NOT LIKE '@%'")
echo "rows left with text after the purge: $left (recipients now like $(sql "SELECT recipient FROM outbox_messages LIMIT 1"))"
python3 - "$work/writer.txt" <<'EOF'
import sys
lines = [x.split() for x in open(sys.argv[1]) if x.strip()]
if not lines: sys.exit("the concurrent writer wrote nothing")
ms = sorted(float(x[0]) for x in lines)
pick = lambda q: ms[min(len(ms) - 1, int(q * len(ms)))]
print("concurrent writes during the purge: %d, p50 %.1f ms, p99 %.1f ms, over 100 ms: %d" % (len(ms), pick(0.5), pick(0.99), sum(m > 100 for m in ms)))
print("longest wait of a concurrent write during the purge: %.1f ms" % ms[-1])
if len(lines[0]) > 1:  # SQLite: how long BEGIN IMMEDIATE waited for the write lock, apart from the write's own commit
    lock = sorted(float(x[1]) for x in lines)
    print("of which waiting for the write lock: p99 %.1f ms, longest %.1f ms, over 100 ms: %d" % (lock[min(len(lock) - 1, int(0.99 * len(lock)))], lock[-1], sum(m > 100 for m in lock)))
EOF
[ "$left" = 0 ] || { echo "the purge left text behind" >&2; exit 1; }
