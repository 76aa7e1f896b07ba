#!/usr/bin/env python3
"""Evaluates the expanded template strictly, as CloudFormation would, for the default parameters
and each documented variant, and checks the schedule's Input is the JSON request the README
documents. The Input is built from strings with Fn::Sub, Fn::Join and Fn::Split, which no linter
evaluates; the conditions use Fn::Select, which CloudFormation does not bounds-check for you.

For each parameter set: the parameters are validated against their constraints, every condition
is evaluated (every Fn::And / Fn::Or term, no short-circuit), every resource's properties and
every output are resolved (resources left symbolic), then the Input is compared, and the
schedule's name must fit Scheduler's 64 characters under the longest stack name CloudFormation
takes. Any error fails that set, naming the set and where the error is (e.g. the condition). Uses scripts/cfn_eval.py,
stdlib only, so plain python3 runs it. PARAMETER_SETS is shared with stack_deploy_check.py.

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
]


def schedule_ids(template):
    """The logical ids of the template's EventBridge Scheduler schedules."""
    return [lid for lid, r in template["Resources"].items() if r["Type"] == "AWS::Scheduler::Schedule"]


def evaluate_strictly(template, params):
    """Validates the parameters, evaluates every condition and resolves every resource and
    output: returns (conditions, resolved template); raises CfnError on the first error."""
    evaluator = Evaluator(template, params, pseudo_parameters(stack_name=LONGEST_STACK_NAME))
    conditions = evaluator.conditions()
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
    if problems:
        return False, f"parameter set {case.name!r} {case.params}: " + "; ".join(problems)
    true = [name for name, value in conditions.items() if value]
    return True, f"conditions true: {', '.join(true) or 'none'}"


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
    print(f"schedule: {len(PARAMETER_SETS) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
