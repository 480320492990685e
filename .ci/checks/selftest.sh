#!/usr/bin/env bash
# The CI's own checks, checked: a check that cannot fail proves nothing.
#  - schemathesis_result.sh passes real passing reports and fails real failing ones (schemathesis
#    4.x output, captured from `schemathesis run … | tee`; URLs and response bodies shortened);
#  - no CI script negates a command as a statement (`! grep …`): bash's errexit ignores a `!`
#    pipeline, so such a line never fails the run.
# Usage: .ci/checks/selftest.sh   (well under a second; run early by .ci/run)
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

# A statement `! cmd` never stops a `set -e` script; write `if cmd; then echo why; exit 1; fi`.
if grep -nE '^[[:space:]]*![[:space:]]' .ci/run .ci/postgres.sh .ci/checks/*.sh >"$tmp/negated.txt"; then
  echo "selftest: these lines negate a command, which set -e never fails on:"
  sed 's/^/    /' "$tmp/negated.txt"
  failed=1
fi

[ "$failed" = 0 ] && echo "selftest: schemathesis_result.sh passes $passes passing and fails $fails failing reports; no negated statements"
exit "$failed"
