#!/usr/bin/env bash
# Checks the stack offline, as CloudFormation would create it: expands the SAM template to plain
# CloudFormation, self-tests the strict evaluator (test_cfn_eval.py), evaluates the template
# strictly for every documented parameter set (check_schedule_input.py: parameter constraints,
# every condition, the schedule's Input), and deploys it into moto's CloudFormation once per
# variant (stack_deploy_check.py, through moto_cfn.py). Each step prints its own lines; prints
# `stack-check: N passed, M failed` last and exits non-zero if any step fails.
#   usage: scripts/stack-check.sh [TEMPLATE]        (default: template.yaml)
set -euo pipefail
template="${1:+$(realpath "$1")}"  # before lib.sh changes to the project root
# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
template="${template:-$root/template.yaml}"
offline_aws
# The scripts import each other: leave no __pycache__ in scripts/.
export PYTHONDONTWRITEBYTECODE=1
sam_bin="$(venv_bin .venv-sam requirements-sam.txt)"
moto_bin="$(venv_bin .venv-moto requirements-moto.txt)"
expanded="$run_dir/expanded.json"

tally_start stack-check
# The evaluator's own tests need no template: plain python3, as it is stdlib only.
step --show "cfn_eval self-test" python3 scripts/test_cfn_eval.py
if "$sam_bin/python" scripts/expand_template.py "$template" >"$expanded"; then
  tally_ok "SAM transform of $template"
  step --show "strict evaluation and schedule Input" python3 scripts/check_schedule_input.py "$expanded"
  step --show "deploy into moto's CloudFormation" "$moto_bin/python" scripts/stack_deploy_check.py "$expanded"
else
  tally_fail "SAM transform of $template"
fi
tally_end
