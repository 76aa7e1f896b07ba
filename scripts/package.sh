#!/usr/bin/env bash
# Builds the deployment package the way users build it: `sam build` (template.yaml's
# AuditFunction, BuildMethod rust-cargolambda), which runs cargo-lambda from PyPI (it
# cross-compiles through zig) and leaves the arm64 `bootstrap` for provided.al2023 in
# .aws-sam/build/AuditFunction/, the folder `sam deploy` zips and uploads. Zips that folder the
# same way, to target/lambda/lightsail-key-audit/bootstrap.zip, and checks what it holds.
# This is the project's one release build: scripts/artifact.sh runs this very bootstrap.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
tools="$("$root/scripts/tools.sh")"
sam_tools="$("$root/scripts/tools.sh" .venv-sam requirements-sam.txt)"
# sam finds cargo-lambda on PATH; sam's own venv comes after, as sam calls its own Python.
PATH="$tools:$PATH:$sam_tools"
export SAM_CLI_TELEMETRY=0 AWS_EC2_METADATA_DISABLED=true
"$sam_tools/sam" build --template template.yaml

built="$root/.aws-sam/build/AuditFunction"
zip="${CARGO_TARGET_DIR:-$root/target}/lambda/lightsail-key-audit/bootstrap.zip"
mkdir -p "$(dirname "$zip")"
python3 - "$built" "$zip" <<'PY'
import os, stat, struct, sys, zipfile
built, path = sys.argv[1:]
passed = failed = 0

def check(name, ok, why):
    global passed, failed
    if ok:
        passed += 1
        print(f"package: {name} ok")
    else:
        failed += 1
        print(f"package: {name} FAILED: {why}", file=sys.stderr)

files = sorted(os.listdir(built))
check("sam build's output is just bootstrap", files == ["bootstrap"], f"{built} holds {files}")
bootstrap = os.path.join(built, "bootstrap")
with open(bootstrap, "rb") as f:
    head = f.read(20)
machine = struct.unpack("<H", head[18:20])[0] if len(head) == 20 else None
check("bootstrap is a 64-bit arm64 ELF executable",
      head[:4] == b"\x7fELF" and head[4:5] == b"\x02" and machine == 183,
      f"ELF class {head[4:5]!r}, machine {machine} (arm64 is 183)")
mode = stat.S_IMODE(os.stat(bootstrap).st_mode)
check("bootstrap is executable", mode & 0o111, f"mode {oct(mode)}")
# As `sam deploy` zips a function folder: its files at the root, their modes kept.
with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
    z.write(bootstrap, "bootstrap")
with zipfile.ZipFile(path) as z:
    info = z.getinfo("bootstrap")
    same = z.read("bootstrap") == open(bootstrap, "rb").read()
check("the zip holds that bootstrap, executable", same and (info.external_attr >> 16) & 0o111,
      "the zipped bootstrap differs or lost its mode")
print(f"package: {path}: {os.path.getsize(path)} bytes zipped, {info.file_size} bytes unzipped")
print(f"package: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
