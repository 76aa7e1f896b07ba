#!/usr/bin/env bash
# Installs the bench's Python peer's runtime (boto3, awslambdaric: requirements.txt here) into
# .venv-peer at the repo root, once per change of requirements.txt, and prints its bin directory.
# scripts/tools.sh does the work: the same lock, stamp and messages as the project's other venvs.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
exec "$root/scripts/tools.sh" .venv-peer ../bench/peer/requirements.txt
