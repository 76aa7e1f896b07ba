#!/usr/bin/env python3
"""What the function delivers besides its answer, read back from moto (scripts/e2e.sh).
Runs with .venv-moto's python (boto3); every call goes to ENDPOINT, moto_server on loopback.

  delivery_check.py setup ENDPOINT BUCKET TOPIC
      creates BUCKET, topic TOPIC and queue TOPIC-queue subscribed to it (raw delivery off);
      prints `TOPIC_ARN QUEUE_URL`
  delivery_check.py check ENDPOINT BUCKET PREFIX TOPIC_ARN QUEUE_URL REPORT...
      the REPORT files are the function's answers, in the order it gave them. Checks that each
      report was archived at the key its summary.archive names (WRITTEN) and the object is that
      report; that PREFIXstate.json parses; that the queue received one SNS envelope per report,
      each an Amazon Q Developer in chat applications custom notification, all in one thread;
      that each publish (moto's record) has an `email` variant, plain text leading with new and
      resolved; and that no access key id from the reports appears whole in any message or
      subject, while their masked forms (`AKIA…0OLD`) do.
      Prints one line a check and `delivery: N passed, M failed` last; exits 1 on a failure.
"""
import json
import re
import sys
import urllib.request

import boto3

REGION = "us-east-1"
SNS_MAX_BYTES = 256 * 1024
MASK = "\u2026"  # …
MASKED = re.compile(r"[A-Z0-9]{4}" + MASK + r"[A-Z0-9]{4}")


def client(service, endpoint):
    # moto reads no signature; the dummy identity is lib.sh's offline one.
    return boto3.client(service, endpoint_url=endpoint, region_name=REGION,
                        aws_access_key_id="AKIDOFFLINE000000001",
                        aws_secret_access_key="offline-secret-not-real")


def setup(endpoint, bucket, topic):
    s3, sns, sqs = (client(s, endpoint) for s in ("s3", "sns", "sqs"))
    s3.create_bucket(Bucket=bucket)
    topic_arn = sns.create_topic(Name=topic)["TopicArn"]
    queue_url = sqs.create_queue(QueueName=f"{topic}-queue")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn["Attributes"]["QueueArn"],
                  Attributes={"RawMessageDelivery": "false"})
    print(topic_arn, queue_url)


# Reading back.

def envelopes(endpoint, queue_url):
    """Every SNS envelope in the queue, oldest first; each read and deleted."""
    sqs, found = client("sqs", endpoint), []
    while True:
        got = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=60)
        if not got.get("Messages"):
            return found
        for m in got["Messages"]:
            found.append(json.loads(m["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])


def published(endpoint, topic_arn):
    """Every publish to the topic as moto recorded it, the message as published (moto delivers
    nothing to email subscribers: this record is where the `email` variant can be seen)."""
    with urllib.request.urlopen(f"{endpoint}/moto-api/data.json") as answer:
        data = json.load(answer)
    for topic in data.get("sns", {}).get("Topic", []):
        if topic["arn"] == topic_arn:
            # Each is [message id, message, subject, message attributes, group id].
            return [{"message": n[1], "subject": n[2]} for n in topic["sent_notifications"]]
    raise SystemExit(f"moto has no topic {topic_arn}")


def get_object(s3, bucket, key):
    try:
        return s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    except s3.exceptions.NoSuchKey:
        return None


def keys_under(s3, bucket, prefix):
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    return [o["Key"] for page in pages for o in page.get("Contents", [])]


# The contract.

def archive_key(prefix, generated_at):
    """`<prefix>reports/<YYYY>/<MM>/<DD>/<generatedAt>.json`, the date generatedAt's (UTC)."""
    date = re.match(r"(\d{4})-(\d{2})-(\d{2})T.*Z$", generated_at)
    if not date:
        raise ValueError(f"generatedAt {generated_at!r} is not an RFC 3339 UTC time")
    return f"{prefix}reports/{'/'.join(date.groups())}/{generated_at}.json"


def without_archive_status(report):
    """The report less `summary.archive`: the archived copy is written before that is known."""
    copy = json.loads(json.dumps(report))
    copy.get("summary", {}).pop("archive", None)
    return copy


def archive_problem(s3, bucket, prefix, report):
    archive = report.get("summary", {}).get("archive")
    if not isinstance(archive, dict) or archive.get("status") != "WRITTEN":
        return f"summary.archive is {json.dumps(archive)}, not WRITTEN"
    try:
        expected = archive_key(prefix, report.get("generatedAt", ""))
    except ValueError as e:
        return str(e)
    if archive.get("key") != expected:
        return f"summary.archive.key is {archive.get('key')!r}, expected {expected!r}"
    body = get_object(s3, bucket, expected)
    if body is None:
        return f"no object at {expected}"
    try:
        stored = json.loads(body)
    except ValueError as e:
        return f"the object at {expected} is not JSON ({e}): {body[:200]!r}"
    if without_archive_status(stored) != without_archive_status(report):
        return f"the object at {expected} is not the report returned"
    return None


def chat_problems(text):
    """What keeps `text` from being a chat custom notification (custom-notifs), as a list."""
    try:
        n = json.loads(text)
    except ValueError:
        return [f"not JSON: {text[:200]}"]
    if not isinstance(n, dict):
        return ["not a JSON object"]
    content, metadata = n.get("content"), n.get("metadata")
    if not isinstance(content, dict) or not isinstance(metadata, dict):
        return ["no content or metadata object"]
    problems = []
    for what, value, expected in [("version", n.get("version"), "1.0"), ("source", n.get("source"), "custom"),
                                  ("content.textType", content.get("textType"), "client-markdown")]:
        if value != expected:
            problems.append(f"{what} is {value!r}, not {expected!r}")
    for field in ("title", "description"):
        if not isinstance(content.get(field), str) or not content[field].strip():
            problems.append(f"content.{field} is empty or not text")
    steps = content.get("nextSteps")
    if not isinstance(steps, list) or not all(isinstance(s, str) for s in steps):
        problems.append("content.nextSteps is not a list of text")
    if not isinstance(metadata.get("threadId"), str) or not metadata["threadId"]:
        problems.append("metadata.threadId is empty or not text")
    return problems


def email_problems(message, changes=None):
    """What is wrong with one publish's message: it must be a MessageStructure json object of
    text with `default` and `email`, the email plain text leading (its first three lines) with
    new and resolved findings; only with new ones when the report's summary.changes is
    FIRST_RUN (nothing can have been resolved), and with why not when changes are UNKNOWN or
    DISABLED."""
    try:
        variants = json.loads(message)
    except ValueError:
        return ["not a MessageStructure json message (not JSON)"]
    if not isinstance(variants, dict) or not all(isinstance(v, str) for v in variants.values()):
        return ["not a JSON object of text (MessageStructure json)"]
    if "default" not in variants or "email" not in variants:
        return [f"variants are {sorted(variants)}; default and email are needed"]
    email = variants["email"].strip()
    try:
        json.loads(email)
        return ["the email variant is JSON, not plain text"]
    except ValueError:
        pass
    head = " ".join(email.splitlines()[:3]).lower()
    # Untracked (no archive, an unreadable state, overridden thresholds): nothing is new or
    # resolved, and the email says so where the changes would be.
    leads = {"FIRST_RUN": ["new"], "UNKNOWN": ["changes unknown"], "DISABLED": ["not tracked"]}.get(
        changes, ["new", "resolved"])
    if not all(word in head for word in leads):
        return [f"the email does not lead with {' and '.join(leads)} (summary.changes {changes}): {email[:200]!r}"]
    return []


def variants(message):
    """(label, text) for each variant of a MessageStructure json message (its JSON decoded:
    `\u2026` is `…`), and the message itself as published."""
    try:
        decoded = json.loads(message)
    except ValueError:
        decoded = None
    found = [("", message)]
    if isinstance(decoded, dict):
        found += [(f"'s {name}", v) for name, v in decoded.items() if isinstance(v, str)]
    return found


def key_ids(value):
    """Every accessKeyId anywhere in a report (keys, resolvedFindings, ...)."""
    if isinstance(value, dict):
        found = {value["accessKeyId"]} if isinstance(value.get("accessKeyId"), str) else set()
        return found.union(*(key_ids(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(key_ids(v) for v in value))
    return set()


def mask(key_id):
    return key_id[:4] + MASK + key_id[-4:]


def masking_problems(texts, ids):
    """No id appears whole in any of the (label, text) pairs; some masked form appears; every
    masked-looking token masks a known id."""
    problems = []
    for label, text in texts:
        leaked = sorted(k for k in ids if k in text)
        if leaked:
            problems.append(f"{label} carries unmasked key ids {leaked}")
        strangers = sorted(set(MASKED.findall(text)) - {mask(k) for k in ids})
        if strangers:
            problems.append(f"{label} masks ids no report has: {strangers}")
    if ids and not any(mask(k) in text for _, text in texts for k in ids):
        problems.append("no masked key id (like AKIA" + MASK + "0OLD) appears in any message")
    return problems


class Tally:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, name, problems):
        if problems:
            self.failed += 1
            print(f"delivery: {name} FAILED: {'; '.join(problems)}", file=sys.stderr)
        else:
            self.passed += 1
            print(f"delivery: {name} ok")

    def end(self):
        print(f"delivery: {self.passed} passed, {self.failed} failed")
        return 1 if self.failed else 0


def check_archive(tally, s3, bucket, prefix, reports):
    for name, report in reports:
        problem = archive_problem(s3, bucket, prefix, report)
        tally.check(f"{name}: archived at summary.archive.key", [problem] if problem else [])
    archives = [r.get("summary", {}).get("archive") for _, r in reports]
    expected = sorted(str(a.get("key")) if isinstance(a, dict) else "" for a in archives)
    found = sorted(keys_under(s3, bucket, f"{prefix}reports/"))
    tally.check(f"{len(found)} objects under {prefix}reports/, one a report",
                [] if found == expected else [f"found {found}, expected {expected}"])
    state = get_object(s3, bucket, f"{prefix}state.json")
    try:
        problems = [] if state is not None and isinstance(json.loads(state), dict) else ["missing"]
    except ValueError as e:
        problems = [f"not JSON ({e})"]
    tally.check(f"{prefix}state.json parses", problems)


def check_notifications(tally, endpoint, topic_arn, queue_url, reports):
    received = envelopes(endpoint, queue_url)
    tally.check(f"{len(received)} SNS envelopes in the queue, one a report",
                [] if len(received) == len(reports) else [f"expected {len(reports)}"])
    messages = [e.get("Message", "") for e in received]
    for i, message in enumerate(messages):
        tally.check(f"message {i + 1}: a chat custom notification", chat_problems(message))
    threads = {json.loads(m).get("metadata", {}).get("threadId") for m in messages if not chat_problems(m)}
    tally.check("one threadId for every message", [] if len(threads) <= 1 else [f"threadIds {sorted(threads)}"])
    sent = published(endpoint, topic_arn)
    tally.check(f"{len(sent)} publishes to the topic, one a report",
                [] if len(sent) == len(reports) else [f"expected {len(reports)}"])
    for i, p in enumerate(sent):
        size = len(p["message"].encode())
        too_big = [f"{size} bytes, over SNS's 256 KB"] if size > SNS_MAX_BYTES else []
        # The publishes are in invocation order, as the reports are.
        changes = reports[i][1].get("summary", {}).get("changes") if i < len(reports) else None
        tally.check(f"publish {i + 1}: default and an email variant",
                    email_problems(p["message"], changes) + too_big)
    texts = [(f"message {i + 1}", m) for i, m in enumerate(messages)]
    texts += [(f"publish {i + 1}{label}", text) for i, p in enumerate(sent) for label, text in variants(p["message"])]
    texts += [(f"publish {i + 1}'s subject", p["subject"] or "") for i, p in enumerate(sent)]
    ids = set().union(*(key_ids(r) for _, r in reports)) if reports else set()
    tally.check(f"no whole access key id in {len(messages)} messages and {len(sent)} publishes (every variant)",
                masking_problems(texts, ids))


def check(endpoint, bucket, prefix, topic_arn, queue_url, report_files):
    reports = []
    for path in report_files:
        with open(path) as f:
            reports.append((path.rsplit("/", 1)[-1], json.load(f)))
    tally = Tally()
    check_archive(tally, client("s3", endpoint), bucket, prefix, reports)
    check_notifications(tally, endpoint, topic_arn, queue_url, reports)
    return tally.end()


def main():
    args = sys.argv[1:]
    if len(args) == 4 and args[0] == "setup":
        setup(*args[1:])
    elif len(args) >= 6 and args[0] == "check":
        sys.exit(check(*args[1:6], args[6:]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
