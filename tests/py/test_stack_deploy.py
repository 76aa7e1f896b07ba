"""The expanded template deployed into moto's CloudFormation once per documented parameter set
(a module-scoped fixture, with moto's mock active while that set's tests run), then each of
stack_checks.CHECKS on it, then member-role.yaml deployed beside it from its outputs and each of
stack_checks.MEMBER_CHECKS. A stack that does not deploy fails its `deploys` test and skips the
checks that need it, naming why. Select by name with -k, e.g. `-k "organization and schedule"`.
"""
import time
from typing import NamedTuple, Optional

import pytest
from moto import mock_aws

import stack_checks as sc
from parameter_sets import PARAMETER_SETS, label

DEPLOYED_SETS = [case for case in PARAMETER_SETS if case.deploy]


class Deployment(NamedTuple):
    """One parameter set's stack, or why it is not there."""
    deployed: Optional[sc.Deployed]
    problem: Optional[str]
    seconds: float


@pytest.fixture(scope="module", params=DEPLOYED_SETS, ids=[label(c.name) for c in DEPLOYED_SETS])
def deployment(request, expanded, expanded_text):
    """The stack of one parameter set, in a moto of its own that lives while its tests run."""
    case = request.param
    with mock_aws():
        started = time.monotonic()
        code = sc.code_zip()
        try:
            sc.upload_code(expanded, code)
            stack_id = sc.create_stack(expanded_text, case.params)
        except sc.Problem as e:
            yield Deployment(None, f"{case.name}: deploys {case.params}: {e}", time.monotonic() - started)
            return
        yield Deployment(sc.read_stack(case, expanded, stack_id, code), None, time.monotonic() - started)


@pytest.fixture(scope="module")
def deployed(deployment):
    """The created stack; its tests are skipped, naming why, when it was not created."""
    if deployment.deployed is None:
        pytest.skip(f"the stack did not deploy: {deployment.problem}")
    return deployment.deployed


@pytest.fixture(scope="module")
def member(deployed, member_template):
    """member-role.yaml's stack, created beside the main one from its outputs: (stack, problem)."""
    try:
        return sc.deploy_member(deployed, *member_template), None
    except (sc.Problem, KeyError) as e:  # KeyError: an output member-role.yaml needs is missing
        return None, f"{type(e).__name__}: {e}"


def test_deploys(deployment):
    assert deployment.problem is None, deployment.problem
    print(f"deployed in {deployment.seconds:.1f} s")


@pytest.mark.parametrize("check", sc.CHECKS, ids=[label(n) for n in sc.CHECKS])
def test_check(deployed, expanded, check):
    sc.passes(f"{deployed.case.name}: {check}", lambda: sc.CHECKS[check](deployed, expanded))


def test_member_role_deploys(deployed, member):
    stack, problem = member
    assert problem is None, f"stack: {deployed.case.name}: member-role.yaml deploys: {problem}"


@pytest.mark.parametrize("check", sc.MEMBER_CHECKS, ids=[label(n) for n in sc.MEMBER_CHECKS])
def test_member_check(deployed, member, check):
    stack, problem = member
    if stack is None:
        pytest.skip(f"member-role.yaml did not deploy: {problem}")
    sc.passes(f"{deployed.case.name}: {check}", lambda: sc.MEMBER_CHECKS[check](deployed, stack))
