#!/usr/bin/env bash
# Landed migrations are history: once a migration file is on main, no later commit may change,
# rename or delete it. Checks every commit since the rule began, so an edit in any commit of a
# submission fails, not only in its last. Also per commit since then:
#  - a new migration file is numbered after every migration already there, and `Migrations.swift`,
#    the ordered list, only grows, at its end (no line removed or changed, no step inserted before
#    the last one);
#  - a commit that adds or changes lines of an allow-list (.ci/migrations-allowed,
#    .ci/migrations-symbols-allowed) names, in its message, each migration those lines are for
#    (`011_AddProfileBioHTML` or `011`).
# And on the current tree (migration_symbols.py): a migration imports only Fluent, FluentKit, SQLKit
# and Foundation, and names nothing declared in Features/ or Core/; it uses Migrations/Frozen*.swift.
# One-time, reviewed exceptions: by path and resulting blob in .ci/migrations-allowed; by path and
# identifier in .ci/migrations-symbols-allowed. Needs the full history: a shallow clone fails.
set -euo pipefail
cd "$(dirname "$0")/../.."
since=1b0bac329ec571af900ed695328a04a5d4185c54  # main when the rule began (issue 13); older history had edits of its own
# The commit that began the rule split step 008 out of 007's file: 008 was added below the last
# number (databases record names only) and its message names 008, not 007's allow-list line.
reviewed=3065d370d58d71651db2c2c40d869c610a4953f4
dir=Sources/Guild/Migrations
list=$dir/Migrations.swift
allowed=.ci/migrations-allowed
symbols_allowed=.ci/migrations-symbols-allowed
if [ "$(git rev-parse --is-shallow-repository)" = true ]; then
  echo "migrations: this clone is shallow; the check reads every commit since ${since:0:7}: clone with full history (or git fetch --unshallow)"
  exit 1
fi
if ! git cat-file -e "$since^{commit}" 2>/dev/null; then
  echo "migrations: $since is not in this clone's history; fetch main with its full history"
  exit 1
fi
if ! git merge-base --is-ancestor "$since" HEAD; then
  echo "migrations: HEAD does not descend from $since, where the rule began; rebase on main"
  exit 1
fi
# The steps of the list, one a line: `CreateUsers(`, `TaxonomyUpdate(name: "015_…"` (spaces dropped).
steps() {
  { git show "$1:$list" 2>/dev/null || true; } | { grep -oE '^[[:space:]]+[A-Z][A-Za-z0-9_]*\((name: *"[^"]*")?' || true; } | tr -d ' \t'
}
failed=0
for commit in $(git rev-list --first-parent --reverse "$since..HEAD"); do
  what=$(git log -1 --format='%h %s' "$commit" | cut -c1-80)
  last=  # the highest migration number before this commit, read when the commit adds one
  added_numbers=" "
  while IFS=$'\t' read -r status path renamed; do
    [ -z "$status" ] && continue
    case "$path" in
      "$allowed" | "$symbols_allowed")
        [ "$commit" = "$reviewed" ] && continue
        message=$(git log -1 --format=%B "$commit")
        # Read line by line: a `*` path must not be expanded by the shell.
        while read -r named; do
          [ -z "$named" ] && continue
          # `*`: plumbing every migration may use; the message says so in those words.
          if [ "$named" = "*" ] && grep -qiF "every migration" <<<"$message"; then continue; fi
          name=$(basename "$named" .swift)
          number=; [[ "$name" =~ ^([0-9]+) ]] && number=${BASH_REMATCH[1]}
          if grep -qwF -- "$name" <<<"$message"; then continue; fi
          if [ -n "$number" ] && grep -qwF -- "$number" <<<"$message"; then continue; fi
          echo "migrations: $what changes $path for $named; its message must name $name${number:+ (or $number)}"
          failed=1
        done < <(git diff "$commit^" "$commit" -- "$path" | sed -n 's/^+\([^+#[:space:]][^[:space:]]*\).*/\1/p' | sort -u)
        continue
        ;;
    esac
    case "$status" in
      A*)
        base=$(basename "$path")
        case "$path" in "$dir"/[0-9]*.swift) ;; *) continue ;; esac
        [ "$dir/$base" = "$path" ] || continue
        [ "$commit" = "$reviewed" ] && continue
        [[ "$base" =~ ^([0-9]+) ]]; number=${BASH_REMATCH[1]}
        if [ -z "$last" ]; then
          last=$(git ls-tree --name-only "$commit^" "$dir/" | sed -n "s|^$dir/\([0-9][0-9]*\).*\.swift\$|\1|p" | sort -n | tail -1)
          last=${last:-0}
        fi
        if [ $((10#$number)) -le $((10#$last)) ]; then
          echo "migrations: $what adds $path numbered $number, not after the last migration ($last); new migrations go at the end"
          failed=1
        elif [[ "$added_numbers" == *" $((10#$number)) "* ]]; then
          echo "migrations: $what adds $path numbered $number, as another migration it adds; one number each"
          failed=1
        fi
        added_numbers+="$((10#$number)) "
        continue
        ;;
    esac
    if [ "$path" = "$list" ] && [ "${status:0:1}" = M ]; then
      # grep reads to the end (no -q): git diff killed by SIGPIPE would make the pipeline false under pipefail.
      if git diff "$commit^" "$commit" -- "$path" | grep '^-[^-]' >/dev/null; then
        echo "migrations: $what removes or changes a line of $path (append only)"
        failed=1
      elif [ "$commit" != "$reviewed" ]; then
        before=$(steps "$commit^") after=$(steps "$commit")
        if [[ "$after"$'\n' != "$before"$'\n'* ]]; then
          echo "migrations: $what puts a step of $path before one that was there (new steps go after the last)"
          failed=1
        fi
      fi
      continue
    fi
    blob=$(git rev-parse -q --verify "$commit:$path" 2>/dev/null || echo deleted)
    if grep -q "^$path $blob " "$allowed" 2>/dev/null; then continue; fi
    echo "migrations: $what changes landed migration $path ($status${renamed:+ → $renamed}); add a new migration instead"
    failed=1
  done < <(git diff-tree -r --no-commit-id --name-status "$commit^" "$commit" -- "$dir" "$allowed" "$symbols_allowed")
done
python3 .ci/checks/migration_symbols.py "$symbols_allowed" || failed=1
[ "$failed" = 0 ] && echo "migrations: no landed migration changed, renumbered or reordered since ${since:0:7}; allow-list changes name their migrations"
exit "$failed"
