"""The checks of a stack deployed into moto's CloudFormation, in-process and offline, through
scripts/moto_cfn.py, which makes moto 5.2.5 evaluate the stack as CloudFormation does:
test_stack_deploy.py deploys the expanded template once for the default parameters and once per
documented variant (the PARAMETER_SETS of parameter_sets.py marked `deploy`) and runs CHECKS and
MEMBER_CHECKS on each; test_stack_refusals.py runs NEGATIVES, REFUSED_SETS and TEMPLATE_CHECKS.

Each stack must reach CREATE_COMPLETE. Then what moto models is read back through boto3 (topic,
log group, function and its environment, roles and their inline policies, queues, keys, the
report bucket's versioning, public access block, ownership, encryption, lifecycle and policy,
stack resources, outputs), and the resolved properties of what it does not model (the
schedule's Input and dead-letter queue, the invoke config's destinations, the alarms'
dimensions and actions) are checked against the parameters, the docs (docs/deploy.md), and who may send where
(each destination and dead-letter queue is allowed by the sender's role; an encrypted topic's
and log group's key policy lets CloudWatch, Logs and the function use the key; the function
may read and write the archive only under ReportPrefix). Human channels show access key ids
only masked: no Lambda destination (the raw report, the raw request) is the stack's topic, and
with DeliveryTargetArn empty there is no OnSuccess at all. The lifecycle expires reports only,
never the current change-tracking state. The docs' Permissions text (docs/deploy.md,
"## Permissions") names every action and managed policy of the function's role. The checks read
the template: one runs for every parameter set: a resource that disappears fails its check.

Security Hub: the function's role may import and read its own account's findings
(securityhub:BatchImportFindings on its default product, GetFindings on its hub, any region)
exactly when SecurityHub is Enabled, SECURITY_HUB says "on" or "off" accordingly, and an alarm
watches SecurityHubFailures exactly then; member-role.yaml, deployed with SecurityHub Enabled
beside such a stack, grants its role the same for its own account. OCSF files expire with the
reports.

Remediation: the function's role may call lightsail:DeleteBucketAccessKey, on its own account's
buckets only, exactly when Remediation is "delete" (never with "off" or "plan"), and no other
Lightsail write action; member-role.yaml, deployed with the main stack's Remediation, grants its
role the same for its own account exactly then. REMEDIATION, REMEDIATE_CODES,
REMEDIATE_AFTER_DAYS and REMEDIATE_MAX_KEYS carry the parameters, and RemediationFailuresAlarm
fires on a day's sum of RemediationFailures of 1 or more.

Accounts: the function may assume MemberRoleName roles only within its organization (an
aws:ResourceOrgID condition) and exactly when AuditAccounts is set, may call Organizations
ListAccounts exactly in organization mode, and reaches every role that AuditAccounts names. Its
role lies under the IAM path the AuditFunctionRolePath output gives. Then member-role.yaml is
deployed beside it from the main stack's outputs (with MemberExternalId as its ExternalId when
set, and an older role ARN in one variant) and its trust policy is read back and evaluated: the
function's role, and a re-created one under the same path, may assume it, with the external id
when there is one; roles outside the path, of another stack or another account may not.

Negative cases on tiny templates prove the layer: a parameter violating AllowedPattern is
refused, a condition with an out-of-range Fn::Select fails with the error, a bad reference in an
unmodelled type fails the stack, AWS::NoValue leaves a role's Policies list, a bucket property
the layer does not apply fails the stack, a bucket policy for a missing bucket fails it. One
more runs on the template itself: ReportPrefix refuses values that would widen the function's
S3 grant; the accounts parameters, and member-role.yaml's, refuse wildcards and other shapes;
CreateStack refuses the REFUSED_SETS of parameter_sets.py (the template's Rules).

Each check returns its problems (an empty list is a pass) or raises Problem; each needs moto's
mock (mock_aws) active. Runs with the python of .venv-moto; member-role.yaml is read from the
project root.
"""
import io
import json
import logging
import os
import re
import time
import warnings
import zipfile
from fnmatch import fnmatchcase
from typing import NamedTuple

logging.getLogger("moto").setLevel(logging.CRITICAL)  # its "No Moto CloudFormation support" etc.
warnings.filterwarnings("ignore")

import boto3  # noqa: E402
import yaml  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

import moto_cfn  # noqa: E402  (patches moto on import)
import report as contract  # noqa: E402  (the metrics the function emits)
from cfn_eval import CfnError, Evaluator, check_parameter  # noqa: E402

REGION = "us-east-1"
# check_schedule_input.py checks names at the longest stack name; moto truncates the names it
# generates for a long one until two queues share a name.
STACK_NAME = "lightsail-key-audit"
CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]
DEPLOY_TIMEOUT_S = 10  # moto creates synchronously: anything still in progress by then has failed
BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
# Managed policy ARN -> the actions it grants (AWS's published document; moto 5.2.5 does not load
# AWS managed policies): what the docs' Permissions text must name beside the inline ones.
MANAGED_POLICY_ACTIONS = {
    BASIC_EXECUTION: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
}
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
# Where the function role's permissions are documented, and under which heading.
PERMISSIONS_DOC, PERMISSIONS_HEADING = os.path.join(ROOT, "docs", "deploy.md"), "## Permissions"
MEMBER_TEMPLATE = os.path.join(ROOT, "member-role.yaml")
MEMBER_STACK_NAME = "lightsail-key-audit-member"
# The function role's IAM path: this, the stack's name, "/" (template.yaml's RolePath).
ROLE_PATH_PREFIX = "/lightsail-key-audit/"
# AssumeRole on a role name in any account is limited to the caller's own organization.
ORG_CONDITION = {"StringEquals": {"aws:ResourceOrgID": "${aws:PrincipalOrgID}"}}
# Parameter set -> member-role.yaml parameters beyond the main stack's outputs: a stack that
# migrates from a member role that trusted the function role's ARN keeps trusting that ARN.
MEMBER_EXTRA = {"member roles": {
    "AuditFunctionRoleArn": "arn:aws:iam::123456789012:role/lightsail-key-audit-AuditFunctionRole-OLD0123"}}
# The function's environment: variable -> the parameter it carries (the names src/ reads).
# NOTIFY_TOPIC_ARN, REPORT_BUCKET and NOTIFY_WHEN are derived: see check_environment.
ENVIRONMENT = {
    "BUCKET_NAMES": "BucketNames",
    "AUDIT_REGIONS": "AuditRegions",
    "AUDIT_ROLE_ARNS": "AuditRoleArns",
    "STALE_AFTER_DAYS": "StaleAfterDays",
    "NEVER_USED_GRACE_DAYS": "NeverUsedGraceDays",
    "MAX_KEY_AGE_DAYS": "MaxKeyAgeDays",
    "MAX_CONCURRENCY": "MaxConcurrency",
    "SUPPRESSIONS_JSON": "SuppressionsJson",
    "REPORT_PREFIX": "ReportPrefix",
    "AUDIT_ACCOUNTS": "AuditAccounts",
    "MEMBER_ROLE_NAME": "MemberRoleName",
    "MEMBER_EXTERNAL_ID": "MemberExternalId",
    "EXCLUDE_ACCOUNT_IDS": "ExcludeAccountIds",
    "ACCESS_CHECKS": "AccessChecks",
    "TRUSTED_ACCOUNT_IDS": "TrustedAccountIds",
    "SECURITY_HUB_REGION": "SecurityHubRegion",
    "ARCHIVE_OCSF": "ArchiveOcsf",
    "REMEDIATION": "Remediation",
    "REMEDIATE_CODES": "RemediateCodes",
    "REMEDIATE_AFTER_DAYS": "RemediateAfterDays",
    "REMEDIATE_MAX_KEYS": "RemediateMaxKeys",
}
# SECURITY_HUB: what the function reads for each value of the SecurityHub parameter.
SECURITY_HUB = {"Disabled": "off", "Enabled": "on"}
# Variables the template must not set: NOTIFY_WHEN carries the deprecated NotifyAlways, and two
# variables saying when to notify could disagree.
NOT_IN_ENVIRONMENT = ["NOTIFY_ALWAYS"]
# Days a replaced or deleted version of an archived object is kept (docs/deploy.md, "Tear down").
NONCURRENT_DAYS = 30
# What the function does in the archive (src/report/archive.rs): the only S3 actions it may have.
ARCHIVE_OBJECT_ACTIONS = ["s3:GetObject", "s3:PutObject"]
ARCHIVE_ACTIONS = ARCHIVE_OBJECT_ACTIONS + ["s3:ListBucket"]


class Problem(Exception):
    """A check's finding that stops it."""


class Deployed(NamedTuple):
    """A created stack and what the checks read of it."""
    case: object  # the ParameterSet
    params: dict  # every parameter's value (cfn_eval: defaults filled in)
    resolved: dict  # logical id -> resolved properties (moto_cfn)
    physical: dict  # logical id -> physical id (ListStackResources)
    types: dict  # logical id -> resource type (ListStackResources)
    outputs: dict  # output key -> value (DescribeStacks)
    code: bytes  # the function's code object


def passes(name, check):
    """Runs a check; the test fails naming it and its problems (a Problem raised is one)."""
    try:
        problems = check()
    except Problem as e:
        problems = [str(e)]
    assert not problems, f"stack: {name}: " + "; ".join(problems)


def client(service):
    return boto3.client(service, region_name=REGION)


# ---------------------------------------------------------------------------------------------
# Deploying


def code_zip():
    """A small valid deployment package: a zip with an executable `bootstrap`."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        info = zipfile.ZipInfo("bootstrap")
        info.external_attr = 0o755 << 16
        z.writestr(info, "#!/bin/sh\necho offline stand-in\n")
    return buf.getvalue()


def upload_code(template, code):
    """Creates the S3 objects that the template's functions' Code points at."""
    s3 = client("s3")
    for resource in template["Resources"].values():
        location = resource.get("Properties", {}).get("Code", {})
        if resource["Type"] == "AWS::Lambda::Function" and "S3Bucket" in location:
            if location["S3Bucket"] not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
                s3.create_bucket(Bucket=location["S3Bucket"])
            s3.put_object(Bucket=location["S3Bucket"], Key=location["S3Key"], Body=code)


def stack_events(cfn, stack_id):
    """The stack's events, oldest first, one per line."""
    events = cfn.describe_stack_events(StackName=stack_id)["StackEvents"][::-1]
    return "\n".join(
        f"    {e['LogicalResourceId']} {e['ResourceStatus']} {e.get('ResourceStatusReason') or ''}"
        for e in events)


def create_stack(template_text, params, stack_name=STACK_NAME):
    """CreateStack, then waits for a final status; returns the stack id, raises Problem unless
    CREATE_COMPLETE (moto never rolls back: in progress past the timeout is a failure too)."""
    cfn = client("cloudformation")
    try:
        stack_id = cfn.create_stack(
            StackName=stack_name, TemplateBody=template_text, Capabilities=CAPABILITIES,
            Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in params.items()])["StackId"]
    except ClientError as e:
        raise Problem(f"CreateStack refused: {e.response['Error']['Code']}: {e.response['Error']['Message']}")
    deadline = time.monotonic() + DEPLOY_TIMEOUT_S
    status = cfn.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"]
    while status.endswith("_IN_PROGRESS") and time.monotonic() < deadline:
        time.sleep(0.2)
        status = cfn.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"]
    if status != "CREATE_COMPLETE":
        raise Problem(f"stack is {status}; events:\n{stack_events(cfn, stack_id)}")
    return stack_id


def read_stack(case, template, stack_id, code):
    """What the checks need of a created stack."""
    cfn = client("cloudformation")
    summaries = cfn.list_stack_resources(StackName=stack_id)["StackResourceSummaries"]
    stack = cfn.describe_stacks(StackName=stack_id)["Stacks"][0]
    return Deployed(
        case=case,
        params=Evaluator(template, case.params).params,
        resolved=moto_cfn.resolved_properties(stack_id),
        physical={r["LogicalResourceId"]: r["PhysicalResourceId"] for r in summaries},
        types={r["LogicalResourceId"]: r["ResourceType"] for r in summaries},
        outputs={o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs") or []},
        code=code)


# ---------------------------------------------------------------------------------------------
# Helpers of the checks


def of_type(d, resource_type):
    """The created resources of a type."""
    return [lid for lid, t in d.types.items() if t == resource_type]


def only(d, resource_type):
    """The one created resource of a type."""
    found = of_type(d, resource_type)
    if len(found) != 1:
        raise Problem(f"expected exactly one {resource_type}, found {found}")
    return found[0]


def expect(problems, what, got, wanted):
    """Records a problem unless got == wanted."""
    if got != wanted:
        problems.append(f"{what}: expected {wanted!r}, got {got!r}")


def topic_arn(d):
    return d.physical[only(d, "AWS::SNS::Topic")]


def function_config(d):
    name = d.physical[only(d, "AWS::Lambda::Function")]
    return client("lambda").get_function(FunctionName=name)["Configuration"]


def function_arn(d):
    return function_config(d)["FunctionArn"]


def delivery_target(d):
    """Where every full report goes (OnSuccess): DeliveryTargetArn, or nowhere (None) when it is
    empty: the report has whole access key ids, and the stack's topic is read by people (docs/deploy.md,
    "What arrives where"); every report is in the archive either way."""
    return d.params["DeliveryTargetArn"] or None


def role_arns(d):
    """ARN -> logical id of the stack's roles."""
    iam = client("iam")
    return {iam.get_role(RoleName=d.physical[lid])["Role"]["Arn"]: lid
            for lid in of_type(d, "AWS::IAM::Role")}


def inline_statements(role_name):
    """Every statement of a role's inline policies, as IAM returns them."""
    iam = client("iam")
    statements = []
    for name in iam.list_role_policies(RoleName=role_name)["PolicyNames"]:
        document = iam.get_role_policy(RoleName=role_name, PolicyName=name)["PolicyDocument"]
        if isinstance(document, str):
            raise Problem(f"inline policy {name} of {role_name} is not JSON: {document[:80]}")
        statement = document["Statement"]
        statements += statement if isinstance(statement, list) else [statement]
    return statements


def as_list(value):
    return value if isinstance(value, list) else [value]


def kms_key_exists(key_id):
    """Whether moto has the key (an id, ARN or alias of the stack's keys)."""
    try:
        client("kms").describe_key(KeyId=key_id)
        return True
    except ClientError:
        return False


def key_problems(what, key_id, need_arn=False):
    """A KMS key reference must name a key of the stack (or an AWS managed alias)."""
    if not isinstance(key_id, str):
        return [f"{what}: KMS key is {key_id!r}, not a string"]
    if key_id.startswith("alias/aws/"):
        return []
    problems = [] if kms_key_exists(key_id) else [f"{what}: KMS key {key_id} does not exist"]
    if need_arn and not key_id.startswith("arn:"):
        problems.append(f"{what}: KMS key must be given as an ARN, got {key_id}")
    return problems


def principals(statement):
    """The principals a policy statement names, flattened ("*" for everyone)."""
    principal = statement.get("Principal", {})
    if not isinstance(principal, dict):
        return as_list(principal)
    return [p for value in principal.values() for p in as_list(value)]


def granting(statements, action, principal=None, resource=None, effect="Allow"):
    """The Allow statements (or those of `effect`) that grant the action (to the principal, on
    the resource)."""
    found = []
    for statement in statements:
        if statement.get("Effect") != effect:
            continue
        if not any(fnmatchcase(action.lower(), a.lower()) for a in as_list(statement.get("Action", []))):
            continue
        if principal is not None and not {principal, "*"} & set(principals(statement)):
            continue
        resources = as_list(statement.get("Resource", "*"))
        if resource is not None and not any(fnmatchcase(resource, r) for r in resources):
            continue
        found.append(statement)
    return found


def allows(statements, action, principal=None, resource=None):
    """Whether an Allow statement grants the action (to the principal, on the resource)."""
    return bool(granting(statements, action, principal, resource))


def function_role_statements(d):
    """The inline statements of the function's execution role."""
    return inline_statements(d.physical[role_arns(d)[function_config(d)["Role"]]])


def stack_key(d, key_id):
    """(logical id, ARN) of the stack's KMS key that key_id names, or (None, None)."""
    try:
        arn = client("kms").describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    except ClientError:
        return None, None
    owner = [lid for lid in of_type(d, "AWS::KMS::Key") if arn.endswith("/" + d.physical[lid])]
    return (owner[0] if owner else None), arn


def queue_names(d):
    """Name -> logical id of the stack's queues (a queue's physical id is its URL)."""
    return {d.physical[lid].rsplit("/", 1)[-1]: lid for lid in of_type(d, "AWS::SQS::Queue")}


def queue_arns(d):
    """ARN -> logical id of the stack's queues."""
    sqs = client("sqs")
    return {sqs.get_queue_attributes(QueueUrl=d.physical[lid], AttributeNames=["QueueArn"])
            ["Attributes"]["QueueArn"]: lid for lid in of_type(d, "AWS::SQS::Queue")}


# Lambda keeps failed asynchronous runs this long at most; the queue must keep them as long.
FAILURE_RETENTION_S = 14 * 24 * 3600


def watched_metrics(props):
    """(namespace, metric name) of each metric an alarm reads, alone or in metric math."""
    stats = [m["MetricStat"]["Metric"] for m in props.get("Metrics", []) if "MetricStat" in m]
    top = [props] if "MetricName" in props else []
    return [(m.get("Namespace"), m.get("MetricName")) for m in top + stats]


# What a sender needs to deliver to a destination, by the ARN's service.
SEND_ACTION = {"sns": "sns:Publish", "sqs": "sqs:SendMessage", "events": "events:PutEvents",
               "lambda": "lambda:InvokeFunction"}


# ---------------------------------------------------------------------------------------------
# Checks: each returns its problems (an empty list is a pass) or raises Problem.


def check_resources(d, template):
    """Exactly the resources whose condition holds are created, with their types."""
    evaluator = Evaluator(template, d.case.params)
    wanted = {lid: r["Type"] for lid, r in template["Resources"].items() if evaluator.resource_enabled(lid)}
    problems = []
    expect(problems, "created resources", d.types, wanted)
    missing = sorted(set(wanted) - set(d.resolved))
    if missing:
        problems.append(f"no resolved properties kept for {missing}")
    return problems


def check_topic(d, template):
    """The topic (display name, KMS key if set) and its policies, which name only it."""
    arn = topic_arn(d)
    lid = only(d, "AWS::SNS::Topic")
    attributes = client("sns").get_topic_attributes(TopicArn=arn)["Attributes"]
    props, problems = d.resolved[lid], []
    if "DisplayName" in props:
        expect(problems, "DisplayName", attributes.get("DisplayName"), props["DisplayName"])
    if "KmsMasterKeyId" in props:
        expect(problems, "KmsMasterKeyId", attributes.get("KmsMasterKeyId"), props["KmsMasterKeyId"])
        problems += key_problems("topic", props["KmsMasterKeyId"])
    for policy in of_type(d, "AWS::SNS::TopicPolicy"):
        policy_props = d.resolved[policy]
        expect(problems, f"{policy} Topics", policy_props["Topics"], [arn])
        for statement in as_list(policy_props["PolicyDocument"]["Statement"]):
            expect(problems, f"{policy} {statement.get('Sid')} Resource", statement.get("Resource"), arn)
    return problems


def check_email_subscription(d, template):
    """AlarmEmail, when set, is subscribed by email to the stack's topic; otherwise nobody is."""
    subscriptions = [d.resolved[lid] for lid in of_type(d, "AWS::SNS::Subscription")
                     if d.resolved[lid].get("Protocol") == "email"]
    email = d.params["AlarmEmail"]
    wanted = [{"TopicArn": topic_arn(d), "Protocol": "email", "Endpoint": email}] if email else []
    problems = []
    expect(problems, "email subscriptions",
           [{k: s.get(k) for k in ("TopicArn", "Protocol", "Endpoint")} for s in subscriptions], wanted)
    return problems


def check_log_group(d, template):
    """Each log group as resolved (retention, KMS key); the function's has LogRetentionDays."""
    logs, problems = client("logs"), []
    for lid in of_type(d, "AWS::Logs::LogGroup"):
        name, props = d.physical[lid], d.resolved[lid]
        groups = [g for g in logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
                  if g["logGroupName"] == name]
        if not groups:
            problems.append(f"log group {name} does not exist")
            continue
        if "RetentionInDays" in props:
            expect(problems, f"{name} retentionInDays", groups[0].get("retentionInDays"),
                   int(props["RetentionInDays"]))
        if "KmsKeyId" in props:
            problems += key_problems(f"log group {name}", props["KmsKeyId"], need_arn=True)
            problems += log_key_policy_problems(d, props["KmsKeyId"], groups[0]["logGroupArn"])
            if "kmsKeyId" in groups[0]:  # moto 5.2.5 drops it (it reads kmsKeyId, not KmsKeyId)
                expect(problems, f"{name} kmsKeyId", groups[0]["kmsKeyId"], props["KmsKeyId"])
    function_group = d.resolved[only(d, "AWS::Lambda::Function")].get("LoggingConfig", {}).get("LogGroup")
    owner = [lid for lid in of_type(d, "AWS::Logs::LogGroup") if d.physical[lid] == function_group]
    if not owner:
        problems.append(f"the function logs to {function_group!r}, not a log group of the stack")
    else:
        expect(problems, "the function's log group retention",
               int(d.resolved[owner[0]].get("RetentionInDays", 0)), int(d.params["LogRetentionDays"]))
    return problems


def log_key_policy_problems(d, key_id, group_arn):
    """CloudWatch Logs encrypts a log group only if the key policy lets logs.REGION.amazonaws.com
    use the key, and an encryption-context condition must name this log group's ARN."""
    owner, _ = stack_key(d, key_id)
    if owner is None:
        return []  # not a key of the stack: its policy is not in the template
    service = f"logs.{group_arn.split(':')[3]}.amazonaws.com"
    key_policy = as_list(d.resolved[owner]["KeyPolicy"]["Statement"])
    problems = []
    for action in ("kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"):
        statements = granting(key_policy, action, service)
        if not statements:
            problems.append(f"{owner} policy does not allow {service} {action}")
        for statement in statements:
            for test in statement.get("Condition", {}).values():
                arns = as_list(test.get("kms:EncryptionContext:aws:logs:arn", group_arn))
                if not any(fnmatchcase(group_arn, a) for a in arns):
                    problems.append(f"{owner} {statement.get('Sid')} names {arns}, not {group_arn}")
    return sorted(set(problems))


def check_function(d, template):
    """The function as the docs document it: provided.al2023, arm64, handler bootstrap,
    MemorySize, FunctionTimeout, JSON logs at LogLevel into the stack's log group, the stack's role, the code."""
    config, problems = function_config(d), []
    props = d.resolved[only(d, "AWS::Lambda::Function")]
    expect(problems, "Runtime", config["Runtime"], "provided.al2023")
    expect(problems, "Handler", config["Handler"], "bootstrap")
    expect(problems, "MemorySize", int(config["MemorySize"]), int(d.params["MemorySize"]))
    expect(problems, "Timeout", int(config["Timeout"]), int(d.params["FunctionTimeout"]))
    expect(problems, "CodeSize (the uploaded package)", config["CodeSize"], len(d.code))
    if config["Role"] not in role_arns(d):
        problems.append(f"Role {config['Role']} is not a role of the stack")
    # moto 5.2.5 drops Architectures (reports x86_64) and LoggingConfig: read the resolved ones.
    expect(problems, "Architectures", props.get("Architectures"), ["arm64"])
    logging_config = props.get("LoggingConfig", {})
    expect(problems, "LoggingConfig.LogFormat", logging_config.get("LogFormat"), "JSON")
    expect(problems, "LoggingConfig.ApplicationLogLevel", logging_config.get("ApplicationLogLevel"),
           d.params["LogLevel"])
    # At WARN, Lambda drops its own START and REPORT lines: duration, memory, init duration.
    expect(problems, "LoggingConfig.SystemLogLevel", logging_config.get("SystemLogLevel"), "INFO")
    if "LoggingConfig" in config:
        expect(problems, "LoggingConfig (moto)", config["LoggingConfig"].get("LogGroup"),
               logging_config.get("LogGroup"))
    return problems


def check_reserved_concurrency(d, template):
    """One audit at a time, so a manual and a scheduled run never overlap: Lambda reports a
    reserved concurrency of exactly 1 (0 would throttle every run)."""
    function = client("lambda").get_function(FunctionName=d.physical[only(d, "AWS::Lambda::Function")])
    problems = []
    expect(problems, "ReservedConcurrentExecutions (Lambda)",
           function.get("Concurrency", {}).get("ReservedConcurrentExecutions"), 1)
    return problems


def notify_when(params):
    """NOTIFY_WHEN for a parameter set: NotifyWhen, or "always" for the deprecated NotifyAlways."""
    return "always" if params["NotifyAlways"] == "true" else params["NotifyWhen"]


def check_environment(d, template):
    """Each variable carries its parameter; NOTIFY_TOPIC_ARN is the stack's topic, REPORT_BUCKET
    the stack's bucket, NOTIFY_WHEN is NotifyWhen (or "always" for NotifyAlways "true"),
    SECURITY_HUB is "on" or "off" for SecurityHub Enabled or Disabled."""
    variables = function_config(d).get("Environment", {}).get("Variables", {})
    problems = []
    for variable, parameter in ENVIRONMENT.items():
        value = d.params[parameter]
        expect(problems, variable, variables.get(variable),
               ",".join(value) if isinstance(value, list) else value)
    expect(problems, "NOTIFY_TOPIC_ARN", variables.get("NOTIFY_TOPIC_ARN"), topic_arn(d))
    expect(problems, "REPORT_BUCKET", variables.get("REPORT_BUCKET"), report_bucket(d))
    expect(problems, "NOTIFY_WHEN", variables.get("NOTIFY_WHEN"), notify_when(d.params))
    expect(problems, "SECURITY_HUB", variables.get("SECURITY_HUB"), SECURITY_HUB[d.params["SecurityHub"]])
    for variable in NOT_IN_ENVIRONMENT:
        if variable in variables:
            problems.append(f"{variable} is set ({variables[variable]!r}); it must not be")
    for variable, value in variables.items():
        if not isinstance(value, str):
            problems.append(f"{variable} is {value!r}, not a string")
    return problems


def audit_accounts(d):
    """The entries of AuditAccounts ([] when empty or "organization"), external ids dropped."""
    value = d.params["AuditAccounts"]
    return [] if value in ("", "organization") else [e.split("|", 1)[0] for e in value.split(",")]


def member_role_arn(d, entry):
    """The role the function assumes for an AuditAccounts entry (an account id or a role ARN)."""
    return entry if entry.startswith("arn:") else f"arn:aws:iam::{entry}:role/{d.params['MemberRoleName']}"


def check_function_role(d, template):
    """The function role's inline statements: the conditional ones exactly in their variant."""
    config = function_config(d)
    lid = role_arns(d)[config["Role"]]
    statements = inline_statements(d.physical[lid])
    by_sid = {s.get("Sid"): s for s in statements}
    members = [a for a in d.params["AuditRoleArns"] if a]
    target = d.params["DeliveryTargetArn"]
    accounts, organization = d.params["AuditAccounts"], d.params["AuditAccounts"] == "organization"
    by_name = f"arn:aws:iam::*:role/{d.params['MemberRoleName']}"
    wanted = {
        "LightsailRead": ("lightsail:GetBuckets", "*"),
        "PublishToTopic": ("sns:Publish", topic_arn(d)),
        "AssumeMemberRoles": ("sts:AssumeRole", sorted(members)) if members else None,
        "AssumeOrganizationMemberRoles": ("sts:AssumeRole", by_name) if accounts else None,
        "ListOrganizationAccounts": ("organizations:ListAccounts", "*") if organization else None,
        "DeliverToTopic": ("sns:Publish", target) if ":sns:" in target else None,
        "DeliverToBus": ("events:PutEvents", target) if ":events:" in target else None,
    }
    wanted.update(security_hub_statements(d.params["SecurityHub"], function_role_account(d)))
    wanted["DeleteBucketAccessKeys"] = remediation_statement(d.params["Remediation"],
                                                             function_role_account(d))
    problems = []
    for sid, want in wanted.items():
        statement = by_sid.get(sid)
        if want is None:
            if statement is not None:
                problems.append(f"statement {sid} is present but must not be for this parameter set")
            continue
        if statement is None:
            problems.append(f"statement {sid} is missing")
            continue
        action, resource = want
        if action not in as_list(statement["Action"]):
            problems.append(f"{sid} does not allow {action}: {statement['Action']}")
        got = sorted(statement["Resource"]) if isinstance(resource, list) else statement["Resource"]
        expect(problems, f"{sid} Resource", got, resource)
    if "AssumeOrganizationMemberRoles" in by_sid:
        expect(problems, "AssumeOrganizationMemberRoles Condition",
               by_sid["AssumeOrganizationMemberRoles"].get("Condition"), ORG_CONDITION)
    problems += account_access_problems(d, statements)
    # moto 5.2.5 attaches no ManagedPolicyArns: read the resolved property (logs permissions).
    if BASIC_EXECUTION not in d.resolved[lid].get("ManagedPolicyArns", []):
        problems.append(f"{lid} lacks {BASIC_EXECUTION}")
    return problems


def security_hub_arns(account):
    """The account's own default product ARN and hub ARN, in any region: where the function
    (and the member role) may import and read its Security Hub findings."""
    return (f"arn:aws:securityhub:*:{account}:product/{account}/default",
            f"arn:aws:securityhub:*:{account}:hub/default")


def security_hub_statements(setting, account):
    """Sid -> (action, resource) of the Security Hub statements, or None where they must be
    absent (SecurityHub Disabled)."""
    product, hub = security_hub_arns(account)
    enabled = setting == "Enabled"
    return {"ImportSecurityHubFindings": ("securityhub:BatchImportFindings", product) if enabled else None,
            "ReadSecurityHubFindings": ("securityhub:GetFindings", hub) if enabled else None}


def function_role_account(d):
    """The account the function's role (and so the stack) is in."""
    return function_config(d)["Role"].split(":")[4]


def security_hub_access_problems(statements, enabled, account, who):
    """Whatever the Sids: `who` may import and read Security Hub findings exactly when enabled,
    only its own account's, in any region; never another account's product or hub, nor another
    company's product, nor any other Security Hub action."""
    problems, other = [], "210987654321" if account != "210987654321" else "123456789012"
    product, hub = security_hub_arns(account)
    import_, read = "securityhub:BatchImportFindings", "securityhub:GetFindings"
    for region in ("us-east-1", "eu-west-1"):
        for action, arn in ((import_, product), (read, hub)):
            arn = arn.replace(":*:", f":{region}:", 1)
            if allows(statements, action, resource=arn) != enabled:
                problems.append(f"{who} {'may not' if enabled else 'may'} {action} on {arn}")
    foreign = [(import_, f"arn:aws:securityhub:us-east-1:{other}:product/{other}/default"),
               (import_, f"arn:aws:securityhub:us-east-1:{account}:product/aws/guardduty"),
               (read, f"arn:aws:securityhub:us-east-1:{other}:hub/default")]
    problems += [f"{who} may {action} on {arn}, not its own account's"
                 for action, arn in foreign if allows(statements, action, resource=arn)]
    others = sorted({a for st in statements if st.get("Effect") == "Allow"
                     for a in as_list(st.get("Action", [])) if a.lower().startswith("securityhub:")}
                    - {import_, read})
    if others:
        problems.append(f"{who} has Security Hub actions beyond {import_} and {read}: {others}")
    return problems


def check_security_hub_access(d, template):
    """The function's role may call securityhub:BatchImportFindings on its account's default
    product and securityhub:GetFindings on its account's hub, in every region, exactly when
    SecurityHub is Enabled; never another account's, never another Security Hub action."""
    return security_hub_access_problems(function_role_statements(d), d.params["SecurityHub"] == "Enabled",
                                        function_role_account(d), "the function role")


# The Lightsail actions a role of the audit may have: the reads, and the one deletion remediation
# makes (only with Remediation "delete").
LIGHTSAIL_READS = ["lightsail:GetBucketAccessKeys", "lightsail:GetBuckets", "lightsail:GetRegions"]
DELETE_KEY = "lightsail:DeleteBucketAccessKey"


def lightsail_bucket_arns(account):
    """Every bucket of the account, in any region (a bucket ARN ends in an internal id)."""
    return f"arn:aws:lightsail:*:{account}:Bucket/*"


def remediation_statement(setting, account):
    """(action, resource) of the DeleteBucketAccessKeys statement, or None where it must be
    absent (Remediation "off" or "plan")."""
    return (DELETE_KEY, lightsail_bucket_arns(account)) if setting == "delete" else None


def remediation_access_problems(statements, setting, account, who):
    """Whatever the Sids: `who` may delete bucket access keys exactly when Remediation is
    "delete", and then only on its own account's buckets, in any region: never another
    account's, and no Lightsail action beyond the reads and that one."""
    deletes, other = setting == "delete", "210987654321" if account != "210987654321" else "123456789012"
    problems = []
    for region in ("us-east-1", "eu-west-1"):
        arn = f"arn:aws:lightsail:{region}:{account}:Bucket/a1b2c3d4-0000-4000-8000-123456789abc"
        if allows(statements, DELETE_KEY, resource=arn) != deletes:
            problems.append(f"{who} {'may not' if deletes else 'may'} {DELETE_KEY} on {arn} "
                            f"with Remediation {setting!r}")
    foreign = f"arn:aws:lightsail:us-east-1:{other}:Bucket/a1b2c3d4-0000-4000-8000-123456789abc"
    if allows(statements, DELETE_KEY, resource=foreign):
        problems.append(f"{who} may {DELETE_KEY} on {foreign}, not its own account's")
    writes = sorted({a for st in statements if st.get("Effect") == "Allow"
                     for a in as_list(st.get("Action", [])) if a.lower().startswith("lightsail:")}
                    - set(LIGHTSAIL_READS) - {DELETE_KEY})
    if writes:
        problems.append(f"{who} has Lightsail actions beyond the reads and {DELETE_KEY}: {writes}")
    return problems


def check_remediation_access(d, template):
    """The function's role may call lightsail:DeleteBucketAccessKey on its account's buckets
    exactly when Remediation is "delete", as remediation_access_problems says."""
    return remediation_access_problems(function_role_statements(d), d.params["Remediation"],
                                       function_role_account(d), "the function role")


def account_access_problems(d, statements):
    """Whatever the Sids: AssumeRole on a wildcard resource only within the organization, never
    on "*"; organizations:ListAccounts exactly in organization mode and no other Organizations
    action; every role AuditAccounts names may be assumed."""
    problems = []
    for st in granting(statements, "sts:AssumeRole"):
        wild = [r for r in as_list(st.get("Resource", "*")) if "*" in r or "?" in r]
        if "*" in wild:
            problems.append(f"{st.get('Sid')} grants sts:AssumeRole on \"*\"")
        elif wild and st.get("Condition") != ORG_CONDITION:
            problems.append(f"{st.get('Sid')} grants sts:AssumeRole on {wild} with condition "
                            f"{st.get('Condition')}, not only within the organization {ORG_CONDITION}")
    organization = d.params["AuditAccounts"] == "organization"
    if allows(statements, "organizations:ListAccounts") != organization:
        problems.append(f"organizations:ListAccounts is {'not ' if organization else ''}granted "
                        f"with AuditAccounts {d.params['AuditAccounts']!r}")
    others = sorted({a for st in statements if st.get("Effect") == "Allow"
                     for a in as_list(st.get("Action", [])) if a.lower().startswith("organizations:")
                     and a != "organizations:ListAccounts"})
    if others:
        problems.append(f"Organizations actions beyond ListAccounts: {others}")
    for entry in audit_accounts(d):
        if not allows(statements, "sts:AssumeRole", resource=member_role_arn(d, entry)):
            problems.append(f"AuditAccounts lists {entry}, whose role {member_role_arn(d, entry)} "
                            "the function may not assume")
    return problems


def check_role_path(d, template):
    """The function's role lies under /lightsail-key-audit/<stack name>/, and the outputs give
    member-role.yaml exactly what it needs: that path, the account and the member role's name."""
    iam, role_arn = client("iam"), function_config(d)["Role"]
    role = iam.get_role(RoleName=d.physical[role_arns(d)[role_arn]])["Role"]
    account, path = role_arn.split(":")[4], f"{ROLE_PATH_PREFIX}{STACK_NAME}/"
    problems = []
    expect(problems, "function role Path", role["Path"], path)
    if not role_arn.startswith(f"arn:aws:iam::{account}:role{path}"):
        problems.append(f"function role {role_arn} is not under {path}")
    expect(problems, "output AuditFunctionRolePath", d.outputs.get("AuditFunctionRolePath"), role["Path"])
    expect(problems, "output AuditAccountId", d.outputs.get("AuditAccountId"), account)
    expect(problems, "output MemberRoleName", d.outputs.get("MemberRoleName"), d.params["MemberRoleName"])
    return problems


def doc_section(path, heading):
    """The text of a Markdown section ("## Permissions"), up to the next heading of any level."""
    try:
        with open(path) as f:
            text = f.read()
    except OSError as e:
        raise Problem(f"cannot read {os.path.relpath(path, ROOT)}: {e.strerror}")
    match = re.search(rf"^{re.escape(heading)}\n(.*?)(?=^#|\Z)", text, re.M | re.S)
    if not match:
        raise Problem(f"{os.path.relpath(path, ROOT)} has no {heading!r} section")
    return match.group(1)


def check_permissions_documented(d, template):
    """The docs' Permissions text names everything the function's role may do: each action
    of its inline statements (in this variant) and each managed policy attached, by name, with
    its actions; and no managed policy is attached that has no entry in MANAGED_POLICY_ACTIONS.
    "Nothing else" must be true."""
    text = doc_section(PERMISSIONS_DOC, PERMISSIONS_HEADING)
    named = set(re.findall(r"`([^`]+)`", text))
    lid = role_arns(d)[function_config(d)["Role"]]
    problems = []
    for st in function_role_statements(d):
        for action in as_list(st.get("Action", [])):
            if action not in named:
                problems.append(f"{st.get('Sid')} grants {action}, which Permissions does not name")
    # moto 5.2.5 attaches no ManagedPolicyArns: read the resolved property.
    for arn in d.resolved[lid].get("ManagedPolicyArns", []):
        if arn not in MANAGED_POLICY_ACTIONS:
            problems.append(f"{lid} has managed policy {arn}, unknown to this check (extend "
                            "MANAGED_POLICY_ACTIONS and docs/deploy.md)")
            continue
        name = arn.rsplit("/", 1)[-1]
        if name not in named:
            problems.append(f"{lid} has managed policy {name}, which Permissions does not name")
        problems += [f"{name} grants {a}, which Permissions does not name"
                     for a in MANAGED_POLICY_ACTIONS[arn] if a not in named]
    return problems


def check_schedule(d, template):
    """Each schedule: the documented request as Input, the function as target, through a role
    of the stack allowed to invoke it (and to fill its dead-letter queue, a queue of the stack),
    at ScheduleExpression, with a name of at most 64 characters."""
    problems = []
    function, roles, queues = function_arn(d), role_arns(d), queue_arns(d)
    for lid in of_type(d, "AWS::Scheduler::Schedule"):
        props = d.resolved[lid]
        target = props["Target"]
        try:
            request = json.loads(target["Input"])
        except ValueError as e:
            problems.append(f"{lid} Input is not JSON ({e}): {target['Input']}")
            request = None
        expect(problems, f"{lid} Input", request, d.case.request)
        expect(problems, f"{lid} Target.Arn", target["Arn"], function)
        expect(problems, f"{lid} ScheduleExpression", props["ScheduleExpression"],
               d.params["ScheduleExpression"])
        if len(props.get("Name", "")) > 64:
            problems.append(f"{lid} Name is longer than 64 characters: {props['Name']}")
        if target["RoleArn"] not in roles:
            problems.append(f"{lid} RoleArn {target['RoleArn']} is not a role of the stack")
            continue
        statements = inline_statements(d.physical[roles[target["RoleArn"]]])
        if not allows(statements, "lambda:InvokeFunction", resource=function):
            problems.append(f"{lid}'s role may not invoke {function}")
        # Scheduler retries only invokes that failed (185 times over a day by default).
        if int(target.get("RetryPolicy", {}).get("MaximumRetryAttempts", 185)) < 1:
            problems.append(f"{lid} RetryPolicy turns off Scheduler's retries of failed invokes")
        dead_letter = target.get("DeadLetterConfig", {}).get("Arn")
        if dead_letter not in queues:
            problems.append(f"{lid} DeadLetterConfig {dead_letter} is not a queue of the stack: "
                            "invocations Scheduler cannot deliver would be lost")
        elif not allows(statements, "sqs:SendMessage", resource=dead_letter):
            problems.append(f"{lid}'s role may not send to its dead-letter queue {dead_letter}")
    return problems


def check_schedule_timezone(d, template):
    """Each schedule runs in ScheduleTimezone."""
    problems = []
    for lid in of_type(d, "AWS::Scheduler::Schedule"):
        expect(problems, f"{lid} ScheduleExpressionTimezone",
               d.resolved[lid].get("ScheduleExpressionTimezone"), d.params["ScheduleTimezone"])
    return problems


def check_invoke_config(d, template):
    """Retries are RetryAttempts; every report goes to DeliveryTargetArn when it is set, and
    when it is empty there is no OnSuccess destination at all; every failure goes to a queue of
    the stack that keeps it 14 days (SNS stores nothing: with no subscriber a failure record
    sent there is lost); the function's role may send to each (destinations use it)."""
    problems = []
    function = d.physical[only(d, "AWS::Lambda::Function")]
    statements = function_role_statements(d)
    for lid in of_type(d, "AWS::Lambda::EventInvokeConfig"):
        props = d.resolved[lid]
        if props["FunctionName"] not in (function, function_arn(d)):
            problems.append(f"{lid} FunctionName {props['FunctionName']} is not the function")
        expect(problems, f"{lid} Qualifier", props.get("Qualifier"), "$LATEST")
        expect(problems, f"{lid} MaximumRetryAttempts", int(props["MaximumRetryAttempts"]),
               int(d.params["RetryAttempts"]))
        destinations = {k: v.get("Destination") for k, v in props.get("DestinationConfig", {}).items()}
        if delivery_target(d) is None and "OnSuccess" in props.get("DestinationConfig", {}):
            problems.append(f"{lid} has an OnSuccess destination ({destinations['OnSuccess']!r}) "
                            "with DeliveryTargetArn empty: there must be none")
        else:
            expect(problems, f"{lid} OnSuccess", destinations.get("OnSuccess"), delivery_target(d))
        on_failure, queues = destinations.get("OnFailure"), queue_arns(d)
        if on_failure not in queues:
            problems.append(f"{lid} OnFailure {on_failure} is not a queue of the stack")
        else:
            retention = d.resolved[queues[on_failure]].get("MessageRetentionPeriod")
            expect(problems, f"{lid} OnFailure queue retention", int(retention or 0), FAILURE_RETENTION_S)
        for outcome, arn in destinations.items():
            action = SEND_ACTION.get(str(arn).split(":")[2] if str(arn).count(":") > 2 else "")
            if action is None or not allows(statements, action, resource=arn):
                problems.append(f"the function role may not deliver {outcome} to {arn} ({action})")
    return problems


def lambda_destinations(node, path=""):
    """(path, outcome, destination) of every Lambda destination in resolved properties: each
    entry of a DestinationConfig (OnSuccess, OnFailure), wherever it is."""
    found = []
    if isinstance(node, list):
        for i, item in enumerate(node):
            found += lambda_destinations(item, f"{path}[{i}]")
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "DestinationConfig" and isinstance(value, dict):
                found += [(f"{path}.{key}", outcome, (entry or {}).get("Destination")
                           if isinstance(entry, dict) else entry)
                          for outcome, entry in value.items()]
            else:
                found += lambda_destinations(value, f"{path}.{key}")
    return found


def check_no_raw_report_to_topic(d, template):
    """Human channels (the topic's email and chat subscribers) show access key ids only masked:
    no Lambda destination of the stack is a topic of the stack. A success record is the full
    report with whole ids, a failure record the raw request (external ids) and error; the
    function's own summary is the only thing it sends there."""
    topics = {d.physical[lid]: lid for lid in of_type(d, "AWS::SNS::Topic")}
    problems, seen = [], 0
    for lid in sorted(d.resolved):
        for path, outcome, destination in lambda_destinations(d.resolved[lid]):
            seen += 1
            if destination in topics:
                problems.append(f"{lid}{path}.{outcome} sends Lambda's raw record to {topics[destination]} "
                                f"({destination}), which people read")
    if not seen:
        problems.append("no Lambda destination found at all: failures would not be kept "
                        "(or the check no longer finds them)")
    return problems


def dimensions(node):
    """Every Dimensions entry in an alarm's properties (top level and in its metrics)."""
    if isinstance(node, list):
        return [d for item in node for d in dimensions(item)]
    if not isinstance(node, dict):
        return []
    found = list(node.get("Dimensions", []))
    return found + [d for k, v in node.items() if k != "Dimensions" for d in dimensions(v)]


def check_alarms(d, template):
    """Every alarm watches the stack (FunctionName: the function, QueueName: a queue of the
    stack) and acts on the stack's topic."""
    alarms = of_type(d, "AWS::CloudWatch::Alarm")
    if not alarms:
        return ["the stack has no alarm"]
    watched = {"FunctionName": [d.physical[only(d, "AWS::Lambda::Function")]],
               "QueueName": sorted(queue_names(d))}
    topic, problems = topic_arn(d), []
    for lid in alarms:
        props = d.resolved[lid]
        found = dimensions(props)
        if not found:
            problems.append(f"{lid} has no dimension: it watches nothing of the stack")
        for dimension in found:
            name, value = dimension.get("Name"), dimension.get("Value")
            if name not in watched:
                problems.append(f"{lid} dimension {name}={value}: not a kind this check knows "
                                f"({', '.join(watched)}); extend check_alarms")
            elif value not in watched[name]:
                problems.append(f"{lid} {name} dimension {value!r} is not one of {watched[name]}")
        for key in ("AlarmActions", "OKActions", "InsufficientDataActions"):
            for action in props.get(key, []):
                expect(problems, f"{lid} {key}", action, topic)
        if not props.get("AlarmActions"):
            problems.append(f"{lid} has no AlarmActions")
    return problems


def alarm_window_s(props):
    """Seconds an alarm looks back: Period x EvaluationPeriods (top level or in its metrics)."""
    periods = [props.get("Period")] + [m.get("MetricStat", {}).get("Period")
                                       for m in props.get("Metrics", [])]
    period = max(int(p) for p in periods if p is not None)
    return period * int(props["EvaluationPeriods"])


def check_missed_audit_alarm(d, template):
    """An alarm fires when no audit completed for MissedAuditAlarmHours: it reads the metric
    every run emits (AuditsCompleted), its window is that long, and missing data (no run, no
    metric) breaches it."""
    hours = int(d.params["MissedAuditAlarmHours"])
    alarms = [lid for lid in of_type(d, "AWS::CloudWatch::Alarm")
              if watched_metrics(d.resolved[lid]) == [("LightsailKeyAudit", "AuditsCompleted")]
              and d.resolved[lid].get("TreatMissingData") == "breaching"
              and alarm_window_s(d.resolved[lid]) == hours * 3600]
    return [] if alarms else [f"no alarm on AuditsCompleted treats missing data as breaching over {hours} h"]


def check_alarmed_metrics(d, template):
    """Alarms read only metrics that exist: the function's own (report.py's EMF_METRICS, what
    each run's EMF record declares), and Lambda's Errors and DestinationDeliveryFailures (a
    report or failure record that could not be delivered) both have one."""
    own = set(contract.EMF_METRICS)
    watched = [m for lid in of_type(d, "AWS::CloudWatch::Alarm") for m in watched_metrics(d.resolved[lid])]
    problems = [f"an alarm reads {name}, which the function never emits"
                for namespace, name in watched if namespace == "LightsailKeyAudit" and name not in own]
    for name in ("Errors", "DestinationDeliveryFailures"):
        if ("AWS/Lambda", name) not in watched:
            problems.append(f"no alarm reads AWS/Lambda {name}")
    return problems


def check_encrypted_topic(d, template):
    """A topic encrypted with KMS still takes what is sent to it: CloudWatch alarms need the key
    policy to grant cloudwatch.amazonaws.com, the function (summary and Lambda destinations use
    its role) needs kms:GenerateDataKey* and kms:Decrypt from its role and the key policy."""
    key = d.resolved[only(d, "AWS::SNS::Topic")].get("KmsMasterKeyId")
    if key is None:
        return ["the topic is no longer encrypted"]
    if key.startswith("alias/aws/"):
        return [f"topic key {key}: an AWS managed key's policy cannot grant cloudwatch.amazonaws.com, "
                "so alarms could not publish"]
    owner, key_arn = stack_key(d, key)
    if owner is None:
        return [f"topic key {key} is not a key of the stack, so its policy cannot be checked"]
    key_policy = as_list(d.resolved[owner]["KeyPolicy"]["Statement"])
    account_root = f"arn:aws:iam::{key_arn.split(':')[4]}:root"
    role_arn, role_statements = function_config(d)["Role"], function_role_statements(d)
    problems = []
    for action in ("kms:GenerateDataKey", "kms:Decrypt"):
        if not allows(key_policy, action, "cloudwatch.amazonaws.com"):
            problems.append(f"{owner} policy does not allow cloudwatch.amazonaws.com {action}")
        if not (allows(key_policy, action, role_arn) or allows(key_policy, action, account_root)):
            problems.append(f"{owner} policy allows {action} neither to the function role nor to IAM")
        if not allows(role_statements, action, resource=key_arn):
            problems.append(f"the function role may not {action} on {key_arn}")
    return problems


def check_queues(d, template):
    """Each queue is encrypted, keeps messages as long as its properties say, and an alarm
    watches it (a queue nobody watches is where failures pile up unseen)."""
    sqs, problems = client("sqs"), []
    alarmed = {x.get("Value") for lid in of_type(d, "AWS::CloudWatch::Alarm")
               for x in dimensions(d.resolved[lid]) if x.get("Name") == "QueueName"}
    for name, lid in queue_names(d).items():
        props = d.resolved[lid]
        attributes = sqs.get_queue_attributes(QueueUrl=d.physical[lid], AttributeNames=["All"])["Attributes"]
        if "MessageRetentionPeriod" in props:
            expect(problems, f"{lid} MessageRetentionPeriod", attributes.get("MessageRetentionPeriod"),
                   str(props["MessageRetentionPeriod"]))
        if "KmsMasterKeyId" in props:
            expect(problems, f"{lid} KmsMasterKeyId", attributes.get("KmsMasterKeyId"),
                   props["KmsMasterKeyId"])
            problems += key_problems(lid, props["KmsMasterKeyId"])
        elif str(props.get("SqsManagedSseEnabled")).lower() == "true":
            expect(problems, f"{lid} SqsManagedSseEnabled", attributes.get("SqsManagedSseEnabled"), "true")
        else:
            problems.append(f"{lid} sets neither KmsMasterKeyId nor SqsManagedSseEnabled")
        if name not in alarmed:
            problems.append(f"{lid} ({name}) is watched by no alarm")
    return problems


def check_kms_keys(d, template):
    """Each key exists, is enabled and rotates (a customer managed key should: KMS.4)."""
    kms, problems = client("kms"), []
    for lid in of_type(d, "AWS::KMS::Key"):
        metadata = kms.describe_key(KeyId=d.physical[lid])["KeyMetadata"]
        expect(problems, f"{lid} enabled", metadata["Enabled"], True)
        expect(problems, f"{lid} rotation",
               kms.get_key_rotation_status(KeyId=d.physical[lid])["KeyRotationEnabled"], True)
    return problems


def report_bucket(d):
    """The name of the stack's report bucket."""
    return d.physical[only(d, "AWS::S3::Bucket")]


def check_report_bucket(d, template):
    """The archive as the docs document it, read back from S3: versioning enabled, every
    public access block setting on, objects owned by the bucket owner (ACLs off), encrypted by
    default, and kept when the stack is deleted or the bucket replaced. An archive encrypted
    with a KMS key must be readable by the function and outlive the stack with its key."""
    lid = only(d, "AWS::S3::Bucket")
    name, s3, problems = d.physical[lid], client("s3"), []
    expect(problems, "versioning", s3.get_bucket_versioning(Bucket=name).get("Status"), "Enabled")
    try:
        block = s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"]
    except ClientError as e:
        block = {"error": e.response["Error"]["Code"]}
    settings = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
    expect(problems, "public access block", block, {k: True for k in settings})
    try:
        ownership = s3.get_bucket_ownership_controls(Bucket=name)["OwnershipControls"]["Rules"]
    except ClientError as e:
        ownership = e.response["Error"]["Code"]
    expect(problems, "ownership controls", ownership, [{"ObjectOwnership": "BucketOwnerEnforced"}])
    try:
        rules = s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"]
    except ClientError as e:
        rules, problems = [], problems + [f"default encryption: {e.response['Error']['Code']}"]
    for rule in rules:
        default = rule.get("ApplyServerSideEncryptionByDefault", {})
        algorithm = default.get("SSEAlgorithm")
        if algorithm not in ("AES256", "aws:kms", "aws:kms:dsse"):
            problems.append(f"default encryption {algorithm!r} is not SSE-S3 or SSE-KMS")
        elif algorithm.startswith("aws:kms"):
            problems += bucket_key_problems(d, template, lid, default.get("KMSMasterKeyID"))
    if not rules:
        problems.append("no default encryption rule")
    attributes = template["Resources"][lid]
    for policy in ("DeletionPolicy", "UpdateReplacePolicy"):
        expect(problems, f"{lid} {policy}", attributes.get(policy), "Retain")
    # The docs' way to find the archive: the stack output.
    expect(problems, "output ReportBucketName", d.outputs.get("ReportBucketName"), name)
    return problems


def bucket_key_problems(d, template, bucket_lid, key_id):
    """An archive encrypted with KMS: a key of the stack, which the function may use to write
    and read it, and which is kept as long as the bucket (a key deleted with the stack would
    leave the kept archive unreadable)."""
    if not key_id:
        return ["SSE-KMS with the AWS managed aws/s3 key: the kept archive's key cannot be managed"]
    owner, key_arn = stack_key(d, key_id)
    if owner is None:
        return [f"bucket key {key_id} is not a key of the stack"]
    problems, statements = [], function_role_statements(d)
    for action in ("kms:GenerateDataKey", "kms:Decrypt"):
        if not allows(statements, action, resource=key_arn):
            problems.append(f"the function role may not {action} on the archive's key {key_arn}")
    if template["Resources"][owner].get("DeletionPolicy") != "Retain":
        problems.append(f"{bucket_lid} is kept on stack deletion but its key {owner} is not")
    return problems


def covers(rule, key):
    """Whether a lifecycle rule (as GetBucketLifecycleConfiguration returns it) applies to key."""
    filters = rule.get("Filter", {})
    return key.startswith(rule_prefix(rule)) and "Tag" not in filters and "Tags" not in filters.get("And", {})


def lifecycle_rules(d):
    """The report bucket's enabled lifecycle rules, read back from S3 (raises Problem)."""
    try:
        rules = client("s3").get_bucket_lifecycle_configuration(Bucket=report_bucket(d))["Rules"]
    except ClientError as e:
        raise Problem(f"lifecycle: {e.response['Error']['Code']}")
    return [r for r in rules if r.get("Status") == "Enabled"]


def rule_prefix(rule):
    """The key prefix a lifecycle rule (as S3 returns it) applies to ("" for every key)."""
    filters = rule.get("Filter", {})
    return filters.get("Prefix", filters.get("And", {}).get("Prefix", rule.get("Prefix", ""))) or ""


def expires_current(rule):
    """Whether a rule expires current versions (Days or Date; ExpiredObjectDeleteMarker alone
    removes only a delete marker left without versions)."""
    return bool({"Days", "Date"} & set(rule.get("Expiration", {})))


# Lifecycle action types, as S3 names them when it refuses two rules with overlapping prefixes.
LIFECYCLE_ACTIONS = ("Expiration", "NoncurrentVersionExpiration", "Transitions",
                     "NoncurrentVersionTransitions", "AbortIncompleteMultipartUpload")


def report_key(prefix):
    return f"{prefix}reports/2026/11/27/2026-11-27T06:00:00Z.json"


def ocsf_key(prefix):
    """Where a run writes its OCSF events with ArchiveOcsf "true"."""
    return f"{prefix}ocsf/2026/11/27/2026-11-27T06:00:00Z.jsonl"


def check_bucket_lifecycle(d, template):
    """Every report, and every OCSF file, is kept exactly ReportRetentionDays (an enabled rule
    expires them then, and no other expires them sooner), and replaced or deleted versions NONCURRENT_DAYS
    more, the state's included; a rule for the whole bucket expires past versions and aborts
    incomplete uploads but no current version; no two rules with overlapping prefixes share an
    action (S3 refuses that in a configuration given with Prefix): read back from S3."""
    retention, prefix = int(d.params["ReportRetentionDays"]), d.params["ReportPrefix"]
    enabled, problems = lifecycle_rules(d), []
    report, ocsf = report_key(prefix), ocsf_key(prefix)
    for key in (report, ocsf, f"{prefix}state.json"):
        applying = [r for r in enabled if covers(r, key)]
        days = sorted({int(r["Expiration"]["Days"]) for r in applying if "Days" in r.get("Expiration", {})})
        if key in (report, ocsf):
            expect(problems, f"expiration days of {key}", days, [retention])
        noncurrent = sorted({int(r["NoncurrentVersionExpiration"].get("NoncurrentDays")) for r in applying
                             if "NoncurrentVersionExpiration" in r})
        expect(problems, f"noncurrent version expiration days of {key}", noncurrent, [NONCURRENT_DAYS])
    whole = [r for r in enabled if rule_prefix(r) == "" and covers(r, "any/key")]
    if not any("AbortIncompleteMultipartUpload" in r for r in whole):
        problems.append("no rule for the whole bucket aborts incomplete multipart uploads")
    if not any("NoncurrentVersionExpiration" in r for r in whole):
        problems.append("no rule for the whole bucket expires noncurrent versions")
    for i, a in enumerate(enabled):
        for b in enabled[i + 1:]:
            pa, pb = rule_prefix(a), rule_prefix(b)
            if pa.startswith(pb) or pb.startswith(pa):
                shared = [x for x in LIFECYCLE_ACTIONS if x in a and x in b]
                if shared:
                    problems.append(f"rules {a.get('ID')!r} and {b.get('ID')!r} have overlapping "
                                    f"prefixes {pa!r} and {pb!r} and share {shared}")
    return problems


def check_state_never_expires(d, template):
    """The change-tracking state, <ReportPrefix>state.json, rewritten every run, is never
    subject to the expiration of its current version: it would vanish whenever the schedule's
    period is longer than the retention (and tracking start over). Only <ReportPrefix>reports/
    expires; keys beside the state (and a "reports" without its "/") do not."""
    prefix, enabled, problems = d.params["ReportPrefix"], lifecycle_rules(d), []
    if not any(expires_current(r) for r in enabled):
        problems.append("no rule expires current versions at all: the reports are kept forever")
    for key in dict.fromkeys((f"{prefix}state.json", f"{prefix}state.json.tmp", f"{prefix}reports.json",
                              "state.json")):
        # By prefix alone: a rule filtered by tags too would expire the state once tagged.
        expiring = [r.get("ID") for r in enabled if key.startswith(rule_prefix(r)) and expires_current(r)]
        if expiring:
            problems.append(f"{key} (current version) is expired by {expiring}")
    return problems


def check_bucket_policy(d, template):
    """The bucket policy, read back from S3, denies every request to the bucket and its objects
    that does not come over TLS (aws:SecureTransport false), whoever sends it."""
    name = report_bucket(d)
    try:
        policy = json.loads(client("s3").get_bucket_policy(Bucket=name)["Policy"])
    except ClientError as e:
        return [f"bucket policy: {e.response['Error']['Code']}"]
    def without_tls(statement):
        tls = statement.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport")
        return set(principals(statement)) == {"*"} and str(tls).lower() == "false"

    bucket_arn, statements, problems = f"arn:aws:s3:::{name}", as_list(policy["Statement"]), []
    for action, resource in (("s3:ListBucket", bucket_arn), ("s3:GetObject", f"{bucket_arn}/any/key"),
                             ("s3:PutObject", f"{bucket_arn}/any/key")):
        denials = [st for st in granting(statements, action, resource=resource, effect="Deny")
                   if without_tls(st)]
        if not denials:
            problems.append(f"no statement denies {action} on {resource} to everyone without TLS")
    return problems


def check_archive_access(d, template):
    """The function role's S3 statements: only s3:GetObject and s3:PutObject on
    <bucket>/<ReportPrefix>*, and s3:ListBucket on the bucket limited by s3:prefix to the prefix
    (so a missing state object reads as NoSuchKey). No "s3:*" or other wildcard action, no
    Resource "*", nothing outside the prefix or on another bucket, no delete."""
    bucket, prefix = report_bucket(d), d.params["ReportPrefix"]
    bucket_arn, objects = f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/{prefix}*"
    statements, problems = function_role_statements(d), []
    for st in statements:
        sid, actions = st.get("Sid"), as_list(st.get("Action", []))
        if st.get("Effect") == "Allow" and ("NotAction" in st or "NotResource" in st):
            problems.append(f"{sid} uses NotAction or NotResource: it grants more than it names")
        if st.get("Effect") != "Allow" or not any(a == "*" or a.lower().startswith("s3:")
                                                  for a in actions):
            continue
        wild = [a for a in actions if "*" in a or "?" in a]
        if wild:
            problems.append(f"{sid} grants {wild}: name the S3 actions")
        others = [a for a in actions if a.lower() not in [x.lower() for x in ARCHIVE_ACTIONS]]
        if others:
            problems.append(f"{sid} grants {others}, beyond {ARCHIVE_ACTIONS}")
        resources = as_list(st.get("Resource", "*"))
        for action in actions:
            if action.lower() in [x.lower() for x in ARCHIVE_OBJECT_ACTIONS]:
                expect(problems, f"{sid} {action} Resource", resources, [objects])
            elif action.lower() == "s3:listbucket":
                expect(problems, f"{sid} {action} Resource", resources, [bucket_arn])
                condition = st.get("Condition", {})
                expect(problems, f"{sid} {action} Condition", condition,
                       {"StringLike": {"s3:prefix": f"{prefix}*"}})
    for action in ARCHIVE_OBJECT_ACTIONS:
        for key in (f"{prefix}reports/2026/11/27/2026-11-27T06:00:00Z.json", f"{prefix}state.json"):
            if not allows(statements, action, resource=f"{bucket_arn}/{key}"):
                problems.append(f"the function role may not {action} {key}")
        outside = [f"arn:aws:s3:::another-bucket/{prefix}state.json"]
        outside += [f"{bucket_arn}/elsewhere/state.json"] if prefix else []
        problems += [f"the function role may {action} {arn}, outside its archive" for arn in outside
                     if allows(statements, action, resource=arn)]
    if not allows(statements, "s3:ListBucket", resource=bucket_arn):
        problems.append("the function role may not s3:ListBucket: "
                        "a missing state object would read as AccessDenied")
    if allows(statements, "s3:DeleteObject"):
        problems.append("the function role may s3:DeleteObject")
    return problems


# How a daily failure alarm reads its metric: a day's maximum above 0 (a metric that is 1 or 0,
# or a count), or a day's sum of 1 or more (RemediationFailures: failed deletions add up).
DAILY_MAXIMUM = (("Statistic", "Maximum"), ("Threshold", 0), ("ComparisonOperator", "GreaterThanThreshold"))
DAILY_SUM = (("Statistic", "Sum"), ("Threshold", 1), ("ComparisonOperator", "GreaterThanOrEqualToThreshold"))


def daily_failure_alarm_problems(d, metric, wanted_count=1, shape=DAILY_MAXIMUM):
    """wanted_count alarms (1 or 0) on the function's metric; the one fires as `shape` says
    over a day, treats missing data as fine (no run is MissedAuditAlarm's), and tells the topic
    (docs/deploy.md's alarm table)."""
    alarms = [lid for lid in of_type(d, "AWS::CloudWatch::Alarm")
              if watched_metrics(d.resolved[lid]) == [("LightsailKeyAudit", metric)]]
    if len(alarms) != wanted_count:
        return [f"expected {wanted_count} alarm(s) on LightsailKeyAudit {metric}, found {alarms}"]
    if not alarms:
        return []
    props, problems = d.resolved[alarms[0]], []
    for key, wanted in shape + (("Period", 86400), ("EvaluationPeriods", 1),
                                ("TreatMissingData", "notBreaching")):
        got = props.get(key)
        if isinstance(wanted, int) and got is not None:
            got = int(got)  # a number may come through as its string
        expect(problems, f"{alarms[0]} {key}", got, wanted)
    expect(problems, f"{alarms[0]} AlarmActions", props.get("AlarmActions"), [topic_arn(d)])
    return problems


def check_archive_failures_alarm(d, template):
    """One alarm on ArchiveFailures, as daily_failure_alarm_problems says."""
    return daily_failure_alarm_problems(d, "ArchiveFailures")


def check_security_hub_failures_alarm(d, template):
    """One alarm on SecurityHubFailures exactly when SecurityHub is Enabled, as
    daily_failure_alarm_problems says; none when Disabled (the metric is then always 0)."""
    return daily_failure_alarm_problems(d, "SecurityHubFailures", int(d.params["SecurityHub"] == "Enabled"))


def check_remediation_failures_alarm(d, template):
    """One alarm on RemediationFailures in every mode (the function emits it on every run, 0
    when off): a day's sum of 1 or more, as daily_failure_alarm_problems says."""
    return daily_failure_alarm_problems(d, "RemediationFailures", shape=DAILY_SUM)


def check_outputs(d, template):
    """Every output shown is a resolved string; a Ref output is the resource's id, a GetAtt Arn
    output an ARN of that resource."""
    evaluator = Evaluator(template, d.case.params)
    wanted = [name for name in template.get("Outputs", {}) if evaluator.output_enabled(name)]
    problems = []
    expect(problems, "output keys", sorted(d.outputs), sorted(wanted))
    for name in wanted:
        value = d.outputs.get(name)
        if not isinstance(value, str) or not value or any(x in value for x in ("{", "}", "None", "Fn::")):
            problems.append(f"output {name} is not resolved: {value!r}")
            continue
        node = template["Outputs"][name]["Value"]
        if isinstance(node, dict) and isinstance(node.get("Ref"), str) and node["Ref"] in d.physical:
            expect(problems, f"output {name}", value, d.physical[node["Ref"]])
        getatt = node.get("Fn::GetAtt") if isinstance(node, dict) else None
        if isinstance(getatt, list) and getatt[1] == "Arn" and getatt[0] in d.physical:
            if not value.startswith("arn:aws:") or not value.endswith(d.physical[getatt[0]].split("/")[-1]):
                problems.append(f"output {name} {value} is not the ARN of {getatt[0]}")
    return problems


CHECKS = {
    "resources": check_resources,
    "topic": check_topic,
    "email subscription": check_email_subscription,
    "log group": check_log_group,
    "function": check_function,
    "reserved concurrency": check_reserved_concurrency,
    "environment": check_environment,
    "function role": check_function_role,
    "function role path and member outputs": check_role_path,
    "permissions documented": check_permissions_documented,
    "schedule": check_schedule,
    "schedule timezone": check_schedule_timezone,
    "invoke config": check_invoke_config,
    "no raw report to the topic": check_no_raw_report_to_topic,
    "alarms": check_alarms,
    "missed-audit alarm": check_missed_audit_alarm,
    "alarmed metrics": check_alarmed_metrics,
    "encrypted topic": check_encrypted_topic,
    "SQS queues": check_queues,
    "KMS keys": check_kms_keys,
    "report bucket": check_report_bucket,
    "report bucket lifecycle": check_bucket_lifecycle,
    "state never expires": check_state_never_expires,
    "report bucket policy": check_bucket_policy,
    "archive access": check_archive_access,
    "archive-failures alarm": check_archive_failures_alarm,
    "Security Hub access": check_security_hub_access,
    "Security Hub failures alarm": check_security_hub_failures_alarm,
    "remediation access": check_remediation_access,
    "remediation failures alarm": check_remediation_failures_alarm,
    "outputs": check_outputs,
}


# ---------------------------------------------------------------------------------------------
# member-role.yaml, deployed beside the main stack from its outputs


class CfnYamlLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short forms (!Ref, !Sub, !If...) as their long forms."""


def _intrinsic(loader, tag, node):
    name = "Ref" if tag == "!Ref" else f"Fn::{tag[1:]}"
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        value = value.split(".", 1) if tag == "!GetAtt" else value
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


CfnYamlLoader.add_multi_constructor("!", _intrinsic)


def read_member_template():
    """member-role.yaml as text (what a user deploys) and as a template dict."""
    with open(MEMBER_TEMPLATE) as f:
        text = f.read()
    return text, yaml.load(text, Loader=CfnYamlLoader)  # noqa: S506 (a SafeLoader)


class Member(NamedTuple):
    """A created member-role stack."""
    params: dict  # every parameter's value (cfn_eval: defaults filled in)
    role: dict  # IAM GetRole's Role: Arn, RoleName, AssumeRolePolicyDocument...
    outputs: dict


def member_params(d):
    """member-role.yaml's parameters, as docs/organizations.md has them: the main stack's outputs, its
    MemberExternalId as ExternalId when set, SecurityHub Enabled when the main stack's is (as
    docs/deploy.md, "Security Hub", says), its Remediation when not "off" (docs/deploy.md,
    "Remediation"), and MEMBER_EXTRA."""
    params = {"AuditAccountId": d.outputs["AuditAccountId"],
              "AuditFunctionRolePath": d.outputs["AuditFunctionRolePath"],
              "RoleName": d.outputs["MemberRoleName"]}
    if d.params["MemberExternalId"]:
        params["ExternalId"] = d.params["MemberExternalId"]
    if d.params["SecurityHub"] == "Enabled":
        params["SecurityHub"] = "Enabled"
    if d.params["Remediation"] != "off":
        params["Remediation"] = d.params["Remediation"]
    params.update(MEMBER_EXTRA.get(d.case.name, {}))
    return params


def deploy_member(d, text, member_template):
    """Creates member-role.yaml's stack beside the main one; raises Problem if it fails."""
    params = member_params(d)
    stack_id = create_stack(text, params, MEMBER_STACK_NAME)
    cfn = client("cloudformation")
    roles = [r["PhysicalResourceId"] for r in cfn.list_stack_resources(StackName=stack_id)
             ["StackResourceSummaries"] if r["ResourceType"] == "AWS::IAM::Role"]
    if len(roles) != 1:
        raise Problem(f"expected one role in {MEMBER_STACK_NAME}, found {roles}")
    stack = cfn.describe_stacks(StackName=stack_id)["Stacks"][0]
    return Member(params=Evaluator(member_template, params).params,
                  role=client("iam").get_role(RoleName=roles[0])["Role"],
                  outputs={o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs") or []})


def iam_like(value, pattern):
    """IAM's wildcard match: "*" any run of characters, "?" one, the rest literal."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.S) is not None


def arn_like(value, pattern):
    """ArnLike (and ArnEquals): each of the six colon-separated fields matched on its own."""
    fields, patterns = value.split(":", 5), pattern.split(":", 5)
    return len(fields) == len(patterns) == 6 and all(map(iam_like, fields, patterns))


CONDITION_OPERATORS = {"StringEquals": str.__eq__, "StringLike": iam_like,
                       "ArnEquals": arn_like, "ArnLike": arn_like}


def conditions_hold(condition, context):
    """Whether every test of a Condition block holds (a key missing from the request: no)."""
    for operator, tests in condition.items():
        if operator not in CONDITION_OPERATORS:
            raise Problem(f"the check does not evaluate condition operator {operator}: extend "
                          "CONDITION_OPERATORS")
        for key, values in tests.items():
            if key not in context or not any(CONDITION_OPERATORS[operator](context[key], v)
                                             for v in as_list(values)):
                return False
    return True


def trust_allows(document, role_arn, external_id):
    """Whether a trust policy lets a session of role_arn AssumeRole, presenting external_id
    (None: none), by IAM's rules for what member-role.yaml uses: a principal that is the
    role's account (root or id) or the role itself, conditions on aws:PrincipalArn (the role's
    ARN, path included) and sts:ExternalId; a matching Deny wins."""
    account = role_arn.split(":")[4]
    context = {"aws:PrincipalArn": role_arn, "aws:PrincipalAccount": account}
    if external_id is not None:
        context["sts:ExternalId"] = external_id
    allowed = False
    for st in as_list(document["Statement"]):
        if not any(iam_like("sts:assumerole", a.lower()) for a in as_list(st.get("Action", []))):
            continue
        if not {"*", account, f"arn:aws:iam::{account}:root", role_arn} & set(principals(st)):
            continue
        if conditions_hold(st.get("Condition", {}), context):
            if st.get("Effect") == "Deny":
                return False
            allowed = st.get("Effect") == "Allow"
    return allowed


def check_member_trust(d, m):
    """The trust policy read back from IAM: one statement, the audit account's root as the
    principal (a role principal is stored as the role's unique id, which a re-created role does
    not have), narrowed by ArnLike aws:PrincipalArn to the function role's path (and the older
    role's ARN when migrating), and StringEquals sts:ExternalId exactly when ExternalId is set."""
    statements = as_list(m.role["AssumeRolePolicyDocument"]["Statement"])
    if len(statements) != 1:
        return [f"expected one trust statement, got {statements}"]
    st, account, problems = statements[0], d.outputs["AuditAccountId"], []
    expect(problems, "Effect", st.get("Effect"), "Allow")
    expect(problems, "Principal", st.get("Principal"), {"AWS": f"arn:aws:iam::{account}:root"})
    expect(problems, "Action", as_list(st.get("Action")), ["sts:AssumeRole"])
    arns = [f"arn:aws:iam::{account}:role{d.outputs['AuditFunctionRolePath']}*"]
    arns += [m.params["AuditFunctionRoleArn"]] if m.params["AuditFunctionRoleArn"] else []
    wanted = {"ArnLike": {"aws:PrincipalArn": arns}}
    if m.params["ExternalId"]:
        wanted["StringEquals"] = {"sts:ExternalId": m.params["ExternalId"]}
    condition = {op: {k: as_list(v) if op == "ArnLike" else v for k, v in tests.items()}
                 for op, tests in st.get("Condition", {}).items()}
    expect(problems, "Condition", condition, wanted)
    expect(problems, "RoleName", m.role["RoleName"], d.params["MemberRoleName"])
    expect(problems, "output MemberRoleArn", m.outputs.get("MemberRoleArn"), m.role["Arn"])
    return problems


def check_member_who_may_assume(d, m):
    """The trust policy evaluated: the function's role, and the role of the stack re-created
    (same path, another generated name), may assume the member role, with the external id when
    there is one and not without it; a role outside the path, under another stack's path, in
    another account, or a user, may not; an older role only when given as AuditFunctionRoleArn."""
    account, path = d.outputs["AuditAccountId"], d.outputs["AuditFunctionRolePath"]
    document, ext = m.role["AssumeRolePolicyDocument"], m.params["ExternalId"] or None
    function_role = function_config(d)["Role"]
    older = m.params["AuditFunctionRoleArn"] or \
        f"arn:aws:iam::{account}:role/{STACK_NAME}-AuditFunctionRole-OLD0123"
    cases = [
        ("the function's role", function_role, ext, True),
        ("the role of the stack re-created", f"arn:aws:iam::{account}:role{path}{STACK_NAME}-"
                                             "AuditFunctionRole-RECREATED1", ext, True),
        ("a role of the account outside the path",
         f"arn:aws:iam::{account}:role/{STACK_NAME}-ScheduleRole-X", ext, False),
        ("a role under another stack's path", f"arn:aws:iam::{account}:role{ROLE_PATH_PREFIX}"
                                              f"{STACK_NAME}-dev/{STACK_NAME}-dev-AuditFunctionRole-X",
         ext, False),
        ("a role one folder up", f"arn:aws:iam::{account}:role{ROLE_PATH_PREFIX}X", ext, False),
        ("the same path in another account",
         f"arn:aws:iam::210987654321:role{path}{STACK_NAME}-AuditFunctionRole-X", ext, False),
        ("a user of the account under the same path", f"arn:aws:iam::{account}:user{path}X", ext, False),
        ("the older function role, by ARN", older, ext, bool(m.params["AuditFunctionRoleArn"])),
    ]
    if ext:
        cases += [("the function's role without the external id", function_role, None, False),
                  ("the function's role with another external id", function_role, ext + "x", False)]
    return [f"{what} ({arn}, external id {'none' if x is None else 'given' if x == ext else 'other'}) "
            f"{'may not' if want else 'may'} assume the member role"
            for what, arn, x, want in cases if trust_allows(document, arn, x) != want]


MEMBER_SECURITY_HUB_ACTIONS = ["securityhub:BatchImportFindings", "securityhub:GetFindings"]


def check_member_permissions(d, m):
    """The member role may only read Lightsail buckets, their keys and the regions, with its
    SecurityHub Enabled import and read its own account's Security Hub findings, and with its
    Remediation "delete" delete its own account's bucket access keys: its inline statements
    allow exactly those actions, and no managed policy is attached."""
    iam, name = client("iam"), m.role["RoleName"]
    statements, problems = inline_statements(name), []
    actions = sorted(a for st in statements if st.get("Effect") == "Allow"
                     for a in as_list(st.get("Action", [])))
    enabled, remediation = m.params["SecurityHub"] == "Enabled", m.params["Remediation"]
    expect(problems, "member role actions", actions,
           sorted(LIGHTSAIL_READS + (MEMBER_SECURITY_HUB_ACTIONS if enabled else [])
                  + ([DELETE_KEY] if remediation == "delete" else [])))
    account = m.role["Arn"].split(":")[4]
    problems += security_hub_access_problems(statements, enabled, account, "the member role")
    problems += remediation_access_problems(statements, remediation, account, "the member role")
    expect(problems, "member role managed policies",
           iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"], [])
    return problems


def check_function_reaches_member(d, m):
    """The function may assume the member role deployed from its outputs exactly when it audits
    member roles by name (AuditAccounts set), or when AuditRoleArns lists the role."""
    wanted = bool(d.params["AuditAccounts"]) or m.role["Arn"] in d.params["AuditRoleArns"]
    got = allows(function_role_statements(d), "sts:AssumeRole", resource=m.role["Arn"])
    return [] if got == wanted else [
        f"the function {'may not' if wanted else 'may'} assume {m.role['Arn']} "
        f"(AuditAccounts {d.params['AuditAccounts']!r})"]


MEMBER_CHECKS = {
    "member role: trust policy": check_member_trust,
    "member role: who may assume it": check_member_who_may_assume,
    "member role: its permissions": check_member_permissions,
    "member role: the function may assume it": check_function_reaches_member,
}


# ---------------------------------------------------------------------------------------------
# Negative cases: tiny templates that the layer must refuse or fail.

TOPIC = {"Type": "AWS::SNS::Topic"}


def must_fail(template, params, outcome, *fragments):
    """Creating the stack must fail with `outcome` (ValidationError: refused; CREATE_FAILED: the
    stack failed) in an error that mentions every fragment."""
    try:
        create_stack(json.dumps(template), params)
    except Problem as e:
        missing = [f for f in fragments if f not in str(e)]
        if outcome not in str(e) or missing:
            raise Problem(f"failed, but not with {outcome} naming {missing}: {e}")
        return
    raise Problem("the stack was created")


def refuses(template, params, *fragments):
    """CreateStack must be refused with a ValidationError that mentions every fragment."""
    must_fail(template, params, "ValidationError", *fragments)


def fails(template, *fragments):
    """The stack must end CREATE_FAILED with events that mention every fragment."""
    must_fail(template, {}, "CREATE_FAILED", *fragments)


def negative_allowed_pattern():
    params = {"Email": {"Type": "String", "AllowedPattern": "[^@\\s]+@[^@\\s]+"}}
    refuses({"Parameters": params, "Resources": {"Topic": TOPIC}}, {"Email": "not an email"},
            "Email", "[^@\\s]+@[^@\\s]+")
    create_stack(json.dumps({"Parameters": params, "Resources": {"Topic": TOPIC}}), {"Email": "a@b.example"})


def negative_select_in_condition():
    def template(arn):
        return {"Parameters": {"Target": {"Type": "String", "Default": ""}},
                "Conditions": {"IsBus": {"Fn::Equals": [
                    {"Fn::Select": [2, {"Fn::Split": [":", arn]}]}, "events"]}},
                "Resources": {"Topic": dict(TOPIC, Condition="IsBus")}}
    refuses(template({"Ref": "Target"}), {}, "Conditions/IsBus", "Fn::Select", "index 2")
    create_stack(json.dumps(template({"Fn::Sub": "${Target}:::"})), {})


def negative_unmodelled_reference():
    alarm = {"Type": "AWS::CloudWatch::Alarm", "Properties": {
        "Namespace": "AWS/Lambda", "MetricName": "Errors", "Statistic": "Sum", "Period": 60,
        "EvaluationPeriods": 1, "Threshold": 0, "ComparisonOperator": "GreaterThanThreshold",
        "Dimensions": [{"Name": "FunctionName", "Value": {"Ref": "MissingFunction"}}]}}
    fails({"Resources": {"Topic": TOPIC, "Alarm": alarm}}, "Alarm", "MissingFunction")


def negative_no_value_in_policies():
    policy = {"PolicyName": "Always", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sns:Publish", "Resource": "*"}]}}
    role = {"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": []},
        "Policies": [policy, {"Fn::If": ["Never", dict(policy, PolicyName="Never"),
                                         {"Ref": "AWS::NoValue"}]}]}}
    stack_id = create_stack(json.dumps({"Conditions": {"Never": {"Fn::Equals": ["a", "b"]}},
                                        "Resources": {"Role": role}}), {})
    summaries = client("cloudformation").list_stack_resources(StackName=stack_id)["StackResourceSummaries"]
    role_name = summaries[0]["PhysicalResourceId"]
    names = client("iam").list_role_policies(RoleName=role_name)["PolicyNames"]
    if names != ["Always"]:
        raise Problem(f"inline policies {names}, expected ['Always']")


def negative_unapplied_bucket_property():
    bucket = {"Type": "AWS::S3::Bucket", "Properties": {
        "VersioningConfiguration": {"Status": "Enabled"},
        "LoggingConfiguration": {"LogFilePrefix": "logs/"}}}
    fails({"Resources": {"Bucket": bucket}}, "Bucket", "LoggingConfiguration")


def negative_policy_of_missing_bucket():
    document = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::no-such-bucket/*"}]}
    policy = {"Type": "AWS::S3::BucketPolicy",
              "Properties": {"Bucket": "no-such-bucket", "PolicyDocument": document}}
    fails({"Resources": {"Topic": TOPIC, "Policy": policy}}, "Policy", "NoSuchBucket")


NEGATIVES = [
    ("layer: a parameter violating AllowedPattern is refused", negative_allowed_pattern),
    ("layer: an out-of-range Fn::Select in a condition fails CreateStack", negative_select_in_condition),
    ("layer: a bad Ref in an unmodelled type fails the stack", negative_unmodelled_reference),
    ("layer: AWS::NoValue leaves a role's Policies list", negative_no_value_in_policies),
    ("layer: a bucket property the layer does not apply fails the stack",
     negative_unapplied_bucket_property),
    ("layer: a bucket policy for a missing bucket fails the stack", negative_policy_of_missing_bucket),
]


# ---------------------------------------------------------------------------------------------
# Checks of the template alone.

# ReportPrefix values CreateStack must refuse: IAM wildcards would widen the function's grant
# past its prefix ("*", "?"), a policy variable would be read as one ("${...}"), and the rest
# make keys docs/archive.md's layout does not describe (no trailing "/", "/" first, "." folders).
BAD_PREFIXES = ["*", "*/", "a*/", "a?/", "${aws:username}/", "audit", "/audit/", "a//", "./", "../",
                "a/../", "a b/", "a'/", "x" * 200 + "/"]
GOOD_PREFIXES = ["", "lightsail-key-audit/", "security/lightsail-key-audit/", "a.b_c-1/2024/"]


def constraint_problems(spec, name, good, bad):
    """A parameter takes every good value and refuses every bad one, as CreateStack would."""
    problems = []
    for value in bad:
        try:
            check_parameter(name, spec, value)
            problems.append(f"{name} accepts {value[:60]!r}")
        except CfnError:
            pass
    for value in good:
        try:
            check_parameter(name, spec, value)
        except CfnError as e:
            problems.append(f"{name} refuses {value[:60]!r}: {e}")
    return problems


def check_report_prefix_constraint(templates):
    """The template's ReportPrefix takes the prefixes it should and refuses the others."""
    spec = templates["template.yaml"]["Parameters"]["ReportPrefix"]
    return constraint_problems(spec, "ReportPrefix", GOOD_PREFIXES, BAD_PREFIXES)


A, B = "123456789012", "210987654321"
# (template, parameter, values it takes, values it refuses): the accounts parameters. A wildcard
# or a second separator must never get through: "*" in a role ARN or a path would widen a grant
# or a trust, "," or "|" inside an entry would split it differently in the function.
ACCOUNT_PARAMETERS = [
    ("template.yaml", "AuditAccounts",
     ["", "organization", A, f"{A}|ab", f"arn:aws:iam::{A}:role/LightsailKeyAuditMember",
      f"arn:aws-cn:iam::{A}:role/audit/x/R|ext:1/2=3", f"{A},{B}|e-1,arn:aws:iam::{B}:role/R",
      f"{A}|" + "e" * 1224],
     ["Organization", "all", f"organization,{A}", "12345678901", f"{A} ,{B}", f" {A}", f"{A},",
      f",{A}", f"{A}|", f"{A}|a", f"{A}|a b", f"{A}|a|b", f"{A}|" + "e" * 1225,
      f"arn:aws:iam::{A}:user/R", "arn:aws:iam::*:role/R", f"arn:aws:iam::{A}:role/*",
      f"arn:aws:iam::{A}:role/R*", f"arn:aws:iam::{A}:role/", f"arn:aws:iam::{A}:role//R",
      f"arn:aws:sts::{A}:assumed-role/R/s", "${aws:PrincipalAccount}"]),
    ("template.yaml", "ExcludeAccountIds",
     ["", A, f"{A},{B}"], ["123", f"{A},", f"{A} {B}", f"{A}, {B}", "organization", "*"]),
    ("template.yaml", "TrustedAccountIds",
     ["", A, f"{A},{B}"], ["123", f"{A},", f"{A} {B}", f"{A}, {B}", "organization", "*"]),
    ("template.yaml", "AccessChecks", ["true", "false"], ["", "TRUE", "off", "yes"]),
    ("template.yaml", "MemberRoleName",
     ["LightsailKeyAuditMember", "R", "M" * 64, "a+=,.@_-b"], ["", "a/b", "R*", "R?", "M" * 65, "a b"]),
    ("template.yaml", "MemberExternalId",
     ["", "ab", "x" * 1224, "a:b/c=d,e@f.g_h-i+j"], ["a", "a b", "x" * 1225, "a|b", "a*", "a\nb"]),
    ("template.yaml", "SecurityHub", ["Disabled", "Enabled"], ["", "Yes", "enabled", "true", "on"]),
    ("template.yaml", "SecurityHubRegion",
     ["", "eu-west-1", "us-east-1", "us-gov-west-1", "ap-southeast-2", "eu-central-2"],
     ["Europe", "eu-west", "EU-WEST-1", " eu-west-1", "eu-west-1,us-east-1", "all", "*", "eu-west-*",
      "arn:aws:securityhub:eu-west-1::hub/default"]),
    ("template.yaml", "ArchiveOcsf", ["true", "false"], ["", "TRUE", "yes", "on"]),
    # The function refuses anything else at every start (REMEDIATION, REMEDIATE_CODES...).
    ("template.yaml", "Remediation", ["off", "plan", "delete"],
     ["", "Off", "DELETE", "on", "true", "false", "maybe", "dry-run", "plan,delete"]),
    ("template.yaml", "RemediateCodes",
     ["INACTIVE,NEVER_USED", "INACTIVE", "NEVER_USED", "STALE", "STALE,INACTIVE,NEVER_USED"],
     ["", "ROTATION_DUE", "MULTIPLE_ACTIVE_KEYS", "STALE,ROTATION_DUE", "stale", "STALE,", ",STALE",
      "STALE, INACTIVE", "STALE INACTIVE", "STALE|INACTIVE", "*", "ALL", "INACTIVE,NEVER_USED,"]),
    ("template.yaml", "RemediateAfterDays", ["1", "14", "365"], ["0", "-1", "366", "", "x"]),
    ("template.yaml", "RemediateMaxKeys", ["1", "5", "100"], ["0", "-1", "101", "", "x"]),
    ("member-role.yaml", "SecurityHub", ["Disabled", "Enabled"], ["", "Yes", "enabled", "true"]),
    ("member-role.yaml", "Remediation", ["off", "plan", "delete"], ["", "Off", "DELETE", "on", "true", "maybe"]),
    ("member-role.yaml", "AuditAccountId", [A], ["", "12345678901", "*", f"{A},{B}", f"arn:aws:iam::{A}:root"]),
    ("member-role.yaml", "AuditFunctionRolePath",
     ["/lightsail-key-audit/lightsail-key-audit/", "/lightsail-key-audit/prod-audit/", "/a/"],
     ["", "/", "//", "/*/", "*", "/a*/", "/a?/", "/a", "a/", "/a b/", "/${aws:username}/", "/a//",
      "/" + "a" * 511 + "/"]),
    ("member-role.yaml", "ExternalId", ["", "ab", "x" * 1224], ["a", "a b", "x" * 1225, "a*"]),
    ("member-role.yaml", "AuditFunctionRoleArn",
     ["", f"arn:aws:iam::{A}:role/lightsail-key-audit-AuditFunctionRole-ABC123"],
     ["*", f"arn:aws:iam::{A}:role/*", f"arn:aws:iam::{A}:user/u", "arn:aws:iam::*:role/R"]),
]


def parameter_check(file, name, good, bad):
    return lambda templates: constraint_problems(templates[file]["Parameters"][name], name, good, bad)


TEMPLATE_CHECKS = [
    ("template: ReportPrefix refuses wildcards and odd folders", check_report_prefix_constraint),
] + [(f"{file}: {name} takes what it documents, refuses wildcards and other shapes",
      parameter_check(file, name, good, bad)) for file, name, good, bad in ACCOUNT_PARAMETERS]
