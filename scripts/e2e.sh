#!/usr/bin/env bash
# Invokes every events/*.json through `cargo lambda watch` + `cargo lambda invoke` against
# lightsail-local: each must give a valid report, and invalid-*.json the documented
# InvalidRequest error. The function runs as Lambda runs it, under the Runtime API, with its
# S3 and SNS in moto_server: every report must also be archived (REPORT_BUCKET, REPORT_PREFIX
# e2e/, the state beside it) and sent (NOTIFY_WHEN=always) as a chat custom notification with
# masked key ids, which scripts/delivery_check.py reads back from moto.
# Prints `e2e: N passed, M failed` last; exits non-zero if any check fails.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
PATH="$(venv_bin):$PATH"
moto_python="$(venv_bin .venv-moto requirements-moto.txt)/python"
offline_aws
bucket=lightsail-key-audit-reports
prefix=e2e/

start_local "$root/fixtures/demo.json"
start_moto
read -r topic_arn queue_url < <("$moto_python" scripts/delivery_check.py setup "$MOTO_URL" "$bucket" e2e-notify)
[[ -n "${queue_url:-}" ]] || fail "could not create the bucket, topic and queue in moto"
start_watch "REPORT_BUCKET=$bucket" "REPORT_PREFIX=$prefix" "NOTIFY_TOPIC_ARN=$topic_arn" NOTIFY_WHEN=always \
  "AWS_ENDPOINT_URL_S3=$MOTO_URL" "AWS_ENDPOINT_URL_SNS=$MOTO_URL"

tally_start e2e
reports=0
mkdir "$run_dir/reports"
for event in "$root"/events/*.json; do
  name="$(basename "$event")"
  status=0
  answer="$(invoke "$event" 2>"$run_dir/invoke.err")" || status=$?
  # A failed invocation's error type and message are on cargo lambda's stderr.
  [[ $status -eq 0 ]] || answer="$answer $(cat "$run_dir/invoke.err")"
  if verdict="$(python3 "$root/scripts/report.py" answer "$name" "$status" <<<"$answer" 2>&1)"; then
    tally_ok "$name"
    if [[ $status -eq 0 ]]; then
      reports=$((reports + 1))
      # In invocation order, for the delivery check.
      printf '%s\n' "$answer" >"$run_dir/reports/$(printf %02d "$reports")-$name"
    fi
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
# Every report archived and sent, read back from moto (its own lines, then one here).
shopt -s nullglob
step --show "archive, state and notifications of $reports reports in moto" \
  "$moto_python" scripts/delivery_check.py check "$MOTO_URL" "$bucket" "$prefix" "$topic_arn" "$queue_url" \
  "$run_dir"/reports/*
if [[ $tally_failed -ne 0 ]]; then
  echo "--- cargo lambda watch log ---" >&2
  tail -n 40 "$run_dir/watch.log" >&2
  echo "--- moto_server log (less its successful requests) ---" >&2
  grep -v '" [23][0-9][0-9] -$' "$run_dir/moto.log" | tail -n 20 >&2 || true
fi
tally_end
