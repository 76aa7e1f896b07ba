"""The parameter sets the stack tests use: the default parameters and each documented variant
(tests/py/test_schedule_input.py evaluates each strictly; test_stack_deploy.py deploys those
marked `deploy` into moto), and the sets CreateStack must refuse.
"""
from typing import NamedTuple


class ParameterSet(NamedTuple):
    name: str
    params: dict  # parameter -> value, as given to CreateStack; the rest take their defaults
    request: dict  # the request docs/deploy.md documents for these parameters
    deploy: bool  # a documented deployment variant, deployed by test_stack_deploy.py


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
    # The size docs/deploy.md gives large organizations.
    ParameterSet("organization",
                 {"AuditAccounts": "organization", "MemberExternalId": "lka-7f3e9c21", "MemorySize": "512",
                  "ExcludeAccountIds": "444444444444,555555555555", "AccessChecks": "false"},
                 DEFAULT_REQUEST, True),
    ParameterSet("account list",
                 {"AuditAccounts": "210987654321,333333333333|ext-333:a/b,"
                                   "arn:aws:iam::444444444444:role/SecurityAuditLightsail|ext-444",
                  "MemberRoleName": "SecurityAuditLightsail", "TrustedAccountIds": "444455556666"},
                 DEFAULT_REQUEST, True),
    # Both ways at once: AUDIT_ACCOUNTS decides what is audited, AuditRoleArns still grants.
    ParameterSet("account list and AuditRoleArns",
                 {"AuditAccounts": "210987654321",
                  "AuditRoleArns": "arn:aws:iam::777777777777:role/OutsideTheOrganization"},
                 DEFAULT_REQUEST, True),
    # Security Hub on, everything imported in one aggregation region, OCSF archived; with an
    # account list, so member-role.yaml is deployed with its SecurityHub Enabled too.
    ParameterSet("Security Hub and OCSF",
                 {"SecurityHub": "Enabled", "SecurityHubRegion": "eu-west-1", "ArchiveOcsf": "true",
                  "AuditAccounts": "210987654321"},
                 DEFAULT_REQUEST, True),
    # Remediation: planned only (nothing granted), then deleting (the grant, here and in the
    # member role deployed beside it), each with STALE keys only, at most two a run.
    ParameterSet("remediation plan",
                 {"Remediation": "plan", "RemediateCodes": "STALE", "RemediateMaxKeys": "2"},
                 DEFAULT_REQUEST, True),
    ParameterSet("remediation delete",
                 {"Remediation": "delete", "RemediateCodes": "STALE", "RemediateMaxKeys": "2",
                  "RemediateAfterDays": "30", "AuditAccounts": "210987654321"},
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
    # The function would refuse these at every start (its SECURITY_HUB and SECURITY_HUB_REGION).
    ("SecurityHub Yes", {"SecurityHub": "Yes"}, "SecurityHub"),
    ("SecurityHubRegion Europe", {"SecurityHubRegion": "Europe"}, "SecurityHubRegion"),
    # The function would refuse these at every start (REMEDIATION, REMEDIATE_CODES,
    # REMEDIATE_AFTER_DAYS, REMEDIATE_MAX_KEYS); ROTATION_DUE is never acted on.
    ("Remediation maybe", {"Remediation": "maybe"}, "Remediation"),
    ("RemediateCodes ROTATION_DUE", {"RemediateCodes": "ROTATION_DUE"}, "RemediateCodes"),
    ("RemediateAfterDays 0", {"RemediateAfterDays": "0"}, "RemediateAfterDays"),
    ("RemediateMaxKeys 0", {"RemediateMaxKeys": "0"}, "RemediateMaxKeys"),
    # Lambda's limits: 128 MB to 10,240 MB.
    ("MemorySize 64", {"MemorySize": "64"}, "MemorySize"),
    ("MemorySize 20480", {"MemorySize": "20480"}, "MemorySize"),
]


def label(name):
    """A name as a test id: spaces as underscores, so that `pytest -k` takes it as one word."""
    return name.replace(" ", "_")
