#!/usr/bin/env bash
# Runs one step of `make test` and says how long it took, for docs/testing.md's figures:
#   step.sh NAME COMMAND...     prints `step NAME: N s` (or `step NAME: FAILED after N s`) last
set -uo pipefail
name="$1"
shift
start=$(date +%s)
"$@"
status=$?
elapsed=$(($(date +%s) - start))
if [[ $status -eq 0 ]]; then
  echo "step $name: $elapsed s"
else
  echo "step $name: FAILED after $elapsed s (exit status $status)" >&2
fi
exit "$status"
