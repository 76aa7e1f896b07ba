#!/usr/bin/env bash
# Conformance of lightsail-local with a real client: the AWS CLI (botocore's Lightsail model)
# must accept its answers. Keeps the stand-in from drifting from the real protocol.
set -euo pipefail
shopt -s lastpipe  # so `... | expect` counts in this shell
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
PATH="$("$root/scripts/tools.sh"):$PATH"
source "$root/scripts/stack.sh"

start_local "$root/fixtures/demo.json"
export AWS_ACCESS_KEY_ID=AKIDCONFORMANCE00001 AWS_SECRET_ACCESS_KEY=conformance-secret-not-real
# iso8601 makes the CLI parse every timestamp (by default it echoes the raw epoch number).
printf '[default]\ncli_timestamp_format = iso8601\n' >"$run_dir/aws-config"
export AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE="$run_dir/aws-config"
export AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_PAGER=""
lightsail() { aws lightsail --endpoint-url "$LOCAL_URL" --output json "$@"; }

passed=0
failed=0
expect() { # expect NAME PYTHON-CONDITION-ON-j <<< json
  local name="$1" condition="$2" input
  input="$(cat)"
  if python3 -c "import json,sys; j=json.loads(sys.stdin.read()); sys.exit(0 if ($condition) else 1)" <<<"$input"; then
    passed=$((passed + 1)); echo "conformance: $name ok"
  else
    failed=$((failed + 1)); echo "conformance: $name FAILED: $input" >&2
  fi
}

lightsail get-buckets | expect "get-buckets lists the region's buckets" \
  "[b['name'] for b in j['buckets']] == ['media-prod','backups','logs-archive','static-site','new-uploads'] \
   and j['buckets'][0]['location']['regionName'] == 'us-east-1' and 'nextPageToken' not in j"
lightsail get-buckets --region eu-west-2 | expect "get-buckets routes by the signed region" \
  "[b['name'] for b in j['buckets']] == ['eu-reports']"
lightsail get-buckets --bucket-name backups | expect "get-buckets by name" \
  "len(j['buckets']) == 1 and j['buckets'][0]['arn'].startswith('arn:aws:lightsail:us-east-1:123456789012:Bucket/')"
lightsail get-bucket-access-keys --bucket-name media-prod | expect "get-bucket-access-keys parses timestamps" \
  "[k['accessKeyId'] for k in j['accessKeys']] == ['AKIAMEDIAPROD0000OLD','AKIAMEDIAPROD0000NEW'] \
   and all(k['createdAt'].startswith('20') and k['createdAt'].endswith('+00:00') for k in j['accessKeys']) \
   and j['accessKeys'][0]['lastUsed']['lastUsedDate'].startswith('20')"
lightsail get-bucket-access-keys --bucket-name backups | expect "a never-used key as the real API sends it" \
  "j['accessKeys'][0]['lastUsed'] == {'region': 'N/A', 'serviceName': 'N/A'}"
lightsail get-regions | expect "get-regions" "'us-east-1' in [r['name'] for r in j['regions']]"

status=0
out="$(lightsail get-bucket-access-keys --bucket-name ghost 2>&1)" || status=$?
if [[ $status -ne 0 && "$out" == *"NotFoundException"* && "$out" == *"ghost does not exist"* ]]; then
  passed=$((passed + 1)); echo "conformance: an error is read as NotFoundException ok"
else
  failed=$((failed + 1)); echo "conformance: error case FAILED (status $status): $out" >&2
fi
status=0
out="$(lightsail get-buckets --no-sign-request 2>&1)" || status=$?
if [[ $status -ne 0 && "$out" == *"(403)"* && "$out" == *"Missing Authentication Token"* ]]; then
  passed=$((passed + 1)); echo "conformance: an unsigned request is refused ok"
else
  failed=$((failed + 1)); echo "conformance: unsigned case FAILED (status $status): $out" >&2
fi

echo "conformance: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
