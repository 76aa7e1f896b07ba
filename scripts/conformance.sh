#!/usr/bin/env bash
# Conformance of lightsail-local with a real client: the AWS CLI (botocore's Lightsail model)
# must accept its answers. Keeps the stand-in from drifting from the real protocol.
# Prints `conformance: N passed, M failed` last; exits non-zero if any check fails.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
PATH="$(venv_bin):$PATH"

start_local "$root/fixtures/demo.json"
offline_aws
# iso8601 makes the CLI parse every timestamp (by default it echoes the raw epoch number).
printf '[default]\ncli_timestamp_format = iso8601\n' >"$AWS_CONFIG_FILE"
lightsail() { aws lightsail --endpoint-url "$LOCAL_URL" --output json "$@"; }

# expect NAME PYTHON-CONDITION-ON-j COMMAND...: the command succeeds and prints JSON j that
# meets the condition.
expect() {
  local name="$1" condition="$2" out status=0
  shift 2
  out="$("$@" 2>"$run_dir/expect.err")" || status=$?
  if [[ $status -eq 0 ]] && python3 -c "import json,sys; j=json.loads(sys.stdin.read()); sys.exit(0 if ($condition) else 1)" <<<"$out"; then
    tally_ok "$name"
  else
    tally_fail "$name" "(status $status) $out$(cat "$run_dir/expect.err")"
  fi
}

# refused NAME TEXT... -- COMMAND...: the command fails, and its output holds every TEXT.
refused() {
  local name="$1" texts=() text out status=0
  shift
  while [[ "$1" != -- ]]; do
    texts+=("$1")
    shift
  done
  shift
  out="$("$@" 2>&1)" || status=$?
  for text in "${texts[@]}"; do
    if [[ $status -eq 0 || "$out" != *"$text"* ]]; then
      tally_fail "$name" "(status $status) $out"
      return
    fi
  done
  tally_ok "$name"
}

tally_start conformance
expect "get-buckets lists the region's buckets" \
  "[b['name'] for b in j['buckets']] == ['media-prod','backups','logs-archive','static-site','new-uploads'] \
   and j['buckets'][0]['location']['regionName'] == 'us-east-1' and 'nextPageToken' not in j" \
  lightsail get-buckets
expect "get-buckets routes by the signed region" \
  "[b['name'] for b in j['buckets']] == ['eu-reports']" \
  lightsail get-buckets --region eu-west-2
expect "get-buckets by name" \
  "len(j['buckets']) == 1 and j['buckets'][0]['arn'].startswith('arn:aws:lightsail:us-east-1:123456789012:Bucket/')" \
  lightsail get-buckets --bucket-name backups
expect "get-bucket-access-keys parses timestamps" \
  "[k['accessKeyId'] for k in j['accessKeys']] == ['AKIAMEDIAPROD0000OLD','AKIAMEDIAPROD0000NEW'] \
   and all(k['createdAt'].startswith('20') and k['createdAt'].endswith('+00:00') for k in j['accessKeys']) \
   and j['accessKeys'][0]['lastUsed']['lastUsedDate'].startswith('20')" \
  lightsail get-bucket-access-keys --bucket-name media-prod
expect "a never-used key as the real API sends it" \
  "j['accessKeys'][0]['lastUsed'] == {'region': 'N/A', 'serviceName': 'N/A'}" \
  lightsail get-bucket-access-keys --bucket-name backups
expect "get-regions" "'us-east-1' in [r['name'] for r in j['regions']]" \
  lightsail get-regions
refused "an error is read as NotFoundException" "NotFoundException" "ghost does not exist" -- \
  lightsail get-bucket-access-keys --bucket-name ghost
refused "an unsigned request is refused" "(403)" "Missing Authentication Token" -- \
  lightsail get-buckets --no-sign-request
tally_end
