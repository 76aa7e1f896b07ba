# shellcheck shell=bash
# The shell library of the scripts in scripts/, sourced after `set -euo pipefail`:
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# On sourcing it sets $root (the project root) and changes to it, makes $run_dir (a scratch
# folder) and traps exit, Ctrl-C and TERM to stop every process it started and remove $run_dir.
#
#   fail MESSAGE                  prints `error: MESSAGE` and exits 1
#   free_port                     prints a free TCP port on 127.0.0.1
#   venv_bin [VENV REQUIREMENTS]  prints a venv's bin directory (scripts/tools.sh installs it)
#   offline_aws                   exports the offline AWS environment: dummy credentials, a
#                                 region, no config or credentials files, no metadata service,
#                                 no pager, no telemetry
#   spawn LOG COMMAND...          runs COMMAND in its own process group, output to LOG
#   wait_ready NAME SECONDS LOG CHECK...
#                                 waits until CHECK succeeds while the last spawned one runs
#   start_local FIXTURE           lightsail-local on an ephemeral port; sets $LOCAL_URL
#   start_moto                    moto_server (S3, SNS, SQS; .venv-moto) on an ephemeral port
#                                 of 127.0.0.1; sets $MOTO_URL
#   start_watch [NAME=VALUE...]   the function's debug build (`cargo build`, or the command
#                                 in the array build_function) under cargo lambda's Runtime
#                                 API, its environment the offline one plus NAME=VALUE...;
#                                 sets $WATCH_PORT; its log is function.log
#   invoke EVENT_FILE             invokes it; prints its answer, returns cargo lambda's status
#
# The pass/fail tally of the shell-only checks (conformance.sh; the Python checks are pytest
# tests, tests/py/), one line a check and a last `PREFIX: N passed, M failed`:
#   tally_start PREFIX            names the lines' prefix, zeroes the counts
#   tally_ok NAME                 counts a pass: `PREFIX: NAME ok`
#   tally_fail NAME [WHY]         counts a failure: `PREFIX: NAME FAILED[: WHY]` (stderr)
#   step [--show] NAME COMMAND... runs COMMAND and counts it; its output is shown only when it
#                                 fails, or as it runs with --show (commands printing their own
#                                 check lines)
#   tally_end                     prints the last line; returns 1 if anything failed
# $tally_passed and $tally_failed hold the counts.

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root" || exit
run_dir="$(mktemp -d "${TMPDIR:-/tmp}/lightsail-key-audit.XXXXXX")"
pids=()

stop_all() {
  local pid
  for pid in "${pids[@]}"; do
    # Each was started in its own process group: stop the group (cargo, its children).
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  pids=()
  rm -rf "$run_dir"
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() {
  echo "error: $*" >&2
  exit 1
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# shellcheck disable=SC2120 # its arguments are optional
venv_bin() {
  "$root/scripts/tools.sh" "$@"
}

# The stand-ins read a signature's scope and never check its key: one dummy identity serves the
# AWS CLI, SAM, moto and the function under `cargo lambda watch`.
offline_region=us-east-1
offline_key_id=AKIDOFFLINE000000001
offline_secret=offline-secret-not-real

offline_aws() {
  unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN
  export AWS_ACCESS_KEY_ID="$offline_key_id" AWS_SECRET_ACCESS_KEY="$offline_secret"
  export AWS_DEFAULT_REGION="$offline_region" AWS_EC2_METADATA_DISABLED=true
  # An empty config of its own (a script may add to it), none of the user's.
  : >"$run_dir/aws-config"
  export AWS_CONFIG_FILE="$run_dir/aws-config" AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_PAGER=""
  export SAM_CLI_TELEMETRY=0
}

spawn() {
  local log="$1"
  shift
  : >"$log" # before the command starts, for wait_ready's checks to read
  setsid "$@" >"$log" 2>&1 &
  pids+=("$!")
}

wait_ready() {
  local name="$1" seconds="$2" log="$3" _
  shift 3
  for _ in $(seq 1 $((seconds * 10))); do
    "$@" && return 0
    kill -0 "${pids[-1]}" 2>/dev/null || fail "$name stopped before it was ready: $(tail -n 20 "$log")"
    sleep 0.1
  done
  fail "$name was not ready within $seconds s: $(tail -n 20 "$log")"
}

local_listening() { # its first line names its address
  local line
  line="$(head -n 1 "$run_dir/local.log")"
  [[ "$line" == *"listening on "* ]] || return 1
  LOCAL_URL="$(sed -E 's/.*listening on (http:[^ ]+).*/\1/' <<<"$line")"
  echo "$line" >&2
}

port_open() {
  (: <"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

start_local() {
  cargo build --quiet -p lightsail-local
  spawn "$run_dir/local.log" "$root/target/debug/lightsail-local" --fixture "$1" --port 0
  wait_ready lightsail-local 10 "$run_dir/local.log" local_listening
}

moto_listening() { # werkzeug logs ` * Running on http://127.0.0.1:PORT` once it listens
  local url
  url="$(grep -m 1 -o 'Running on http://127\.0\.0\.1:[0-9]*' "$run_dir/moto.log")" || return 1
  MOTO_URL="${url#Running on }"
  port_open "${MOTO_URL##*:}" || return 1
  echo "moto_server listening on $MOTO_URL" >&2
}

start_moto() {
  local bin
  bin="$(venv_bin .venv-moto requirements-moto.txt)"
  spawn "$run_dir/moto.log" "$bin/moto_server" -H 127.0.0.1 -p 0
  wait_ready moto_server 60 "$run_dir/moto.log" moto_listening
}

start_watch() {
  local setting
  WATCH_PORT="$(free_port)"
  # The function's debug build: `cargo build` by default; e2e.sh sets build_function to the
  # tests' build, so one debug build serves the tests and the end-to-end run (a plain build
  # would resolve the SDK's features without the tests' test-util and compile it again).
  declare -p build_function &>/dev/null || build_function=(cargo build --quiet --bin lightsail-key-audit)
  "${build_function[@]}" >/dev/null 2>"$run_dir/build.log" ||
    fail "the function did not build: $(tail -n 20 "$run_dir/build.log")"
  # cargo lambda's Runtime API and invoke endpoint, the function run by hand under it, as
  # Lambda runs it; its log apart from the emulator's.
  spawn "$run_dir/watch.log" cargo lambda watch --only-lambda-apis -A 127.0.0.1 -P "$WATCH_PORT"
  wait_ready "cargo lambda watch (port $WATCH_PORT)" 60 "$run_dir/watch.log" port_open "$WATCH_PORT"
  cat >"$run_dir/function.env" <<ENV
AWS_LAMBDA_RUNTIME_API=http://127.0.0.1:$WATCH_PORT/.rt
AWS_LAMBDA_FUNCTION_NAME=lightsail-key-audit
AWS_LAMBDA_FUNCTION_VERSION=1
AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128
AWS_REGION=$offline_region
AWS_ACCESS_KEY_ID=$offline_key_id
AWS_SECRET_ACCESS_KEY=$offline_secret
AWS_EC2_METADATA_DISABLED=true
AWS_ENDPOINT_URL_LIGHTSAIL=$LOCAL_URL
AWS_ENDPOINT_URL_STS=$LOCAL_URL
AWS_LAMBDA_LOG_LEVEL=INFO
ENV
  for setting in "$@"; do
    echo "$setting" >>"$run_dir/function.env"
  done
  # Only what Lambda would set: no shell variable of this run reaches the function.
  local -a environment
  mapfile -t environment <"$run_dir/function.env"
  spawn "$run_dir/function.log" env -i "PATH=$PATH" "${environment[@]}" "$root/target/debug/lightsail-key-audit"
}

invoke() { # `_`: the function cargo lambda's Runtime API serves when it does not start one itself
  cargo lambda invoke _ -A 127.0.0.1 -P "$WATCH_PORT" --data-file "$1" --output-format json
}

tally_start() {
  tally_prefix="$1"
  tally_passed=0
  tally_failed=0
}

tally_ok() {
  tally_passed=$((tally_passed + 1))
  echo "$tally_prefix: $1 ok"
}

tally_fail() {
  tally_failed=$((tally_failed + 1))
  echo "$tally_prefix: $1 FAILED${2:+: $2}" >&2
}

step() {
  local show=false
  if [[ "$1" == --show ]]; then
    show=true
    shift
  fi
  local name="$1"
  shift
  if $show; then
    if "$@"; then tally_ok "$name"; else tally_fail "$name"; fi
  elif "$@" >"$run_dir/step.out" 2>&1; then
    tally_ok "$name"
  else
    tally_fail "$name"
    cat "$run_dir/step.out" >&2
  fi
}

tally_end() {
  echo "$tally_prefix: $tally_passed passed, $tally_failed failed"
  [[ $tally_failed -eq 0 ]]
}
