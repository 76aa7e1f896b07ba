#!/usr/bin/env bash
# Checks, before make test writes anything, that the disk can hold what it will write, and
# names each place short of space: a full disk otherwise fails a step minutes in, with an error
# about the step (pip, cargo) rather than the disk.
#   disk.sh           exits 1 when a file system lacks the space make test writes to it
#   disk.sh --report  prints the same lines and never fails (tools.sh, after pip met a full disk)
#
# What a clean `make test` wrote, measured on 2026-12-04 from a fresh clone and empty caches
# (docs/testing.md): 5.5 GiB at its peak, in these places, in MiB.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
report_only=false
[[ "${1:-}" == "--report" ]] && report_only=true

places=(
  # target/ (the debug build, clippy's, sam build's arm64 release build: 2.9 GiB) and the
  # four virtualenvs (1.6 GiB)
  "$root" 4700 "the checkout (target/, .venv*)"
  # crates.io's sources and index for both crates
  "${CARGO_HOME:-${HOME:-/root}/.cargo}" 400 "cargo's home (CARGO_HOME)"
  # zig's cache (cargo-lambda) and npm's (remark-validate-links)
  "${XDG_CACHE_HOME:-${HOME:-/root}/.cache}" 150 "the cache (XDG_CACHE_HOME)"
  # pip's unpacking, sam build's scratch, the tests' servers' files: gone at the end
  "${TMPDIR:-/tmp}" 550 "the temporary directory (TMPDIR)"
)

# A place that does not exist yet is made on the file system of its nearest existing parent.
existing() {
  local path="$1"
  while [[ ! -e "$path" ]]; do path="$(dirname "$path")"; done
  echo "$path"
}

declare -A needed_mib=() names=()
for ((i = 0; i < ${#places[@]}; i += 3)); do
  mount="$(df -P "$(existing "${places[i]}")" | awk 'NR == 2 { print $6 }')"
  needed_mib[$mount]=$((${needed_mib[$mount]:-0} + places[i + 1]))
  names[$mount]="${names[$mount]:+${names[$mount]}, }${places[i + 2]} ${places[i]}"
done

short=0
for mount in "${!needed_mib[@]}"; do
  free_mib=$(($(df -Pk "$mount" | awk 'NR == 2 { print $4 }') / 1024))
  if ((free_mib < needed_mib[$mount])); then
    short=1
    echo "disk.sh: $mount has $free_mib MiB free, and make test writes ${needed_mib[$mount]} MiB" \
      "there: ${names[$mount]}. Free $((needed_mib[$mount] - free_mib)) MiB or more there" \
      "(CARGO_HOME, XDG_CACHE_HOME and TMPDIR may point to another disk), and run again" >&2
  else
    echo "disk.sh: $mount: $free_mib MiB free, ${needed_mib[$mount]} MiB needed"
  fi
done
if [[ $short -eq 1 && $report_only == false ]]; then
  exit 1
fi
