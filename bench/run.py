#!/usr/bin/env python3
"""The benchmark behind `make bench`: cold start, audit time against the latency bound, peak
memory, package size and CPU per key, printed as one table.

The function runs as Lambda runs it: a release build under a minimal Lambda Runtime API served
here, its Lightsail calls going to lightsail-local with a fixed latency per call.

  bench/run.py                     everything (builds what it needs)
  bench/run.py --quick             fewer runs, no package build, no criterion
  bench/run.py --binary PATH       measure another build of the function (profile experiments)
"""
import argparse
import json
import math
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from lambda_runtime_api import RuntimeApi  # noqa: E402
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
LATENCY_MS = 50
CONCURRENCY = 16
# GetBuckets page size of the stand-in: discovery lists pages one after another, before fetching.
PAGE_SIZE = 100


def function_env(runtime, home, endpoint=None):
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
    return env


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


def cold_start(binary, runs, home):
    """Milliseconds from spawning the process to its first Runtime API `next`."""
    times = []
    for _ in range(runs):
        runtime = RuntimeApi([])
        start = time.perf_counter()
        process = subprocess.Popen([str(binary)], env=function_env(runtime, home),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while runtime.first_next is None and process.poll() is None and time.perf_counter() - start < 10:
            time.sleep(0.0005)
        if runtime.first_next is None:
            stop(process)
            runtime.close()
            sys.exit(f"bench: {binary} never asked the Runtime API for an event")
        times.append((runtime.first_next - start) * 1000)
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
    path = Path(work) / ("fixture-%d-%d.json" % (len(buckets), latency_ms))
    path.write_text(json.dumps(fixture))
    local = subprocess.Popen([str(TARGET / "release" / "lightsail-local"), "--fixture", str(path), "--port", "0"],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    line = local.stdout.readline()
    match = re.search(r"listening on (http://\S+)", line)
    if not match:
        local.kill()
        sys.exit(f"bench: lightsail-local did not start: {line}")
    return local, match.group(1)


def audit_run(binary, buckets, latency_ms, home, work, named):
    """One invocation over `buckets`, named in the event (at most 1000) or discovered with one
    GetBuckets call: (milliseconds from event to answer, peak RSS KiB)."""
    local, endpoint = start_stand_in(buckets, latency_ms, work)
    runtime = RuntimeApi([{"bucketNames": buckets} if named else {}])
    log = open(Path(work) / "function.log", "w")
    process = subprocess.Popen([str(binary)], env=function_env(runtime, home, endpoint), stdout=log, stderr=log)
    try:
        if not runtime.answered_event.wait(timeout=300):
            sys.exit("bench: the function did not answer within 300 s")
        kind, body = runtime.answers["0"]
        report = json.loads(body)
        if kind != "response" or report["summary"]["bucketsAudited"] != len(buckets):
            sys.exit(f"bench: the function did not audit every bucket: {kind} {body[:300]!r}")
        elapsed = (runtime.answered["0"] - runtime.delivered["0"]) * 1000
    finally:
        rss = stop(process)
        log.close()
        runtime.close()
        local.kill()
        local.wait()
    return elapsed, rss


def package_size(build):
    path = TARGET / "lambda" / "lightsail-key-audit" / "bootstrap.zip"
    if build or not path.exists():
        subprocess.run([str(ROOT / "scripts" / "package.sh")], check=True, stdout=sys.stderr)
    with zipfile.ZipFile(path) as z:
        unzipped = z.getinfo("bootstrap").file_size
    return path.stat().st_size, unzipped


def cpu_per_key():
    out = subprocess.run(["cargo", "bench", "--bench", "rules", "--", "--noplot"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    match = re.search(r"time:\s+\[\S+ \S+ (\S+) (\S+) \S+ \S+\]", out)
    if not match:
        sys.exit(f"bench: no criterion result in: {out}")
    value, unit = float(match.group(1)), match.group(2)
    scale = {"ns": 1, "µs": 1e3, "us": 1e3, "ms": 1e6, "s": 1e9}[unit]
    return value * scale / 100_000


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer runs; no package build, no criterion")
    parser.add_argument("--binary", help="the function binary to measure (default: a release build)")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()

    print("bench: building release binaries ...", file=sys.stderr)
    subprocess.run(["cargo", "build", "--release", "--bin", "lightsail-key-audit", "--example", "hello",
                    "-p", "lightsail-key-audit"], cwd=ROOT, check=True)
    subprocess.run(["cargo", "build", "--release", "-p", "lightsail-local"], cwd=ROOT, check=True)
    binary = Path(args.binary) if args.binary else TARGET / "release" / "lightsail-key-audit"
    hello = TARGET / "release" / "examples" / "hello"

    runs = 5 if args.quick else 20
    figures = {}
    rows = []
    with tempfile.TemporaryDirectory(prefix="lightsail-key-audit-bench.") as work:
        home = str(Path(work) / "home")
        os.makedirs(home)
        print("bench: cold start ...", file=sys.stderr)
        cold = cold_start(binary, runs, home)
        floor = cold_start(hello, runs, home)
        median = statistics.median(cold)
        figures["cold_start_ms"] = {"median": median, "min": min(cold), "max": max(cold),
                                    "hello_median": statistics.median(floor)}
        rows.append(("Cold start, spawn to first `next` (median of %d)" % runs, "≤ 10 ms",
                     "%.1f ms (min %.1f, max %.1f)" % (median, min(cold), max(cold)), median <= 10))
        rows.append(("  hello-world lambda_runtime floor, same harness", "-",
                     "%.1f ms" % statistics.median(floor), None))

        peak_rss = 0
        for count in (20, 200, 2000):
            names = ["bench-%04d" % i for i in range(count)]
            # A request names at most 1000 buckets: 2000 are discovered, ceil(2000 / PAGE_SIZE)
            # GetBuckets calls in a row before the fetches, which the bound counts.
            named = count <= 1000
            repeats = 1 if (args.quick or count == 2000) else 3
            results = [audit_run(binary, names, LATENCY_MS, home, work, named) for _ in range(repeats)]
            elapsed = statistics.median(r[0] for r in results)
            rss = max(r[1] for r in results)
            listing = 0 if named else math.ceil(count / PAGE_SIZE)
            bound = (math.ceil(count / CONCURRENCY) + listing) * LATENCY_MS
            ratio = elapsed / bound
            figures["audit_%d" % count] = {"ms": elapsed, "bound_ms": bound, "ratio": ratio, "peak_rss_kib": rss}
            how = "named" if named else "discovered in %d pages" % listing
            rows.append(("Audit %d buckets (%s), %d ms/call, concurrency %d" % (count, how, LATENCY_MS, CONCURRENCY),
                         "≤ 1.05 × %d ms" % bound, "%.0f ms = %.3f × bound" % (elapsed, ratio),
                         ratio <= 1.05 if count == 200 else None))
            peak_rss = rss if count == 2000 else peak_rss
        floor_ms, _ = audit_run(binary, ["bench-%04d" % i for i in range(2000)], 0, home, work, False)
        figures["audit_2000_no_latency_ms"] = floor_ms
        rows.append(("  same 2000 buckets at 0 ms/call (function + stand-in overhead)", "-",
                     "%.0f ms" % floor_ms, None))
        figures["peak_rss_2000_kib"] = peak_rss
        rows.append(("Peak RSS, 2000-bucket run", "≤ 20 MB", "%.1f MB" % (peak_rss / 1024), peak_rss <= 20 * 1024))

    if not args.quick:
        zipped, unzipped = package_size(build=False)
        figures["package_bytes"] = {"zipped": zipped, "bootstrap": unzipped}
        rows.append(("Deployment package, arm64 bootstrap zipped", "≤ 4 MB",
                     "%.2f MB (bootstrap %.2f MB)" % (zipped / 2**20, unzipped / 2**20), zipped <= 4 * 2**20))
        ns = cpu_per_key()
        figures["cpu_ns_per_key"] = ns
        rows.append(("CPU per key, rules over 100,000 keys (criterion)", "-", "%.0f ns" % ns, None))

    width = max(len(r[0]) for r in rows)
    print("\n| %-*s | %-16s | %-34s | %s |" % (width, "measure", "target", "result", "verdict"))
    print("|%s|%s|%s|%s|" % ("-" * (width + 2), "-" * 18, "-" * 36, "-" * 9))
    for name, target, result, ok in rows:
        verdict = "" if ok is None else ("met" if ok else "MISSED")
        print("| %-*s | %-16s | %-34s | %-7s |" % (width, name, target, result, verdict))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
