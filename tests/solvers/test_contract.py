"""Contract every solver keeps, whatever its objective.

Every registered solver, and the large-cohort block solver (``peermatch.solvers._blocks``,
which runs behind ``hungarian`` on large cohorts) on each of its restricted-solve backends.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given

from peermatch import InputError, solve
from peermatch.solvers import SOLVERS
from peermatch.solvers._blocks import ortools_available, solve_problem_sparse
from peermatch.solvers._common import ArrayProblem, IntArray, as_problem

from . import brute
from .strategies import instances, seeded_instances

NAMES = sorted(SOLVERS)


def _blocks(backend: str) -> Callable[[ArrayProblem], IntArray]:
    def function(problem: ArrayProblem) -> IntArray:
        # one candidate per row and small blocks, so that the certificate has work to do
        result = solve_problem_sparse(problem, k=1, block_rows=2, backend=backend)  # type: ignore[arg-type]
        return result.assignment

    return function


#: The block solver as a solver function, per backend.
BLOCKS = {"blocks-scipy": _blocks("scipy"), "blocks-ortools": _blocks("ortools")}
_NO_ORTOOLS = pytest.mark.skipif(not ortools_available(), reason="OR-Tools not installed")
BLOCK_NAMES = ["blocks-scipy", pytest.param("blocks-ortools", marks=_NO_ORTOOLS)]
#: Every solver the contract applies to.
ALL = [*NAMES, *BLOCK_NAMES]


def function(name: str) -> Callable[[ArrayProblem], IntArray]:
    """The solver function behind a name of ``ALL``."""
    return BLOCKS[name] if name in BLOCKS else SOLVERS[name].function


def solve_any(
    name: str,
    values: object,
    feasible: object,
    capacity: object,
    preferences: list[list[int]] | None = None,
    preference_bonus: float = 0.05,
) -> np.ndarray:
    """``solve`` for registered solvers; the same checked problem for the block solver."""
    if name in SOLVERS:
        return solve(
            values,
            feasible,
            capacity,
            solver=name,
            preferences=preferences,
            preference_bonus=preference_bonus,
        )
    return BLOCKS[name](as_problem(values, feasible, capacity, preferences, preference_bonus))


def run(inst: brute.Instance, name: str) -> np.ndarray:
    return solve_any(name, inst.values, inst.feasible, inst.capacity, inst.preferences, inst.bonus)


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


@pytest.mark.parametrize("name", ALL)
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


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("shape", [(0, 0), (0, 3), (3, 0)])
def test_empty_sides(name: str, shape: tuple[int, int]) -> None:
    out = solve_any(name, np.zeros(shape), np.ones(shape, dtype=bool), np.ones(shape[1], int))
    assert out.dtype == np.int64
    assert out.tolist() == [-1] * shape[0]


@pytest.mark.parametrize("name", ALL)
def test_nothing_allowed(name: str) -> None:
    values = np.ones((3, 2))
    feasible = np.array([[False, True], [False, True], [False, False]])
    assert solve_any(name, values, feasible, [2, 0]).tolist() == [-1, -1, -1]


@pytest.mark.parametrize("name", ALL)
def test_zero_capacity_and_infeasible_never_used(name: str) -> None:
    values = np.array([[5.0, 1.0, 9.0], [5.0, 1.0, 9.0]])
    feasible = np.array([[True, True, False], [True, True, False]])
    out = solve_any(name, values, feasible, [0, 2, 3])
    assert out.tolist() == [1, 1]


@pytest.mark.parametrize("name", ALL)
def test_infeasible_listed_leader_is_ignored(name: str) -> None:
    values = np.array([[0.2, 0.4]])
    feasible = np.array([[False, True]])
    out = solve_any(name, values, feasible, [1, 1], preferences=[[0, 1]])
    assert out.tolist() == [1]


@pytest.mark.parametrize("name", ALL)
def test_accepts_plain_lists_and_negative_values(name: str) -> None:
    out = solve_any(name, [[-3.0, -1.0], [-2.0, -5.0]], np.ones((2, 2), dtype=bool), [1, 1])
    assert sorted(out.tolist()) == [0, 1]


@pytest.mark.parametrize("name", ALL)
def test_large_capacity_is_not_a_problem(name: str) -> None:
    values = np.arange(12, dtype=float).reshape(4, 3)
    out = solve_any(name, values, np.ones((4, 3), dtype=bool), [10**9, 0, 10**9])
    assert (out >= 0).all()
    assert set(out.tolist()) <= {0, 2}


@pytest.mark.parametrize("name", ALL)
def test_solver_function_takes_a_validated_problem(name: str) -> None:
    problem = as_problem(np.eye(3), np.ones((3, 3), dtype=bool), [1, 1, 1])
    assert function(name)(problem).tolist() == [0, 1, 2]


# -- the exact solvers: count first, then total -----------------------------------------------

EXACT = ["hungarian", *BLOCK_NAMES]


@pytest.mark.parametrize("name", EXACT)
@given(inst=instances())
def test_exact_solvers_reach_the_enumerated_optimum(name: str, inst: brute.Instance) -> None:
    got = run(inst, name).tolist()
    best_count, best_total = brute.best_count_total(inst)
    assert brute.count(got) == best_count
    assert brute.total(inst, got) == pytest.approx(best_total, abs=1e-6 * max(inst.n, 1))


@pytest.mark.parametrize("name", BLOCK_NAMES)
@given(inst=seeded_instances())
def test_block_solver_equals_hungarian_on_larger_instances(name: str, inst: brute.Instance) -> None:
    got = run(inst, name).tolist()
    brute.check_valid(inst, got)
    exact = run(inst, "hungarian").tolist()
    assert brute.count(got) == brute.count(exact)
    assert brute.total(inst, got) == pytest.approx(brute.total(inst, exact), abs=1e-6 * inst.n)
