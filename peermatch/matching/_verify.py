"""Independent checks of a matching, for tests and for anyone auditing a result.

These functions are written separately from the solvers and share no code with them: they take
plain arrays (or a result and the profiles) and recompute what they check from scratch.

Examples
--------
>>> import numpy as np
>>> values = np.array([[0.9, 0.2], [0.8, 0.7]])
>>> feasible = np.ones((2, 2), dtype=bool)
>>> check_assignment([0, 1], feasible, [1, 1])
[]
>>> check_assignment([0, 0], feasible, [1, 1])
['leader 0 holds 2 participants but its capacity is 1']
>>> assignment_objective(values, [0, 1])
(2, 1.6)
>>> blocking_pairs(values, feasible, [1, 1], [1, 0])
[(0, 0)]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

if TYPE_CHECKING:
    from peermatch.matching._results import MatchResult
    from peermatch.profiles._models import Participant, PeerLeader
    from peermatch.scoring._config import MatchConfig

__all__ = ["assignment_objective", "blocking_pairs", "check_assignment", "check_result"]


def check_assignment(assignment: ArrayLike, feasible: ArrayLike, capacity: ArrayLike) -> list[str]:
    """List every way an assignment breaks the rules (empty list: valid).

    Checks that each row is matched to at most one existing column (``-1`` = unmatched), only
    to feasible pairs, and that no column holds more rows than its capacity.
    """
    a = np.asarray(assignment)
    f = np.asarray(feasible, dtype=bool)
    cap = np.asarray(capacity)
    n, m = f.shape
    problems: list[str] = []
    if a.shape != (n,):
        return [f"assignment has shape {a.shape}, expected ({n},)"]
    for i, j in enumerate(a.tolist()):
        if j == -1:
            continue
        if not 0 <= j < m:
            problems.append(f"row {i} is assigned to column {j}, which does not exist")
        elif not f[i, j]:
            problems.append(f"row {i} is assigned to column {j}, an infeasible pair")
    counts: dict[int, int] = {}
    for j in a.tolist():
        if 0 <= j < m:
            counts[j] = counts.get(j, 0) + 1
    for j, k in sorted(counts.items()):
        if k > cap[j]:
            problems.append(f"leader {j} holds {k} participants but its capacity is {int(cap[j])}")
    return problems


def assignment_objective(
    values: ArrayLike,
    assignment: ArrayLike,
    *,
    preferences: Sequence[Sequence[int]] | None = None,
    preference_bonus: float = 0.05,
) -> tuple[int, float]:
    """``(number matched, total of value + preference bonus)`` of an assignment.

    A leader at position ``k`` (1-based) of a participant's ``L``-long preference list adds
    ``preference_bonus * (L - k + 1) / L``.
    """
    v = np.asarray(values, dtype=float)
    count = 0
    total = 0.0
    for i, j in enumerate(np.asarray(assignment).tolist()):
        if j < 0:
            continue
        count += 1
        total += float(v[i, j])
        if preferences is not None:
            lst = list(preferences[i])
            if j in lst:
                k = lst.index(j) + 1
                total += preference_bonus * (len(lst) - k + 1) / len(lst)
    return count, total


def blocking_pairs(
    values: ArrayLike,
    feasible: ArrayLike,
    capacity: ArrayLike,
    assignment: ArrayLike,
    *,
    preferences: Sequence[Sequence[int]] | None = None,
) -> list[tuple[int, int]]:
    """Every blocking pair of an assignment.

    A feasible pair ``(i, j)`` blocks when ``i`` is not matched to ``j``, ``i`` prefers ``j`` to
    its outcome, and ``j`` has room or prefers ``i`` to one of its participants. Participants
    rank their ``preferences`` list first (in order), then the other leaders by value, ties by
    smaller index; being unmatched is worst. Leaders rank participants by value, ties by
    smaller index.
    """
    v = np.asarray(values, dtype=float)
    f = np.asarray(feasible, dtype=bool)
    cap = np.asarray(capacity)
    a = np.asarray(assignment).tolist()
    n, m = f.shape
    lists = [list(p) for p in preferences] if preferences is not None else [[] for _ in range(n)]

    def p_key(i: int, j: int) -> tuple[int, float, int]:
        if j in lists[i]:
            return (0, float(lists[i].index(j)), j)
        return (1, -float(v[i, j]), j)

    def l_key(j: int, i: int) -> tuple[float, int]:
        return (-float(v[i, j]), i)

    holders: dict[int, list[int]] = {j: [] for j in range(m)}
    for i, j in enumerate(a):
        if j >= 0:
            holders[j].append(i)
    out: list[tuple[int, int]] = []
    for i in range(n):
        for j in range(m):
            if not f[i, j] or a[i] == j:
                continue
            if a[i] >= 0 and not p_key(i, j) < p_key(i, a[i]):
                continue
            held = holders[j]
            if len(held) < cap[j] or any(l_key(j, i) < l_key(j, h) for h in held):
                out.append((i, j))
    return out


def check_result(
    result: MatchResult,
    participants: Sequence[Participant],
    peers: Sequence[PeerLeader],
    config: MatchConfig | None = None,
    *,
    capacity: dict[str, int] | None = None,
    blocked: Iterable[tuple[str, str]] = (),
) -> list[str]:
    """Audit a :class:`~peermatch.MatchResult` against the profiles it came from.

    Recomputes scores and feasibility with :func:`peermatch.score` and checks: every given
    participant appears exactly once (matched or unmatched), no unknown ids, every matched pair
    is feasible with the reported score, no leader exceeds its capacity (``capacity`` overrides
    the leaders' own, e.g. for re-matching), reported ranks, loads and basic metrics agree.
    ``blocked`` pairs ``(participant_id, peer_id)`` (pairs that ended earlier) count as
    infeasible (``previously_ended``).

    Returns
    -------
    list of str
        Every problem found; empty when the result is consistent.
    """
    from peermatch.scoring._scorer import score

    cfg = result.config if config is None else config
    sm = score(participants, peers, cfg)
    p_idx = {pid: i for i, pid in enumerate(sm.participant_ids)}
    l_idx = {lid: j for j, lid in enumerate(sm.peer_ids)}
    feasible = sm.feasible.copy()
    ended = {(p, x) for p, x in blocked if p in p_idx and x in l_idx}
    for p, x in ended:
        feasible[p_idx[p], l_idx[x]] = False
    problems: list[str] = []
    seen: dict[str, int] = {}
    for pid in [m.participant_id for m in result.matches] + [
        u.participant_id for u in result.unmatched
    ]:
        seen[pid] = seen.get(pid, 0) + 1
    for pid in sm.participant_ids:
        if seen.get(pid, 0) != 1:
            problems.append(f"participant {pid} appears {seen.get(pid, 0)} times")
    for pid in seen:
        if pid not in p_idx:
            problems.append(f"unknown participant {pid} in the result")
    load: dict[str, int] = {}
    for mt in result.matches:
        if mt.participant_id not in p_idx or mt.peer_id not in l_idx:
            problems.append(f"match {mt.participant_id}-{mt.peer_id} names an unknown id")
            continue
        i, j = p_idx[mt.participant_id], l_idx[mt.peer_id]
        load[mt.peer_id] = load.get(mt.peer_id, 0) + 1
        if not feasible[i, j]:
            why = sm.reason_names[sm.reasons[i, j]] if not sm.feasible[i, j] else "previously_ended"
            problems.append(f"match {mt.participant_id}-{mt.peer_id} is infeasible ({why})")
        if abs(mt.score - float(sm.values[i, j])) > 1e-9:
            problems.append(
                f"match {mt.participant_id}-{mt.peer_id} reports score {mt.score}, "
                f"recomputed {float(sm.values[i, j])}"
            )
        better = sum(
            1
            for c in range(len(sm.peer_ids))
            if feasible[i, c]
            and (
                sm.values[i, c] > sm.values[i, j] or (sm.values[i, c] == sm.values[i, j] and c < j)
            )
        )
        if mt.rank != better + 1:
            problems.append(
                f"match {mt.participant_id}-{mt.peer_id} reports rank {mt.rank}, "
                f"recomputed {better + 1}"
            )
    caps = {x.id: x.capacity for x in peers} if capacity is None else capacity
    for lid, k in sorted(load.items()):
        if k > caps.get(lid, 0):
            problems.append(f"leader {lid} holds {k} participants, capacity {caps.get(lid, 0)}")
    for lid, pl in result.peer_load.items():
        if pl.assigned != load.get(lid, 0):
            problems.append(
                f"peer_load of {lid} says {pl.assigned}, matches say {load.get(lid, 0)}"
            )
    for u in result.unmatched:
        if u.participant_id not in p_idx:
            continue
        i = p_idx[u.participant_id]
        has_feasible = bool(feasible[i].any())
        if u.reason == "no_feasible_leader" and has_feasible:
            problems.append(f"{u.participant_id} reported without feasible leader but has one")
        if u.reason == "capacity" and not has_feasible:
            problems.append(f"{u.participant_id} reported 'capacity' but no leader is feasible")
    mt_ = result.metrics
    if mt_.get("n_matched") != len(result.matches):
        problems.append("metrics n_matched disagrees with the matches")
    if mt_.get("n_participants") != len(sm.participant_ids):
        problems.append("metrics n_participants disagrees with the input")
    return problems
