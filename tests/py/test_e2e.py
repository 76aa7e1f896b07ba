"""The end-to-end run of scripts/e2e.sh, read back: every events/*.json was invoked through cargo
lambda's Runtime API (`cargo lambda watch --only-lambda-apis`) against lightsail-local, with the function's S3 and SNS in moto_server. e2e.sh
gives --e2e-dir, a folder with NN-EVENT.out (the answer, or the error cargo lambda printed) and
NN-EVENT.status (its exit status) per event in invocation order, function.log (the function's log)
and moto.json (moto's address, the bucket, prefix, topic and queue).

- each answer is what the event must give (report.py judge), and one EMF record per report is
  in the log;
- each report was archived at the key its summary.archive names (WRITTEN) and the object is that
  report; PREFIXstate.json parses; the queue received one SNS envelope per report, each an
  Amazon Q Developer in chat applications custom notification, all in one thread; each publish
  (moto's record) has an `email` variant, plain text leading with new and resolved; and no
  access key id from the reports appears whole in any message or subject, while their masked
  forms (`AKIA…0OLD`) do.
"""
import json
import re
import urllib.request
from pathlib import Path
from typing import NamedTuple

import boto3
import pytest

import report as contract
from delivery_check import client
from support import ROOT, required_option

SNS_MAX_BYTES = 256 * 1024
MASK = "\u2026"  # …
MASKED = re.compile(r"[A-Z0-9]{4}" + MASK + r"[A-Z0-9]{4}")


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
    pytest.fail(f"moto has no topic {topic_arn}", pytrace=False)


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


# The run.

EVENTS = sorted(p.name for p in (ROOT / "events").glob("*.json"))
# The events that give a report (the others must fail): one archive and one notification each.
REPORTING = [name for name in EVENTS if not name.startswith("invalid")]
INDEXES = range(1, len(REPORTING) + 1)


class Answer(NamedTuple):
    label: str  # NN-EVENT: the invocation's number and the event file
    status: int  # cargo lambda invoke's exit status
    text: str  # the answer, or the error cargo lambda printed


class Moto(NamedTuple):
    url: str
    bucket: str
    prefix: str
    topic_arn: str
    queue_url: str


@pytest.fixture(scope="module")
def run_dir(pytestconfig):
    return Path(required_option(pytestconfig, "e2e_dir", "scripts/e2e.sh"))


@pytest.fixture(scope="module")
def answers(run_dir):
    """Event file name -> its Answer."""
    found = {}
    for out in sorted(run_dir.glob("*.out")):
        label = out.name[:-len(".out")]
        status = int(out.with_suffix(".status").read_text())
        found[label.split("-", 1)[1]] = Answer(label, status, out.read_text())
    return found


@pytest.fixture(scope="module")
def reports(answers):
    """(label, report) of every answer that is a valid report, in invocation order."""
    return [(a.label, json.loads(a.text)) for name, a in sorted(answers.items(), key=lambda i: i[1].label)
            if a.status == 0 and contract.judge(name, True, a.text) is None]


@pytest.fixture(scope="module")
def moto(run_dir):
    return Moto(**json.loads((run_dir / "moto.json").read_text()))


@pytest.fixture(scope="module")
def s3(moto):
    return client("s3", moto.url)


@pytest.fixture(scope="module")
def received(moto):
    """The messages of the SNS envelopes in the queue (read and deleted once)."""
    return [e.get("Message", "") for e in envelopes(moto.url, moto.queue_url)]


@pytest.fixture(scope="module")
def sent(moto):
    return published(moto.url, moto.topic_arn)


def report_of(reports, name):
    found = [r for label, r in reports if label.split("-", 1)[1] == name]
    if not found:
        pytest.fail(f"e2e: {name} gave no valid report (see its test_answer)", pytrace=False)
    return found[0]


# The answers and the log.

@pytest.mark.parametrize("name", EVENTS)
def test_answer(answers, name):
    assert name in answers, f"e2e: {name}: not invoked"
    answer = answers[name]
    problem = contract.judge(name, answer.status == 0, answer.text)
    assert problem is None, f"e2e: {name}: {problem}"


def test_emf_records(run_dir, reports):
    """Every report also went to the log as one CloudWatch EMF record, a JSON line of its own."""
    found, problems = contract.check_emf((run_dir / "function.log").read_text(errors="replace").splitlines())
    if found != len(reports):
        problems.append(f"found {found} for {len(reports)} reports")
    assert not problems, "e2e: EMF records in the function's log: " + "; ".join(problems)


# The archive.

@pytest.mark.parametrize("name", REPORTING)
def test_archived(s3, moto, reports, name):
    problem = archive_problem(s3, moto.bucket, moto.prefix, report_of(reports, name))
    assert problem is None, f"delivery: {name}: archived at summary.archive.key: {problem}"


def test_one_object_a_report(s3, moto, reports):
    archives = [r.get("summary", {}).get("archive") for _, r in reports]
    expected = sorted(str(a.get("key")) if isinstance(a, dict) else "" for a in archives)
    found = sorted(keys_under(s3, moto.bucket, f"{moto.prefix}reports/"))
    assert found == expected, f"delivery: objects under {moto.prefix}reports/, one a report: found {found}"


def test_state_parses(s3, moto):
    state = get_object(s3, moto.bucket, f"{moto.prefix}state.json")
    assert state is not None, f"delivery: {moto.prefix}state.json is missing"
    try:
        parsed = json.loads(state)
    except ValueError as e:
        pytest.fail(f"delivery: {moto.prefix}state.json is not JSON ({e})", pytrace=False)
    assert isinstance(parsed, dict), f"delivery: {moto.prefix}state.json is not a JSON object"


# The notifications.

def test_one_envelope_a_report(received, reports):
    assert len(received) == len(reports), \
        f"delivery: {len(received)} SNS envelopes in the queue, expected one a report: {len(reports)}"


@pytest.mark.parametrize("index", INDEXES)
def test_chat_notification(received, index):
    assert index <= len(received), f"delivery: message {index}: not received ({len(received)} were)"
    problems = chat_problems(received[index - 1])
    assert not problems, f"delivery: message {index}: a chat custom notification: " + "; ".join(problems)


def test_one_thread(received):
    threads = {json.loads(m).get("metadata", {}).get("threadId") for m in received if not chat_problems(m)}
    assert len(threads) <= 1, f"delivery: one threadId for every message: threadIds {sorted(threads)}"


def test_one_publish_a_report(sent, reports):
    assert len(sent) == len(reports), \
        f"delivery: {len(sent)} publishes to the topic, expected one a report: {len(reports)}"


@pytest.mark.parametrize("index", INDEXES)
def test_email_variant(sent, reports, index):
    assert index <= len(sent), f"delivery: publish {index}: not published ({len(sent)} were)"
    message = sent[index - 1]["message"]
    size = len(message.encode())
    too_big = [f"{size} bytes, over SNS's 256 KB"] if size > SNS_MAX_BYTES else []
    # The publishes are in invocation order, as the reports are.
    changes = reports[index - 1][1].get("summary", {}).get("changes") if index <= len(reports) else None
    problems = email_problems(message, changes) + too_big
    assert not problems, f"delivery: publish {index}: default and an email variant: " + "; ".join(problems)


def test_no_whole_key_id(received, sent, reports):
    texts = [(f"message {i + 1}", m) for i, m in enumerate(received)]
    texts += [(f"publish {i + 1}{label}", text) for i, p in enumerate(sent) for label, text in variants(p["message"])]
    texts += [(f"publish {i + 1}'s subject", p["subject"] or "") for i, p in enumerate(sent)]
    ids = set().union(*(key_ids(r) for _, r in reports)) if reports else set()
    problems = masking_problems(texts, ids)
    assert not problems, (f"delivery: no whole access key id in {len(received)} messages and {len(sent)} "
                          "publishes (every variant): " + "; ".join(problems))
