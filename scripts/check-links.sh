#!/usr/bin/env bash
# Every relative link and #anchor of the documentation resolves: remark-validate-links, a
# maintained checker, pinned in tools/links/package-lock.json and installed from npm once per
# change of that lock. It reads files only (no URL is fetched), so it runs offline.
#   check-links.sh            the README, docs/, BENCHMARKS.md, lightsail-local/README.md
#   check-links.sh FILE...    those files only
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tool="$root/tools/links"
stamp="$tool/node_modules/.package-lock-installed"

if [[ ! -f "$stamp" ]] || ! cmp -s "$tool/package-lock.json" "$stamp"; then
  if ! command -v npm >/dev/null; then
    echo "check-links.sh: npm is needed for the link checker; install Node.js 18 or later" >&2
    exit 1
  fi
  echo "check-links.sh: installing remark-cli and remark-validate-links into $tool" >&2
  if ! npm ci --prefix "$tool" --no-audit --no-fund --loglevel=error >&2; then
    echo "check-links.sh: npm could not install the link checker; npm's registry must be" \
      "reachable (or set npm_config_registry)" >&2
    exit 1
  fi
  cp "$tool/package-lock.json" "$stamp"
fi

cd "$root"
if (($# == 0)); then
  set -- README.md docs/*.md BENCHMARKS.md lightsail-local/README.md
fi
# repository:false: links are checked as files in this checkout (no Git remote is needed);
# --frail: any warning, such as a missing file or heading, fails the run.
if ! "$tool/node_modules/.bin/remark" --no-config --no-ignore --no-stdout --quiet --frail \
  --no-color --use "$tool/node_modules/remark-validate-links/index.js=repository:false" "$@"; then
  echo "check-links.sh: broken relative links or anchors above" >&2
  exit 1
fi
echo "check-links.sh: every relative link and anchor resolves in $# files"
