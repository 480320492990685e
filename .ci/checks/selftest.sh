#!/usr/bin/env bash
# The CI's own checks, checked: a check that cannot fail proves nothing.
#  - schemathesis_result.sh passes real passing reports and fails real failing ones (schemathesis
#    4.x output, captured from `schemathesis run … | tee`; URLs and response bodies shortened);
#  - migrations.sh passes a throwaway history that keeps its rules and fails one that breaks each;
#  - no CI script negates a command as a statement (`! grep …`): bash's errexit ignores a `!`
#    pipeline, so such a line never fails the run.
# Usage: .ci/checks/selftest.sh   (a few seconds; run early by .ci/run)
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d /tmp/guild-ci-selftest.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
failed=0 passes=0 fails=0
expect() {  # expect pass|fail NAME: runs the check on $tmp/NAME.log
  local want=$1 name=$2 got=pass
  if [ "$want" = pass ]; then passes=$((passes + 1)); else fails=$((fails + 1)); fi
  .ci/checks/schemathesis_result.sh "$tmp/$name.log" >"$tmp/$name.out" 2>&1 || got=fail
  if [ "$got" != "$want" ]; then
    echo "selftest: schemathesis_result.sh should $want the $name report but did $got:"
    sed 's/^/    /' "$tmp/$name.out"
    failed=1
  fi
}

cat >"$tmp/passing.log" <<'LOG'
Schemathesis v4.32.5
━━━━━━━━━━━━━━━━━━━━

 ✅  Loaded specification from http://127.0.0.1:40001/api/v1/openapi.yaml (in 0.49s)

     Base URL:         http://127.0.0.1:40001/api/v1
     Specification:    Open API 3.1.0
     Operations:       2 selected / 2 total

 ⏭   Examples (in 0.00s)

     ⏭  2 skipped

 ✅  Coverage (in 0.20s)

     ✅ 2 passed

 ✅  Fuzzing (in 0.45s)

     ✅ 2 passed

=================================== SUMMARY ====================================

API Operations:
  Selected: 2/2
  Tested: 2

Test Phases:
  ⏭  Examples
  ✅ Coverage
  ✅ Fuzzing
  ⏭  Stateful (not applicable)

Test cases:
  84 generated, 84 passed

Seed: 155422590235933607952786576490465565973

=========================== No issues found in 0.71s ===========================
LOG
expect pass passing

# Warnings alone: schemathesis exits 0, and so does the check.
cat >"$tmp/warnings.log" <<'LOG'
 ✅  Coverage (in 0.14s)

     ✅ 2 passed

 ✅  Fuzzing (in 0.54s)

     ✅ 2 passed

=================================== WARNINGS ===================================

Missing test data: 1 operation repeatedly returned 404 Not Found, preventing tests from reaching your API's core logic

  - GET /items/{id}

=================================== SUMMARY ====================================

API Operations:
  Selected: 2/2
  Tested: 2

Test Phases:
  ⏭  Examples
  ✅ Coverage
  ✅ Fuzzing
  ⏭  Stateful (not applicable)

Warnings:
  ⚠️ Missing test data: 1 operation repeatedly returned 404 responses

Test cases:
  84 generated, 84 passed

Seed: 312797048294899377781724442214214452173

============================== 1 warning in 0.76s ==============================
LOG
expect pass warnings

# Guild's own report (trimmed): each phase passed some scenarios and failed others, "N passed" next
# to "M failed" (counts padded to one width), and warnings on top.
cat >"$tmp/failing.log" <<'LOG'
Schemathesis v4.32.5
━━━━━━━━━━━━━━━━━━━━

 ✅  Loaded specification from http://127.0.0.1:33541/api/v1/openapi.yaml (in
 1.44s)

     Base URL:         http://127.0.0.1:33541/api/v1
     Specification:    Open API 3.1.0
     Operations:       105 selected / 105 total
     Configuration:    /work/main/schemathesis.toml

 ✅  API capabilities:

     Supports NULL byte in headers:                            ✘
     Accepts backslash and control characters in URL paths:    ✓

 ⏭   Examples (in 0.29s)

     ⏭  105 skipped

 ❌  Coverage (in 59.51s)

     ✅ 103 passed  ❌   2 failed

 ❌  Fuzzing (in 149.59s)

     ✅ 101 passed  ❌   4 failed

 ❌  Stateful (in 15.84s)

     Scenarios:    153
     API Links:    16 covered / 432 selected / 432 total (432 inferred)

     ✅ 151 passed  ❌ 2 failed

=================================== FAILURES ===================================
_________________________________ POST /events _________________________________
1. Test Case ID: Db27vs

- ST103 Undocumented status code

    Received: 429
    Documented: 201, 400, 401, 403, 404, 413, 415, 422

[429] Too Many Requests:

    `{"error":{"message":"Too many attempts. Try again in 86398 seconds.","code":"too_many_requests"}}`

Reproduce with:

    curl -X POST -H 'Authorization: [Filtered]' -H 'Content-Type: application/json' -d '{"title": "0"}' http://127.0.0.1:33541/api/v1/events

    st replay Db27vs

=================================== WARNINGS ===================================

Authentication failed: 3 operations returned only 401/403 responses

403 Forbidden (3 operations):
  - GET /cover/runbook/{member}
  - GET /moderation/log
  - GET /moderation/reports

=================================== SUMMARY ====================================

API Operations:
  Selected: 105/105
  Tested: 105

Test Phases:
  ⏭  Examples
  ❌ Coverage
  ❌ Fuzzing
  ❌ Stateful

Failures:
  ❌ ST103 Undocumented status code: 4

For more information, run `st explain ST103`.

Warnings:
  ⚠️ Authentication failed: 3 operations returned only 401/403 responses
  ⚠️ Rate limited: 3 operations mostly returned 429 responses
  ⚠️ Missing test data: 20 operations repeatedly returned 404 responses

Test cases:
  8750 generated, 4 found 4 unique failures, 118 skipped

Seed: 276171436403073317093522432354277704030

====================== 4 failures, 3 warnings in 225.97s =======================
LOG
expect fail failing
grep -Eq '[0-9]+ passed.*[0-9]+ failed' "$tmp/failing.log" || { echo "selftest: the failing sample lost its 'N passed … M failed' line"; failed=1; }

# The same without its FAILURES section and Failures list: the counts alone fail it.
sed -e '/^=* FAILURES =*$/,/^=* SUMMARY =*$/{/SUMMARY/!d}' -e '/^Failures:$/,/^$/d' "$tmp/failing.log" >"$tmp/counts-only.log"
expect fail counts-only
# ... and with passed counts everywhere but the final banner, which counts the failures.
sed -E -e 's/(✅ [0-9]+ passed) +❌ +[0-9]+ failed/\1/' -e 's/8750 generated, 4 found 4 unique failures/8750 generated, 8750 passed/' \
    "$tmp/counts-only.log" >"$tmp/banner-only.log"
expect fail banner-only

# The server unreachable: every operation errored, nothing failed.
cat >"$tmp/errored.log" <<'LOG'
 🚫  Coverage (in 0.19s)

     🚫 2 errors

 🚫  Fuzzing (in 0.19s)

     🚫 2 errors

==================================== ERRORS ====================================
_______________________________ GET /items/{id} ________________________________
Network Error

Connection failed

    Failed to establish a new connection: [Errno 111] Connection refused

=================================== SUMMARY ====================================

API Operations:
  Selected: 2/2
  Tested: 0
  Errored: 2

Errors:
  🚫 Network Error: 2

Test cases:
  30 generated, 30 errored

============================== 2 errors in 0.44s ===============================
LOG
expect fail errored

# Cut short before the verdict (schemathesis killed), an empty report, and a report in colour.
sed '/^=* SUMMARY =*$/,$d' "$tmp/passing.log" >"$tmp/cut-short.log"
expect fail cut-short
: >"$tmp/empty.log"
expect fail empty
sed -E -e 's/❌ +([0-9]+) failed/❌ \x1b[1m\1\x1b[0m failed/' -e 's/^(=+ .* =+)$/\x1b[1;31m\1\x1b[0m/' \
    "$tmp/banner-only.log" >"$tmp/coloured-failing.log"
expect fail coloured-failing
sed -e 's/84 passed/\x1b[1m84\x1b[0m passed/' "$tmp/passing.log" >"$tmp/coloured-passing.log"
expect pass coloured-passing

# migrations.sh on a throwaway repository: each rule fails a history that breaks it (with its message),
# and a history that keeps them all passes. The check is copied in with `since` at the first commit.
repo=$tmp/repo
mig_passes=0 mig_fails=0
gitc() { git -C "$repo" -c user.name=selftest -c user.email=selftest@example.invalid -c commit.gpgsign=false "$@"; }
mkdir -p "$repo/Sources/Guild/Migrations" "$repo/Sources/Guild/Core/Database" "$repo/Sources/Guild/Features/Profiles" "$repo/.ci/checks"
git -C "$repo" init -q -b main
echo ".ci/checks/" >>"$repo/.git/info/exclude"
cat >"$repo/Sources/Guild/Core/Database/DatabaseSetup.swift" <<'SWIFT'
import FluentKit
import SQLKit

extension Database {
    var sql: any SQLDatabase { self as! any SQLDatabase }
    var isSQLite: Bool { sql.dialect.name == "sqlite" }
    func writeTransaction<T>(_ body: (any Database) async throws -> T) async throws -> T { try await body(self) }
}
SWIFT
cat >"$repo/Sources/Guild/Features/Profiles/ProfileTags.swift" <<'SWIFT'
struct ProfileTags: Codable {
    static func store(_ ids: [UUID], on db: any Database) async throws {}
}
struct Row {}
SWIFT
for step in 001_CreateThings:CreateThings 002_AddNotes:AddNotes; do
  cat >"$repo/Sources/Guild/Migrations/${step%%:*}.swift" <<SWIFT
import Fluent
import SQLKit

struct ${step#*:}: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await (database as! any SQLDatabase).raw("SELECT 1").run()
    }
    func revert(on database: any Database) async throws {}
}
SWIFT
done
cat >"$repo/Sources/Guild/Migrations/Migrations.swift" <<'SWIFT'
import Fluent

enum GuildMigrations {
    static func all() -> [any Migration] {
        [
            CreateThings(),
            AddNotes(),
        ]
    }
}
SWIFT
: >"$repo/.ci/migrations-allowed"
echo "# path identifier reason" >"$repo/.ci/migrations-symbols-allowed"
gitc add -A
gitc commit -qm "the migrations as they landed"
base=$(git -C "$repo" rev-parse HEAD)
sed -e "s/^since=[0-9a-f]\{40\}/since=$base/" -e "s/^reviewed=[0-9a-f]\{40\}/reviewed=none/" .ci/checks/migrations.sh >"$repo/.ci/checks/migrations.sh"
sed -e "s/^since=[0-9a-f]\{40\}/since=0123456789abcdef0123456789abcdef01234567/" .ci/checks/migrations.sh >"$repo/.ci/checks/migrations-elsewhere.sh"
cp .ci/checks/migration_symbols.py "$repo/.ci/checks/"
chmod +x "$repo/.ci/checks/"*.sh
grep -q "^since=$base" "$repo/.ci/checks/migrations.sh" || { echo "selftest: migrations.sh has no 'since=<commit>' line to point at the throwaway history"; failed=1; }

start() { gitc checkout -q -B "$1" "$base"; }
commit() { gitc add -A; gitc commit -qm "$1"; }
append_step() { sed -i "s/^            AddNotes(),\$/            AddNotes(),\n            $1(),/" "$repo/Sources/Guild/Migrations/Migrations.swift"; }
# tags_migration FILE [IMPORT] [CODE]: a new migration that names ProfileTags and writeTransaction only in a
# comment and a string, and declares its own `sql` and `Row` (the app's are Core's and Features').
tags_migration() {
  cat >"$repo/Sources/Guild/Migrations/$1" <<SWIFT
import Fluent
import Foundation
${2:-import SQLKit}

// Stores tags as ProfileTags.store did when this landed.
struct AddTags: AsyncMigration {
    func prepare(on database: any Database) async throws {
        struct Row: Decodable { var id: UUID }
        let sql = database as! any SQLDatabase
        let rows = try await sql.raw("SELECT id FROM things WHERE note <> 'ProfileTags writeTransaction'").all(decoding: Row.self)
        for row in rows { try await sql.raw("UPDATE things SET note = \\(bind: "\\(row.id)") WHERE id = \\(bind: row.id)").run() }
        ${3:-}
    }
    func revert(on database: any Database) async throws {}
}
SWIFT
}
expect_migrations() {  # expect_migrations pass|fail NAME TEXT [DIR [SCRIPT]]: runs the check; its output must hold TEXT
  local want=$1 name=$2 text=$3 dir=${4:-$repo} script=${5:-migrations.sh} got=pass ok=1
  if [ "$want" = pass ]; then mig_passes=$((mig_passes + 1)); else mig_fails=$((mig_fails + 1)); fi
  "$dir/.ci/checks/$script" >"$tmp/migrations-$name.out" 2>&1 || got=fail
  [ "$got" = "$want" ] || ok=0
  grep -qF -- "$text" "$tmp/migrations-$name.out" || ok=0
  if [ "$ok" = 0 ]; then
    echo "selftest: migrations.sh should $want the $name history, printing '$text', but did $got:"
    sed 's/^/    /' "$tmp/migrations-$name.out"
    failed=1
  fi
}

start good
tags_migration 003_AddTags.swift
append_step AddTags
cat >"$repo/Sources/Guild/Migrations/FrozenTags.swift" <<'SWIFT'
import Vapor
enum FrozenTags { static let store = ProfileTags.store }
SWIFT
commit "003_AddTags"
expect_migrations pass good "migrations: no landed migration changed"

start edited
echo "// later" >>"$repo/Sources/Guild/Migrations/001_CreateThings.swift"
commit "tidy 001"
expect_migrations fail edited "changes landed migration Sources/Guild/Migrations/001_CreateThings.swift"

start list-line-removed
sed -i '/^            AddNotes(),$/d' "$repo/Sources/Guild/Migrations/Migrations.swift"
commit "drop a step"
expect_migrations fail list-line-removed "removes or changes a line of Sources/Guild/Migrations/Migrations.swift"

start list-inserted
tags_migration 003_AddTags.swift
sed -i "s/^            AddNotes(),\$/            AddTags(),\n            AddNotes(),/" "$repo/Sources/Guild/Migrations/Migrations.swift"
commit "003_AddTags, listed before 002"
expect_migrations fail list-inserted "puts a step of Sources/Guild/Migrations/Migrations.swift before one that was there"

start numbered-before
tags_migration 002_AddTags.swift
append_step AddTags
commit "002_AddTags"
expect_migrations fail numbered-before "adds Sources/Guild/Migrations/002_AddTags.swift numbered 002, not after the last migration (002)"

start numbered-twice
tags_migration 003_AddTags.swift
tags_migration 003_AddMoreTags.swift
commit "003 twice"
expect_migrations fail numbered-twice "adds Sources/Guild/Migrations/003_AddTags.swift numbered 003, as another migration it adds"

start imports
tags_migration 003_AddTags.swift "import Vapor"
append_step AddTags
commit "003_AddTags"
expect_migrations fail imports "003_AddTags.swift:3 imports Vapor"

start names-type
tags_migration 003_AddTags.swift "" 'try await ProfileTags.store(rows.map(\.id), on: database)'
append_step AddTags
commit "003_AddTags"
expect_migrations fail names-type "003_AddTags.swift:12 names ProfileTags, declared in Sources/Guild/Features/Profiles/ProfileTags.swift:1"

start names-member
tags_migration 003_AddTags.swift "" "try await database.writeTransaction { _ in }"
append_step AddTags
commit "003_AddTags"
expect_migrations fail names-member "names writeTransaction, declared in Sources/Guild/Core/Database/DatabaseSetup.swift:7 (extension Database)"

# Its own `let sql` does not make `database.sql` its own.
start names-member-shadowed
tags_migration 003_AddTags.swift "" "_ = database.sql"
append_step AddTags
commit "003_AddTags"
expect_migrations fail names-member-shadowed "003_AddTags.swift:12 names sql, declared in Sources/Guild/Core/Database/DatabaseSetup.swift:5 (extension Database)"

start names-interpolated
tags_migration 003_AddTags.swift "" 'try await sql.raw("SELECT \\(unsafeRaw: "\\(ProfileTags.self)")").run()'
append_step AddTags
commit "003_AddTags"
expect_migrations fail names-interpolated "names ProfileTags"

start allow-unnamed
tags_migration 003_AddTags.swift "" "_ = database.isSQLite"
append_step AddTags
echo "Sources/Guild/Migrations/003_AddTags.swift isSQLite reads the dialect's name" >>"$repo/.ci/migrations-symbols-allowed"
commit "tags"
expect_migrations fail allow-unnamed "changes .ci/migrations-symbols-allowed for Sources/Guild/Migrations/003_AddTags.swift; its message must name 003_AddTags (or 003)"

gitc commit -q --amend -m "Tags (003): isSQLite reviewed"
expect_migrations pass allow-named "migrations: no landed migration changed"

start allow-stale
echo "Sources/Guild/Migrations/001_CreateThings.swift sql a cast" >>"$repo/.ci/migrations-symbols-allowed"
commit "001_CreateThings may use sql"
expect_migrations fail allow-stale "allows sql in Sources/Guild/Migrations/001_CreateThings.swift, which no longer uses it"

start allow-blob-unnamed
echo "Sources/Guild/Migrations/001_CreateThings.swift 0123456789abcdef0123456789abcdef01234567 reviewed" >>"$repo/.ci/migrations-allowed"
commit "an exception"
expect_migrations fail allow-blob-unnamed "changes .ci/migrations-allowed for Sources/Guild/Migrations/001_CreateThings.swift; its message must name 001_CreateThings (or 001)"

git clone -q --depth 1 --branch good "file://$repo" "$tmp/shallow"
mkdir -p "$tmp/shallow/.ci/checks"
cp "$repo/.ci/checks/"* "$tmp/shallow/.ci/checks/"
expect_migrations fail shallow "migrations: this clone is shallow" "$tmp/shallow"
gitc checkout -q good
expect_migrations fail elsewhere "is not in this clone's history" "$repo" migrations-elsewhere.sh

# scripts/architecture.py --ratchet: passes the tree as it is, fails a feature that writes another
# feature's table, a migration's table without an owner in the README, and a stale dependency graph.
arch_checks=0
expect_arch() {  # expect_arch pass|fail NAME TEXT: runs the ratchet on a copy in $tmp/arch-NAME
  local want=$1 name=$2 text=$3 got=pass
  arch_checks=$((arch_checks + 1))
  (cd "$tmp/arch-$name" && python3 scripts/architecture.py --ratchet scripts/architecture-baseline.json) >"$tmp/arch-$name.out" 2>&1 || got=fail
  if [ "$got" != "$want" ] || { [ -n "$text" ] && ! grep -q -- "$text" "$tmp/arch-$name.out"; }; then
    echo "selftest: architecture.py should $want the $name tree, printing '$text', but did $got:"
    sed 's/^/    /' "$tmp/arch-$name.out"
    failed=1
  fi
}
for name in good write unowned graph; do
  mkdir -p "$tmp/arch-$name/Sources" "$tmp/arch-$name/scripts"
  cp -r Sources/Guild "$tmp/arch-$name/Sources/"
  cp README.md "$tmp/arch-$name/"
  cp scripts/architecture.py scripts/architecture-baseline.json "$tmp/arch-$name/scripts/"
done
cat >"$tmp/arch-write/Sources/Guild/Features/Blogroll/Sneaky.swift" <<'SWIFT'
func sneaky(_ db: any SQLDatabase) async throws { try await db.raw("UPDATE users SET role = 'admin'").run() }
SWIFT
sed -i 's/`contact_tags`, //' "$tmp/arch-unowned/README.md"
sed -i 's/^| Admin | Accounts, Outbox |$/| Admin | Accounts |/' "$tmp/arch-graph/README.md"
expect_arch pass good ""
expect_arch fail write "Blogroll writes users (owner Accounts)"
expect_arch fail unowned "table contact_tags (created by a migration) has no owner"
expect_arch fail graph "dependency graph is not the current one"

# A statement `! cmd` never stops a `set -e` script; write `if cmd; then echo why; exit 1; fi`.
if grep -nE '^[[:space:]]*![[:space:]]' .ci/run .ci/postgres.sh .ci/checks/*.sh >"$tmp/negated.txt"; then
  echo "selftest: these lines negate a command, which set -e never fails on:"
  sed 's/^/    /' "$tmp/negated.txt"
  failed=1
fi

[ "$failed" = 0 ] && echo "selftest: schemathesis_result.sh passes $passes passing and fails $fails failing reports;" \
  "migrations.sh passes $mig_passes histories and fails $mig_fails; architecture.py $arch_checks trees; no negated statements"
exit "$failed"
