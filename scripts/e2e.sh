#!/usr/bin/env bash
# Invokes every events/*.json through cargo lambda's Runtime API + `cargo lambda invoke` against
# lightsail-local, the function run as Lambda runs it, with its S3 and SNS in moto_server:
# every report is to be archived (REPORT_BUCKET, REPORT_PREFIX e2e/, the state beside it) and
# sent (NOTIFY_WHEN=always) as a chat custom notification with masked key ids.
# Then tests/py/test_e2e.py (.venv-moto's pytest) judges the answers (each a valid report, and
# invalid-*.json the documented InvalidRequest error), the EMF records in the function's log,
# and what moto received. Exits non-zero if any test fails, or none ran.
#   usage: scripts/e2e.sh [PYTEST OPTION...]        e.g. -k archived
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
PATH="$(venv_bin):$PATH"
moto_bin="$(venv_bin .venv-moto requirements-moto.txt)"
offline_aws
bucket=lightsail-key-audit-reports
prefix=e2e/

start_local "$root/fixtures/demo.json"
start_moto
read -r topic_arn queue_url < <("$moto_bin/python" scripts/delivery_check.py setup "$MOTO_URL" "$bucket" e2e-notify)
[[ -n "${queue_url:-}" ]] || fail "could not create the bucket, topic and queue in moto"
# The binary `make unit` built for the integration tests: no second debug build.
build_function=(cargo test --quiet --no-run --test integration)
start_watch "REPORT_BUCKET=$bucket" "REPORT_PREFIX=$prefix" "NOTIFY_TOPIC_ARN=$topic_arn" NOTIFY_WHEN=always \
  "AWS_ENDPOINT_URL_S3=$MOTO_URL" "AWS_ENDPOINT_URL_SNS=$MOTO_URL"

# What the tests read: NN-EVENT.out and .status per invocation, in order; moto.json;
# function.log.
printf '{"url": "%s", "bucket": "%s", "prefix": "%s", "topic_arn": "%s", "queue_url": "%s"}\n' \
  "$MOTO_URL" "$bucket" "$prefix" "$topic_arn" "$queue_url" >"$run_dir/moto.json"
count=0
for event in "$root"/events/*.json; do
  count=$((count + 1))
  out="$run_dir/$(printf %02d "$count")-$(basename "$event")"
  status=0
  invoke "$event" >"$out.out" 2>"$run_dir/invoke.err" || status=$?
  # A failed invocation's error type and message are on cargo lambda's stderr.
  [[ $status -eq 0 ]] || cat "$run_dir/invoke.err" >>"$out.out"
  echo "$status" >"$out.status"
  echo "e2e: invoked $(basename "$event"): exit status $status"
done
status=0
PYTHONDONTWRITEBYTECODE=1 "$moto_bin/pytest" tests/py/test_e2e.py --e2e-dir "$run_dir" "$@" || status=$?
if [[ $status -ne 0 ]]; then
  echo "--- the function's log ---" >&2
  tail -n 40 "$run_dir/function.log" >&2
  echo "--- cargo lambda watch log ---" >&2
  tail -n 10 "$run_dir/watch.log" >&2
  echo "--- moto_server log (less its successful requests) ---" >&2
  grep -v '" [23][0-9][0-9] -$' "$run_dir/moto.log" | tail -n 20 >&2 || true
fi
exit "$status"
