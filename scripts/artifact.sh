#!/usr/bin/env bash
# Runs the artifact SAM ships, .aws-sam/build/AuditFunction/bootstrap (arm64, from `make
# package`), under qemu-aarch64 behind a Lambda Runtime API, against lightsail-local: every
# events/*.json, and Lambda's log-level filter at every level (tests/py/test_artifact.py, with
# .venv-moto's pytest). Installs qemu-user-static and the arm64 C library (Debian multiarch)
# when it can, as root. Exits non-zero if any test fails, or none ran.
#   usage: scripts/artifact.sh [PYTEST OPTION...]        e.g. -k TRACE
#          scripts/artifact.sh --install                 qemu and the arm64 C library only
#                                                        (make test does it while sam builds)
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
install_only=false
if [[ "${1:-}" == --install ]]; then
  install_only=true
  shift
fi

bootstrap="$root/.aws-sam/build/AuditFunction/bootstrap"
$install_only || [[ -x "$bootstrap" ]] || fail "$bootstrap is missing: run \`make package\` (sam build) first"

# The arm64 dynamic loader the bootstrap names as its interpreter, from libc6:arm64.
loader=/lib/ld-linux-aarch64.so.1
find_qemu() { command -v qemu-aarch64-static || command -v qemu-aarch64 || true; }
qemu="$(find_qemu)"
if [[ -z "$qemu" || ! -e "$loader" ]]; then
  packages=()
  [[ -n "$qemu" ]] || packages+=(qemu-user-static)
  [[ -e "$loader" ]] || packages+=(libc6:arm64)
  missing="${packages[*]}"
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
    fail "running the arm64 bootstrap needs Debian's $missing; as root:
  dpkg --add-architecture arm64 && apt-get update && apt-get install -y qemu-user-static libc6:arm64"
  fi
  echo "artifact: installing $missing (apt-get, arm64 multiarch) ..." >&2
  if ! { dpkg --add-architecture arm64 && apt-get update -qq &&
         DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-user-static libc6:arm64; } >"$run_dir/apt.log" 2>&1; then
    tail -n 20 "$run_dir/apt.log" >&2
    fail "apt-get could not install $missing; Debian's package archive must be reachable"
  fi
  qemu="$(find_qemu)"
  [[ -n "$qemu" && -e "$loader" ]] || fail "qemu-aarch64 or $loader is still missing after installing $missing"
fi

$install_only && exit 0

pytest="$(venv_bin .venv-moto requirements-moto.txt)/pytest"
start_local "$root/fixtures/demo.json"
PYTHONDONTWRITEBYTECODE=1 "$pytest" tests/py/test_artifact.py --qemu "$qemu" --bootstrap "$bootstrap" \
  --local-url "$LOCAL_URL" "$@"
