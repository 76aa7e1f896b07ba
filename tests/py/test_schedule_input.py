"""Evaluates the expanded template strictly, as CloudFormation would, for the default parameters
and each documented variant, and checks the schedule's Input is the JSON request the docs
give (docs/deploy.md). The Input is built from strings with Fn::Sub, Fn::Join and Fn::Split, which no linter
evaluates; the conditions use Fn::Select, which CloudFormation does not bounds-check for you.

For each parameter set: the parameters are validated against their constraints, every condition
is evaluated (every Fn::And / Fn::Or term, no short-circuit), every rule is checked, every
resource's properties and every output are resolved (resources left symbolic), then the Input is
compared, and the schedule's name must fit Scheduler's 64 characters under the longest stack
name CloudFormation takes (and the function role's path IAM's 512); the function role's account
statements (ACCOUNT_STATEMENTS) must be there exactly when their parameters ask. Any error fails
that set, naming the set and where the error is (e.g. the condition). Each of REFUSED_SETS must
fail, with an error naming what it should. Uses scripts/cfn_eval.py; the parameter sets are
parameter_sets.py's, shared with test_stack_deploy.py.
"""
import json

import pytest

from cfn_eval import CfnError, Evaluator, pseudo_parameters
from parameter_sets import PARAMETER_SETS, REFUSED_SETS, label

# The longest stack name CloudFormation takes: names built from it must still fit their limits.
LONGEST_STACK_NAME = "lightsail-key-audit-".ljust(128, "x")
# EventBridge Scheduler's limit on a schedule's name.
MAX_SCHEDULE_NAME = 64


# The function role's statements that depend on parameters (the accounts, Security Hub, remediation): Sid -> whether the
# parameter set must have it (see access_problem).
ACCOUNT_STATEMENTS = {
    "AssumeOrganizationMemberRoles": lambda p: p.get("AuditAccounts", "") != "",
    "ListOrganizationAccounts": lambda p: p.get("AuditAccounts", "") == "organization",
    "AssumeMemberRoles": lambda p: p.get("AuditRoleArns", "") != "",
    "ImportSecurityHubFindings": lambda p: p.get("SecurityHub", "Disabled") == "Enabled",
    "ReadSecurityHubFindings": lambda p: p.get("SecurityHub", "Disabled") == "Enabled",
    "DeleteBucketAccessKeys": lambda p: p.get("Remediation", "off") == "delete",
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



@pytest.mark.parametrize("case", PARAMETER_SETS, ids=[label(c.name) for c in PARAMETER_SETS])
def test_parameter_set(expanded, case):
    ok, text = check_set(expanded, case)
    assert ok, f"schedule: {case.name}: {text}"


@pytest.mark.parametrize("name, params, fragment", REFUSED_SETS, 
                         ids=[label(name) for name, _, _ in REFUSED_SETS])
def test_refused_set(expanded, name, params, fragment):
    ok, text = check_refused(expanded, params, fragment)
    assert ok, f"schedule: refused: {name}: expected an error naming {fragment!r}: {text}"


def test_sam_transform(pytestconfig, expanded):
    """The SAM template expands (the fixture fails naming why when it does not) to plain
    CloudFormation: no AWS::Serverless resource and no Transform are left."""
    left = sorted(lid for lid, r in expanded["Resources"].items() if r["Type"].startswith("AWS::Serverless::"))
    assert not left and "Transform" not in expanded, \
        f"SAM transform of {pytestconfig.getoption('template')}: still SAM: {left or expanded.get('Transform')}"
