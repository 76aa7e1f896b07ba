#!/usr/bin/env bash
# Checks the stack offline, as CloudFormation would create it, with .venv-moto's pytest: the
# strict evaluator's own tests (tests/py/test_cfn_eval.py); the SAM template expanded to plain
# CloudFormation once, then evaluated strictly for every documented parameter set
# (test_schedule_input.py: parameter constraints, every condition, the schedule's Input);
# deployed into moto's CloudFormation once per variant and read back (test_stack_deploy.py,
# through scripts/moto_cfn.py); and what the layer and the template must refuse
# (test_stack_refusals.py); scripts/ocsf_check.py's own tests (test_ocsf_check.py); and the
# bench's pure parts: bench/power.py (test_power.py) and the Python peer's rules (test_peer.py,
# whose end-to-end runs skip, saying why, without .venv-peer and a release lightsail-local).
# Exits non-zero if any test fails, or none ran.
#   usage: scripts/stack-check.sh [TEMPLATE] [PYTEST OPTION...]   (default: template.yaml)
#   e.g.   scripts/stack-check.sh -k "organization and schedule"
set -euo pipefail
template=""
if [[ $# -gt 0 && "$1" != -* ]]; then
  template="$(realpath "$1")" # before lib.sh changes to the project root
  shift
fi
# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
offline_aws
# The modules import each other: leave no __pycache__ beside them.
export PYTHONDONTWRITEBYTECODE=1
moto_bin="$(venv_bin .venv-moto requirements-moto.txt)"
"$moto_bin/pytest" --template "${template:-$root/template.yaml}" tests/py/test_cfn_eval.py \
  tests/py/test_schedule_input.py tests/py/test_stack_deploy.py tests/py/test_stack_refusals.py \
  tests/py/test_ocsf_check.py tests/py/test_power.py tests/py/test_peer.py "$@"
