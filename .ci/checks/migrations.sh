#!/usr/bin/env bash
# Landed migrations are history: once a migration file is on main, no later commit may change,
# rename or delete it. Checks every commit since the rule began, so an edit in any commit of a
# submission fails, not only in its last. `Migrations.swift`, the ordered list, may only grow.
# One-time, reviewed exceptions are listed by path and resulting blob in .ci/migrations-allowed.
set -euo pipefail
cd "$(dirname "$0")/../.."
since=1b0bac329ec571af900ed695328a04a5d4185c54  # main when the rule began (issue 13); older history had edits of its own
dir=Sources/Guild/Migrations
allowed=.ci/migrations-allowed
if ! git cat-file -e "$since^{commit}" 2>/dev/null; then
  echo "migrations: $since is not in this clone's history (shallow?); checking HEAD~1..HEAD only"
  since=$(git rev-parse HEAD~1 2>/dev/null || git rev-parse HEAD)
fi
failed=0
for commit in $(git rev-list --first-parent --reverse "$since..HEAD"); do
  while IFS=$'\t' read -r status path renamed; do
    [ -z "$status" ] && continue
    case "$status" in A*) continue ;; esac
    if [ "$path" = "$dir/Migrations.swift" ] && [ "${status:0:1}" = M ]; then
      # grep reads to the end (no -q): git diff killed by SIGPIPE would make the pipeline false under pipefail.
      if git diff "$commit^" "$commit" -- "$path" | grep '^-[^-]' >/dev/null; then
        echo "migrations: $(git log -1 --format='%h %s' "$commit" | cut -c1-80) removes or changes a line of $path (append only)"
        failed=1
      fi
      continue
    fi
    blob=$(git rev-parse -q --verify "$commit:$path" 2>/dev/null || echo deleted)
    if grep -q "^$path $blob " "$allowed" 2>/dev/null; then continue; fi
    echo "migrations: $(git log -1 --format='%h %s' "$commit" | cut -c1-80) changes landed migration $path ($status${renamed:+ → $renamed}); add a new migration instead"
    failed=1
  done < <(git diff-tree -r --no-commit-id --name-status "$commit^" "$commit" -- "$dir")
done
[ "$failed" = 0 ] && echo "migrations: no landed migration changed since $since"
exit "$failed"
