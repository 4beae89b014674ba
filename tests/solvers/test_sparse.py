"""Exact sparse assignment from row blocks (``peermatch.solvers._blocks``)."""

from __future__ import annotations

import time
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from peermatch.errors import InputError, OptimalityWarning
from peermatch.solvers._blocks import (
    SparseResult,
    ortools_available,
    solve_blocks,
    solve_problem_sparse,
)
from peermatch.solvers._blocks._chunks import top_mask
from peermatch.solvers._blocks._columns import ColumnBest
from peermatch.solvers._common import ArrayProblem, as_problem
from peermatch.solvers._hungarian import solve_hungarian

BACKENDS = [
    "scipy",
    pytest.param(
        "ortools",
        marks=pytest.mark.skipif(not ortools_available(), reason="OR-Tools not installed"),
    ),
]


def _totals(problem: ArrayProblem, assignment: np.ndarray) -> tuple[int, float]:
    obj = problem.objective_matrix()
    rows = np.flatnonzero(assignment >= 0)
    return int(rows.size), float(obj[rows, assignment[rows]].sum())


def _assert_valid(problem: ArrayProblem, assignment: np.ndarray) -> None:
    n, m = problem.shape
    assert assignment.shape == (n,)
    rows = np.flatnonzero(assignment >= 0)
    assert np.all(problem.allowed()[rows, assignment[rows]])
    load = np.bincount(assignment[rows], minlength=m)
    assert np.all(load <= problem.capacity)


@st.composite
def problems(draw: st.DrawFn) -> ArrayProblem:
    n = draw(st.integers(0, 14))
    m = draw(st.integers(1, 7))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    if draw(st.booleans()):  # many ties
        values = rng.integers(0, 3, size=(n, m)) / 2.0
    else:
        values = rng.random((n, m)) + draw(st.floats(0.0, 2.0)) * rng.random(m)[None, :]
    feasible = rng.random((n, m)) < draw(st.floats(0.1, 1.0))
    if n and draw(st.booleans()):
        feasible[rng.integers(0, n)] = False  # a row with no allowed leader
    capacity = rng.integers(0, 4, size=m)
    prefs = None
    if draw(st.booleans()):
        prefs = [
            [int(c) for c in rng.permutation(m)[: rng.integers(0, min(m, 3) + 1)]] for _ in range(n)
        ]
    return as_problem(values, feasible, capacity, prefs, draw(st.sampled_from([0.0, 0.05, 0.5])))


@pytest.mark.parametrize("backend", BACKENDS)
@given(problem=problems(), k=st.integers(1, 3), col_k=st.sampled_from([0, None]))
def test_matches_dense_optimum(
    backend: str, problem: ArrayProblem, k: int, col_k: int | None
) -> None:
    n, m = problem.shape
    dense = solve_hungarian(problem)
    result = solve_blocks(
        lambda a, b: (problem.values[a:b], problem.allowed()[a:b]),
        n,
        m,
        problem.capacity,
        bonus_rows=problem.preferences.rows,
        bonus_cols=problem.preferences.cols,
        bonus_values=problem.preferences.bonus(problem.preference_bonus),
        k=k,
        block_rows=3,
        backend=backend,  # type: ignore[arg-type]
        col_k=col_k,
    )
    _assert_valid(problem, result.assignment)
    assert result.certified
    assert result.gap_bound == 0.0
    count, total = _totals(problem, result.assignment)
    best_count, best_total = _totals(problem, dense)
    assert count == best_count
    assert total == pytest.approx(best_total, abs=1e-6 * max(n, 1))


def _crowded(n_rows: int = 12) -> ArrayProblem:
    """Everyone ranks the same two leaders first; they take one each; the rest have room."""
    rng = np.random.default_rng(3)
    m = 6
    values = 0.1 + 0.1 * rng.random((n_rows, m))
    values[:, :2] = 0.9 + 0.05 * rng.random((n_rows, 2))
    capacity = np.array([1, 1, 3, 3, 3, 3])
    return as_problem(values, np.ones((n_rows, m), dtype=bool), capacity)


@pytest.mark.parametrize("backend", BACKENDS)
def test_top_k_alone_would_leave_rows_unmatched(backend: str) -> None:
    problem = _crowded()
    n, m = problem.shape
    result = solve_blocks(
        lambda a, b: (problem.values[a:b], problem.allowed()[a:b]),
        n,
        m,
        problem.capacity,
        k=2,
        col_k=0,
        backend=backend,  # type: ignore[arg-type]
    )
    assert result.certified
    assert result.n_matched == n  # the restricted problem alone matches only 2
    assert result.round_log[0]["matched"] == 2
    assert result.rounds > 1
    _assert_valid(problem, result.assignment)
    assert _totals(problem, result.assignment)[1] == pytest.approx(
        _totals(problem, solve_hungarian(problem))[1], abs=1e-9
    )


@pytest.mark.parametrize("backend", BACKENDS)
def test_stopped_early_reports_an_honest_gap(backend: str) -> None:
    problem = _crowded()
    n, m = problem.shape
    result = solve_blocks(
        lambda a, b: (problem.values[a:b], problem.allowed()[a:b]),
        n,
        m,
        problem.capacity,
        k=2,
        col_k=0,
        max_rounds=0,
        backend=backend,  # type: ignore[arg-type]
    )
    assert not result.certified
    assert not result.count_certified  # it matched 2 of 12, the optimum matches all
    assert result.rounds == 1
    _assert_valid(problem, result.assignment)
    count, total = _totals(problem, result.assignment)
    best_count, best_total = _totals(problem, solve_hungarian(problem))
    assert count < best_count
    # the bound is on count-first weights: count_weight + objective - objective_min per pair
    offset = result.count_weight - result.objective_min
    true_gap = (best_count - count) * offset + best_total - total
    assert result.count_weight > n * 0.15
    assert true_gap <= result.gap_bound


@pytest.mark.parametrize("backend", BACKENDS)
@given(problem=problems())
def test_gap_bound_of_a_first_solve_is_an_upper_bound(backend: str, problem: ArrayProblem) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = solve_problem_sparse(problem, k=1, max_rounds=0, backend=backend)  # type: ignore[arg-type]
    # an uncertified result always warns, a certified one never does
    assert [w.category for w in caught] == ([] if result.certified else [OptimalityWarning])
    _assert_valid(problem, result.assignment)
    count, total = _totals(problem, result.assignment)
    best_count, best_total = _totals(problem, solve_hungarian(problem))
    if result.certified:
        assert result.gap_bound == 0.0
        assert count == best_count
        assert total == pytest.approx(best_total, abs=1e-6 * max(problem.shape[0], 1))
    elif result.count_certified:
        assert count == best_count
        assert best_total - total <= result.gap_bound + 1e-9
    else:
        offset = result.count_weight - result.objective_min
        true_gap = (best_count - count) * offset + best_total - total
        assert true_gap <= result.gap_bound + 1e-9


@pytest.mark.parametrize("backend", BACKENDS)
def test_stopped_in_memory_solve_warns(backend: str) -> None:
    rng = np.random.default_rng(0)  # popular leaders: one candidate per row is not enough
    values = rng.random((30, 8)) + 2 * rng.random(8)[None, :]
    problem = as_problem(values, rng.random((30, 8)) < 0.9, rng.integers(1, 4, 8))
    assert solve_problem_sparse(problem, k=1, backend=backend).rounds > 1  # type: ignore[arg-type]
    with pytest.warns(OptimalityWarning, match="valid but not proven optimal") as caught:
        result = solve_problem_sparse(problem, k=1, max_rounds=0, backend=backend)  # type: ignore[arg-type]
    assert len(caught) == 1
    assert caught[0].filename == __file__
    assert not result.certified and result.count_certified
    assert f"at most {result.gap_bound:.3g} higher" in str(caught[0].message)
    _assert_valid(problem, result.assignment)
    count, total = _totals(problem, result.assignment)
    best_count, best_total = _totals(problem, solve_hungarian(problem))
    assert count == best_count
    assert best_total - total <= result.gap_bound


@pytest.mark.parametrize("backend", BACKENDS)
def test_stopped_early_with_the_count_right_bounds_the_total(backend: str) -> None:
    # with two candidates per row the first solve matches everyone, but not in the best way
    values = np.array([[0.9, 0.7, 0.8], [0.9, 0.6, 0.0], [0.7, 0.6, 0.8]])
    problem = as_problem(values, np.ones((3, 3), dtype=bool), [1, 1, 1])
    result = solve_blocks(
        lambda a, b: (problem.values[a:b], problem.allowed()[a:b]),
        3,
        3,
        problem.capacity,
        k=2,
        col_k=0,
        max_rounds=0,
        backend=backend,  # type: ignore[arg-type]
    )
    count, total = _totals(problem, result.assignment)
    best_count, best_total = _totals(problem, solve_hungarian(problem))
    assert not result.certified
    assert result.count_certified
    assert count == best_count == 3
    assert best_total - total == pytest.approx(0.1)
    assert best_total - total <= result.gap_bound < 0.1 + 1e-6
    # and with rounds allowed it finds the optimum
    full = solve_problem_sparse(problem, k=2, backend=backend)  # type: ignore[arg-type]
    assert full.certified
    assert _totals(problem, full.assignment)[1] == pytest.approx(best_total)


def test_deterministic() -> None:
    rng = np.random.default_rng(7)
    values = np.round(rng.random((60, 12)), 1)  # ties
    problem = as_problem(values, rng.random((60, 12)) < 0.8, rng.integers(1, 6, 12))
    first = solve_problem_sparse(problem, k=2)
    for _ in range(3):
        again = solve_problem_sparse(problem, k=2)
        assert np.array_equal(first.assignment, again.assignment)


@given(problem=problems(), k=st.integers(1, 3))
def test_threads_change_nothing(problem: ArrayProblem, k: int) -> None:
    n, m = problem.shape

    def provider(a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
        time.sleep(0.0005 * ((n - a) % 3))  # later blocks often finish first
        return problem.values[a:b], problem.allowed()[a:b]

    def run(workers: int) -> SparseResult:
        return solve_blocks(
            provider,
            n,
            m,
            problem.capacity,
            bonus_rows=problem.preferences.rows,
            bonus_cols=problem.preferences.cols,
            bonus_values=problem.preferences.bonus(problem.preference_bonus),
            k=k,
            block_rows=2,
            workers=workers,
        )

    one, two = run(1), run(2)
    assert np.array_equal(one.assignment, two.assignment)
    assert (one.certified, one.rounds, one.n_candidates, one.round_log) == (
        two.certified,
        two.rounds,
        two.n_candidates,
        two.round_log,
    )
    if one.first_cols is not None or two.first_cols is not None:
        assert one.first_cols is not None and two.first_cols is not None
        assert np.array_equal(one.first_cols, two.first_cols)


def test_threads_pass_on_a_provider_error() -> None:
    problem = _crowded(40)
    n, m = problem.shape

    def provider(a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
        if a >= 24:
            return np.zeros((b - a, m + 1)), np.ones((b - a, m + 1), dtype=bool)
        return problem.values[a:b], problem.allowed()[a:b]

    with pytest.raises(InputError, match="shape"):
        solve_blocks(provider, n, m, problem.capacity, k=2, block_rows=4, workers=2)
    with pytest.raises(InputError, match="workers"):
        solve_blocks(provider, n, m, problem.capacity, workers=0)


def test_provider_is_called_by_blocks_only() -> None:
    problem = _crowded(40)
    n, m = problem.shape
    calls: list[tuple[int, int]] = []

    def provider(a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
        calls.append((a, b))
        return problem.values[a:b], problem.allowed()[a:b]

    result = solve_blocks(provider, n, m, problem.capacity, k=2, block_rows=8)
    assert result.certified
    assert all(b - a <= 8 for a, b in calls)


def test_rejects_bad_arguments() -> None:
    with pytest.raises(InputError, match="backend"):
        solve_blocks(
            lambda a, b: (np.zeros((b - a, 1)), np.ones((b - a, 1), bool)),
            2,
            1,
            [1],
            backend="magic",
        )  # type: ignore[arg-type]
    with pytest.raises(InputError, match="capacity"):
        solve_blocks(lambda a, b: (np.zeros((b - a, 1)), np.ones((b - a, 1), bool)), 2, 1, [-1])
    with pytest.raises(InputError, match="shape"):
        solve_blocks(lambda a, b: (np.zeros((b - a, 2)), np.ones((b - a, 2), bool)), 2, 1, [1])


def test_rejects_non_finite_allowed_values() -> None:
    values = np.array([[0.5, np.nan], [0.2, 0.3]])
    allowed = np.ones((2, 2), dtype=bool)
    with pytest.raises(InputError, match="finite"):
        solve_blocks(lambda a, b: (values[a:b], allowed[a:b]), 2, 2, [1, 1])
    # a non-finite value on a pair that is not allowed is ignored
    allowed[0, 1] = False
    result = solve_blocks(lambda a, b: (values[a:b], allowed[a:b]), 2, 2, [1, 1])
    assert result.assignment.tolist() == [0, 1]


def test_empty_and_nobody_allowed() -> None:
    empty = solve_blocks(
        lambda a, b: (np.zeros((b - a, 3)), np.zeros((b - a, 3), bool)), 0, 3, [1, 1, 1]
    )
    assert empty.assignment.shape == (0,)
    assert empty.certified
    none = solve_blocks(
        lambda a, b: (np.zeros((b - a, 3)), np.zeros((b - a, 3), bool)), 4, 3, [1, 1, 1]
    )
    assert none.assignment.tolist() == [-1] * 4
    assert none.certified


def test_rejects_bad_tuning() -> None:
    def provider(a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
        return np.zeros((b - a, 2)), np.ones((b - a, 2), dtype=bool)

    with pytest.raises(InputError, match="col_k"):
        solve_blocks(provider, 2, 2, [1, 1], col_k=-1)
    with pytest.raises(InputError, match="shadow"):
        solve_blocks(provider, 2, 2, [1, 1], shadow=1.5)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="k: expected"):
        solve_blocks(provider, 2, 2, [1, 1], k=0)


@pytest.mark.parametrize("shadow", [0, 1, 5])
def test_shadow_sizes_keep_it_exact(shadow: int) -> None:
    rng = np.random.default_rng(11)
    values = rng.random((40, 8)) + rng.random(8)[None, :]
    problem = as_problem(values, rng.random((40, 8)) < 0.9, rng.integers(1, 5, 8))
    result = solve_blocks(
        lambda a, b: (problem.values[a:b], problem.allowed()[a:b]),
        40,
        8,
        problem.capacity,
        k=1,
        shadow=shadow,
        col_k=0,
    )
    assert result.certified
    assert _totals(problem, result.assignment) == pytest.approx(
        _totals(problem, solve_hungarian(problem))
    )


def test_column_lists_ignore_pairs_that_are_not_allowed() -> None:
    # many rows per block, few allowed pairs per leader: a block's own floor is -inf
    rng = np.random.default_rng(5)
    values = rng.random((200, 6))
    feasible = rng.random((200, 6)) < 0.03
    problem = as_problem(values, feasible, [3] * 6)
    result = solve_blocks(
        lambda a, b: (problem.values[a:b], problem.allowed()[a:b]),
        200,
        6,
        problem.capacity,
        col_k=2,
    )
    _assert_valid(problem, result.assignment)
    assert result.certified
    assert _totals(problem, result.assignment) == pytest.approx(
        _totals(problem, solve_hungarian(problem))
    )


# -- pieces: the tie-break rule (higher value first, then the smaller index) -----------------


@given(
    values=st.lists(
        st.lists(st.sampled_from([-np.inf, 0.0, 0.5, 1.0]), min_size=6, max_size=6),
        min_size=1,
        max_size=5,
    ),
    count=st.integers(1, 6),
)
def test_top_mask_keeps_the_best_first_entries(values: list[list[float]], count: int) -> None:
    x = np.array(values)
    expected = np.zeros(x.shape, dtype=bool)
    for i, row in enumerate(x.tolist()):
        ranked = sorted(range(len(row)), key=lambda j: (-row[j], j))
        expected[i, ranked[:count]] = True
    assert np.array_equal(top_mask(x, count), expected)


@given(
    keys=st.lists(
        st.lists(st.sampled_from([-np.inf, 0.0, 1.0, 2.0]), min_size=3, max_size=3),
        min_size=1,
        max_size=30,
    ),
    size=st.integers(1, 4),
    block=st.integers(1, 7),
)
def test_column_lists_keep_the_best_rows_ties_to_the_smaller_row(
    keys: list[list[float]], size: int, block: int
) -> None:
    key = np.array(keys)
    n, m = key.shape
    best = ColumnBest(m, size)
    for start in range(0, n, block):  # offered in row order, as a pass over row blocks does
        rows = np.arange(start, min(n, start + block), dtype=np.int64)
        best.update(key[rows], rows, 10.0 * key[rows])
    best.merge()
    for j in range(m):
        ranked = sorted((i for i in range(n) if key[i, j] > -np.inf), key=lambda i: (-key[i, j], i))
        kept = [int(i) for i in best.row[j] if i >= 0]
        assert kept == ranked[:size]
        assert best.obj[j, : len(kept)].tolist() == [10.0 * key[i, j] for i in kept]
