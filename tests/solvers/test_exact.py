"""``hungarian`` and ``maximin`` reach the optimum that enumeration finds."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peermatch import solve
from peermatch.solvers._maximin import max_matched

from . import brute
from .strategies import instances

TOL = 1e-6


def run(inst: brute.Instance, name: str) -> list[int]:
    out = solve(
        inst.values,
        inst.feasible,
        inst.capacity,
        solver=name,
        preferences=inst.preferences,
        preference_bonus=inst.bonus,
    )
    return [int(j) for j in out]


@settings(max_examples=250, deadline=None)
@given(inst=instances())
def test_hungarian_reaches_the_enumerated_optimum(inst: brute.Instance) -> None:
    got = run(inst, "hungarian")
    brute.check_valid(inst, got)
    best_count, best_total = brute.best_count_total(inst)
    assert brute.count(got) == best_count
    assert brute.total(inst, got) == pytest.approx(best_total, abs=TOL)


@settings(max_examples=250, deadline=None)
@given(inst=instances())
def test_maximin_reaches_the_enumerated_optimum(inst: brute.Instance) -> None:
    got = run(inst, "maximin")
    brute.check_valid(inst, got)
    best_count, best_low, best_total = brute.best_count_lowest_total(inst)
    assert brute.count(got) == best_count
    assert brute.lowest_value(inst, got) == best_low
    assert brute.total(inst, got) == pytest.approx(best_total, abs=TOL)


@settings(max_examples=150, deadline=None)
@given(inst=instances())
def test_maximin_never_matches_fewer_or_lower_than_hungarian(inst: brute.Instance) -> None:
    exact = run(inst, "hungarian")
    fair = run(inst, "maximin")
    assert brute.count(fair) == brute.count(exact)
    assert brute.lowest_value(inst, fair) >= brute.lowest_value(inst, exact)
    assert brute.total(inst, fair) <= brute.total(inst, exact) + TOL


def test_maximin_lowest_value_ignores_the_bonus() -> None:
    # Listing leader 0 first gives participant 0 a bonus of 0.5 on it, lifting 0.3 to 0.8.
    # The lowest *value* still decides: 0.3 must not be chosen over 0.5.
    values = np.array([[0.3, 0.5], [0.9, 0.9]])
    feasible = np.ones((2, 2), dtype=bool)
    for name, expected in [("hungarian", [0, 1]), ("maximin", [1, 0])]:
        out = solve(
            values, feasible, [1, 1], solver=name, preferences=[[0], []], preference_bonus=0.5
        )
        assert out.tolist() == expected


def test_maximin_uses_the_bonus_for_the_total() -> None:
    # Both assignments have lowest value 0.5; the listed pair breaks the tie in the total.
    values = np.array([[0.5, 0.5], [0.5, 0.5]])
    feasible = np.ones((2, 2), dtype=bool)
    out = solve(values, feasible, [1, 1], solver="maximin", preferences=[[1], []])
    assert out.tolist() == [1, 0]


def test_maximin_matches_the_most_before_lifting_the_lowest() -> None:
    # Matching both forces participant 1 onto a 0.1 pair; one alone could reach 0.9.
    values = np.array([[0.9, 0.8], [0.1, 0.0]])
    feasible = np.array([[True, True], [True, False]])
    assert solve(values, feasible, [1, 1], solver="maximin").tolist() == [1, 0]


def test_maximin_exact_threshold_on_close_values() -> None:
    # Values a few ulps apart must still be told apart.
    a = 0.3
    b = np.nextafter(a, 1.0)
    values = np.array([[b, a], [a, b]])
    out = solve(values, np.ones((2, 2), dtype=bool), [1, 1], solver="maximin")
    assert out.tolist() == [0, 1]


def _bottleneck_by_networkx(inst: brute.Instance) -> tuple[int, float]:
    """Most matched and best lowest value, by matching slot copies of each leader."""

    def size(threshold: float) -> int:
        g = nx.Graph()
        rows = [("r", i) for i in range(inst.n)]
        g.add_nodes_from(rows)
        for i in range(inst.n):
            for j in range(inst.m):
                if inst.acceptable(i, j) and inst.values[i, j] >= threshold:
                    g.add_edges_from((("r", i), ("s", j, c)) for c in range(inst.capacity[j]))
        matching = nx.bipartite.maximum_matching(g, top_nodes=rows)
        return sum(1 for node in matching if node[0] == "r")

    best = size(-np.inf)
    if best == 0:
        return 0, np.inf
    candidates = sorted(
        {
            float(inst.values[i, j])
            for i in range(inst.n)
            for j in range(inst.m)
            if inst.acceptable(i, j)
        },
        reverse=True,
    )
    for t in candidates:
        if size(t) == best:
            return best, t
    raise AssertionError("unreachable")


@settings(max_examples=40, deadline=None)
@given(inst=instances(max_n=25, max_m=8, max_capacity=4, preferences=False))
def test_maximin_bottleneck_on_medium_instances(inst: brute.Instance) -> None:
    got = run(inst, "maximin")
    brute.check_valid(inst, got)
    best, low = _bottleneck_by_networkx(inst)
    assert brute.count(got) == best
    assert brute.lowest_value(inst, got) == low


@settings(max_examples=100, deadline=None)
@given(inst=instances(max_n=12, max_m=6), data=st.data())
def test_max_matched_returns_a_matching_of_its_size(
    inst: brute.Instance, data: st.DataObject
) -> None:
    cut = data.draw(st.sampled_from([-np.inf, 0.25, 0.5]))
    mask = inst.feasible & (inst.values >= cut)
    size, rows, cols = max_matched(mask, inst.capacity)
    assert size == rows.size == cols.size
    assert len(set(rows.tolist())) == size
    assert mask[rows, cols].all()
    assert (np.bincount(cols, minlength=inst.m) <= inst.capacity).all()
