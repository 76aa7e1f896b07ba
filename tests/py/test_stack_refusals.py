"""What the moto layer (scripts/moto_cfn.py) and the templates must refuse or fail: tiny
templates that prove the layer (stack_checks.NEGATIVES), the template's own Rules through the
layer (parameter_sets.REFUSED_SETS), and the parameters' constraints (stack_checks.TEMPLATE_CHECKS),
each in a fresh moto.
"""
import pytest
from moto import mock_aws

import stack_checks as sc
from parameter_sets import REFUSED_SETS, label


@pytest.fixture
def fresh_moto():
    with mock_aws():
        yield


@pytest.mark.parametrize("name, negative", sc.NEGATIVES, ids=[label(n) for n, _ in sc.NEGATIVES])
def test_layer(fresh_moto, name, negative):
    sc.passes(name, lambda: negative() or [])


@pytest.mark.parametrize("name, params, fragment", REFUSED_SETS, ids=[label(n) for n, _, _ in REFUSED_SETS])
def test_create_stack_refuses(fresh_moto, expanded, name, params, fragment):
    sc.passes(f"template: CreateStack refuses {name}", lambda: sc.refuses(expanded, params, fragment) or [])


@pytest.mark.parametrize("name, check", sc.TEMPLATE_CHECKS, ids=[label(n) for n, _ in sc.TEMPLATE_CHECKS])
def test_template(expanded, member_template, name, check):
    sc.passes(name, lambda: check({"template.yaml": expanded, "member-role.yaml": member_template[1]}))
