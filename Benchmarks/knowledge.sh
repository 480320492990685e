#!/usr/bin/env bash
# Knowledge benchmark: release build, a demo network of N members with 2 posts each (200,000 posts
# at 100,000 members, with about 400,000 comments and replies and 600,000 helpful marks:
# `guild demo --posts 2`), then wrk against a post page (the one with the most comments), a niche's
# knowledge page, that niche's Atom feed, the most helpful this month, a search page and the /ping
# route of the same server; then 1,000 distinct searches each sent once (uncached) and again
# (cached), through `search_mix.py --path "/posts?q="`; the server's resident memory at the end.
# Targets (issue 16): every page p99 < 15 ms with caches as shipped, RSS < 300 MB.
#
# Usage: Benchmarks/knowledge.sh [members] [seconds per route] [sqlite|postgres|both]   (defaults: 100000 10 both)
# Needs: wrk, bc (installed if missing), PostgreSQL 15 binaries for the second half.
set -euo pipefail
cd "$(dirname "$0")/.."
members=${1:-100000}
duration=${2:-10}
which_db=${3:-both}
source Benchmarks/common.sh

run() { # label database-url
  local label=$1 url=$2 start end
  echo "## $label: $members members"
  start=$(date +%s.%N)
  DATABASE_URL="$url" GUILD_MODEL_FETCH=0 "$guild" demo --members "$members" --referrals 0 --posts 2 --seed 1 2>&1 | grep -E "^Added" || true
  end=$(date +%s.%N)
  printf 'generate: %.1f s in all\n' "$(echo "$end - $start" | bc)"
  echo "posts: $(sql "$url" "SELECT COUNT(*) FROM posts"), comments: $(sql "$url" "SELECT COUNT(*) FROM post_comments"), helpful marks: $(sql "$url" "SELECT COUNT(*) FROM post_helpful")"
  serve "$url"
  local post niche
  post=$(sql "$url" "SELECT p.id FROM posts p JOIN post_comments c ON c.post_id = p.id WHERE p.visibility = 'public' GROUP BY p.id ORDER BY COUNT(*) DESC, p.id LIMIT 1")
  niche=$(sql "$url" "SELECT n.slug FROM post_niches pn JOIN niches n ON n.id = pn.niche_id GROUP BY n.slug ORDER BY COUNT(*) DESC LIMIT 1")
  echo "post measured: $(sql "$url" "SELECT COUNT(*) FROM post_comments WHERE post_id = '$post'") comments; niche measured: $niche, $(sql "$url" "SELECT COUNT(*) FROM post_niches pn JOIN niches n ON n.id = pn.niche_id WHERE n.slug = '$niche'") posts"
  echo
  table_header
  measure "" "" /ping
  measure "post page" "" "/posts/$post"
  measure "niche's knowledge page" "" "/posts?niche=$niche"
  measure "niche's Atom feed" "" "/feeds/niches/$niche.atom"
  measure "most helpful this month" "" "/posts?order=helpful"
  measure "search page" "" "/posts?q=invoice+deposit"
  measure "search API" "" "/api/v1/posts?q=template"
  echo
  echo "### 1,000 distinct searches of the knowledge page, one connection"
  python3 Benchmarks/search_mix.py "$base" --path "/posts?q="
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
