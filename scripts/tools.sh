#!/usr/bin/env bash
# Installs the Python tools (AWS CLI, cargo-lambda with zig) into the project's .venv, once per
# change of requirements-tools.txt. Prints the venv's bin directory for PATH.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.venv"
requirements="$root/scripts/requirements-tools.txt"
stamp="$venv/.requirements-installed"

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
