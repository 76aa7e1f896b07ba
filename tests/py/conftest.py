"""Fixtures and options shared by the Python tests, run by scripts/stack-check.sh,
scripts/e2e.sh and scripts/artifact.sh with .venv-moto's pytest (see pytest.ini).

The helpers they test live in scripts/ (cfn_eval.py, moto_cfn.py, report.py, ...): pytest.ini
puts both folders on the import path. The SAM transform runs in .venv-sam, which pins another botocore than
moto's: it is a subprocess, run once a session.
"""
import json
import os
import subprocess

import pytest

from support import ROOT, SCRIPTS


def pytest_addoption(parser):
    group = parser.getgroup("lightsail-key-audit")
    group.addoption("--template", default=str(ROOT / "template.yaml"),
                    help="the SAM template the stack tests expand and deploy (default: template.yaml)")
    group.addoption("--e2e-dir", help="scripts/e2e.sh's folder of answers, log and moto resources "
                    "(test_e2e.py)")
    group.addoption("--qemu", help="qemu-aarch64, to run the arm64 bootstrap (test_artifact.py)")
    group.addoption("--bootstrap", help="the arm64 bootstrap sam build made (test_artifact.py)")
    group.addoption("--local-url", help="lightsail-local's address (test_artifact.py)")


# The transform needs a region and reads no account: the offline identity of scripts/lib.sh.
OFFLINE_AWS = {"AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKIDOFFLINE000000001",
               "AWS_SECRET_ACCESS_KEY": "offline-secret-not-real", "AWS_EC2_METADATA_DISABLED": "true",
               "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
               "SAM_CLI_TELEMETRY": "0"}


def run_tool(what, *command):
    """Runs a command of the project's; its stdout, or the test fails naming what and why."""
    env = {k: v for k, v in os.environ.items() if k not in ("AWS_PROFILE", "AWS_SESSION_TOKEN")}
    done = subprocess.run(command, capture_output=True, text=True, env=dict(env, **OFFLINE_AWS))
    if done.returncode != 0:
        pytest.fail(f"{what} failed: {done.stderr.strip()[-2000:]}", pytrace=False)
    return done.stdout


@pytest.fixture(scope="session")
def expanded_text(pytestconfig):
    """The SAM template expanded to plain CloudFormation (JSON text), once a session."""
    template = pytestconfig.getoption("template")
    sam_bin = run_tool("installing .venv-sam", str(SCRIPTS / "tools.sh"), ".venv-sam",
                       "requirements-sam.txt").strip()
    return run_tool(f"SAM transform of {template}", os.path.join(sam_bin, "python"),
                    str(SCRIPTS / "expand_template.py"), template)


@pytest.fixture(scope="session")
def expanded(expanded_text):
    """The expanded template as a dict."""
    return json.loads(expanded_text)


@pytest.fixture(scope="session")
def member_template():
    """member-role.yaml: its text (what a user deploys) and its template."""
    import stack_checks  # moto's layer: only the tests that deploy need it

    return stack_checks.read_member_template()
