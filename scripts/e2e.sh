#!/usr/bin/env bash
# Invokes every events/*.json through `cargo lambda watch` + `cargo lambda invoke` against
# lightsail-local: each must give a valid report, and invalid-*.json the documented
# InvalidRequest error. The function runs as Lambda runs it, under the Runtime API.
# Prints `e2e: N passed, M failed` last; exits non-zero if any check fails.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
PATH="$(venv_bin):$PATH"

start_local "$root/fixtures/demo.json"
start_watch

tally_start e2e
reports=0
for event in "$root"/events/*.json; do
  name="$(basename "$event")"
  status=0
  answer="$(invoke "$event" 2>"$run_dir/invoke.err")" || status=$?
  # A failed invocation's error type and message are on cargo lambda's stderr.
  [[ $status -eq 0 ]] || answer="$answer $(cat "$run_dir/invoke.err")"
  if verdict="$(python3 "$root/scripts/report.py" answer "$name" "$status" <<<"$answer" 2>&1)"; then
    tally_ok "$name"
    [[ $status -ne 0 ]] || reports=$((reports + 1))
  else
    tally_fail "$name" "$verdict"
  fi
done
# Every report also went to the log as one CloudWatch EMF record, a JSON line of its own.
emf_status=0
emf_records="$(python3 "$root/scripts/report.py" emf <"$run_dir/watch.log")" || emf_status=$?
if [[ $emf_status -eq 0 && "$emf_records" -eq "$reports" ]]; then
  tally_ok "$emf_records EMF metric records in the function's log"
else
  tally_fail "EMF records" "found ${emf_records:-none} for $reports reports"
fi
if [[ $tally_failed -ne 0 ]]; then
  echo "--- cargo lambda watch log ---" >&2
  tail -n 40 "$run_dir/watch.log" >&2
fi
tally_end
