"""Every hypothesis test runs at least as many examples as the active profile asks for.

The profiles are registered in ``conftest.py`` and the per-test budgets come from ``budget.py``.
A test that fixed its own ``max_examples`` below the profile's would keep
``HYPOTHESIS_PROFILE=thorough`` from exploring it any further than the default run. This module
finds every hypothesis test of the package, reads the settings hypothesis will run it with and
checks the count against the active profile, so the rule holds in whichever profile runs.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest
from budget import examples
from hypothesis import settings

PACKAGE = Path(__file__).resolve().parent

# The only tests allowed to run fewer examples than the profile, and only in the default profile
# (any profile with more examples runs them in full). Each one uses ``budget.slow``.
SLOW_TESTS: dict[str, str] = {
    "tests.test_compare::test_numbers_equal_each_solvers_own_match": (
        "compares every solver with its own match run, about 60 ms an example"
    ),
    "tests.test_fuzz::test_cli_subprocess_on_random_input": (
        "starts a Python process for each example, about 0.6 s an example"
    ),
    "tests.test_scoring::test_every_evaluation_path_matches_reference": (
        "scores each cohort along every evaluation path, about 70 ms an example"
    ),
}


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)


TEST_MODULES = sorted(_module_name(path) for path in PACKAGE.rglob("test_*.py"))


def _hypothesis_tests(module_name: str) -> dict[str, settings]:
    """Every hypothesis test of a module, by ``module::name``, with the settings it runs with."""
    module = importlib.import_module(module_name)
    found: dict[str, settings] = {}
    for name, obj in vars(module).items():
        members = [(name, obj)]
        if inspect.isclass(obj):
            members = [(f"{name}.{member}", value) for member, value in vars(obj).items()]
        for qualname, fn in members:
            if getattr(fn, "is_hypothesis_test", False) and fn.__module__ == module_name:
                # what @given runs with: the test's own @settings, or the profile at import time
                found[f"{module_name}::{qualname}"] = fn._hypothesis_internal_use_settings
    return found


def _decorated_with(module_name: str, decorator: str) -> set[str]:
    """Functions of a module's source decorated with ``decorator`` or ``decorator(...)``."""
    path = PACKAGE.parent.joinpath(*module_name.split(".")).with_suffix(".py")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()

    def visit(body: list[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, ast.ClassDef):
                visit(node.body, f"{prefix}{node.name}.")
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for dec in node.decorator_list:
                    target = dec.func if isinstance(dec, ast.Call) else dec
                    name = target.attr if isinstance(target, ast.Attribute) else None
                    if isinstance(target, ast.Name):
                        name = target.id
                    if name == decorator:
                        names.add(f"{module_name}::{prefix}{node.name}")

    visit(tree.body, "")
    return names


def _default_profile_or_smaller() -> bool:
    return settings.default.max_examples <= settings.get_profile("default").max_examples


@pytest.mark.parametrize("module_name", TEST_MODULES)
def test_no_test_runs_fewer_examples_than_the_profile(module_name: str) -> None:
    profile = settings.default.max_examples
    short = {
        name: s.max_examples
        for name, s in _hypothesis_tests(module_name).items()
        if s.max_examples < profile and not (name in SLOW_TESTS and _default_profile_or_smaller())
    }
    assert not short, f"fewer than the profile's {profile} examples: {short}"


@pytest.mark.parametrize("module_name", TEST_MODULES)
def test_every_given_test_is_found(module_name: str) -> None:
    # read independently from the source, so a test the check cannot see fails here
    assert set(_hypothesis_tests(module_name)) == _decorated_with(module_name, "given")


def test_slow_tests_are_exactly_the_listed_ones() -> None:
    using_slow = set().union(*(_decorated_with(name, "slow") for name in TEST_MODULES))
    assert using_slow == set(SLOW_TESTS)
    found = set().union(*(_hypothesis_tests(name) for name in TEST_MODULES))
    assert set(SLOW_TESTS) <= found


def test_budgets_in_each_profile() -> None:
    default = settings.get_profile("default")
    thorough = settings.get_profile("thorough")
    n_default, n_thorough = default.max_examples, thorough.max_examples
    assert n_thorough >= 10 * n_default
    for profile in (default, thorough):
        n = profile.max_examples
        assert examples(n // 2, profile=profile) == n
        assert examples(n + 7, profile=profile) == n + 7
    # a slow test runs its own count in the default profile only
    assert examples(4, slow=True, profile=default) == 4
    assert examples(4, slow=True, profile=thorough) == n_thorough
    assert examples(n_thorough + 1, slow=True, profile=thorough) == n_thorough + 1
