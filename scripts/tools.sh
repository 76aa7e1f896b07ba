#!/usr/bin/env bash
# Installs pinned Python tools into a project-local virtualenv, once per change of their
# requirements file, and prints the venv's bin directory for PATH.
#   tools.sh                     .venv: AWS CLI, cargo-lambda (with zig)
#   tools.sh .venv-sam requirements-sam.txt
#                                .venv-sam: aws-sam-cli, cfn-lint (own venv: sam pins another botocore)
#   tools.sh .venv-moto requirements-moto.txt
#                                .venv-moto: pytest, moto, boto3 (the Python tests, tests/py/)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/${1:-.venv}"
requirements="$root/scripts/${2:-requirements-tools.txt}"
stamp="$venv/.requirements-installed"

# One install at a time per venv: make test runs steps side by side, and two of them may ask
# for the same venv.
mkdir -p "$(dirname "$venv")"
exec 9>"$venv.lock"
flock 9

if [[ -x "$venv/bin/python" && -f "$stamp" ]] && cmp -s "$requirements" "$stamp"; then
  echo "$venv/bin"
  exit 0
fi
if ! command -v python3 >/dev/null; then
  echo "tools.sh: python3 is needed for the AWS CLI and cargo-lambda; install Python 3.9 or later" >&2
  exit 1
fi
if ! python3 -m venv "$venv" >&2; then
  echo "tools.sh: cannot create $venv; on Debian or Ubuntu install python3-venv" >&2
  exit 1
fi
echo "tools.sh: installing $(grep -v '^#' "$requirements" | xargs) into $venv" >&2
if ! "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements" >&2; then
  echo "tools.sh: pip could not install the tools; PyPI must be reachable (or set PIP_INDEX_URL)" >&2
  exit 1
fi
cp "$requirements" "$stamp"
echo "$venv/bin"
