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
# No wheel cache: each venv is installed once, and a cache would only hold a second copy of
# every wheel on disk. pip's output is kept in memory and read through pipes, never a file: on
# a full disk no file could be made to hold it (grep reads it all: pipefail sees no SIGPIPE).
if ! output="$("$venv/bin/pip" install --quiet --disable-pip-version-check --no-cache-dir \
  -r "$requirements" 2>&1)"; then
  echo "$output" >&2
  # Name the cause pip met: a full disk is not an unreachable index.
  if printf "%s\n" "$output" | grep "No space left on device" >/dev/null; then
    echo "tools.sh: the disk is full: pip could not install into $venv. What make test" \
      "needs, and where:" >&2
    "$root/scripts/disk.sh" --report >&2
  elif printf "%s\n" "$output" | grep -iE "connection|resolve|network is unreachable|timed out" >/dev/null; then
    echo "tools.sh: pip could not reach the package index; PyPI must be reachable (or set" \
      "PIP_INDEX_URL)" >&2
  else
    echo "tools.sh: pip could not install $requirements into $venv (its error is above)" >&2
  fi
  exit 1
fi
[[ -z "$output" ]] || echo "$output" >&2
cp "$requirements" "$stamp"
echo "$venv/bin"
