#!/usr/bin/env bash
# The offline demo: lightsail-local with the demo estate, the function under `cargo lambda
# watch`, one invocation with events/audit-buckets.json, the report and a table of findings.
# Everything it starts is stopped on exit, Ctrl-C or failure (scripts/lib.sh).
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
command -v cargo >/dev/null || fail "cargo is missing; install Rust with rustup"
PATH="$(venv_bin):$PATH"

echo "Starting lightsail-local with fixtures/demo.json ..." >&2
start_local "$root/fixtures/demo.json"
echo "Starting the function under cargo lambda watch ..." >&2
start_watch
echo "Invoking it with events/audit-buckets.json ..." >&2
status=0
report="$(invoke "$root/events/audit-buckets.json" 2>"$run_dir/invoke.err")" || status=$?
if [[ $status -ne 0 ]]; then
  cat "$run_dir/invoke.err" >&2
  tail -n 20 "$run_dir/watch.log" >&2
  fail "the invocation failed"
fi
python3 -m json.tool <<<"$report"
echo
python3 "$root/scripts/report.py" table <<<"$report"
