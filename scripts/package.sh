#!/usr/bin/env bash
# Builds the deployment package the way users build it: `sam build` (template.yaml's
# AuditFunction, BuildMethod rust-cargolambda), which runs cargo-lambda from PyPI (it
# cross-compiles through zig) and leaves the arm64 `bootstrap` for provided.al2023 in
# .aws-sam/build/AuditFunction/, the folder `sam deploy` zips and uploads. Zips that folder the
# same way, to target/lambda/lightsail-key-audit/bootstrap.zip, and checks what it holds.
# This is the project's one release build: scripts/artifact.sh runs this very bootstrap.
# Prints `package: N passed, M failed` last; exits non-zero if the build or any check fails.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tools="$(venv_bin)"
sam_tools="$(venv_bin .venv-sam requirements-sam.txt)"
# sam finds cargo-lambda on PATH; sam's own venv comes after, as sam calls its own Python.
PATH="$tools:$PATH:$sam_tools"
offline_aws
"$sam_tools/sam" build --template template.yaml

built="$root/.aws-sam/build/AuditFunction"
bootstrap="$built/bootstrap"
zip="${CARGO_TARGET_DIR:-$root/target}/lambda/lightsail-key-audit/bootstrap.zip"
mkdir -p "$(dirname "$zip")"

# ELF header bytes, in hex: magic, class (02: 64-bit), ..., e_machine at 18-19 (b7 00: arm64).
elf=()
read -r -a elf <<<"$(od -An -v -tx1 -N20 "$bootstrap" 2>/dev/null | tr '\n' ' ')" || true
# As `sam deploy` zips a function folder: its files at the root, their modes kept.
zip_bootstrap() {
  python3 - "$bootstrap" "$zip" <<'PY'
import sys, zipfile
bootstrap, path = sys.argv[1:]
with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
    z.write(bootstrap, "bootstrap")
with zipfile.ZipFile(path) as z:
    info = z.getinfo("bootstrap")
    same = z.read("bootstrap") == open(bootstrap, "rb").read()
sys.exit(0 if same and (info.external_attr >> 16) & 0o111 else 1)
PY
}

tally_start package
files="$(find "$built" -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort | xargs || true)"
if [[ "$files" == bootstrap ]]; then
  tally_ok "sam build's output is just bootstrap"
else
  tally_fail "sam build's output is just bootstrap" "$built holds ${files:-nothing}"
fi
if [[ "${elf[*]:0:5}" == "7f 45 4c 46 02" && "${elf[*]:18:2}" == "b7 00" ]]; then
  tally_ok "bootstrap is a 64-bit arm64 ELF executable"
else
  tally_fail "bootstrap is a 64-bit arm64 ELF executable" \
    "ELF class ${elf[4]:-none}, machine ${elf[19]:-}${elf[18]:-none} (hex; arm64 is 00b7)"
fi
if [[ -f "$bootstrap" && -x "$bootstrap" ]]; then
  tally_ok "bootstrap is executable"
else
  tally_fail "bootstrap is executable" "mode $(stat -c %a "$bootstrap" 2>/dev/null || echo missing)"
fi
step "the zip holds that bootstrap, executable" zip_bootstrap
if [[ -f "$zip" && -f "$bootstrap" ]]; then
  echo "package: $zip: $(stat -c %s "$zip") bytes zipped, $(stat -c %s "$bootstrap") bytes unzipped"
fi
tally_end
