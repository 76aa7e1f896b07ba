#!/usr/bin/env bash
# Checks the stack offline, as CloudFormation would create it: expands the SAM template to plain
# CloudFormation, self-tests the strict evaluator (test_cfn_eval.py), evaluates the template
# strictly for every documented parameter set (check_schedule_input.py: parameter constraints,
# every condition, the schedule's Input), and deploys it into moto's CloudFormation once per
# variant (stack_deploy_check.py, through moto_cfn.py). Exits non-zero if any step fails.
#   usage: scripts/stack-check.sh [TEMPLATE]        (default: template.yaml)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
template="$(realpath "${1:-$root/template.yaml}")"
cd "$root"
# Offline: dummy credentials and a region, no telemetry, no metadata service.
export AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x AWS_DEFAULT_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true SAM_CLI_TELEMETRY=0
# The scripts import each other: leave no __pycache__ in scripts/ (it is not in .gitignore).
export PYTHONDONTWRITEBYTECODE=1
sam_bin="$("$root/scripts/tools.sh" .venv-sam requirements-sam.txt)"
moto_bin="$("$root/scripts/tools.sh" .venv-moto requirements-moto.txt)"
work="$(mktemp -d "${TMPDIR:-/tmp}/lightsail-key-audit-stack.XXXXXX")"
trap 'rm -rf "$work"' EXIT

passed=0
failed=0
step() { # step NAME COMMAND...: the command prints its own lines
  local name="$1"
  shift
  if "$@"; then
    passed=$((passed + 1))
    echo "stack-check: $name ok"
  else
    failed=$((failed + 1))
    echo "stack-check: $name FAILED"
  fi
}

# The evaluator's own tests need no template: plain python3, as it is stdlib only.
step "cfn_eval self-test" python3 scripts/test_cfn_eval.py
if "$sam_bin/python" scripts/expand_template.py "$template" >"$work/expanded.json"; then
  passed=$((passed + 1))
  echo "stack-check: SAM transform of $template ok"
  step "strict evaluation and schedule Input" python3 scripts/check_schedule_input.py "$work/expanded.json"
  step "deploy into moto's CloudFormation" "$moto_bin/python" scripts/stack_deploy_check.py "$work/expanded.json"
else
  failed=$((failed + 1))
  echo "stack-check: SAM transform of $template FAILED"
fi

echo "stack-check: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
