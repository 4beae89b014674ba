"""Feasibility rules and their reason codes (``docs/criteria.md``, hard rules).

A pair (participant, leader) is infeasible when any rule below holds. Every pair gets one int16
reason code: 0 when feasible, otherwise the *first* rule that excludes it, in this order:

1. ``vetoed_by_participant``
2. ``vetoed_by_leader``
3. ``previously_ended`` — the pair ended in an earlier run (re-matching never proposes it again)
4. ``leader_inactive``
5. ``leader_no_capacity``
6. ``hard_criterion:<name>`` — a config-hard criterion fails while both sides give a value, or
   a ``must`` of either side fails (the other side's value is missing or below ``pass_at``);
   criteria are checked in configuration order, then fields someone marks ``must`` that the
   configuration does not score, in field order
7. ``below_min_score``

Infeasible pairs are never matched by any solver.

Examples
--------
>>> reason_names(["languages", "sex"])
('feasible', 'vetoed_by_participant', 'vetoed_by_leader', 'previously_ended', \
'leader_inactive', 'leader_no_capacity', 'hard_criterion:languages', 'hard_criterion:sex', \
'below_min_score')
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "BASE_REASONS",
    "FEASIBLE",
    "FIRST_HARD",
    "LEADER_INACTIVE",
    "LEADER_NO_CAPACITY",
    "PREVIOUSLY_ENDED",
    "VETOED_BY_LEADER",
    "VETOED_BY_PARTICIPANT",
    "ReasonCodes",
    "first_reasons",
    "reason_names",
    "reason_text",
]

FEASIBLE = 0
VETOED_BY_PARTICIPANT = 1
VETOED_BY_LEADER = 2
PREVIOUSLY_ENDED = 3
LEADER_INACTIVE = 4
LEADER_NO_CAPACITY = 5
FIRST_HARD = 6
BASE_REASONS = (
    "vetoed_by_participant",
    "vetoed_by_leader",
    "previously_ended",
    "leader_inactive",
    "leader_no_capacity",
)

ReasonCodes = NDArray[np.int16]


def reason_names(criteria: Sequence[str]) -> tuple[str, ...]:
    """Names of every reason code, index = code (0 is ``feasible``)."""
    return (
        "feasible",
        *BASE_REASONS,
        *(f"hard_criterion:{c}" for c in criteria),
        "below_min_score",
    )


def first_reasons(
    shape: tuple[int, ...],
    *,
    vetoed_by_participant: NDArray[np.bool_],
    vetoed_by_leader: NDArray[np.bool_],
    previously_ended: NDArray[np.bool_],
    leader_inactive: NDArray[np.bool_],
    leader_no_capacity: NDArray[np.bool_],
    hard_fail: Sequence[NDArray[np.bool_] | None],
    below_min: NDArray[np.bool_],
) -> ReasonCodes:
    """First exclusion reason of every pair.

    Parameters
    ----------
    shape : tuple of int
        Shape of the pair array: ``(b, m)`` for a block of rows, ``(k,)`` for explicit pairs.
    vetoed_by_participant, vetoed_by_leader, previously_ended, leader_inactive, \
    leader_no_capacity : bool arrays
        Masks broadcastable to ``shape``.
    hard_fail : sequence of bool arrays or None
        Per criterion, in configuration order, the pairs failing it (None: none fail).
    below_min : bool array
        Pairs scoring below ``min_score``.

    Returns
    -------
    ndarray of int16
        0 for feasible pairs, else the code of the first rule that excludes the pair (see
        :func:`reason_names`).
    """
    n_crit = len(hard_fail)
    code = np.zeros(shape, dtype=np.int16)
    code[np.broadcast_to(below_min, shape)] = FIRST_HARD + n_crit
    for k in range(n_crit - 1, -1, -1):
        fail = hard_fail[k]
        if fail is not None:
            code[np.broadcast_to(fail, shape)] = FIRST_HARD + k
    for mask, value in (
        (leader_no_capacity, LEADER_NO_CAPACITY),
        (leader_inactive, LEADER_INACTIVE),
        (previously_ended, PREVIOUSLY_ENDED),
        (vetoed_by_leader, VETOED_BY_LEADER),
        (vetoed_by_participant, VETOED_BY_PARTICIPANT),
    ):
        code[np.broadcast_to(mask, shape)] = value
    return code


_REASON_WORDS = {
    "vetoed_by_participant": "vetoed by the participant",
    "vetoed_by_leader": "vetoed by the leader",
    "previously_ended": "the pair ended before",
    "leader_inactive": "leader paused or inactive",
    "leader_no_capacity": "leader has no capacity",
    "below_min_score": "score below min_score",
}


def reason_text(code: str) -> str:
    """Plain words for an exclusion reason code."""
    if code.startswith("hard_criterion:"):
        name = code.split(":", 1)[1]
        return f"fails the hard rule on {name.replace('_', ' ')}"
    return _REASON_WORDS.get(code, code.replace("_", " "))
