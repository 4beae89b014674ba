"""``greedy``: follows its documented rule; only its invariants are guaranteed."""

from __future__ import annotations

import numpy as np
from hypothesis import given

from peermatch import solve

from . import brute
from .strategies import instances


def run(inst: brute.Instance) -> list[int]:
    out = solve(
        inst.values,
        inst.feasible,
        inst.capacity,
        solver="greedy",
        preferences=inst.preferences,
        preference_bonus=inst.bonus,
    )
    return [int(j) for j in out]


def test_best_pair_first_by_hand() -> None:
    values = np.array(
        [
            [0.9, 0.8, 0.1],
            [0.9, 0.7, 0.6],
            [0.3, 0.7, 0.2],
        ]
    )
    feasible = np.ones((3, 3), dtype=bool)
    # Sorted pairs: (0,0) 0.9 and (1,0) 0.9 tie -> row 0 first, takes leader 0 (capacity 1);
    # (1,0) leader full; (0,1) row 0 done; (1,1) 0.7 and (2,1) 0.7 tie -> row 1 takes leader 1;
    # (2,1) leader full; (1,2) row 1 done; (2,0) full; (2,2) 0.2 -> row 2 takes leader 2.
    assert solve(values, feasible, [1, 1, 1], solver="greedy").tolist() == [0, 1, 2]


def test_ties_by_row_then_column() -> None:
    values = np.full((2, 2), 0.5)
    out = solve(values, np.ones((2, 2), dtype=bool), [1, 1], solver="greedy")
    assert out.tolist() == [0, 1]


def test_bonus_counts_in_the_ordering() -> None:
    values = np.array([[0.50, 0.52]])
    feasible = np.ones((1, 2), dtype=bool)
    assert solve(values, feasible, [1, 1], solver="greedy").tolist() == [1]
    # Listing leader 0 adds 0.05 to it: 0.55 > 0.52.
    out = solve(values, feasible, [1, 1], solver="greedy", preferences=[[0]])
    assert out.tolist() == [0]


def test_no_optimality_guarantee() -> None:
    values = np.array([[0.9, 0.8], [0.85, 0.1]])
    feasible = np.array([[True, True], [True, False]])
    assert solve(values, feasible, [1, 1], solver="greedy").tolist() == [0, -1]
    assert solve(values, feasible, [1, 1], solver="hungarian").tolist() == [1, 0]


@given(inst=instances(max_n=10, max_m=6))
def test_follows_the_rule_and_is_maximal(inst: brute.Instance) -> None:
    got = run(inst)
    brute.check_valid(inst, got)
    assert got == brute.greedy_by_hand(inst)
    # Maximal: no allowed pair is left with a free participant and a leader with room.
    load = np.bincount([j for j in got if j >= 0], minlength=inst.m)
    for i in range(inst.n):
        for j in range(inst.m):
            if inst.acceptable(i, j):
                assert got[i] >= 0 or load[j] >= inst.capacity[j]
