#!/usr/bin/env bash
# Matching quality on an evaluation set: imports DIR/roster.csv into a fresh SQLite database, asks
# every need in DIR/needs.jsonl through `guild match --json`, prints the misses, then
# `hit@3=… mrr@10=… n=…` (definitions in ../shared/eval/match-dev/README.md).
#
# Usage: Benchmarks/match-eval.sh DIR [--min-hit3 X] [--min-mrr Y]   (fails below the minimums)
# Uses the debug build (`swift build`) unless GUILD_BIN names a binary.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:?usage: Benchmarks/match-eval.sh DIR [--min-hit3 X] [--min-mrr Y]}
shift
min_hit3=0; min_mrr=0
while [ $# -gt 0 ]; do
  case $1 in
    --min-hit3) min_hit3=$2; shift 2 ;;
    --min-mrr) min_mrr=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
if [ -z "${GUILD_BIN:-}" ]; then
  swift build 2>&1 | tail -1 >&2
  GUILD_BIN=$(swift build --show-bin-path)/guild
fi
work=$(mktemp -d /tmp/guild-match-eval.XXXXXX)
trap 'rm -rf "$work"' EXIT
export DATABASE_URL="sqlite://$work/eval.sqlite" LOG_LEVEL=error GUILD_MAIL_DIR="$work/mail"
"$GUILD_BIN" import roster "$dir/roster.csv" >"$work/import.log" 2>&1 || { cat "$work/import.log" >&2; exit 1; }
python3 - "$dir" "$GUILD_BIN" "$min_hit3" "$min_mrr" <<'PY'
import csv, json, subprocess, sys
d, guild, min_hit3, min_mrr = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
key_of = {r["email"]: r["niche_key"] for r in csv.DictReader(open(f"{d}/member_keys.csv", encoding="utf-8"))}
needs = [json.loads(line) for line in open(f"{d}/needs.jsonl", encoding="utf-8") if line.strip()]
hits, rr = 0, 0.0
for n in needs:
    out = subprocess.run([guild, "match", n["need"], "--limit", "10", "--json"], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"guild match failed for {n['id']}: {out.stderr.strip()[-500:]}")
    result = json.loads(out.stdout)
    if not result.get("semantic"):
        sys.exit(f"guild match did not match by meaning for {n['id']} (the model is off): this would evaluate words only")
    rows = result["matches"]
    keys = [key_of.get(r["email"]) for r in rows]
    first = next((i for i, k in enumerate(keys) if k in n["relevant"]), None)
    if first is not None:
        rr += 1.0 / (first + 1)
    if first is not None and first < 3:
        hits += 1
    else:
        top = ", ".join(f"{r['name']} ({k})" for r, k in zip(rows[:3], keys[:3])) or "-"
        print(f"MISS {n['id']} {'/'.join(n['relevant'])} | need: {n['need']} | top3: {top}")
hit3, mrr = hits / len(needs), rr / len(needs)
print(f"hit@3={hit3:.2f} mrr@10={mrr:.2f} n={len(needs)}")
if hit3 < min_hit3 or mrr < min_mrr:
    sys.exit(f"below the minimum (hit@3 {min_hit3}, mrr@10 {min_mrr})")
PY
