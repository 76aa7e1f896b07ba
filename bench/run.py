#!/usr/bin/env python3
"""The benchmark behind `make bench`: cold start, audit time against the latency bound, peak
memory, package size and CPU per key, printed as one table.

The function runs as Lambda runs it: a release build under a minimal Lambda Runtime API served
here, its Lightsail calls going to lightsail-local with a fixed latency per call, its archive
(S3) calls to moto_server (.venv-moto), directly or through a proxy that adds the same latency.
Its environment is a minimal one built here: no RUST_BACKTRACE, no SSL_CERT_DIR, as on Lambda.

  bench/run.py                     everything (builds what it needs)
  bench/run.py --quick             fewer runs, no package build, no criterion
  bench/run.py --binary PATH       measure another build of the function (profile experiments)
  bench/run.py --named             only the named-bucket audits, access checks on and off
  bench/run.py --organization      only organization mode
"""
import argparse
import collections
import functools
import http.client
import json
import math
import os
import re
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "bench" / "peer"))
from lambda_runtime_api import RuntimeApi  # noqa: E402
from cgroup import CpuQuota  # noqa: E402
import launch as peer  # noqa: E402
import power  # noqa: E402
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer  # noqa: E402
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
LATENCY_MS = 50
CONCURRENCY = 16
# GetBuckets page size of the stand-in: discovery lists pages one after another, before fetching.
PAGE_SIZE = 100
# The archive as deployed (template.yaml sets REPORT_BUCKET, REPORT_PREFIX and NOTIFY_TOPIC_ARN).
ARCHIVE_BUCKET = "bench-archive"
ARCHIVE_PREFIX = "bench/"
TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:lightsail-key-audit-bench"
MOTO_SERVER = ROOT / ".venv-moto" / "bin" / "moto_server"
# The unthrottled cgroup every function runs in when the machine allows one, for its CPU count
# in nanoseconds (main sets it; None: CPU from /proc, in clock ticks, and no memory-size rows).
CGROUP = None
# The CA certificate of lightsail-local's generated certificate when the bench runs over TLS
# (the default; main sets it); None: plain HTTP.
TLS_CA = None


def function_env(runtime, home, endpoint=None, extra=None):
    """The function's whole environment: what Lambda sets, test credentials, and `extra`.
    Nothing is inherited (no RUST_BACKTRACE, no SSL_CERT_DIR: Lambda sets neither)."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": home,
        "AWS_LAMBDA_RUNTIME_API": runtime.address,
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "AKIDBENCHMARK0000001",
        "AWS_SECRET_ACCESS_KEY": "benchmark-secret-not-real",
        "AWS_SESSION_TOKEN": "benchmark-session-token",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_LAMBDA_FUNCTION_NAME": "lightsail-key-audit-bench",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
        "AWS_LAMBDA_LOG_FORMAT": "JSON",
        "AWS_LAMBDA_LOG_LEVEL": "INFO",
        "MAX_CONCURRENCY": str(CONCURRENCY),
    }
    if endpoint:
        env["AWS_ENDPOINT_URL_LIGHTSAIL"] = endpoint
    if TLS_CA:
        # As Lambda's trust store works: one bundle file, the platform's roots plus the
        # stand-in's CA (trust_bundle), so loading it costs what loading Lambda's costs.
        env["SSL_CERT_FILE"] = str(TLS_CA.with_name("trust.pem"))
    env.update(extra or {})
    return env


def tool_env():
    """The environment of the tools the harness starts (moto, cargo bench): its own, less the
    variables that change what is measured."""
    return {k: v for k, v in os.environ.items() if k not in ("RUST_BACKTRACE", "SSL_CERT_DIR")}


def stop(process):
    """Stops a process and returns its peak RSS in KiB: VmHWM, the high-water mark of the
    process's own address space. (Not the child's ru_maxrss: that counts the pages of this
    Python process copied by fork before the exec, about 20 MB.)"""
    peak = 0
    try:
        with open(f"/proc/{process.pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    peak = int(line.split()[1])
    except OSError:
        pass
    process.kill()
    process.wait()
    return peak


def cold_start(binary, runs, home, extra=None, quota=None, command=None):
    """Milliseconds from spawning the process (in the cgroup `quota`, if given) to its first
    Runtime API `next`."""
    times = []
    for _ in range(runs):
        runtime = RuntimeApi([])
        process, start = spawn(command or Command.of(binary), quota, function_env(runtime, home, extra=extra),
                               subprocess.DEVNULL)
        try:
            times.append(wait_first_next(runtime, process, start, 60) * 1000)
        finally:
            stop(process)
            runtime.close()
    return times


def start_stand_in(buckets, latency_ms, work):
    fixture = {
        "pageSize": PAGE_SIZE,
        "faults": [{"kind": "latency", "latencyMs": latency_ms}] if latency_ms else [],
        "buckets": [
            {"name": name, "region": "us-east-1", "keys": [
                {"accessKeyId": "AKIA%016d" % (2 * i), "status": "Active", "createdDaysAgo": 200,
                 "lastUsedDaysAgo": 100},
                {"accessKeyId": "AKIA%016d" % (2 * i + 1), "status": "Active", "createdDaysAgo": 10,
                 "lastUsedDaysAgo": None},
            ]}
            for i, name in enumerate(buckets)
        ],
    }
    return start_local(fixture, "fixture-%d-%d.json" % (len(buckets), latency_ms), work)


def start_local(fixture, name, work):
    """lightsail-local (release) serving `fixture`, written to `name` in `work`: (the process,
    its URL)."""
    path = Path(work) / name
    path.write_text(json.dumps(fixture))
    tls = ["--tls", "--tls-ca-out", str(TLS_CA)] if TLS_CA else []
    local = subprocess.Popen([str(TARGET / "release" / "lightsail-local"), "--fixture", str(path), "--port", "0"] + tls,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    line = local.stdout.readline()
    match = re.search(r"listening on (https?://\S+)", line)
    if not match:
        local.kill()
        sys.exit(f"bench: lightsail-local did not start: {line}")
    if TLS_CA:
        trust_bundle(TLS_CA)
    return local, match.group(1)


# The platform's roots, as on Lambda's Amazon Linux (about 140 certificates here).
SYSTEM_ROOTS = Path("/etc/ssl/certs/ca-certificates.crt")


@functools.cache
def system_roots():
    """The platform's roots (none when absent), read once, ending with a newline."""
    roots = SYSTEM_ROOTS.read_text() if SYSTEM_ROOTS.exists() else ""
    return roots if not roots or roots.endswith("\n") else roots + "\n"


def trust_bundle(ca):
    """Writes trust.pem beside `ca`: the platform's roots and then `ca`, the certificate
    lightsail-local generated at this start. The function reads it at its start."""
    ca.with_name("trust.pem").write_text(system_roots() + ca.read_text())


class Invocation(collections.namedtuple("Invocation", "ms rss_kib cpu_s init_cpu_s init_ms kept")):
    """One invocation's figures: ms from event to answer, the process's peak RSS (KiB), the CPU
    the invocation used (seconds, after the init phase), the init phase's CPU and its time from
    spawn to the first `next` (ms; with a cgroup only, else None), and what `check` returned."""


class Command(collections.namedtuple("Command", "argv env")):
    """How to start a function: its argv, and `env`, which turns function_env's environment
    into its own (the identity for the Rust binary; the peer adds Python's settings)."""

    @classmethod
    def of(cls, binary):
        return cls([str(binary)], lambda env: env)


def invoke(binary, local, endpoint, event, home, work, extra, timeout, check, quota=None, command=None):
    """One invocation of `binary` (or of `command`, e.g. the peer) with `event`, its AWS calls sent
    to the stand-in `local` at `endpoint`, in the cgroup `quota` when given (else `CGROUP`, the
    unthrottled one, when the machine has it): waits up to `timeout` s for the answer and hands
    (kind, body) to `check`, which exits on a wrong answer and returns what the caller keeps of
    it. The function and the stand-in are stopped whatever happens. With a cgroup, the first
    `next` is held until the init phase's CPU is read, so the invocation's CPU excludes it."""
    quota = quota or CGROUP
    runtime = RuntimeApi([event], hold=quota is not None)
    log = open(Path(work) / "function.log", "w")
    # The cgroup's count is cumulative: what earlier processes (all stopped) used is subtracted.
    used_before = quota.usage_ns() / 1e9 if quota else 0
    process, start = spawn(command or Command.of(binary), quota, function_env(runtime, home, endpoint, extra), log)
    init_cpu = init_ms = None
    try:
        if quota:
            init_ms = wait_first_next(runtime, process, start, timeout) * 1000
            init_cpu = quota.usage_ns() / 1e9 - used_before
            runtime.release()
        if not runtime.answered_event.wait(timeout=timeout):
            sys.exit(f"bench: the function did not answer within {timeout} s")
        kind, body = runtime.answers["0"]
        kept = check(kind, body)
        elapsed = (runtime.answered["0"] - runtime.delivered["0"]) * 1000
        cpu = quota.usage_ns() / 1e9 - used_before - init_cpu if quota else cpu_seconds(process.pid)
    finally:
        rss = stop(process)
        log.close()
        runtime.close()
        local.kill()
        local.wait()
    return Invocation(elapsed, rss, cpu, init_cpu, init_ms, kept)


def spawn(command, quota, env, out):
    """Starts `command` with `env` made its own, its output to `out`; in the cgroup `quota`
    when given, once the quota is whole again: (the process, when it was started)."""
    if quota:
        quota.fresh()
    argv = quota.wrap(command.argv) if quota else command.argv
    start = time.perf_counter()
    return subprocess.Popen(argv, env=command.env(env), stdout=out, stderr=out), start


def wait_first_next(runtime, process, start, timeout):
    """Seconds from `start` to the process's first `next`; exits if it dies or never asks."""
    while runtime.first_next is None:
        if process.poll() is not None or time.perf_counter() - start > timeout:
            sys.exit(f"bench: {process.args[0]} never asked the Runtime API for an event")
        time.sleep(0.0002)
    return runtime.first_next - start


def every_bucket(buckets):
    """A `check` for `invoke`: the answer is a report that audited every one of `buckets`."""
    def check(kind, body):
        report = json.loads(body)
        if kind != "response" or report["summary"]["bucketsAudited"] != len(buckets):
            sys.exit(f"bench: the function did not audit every bucket: {kind} {body[:300]!r}")
        return report
    return check


def audit_event(buckets, named, request=None):
    """The event: `buckets` named (at most 1000) or none (discovery), plus the fields of
    `request` (e.g. includeAccessChecks)."""
    return dict({"bucketNames": buckets} if named else {}, **(request or {}))


def audit_run(binary, buckets, latency_ms, home, work, named, extra=None, request=None, quota=None, command=None):
    """One invocation over `buckets`, named in the event (at most 1000) or discovered with one
    GetBuckets call, the event's other fields from `request`, in the cgroup `quota` if given:
    its Invocation, the report kept."""
    local, endpoint = start_stand_in(buckets, latency_ms, work)
    event = audit_event(buckets, named, request)
    return invoke(binary, local, endpoint, event, home, work, extra, 300, every_bucket(buckets), quota, command)


def counted_calls(binary, buckets, home, work, request=None):
    """The Lightsail calls one invocation over `buckets` (named) makes, by operation, counted:
    the same event as `audit_run`'s, run once more, untimed, through a DelayProxy that adds no
    latency and counts each call's X-Amz-Target before passing it on to the stand-in.
    lightsail-local counts calls too (`Stats`), but only its library can read them: the binary
    prints no counts. The timed runs go direct: a proxy in Python would add its own time."""
    local, endpoint = start_stand_in(buckets, LATENCY_MS, work)
    proxy = DelayProxy(endpoint, 0)
    try:
        invoke(binary, local, proxy.url, audit_event(buckets, True, request), home, work, None, 300,
               every_bucket(buckets))
    finally:
        proxy.close()
    return dict(proxy.calls)


# The event field that turns the access checks off (the default is on).
NO_ACCESS_CHECKS = {"includeAccessChecks": False}


def expected_calls(count, access_checks):
    """The Lightsail calls `count` named buckets in one account and region need (docs/rules.md,
    "How access is read"): one GetBucketAccessKeys per bucket; with the access checks, one
    GetBuckets by name for one bucket, else the listing's pages up to the page holding the last
    named bucket: here every page, the stand-in listing the fixture's buckets in their order."""
    pages = 0 if not access_checks else 1 if count == 1 else math.ceil(count / PAGE_SIZE)
    return {"GetBucketAccessKeys": count, "GetBuckets": pages}


def named_bound(calls):
    """The latency bound in ms of an audit of named buckets making `calls`: the least time any
    schedule could take, at LATENCY_MS per call and at most CONCURRENCY calls at once.

        bound = max(ceil((keys + pages) / CONCURRENCY), pages) × LATENCY_MS

    Every call holds one of CONCURRENCY slots for LATENCY_MS, so the calls take at least
    ceil(calls / CONCURRENCY) waves. The listing's pages come one after another (each needs
    the last one's token), so they take at least `pages` latencies; but nothing waits for them,
    so one page can ride in each wave beside the key calls, and the larger of the two can be
    reached. (Discovery's bound adds the pages instead: its fetches wait for its listing.)"""
    keys, pages = calls["GetBucketAccessKeys"], calls["GetBuckets"]
    return max(math.ceil((keys + pages) / CONCURRENCY), pages) * LATENCY_MS


def calls_text(calls):
    """`calls` as `2 + 200`: GetBuckets + GetBucketAccessKeys, then any other operation by name."""
    text = "%d + %d" % (calls.get("GetBuckets", 0), calls.get("GetBucketAccessKeys", 0))
    others = sorted(name for name in calls if name not in ("GetBuckets", "GetBucketAccessKeys"))
    return text + "".join(" + %s %d" % (name, calls[name]) for name in others)


def named_rows(binary, home, work, repeats):
    """Rows for the audits of 20 and 200 named buckets (one account and region), with the
    access checks (the default) and with `includeAccessChecks: false`: `repeats` rounds, the two
    interleaved (which goes first alternates), medians; each against the bound of the calls it
    needs, and the calls it made, counted in one more run of each. Targets at 200 buckets: the
    issue's 1.10 × the bound with the access checks, the earlier 1.05 without them."""
    rows, figures = [], {}
    for count in (20, 200):
        names = ["bench-%04d" % i for i in range(count)]
        times, cpu = {True: [], False: []}, {True: [], False: []}
        for round_ in range(repeats):
            for access in ((True, False) if round_ % 2 == 0 else (False, True)):
                request = None if access else NO_ACCESS_CHECKS
                run = audit_run(binary, names, LATENCY_MS, home, work, True, request=request)
                times[access].append(run.ms)
                cpu[access].append(run.cpu_s)
        for access, limit, label in ((True, 1.10, "access checks on (default)"),
                                     (False, 1.05, "includeAccessChecks: false")):
            expected = expected_calls(count, access)
            counted = counted_calls(binary, names, home, work, None if access else NO_ACCESS_CHECKS)
            bound = named_bound(expected)
            elapsed = statistics.median(times[access])
            ratio = elapsed / bound
            key = "audit_%d" % count if access else "audit_%d_no_access_checks" % count
            figures[key] = {"ms": elapsed, "runs_ms": times[access], "bound_ms": bound, "ratio": ratio,
                            "calls_counted": counted, "calls_expected": expected, "runs_cpu_s": cpu[access]}
            name = ("Audit %d buckets (named), %d ms/call, concurrency %d, %s"
                    % (count, LATENCY_MS, CONCURRENCY, label) if access else "  same, %s" % label)
            at_target = count == 200
            rows.append((name + " (median of %d)" % repeats,
                         "≤ %.2f × %d ms" % (limit, bound) if at_target else "- (bound %d ms)" % bound,
                         "%.0f ms = %.3f × bound" % (elapsed, ratio), ratio <= limit if at_target else None))
            as_needed = set(counted) <= set(expected) and all(counted.get(op, 0) == n for op, n in expected.items())
            rows.append(("    its calls, GetBuckets + GetBucketAccessKeys, counted in one more run",
                         "= %s needed" % calls_text(expected), calls_text(counted), as_needed))
        on, off = figures["audit_%d" % count]["ms"], figures["audit_%d_no_access_checks" % count]["ms"]
        figures["audit_%d_access_checks_add_ms" % count] = on - off
        rows.append(("  the access checks add (median on − median off)", "-",
                     "%+d ms (%+.1f %%)" % (round(on - off), (on - off) / off * 100), None))
    return rows, figures


# Organization mode, as the issue sets the case: one bucket with two keys per account, every
# Lightsail region, 50 ms per call, MAX_CONCURRENCY 64.
ORG_CONCURRENCY = 64
ORG_PAGE = 20          # ListAccounts answers at most 20 accounts a page
LIGHTSAIL_REGIONS = 19  # lightsail-local's "all" (botocore's endpoint data)


def organization_bound(accounts):
    """The issue's bound in ms: the ListAccounts pages in a row, then every other call in
    perfect waves of ORG_CONCURRENCY: one AssumeRole per member, one GetRegions, one
    GetBuckets per account and region, one GetBucketAccessKeys per bucket."""
    pages = math.ceil(accounts / ORG_PAGE)
    others = (accounts - 1) + 1 + accounts * LIGHTSAIL_REGIONS + accounts
    return (pages + math.ceil(others / ORG_CONCURRENCY)) * LATENCY_MS


def organization_run(binary, accounts, home, work, quota=None):
    """One organization-mode invocation over a generated organization of `accounts` ACTIVE
    accounts (the function's own the management account): (ms from event to answer, peak RSS
    KiB). Checks every account and bucket was audited."""
    fixture = {"pageSize": PAGE_SIZE, "faults": [{"kind": "latency", "latencyMs": LATENCY_MS}],
               "generate": {"accounts": accounts, "regions": "all", "bucketsPerAccount": 1, "keysPerBucket": 2}}
    local, endpoint = start_local(fixture, "organization-%d.json" % accounts, work)
    extra = {"MAX_CONCURRENCY": str(ORG_CONCURRENCY), "AWS_ENDPOINT_URL_STS": endpoint,
             "AWS_ENDPOINT_URL_ORGANIZATIONS": endpoint}

    def whole(kind, body):
        report = json.loads(body) if kind == "response" else {}
        covered = report.get("organization") or {}
        if (covered.get("accountsAudited") != accounts or report["summary"]["bucketsAudited"] != accounts
                or report["summary"]["scopeErrors"] != 0):
            errors = report.get("scopeErrors", []) + [b["error"] for b in report.get("buckets", []) if "error" in b]
            codes = sorted({(e["code"], e["message"][:120]) for e in errors})[:10]
            sys.exit(f"bench: {accounts} accounts not audited whole: {kind} {covered} {codes} {body[:300]!r}")

    event = {"accounts": "organization", "regions": "all"}
    return invoke(binary, local, endpoint, event, home, work, extra, 900, whole, quota)


def cpu_seconds(pid):
    """The CPU time (user and system) a process has used, in seconds: on Lambda, a function
    gets a share of a vCPU in proportion to its memory, so CPU time bounds how fast it can go."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    # utime and stime: fields 14 and 15 of stat(5), counted after the command's ")".
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def organization_rows(binary, home, work, sizes):
    """Rows for organization mode at each size; the targets apply at 1,000 accounts."""
    rows, figures = [], {}
    for accounts in sizes:
        run = organization_run(binary, accounts, home, work)
        elapsed, rss, cpu = run.ms, run.rss_kib, run.cpu_s
        bound = organization_bound(accounts)
        ratio = elapsed / bound
        figures[accounts] = {"ms": elapsed, "bound_ms": bound, "ratio": ratio, "peak_rss_kib": rss, "cpu_s": cpu}
        at_target = accounts == 1000
        rows.append(("Organization of %d accounts, every region, %d ms/call, concurrency %d"
                     % (accounts, LATENCY_MS, ORG_CONCURRENCY), "≤ 1.15 × %d ms" % bound if at_target else "- (bound %d ms)" % bound,
                     "%.0f ms = %.3f × bound" % (elapsed, ratio), ratio <= 1.15 if at_target else None))
        rows.append(("  peak RSS, %d accounts" % accounts, "≤ 48 MB" if at_target else "-",
                     "%.1f MB" % (rss / 1024), rss <= 48 * 1024 if at_target else None))
        calls = organization_calls(accounts)
        per_bucket = cpu / accounts * 1e6
        figures[accounts].update(calls=calls, cpu_us_per_bucket=per_bucket, cpu_us_per_call=cpu / calls * 1e6)
        rows.append(("  CPU of the %s, %d accounts: per audited bucket; per call (%d calls)"
                     % ("invocation" if CGROUP else "process (with init, clock ticks)", accounts, calls), "≤ 120 µs per bucket" if at_target else "-",
                     "%.2f s: %.0f µs per bucket; %.0f µs per call" % (cpu, per_bucket, cpu / calls * 1e6),
                     per_bucket <= 120 if at_target else None))
    return rows, figures


def organization_calls(accounts):
    """The calls of an organization run: ListAccounts pages, AssumeRole per member, GetRegions,
    GetBuckets per account and region, GetBucketAccessKeys per bucket (one bucket each)."""
    return math.ceil(accounts / ORG_PAGE) + (accounts - 1) + 1 + accounts * LIGHTSAIL_REGIONS + accounts


class Moto:
    """moto_server (.venv-moto, installed by scripts/tools.sh when missing) on an ephemeral port
    of 127.0.0.1, as tests/common/moto.rs starts it: S3 on `url`, path-style. Its S3 answers
    are moto's, in Python: their latency is moto's own, not S3's."""

    def __init__(self):
        subprocess.run([str(ROOT / "scripts" / "tools.sh"), ".venv-moto", "requirements-moto.txt"],
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        self.lines = []
        # Its own process group, stopped by its id in close().
        self.process = subprocess.Popen([str(MOTO_SERVER), "-H", "127.0.0.1", "-p", "0"],
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE, text=True, env=tool_env(),
                                        start_new_session=True)
        # moto logs a line per request: read them all, or it blocks on a full pipe.
        threading.Thread(target=self.read_log, daemon=True).start()
        self.url = None
        end = time.monotonic() + 60
        while time.monotonic() < end and self.process.poll() is None:
            match = re.search(r"Running on (http://127\.0\.0\.1:\d+)", "".join(self.lines))
            if match:
                self.url = match.group(1)
                try:
                    if 200 <= self.request("GET", "/moto-api/config")[0] < 300:
                        return
                except OSError:
                    pass
            time.sleep(0.05)
        log = "".join(self.lines)
        self.close()
        sys.exit(f"bench: moto_server did not start within 60 s:\n{log}")

    def read_log(self):
        for line in self.process.stderr:
            self.lines.append(line)

    # moto checks no signature, but it answers an anonymous GET of an object 403.
    AUTHORIZATION = ("AWS4-HMAC-SHA256 Credential=AKIDBENCHMARK0000001/20260101/us-east-1/s3/aws4_request, "
                     "SignedHeaders=host, Signature=0")

    def request(self, method, path, body=None, connection=None):
        """(status, body) of one plain HTTP request, as if signed."""
        conn = connection or http.client.HTTPConnection(self.url[len("http://"):], timeout=60)
        try:
            conn.request(method, path, body=body, headers={"Authorization": self.AUTHORIZATION})
            answer = conn.getresponse()
            return answer.status, answer.read()
        finally:
            if connection is None:
                conn.close()

    def s3(self, method, key="", body=None):
        status, answer = self.request(method, "/%s/%s" % (ARCHIVE_BUCKET, key), body)
        if status >= 300 and not (method == "GET" and status == 404):
            sys.exit(f"bench: moto S3 {method} /{ARCHIVE_BUCKET}/{key}: HTTP {status}: {answer[:300]!r}")
        return status, answer

    def call_ms(self, method, key, body=None, runs=20):
        """Median milliseconds of one S3 call to moto from here, on a kept-alive connection
        (a GET of a missing key answers 404, as the first run's state read does)."""
        conn = http.client.HTTPConnection(self.url[len("http://"):], timeout=60)
        times = []
        try:
            for _ in range(runs):
                start = time.perf_counter()
                status, _ = self.request(method, "/%s/%s" % (ARCHIVE_BUCKET, key), body, conn)
                times.append((time.perf_counter() - start) * 1000)
                if status >= 300 and status != 404:
                    sys.exit(f"bench: moto S3 {method} {key}: HTTP {status}")
        finally:
            conn.close()
        return statistics.median(times)

    def close(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, 9)
        self.process.wait()


class DelayProxy:
    """An HTTP/1.1 proxy on 127.0.0.1 that holds each request `latency_ms` before passing it
    on to `upstream` (moto): S3 calls at the latency lightsail-local gives Lightsail calls.
    Bodies pass through as they came (chunked ones too); answers go back with a length.
    `calls` counts the requests by operation (`X-Amz-Target`, as `Lightsail_20161128.GetBuckets`
    names `GetBuckets`; requests without one, S3's, are not counted)."""

    # Not passed back: hop-by-hop, or sent by send_response itself.
    HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "server", "date"}

    def __init__(self, upstream, latency_ms):
        scheme, host = upstream.split("://", 1)
        # lightsail-local over TLS: the proxy is a client of it like the function, trusting
        # the CA it generated (the function itself talks plain HTTP to the proxy).
        if scheme == "https":
            context = ssl.create_default_context(cafile=str(TLS_CA))

            def connect():
                return http.client.HTTPSConnection(host, timeout=60, context=context)
        else:
            def connect():
                return http.client.HTTPConnection(host, timeout=60)
        local = threading.local()
        self.calls = collections.Counter()
        counting = threading.Lock()
        calls = self.calls

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def setup(self):
                super().setup()
                # The head and the body go out in two writes: without this, Nagle's algorithm
                # holds the body for the client's delayed ACK (40 ms).
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def body(self):
                if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
                    raw = b""
                    while True:
                        line = self.rfile.readline()
                        raw += line
                        size = int(line.split(b";")[0].strip() or b"0", 16)
                        if size == 0:
                            while True:  # trailers, up to the empty line
                                line = self.rfile.readline()
                                raw += line
                                if line in (b"\r\n", b"\n", b""):
                                    return raw
                        raw += self.rfile.read(size + 2)
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def forward(self):
                body = self.body()
                target = self.headers.get("X-Amz-Target")
                if target:
                    with counting:
                        calls[target.rsplit(".", 1)[-1]] += 1
                time.sleep(latency_ms / 1000)
                if getattr(local, "conn", None) is None:
                    local.conn = connect()
                conn = local.conn
                try:
                    conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
                    for name, value in self.headers.items():
                        # Expect: this proxy has answered it; the others are this hop's.
                        if name.lower() not in ("expect", "connection", "keep-alive"):
                            conn.putheader(name, value)
                    conn.endheaders(body)
                    answer = conn.getresponse()
                    data = answer.read()
                except (OSError, http.client.HTTPException):
                    conn.close()
                    local.conn = None
                    raise
                self.send_response(answer.status, answer.reason)
                for name, value in answer.getheaders():
                    if name.lower() not in DelayProxy.HOP:
                        self.send_header(name, value)
                length = answer.getheader("Content-Length") if self.command == "HEAD" else None
                self.send_header("Content-Length", length or str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.handle_error = lambda request, client_address: None
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def deployed_env():
    """The archive and the topic configured as deployed, for cold starts: their S3 and SNS
    clients exist, and no call is made before the first `next`, so the endpoint is never
    contacted."""
    return dict(archive_env("http://127.0.0.1:9"), NOTIFY_TOPIC_ARN=TOPIC_ARN)


def archive_env(endpoint):
    """The archive as deployed, its S3 calls sent to `endpoint`."""
    return {"REPORT_BUCKET": ARCHIVE_BUCKET, "REPORT_PREFIX": ARCHIVE_PREFIX, "AWS_ENDPOINT_URL_S3": endpoint}


def archived_run(binary, names, home, work, moto, endpoint, state_present):
    """One run with the archive on `endpoint` (moto, or the proxy before it), the buckets named
    (at most 1000) or discovered; checks the report says WRITTEN with no state error and that
    both objects are in moto: (ms, peak RSS KiB, the report's key)."""
    status, _ = moto.s3("GET", ARCHIVE_PREFIX + "state.json")
    if (status == 200) != state_present:
        sys.exit(f"bench: the state is {'missing' if state_present else 'already there'} before the run")
    run = audit_run(binary, names, LATENCY_MS, home, work, len(names) <= 1000, archive_env(endpoint))
    elapsed, rss, report = run.ms, run.rss_kib, run.kept
    archive = report["summary"].get("archive") or {}
    if archive.get("status") != "WRITTEN" or "stateError" in archive:
        sys.exit(f"bench: summary.archive is {json.dumps(archive)[:500]}, not WRITTEN without a stateError")
    for key in (archive["key"], ARCHIVE_PREFIX + "state.json"):
        if moto.s3("GET", key)[0] != 200:
            sys.exit(f"bench: the run reported WRITTEN but moto has no {key}")
    return elapsed, rss, archive["key"]


def archive_figures(binary, names, large, repeats, home, work):
    """With the archive on moto: the audit of `names` (named) without the archive, then with it,
    the first run (no state: GetObject answers NoSuchKey) and a second (the state the first
    wrote), with S3 being moto as it is and moto behind a proxy that adds LATENCY_MS per call.
    Interleaved, `repeats` rounds, each starting without a state; medians in ms. Then moto's own
    time per call, and the peak RSS of a first and a second run over `large` (discovered)."""
    moto = Moto()
    proxy = DelayProxy(moto.url, LATENCY_MS)
    try:
        moto.s3("PUT")
        runs = {"none": [], "first": [], "second": [], "first_at_latency": [], "second_at_latency": []}
        for _ in range(repeats):
            runs["none"].append(audit_run(binary, names, LATENCY_MS, home, work, True).ms)
            for endpoint, suffix in ((moto.url, ""), (proxy.url, "_at_latency")):
                moto.s3("DELETE", ARCHIVE_PREFIX + "state.json")
                runs["first" + suffix].append(archived_run(binary, names, home, work, moto, endpoint, False)[0])
                elapsed, _, report_key = archived_run(binary, names, home, work, moto, endpoint, True)
                runs["second" + suffix].append(elapsed)
        figures = {name: statistics.median(times) for name, times in runs.items()}
        # moto's own time per call, timed from here: the calls a run makes, at their sizes.
        state = moto.s3("GET", ARCHIVE_PREFIX + "state.json")[1]
        report = moto.s3("GET", report_key)[1]
        figures["moto_call_ms"] = {
            "get_missing": moto.call_ms("GET", ARCHIVE_PREFIX + "no-such-state.json"),
            "get_state": moto.call_ms("GET", ARCHIVE_PREFIX + "state.json"),
            "put_state": moto.call_ms("PUT", ARCHIVE_PREFIX + "probe/state.json", state),
            "put_report": moto.call_ms("PUT", ARCHIVE_PREFIX + "probe/report.json", report),
        }
        figures["state_bytes"], figures["report_bytes"] = len(state), len(report)
        moto.s3("DELETE", ARCHIVE_PREFIX + "state.json")
        first = archived_run(binary, large, home, work, moto, moto.url, False)
        second = archived_run(binary, large, home, work, moto, moto.url, True)
        figures["large_ms"] = {"first": first[0], "second": second[0]}
        figures["large_peak_rss_kib"] = max(first[1], second[1])
        return figures
    finally:
        proxy.close()
        moto.close()


# The memory size of the targets (and the stack's default until issue 21 measured
# 256 MB as the better one): the default bench's rows at a memory size are at its CPU share.
DEFAULT_MEMORY_MB = 128
NAMED = ["bench-%04d" % i for i in range(200)]


def quota_at(memory_mb):
    """(the cgroup at `memory_mb`'s CPU share, None) or (None, why none can be made), said."""
    quota, why = CpuQuota.open("lightsail-key-audit-bench-%d" % memory_mb, memory_mb)
    if quota is None:
        print("bench: no figures at %d MB: %s" % (memory_mb, why), file=sys.stderr)
    return quota, why


def peer_command():
    """The Python peer (bench/peer), started as Lambda's Python runtime starts a function."""
    return Command(peer.peer_command(ROOT), lambda env: peer.peer_env(env, ROOT))


def median_of(runs, field):
    return statistics.median(getattr(run, field) for run in runs)


def memory_rows(binary, hello, home, work, memory_mb, repeats, starts):
    """Rows at `memory_mb`'s CPU share (a cgroup quota of memory_mb / 1769 of one vCPU): spawn
    to the first `next` of the function as deployed, of the hello-world floor and of the peer;
    then 200 named buckets, the function with the access checks (the target), and the function
    without them beside the peer, which reads keys only: the same buckets, stand-in and quota,
    the three interleaved, `repeats` rounds, medians."""
    quota, why = quota_at(memory_mb)
    if quota is None:
        return [("At %d MB's CPU share" % memory_mb, "-", "not measured: " + why, None)], {}
    at = "at %d MB (%.3f vCPU)" % (memory_mb, memory_mb / 1769)
    try:
        print("bench: %s: cold starts ..." % at, file=sys.stderr)
        deployed = deployed_env()
        cold, floor = [], []
        for _ in range(starts):
            cold += cold_start(binary, 1, home, deployed, quota)
            floor += cold_start(hello, 1, home, None, quota)
        python = cold_start(None, max(3, starts // 5), home, None, quota, peer_command())
        print("bench: %s: 200 named buckets, the function and the peer ..." % at, file=sys.stderr)
        runs = {"on": [], "off": [], "peer": []}
        for _ in range(repeats):
            runs["on"].append(audit_run(binary, NAMED, LATENCY_MS, home, work, True, quota=quota))
            runs["off"].append(audit_run(binary, NAMED, LATENCY_MS, home, work, True, request=NO_ACCESS_CHECKS,
                                         quota=quota))
            runs["peer"].append(audit_run(None, NAMED, LATENCY_MS, home, work, True, quota=quota,
                                          command=peer_command()))
    finally:
        quota.close()
    return memory_table(at, memory_mb == DEFAULT_MEMORY_MB, cold, floor, python, runs, repeats)


def memory_table(at, targeted, cold, floor, python, runs, repeats):
    """memory_rows' rows and figures; the targets apply at the stack's memory size."""
    bound_on, bound_off = named_bound(expected_calls(200, True)), named_bound(expected_calls(200, False))
    on, off, py = (median_of(runs[k], "ms") for k in ("on", "off", "peer"))
    figures = {"cold_start_ms": statistics.median(cold), "cold_start_runs_ms": cold,
               "hello_ms": statistics.median(floor), "peer_cold_start_ms": statistics.median(python),
               "peer_cold_start_runs_ms": python}
    for key, bound in (("on", bound_on), ("off", bound_off), ("peer", bound_off)):
        figures["audit_200_" + key] = {
            "ms": median_of(runs[key], "ms"), "bound_ms": bound, "runs_ms": [r.ms for r in runs[key]],
            "cpu_s": median_of(runs[key], "cpu_s"), "init_cpu_s": median_of(runs[key], "init_cpu_s"),
            "init_ms": median_of(runs[key], "init_ms"), "peak_rss_kib": max(r.rss_kib for r in runs[key])}
    cold_ms = figures["cold_start_ms"]
    rows = [
        ("Spawn to first `next` %s, archive and topic set (median of %d)" % (at, len(cold)),
         "≤ 20 ms" if targeted else "-", "%.1f ms (min %.1f, max %.1f)" % (cold_ms, min(cold), max(cold)),
         cold_ms <= 20 if targeted else None),
        ("  hello-world lambda_runtime floor, same quota", "-", "%.1f ms" % figures["hello_ms"], None),
        ("  Python peer (boto3 under awslambdaric), same quota (median of %d)" % len(python), "-",
         "%.0f ms = %.0f × the function's" % (figures["peer_cold_start_ms"], figures["peer_cold_start_ms"] / cold_ms),
         None),
        ("Audit 200 buckets (named) %s, %d ms/call, access checks on (median of %d)" % (at, LATENCY_MS, repeats),
         "≤ 1.10 × %d ms" % bound_on if targeted else "- (bound %d ms)" % bound_on,
         "%.0f ms = %.3f × bound" % (on, on / bound_on), on / bound_on <= 1.10 if targeted else None),
        ("  includeAccessChecks: false (keys only, as the peer)", "-",
         "%.0f ms = %.3f × bound" % (off, off / bound_off), None),
        ("  Python peer, same buckets, stand-in and quota (keys only)", "-",
         "%.0f ms = %.2f × bound = %.1f × the function's" % (py, py / bound_off, py / off), None),
    ]
    for key, who in (("off", "the function"), ("peer", "the peer")):
        f = figures["audit_200_" + key]
        rows.append(("  %s: CPU of init / of the invocation, peak RSS" % who, "-",
                     "%.0f / %.0f ms, %.1f MB" % (f["init_cpu_s"] * 1000, f["cpu_s"] * 1000, f["peak_rss_kib"] / 1024),
                     None))
    return rows, figures


def power_figures(binary, home, work, sizes, repeats):
    """bench/power.py's results: the 200 named buckets (median of `repeats`) and the 1,000-account
    organization (one run) at each memory size's CPU share. A size whose cgroup cannot be made
    is left out (a gap in the chart), never estimated."""
    points = {power.TYPICAL: [], power.LARGE: []}
    for memory_mb in sizes:
        quota, _ = quota_at(memory_mb)
        if quota is None:
            continue
        try:
            print("bench: power: %d MB ..." % memory_mb, file=sys.stderr)
            named = [audit_run(binary, NAMED, LATENCY_MS, home, work, True, quota=quota) for _ in range(repeats)]
            org = [organization_run(binary, 1000, home, work, quota)]
        finally:
            quota.close()
        for name, runs in ((power.TYPICAL, named), (power.LARGE, org)):
            points[name].append({"memory_mb": memory_mb, "duration_ms": median_of(runs, "ms"),
                                 "init_ms": median_of(runs, "init_ms"), "cpu_s": median_of(runs, "cpu_s"),
                                 "peak_rss_mb": max(r.rss_kib for r in runs) / 1024})
    return {"workloads": [{"name": name, "points": found} for name, found in points.items()],
            "pricing": power.PRICING_SOURCE}


def power_mode(binary, home, work, repeats):
    """--power: the figures, their table, the chart and the recommendation, written to docs/."""
    results = power_figures(binary, home, work, power.MEMORY_SIZES_MB, repeats)
    measured = min(len(w["points"]) for w in results["workloads"])
    if measured < len(power.MEMORY_SIZES_MB):
        # The committed chart stays as it is rather than be replaced by one with gaps.
        sys.exit("bench: --power measured %d of %d sizes (see above); docs/power.* left as they are"
                 % (measured, len(power.MEMORY_SIZES_MB)))
    (ROOT / "docs" / "power.json").write_text(json.dumps(results, indent=1) + "\n")
    (ROOT / "docs" / "power.svg").write_text(power.render_svg(
        results, "lightsail-key-audit: duration and cost per run against memory (arm64 prices)"))
    print("\n".join(power.power_table(results)))
    print("\n" + power.PRICING_SOURCE)
    print(power.choose_memory(results)["reasoning"])
    print("bench: wrote docs/power.json and docs/power.svg", file=sys.stderr)


def package_stale(path):
    """True when the zip is missing, older than the last commit touching the function's source
    or Cargo files, or those files have changes not committed. (Outside a git checkout: only
    when missing.)"""
    if not path.exists():
        return True
    sources = ["src", "Cargo.toml", "Cargo.lock"]
    try:
        last = subprocess.run(["git", "log", "-1", "--format=%ct", "--"] + sources, cwd=ROOT,
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--"] + sources, cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return False
    return bool(dirty) or (bool(last) and path.stat().st_mtime < int(last))


def package_size(build):
    """The arm64 package (scripts/package.sh: sam build, about 8 minutes on 2 cores), built when
    `build` or stale: (zipped bytes, bootstrap bytes)."""
    path = TARGET / "lambda" / "lightsail-key-audit" / "bootstrap.zip"
    if build or package_stale(path):
        print("bench: building the arm64 package (sam build) ...", file=sys.stderr)
        subprocess.run([str(ROOT / "scripts" / "package.sh")], check=True, stdout=sys.stderr)
    with zipfile.ZipFile(path) as z:
        unzipped = z.getinfo("bootstrap").file_size
    return path.stat().st_size, unzipped


def cpu_per_key():
    out = subprocess.run(["cargo", "bench", "--bench", "rules", "--", "--noplot"], cwd=ROOT, env=tool_env(),
                         capture_output=True, text=True, check=True).stdout
    match = re.search(r"time:\s+\[\S+ \S+ (\S+) (\S+) \S+ \S+\]", out)
    if not match:
        sys.exit(f"bench: no criterion result in: {out}")
    value, unit = float(match.group(1)), match.group(2)
    scale = {"ns": 1, "µs": 1e3, "us": 1e3, "ms": 1e6, "s": 1e9}[unit]
    return value * scale / 100_000


def build_release():
    """The release builds the bench runs, each its own cargo invocation: cargo unifies features
    over what one invocation builds, and the `hello` example brings the dev-dependencies (the
    SDK crates' `test-util`), so the function is built alone, as `sam build` builds it (host
    target here). The function last, so target/release/lightsail-key-audit is that build."""
    for target in (["--example", "hello", "-p", "lightsail-key-audit"], ["-p", "lightsail-local"],
                   ["--bin", "lightsail-key-audit", "-p", "lightsail-key-audit"]):
        subprocess.run(["cargo", "build", "--release"] + target, cwd=ROOT, check=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer runs; no package build, no criterion")
    parser.add_argument("--binary", help="the function binary to measure (default: a release build)")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--organization", action="store_true",
                        help="only organization mode, at 100, 1,000 and 5,000 accounts")
    parser.add_argument("--named", action="store_true",
                        help="only the audits of 20 and 200 named buckets, with and without access checks")
    parser.add_argument("--memory", type=int, metavar="MB",
                        help="only the rows at MB's CPU share (MB / 1769 of one vCPU), with the peer")
    parser.add_argument("--power", action="store_true",
                        help="200 named buckets and 1,000 accounts at 128 to 1,769 MB: docs/power.svg and .json")
    parser.add_argument("--plain-http", action="store_true",
                        help="call lightsail-local over plain HTTP (the default is TLS, as on Lambda)")
    args = parser.parse_args()

    print("bench: building release binaries ...", file=sys.stderr)
    build_release()
    binary = Path(args.binary) if args.binary else TARGET / "release" / "lightsail-key-audit"
    hello = TARGET / "release" / "examples" / "hello"
    if args.memory or not (args.organization or args.named or args.power):
        peer.ensure_venv(ROOT)

    runs = 5 if args.quick else 40
    figures = {}
    rows = []
    global CGROUP, TLS_CA
    CGROUP, why = CpuQuota.open("lightsail-key-audit-bench-full", None)
    if CGROUP is None:
        print("bench: CPU of the whole process from /proc, in clock ticks, and no rows at a memory size: "
              + why, file=sys.stderr)
    try:
        with tempfile.TemporaryDirectory(prefix="lightsail-key-audit-bench.") as work:
            if not args.plain_http:
                # The CA file exists before any start: cold starts read SSL_CERT_FILE too.
                TLS_CA = Path(work) / "ca.pem"
                stop(start_local({"buckets": []}, "empty.json", work)[0])
            home = str(Path(work) / "home")
            os.makedirs(home)
            rows = selected_rows(args, binary, hello, home, work, figures)
            if rows is None:
                return
            if not (args.quick or args.organization or args.named or args.memory):
                rows += package_rows(figures)
    finally:
        if CGROUP:
            CGROUP.close()
    print_rows(rows, args.json, figures)


def selected_rows(args, binary, hello, home, work, figures):
    """The rows the options select (None: --power, which prints its own)."""
    if args.power:
        if args.quick:
            sys.exit("bench: --power writes docs/power.*, which take 5 runs a size: not with --quick")
        power_mode(binary, home, work, 5)
        return None
    if args.organization:
        rows, figures["organization"] = organization_rows(binary, home, work, (100, 1000, 5000))
        return rows
    if args.named:
        rows, named = named_rows(binary, home, work, 3 if args.quick else 5)
        figures.update(named)
        return rows + cpu_rows(figures)
    if args.memory:
        rows, figures["memory_%d" % args.memory] = memory_rows(binary, hello, home, work, args.memory,
                                                              3 if args.quick else 5, 5 if args.quick else 20)
        return rows
    return full_rows(args, binary, hello, home, work, figures)


def cpu_rows(figures):
    """CPU per audited bucket at full speed: the invocation's CPU (after init) ÷ 200, with
    the access checks (the default), median of the named rounds."""
    runs = figures["audit_200"]["runs_cpu_s"]
    per_bucket = statistics.median(runs) / 200 * 1e6
    figures["cpu_us_per_bucket_200"] = per_bucket
    what = "invocation CPU" if CGROUP else "process CPU with init, in clock ticks"
    return [("CPU per audited bucket, 200 named, full speed%s (%s ÷ 200, median of %d)"
             % ("" if TLS_CA is None else " over TLS", what, len(runs)), "≤ 120 µs",
             "%.0f µs (%.1f to %.1f ms a run)" % (per_bucket, min(runs) * 1000, max(runs) * 1000), per_bucket <= 120)]


def full_rows(args, binary, hello, home, work, figures):
    """Everything but the package: cold start, named, 2000 buckets, the archive, the memory
    size's rows, organization mode."""
    runs = 5 if args.quick else 40
    rows = []
    print("bench: cold start ...", file=sys.stderr)
    deployed = deployed_env()
    # Interleaved, one of each a round: the machine's drift (2 vCPUs, shared) hits all three.
    cold, bare, floor = [], [], []
    for _ in range(runs):
        cold += cold_start(binary, 1, home, deployed)
        bare += cold_start(binary, 1, home)
        floor += cold_start(hello, 1, home)
    median = statistics.median(cold)
    p90 = sorted(cold)[math.ceil(0.9 * len(cold)) - 1]
    figures["cold_start_ms"] = {"median": median, "min": min(cold), "p90": p90, "max": max(cold),
                                "no_archive_no_topic_median": statistics.median(bare),
                                "hello_median": statistics.median(floor)}
    rows.append(("Cold start, spawn to first `next`, archive and topic set (median of %d)" % runs, "≤ 10 ms",
                 "%.1f ms (min %.1f, p90 %.1f, max %.1f)" % (median, min(cold), p90, max(cold)), median <= 10))
    rows.append(("  same, no REPORT_BUCKET, no NOTIFY_TOPIC_ARN (no S3, SNS client)", "-",
                 "%.1f ms" % statistics.median(bare), None))
    rows.append(("  hello-world lambda_runtime floor, same harness", "-",
                 "%.1f ms" % statistics.median(floor), None))

    named, named_figures = named_rows(binary, home, work, 3 if args.quick else 5)
    rows += named
    figures.update(named_figures)
    rows += cpu_rows(figures)
    at_memory, figures["memory_%d" % DEFAULT_MEMORY_MB] = memory_rows(
        binary, hello, home, work, DEFAULT_MEMORY_MB, 3 if args.quick else 5, 5 if args.quick else 20)
    rows += at_memory
    # A request names at most 1000 buckets: 2000 are discovered, ceil(2000 / PAGE_SIZE)
    # GetBuckets calls in a row before the fetches, which the bound counts (the listing
    # carries the access: the checks add no call).
    count = 2000
    names = ["bench-%04d" % i for i in range(count)]
    large = audit_run(binary, names, LATENCY_MS, home, work, False)
    elapsed, peak_rss = large.ms, large.rss_kib
    listing = math.ceil(count / PAGE_SIZE)
    bound = (math.ceil(count / CONCURRENCY) + listing) * LATENCY_MS
    ratio = elapsed / bound
    figures["audit_%d" % count] = {"ms": elapsed, "bound_ms": bound, "ratio": ratio, "peak_rss_kib": peak_rss}
    rows.append(("Audit %d buckets (discovered in %d pages), %d ms/call, concurrency %d"
                 % (count, listing, LATENCY_MS, CONCURRENCY), "- (bound %d ms)" % bound,
                 "%.0f ms = %.3f × bound" % (elapsed, ratio), None))
    # Compute only, so it varies most (±25 % run to run here): the median of 3.
    zero_runs = 1 if args.quick else 3
    floor_ms = statistics.median(audit_run(binary, ["bench-%04d" % i for i in range(2000)], 0, home, work, False).ms
                                 for _ in range(zero_runs))
    figures["audit_2000_no_latency_ms"] = floor_ms
    rows.append(("  same 2000 buckets at 0 ms/call (function + stand-in overhead, median of %d)" % zero_runs, "-",
                 "%.0f ms" % floor_ms, None))
    figures["peak_rss_2000_kib"] = peak_rss
    rows.append(("Peak RSS, 2000-bucket run", "≤ 20 MB", "%.1f MB" % (peak_rss / 1024), peak_rss <= 20 * 1024))

    print("bench: the archive (moto) ...", file=sys.stderr)
    names = ["bench-%04d" % i for i in range(200)]
    bound = named_bound(expected_calls(len(names), True))
    archived = archive_figures(binary, names, ["bench-%04d" % i for i in range(2000)],
                               1 if args.quick else 5, home, work)
    figures["archive_200"] = dict(archived, bound_ms=bound)
    base = archived["none"]
    # The budget: the archive's calls (read the state; write the state, then the report) add
    # at most a few percent to the audit time at the latency bound.
    for key, what in (("first", "Audit 200 buckets (named) with the archive, %d ms/call: first run (no state)"
                       % LATENCY_MS),
                      ("second", "  second run (the state present)"),
                      ("none", "  no archive, same harness, rounds interleaved with these"),
                      ("first_at_latency", "  S3 calls too at %d ms/call (a proxy before moto): first run"
                       % LATENCY_MS),
                      ("second_at_latency", "  S3 calls too at %d ms/call: second run" % LATENCY_MS)):
        ms = archived[key]
        extra = (ms - base) / base
        if key == "none":
            rows.append((what, "- (bound %d ms)" % bound, "%.0f ms = %.3f × bound" % (ms, ms / bound), None))
            continue
        rows.append((what, "≤ +5 % (a few)", "%.0f ms = %.3f × bound, %+.0f ms (%+.1f %%)"
                     % (ms, ms / bound, ms - base, extra * 100), extra <= 0.05))
    moto_ms = archived["moto_call_ms"]
    rows.append(("  moto's own time per S3 call, from Python (moto's, not S3's)", "-",
                 "GET missing %.1f, GET state %.1f (%d KB), PUT state %.1f, PUT report %.1f ms (%d KB)"
                 % (moto_ms["get_missing"], moto_ms["get_state"], archived["state_bytes"] / 1024,
                    moto_ms["put_state"], moto_ms["put_report"], archived["report_bytes"] / 1024), None))

    large_rss = archived["large_peak_rss_kib"]
    rows.append(("Peak RSS, 2000-bucket run with the archive (first and second run)", "≤ 20 MB",
                 "%.1f MB" % (large_rss / 1024), large_rss <= 20 * 1024))

    print("bench: organization mode ...", file=sys.stderr)
    sizes = (100, 1000) if args.quick else (100, 1000, 5000)
    org_rows, figures["organization"] = organization_rows(binary, home, work, sizes)
    rows += org_rows

    return rows


def package_rows(figures):
    """The package's size (built when stale) and the rules' CPU per key (criterion)."""
    zipped, unzipped = package_size(build=False)
    figures["package_bytes"] = {"zipped": zipped, "bootstrap": unzipped}
    ns = cpu_per_key()
    figures["cpu_ns_per_key"] = ns
    return [("Deployment package, arm64 bootstrap zipped", "≤ 4 MB",
             "%.2f MB (bootstrap %.2f MB)" % (zipped / 2**20, unzipped / 2**20), zipped <= 4 * 2**20),
            ("CPU per key, rules over 100,000 keys (criterion)", "-", "%.0f ns" % ns, None)]


def print_rows(rows, json_path, figures):
    """The table, and the figures as JSON when asked."""
    width = max(len(r[0]) for r in rows)
    print("\n| %-*s | %-16s | %-34s | %s |" % (width, "measure", "target", "result", "verdict"))
    print("|%s|%s|%s|%s|" % ("-" * (width + 2), "-" * 18, "-" * 36, "-" * 9))
    for name, target, result, ok in rows:
        verdict = "" if ok is None else ("met" if ok else "MISSED")
        print("| %-*s | %-16s | %-34s | %-7s |" % (width, name, target, result, verdict))
    if json_path:
        Path(json_path).write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
