"""``stable``: participant-optimal stable matching, checked against enumeration."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from peermatch import solve
from peermatch.solvers._common import ArrayProblem, Preferences, as_problem
from peermatch.solvers._stable import solve_stable

from . import brute
from .strategies import distinct_instances, instances, seeded_instances


def run(inst: brute.Instance) -> list[int]:
    out = solve(
        inst.values,
        inst.feasible,
        inst.capacity,
        solver="stable",
        preferences=inst.preferences,
        preference_bonus=inst.bonus,
    )
    return [int(j) for j in out]


# --------------------------------------------------------------------------- the references


@given(inst=instances(max_n=6, max_m=4), data=st.data())
def test_blocking_pair_counters_agree(inst: brute.Instance, data: st.DataObject) -> None:
    assignments = brute.all_assignments(inst)
    picks = data.draw(st.lists(st.integers(0, len(assignments) - 1), min_size=1, max_size=5))
    counts = brute.blocking_counts(inst, assignments[picks])
    for a, c in zip(assignments[picks], counts, strict=True):
        assert len(brute.blocking_pairs(inst, a.tolist())) == c


def test_blocking_pairs_on_a_hand_example() -> None:
    values = np.array([[0.9, 0.1], [0.8, 0.2]])
    inst = brute.Instance(values, np.ones((2, 2), dtype=bool), np.array([1, 1]))
    # Leader 0 prefers participant 0, who prefers leader 0: (0, 0) blocks [1, 0].
    assert brute.blocking_pairs(inst, [1, 0]) == [(0, 0)]
    assert brute.blocking_pairs(inst, [0, 1]) == []
    # An unmatched participant and a leader with a free place block.
    assert brute.blocking_pairs(inst, [0, -1]) == [(1, 1)]


# --------------------------------------------------------------------------- the solver


@given(inst=instances(max_n=6, max_m=4))
def test_participant_optimal_among_all_stable_matchings(inst: brute.Instance) -> None:
    got = run(inst)
    brute.check_valid(inst, got)
    assert brute.blocking_pairs(inst, got) == []
    stable = brute.stable_matchings(inst)
    assert len(stable) >= 1  # Gale–Shapley: a stable matching always exists
    assert any(np.array_equal(s, got) for s in stable)
    prank, _ = brute.rank_tables(inst)
    worst = inst.n + inst.m + 1
    for i in range(inst.n):
        mine = prank[i, got[i]] if got[i] >= 0 else worst
        best = min(prank[i, s[i]] if s[i] >= 0 else worst for s in stable)
        assert mine == best, f"participant {i} could do better in another stable matching"
    # The same participants are matched in every stable matching.
    assert all(((s >= 0) == (np.array(got) >= 0)).all() for s in stable)


@given(inst=seeded_instances())
def test_equals_textbook_deferred_acceptance(inst: brute.Instance) -> None:
    got = run(inst)
    assert got == brute.deferred_acceptance(inst)
    assert brute.blocking_pairs(inst, got) == []


@given(inst=seeded_instances(min_n=30, max_n=60, min_m=20, max_m=30, alike=True))
def test_equals_textbook_deferred_acceptance_deep_in_the_rankings(inst: brute.Instance) -> None:
    # Many participants propose to more leaders than the part of their ranking computed up
    # front, and long ranked lists are cut the same way.
    assert run(inst) == brute.deferred_acceptance(inst)


@pytest.mark.parametrize("seed", range(3))
def test_participants_who_run_out_of_their_first_leaders(seed: int) -> None:
    # Everyone ranks the leaders alike, so late participants go far down their rankings
    # (past the part of the order computed up front).
    rng = np.random.default_rng(seed)
    n, m = 90, 40
    values = np.tile(rng.random(m), (n, 1)) + rng.random((n, 1)) * 1e-3
    feasible = rng.random((n, m)) < 0.9
    inst = brute.Instance(values, feasible, rng.integers(0, 3, size=m))
    got = run(inst)
    assert got == brute.deferred_acceptance(inst)
    assert brute.blocking_pairs(inst, got) == []


@pytest.mark.parametrize("seed", range(3))
def test_long_preference_lists(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, m = 60, 35
    values = np.round(rng.random((n, m)), 1)  # many ties
    feasible = rng.random((n, m)) < 0.8
    lists = [rng.permutation(m)[: rng.integers(0, m + 1)].tolist() for _ in range(n)]
    inst = brute.Instance(values, feasible, rng.integers(0, 3, size=m), lists)
    got = run(inst)
    assert got == brute.deferred_acceptance(inst)
    assert brute.blocking_pairs(inst, got) == []


@given(inst=instances(max_n=8, max_m=5), seed=st.integers(0, 2**32 - 1))
def test_preference_entries_in_any_order(inst: brute.Instance, seed: int) -> None:
    problem = as_problem(inst.values, inst.feasible, inst.capacity, inst.preferences)
    p = problem.preferences
    order = np.random.default_rng(seed).permutation(len(p))
    shuffled = Preferences(p.rows[order], p.cols[order], p.position[order], p.length)
    other = ArrayProblem(
        problem.values, problem.feasible, problem.capacity, shuffled, problem.preference_bonus
    )
    assert np.array_equal(solve_stable(other), solve_stable(problem))


@given(inst=distinct_instances(), seed=st.integers(0, 2**32 - 1))
def test_relabelling_rows_and_columns_relabels_the_result(inst: brute.Instance, seed: int) -> None:
    rng = np.random.default_rng(seed)
    rp, cp = rng.permutation(inst.n), rng.permutation(inst.m)
    got = np.array(run(inst))
    moved = brute.Instance(inst.values[rp][:, cp], inst.feasible[rp][:, cp], inst.capacity[cp])
    got_moved = np.array(run(moved))
    expected = np.where(got[rp] >= 0, np.argsort(cp)[got[rp]], -1)
    assert np.array_equal(got_moved, expected)


# --------------------------------------------------------------------------- hand examples


def test_leader_keeps_the_participant_it_values_most() -> None:
    values = np.array([[0.9, 0.5], [0.95, 0.2]])
    out = solve(values, np.ones((2, 2), dtype=bool), [1, 1], solver="stable")
    assert out.tolist() == [1, 0]


def test_ties_go_to_the_smaller_index() -> None:
    # Leader 0 values both participants alike: it keeps participant 0.
    values = np.array([[0.5, 0.1], [0.5, 0.1]])
    out = solve(values, np.ones((2, 2), dtype=bool), [1, 1], solver="stable")
    assert out.tolist() == [0, 1]
    # A participant valuing two leaders alike proposes to the smaller index first.
    out = solve(np.array([[0.5, 0.5]]), np.ones((1, 2), dtype=bool), [1, 1], solver="stable")
    assert out.tolist() == [0]


def test_listed_leaders_come_first_then_values() -> None:
    values = np.array([[0.9, 0.1, 0.5, 0.7]])
    feasible = np.array([[True, True, False, True]])
    # Listed 2 is infeasible and skipped; listed 1 comes before the better-valued 0 and 3.
    out = solve(values, feasible, [1, 1, 1, 1], solver="stable", preferences=[[2, 1]])
    assert out.tolist() == [1]
    # When the listed leader is full, the next is the best by value.
    values2 = np.array([[0.9, 0.1, 0.5, 0.7], [0.0, 0.9, 0.0, 0.0]])
    feasible2 = np.vstack([feasible, np.ones((1, 4), dtype=bool)])
    out = solve(values2, feasible2, [1, 1, 1, 1], solver="stable", preferences=[[1], []])
    assert out.tolist() == [0, 1]


def test_capacity_is_shared_in_leader_order() -> None:
    values = np.array([[0.9, 0.2], [0.8, 0.3], [0.7, 0.4]])
    out = solve(values, np.ones((3, 2), dtype=bool), [2, 1], solver="stable")
    assert out.tolist() == [0, 0, 1]


def test_stable_may_match_fewer_than_hungarian() -> None:
    # Participant 0 takes leader 0, whom participant 1 needs; stability forbids moving it.
    values = np.array([[0.9, 0.8], [0.85, 0.1]])
    feasible = np.array([[True, True], [True, False]])
    assert solve(values, feasible, [1, 1], solver="stable").tolist() == [0, -1]
    assert solve(values, feasible, [1, 1], solver="hungarian").tolist() == [1, 0]
