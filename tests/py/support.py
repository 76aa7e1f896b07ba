"""What the Python tests share besides fixtures: the project's folders, and the options a step's
script gives its tests."""
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "scripts"


def required_option(config, name, by):
    """An option the tests of a step need: without it they are skipped, naming who gives it."""
    value = config.getoption(name)
    if not value:
        pytest.skip(f"needs --{name.replace('_', '-')}, which {by} gives")
    return value
