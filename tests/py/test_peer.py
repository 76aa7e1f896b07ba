"""The bench's Python peer (bench/peer/handler.py) applies the function's key rules
(docs/rules.md) and runs as Lambda runs it.

- Its rules, on crafted keys, against docs/rules.md's table and edges: run with any Python that
  has boto3 (.venv-moto's pytest), the Lightsail calls stubbed with botocore's Stubber.
- End to end, when .venv-peer (bench/peer/setup.sh) and the release lightsail-local exist: the
  peer under awslambdaric behind scripts/lambda_runtime_api.py, its calls sent to lightsail-local
  through AWS_ENDPOINT_URL_LIGHTSAIL, with bench/run.py's environment; and, when the release
  function is built too, the same fixture audited by both gives the same codes on the same keys.
"""
import importlib.util
import json
import socket
import subprocess
import tempfile
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from botocore.stub import Stubber

from lambda_runtime_api import RuntimeApi
from support import ROOT

PEER = ROOT / "bench" / "peer"
NOW = datetime(2026, 11, 27, 6, 0, 0, tzinfo=timezone.utc)
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"
THRESHOLDS = ("STALE_AFTER_DAYS", "NEVER_USED_GRACE_DAYS", "MAX_KEY_AGE_DAYS")


def load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_peer(monkeypatch, **env):
    """handler.py freshly imported (it reads its settings and makes its client at import) with
    `env` over a clean region, credentials and thresholds."""
    for name in THRESHOLDS + ("MAX_CONCURRENCY", "AWS_ENDPOINT_URL_LIGHTSAIL", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in dict({"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKIDPEERTEST00000001",
                             "AWS_SECRET_ACCESS_KEY": "peer-test-secret-not-real"}, **env).items():
        monkeypatch.setenv(name, value)
    return load("peer_handler", PEER / "handler.py")


@pytest.fixture
def peer(monkeypatch):
    return load_peer(monkeypatch)


def key(status="Active", created=200.0, used=None, key_id="AKIAPEERTEST00000001"):
    """A key as boto3 gives it, `created` and `used` in days before NOW (None: absent, never
    used), with a secret the peer must never copy."""
    record = {"accessKeyId": key_id, "status": status, "secretAccessKey": SECRET,
              "lastUsed": {"region": "N/A", "serviceName": "N/A"}}
    if created is not None:
        record["createdAt"] = NOW - timedelta(days=created)
    if used is not None:
        record["lastUsed"] = {"lastUsedDate": NOW - timedelta(days=used), "region": "eu-west-1",
                              "serviceName": "s3"}
    return record


DEFAULTS = {"staleAfterDays": 45, "neverUsedGraceDays": 7, "maxKeyAgeDays": 90}


@pytest.mark.parametrize("status, created, used, codes", [
    ("Active", 200, 100, ["STALE", "ROTATION_DUE"]),
    ("Active", 60, 45.99, []),                      # 45 whole days: not more than 45
    ("Active", 60, 46, ["STALE"]),
    ("Active", None, 100, ["STALE"]),               # no createdAt: only the rule it does not need
    ("Active", 7.99, None, []),                     # 7 whole days: within the grace period
    ("Active", 8, None, ["NEVER_USED"]),
    ("Active", 91, None, ["NEVER_USED", "ROTATION_DUE"]),
    ("Active", 90.5, 1, []),
    ("Active", 91, 1, ["ROTATION_DUE"]),
    ("Active", -3, None, []),                       # clock skew: 0 days
    ("Active", None, None, []),
    ("Inactive", 200, 100, ["INACTIVE"]),           # and no other code
    ("Inactive", 1, None, ["INACTIVE"]),
    ("Pending", 200, 100, []),                      # a status it does not know: no rule
])
def test_key_rules(peer, status, created, used, codes):
    entry = peer.audit_key(key(status, created, used), DEFAULTS, NOW)
    assert [f["code"] for f in entry["findings"]] == codes
    assert all(f["severity"] == peer.SEVERITY[f["code"]] for f in entry["findings"])


def test_a_key_entry_has_the_functions_fields_and_never_the_secret(peer):
    used = peer.audit_key(key("Active", 200, 100), DEFAULTS, NOW)
    assert used == {
        "accessKeyId": "AKIAPEERTEST00000001", "status": "Active", "createdAt": "2026-05-11T06:00:00Z",
        "ageDays": 200, "lastUsedDate": "2026-08-19T06:00:00Z", "daysSinceLastUse": 100,
        "lastUsedRegion": "eu-west-1", "lastUsedService": "s3",
        "findings": [{"code": "STALE", "severity": "MEDIUM", "message": "last used 100 days ago; threshold 45"},
                     {"code": "ROTATION_DUE", "severity": "LOW",
                      "message": "created 200 days ago; rotation due after 90 days"}]}
    never = peer.audit_key(key("Active", -3, None), DEFAULTS, NOW)
    assert (never["ageDays"], never["lastUsedDate"], never["lastUsedRegion"], never["lastUsedService"]) == (0, None, None, None)
    assert SECRET not in json.dumps([used, never])


def test_multiple_active_keys_is_a_bucket_finding(peer):
    keys = [key("Active", 200, 1, "AKIAOLD"), key("Inactive", 300, None, "AKIAGONE"), key("Active", 2, None, "AKIANEW")]
    bucket = peer.audit_keys("media", keys, DEFAULTS, NOW)
    assert bucket["findings"] == [{"code": "MULTIPLE_ACTIVE_KEYS", "severity": "LOW",
                                   "message": "2 active keys (AKIAOLD, AKIANEW); expected at most 1 outside a rotation"}]
    assert [k["accessKeyId"] for k in bucket["keys"]] == ["AKIAOLD", "AKIAGONE", "AKIANEW"]
    assert peer.audit_keys("media", keys[:2], DEFAULTS, NOW)["findings"] == []


def test_thresholds_come_from_the_environment_then_the_event(monkeypatch):
    peer = load_peer(monkeypatch, STALE_AFTER_DAYS="10", NEVER_USED_GRACE_DAYS="0", MAX_KEY_AGE_DAYS="300")
    policy = peer.policy_of({})
    assert policy == {"staleAfterDays": 10, "neverUsedGraceDays": 0, "maxKeyAgeDays": 300}
    assert [f["code"] for f in peer.audit_key(key("Active", 200, 11), policy, NOW)["findings"]] == ["STALE"]
    assert [f["code"] for f in peer.audit_key(key("Active", 1, None), policy, NOW)["findings"]] == ["NEVER_USED"]
    assert peer.policy_of({"staleAfterDays": 100})["staleAfterDays"] == 100
    assert load_peer(monkeypatch, STALE_AFTER_DAYS=" ").policy_of({}) == DEFAULTS   # blank is unset


def test_the_handler_reports_every_named_bucket_once_and_failures_as_failed(monkeypatch):
    # One worker, so the stubbed calls come in the order they were queued.
    peer = load_peer(monkeypatch, MAX_CONCURRENCY="1")
    with Stubber(peer.LIGHTSAIL) as stub:
        stub.add_response("get_bucket_access_keys",
                          {"accessKeys": [key("Active", 200, 100, "AKIAALPHA00000000001"), key("Active", 10, None, "AKIAALPHA00000000002")]},
                          {"bucketName": "alpha"})
        stub.add_client_error("get_bucket_access_keys", "NotFoundException", "The bucket does not exist",
                              400, expected_params={"bucketName": "ghost"})
        stub.add_response("get_bucket_access_keys", {"accessKeys": [key("Inactive", 5, None, "AKIABETA000000000001")]},
                          {"bucketName": "beta"})
        report = peer.handler({"bucketNames": ["alpha", "ghost", "alpha", "beta"]}, None)
        stub.assert_no_pending_responses()
    assert [(b["bucketName"], b["status"]) for b in report["buckets"]] == [
        ("alpha", "AUDITED"), ("ghost", "ERROR"), ("beta", "AUDITED")]
    assert report["buckets"][1]["error"] == {"code": "NotFoundException", "message": "The bucket does not exist"}
    summary = report["summary"]
    assert (summary["bucketsRequested"], summary["bucketsAudited"], summary["bucketsFailed"]) == (3, 2, 1)
    assert (summary["keysAudited"], summary["activeKeys"], summary["keysWithFindings"]) == (3, 2, 3)
    assert summary["findings"] == {"STALE": 1, "NEVER_USED": 1, "ROTATION_DUE": 1, "INACTIVE": 1,
                                   "MULTIPLE_ACTIVE_KEYS": 1}
    assert Counter((f["bucketName"], f["accessKeyId"], f["code"]) for f in report["findings"]) == Counter([
        ("alpha", None, "MULTIPLE_ACTIVE_KEYS"), ("alpha", "AKIAALPHA00000000001", "ROTATION_DUE"), ("alpha", "AKIAALPHA00000000001", "STALE"),
        ("alpha", "AKIAALPHA00000000002", "NEVER_USED"), ("beta", "AKIABETA000000000001", "INACTIVE")])
    assert SECRET not in json.dumps(report)


def test_a_call_that_never_reaches_lightsail_fails_its_bucket_only(monkeypatch):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    peer = load_peer(monkeypatch, AWS_ENDPOINT_URL_LIGHTSAIL=f"http://127.0.0.1:{port}", MAX_ATTEMPTS="1")
    report = peer.handler({"bucketNames": ["alpha", 5]}, None)
    assert [(b["status"], b["error"]["code"]) for b in report["buckets"]] == [
        ("ERROR", "EndpointConnectionError"), ("ERROR", "ParamValidationError")]
    assert report["summary"]["bucketsFailed"] == 2


def test_the_peer_is_spawned_as_lambda_spawns_a_python_function():
    peer_run = load("peer_launch", PEER / "launch.py")
    assert peer_run.peer_command(ROOT) == [str(ROOT / ".venv-peer" / "bin" / "python"), "-m", "awslambdaric",
                                           "handler.handler"]
    base = {"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001", "SSL_CERT_FILE": "/tmp/ca.pem", "AWS_LAMBDA_MAX_CONCURRENCY": "4"}
    env = peer_run.peer_env(base, ROOT)
    assert env["PYTHONPATH"] == env["LAMBDA_TASK_ROOT"] == str(PEER)
    # botocore reads no SSL_CERT_FILE: the same CA goes in its own setting.
    assert (env["AWS_CA_BUNDLE"], env["AWS_LAMBDA_RUNTIME_API"]) == ("/tmp/ca.pem", "127.0.0.1:9001")
    assert "AWS_LAMBDA_MAX_CONCURRENCY" not in env and "AWS_CA_BUNDLE" not in peer_run.peer_env({}, ROOT)


# End to end: the fixture audited by the peer (and the function, when built) through
# lightsail-local, as bench/run.py runs them.

def crafted_fixture(count):
    """`count` buckets as bench/run.py's start_stand_in makes them, one bucket holding a key for
    each rule and edge, and secrets served on every key of that bucket."""
    bench = [{"name": "bench-%04d" % i, "region": "us-east-1", "keys": [
        {"accessKeyId": "AKIA%016d" % (2 * i), "status": "Active", "createdDaysAgo": 200, "lastUsedDaysAgo": 100},
        {"accessKeyId": "AKIA%016d" % (2 * i + 1), "status": "Active", "createdDaysAgo": 10, "lastUsedDaysAgo": None},
    ]} for i in range(count)]
    edges = [("AKIAEDGESTALE0000001", "Active", 60, 45.5), ("AKIAEDGESTALE0000002", "Active", 60, 46.5),
             ("AKIAEDGENEVER0000001", "Active", 7.5, None),
             ("AKIAEDGENEVER0000002", "Active", 8.5, None), ("AKIAEDGEROTATE000001", "Active", 91.5, 1),
             ("AKIAEDGEINACTIVE0001", "Inactive", 300, 200), ("AKIAEDGEPENDING00001", "Pending", 300, None)]
    mixed = {"name": "rules-edges", "region": "us-east-1", "keys": [
        {"accessKeyId": i, "status": s, "createdDaysAgo": c, "lastUsedDaysAgo": u, "secretAccessKey": SECRET}
        for i, s, c, u in edges]}
    return {"pageSize": 100, "faults": [], "buckets": bench + [mixed]}


@pytest.fixture(scope="module")
def bench():
    """bench/run.py as a module: its stand-in and its function environment."""
    module = load("bench_run", ROOT / "bench" / "run.py")
    if not (module.TARGET / "release" / "lightsail-local").exists():
        pytest.skip(f"needs {module.TARGET}/release/lightsail-local: cargo build --release -p lightsail-local")
    return module


@pytest.fixture(scope="module")
def peer_run():
    module = load("peer_launch", PEER / "launch.py")
    if not module.peer_python().exists():
        pytest.skip("needs .venv-peer: bench/peer/setup.sh")
    return module


def audit(bench, argv, env_of, names, event_extra=None):
    """One invocation of `argv` over `names` against lightsail-local serving crafted_fixture(20):
    (the report, the process's output)."""
    with tempfile.TemporaryDirectory() as work:
        local, endpoint = bench.start_local(crafted_fixture(20), "peer-fixture.json", work)
        runtime = RuntimeApi([dict({"bucketNames": names}, **(event_extra or {}))])
        with tempfile.TemporaryFile("w+") as log:
            process = subprocess.Popen(argv, env=env_of(bench.function_env(runtime, work, endpoint)),
                                       stdout=log, stderr=log)
            try:
                answer = runtime.wait_for("0", 120, process.poll)
            finally:
                process.kill()
                process.wait()
                runtime.close()
                local.kill()
                local.wait()
            log.seek(0)
            output = log.read()
    assert answer is not None, f"{argv[0]} gave no answer:\n{output[-3000:]}"
    kind, body = answer
    assert kind == "response", body[:2000]
    assert SECRET not in body.decode() and SECRET not in output
    return json.loads(body), output


NAMES = ["bench-%04d" % i for i in range(20)] + ["rules-edges", "ghost-bucket"]


def codes_by_key(report):
    """{(bucket, key id or None): sorted codes} over every audited bucket."""
    found = {}
    for bucket in report["buckets"]:
        found[(bucket["bucketName"], None)] = sorted(f["code"] for f in bucket["findings"])
        for entry in bucket["keys"]:
            found[(bucket["bucketName"], entry["accessKeyId"])] = sorted(f["code"] for f in entry["findings"])
    return found


def test_the_peer_audits_through_the_runtime_api_and_lightsail_local(bench, peer_run):
    report, output = audit(bench, peer_run.peer_command(), peer_run.peer_env, NAMES)
    summary = report["summary"]
    assert (summary["bucketsRequested"], summary["bucketsAudited"], summary["bucketsFailed"]) == (22, 21, 1)
    assert summary["keysAudited"] == 47
    assert summary["findings"] == {"STALE": 21, "NEVER_USED": 21, "ROTATION_DUE": 21, "INACTIVE": 1,
                                   "MULTIPLE_ACTIVE_KEYS": 21}
    assert report["buckets"][-1]["error"]["code"] == "NotFoundException"
    edges = codes_by_key(report)
    assert [edges[("rules-edges", k)] for k in ("AKIAEDGESTALE0000001", "AKIAEDGESTALE0000002",
                                                 "AKIAEDGENEVER0000001", "AKIAEDGENEVER0000002",
                                                 "AKIAEDGEROTATE000001",
                                                 "AKIAEDGEINACTIVE0001", "AKIAEDGEPENDING00001")] == [
        [], ["STALE"], [], ["NEVER_USED"], ["ROTATION_DUE"], ["INACTIVE"], []]
    # boto3 took the stand-in from AWS_ENDPOINT_URL_LIGHTSAIL (botocore logs where it found it).
    assert "Found endpoint for lightsail via: environment_service" in output


def test_the_peer_and_the_function_agree_on_every_key(bench, peer_run):
    function = bench.TARGET / "release" / "lightsail-key-audit"
    if not function.exists():
        pytest.skip(f"needs {function}: cargo build --release")
    peer, _ = audit(bench, peer_run.peer_command(), peer_run.peer_env, NAMES)
    rust, _ = audit(bench, [str(function)], lambda env: env, NAMES, {"includeAccessChecks": False})
    assert codes_by_key(peer) == codes_by_key(rust)
    assert [(b["bucketName"], b["status"], (b.get("error") or {}).get("code")) for b in peer["buckets"]] == [
        (b["bucketName"], b["status"], (b.get("error") or {}).get("code")) for b in rust["buckets"]]
    for field in ("bucketsAudited", "bucketsFailed", "keys", "activeKeys", "keysWithFindings"):
        assert peer["summary"][field] == rust["summary"][field], field
