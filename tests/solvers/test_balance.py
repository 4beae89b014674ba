"""``hungarian`` with ``balance``: the enumerated optimum, and never fewer matched."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from peermatch import InputError, solve

from . import brute
from .strategies import instances

TOL = 1e-6


def penalty(inst: brute.Instance, assignment: np.ndarray, balance: float) -> np.ndarray:
    """balance * sum_j load_j**2 / (2 capacity_j) of each row of ``assignments`` (plain)."""
    out = np.zeros(len(assignment))
    for k, row in enumerate(assignment):
        for j in range(inst.m):
            load = int(np.sum(row == j))
            if load:
                out[k] += balance * load * load / (2.0 * int(inst.capacity[j]))
    return out


def best_balanced(inst: brute.Instance, balance: float) -> tuple[int, float]:
    """Most matched, then the largest total of value + bonus - penalty, by enumeration."""
    every = brute.all_assignments(inst)
    counts = (every >= 0).sum(axis=1)
    obj = brute.objective(inst)
    totals = np.array(
        [sum(obj[i, j] for i, j in enumerate(row) if j >= 0) for row in every], dtype=float
    )
    net = totals - penalty(inst, every, balance)
    best = counts.max()
    return int(best), float(net[counts == best].max())


def run(inst: brute.Instance, balance: float) -> np.ndarray:
    return solve(
        inst.values,
        inst.feasible,
        inst.capacity,
        preferences=inst.preferences,
        preference_bonus=inst.bonus,
        balance=balance,
    )


BALANCES = st.sampled_from([0.0, 0.05, 0.3, 1.0, 4.0])


@given(inst=instances(max_n=6, max_m=3), balance=BALANCES)
def test_balanced_hungarian_reaches_the_enumerated_optimum(
    inst: brute.Instance, balance: float
) -> None:
    got = run(inst, balance)
    brute.check_valid(inst, list(got))
    best_count, best_net = best_balanced(inst, balance)
    assert brute.count(got) == best_count
    net = brute.total(inst, got) - penalty(inst, got[None, :], balance)[0]
    assert net == pytest.approx(best_net, abs=TOL)


@given(inst=instances(max_n=12, max_m=5, max_capacity=4), balance=BALANCES)
def test_balance_never_matches_fewer(inst: brute.Instance, balance: float) -> None:
    plain = run(inst, 0.0)
    balanced = run(inst, balance)
    brute.check_valid(inst, list(balanced))
    assert brute.count(balanced) >= brute.count(plain)
    # and never a more uneven spread than the matching without it, among equal counts
    assert penalty(inst, balanced[None, :], 1.0)[0] <= penalty(inst, plain[None, :], 1.0)[0] + TOL


def test_balance_zero_is_exactly_hungarian() -> None:
    rng = np.random.default_rng(5)
    values = rng.random((30, 6))
    feasible = rng.random((30, 6)) < 0.7
    capacity = rng.integers(1, 7, size=6)
    plain = solve(values, feasible, capacity)
    assert np.array_equal(solve(values, feasible, capacity, balance=0), plain)
    assert np.array_equal(solve(values, feasible, capacity, balance=0.0), plain)


def test_balance_moves_a_participant_to_the_emptier_leader() -> None:
    # Both prefer leader 0 a little; with balance they split, one each.
    values = np.array([[0.9, 0.85], [0.9, 0.85]])
    feasible = np.ones((2, 2), dtype=bool)
    assert solve(values, feasible, [2, 2]).tolist() == [0, 0]
    assert sorted(solve(values, feasible, [2, 2], balance=0.5).tolist()) == [0, 1]


@pytest.mark.parametrize(
    ("kwargs", "text"),
    [
        ({"balance": -0.1}, "balance"),
        ({"balance": float("nan")}, "balance"),
        ({"balance": 11}, "balance"),
        ({"balance": True}, "balance"),
        ({"balance": 0.5, "solver": "stable"}, "'hungarian' solver only"),
    ],
)
def test_bad_balance_is_refused(kwargs: dict[str, object], text: str) -> None:
    with pytest.raises(InputError, match=text):
        solve([[0.5]], [[True]], [1], **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", range(4))
def test_balanced_optimum_on_scores_where_the_trade_off_is_close(seed: int) -> None:
    # Values in [0, 1] and a small balance, so that the score and the caseload term are of
    # the same size and the exact form of the term decides.
    rng = np.random.default_rng(seed)
    for _ in range(60):
        n, m = int(rng.integers(2, 7)), int(rng.integers(1, 4))
        inst = brute.Instance(
            rng.random((n, m)).round(2),
            rng.random((n, m)) < 0.8,
            rng.integers(1, 5, size=m),
            None,
            0.0,
        )
        balance = float(rng.choice([0.05, 0.1, 0.2, 0.4]))
        got = run(inst, balance)
        best_count, best_net = best_balanced(inst, balance)
        assert brute.count(got) == best_count
        net = brute.total(inst, got) - penalty(inst, got[None, :], balance)[0]
        assert net == pytest.approx(best_net, abs=TOL)


def test_the_cost_of_a_place_is_half_a_step_below_its_number() -> None:
    # Two participants, equal values; leaders of capacity 1 and 4. Both with the larger leader
    # cost 2**2 / (2 * 4) = 0.5; one each cost 1 / (2 * 4) + 1 / (2 * 1) = 0.625.
    values = np.full((2, 2), 0.5)
    got = solve(values, np.ones((2, 2), dtype=bool), [1, 4], balance=1.0)
    assert got.tolist() == [1, 1]
    # a third participant: 3**2 / 8 = 1.125 against 1 / 2 + 2**2 / 8 = 1.0, so one moves
    got = solve(np.full((3, 2), 0.5), np.ones((3, 2), dtype=bool), [1, 4], balance=1.0)
    assert sorted(got.tolist()) == [0, 1, 1]
