#!/usr/bin/env bash
# Invokes every events/*.json through `cargo lambda watch` + `cargo lambda invoke` against
# lightsail-local: each must give a valid report, and invalid-*.json the documented
# InvalidRequest error. The function runs as Lambda runs it, under the Runtime API.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
PATH="$("$root/scripts/tools.sh"):$PATH"
source "$root/scripts/stack.sh"

start_local "$root/fixtures/demo.json"
start_watch

passed=0
failed=0
reports=0
for event in "$root"/events/*.json; do
  name="$(basename "$event")"
  status=0
  answer="$(invoke "$event" 2>"$run_dir/invoke.err")" || status=$?
  # A failed invocation's error type and message are on cargo lambda's stderr.
  [[ $status -eq 0 ]] || answer="$answer $(cat "$run_dir/invoke.err")"
  if verdict="$(python3 "$root/scripts/report.py" answer "$name" "$status" <<<"$answer" 2>&1)"; then
    verdict=ok
    [[ $status -ne 0 ]] || reports=$((reports + 1))
  fi
  if [[ "$verdict" == ok ]]; then
    passed=$((passed + 1))
    echo "e2e: $name ok"
  else
    failed=$((failed + 1))
    echo "e2e: $name FAILED: $verdict" >&2
  fi
done
# Every report also went to the log as one CloudWatch EMF record, a JSON line of its own.
emf_status=0
emf_records="$(python3 "$root/scripts/report.py" emf <"$run_dir/watch.log")" || emf_status=$?
if [[ $emf_status -eq 0 && "$emf_records" -eq "$reports" ]]; then
  passed=$((passed + 1))
  echo "e2e: $emf_records EMF metric records in the function's log ok"
else
  failed=$((failed + 1))
  echo "e2e: EMF records FAILED: found ${emf_records:-none} for $reports reports" >&2
fi
if [[ $failed -ne 0 ]]; then
  echo "--- cargo lambda watch log ---" >&2
  tail -n 40 "$run_dir/watch.log" >&2
fi
echo "e2e: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
