"""Runs the shipped artifact as Lambda runs it: the arm64 `bootstrap` that `sam build` made,
under qemu-aarch64, behind a Lambda Runtime API on loopback, with Lambda's environment and
its Lightsail and STS calls sent to lightsail-local. scripts/artifact.sh installs qemu, starts
lightsail-local and runs these tests with --qemu, --bootstrap and --local-url.

The tests:
- every events/*.json gets the answer the e2e step expects (report.py judge), and one EMF
  record per report is in the function's log;
- at every ApplicationLogLevel Lambda allows, Lambda's documented log-level filter, applied to
  the function's real output, keeps the metrics record and every line at or above the level:
  each line carries a `level` and an RFC 3339 `timestamp` Lambda reads as the line's own.
"""
import json
import subprocess
from pathlib import Path
from typing import NamedTuple

import pytest

import report as contract
from support import ROOT, required_option
from lambda_runtime_api import RuntimeApi

FUNCTION_NAME = "lightsail-key-audit-artifact"
FUNCTION_ARN = f"arn:aws:lambda:us-east-1:123456789012:function:{FUNCTION_NAME}"
# Seconds an invocation may take under emulation before the check gives up on it.
ANSWER_TIMEOUT = 120
# The event for the log-level runs: a failed bucket (a WARN line) and findings.
LEVEL_EVENT = "audit-buckets.json"
EVENTS = sorted((ROOT / "events").glob("*.json"))


def lambda_env(local_url, home, level, extra=None):
    """The environment Lambda gives the function, as the stack's default parameters set it.
    Nothing of this shell's (RUST_BACKTRACE, SSL_CERT_DIR, ...) leaks in."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": home,
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "_HANDLER": "bootstrap",
        "LAMBDA_TASK_ROOT": home,
        "AWS_LAMBDA_FUNCTION_NAME": FUNCTION_NAME,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_LAMBDA_LOG_FORMAT": "JSON",
        "AWS_LAMBDA_LOG_LEVEL": level,
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "AKIDARTIFACTCHECK001",
        "AWS_SECRET_ACCESS_KEY": "artifact-secret-not-real",
        "AWS_SESSION_TOKEN": "artifact-session-token-not-real",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ENDPOINT_URL_LIGHTSAIL": local_url,
        "AWS_ENDPOINT_URL_STS": local_url,
        # template.yaml's environment with the default parameters.
        "BUCKET_NAMES": "",
        "AUDIT_REGIONS": "",
        "AUDIT_ROLE_ARNS": "",
        "STALE_AFTER_DAYS": "45",
        "NEVER_USED_GRACE_DAYS": "7",
        "MAX_KEY_AGE_DAYS": "90",
        "MAX_CONCURRENCY": "8",
        "NOTIFY_WHEN": "changes",
        "REPORT_PREFIX": "lightsail-key-audit/",
        # No REPORT_BUCKET: the archive is exercised against moto by the e2e step.
        "SUPPRESSIONS_JSON": "",
    }
    env.update(extra or {})
    return env


def run(qemu, bootstrap, events, env, log_path):
    """Starts the artifact under its own Runtime API, hands it `events` in order and returns
    their answers [(kind, body) or None], with all it wrote to stdout and stderr in `log_path`."""
    runtime = RuntimeApi(events, FUNCTION_ARN)
    env = dict(env, AWS_LAMBDA_RUNTIME_API=runtime.address)
    with open(log_path, "wb") as log:
        process = subprocess.Popen([qemu, str(bootstrap)], env=env, stdout=log, stderr=log,
                                   cwd=env["LAMBDA_TASK_ROOT"])
        try:
            answers = []
            for index in range(len(events)):
                answer = runtime.wait_for(str(index), ANSWER_TIMEOUT, process.poll)
                answers.append(answer)
                if answer is None:
                    break
        finally:
            process.kill()
            process.wait()
            runtime.close()
    return answers


class Artifact(NamedTuple):
    """What runs the bootstrap, and where its Lightsail is."""
    qemu: str
    bootstrap: Path
    local_url: str


class EventsRun(NamedTuple):
    """Every events/*.json through one process, as Lambda reuses one."""
    answers: dict  # event file name -> (kind, body), or None: no answer
    log: Path


@pytest.fixture(scope="module")
def artifact(pytestconfig):
    by = "scripts/artifact.sh"
    return Artifact(required_option(pytestconfig, "qemu", by),
                    Path(required_option(pytestconfig, "bootstrap", by)).resolve(),
                    required_option(pytestconfig, "local_url", by))


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("artifact")


@pytest.fixture(scope="module")
def events_run(artifact, work):
    events = [json.loads(p.read_text()) for p in EVENTS]
    log = work / "events.log"
    env = lambda_env(artifact.local_url, str(work), "INFO")
    answers = run(artifact.qemu, artifact.bootstrap, events, env, log)
    answers += [None] * (len(EVENTS) - len(answers))  # none after the first missing
    return EventsRun(dict(zip([p.name for p in EVENTS], answers)), log)


@pytest.mark.parametrize("name", [p.name for p in EVENTS])
def test_event(events_run, name):
    answer = events_run.answers[name]
    assert answer is not None, \
        f"artifact: {name}: no answer (it exited, or {ANSWER_TIMEOUT} s passed); log: {tail(events_run.log)}"
    kind, body = answer
    problem = contract.judge(name, kind == "response", body.decode(errors="replace"))
    assert problem is None, f"artifact: {name}: {problem}"


def test_emf_records(events_run):
    """One EMF metric record in the artifact's log per valid report."""
    found, problems = contract.check_emf(events_run.log.read_text(errors="replace").splitlines())
    reports = sum(answer is not None and answer[0] == "response"
                  and contract.judge(name, True, answer[1].decode(errors="replace")) is None
                  for name, answer in events_run.answers.items())
    expected = sum(not p.name.startswith("invalid") for p in EVENTS)
    if not found == reports == expected:
        problems.append(f"{found} EMF records and {reports} valid reports for {expected} events")
    assert not problems, "artifact: EMF metric records in the artifact's log: " + "; ".join(problems)


@pytest.mark.parametrize("level", contract.LAMBDA_LEVELS)
def test_log_level(artifact, work, level):
    """At each level Lambda allows, its filter over the artifact's real output keeps the
    metrics and each line at or above the level. The summary is sent to an endpoint that
    refuses it, so the run also writes an ERROR line."""
    event = json.loads((ROOT / "events" / LEVEL_EVENT).read_text())
    log = work / f"level-{level}.log"
    env = lambda_env(artifact.local_url, str(work), level, {
        "NOTIFY_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:lightsail-key-audit",
        "AWS_ENDPOINT_URL_SNS": artifact.local_url,
    })
    answers = run(artifact.qemu, artifact.bootstrap, [event], env, log)
    lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()]
    problem = level_problem(level, answers, lines, log)
    assert problem is None, (f"artifact: ApplicationLogLevel {level}: Lambda's filter keeps the metrics "
                             f"and every line at or above it: {problem}")


def level_problem(level, answers, lines, log):
    if not answers or answers[0] is None or answers[0][0] != "response":
        return f"no report; log: {tail(log)}"
    misread = [l for l in lines if contract.lambda_level(l) != own_level(l)]
    if misread:
        return f"Lambda would read these lines at another level than their own: {misread[:3]}"
    kept = contract.lambda_filter(lines, level)
    emf, problems = contract.check_emf(kept)
    if emf != 1 or problems:
        return f"{emf} metrics records kept of 1 ({problems})"
    floor = contract.LAMBDA_LEVELS.index(level)
    for message, message_level in [("bucket audit failed", "WARN"), ("notification failed", "ERROR")]:
        expected = contract.LAMBDA_LEVELS.index(message_level) >= floor
        if any(message in l for l in kept) != expected:
            return f"the {message_level} line {message!r} is {'dropped' if expected else 'kept'}"
    return None


def own_level(line):
    """The level the function gave a line; None for a line that is not a JSON object."""
    try:
        record = json.loads(line)
    except ValueError:
        return None
    return record.get("level") if isinstance(record, dict) else None


def tail(log):
    return " | ".join(Path(log).read_text(errors="replace").splitlines()[-5:])

