# Sourced by the scripts that run the function locally: starts lightsail-local and
# `cargo lambda watch`, and stops both on exit, Ctrl-C or failure.
# Needs: $root (the project root). Sets: $run_dir, $LOCAL_URL, $WATCH_PORT.

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

# start_local FIXTURE: runs the stand-in on an ephemeral port, sets LOCAL_URL.
start_local() {
  local fixture="$1" line=""
  cargo build --quiet -p lightsail-local
  setsid "$root/target/debug/lightsail-local" --fixture "$fixture" --port 0 >"$run_dir/local.log" 2>&1 &
  pids+=("$!")
  for _ in $(seq 1 100); do
    line="$(head -n 1 "$run_dir/local.log")"
    if [[ "$line" == *"listening on "* ]]; then
      LOCAL_URL="$(sed -E 's/.*listening on (http:[^ ]+).*/\1/' <<<"$line")"
      echo "$line" >&2
      return 0
    fi
    kill -0 "${pids[-1]}" 2>/dev/null || fail "lightsail-local did not start: $(cat "$run_dir/local.log")"
    sleep 0.1
  done
  fail "lightsail-local did not print its address within 10 s: $(cat "$run_dir/local.log")"
}

# start_watch: runs the function under `cargo lambda watch` against LOCAL_URL, sets WATCH_PORT.
start_watch() {
  WATCH_PORT="$(free_port)"
  # Build first, so the watcher's own build is a no-op and the first invoke is quick.
  cargo build --quiet --bin lightsail-key-audit
  # Dummy credentials: the stand-in reads the signature's scope, never checks the key.
  # An env file, since --env-var splits values at commas.
  cat >"$run_dir/function.env" <<ENV
AWS_REGION=us-east-1
AWS_ACCESS_KEY_ID=AKIDLOCALDEMO0000001
AWS_SECRET_ACCESS_KEY=local-demo-secret-not-real
AWS_EC2_METADATA_DISABLED=true
AWS_ENDPOINT_URL_LIGHTSAIL=$LOCAL_URL
AWS_ENDPOINT_URL_STS=$LOCAL_URL
AWS_LAMBDA_LOG_LEVEL=INFO
ENV
  setsid cargo lambda watch --ignore-changes --quiet -A 127.0.0.1 -P "$WATCH_PORT" \
    --env-file "$run_dir/function.env" \
    >"$run_dir/watch.log" 2>&1 &
  pids+=("$!")
  for _ in $(seq 1 600); do
    if python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $WATCH_PORT), 0.2)" 2>/dev/null; then
      return 0
    fi
    kill -0 "${pids[-1]}" 2>/dev/null || fail "cargo lambda watch stopped: $(tail -n 20 "$run_dir/watch.log")"
    sleep 0.1
  done
  fail "cargo lambda watch did not listen on port $WATCH_PORT within 60 s: $(tail -n 20 "$run_dir/watch.log")"
}

# invoke EVENT_FILE: prints the function's answer; returns cargo lambda's status.
invoke() {
  cargo lambda invoke lightsail-key-audit -A 127.0.0.1 -P "$WATCH_PORT" --data-file "$1" --output-format json
}
