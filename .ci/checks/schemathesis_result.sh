#!/usr/bin/env bash
# Reads a `schemathesis run` report (schemathesis 4.x, as .ci/run tees it) and passes only when it
# ran to the end and found nothing. A report says "✅ 58 passed  ❌ 2 failed" on a phase line, so a
# passed count proves nothing: any failed or errored count, a FAILURES or ERRORS section, or a final
# banner other than "No issues found" (or warnings alone) fails it.
#
# Usage: .ci/checks/schemathesis_result.sh LOGFILE   (exit 0: no issues; exit 1: why not, on stderr)
# .ci/checks/selftest.sh feeds it real passing and failing reports.
set -euo pipefail
log=${1:?usage: schemathesis_result.sh LOGFILE}
fail() { echo "schemathesis: $*" >&2; exit 1; }
[ -s "$log" ] || fail "no report in $log (did schemathesis run?)"
# Without colours: FORCE_COLOR or a terminal would put escapes between the numbers and the words.
text=$(sed 's/\x1b\[[0-9;]*[A-Za-z]//g' "$log")
has() { grep -Eq "$1" <<<"$text"; }
show() { grep -En "$1" <<<"$text" | head -10 >&2 || true; }

section='^=+ (FAILURES|ERRORS) =+$|^(Failures|Errors):$'
if has "$section"; then show "$section"; fail "the report lists failures or errors ($log)"; fi
# Phase lines ("❌ 2 failed", "🚫 1 error"), the test cases line ("3 found 2 unique failures",
# "30 errored"), the final banner ("2 failures, 1 error in 4.1s") and "Errored: 2" operations.
counts='(^|[^0-9])[1-9][0-9]* (failed|failures?|unique failures?|errors?|errored)([^a-z]|$)|Errored: *[1-9]'
if has "$counts"; then show "$counts"; fail "the report counts failures or errors ($log)"; fi
stopped='server stopped responding|[Ii]nterrupted|Failed to load specification'
if has "$stopped"; then show "$stopped"; fail "the run did not finish ($log)"; fi

# The last banner line other than a section's name is schemathesis's verdict; a run cut short has none.
verdict=$(grep -E '^=+ .+ =+$' <<<"$text" | grep -Ev '^=+ (SUMMARY|FAILURES|ERRORS|WARNINGS) =+$' | tail -1 |
  sed -E 's/^=+ (.*) =+$/\1/' || true)
[ -n "$verdict" ] || fail "no final summary line in $log (the run did not finish)"
case "$verdict" in
  "No issues found in "*) ;;
  *" warning in "* | *" warnings in "*)
    # Warnings alone are schemathesis's own pass (exit 0); they are listed under SUMMARY.
    [[ "$verdict" =~ ^[0-9]+\ warnings?\ in\ [0-9.]+s$ ]] || fail "final summary: $verdict"
    echo "schemathesis: note: $verdict (see Warnings in the report)" ;;
  *) fail "final summary: $verdict" ;;
esac
has '^ *[1-9][0-9]* generated, [1-9][0-9]* passed' || fail "the report does not say its test cases passed ($log)"
echo "schemathesis: $verdict; $(grep -Eo '[0-9]+ generated, [0-9]+ passed[^=]*' <<<"$text" | tail -1)"
