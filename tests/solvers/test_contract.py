"""Contract every registered solver keeps, whatever its objective."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

from peermatch import InputError, solve
from peermatch.solvers import SOLVERS
from peermatch.solvers._common import as_problem

from . import brute
from .strategies import instances

NAMES = sorted(SOLVERS)


def run(inst: brute.Instance, name: str) -> np.ndarray:
    return solve(
        inst.values,
        inst.feasible,
        inst.capacity,
        solver=name,
        preferences=inst.preferences,
        preference_bonus=inst.bonus,
    )


def test_every_solver_of_the_spec_is_registered() -> None:
    assert {"hungarian", "stable", "maximin", "greedy"} <= set(SOLVERS)
    for name, spec in SOLVERS.items():
        assert spec.name == name
        assert spec.guarantee.strip()
    assert "no optimality guarantee" in SOLVERS["greedy"].guarantee


def test_unknown_solver_lists_the_valid_ones() -> None:
    with pytest.raises(InputError) as err:
        solve(np.zeros((1, 1)), np.ones((1, 1), dtype=bool), [1], solver="gale")
    for name in NAMES:
        assert name in str(err.value)


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=200, deadline=None)
@given(inst=instances(max_n=9, max_m=5))
def test_valid_and_deterministic(name: str, inst: brute.Instance) -> None:
    values, feasible, capacity = (a.copy() for a in (inst.values, inst.feasible, inst.capacity))
    first = run(inst, name)
    assert first.dtype == np.int64
    assert first.shape == (inst.n,)
    brute.check_valid(inst, first.tolist())
    assert np.array_equal(run(inst, name), first)
    # inputs are left as they were
    assert np.array_equal(inst.values, values)
    assert np.array_equal(inst.feasible, feasible)
    assert np.array_equal(inst.capacity, capacity)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("shape", [(0, 0), (0, 3), (3, 0)])
def test_empty_sides(name: str, shape: tuple[int, int]) -> None:
    out = solve(np.zeros(shape), np.ones(shape, dtype=bool), np.ones(shape[1], int), solver=name)
    assert out.dtype == np.int64
    assert out.tolist() == [-1] * shape[0]


@pytest.mark.parametrize("name", NAMES)
def test_nothing_allowed(name: str) -> None:
    values = np.ones((3, 2))
    feasible = np.array([[False, True], [False, True], [False, False]])
    assert solve(values, feasible, [2, 0], solver=name).tolist() == [-1, -1, -1]


@pytest.mark.parametrize("name", NAMES)
def test_zero_capacity_and_infeasible_never_used(name: str) -> None:
    values = np.array([[5.0, 1.0, 9.0], [5.0, 1.0, 9.0]])
    feasible = np.array([[True, True, False], [True, True, False]])
    out = solve(values, feasible, [0, 2, 3], solver=name)
    assert out.tolist() == [1, 1]


@pytest.mark.parametrize("name", NAMES)
def test_infeasible_listed_leader_is_ignored(name: str) -> None:
    values = np.array([[0.2, 0.4]])
    feasible = np.array([[False, True]])
    out = solve(values, feasible, [1, 1], solver=name, preferences=[[0, 1]])
    assert out.tolist() == [1]


@pytest.mark.parametrize("name", NAMES)
def test_accepts_plain_lists_and_negative_values(name: str) -> None:
    out = solve([[-3.0, -1.0], [-2.0, -5.0]], np.ones((2, 2), dtype=bool), [1, 1], solver=name)
    assert sorted(out.tolist()) == [0, 1]


@pytest.mark.parametrize("name", NAMES)
def test_large_capacity_is_not_a_problem(name: str) -> None:
    values = np.arange(12, dtype=float).reshape(4, 3)
    out = solve(values, np.ones((4, 3), dtype=bool), [10**9, 0, 10**9], solver=name)
    assert (out >= 0).all()
    assert set(out.tolist()) <= {0, 2}


@pytest.mark.parametrize("name", NAMES)
def test_solver_function_takes_a_validated_problem(name: str) -> None:
    problem = as_problem(np.eye(3), np.ones((3, 3), dtype=bool), [1, 1, 1])
    assert SOLVERS[name].function(problem).tolist() == [0, 1, 2]
