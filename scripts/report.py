#!/usr/bin/env python3
"""Reads a lightsail-key-audit report on stdin. Its contract (check, judge, check_emf, the
log-level filter) is also what tests/py/test_e2e.py and test_artifact.py assert.

  report.py check    validates the documented contract; exits 1 naming what is wrong
  report.py table    prints a short human-readable summary: a table of findings
  report.py lambda-filter LEVEL
                     reads log lines and prints those Lambda's log-level filter keeps when
                     the function's ApplicationLogLevel is LEVEL
"""
import json
import re
import sys
from datetime import datetime

ACCESS_CODES = ["PUBLIC_READ", "PUBLIC_OBJECTS_ALLOWED", "SHARED_OUTSIDE_ORGANIZATION",
                "SHARED_WITH_ACCOUNTS", "INSTANCE_ACCESS", "ACCESS_LOGGING_OFF"]
CODES = ["STALE", "NEVER_USED", "ROTATION_DUE", "INACTIVE", "MULTIPLE_ACTIVE_KEYS"] + ACCESS_CODES
ACCESS_FIELDS = ["getObject", "allowPublicOverrides", "readonlyAccessAccounts",
                 "resourcesReceivingAccess", "accessLogging"]
KEY_FIELDS = ["accessKeyId", "status", "createdAt", "ageDays", "lastUsedDate", "daysSinceLastUse",
              "lastUsedRegion", "lastUsedService", "findings"]


def check(report):
    problems = []

    def need(cond, what):
        if not cond:
            problems.append(what)

    need(report.get("reportVersion") == 1, "reportVersion is not 1")
    need(isinstance(report.get("generatedAt"), str) and report["generatedAt"].endswith("Z"),
         "generatedAt is not an RFC 3339 UTC time")
    policy = report.get("policy", {})
    for field in ["staleAfterDays", "neverUsedGraceDays", "maxKeyAgeDays"]:
        need(isinstance(policy.get(field), int), f"policy.{field} missing")
    need(isinstance(policy.get("includeAccessChecks"), bool), "policy.includeAccessChecks missing")
    need(sorted(policy.get("accessChecks", {}).keys()) == sorted(ACCESS_CODES),
         "policy.accessChecks lacks the access codes")
    summary = report.get("summary", {})
    need(sorted(summary.get("findings", {}).keys()) == sorted(CODES), "summary.findings lacks a code")
    access_unknown = 0
    buckets = report.get("buckets", [])
    counts = dict.fromkeys(CODES, 0)
    suppressed = 0
    keys = 0
    scope_errors = report.get("scopeErrors")
    need(isinstance(scope_errors, list), "scopeErrors is not a list")
    for e in scope_errors or []:
        need(all(x in e for x in ["accountId", "region", "code", "message"]), "a scope error lacks fields")
    need(summary.get("scopeErrors") == len(scope_errors or []), "summary.scopeErrors differs from scopeErrors")
    for b in buckets:
        name = b.get("bucketName")
        need("accountId" in b and "region" in b, f"{name}: no accountId or region")
        need(b.get("status") in ("AUDITED", "ERROR", "SKIPPED"), f"{name}: bad status")
        if b.get("status") != "AUDITED":
            need(isinstance(b.get("error", {}).get("code"), str), f"{name}: error without code")
        need("bucketArn" in b and "access" in b, f"{name}: no bucketArn or access")
        access = b.get("access")
        if access is not None:
            need(all(field in access for field in ACCESS_FIELDS), f"{name}: access lacks fields")
        if "accessError" in b:
            access_unknown += 1
            need(access is None and isinstance(b["accessError"].get("code"), str),
                 f"{name}: accessError beside a known access, or without code")
        findings = list(b.get("findings", []))
        for k in b.get("keys", []):
            keys += 1
            need(all(field in k for field in KEY_FIELDS), f"{name}: key lacks fields")
            need("secretAccessKey" not in k, f"{name}: a secret access key is in the report")
            need(k.get("lastUsedRegion") != "N/A", f"{name}: N/A leaked into the report")
            findings += k.get("findings", [])
        for f in findings:
            need(all(x in f for x in ["code", "severity", "message", "recommendation"]),
                 f"{name}: finding lacks fields")
            if f.get("suppressed"):
                need(bool(f.get("suppressionReason")) and bool(f.get("suppressionExpires")),
                     f"{name}: a suppressed finding without reason or expiry")
                suppressed += 1
            else:
                counts[f["code"]] += 1
    need(summary.get("bucketsRequested") == len(buckets), "bucketsRequested differs from buckets")
    need(summary.get("keys") == keys, "summary.keys differs from the keys listed")
    need(summary.get("findings") == counts, "summary.findings differs from the findings listed")
    need(summary.get("suppressed") == suppressed, "summary.suppressed differs from the suppressed findings")
    need(summary.get("accessUnknown") == access_unknown, "summary.accessUnknown differs from the accessErrors")
    hub = summary.get("securityHub") or {}
    need(hub.get("status") in ("SENT", "PARTIAL", "FAILED", "DISABLED"), "summary.securityHub.status is not a known status")
    need(all(isinstance(hub.get(n), int) for n in ("imported", "archived", "failed")), "summary.securityHub lacks its counts")
    need(isinstance(hub.get("errors"), list), "summary.securityHub.errors is not a list")
    for by in ["byAccount", "byRegion"]:
        audited = sum(c.get("bucketsAudited", 0) for c in summary.get(by, {}).values())
        need(audited == summary.get("bucketsAudited"), f"summary.{by} does not add up to bucketsAudited")
    return problems


def judge(event_name, succeeded, answer):
    """What is wrong with the function's answer to events/EVENT_NAME, or None. An
    invalid-*.json event must fail with InvalidRequest naming the misspelt field; any other
    must succeed with a report that keeps the contract."""
    if event_name.startswith("invalid"):
        if not succeeded and "InvalidRequest" in answer and "stalAfterDays" in answer:
            return None
        return f"expected an InvalidRequest error naming stalAfterDays; got {answer[:500]}"
    if not succeeded:
        return f"the invocation failed: {answer[:500]}"
    try:
        report = json.loads(answer)
    except ValueError:
        return f"the answer is not JSON: {answer[:500]}"
    problems = check(report)
    return "the report breaks the contract: " + "; ".join(problems) if problems else None


def table(report):
    s = report["summary"]
    print(f"Audited {s['bucketsAudited']} of {s['bucketsRequested']} buckets "
          f"({s['bucketsFailed']} failed), {s['keys']} keys, {s['keysWithFindings']} with findings.")
    rows = []
    for e in report.get("scopeErrors", []):
        where = "/".join(x for x in [e["accountId"], e["region"]] if x)
        rows.append((where or "-", "-", "SCOPE " + e["code"], "-", e["message"]))
    for b in report["buckets"]:
        if b["status"] != "AUDITED":
            rows.append((b["bucketName"], "-", b["status"] + " " + b["error"]["code"], "-", b["error"]["message"]))
        if "accessError" in b:
            error = b["accessError"]
            rows.append((b["bucketName"], "-", "ACCESS UNKNOWN " + error["code"], "-", error["message"]))
        for f in (f for f in b["findings"] if not f.get("suppressed")):
            rows.append((b["bucketName"], "-", f["code"], "-", f["recommendation"]))
        for k in b["keys"]:
            for f in (f for f in k["findings"] if not f.get("suppressed")):
                days = k["daysSinceLastUse"] if f["code"] == "STALE" else k["ageDays"]
                rows.append((b["bucketName"], k["accessKeyId"], f["code"], str(days), f["recommendation"]))
    if not rows:
        print("No findings.")
        return
    head = ("BUCKET", "KEY", "VERDICT", "DAYS", "RECOMMENDATION")
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(4)]
    for r in [head] + rows:
        rec = r[4] if len(r[4]) <= 90 else r[4][:87] + "..."
        print("  ".join(r[i].ljust(widths[i]) for i in range(4)) + "  " + rec)


EMF_METRICS = ["StaleKeys", "NeverUsedKeys", "RotationDueKeys", "InactiveKeys",
               "MultipleActiveKeyBuckets", "PublicReadBuckets", "PublicObjectsAllowedBuckets",
               "SharedOutsideOrganizationBuckets", "SharedWithAccountsBuckets",
               "InstanceAccessBuckets", "AccessLoggingOffBuckets", "BucketsFailed", "BucketsSkipped",
               "BucketsAccessUnknown", "ScopeErrors", "KeysAudited", "NotificationsFailed",
               "ArchiveFailures", "SecurityHubFailures", "KeysDeleted", "RemediationFailures",
               "AuditsCompleted"]


def check_emf(lines):
    """Each EMF record must be a top-level JSON object on its own line, as CloudWatch reads it."""
    problems, found = [], 0
    for line in lines:
        line = line.strip()
        if '"_aws"' not in line:
            continue
        try:
            record = json.loads(line)
        except ValueError:
            problems.append(f"an EMF record is not a whole JSON line: {line[:120]}")
            continue
        found += 1
        if lambda_level(line) == "INFO" and record.get("level") != "INFO":
            problems.append("the record has no level and RFC 3339 timestamp Lambda accepts")
        aws = record.get("_aws", {})
        if not isinstance(aws.get("Timestamp"), int):
            problems.append("Timestamp is not epoch milliseconds")
        for directive in aws.get("CloudWatchMetrics", []):
            if directive.get("Namespace") != "LightsailKeyAudit":
                problems.append("wrong namespace")
            names = [m.get("Name") for m in directive.get("Metrics", [])]
            if names != EMF_METRICS:
                problems.append(f"metrics are {names}")
            for m in directive.get("Metrics", []):
                if m.get("Unit") != "Count" or not isinstance(record.get(m.get("Name")), int):
                    problems.append(f"metric {m.get('Name')} has no count at the root")
            for dims in directive.get("Dimensions", []):
                for d in dims:
                    if not isinstance(record.get(d), str):
                        problems.append(f"dimension {d} has no value at the root")
    return found, problems


# Lambda's log levels, least severe first (Lambda guide, "Log-level filtering").
LAMBDA_LEVELS = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"]
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")


def is_rfc3339(text):
    if not isinstance(text, str) or not RFC3339.fullmatch(text):
        return False
    try:
        datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def lambda_level(line):
    """The level Lambda's filter gives a line: a JSON object's `level` if it is a valid level
    and the object has a valid RFC 3339 `timestamp`; INFO for anything else."""
    try:
        record = json.loads(line)
    except ValueError:
        return "INFO"
    if not isinstance(record, dict):
        return "INFO"
    level = record.get("level")
    if level not in LAMBDA_LEVELS or not is_rfc3339(record.get("timestamp")):
        return "INFO"
    return level


def lambda_filter(lines, configured):
    """The lines Lambda keeps at ApplicationLogLevel `configured`."""
    floor = LAMBDA_LEVELS.index(configured)
    return [l for l in lines if l.strip() and LAMBDA_LEVELS.index(lambda_level(l)) >= floor]


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "lambda-filter" and len(sys.argv) == 3 and sys.argv[2] in LAMBDA_LEVELS:
        for line in lambda_filter(sys.stdin.read().splitlines(), sys.argv[2]):
            print(line)
        return
    report = json.load(sys.stdin)
    if mode == "check":
        problems = check(report)
        for p in problems:
            print(f"report check: {p}", file=sys.stderr)
        sys.exit(1 if problems else 0)
    elif mode == "table":
        table(report)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
