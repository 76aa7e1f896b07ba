#!/usr/bin/env bash
# Checks the CloudFormation templates offline: `sam validate --lint`, cfn-lint on the SAM
# template expanded to plain CloudFormation (cfn-lint alone does not check what the SAM
# transform generates) and on member-role.yaml, and checkov (security) on both. What the
# template evaluates to, parameter set by parameter set, is scripts/stack-check.sh's part.
# Prints `template: N passed, M failed` last; exits non-zero if any check fails.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bin="$(venv_bin .venv-sam requirements-sam.txt)"
checkov="$(venv_bin .venv-checkov requirements-checkov.txt)/checkov"
offline_aws
expanded="$run_dir/expanded.json"
expand() { "$bin/python" scripts/expand_template.py template.yaml >"$expanded"; }

tally_start template
step "sam validate --lint template.yaml" "$bin/sam" validate --lint --template template.yaml --region us-east-1
step "SAM transform of template.yaml" expand
step "cfn-lint on the expanded template" "$bin/cfn-lint" "$expanded"
step "cfn-lint member-role.yaml" "$bin/cfn-lint" member-role.yaml
# Zero failed checks; each skip is written in the template's Metadata with its reason.
# --skip-download: offline, no policy metadata from the vendor's platform.
step "checkov on the expanded template and member-role.yaml" "$checkov" --quiet --compact \
  --skip-download --framework cloudformation -f "$expanded" -f member-role.yaml
tally_end
