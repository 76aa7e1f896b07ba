"""The bench's Python peer: the same audit of named Lightsail buckets' access keys as the Rust
function, written as a Python developer would write it for Lambda: boto3 under awslambdaric,
one client made at import, the buckets fetched side by side by a thread pool.

Event: {"bucketNames": [...], "staleAfterDays": 45, "neverUsedGraceDays": 7, "maxKeyAgeDays": 90}
(the thresholds optional). The report keeps the Rust function's field names where it has them.
The secret access key is never copied out of the response: the records below are built field by
field from what the rules need.
"""
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError


def env_int(name, default):
    """An integer setting from the environment; blank counts as unset, as for the function."""
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


# The Rust function's defaults and variables (docs/configuration.md).
STALE_AFTER_DAYS = env_int("STALE_AFTER_DAYS", 45)
NEVER_USED_GRACE_DAYS = env_int("NEVER_USED_GRACE_DAYS", 7)
MAX_KEY_AGE_DAYS = env_int("MAX_KEY_AGE_DAYS", 90)
MAX_CONCURRENCY = env_int("MAX_CONCURRENCY", 8)
MAX_ATTEMPTS = env_int("MAX_ATTEMPTS", 3)
ATTEMPT_TIMEOUT_S = env_int("ATTEMPT_TIMEOUT_MS", 5000) / 1000

SECONDS_PER_DAY = 86_400
KEY_CODES = ("STALE", "NEVER_USED", "ROTATION_DUE", "INACTIVE", "MULTIPLE_ACTIVE_KEYS")
SEVERITY = {"STALE": "MEDIUM", "NEVER_USED": "MEDIUM", "ROTATION_DUE": "LOW", "INACTIVE": "LOW",
            "MULTIPLE_ACTIVE_KEYS": "LOW"}

logger = logging.getLogger()
# With Lambda's log-level control (AWS_LAMBDA_LOG_LEVEL), awslambdaric has set the level already.
if not os.environ.get("AWS_LAMBDA_LOG_LEVEL"):
    logger.setLevel(logging.INFO)

# One client for the life of the execution environment: boto3 clients are thread-safe. Standard
# retries as the function's; a connection per worker, or urllib3 would drop the extra ones.
LIGHTSAIL = boto3.client(
    "lightsail",
    region_name=os.environ.get("AWS_REGION"),
    config=Config(retries={"mode": "standard", "max_attempts": MAX_ATTEMPTS},
                  max_pool_connections=MAX_CONCURRENCY,
                  connect_timeout=min(ATTEMPT_TIMEOUT_S, 3), read_timeout=ATTEMPT_TIMEOUT_S),
)


def whole_days(then, now):
    """Whole days from `then` to `now`, floored; a time in the future counts as 0."""
    return max(0, int((now - then).total_seconds()) // SECONDS_PER_DAY)


def iso(moment):
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def finding(code, message):
    return {"code": code, "severity": SEVERITY[code], "message": message}


def key_findings(status, age, unused, policy):
    """The key-level findings of one key: `age` and `unused` are whole days or None."""
    if status == "Inactive":
        return [finding("INACTIVE", "status Inactive" + ("; created %d days ago" % age if age is not None else ""))]
    if status != "Active":
        return []
    found = []
    if unused is not None and unused > policy["staleAfterDays"]:
        found.append(finding("STALE", "last used %d days ago; threshold %d" % (unused, policy["staleAfterDays"])))
    elif unused is None and age is not None and age > policy["neverUsedGraceDays"]:
        found.append(finding("NEVER_USED", "never used; created %d days ago; grace period %d days"
                             % (age, policy["neverUsedGraceDays"])))
    if age is not None and age > policy["maxKeyAgeDays"]:
        found.append(finding("ROTATION_DUE", "created %d days ago; rotation due after %d days"
                             % (age, policy["maxKeyAgeDays"])))
    return found


def known(value):
    """Lightsail's "N/A" placeholder (a never-used key's region and service) as None."""
    return None if value in (None, "N/A") else value


def audit_key(key, policy, now):
    """One key's entry: its facts, never its secret, and its findings."""
    created = key.get("createdAt")
    last_used = key.get("lastUsed") or {}
    used = last_used.get("lastUsedDate")
    age = whole_days(created, now) if created else None
    unused = whole_days(used, now) if used else None
    return {
        "accessKeyId": key.get("accessKeyId"),
        "status": key.get("status"),
        "createdAt": iso(created),
        "ageDays": age,
        "lastUsedDate": iso(used),
        "daysSinceLastUse": unused,
        "lastUsedRegion": known(last_used.get("region")) if used else None,
        "lastUsedService": known(last_used.get("serviceName")) if used else None,
        "findings": key_findings(key.get("status"), age, unused, policy),
    }


def audit_keys(name, keys, policy, now):
    """An audited bucket's entry from its keys, as Lightsail listed them."""
    active = [k.get("accessKeyId") or "(no id)" for k in keys if k.get("status") == "Active"]
    findings = []
    if len(active) >= 2:
        findings.append(finding("MULTIPLE_ACTIVE_KEYS", "%d active keys (%s); expected at most 1 outside a rotation"
                                % (len(active), ", ".join(active))))
    return {"bucketName": name, "region": LIGHTSAIL.meta.region_name, "status": "AUDITED", "findings": findings,
            "keys": [audit_key(k, policy, now) for k in keys]}


def audit_bucket(name, policy, now):
    """One bucket's entry; a failed call makes an ERROR entry, never an exception."""
    try:
        keys = LIGHTSAIL.get_bucket_access_keys(bucketName=name).get("accessKeys", [])
    except ClientError as error:
        detail = error.response.get("Error", {})
        failure = {"code": detail.get("Code", "UnknownServiceError"), "message": detail.get("Message", str(error))}
    except BotoCoreError as error:
        failure = {"code": type(error).__name__, "message": str(error)}
    else:
        return audit_keys(name, keys, policy, now)
    logger.warning("bucket %s not audited: %s: %s", name, failure["code"], failure["message"])
    return {"bucketName": name, "region": LIGHTSAIL.meta.region_name, "status": "ERROR", "error": failure,
            "findings": [], "keys": []}


def summarise(buckets):
    """The summary counts and the flat list of findings, bucket-level ones with a null key id."""
    flat = []
    for bucket in buckets:
        flat += [dict(f, bucketName=bucket["bucketName"], accessKeyId=None) for f in bucket["findings"]]
        for key in bucket["keys"]:
            flat += [dict(f, bucketName=bucket["bucketName"], accessKeyId=key["accessKeyId"]) for f in key["findings"]]
    keys = [key for bucket in buckets for key in bucket["keys"]]
    summary = {
        "bucketsRequested": len(buckets),
        "bucketsAudited": sum(b["status"] == "AUDITED" for b in buckets),
        "bucketsFailed": sum(b["status"] == "ERROR" for b in buckets),
        "keys": len(keys),
        "keysAudited": len(keys),
        "activeKeys": sum(k["status"] == "Active" for k in keys),
        "keysWithFindings": sum(bool(k["findings"]) for k in keys),
        "findings": {code: sum(f["code"] == code for f in flat) for code in KEY_CODES},
    }
    return summary, flat


def policy_of(event):
    """The thresholds: the event's, else the environment's."""
    return {"staleAfterDays": int(event.get("staleAfterDays", STALE_AFTER_DAYS)),
            "neverUsedGraceDays": int(event.get("neverUsedGraceDays", NEVER_USED_GRACE_DAYS)),
            "maxKeyAgeDays": int(event.get("maxKeyAgeDays", MAX_KEY_AGE_DAYS))}


def handler(event, context):
    names = list(dict.fromkeys(event.get("bucketNames") or []))
    policy = policy_of(event)
    now = datetime.now(timezone.utc)
    with ThreadPoolExecutor(max_workers=MAX_CONCURRENCY) as pool:
        buckets = list(pool.map(lambda name: audit_bucket(name, policy, now), names))
    summary, findings = summarise(buckets)
    logger.info("audit done: %d buckets audited, %d failed, %d keys, findings %s", summary["bucketsAudited"],
                summary["bucketsFailed"], summary["keys"], summary["findings"])
    return {"reportVersion": 1, "generatedAt": iso(now), "policy": policy, "summary": summary,
            "findings": findings, "buckets": buckets}
