#!/usr/bin/env python3
"""Evaluates the expanded template strictly, as CloudFormation would, for the default parameters
and each documented variant, and checks the schedule's Input is the JSON request the README
documents. The Input is built from strings with Fn::Sub, Fn::Join and Fn::Split, which no linter
evaluates; the conditions use Fn::Select, which CloudFormation does not bounds-check for you.

For each parameter set: the parameters are validated against their constraints, every condition
is evaluated (every Fn::And / Fn::Or term, no short-circuit), every rule is checked, every
resource's properties and every output are resolved (resources left symbolic), then the Input is
compared, and the schedule's name must fit Scheduler's 64 characters under the longest stack
name CloudFormation takes (and the function role's path IAM's 512); the function role's account
statements (ACCOUNT_STATEMENTS) must be there exactly when their parameters ask. Any error fails
that set, naming the set and where the error is (e.g. the condition). Each of REFUSED_SETS must
fail, with an error naming what it should. Uses scripts/cfn_eval.py, stdlib only, so plain
python3 runs it. PARAMETER_SETS is shared with stack_deploy_check.py.

usage: check_schedule_input.py EXPANDED.json
"""
import json
import sys
from typing import NamedTuple

from cfn_eval import CfnError, Evaluator, pseudo_parameters

# The longest stack name CloudFormation takes: names built from it must still fit their limits.
LONGEST_STACK_NAME = "lightsail-key-audit-".ljust(128, "x")
# EventBridge Scheduler's limit on a schedule's name.
MAX_SCHEDULE_NAME = 64


class ParameterSet(NamedTuple):
    name: str
    params: dict  # parameter -> value, as given to CreateStack; the rest take their defaults
    request: dict  # the request the README documents for these parameters
    deploy: bool  # a documented deployment variant, deployed by stack_deploy_check.py


DEFAULT_REQUEST = {"staleAfterDays": 45, "neverUsedGraceDays": 7, "maxKeyAgeDays": 90}
PARAMETER_SETS = [
    ParameterSet("defaults", {}, DEFAULT_REQUEST, True),
    # The deprecated NotifyAlways "true" overrides NotifyWhen (NOTIFY_WHEN=always).
    ParameterSet("email", {"AlarmEmail": "security@example.com", "NotifyAlways": "true",
                           "NotifyWhen": "findings"}, DEFAULT_REQUEST, True),
    ParameterSet("SNS target",
                 {"DeliveryTargetArn": "arn:aws:sns:us-east-1:123456789012:security-reports",
                  "NotifyWhen": "findings"},
                 DEFAULT_REQUEST, True),
    ParameterSet("EventBridge bus target",
                 {"DeliveryTargetArn": "arn:aws:events:us-east-1:123456789012:event-bus/security"},
                 DEFAULT_REQUEST, True),
    # An empty ReportPrefix: the archive at the bucket's root.
    ParameterSet("member roles",
                 {"AuditRoleArns": "arn:aws:iam::210987654321:role/LightsailKeyAuditMember,"
                                   "arn:aws:iam::333333333333:role/LightsailKeyAuditMember",
                  "ReportPrefix": ""},
                 DEFAULT_REQUEST, True),
    ParameterSet("all regions", {"AuditRegions": "all", "BucketNames": "media-prod,backups",
                                 "ReportPrefix": "security/lightsail-key-audit/",
                                 "ReportRetentionDays": "30", "NotifyWhen": "always"},
                 {"bucketNames": ["media-prod", "backups"], "regions": ["all"],
                  "staleAfterDays": 45, "neverUsedGraceDays": 7, "maxKeyAgeDays": 90}, True),
    ParameterSet("buckets, all regions, stale 30",
                 {"BucketNames": "media-prod,backups", "AuditRegions": "all", "StaleAfterDays": "30"},
                 {"bucketNames": ["media-prod", "backups"], "regions": ["all"], "staleAfterDays": 30,
                  "neverUsedGraceDays": 7, "maxKeyAgeDays": 90}, False),
    ParameterSet("two regions, max age 60", {"AuditRegions": "us-east-1,eu-west-2", "MaxKeyAgeDays": "60",
                                             "ReportRetentionDays": "3653"},
                 {"regions": ["us-east-1", "eu-west-2"], "staleAfterDays": 45, "neverUsedGraceDays": 7,
                  "maxKeyAgeDays": 60}, False),
    # Accounts come through the environment (AUDIT_ACCOUNTS etc.), never the schedule's Input.
    ParameterSet("organization",
                 {"AuditAccounts": "organization", "MemberExternalId": "lka-7f3e9c21",
                  "ExcludeAccountIds": "444444444444,555555555555"},
                 DEFAULT_REQUEST, True),
    ParameterSet("account list",
                 {"AuditAccounts": "210987654321,333333333333|ext-333:a/b,"
                                   "arn:aws:iam::444444444444:role/SecurityAuditLightsail|ext-444",
                  "MemberRoleName": "SecurityAuditLightsail"},
                 DEFAULT_REQUEST, True),
    # Both ways at once: AUDIT_ACCOUNTS decides what is audited, AuditRoleArns still grants.
    ParameterSet("account list and AuditRoleArns",
                 {"AuditAccounts": "210987654321",
                  "AuditRoleArns": "arn:aws:iam::777777777777:role/OutsideTheOrganization"},
                 DEFAULT_REQUEST, True),
    # The longest values the patterns take: a role ARN with a path, a 1224-character external id.
    ParameterSet("account list, long entries",
                 {"AuditAccounts": "arn:aws-us-gov:iam::210987654321:role/audit/x/"
                                   + "R" * 64 + "|" + "e" * 1224 + ",333333333333",
                  "MemberExternalId": "x" * 1224, "MemberRoleName": "M" * 64,
                  "ExcludeAccountIds": "210987654321"},
                 DEFAULT_REQUEST, False),
]

# Parameter sets CreateStack must refuse, each with what the error must name: a stack that
# would deploy a function refusing its own configuration at every start.
REFUSED_SETS = [
    ("organization with AuditRoleArns",
     {"AuditAccounts": "organization", "AuditRoleArns": "arn:aws:iam::210987654321:role/Audit"},
     "Rules/OrganizationWithoutRoleArns"),
]

# The function role's statements that depend on the accounts parameters: Sid -> whether the
# parameter set must have it (see access_problem).
ACCOUNT_STATEMENTS = {
    "AssumeOrganizationMemberRoles": lambda p: p.get("AuditAccounts", "") != "",
    "ListOrganizationAccounts": lambda p: p.get("AuditAccounts", "") == "organization",
    "AssumeMemberRoles": lambda p: p.get("AuditRoleArns", "") != "",
}
# IAM's limit on a role's path: the function's is built from the stack name.
MAX_ROLE_PATH = 512


def schedule_ids(template):
    """The logical ids of the template's EventBridge Scheduler schedules."""
    return [lid for lid, r in template["Resources"].items() if r["Type"] == "AWS::Scheduler::Schedule"]


def evaluate_strictly(template, params):
    """Validates the parameters, evaluates every condition, checks every rule and resolves every
    resource and output: returns (conditions, resolved template); raises CfnError on the first
    error."""
    evaluator = Evaluator(template, params, pseudo_parameters(stack_name=LONGEST_STACK_NAME))
    conditions = evaluator.conditions()
    evaluator.rules()
    return conditions, evaluator.resolve_template()


def input_problem(resolved, schedule_id, expected):
    """Why the schedule's resolved Input is not the expected request, or None."""
    text = resolved["Resources"][schedule_id]["Target"]["Input"]
    try:
        got = json.loads(text)
    except ValueError as e:
        return f"{schedule_id} Input is not JSON ({e}): {text}"
    return None if got == expected else f"{schedule_id} Input: expected {expected}, got {got}"


def name_problem(resolved, schedule_id):
    """Why the schedule's resolved Name does not fit Scheduler's limit, or None."""
    name = resolved["Resources"][schedule_id].get("Name", "")
    if len(name) <= MAX_SCHEDULE_NAME:
        return None
    return f"{schedule_id} Name has {len(name)} characters, over {MAX_SCHEDULE_NAME}: {name}"


def function_role_statements(resolved):
    """(role id, every inline statement) of the role the function runs as."""
    functions = [p for p in resolved["Resources"].values() if "Role" in p and "Runtime" in p]
    if len(functions) != 1:
        raise ValueError(f"expected one function, found {len(functions)}")
    role_id = functions[0]["Role"].strip("${}").split(".")[0]  # symbolic: ${AuditFunctionRole.Arn}
    role = resolved["Resources"][role_id]
    return role_id, [st for policy in role.get("Policies", [])
                     for st in policy["PolicyDocument"]["Statement"]]


def access_problem(resolved, case):
    """Why the function role's account statements or path are not what the parameter set
    implies, or None: each statement of ACCOUNT_STATEMENTS exactly when its parameter says."""
    role_id, statements = function_role_statements(resolved)
    sids = [st.get("Sid") for st in statements]
    problems = [f"{sid} is {'missing' if wanted(case.params) else 'present'}"
                for sid, wanted in ACCOUNT_STATEMENTS.items() if (sid in sids) != wanted(case.params)]
    path = resolved["Resources"][role_id].get("Path", "/")
    if len(path) > MAX_ROLE_PATH:
        problems.append(f"{role_id} Path has {len(path)} characters, over {MAX_ROLE_PATH}")
    return "; ".join(problems) or None


def check_set(template, case):
    """One line of result for a parameter set: (ok, text)."""
    try:
        conditions, resolved = evaluate_strictly(template, case.params)
    except CfnError as e:
        return False, f"parameter set {case.name!r} {case.params}: stack would fail: {e}"
    ids = schedule_ids(template)
    if not ids:
        return False, "the template has no AWS::Scheduler::Schedule"
    present = [lid for lid in ids if lid in resolved["Resources"]]
    problems = [p for lid in present
                for p in (input_problem(resolved, lid, case.request), name_problem(resolved, lid)) if p]
    problems += [p for p in (access_problem(resolved, case),) if p]
    if problems:
        return False, f"parameter set {case.name!r} {case.params}: " + "; ".join(problems)
    true = [name for name, value in conditions.items() if value]
    return True, f"conditions true: {', '.join(true) or 'none'}"


def check_refused(template, params, fragment):
    """A parameter set the stack must refuse, with an error naming `fragment`: (ok, text)."""
    try:
        evaluate_strictly(template, params)
    except CfnError as e:
        return (fragment in str(e)), str(e)
    return False, f"{params} is not refused"


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: check_schedule_input.py EXPANDED.json")
    with open(sys.argv[1]) as f:
        template = json.load(f)
    failed = 0
    for case in PARAMETER_SETS:
        ok, text = check_set(template, case)
        failed += not ok
        print(f"schedule: {case.name} {'ok' if ok else 'FAILED'}: {text}")
    for name, params, fragment in REFUSED_SETS:
        ok, text = check_refused(template, params, fragment)
        failed += not ok
        print(f"schedule: refused: {name} {'ok' if ok else 'FAILED'}: {text}")
    total = len(PARAMETER_SETS) + len(REFUSED_SETS)
    print(f"schedule: {total - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
