"""Reference implementations for the solver tests, written without the solver code.

Everything here is deliberately plain: rankings come from ``sorted`` with explicit keys,
optima from enumerating every valid assignment. Only small instances are meant to go
through the enumerations (a few participants, a few leaders).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Instance:
    """One array-level problem as the public ``solve`` takes it."""

    values: np.ndarray
    feasible: np.ndarray
    capacity: np.ndarray
    preferences: list[list[int]] | None = None
    bonus: float = 0.05
    n: int = field(init=False)
    m: int = field(init=False)

    def __post_init__(self) -> None:
        self.n, self.m = self.values.shape

    def acceptable(self, i: int, j: int) -> bool:
        """A pair either side may be matched in: feasible, and the leader takes someone."""
        return bool(self.feasible[i, j]) and int(self.capacity[j]) > 0


# --------------------------------------------------------------------------- objectives


def objective(inst: Instance) -> np.ndarray:
    """Value plus the preference bonus b * (L - k + 1) / L of each pair."""
    obj = np.array(inst.values, dtype=float)
    for i, lst in enumerate(inst.preferences or []):
        length = len(lst)
        for k, j in enumerate(lst, start=1):
            obj[i, j] += inst.bonus * (length - k + 1) / length
    return obj


def check_valid(inst: Instance, assignment: Sequence[int]) -> None:
    """Raise AssertionError unless the assignment respects feasibility and capacities."""
    assert len(assignment) == inst.n
    load = [0] * inst.m
    for i, j in enumerate(assignment):
        if j == -1:
            continue
        assert 0 <= j < inst.m, f"row {i}: column {j} out of range"
        assert inst.feasible[i, j], f"row {i}: infeasible column {j}"
        load[j] += 1
    for j in range(inst.m):
        assert load[j] <= inst.capacity[j], f"column {j}: {load[j]} > capacity {inst.capacity[j]}"


def count(assignment: Sequence[int]) -> int:
    return sum(1 for j in assignment if j >= 0)


def total(inst: Instance, assignment: Sequence[int]) -> float:
    obj = objective(inst)
    return float(sum(obj[i, j] for i, j in enumerate(assignment) if j >= 0))


def lowest_value(inst: Instance, assignment: Sequence[int]) -> float:
    """Lowest value (no bonus) among matched rows; +inf when nobody is matched."""
    return min(
        (float(inst.values[i, j]) for i, j in enumerate(assignment) if j >= 0), default=np.inf
    )


# --------------------------------------------------------------------------- enumeration


def all_assignments(inst: Instance) -> np.ndarray:
    """Every valid assignment as the rows of a (K, n) int array (-1 = unmatched)."""
    options = [[-1] + [j for j in range(inst.m) if inst.acceptable(i, j)] for i in range(inst.n)]
    if inst.n == 0:
        return np.zeros((1, 0), dtype=np.int64)
    sizes = [len(o) for o in options]
    picks = np.indices(sizes).reshape(inst.n, -1).T
    table = np.full((inst.n, max(sizes)), -1, dtype=np.int64)
    for i, o in enumerate(options):
        table[i, : len(o)] = o
    assignments = table[np.arange(inst.n), picks]
    if inst.m:
        load = (assignments[:, :, None] == np.arange(inst.m)).sum(axis=1)
        assignments = assignments[(load <= inst.capacity).all(axis=1)]
    return assignments


def _scores(inst: Instance, assignments: np.ndarray) -> tuple[np.ndarray, ...]:
    matched = assignments >= 0
    cols = np.where(matched, assignments, 0)
    rows = np.arange(inst.n)
    obj = objective(inst)
    if inst.m == 0:
        zeros = np.zeros(len(assignments))
        return matched.sum(axis=1), zeros, np.full(len(assignments), np.inf)
    tot = np.where(matched, obj[rows, cols], 0.0).sum(axis=1)
    low = np.where(matched, inst.values[rows, cols], np.inf).min(axis=1, initial=np.inf)
    return matched.sum(axis=1), tot, low


def best_count_total(inst: Instance) -> tuple[int, float]:
    """Lexicographic optimum (number matched, total of value + bonus)."""
    cnt, tot, _ = _scores(inst, all_assignments(inst))
    best = cnt.max()
    return int(best), float(tot[cnt == best].max())


def best_count_lowest_total(inst: Instance) -> tuple[int, float, float]:
    """Lexicographic optimum (number matched, lowest value, total of value + bonus)."""
    cnt, tot, low = _scores(inst, all_assignments(inst))
    keep = cnt == cnt.max()
    best_low = low[keep].max()
    keep &= low == best_low
    return int(cnt.max()), float(best_low), float(tot[keep].max())


# --------------------------------------------------------------------------- rankings


def participant_ranking(inst: Instance, i: int) -> list[int]:
    """Acceptable columns, best first: listed ones in list order, then by value, then index."""
    listed = [j for j in (inst.preferences or [[]] * inst.n)[i] if inst.acceptable(i, j)]
    others = [j for j in range(inst.m) if inst.acceptable(i, j) and j not in listed]
    others.sort(key=lambda j: (-float(inst.values[i, j]), j))
    return listed + others


def leader_ranking(inst: Instance, j: int) -> list[int]:
    """Acceptable rows, best first: by value, then smaller index."""
    rows = [i for i in range(inst.n) if inst.acceptable(i, j)]
    rows.sort(key=lambda i: (-float(inst.values[i, j]), i))
    return rows


def rank_tables(inst: Instance) -> tuple[np.ndarray, np.ndarray]:
    """``prank[i, j]``, ``lrank[i, j]``: position of j in i's ranking and of i in j's.

    Unacceptable pairs get a position past every list.
    """
    big = inst.n + inst.m + 1
    prank = np.full((inst.n, inst.m), big, dtype=np.int64)
    lrank = np.full((inst.n, inst.m), big, dtype=np.int64)
    for i in range(inst.n):
        for r, j in enumerate(participant_ranking(inst, i)):
            prank[i, j] = r
    for j in range(inst.m):
        for r, i in enumerate(leader_ranking(inst, j)):
            lrank[i, j] = r
    return prank, lrank


# --------------------------------------------------------------------------- stability


def blocking_pairs(inst: Instance, assignment: Sequence[int]) -> list[tuple[int, int]]:
    """Every acceptable pair (i, j) that would both rather be together.

    ``i`` prefers ``j`` to its leader (or is unmatched), and ``j`` has a free place or holds
    someone it ranks below ``i``.
    """
    p_rank = {i: participant_ranking(inst, i) for i in range(inst.n)}
    l_pos = [{i: r for r, i in enumerate(leader_ranking(inst, j))} for j in range(inst.m)]
    holders: dict[int, list[int]] = {j: [] for j in range(inst.m)}
    for i, j in enumerate(assignment):
        if j >= 0:
            holders[j].append(i)
    found = []
    for i in range(inst.n):
        ranking = p_rank[i]
        current = assignment[i]
        better = ranking if current < 0 else ranking[: ranking.index(current)]
        for j in better:
            has_room = len(holders[j]) < inst.capacity[j]
            would_swap = any(l_pos[j][i] < l_pos[j][h] for h in holders[j])
            if has_room or would_swap:
                found.append((i, j))
    return found


def blocking_counts(inst: Instance, assignments: np.ndarray) -> np.ndarray:
    """Number of blocking pairs of each row of ``assignments`` (vectorised)."""
    k = len(assignments)
    if inst.n == 0 or inst.m == 0:
        return np.zeros(k, dtype=np.int64)
    prank, lrank = rank_tables(inst)
    big = inst.n + inst.m + 1
    rows = np.arange(inst.n)
    matched = assignments >= 0
    cols = np.where(matched, assignments, 0)
    current = np.where(matched, prank[rows, cols], big)  # (K, n)
    holds = assignments[:, :, None] == np.arange(inst.m)  # (K, n, m)
    load = holds.sum(axis=1)  # (K, m)
    worst = np.where(holds, lrank[None], -1).max(axis=1)  # (K, m)
    acceptable = inst.feasible & (inst.capacity > 0)[None, :]
    block = (
        acceptable[None]
        & ~holds
        & (prank[None] < current[:, :, None])
        & ((load < inst.capacity)[:, None, :] | (lrank[None] < worst[:, None, :]))
    )
    counts: np.ndarray = block.sum(axis=(1, 2))
    return counts


def stable_matchings(inst: Instance) -> np.ndarray:
    """Every stable assignment, as rows of a (K, n) array."""
    assignments = all_assignments(inst)
    stable: np.ndarray = assignments[blocking_counts(inst, assignments) == 0]
    return stable


def deferred_acceptance(inst: Instance) -> list[int]:
    """Textbook participant-proposing deferred acceptance, one proposal at a time."""
    rankings = [participant_ranking(inst, i) for i in range(inst.n)]
    l_pos = [{i: r for r, i in enumerate(leader_ranking(inst, j))} for j in range(inst.m)]
    nxt = [0] * inst.n
    held: list[list[int]] = [[] for _ in range(inst.m)]
    queue = list(range(inst.n))
    while queue:
        i = queue.pop(0)
        if nxt[i] == len(rankings[i]):
            continue
        j = rankings[i][nxt[i]]
        nxt[i] += 1
        held[j].append(i)
        if len(held[j]) > inst.capacity[j]:
            worst = max(held[j], key=lambda h: l_pos[j][h])
            held[j].remove(worst)
            queue.append(worst)
    out = [-1] * inst.n
    for j, rows in enumerate(held):
        for i in rows:
            out[i] = j
    return out


# --------------------------------------------------------------------------- greedy


def greedy_by_hand(inst: Instance) -> list[int]:
    """The documented greedy rule, spelled out: best value + bonus first, then row, column."""
    obj = objective(inst)
    pairs = [(i, j) for i in range(inst.n) for j in range(inst.m) if inst.acceptable(i, j)]
    pairs.sort(key=lambda p: (-obj[p], p[0], p[1]))
    room = [int(c) for c in inst.capacity]
    out = [-1] * inst.n
    for i, j in pairs:
        if out[i] == -1 and room[j] > 0:
            out[i] = j
            room[j] -= 1
    return out
