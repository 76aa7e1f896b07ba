#!/usr/bin/env bash
# Builds the deployment package: the function for Lambda's arm64 (Graviton) runtime,
# provided.al2023, as target/lambda/lightsail-key-audit/bootstrap.zip, with cargo-lambda
# from PyPI (it cross-compiles through zig). Checks the result is an arm64 ELF `bootstrap`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
PATH="$("$root/scripts/tools.sh"):$PATH"
cargo lambda build --release --arm64 --bin lightsail-key-audit --output-format zip
zip="${CARGO_TARGET_DIR:-$root/target}/lambda/lightsail-key-audit/bootstrap.zip"
python3 - "$zip" <<'PY'
import struct, sys, zipfile
path = sys.argv[1]
with zipfile.ZipFile(path) as z:
    names = z.namelist()
    if names != ["bootstrap"]:
        sys.exit(f"package: {path} holds {names}, not just bootstrap")
    info = z.getinfo("bootstrap")
    head = z.read("bootstrap")[:20]
    mode = info.external_attr >> 16
if head[:4] != b"\x7fELF" or head[4] != 2:
    sys.exit("package: bootstrap is not a 64-bit ELF executable")
machine = struct.unpack("<H", head[18:20])[0]
if machine != 183:
    sys.exit(f"package: bootstrap is built for ELF machine {machine}, not arm64 (183)")
if not mode & 0o111:
    sys.exit("package: bootstrap is not executable in the zip")
import os
print(f"package: {path}: arm64 bootstrap, {os.path.getsize(path)} bytes zipped, "
      f"{info.file_size} bytes unzipped")
print("package: 1 passed, 0 failed")
PY
