#!/usr/bin/env bash
# Conformance of lightsail-local with a real client: the AWS CLI (botocore's Lightsail, STS and
# Organizations models) must accept its answers. Keeps the stand-in from drifting from the real
# protocols. Servers: fixtures/demo.json (no organization), fixtures/organization.json, one with
# throttling faults, and fixtures/remediation.json for deletions (its own server, so no
# deletion changes what the demo's checks see).
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
# A bucket's ways in (fixtures/demo.json): static-site public, backups shared read-only with
# 444455556666, web-1 given access to media-prod, new-uploads not logged; the rest the defaults.
# by_name: the condition runs on b, the buckets by name.
by_name() { echo "(lambda b: $1)({x['name']: x for x in j['buckets']})"; }
private="{'getObject': 'private', 'allowPublicOverrides': False}"
public="{'getObject': 'public', 'allowPublicOverrides': False}"
web_1="[{'name': 'web-1', 'resourceType': 'Instance'}]"
expect "get-buckets serves each bucket's ways in" \
  "$(by_name "b['static-site']['accessRules'] == $public and b['backups']['accessRules'] == $private \
   and b['backups']['readonlyAccessAccounts'] == ['444455556666'] \
   and b['static-site']['readonlyAccessAccounts'] == [] \
   and b['new-uploads']['accessLogConfig'] == {'enabled': False} \
   and b['media-prod']['accessLogConfig'] == {'enabled': True, 'destination': 'access-logs', 'prefix': 'media-prod/'} \
   and not any('resourcesReceivingAccess' in x for x in b.values())")" \
  lightsail get-buckets
expect "get-buckets --include-connected-resources serves resourcesReceivingAccess" \
  "$(by_name "b['media-prod']['resourcesReceivingAccess'] == $web_1 \
   and b['backups']['resourcesReceivingAccess'] == [] \
   and b['static-site']['accessRules'] == $public and b['backups']['readonlyAccessAccounts'] == ['444455556666']")" \
  lightsail get-buckets --include-connected-resources
expect "get-buckets by name: the public bucket" \
  "$(by_name "list(b) == ['static-site'] and b['static-site']['accessRules'] == $public \
   and b['static-site']['readonlyAccessAccounts'] == [] and b['static-site']['accessLogConfig']['enabled'] \
   and 'resourcesReceivingAccess' not in b['static-site']")" \
  lightsail get-buckets --bucket-name static-site
expect "get-buckets by name: the shared bucket" \
  "$(by_name "list(b) == ['backups'] and b['backups']['readonlyAccessAccounts'] == ['444455556666'] \
   and b['backups']['accessRules'] == $private and b['backups']['accessLogConfig']['enabled'] \
   and 'resourcesReceivingAccess' not in b['backups']")" \
  lightsail get-buckets --bucket-name backups
expect "get-buckets by name --include-connected-resources" \
  "$(by_name "list(b) == ['media-prod'] and b['media-prod']['resourcesReceivingAccess'] == $web_1 \
   and b['media-prod']['accessRules'] == $private and b['media-prod']['readonlyAccessAccounts'] == []")" \
  lightsail get-buckets --bucket-name media-prod --include-connected-resources
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

# Organizations and STS. fixtures/organization.json: management account 123456789012 (the key
# every other call here signs with), delegated administrator 222222222222, member 333333333333,
# 25 accounts in all (5 listed, 20 generated): 21 ACTIVE, 3 SUSPENDED, 1 PENDING_CLOSURE.
demo_url="$LOCAL_URL"
start_local "$root/fixtures/organization.json"
org_url="$LOCAL_URL"
organizations() { aws organizations --endpoint-url "$org_url" --output json "$@"; }
sts() { aws sts --endpoint-url "$org_url" --output json "$@"; }
# as KEY COMMAND...: COMMAND signed with access key id KEY.
as() { AWS_ACCESS_KEY_ID="$1" "${@:2}"; }
delegated=AKIDDELEGATED0000001
member=AKIDMEMBER0000000001
all_accounts="len(j['Accounts']) == 25 and len({a['Id'] for a in j['Accounts']}) == 25 and 'NextToken' not in j"

expect "list-accounts pages through every account (20 a page)" \
  "$all_accounts \
   and [a['Status'] for a in j['Accounts']].count('ACTIVE') == 21 \
   and [a['Status'] for a in j['Accounts']].count('SUSPENDED') == 3 \
   and [a['Status'] for a in j['Accounts']].count('PENDING_CLOSURE') == 1 \
   and all(a['State'] == a['Status'] for a in j['Accounts']) \
   and all(a['Arn'] == 'arn:aws:organizations::123456789012:account/o-exampleorgid/' + a['Id'] for a in j['Accounts']) \
   and all(a['JoinedTimestamp'].startswith('20') and '@' in a['Email'] for a in j['Accounts']) \
   and j['Accounts'][0]['Id'] == '123456789012' and j['Accounts'][24]['Status'] == 'SUSPENDED'" \
  organizations list-accounts
expect "list-accounts --page-size 6 (five calls)" "$all_accounts" \
  organizations list-accounts --page-size 6
expect "list-accounts --max-items 7 stops with a resume token" \
  "len(j['Accounts']) == 7 and j['NextToken']" \
  organizations list-accounts --max-items 7 --page-size 5
resume="$(organizations list-accounts --max-items 7 --page-size 5 2>/dev/null |
  python3 -c 'import json, sys; print(json.load(sys.stdin).get("NextToken", ""))' 2>/dev/null || true)"
expect "list-accounts --starting-token resumes where it stopped" \
  "len(j['Accounts']) == 18 and j['Accounts'][0]['Id'] == '100000000002'" \
  organizations list-accounts --page-size 5 --starting-token "$resume"
expect "list-accounts one page: MaxResults and NextToken" \
  "len(j['Accounts']) == 5 and j['NextToken']" \
  organizations list-accounts --no-paginate --max-results 5
expect "a delegated administrator may list" "$all_accounts" \
  as "$delegated" organizations list-accounts
refused "a member may not list: AccessDeniedException" "AccessDeniedException" \
  "You don't have permissions" -- as "$member" organizations list-accounts
refused "outside an organization: AWSOrganizationsNotInUseException" \
  "AWSOrganizationsNotInUseException" "not a member of an organization" -- \
  aws organizations --endpoint-url "$demo_url" list-accounts
refused "a garbled NextToken is InvalidInputException" "InvalidInputException" "nextToken" -- \
  organizations list-accounts --no-paginate --next-token garbled
refused "MaxResults 21 is InvalidInputException" "InvalidInputException" "MaxResults" -- \
  organizations list-accounts --no-paginate --max-results 21
expect "get-caller-identity: the default key is the management account" \
  "j == {'Account': '123456789012', 'Arn': 'arn:aws:iam::123456789012:user/local', 'UserId': 'AIDALOCAL123456789012'}" \
  sts get-caller-identity
expect "get-caller-identity: a listed key is its account" \
  "j['Account'] == '333333333333' and j['Arn'] == 'arn:aws:iam::333333333333:user/local'" \
  as "$member" sts get-caller-identity
member_role=arn:aws:iam::100000000000:role/LightsailKeyAuditMember
expect "assume-role into a generated member" \
  "j['Credentials']['AccessKeyId'] == 'ASIA100000000000LCAL' \
   and j['AssumedRoleUser']['Arn'] == 'arn:aws:sts::100000000000:assumed-role/LightsailKeyAuditMember/conformance'" \
  sts assume-role --role-arn "$member_role" --role-session-name conformance --external-id org-external-id
# as_session COMMAND...: COMMAND signed with the session just issued.
as_session() {
  AWS_ACCESS_KEY_ID=ASIA100000000000LCAL AWS_SECRET_ACCESS_KEY=lightsail-local/assumed/secret/100000000000 \
    AWS_SESSION_TOKEN=lightsail-local-assumed-session-token-100000000000 "$@"
}
expect "get-caller-identity: an issued session is its assumed role" \
  "j['Account'] == '100000000000' \
   and j['Arn'] == 'arn:aws:sts::100000000000:assumed-role/LightsailKeyAuditMember/conformance' \
   and j['UserId'] == 'AROALOCAL100000000000:conformance'" \
  as_session sts get-caller-identity
expect "the session sees the member's generated bucket" \
  "[b['name'] for b in j['buckets']] == ['acct-100000000000-b0'] \
   and j['buckets'][0]['arn'].startswith('arn:aws:lightsail:eu-west-2:100000000000:Bucket/')" \
  as_session aws lightsail --endpoint-url "$org_url" --output json get-buckets --region eu-west-2
refused "assume-role without the external id is AccessDenied" "AccessDenied" -- \
  sts assume-role --role-arn "$member_role" --role-session-name conformance

# Throttling faults: botocore must read each service's code as throttling and retry it.
cat >"$run_dir/throttled.json" <<'JSON'
{"organization": {"accounts": [{"id": "123456789012", "name": "management"}]},
 "faults": [{"kind": "throttle", "times": 2, "operations": ["ListAccounts"]},
            {"kind": "throttle", "times": 2, "operations": ["GetCallerIdentity"]}]}
JSON
start_local "$run_dir/throttled.json"
expect "TooManyRequestsException is retried" "[a['Id'] for a in j['Accounts']] == ['123456789012']" \
  aws organizations --endpoint-url "$LOCAL_URL" --output json list-accounts
expect "STS Throttling is retried" "j['Account'] == '123456789012'" \
  aws sts --endpoint-url "$LOCAL_URL" --output json get-caller-identity

# Deletions, against fixtures/remediation.json: media-prod holds an Inactive key (...0OLD) and
# an Active one (...0NEW); reports' AKIAREPORTSUSEDLATER is never used until one read of its
# bucket has been served (lastUsedAfterReads), then used.
start_local "$root/fixtures/remediation.json"
remediation_url="$LOCAL_URL"
remediation() { aws lightsail --endpoint-url "$remediation_url" --output json "$@"; }
old_key=AKIAMEDIAPROD0000OLD
expect "delete-bucket-access-key answers Lightsail's Operation" \
  "len(j['operations']) == 1 and (lambda o: o['status'] == 'Succeeded' and o['isTerminal'] is True \
   and o['operationType'] == 'DeleteBucketAccessKey' and o['operationDetails'] == '$old_key' \
   and o['resourceType'] == 'Bucket' and o['resourceName'] == 'media-prod' \
   and o['location'] == {'availabilityZone': 'all', 'regionName': 'us-east-1'} \
   and o['createdAt'].startswith('20') and o['statusChangedAt'].endswith('+00:00') \
   and len(o['id']) == 36)(j['operations'][0])" \
  remediation delete-bucket-access-key --bucket-name media-prod --access-key-id "$old_key"
expect "get-bucket-access-keys no longer lists the deleted key" \
  "[k['accessKeyId'] for k in j['accessKeys']] == ['AKIAMEDIAPROD0000NEW']" \
  remediation get-bucket-access-keys --bucket-name media-prod
refused "deleting it again is NotFoundException" "NotFoundException" "$old_key" -- \
  remediation delete-bucket-access-key --bucket-name media-prod --access-key-id "$old_key"
refused "deleting an unknown key is NotFoundException" "NotFoundException" "AKIANOSUCHKEY0000001" -- \
  remediation delete-bucket-access-key --bucket-name backups --access-key-id AKIANOSUCHKEY0000001
refused "deleting from an unknown bucket is NotFoundException" "NotFoundException" "ghost" -- \
  remediation delete-bucket-access-key --bucket-name ghost --access-key-id "$old_key"
refused "a blank access key id is InvalidInputException" "InvalidInputException" "accessKeyId" -- \
  remediation delete-bucket-access-key --bucket-name backups --access-key-id " "
expect "the other buckets keep their keys" \
  "[k['accessKeyId'] for k in j['accessKeys']] == ['AKIABACKUPS000000001']" \
  remediation get-bucket-access-keys --bucket-name backups
expect "lastUsedAfterReads: the first read serves the key as never used" \
  "j['accessKeys'][0]['accessKeyId'] == 'AKIAREPORTSUSEDLATER' \
   and j['accessKeys'][0]['lastUsed'] == {'region': 'N/A', 'serviceName': 'N/A'}" \
  remediation get-bucket-access-keys --bucket-name reports
expect "lastUsedAfterReads: the second read serves it as used" \
  "j['accessKeys'][0]['lastUsed']['lastUsedDate'].startswith('20') \
   and j['accessKeys'][0]['lastUsed']['serviceName'] == 's3'" \
  remediation get-bucket-access-keys --bucket-name reports
tally_end
