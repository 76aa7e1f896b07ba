#!/usr/bin/env bash
# Checks the CloudFormation templates offline: `sam validate --lint`, cfn-lint on the SAM
# template expanded to plain CloudFormation (cfn-lint alone does not check what the SAM
# transform generates) and on member-role.yaml, and checkov (security) on both. What the
# template evaluates to, parameter set by parameter set, is scripts/stack-check.sh's part.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bin="$("$root/scripts/tools.sh" .venv-sam requirements-sam.txt)"
checkov="$("$root/scripts/tools.sh" .venv-checkov requirements-checkov.txt)/checkov"
work="$(mktemp -d "${TMPDIR:-/tmp}/lightsail-key-audit-template.XXXXXX")"
trap 'rm -rf "$work"' EXIT
# Offline: dummy credentials and a region, no telemetry, no metadata service.
export AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x AWS_DEFAULT_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true SAM_CLI_TELEMETRY=0

passed=0
failed=0
step() { # step NAME COMMAND...
  local name="$1"
  shift
  if "$@" >"$work/out" 2>&1; then
    passed=$((passed + 1))
    echo "template: $name ok"
  else
    failed=$((failed + 1))
    echo "template: $name FAILED" >&2
    cat "$work/out" >&2
  fi
}

step "sam validate --lint template.yaml" "$bin/sam" validate --lint --template template.yaml --region us-east-1
step "SAM transform of template.yaml" sh -c "'$bin/python' scripts/expand_template.py template.yaml >'$work/expanded.json'"
step "cfn-lint on the expanded template" "$bin/cfn-lint" "$work/expanded.json"
step "cfn-lint member-role.yaml" "$bin/cfn-lint" member-role.yaml
# Zero failed checks; each skip is written in the template's Metadata with its reason.
# --skip-download: offline, no policy metadata from the vendor's platform.
step "checkov on the expanded template and member-role.yaml" "$checkov" --quiet --compact \
  --skip-download --framework cloudformation -f "$work/expanded.json" -f member-role.yaml

echo "template: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
