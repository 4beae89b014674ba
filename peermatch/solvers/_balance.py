"""``hungarian`` with an even spread of caseload (``balance > 0``, ``docs/solvers.md``).

Internal module; use ``MatchConfig(balance=...)`` or :func:`peermatch.solve` with
``balance=``.
"""

from __future__ import annotations

import numpy as np

from peermatch.solvers._common import ArrayProblem, FloatArray, IntArray
from peermatch.solvers._hungarian import assign_places

__all__ = ["load_penalty", "place_costs", "solve_balanced"]


def place_costs(capacity: IntArray, places: IntArray, balance: float) -> FloatArray:
    """Cost of each place of each leader under ``balance``.

    Leader ``j`` contributes ``places[j]`` places, listed leader by leader; its ``t``-th place
    (``t = 1, 2, ...``) costs ``balance * (t - 1/2) / capacity[j]``, so its first ``l`` places
    cost ``balance * l**2 / (2 * capacity[j])`` together (:func:`load_penalty`).

    Examples
    --------
    >>> place_costs(np.array([2, 4]), np.array([2, 1]), 1.0).tolist()
    [0.25, 0.75, 0.125]
    """
    cols = np.repeat(np.arange(places.size), places)
    start = np.repeat(np.cumsum(places) - places, places)
    t = np.arange(cols.size) - start + 1  # 1-based place number within its leader
    out: FloatArray = balance * (t - 0.5) / capacity[cols]
    return out


def load_penalty(load: IntArray, capacity: IntArray, balance: float) -> float:
    """``balance * sum_j load_j**2 / (2 * capacity_j)`` over leaders with a positive capacity.

    Examples
    --------
    >>> load_penalty(np.array([2, 1, 0]), np.array([2, 4, 0]), 1.0)
    1.125
    """
    has = capacity > 0
    return float(balance * np.sum(load[has] ** 2 / (2.0 * capacity[has])))


def solve_balanced(problem: ArrayProblem, balance: float) -> IntArray:
    """``hungarian`` trading total score against an even spread of caseload.

    Among the matchings with the most participants matched, maximises the total of value +
    preference bonus minus :func:`load_penalty` of the leaders' loads.

    Parameters
    ----------
    problem : ArrayProblem
        Validated arrays.
    balance : float
        Weight of the caseload term, ``>= 0``; 0 gives exactly the ``hungarian`` solver.

    Returns
    -------
    ndarray of int64, shape (n_participants,)
        Matched column per row, ``-1`` when unmatched.

    Notes
    -----
    The term is a convex cost per place: the ``t``-th place of leader ``j`` costs
    ``balance * (t - 1/2) / capacity_j`` (:func:`place_costs`), increasing in ``t``. In the
    capacity-expanded assignment of ``hungarian`` every place is one column — one of the
    parallel leader-to-sink arcs of a min-cost flow — and its cost is subtracted from the
    column's weights. A leader's places differ only in their cost, so an optimal assignment
    uses the cheaper ones first and its total is exactly the objective above; the count of
    matched participants still comes first, from the same two exact stages. For a fixed number
    matched, the term is smallest when every leader carries the same share of its capacity
    (``sum_j load_j**2 / capacity_j`` is minimised, under ``sum_j load_j`` fixed, by equal
    ``load_j / capacity_j``).
    """
    if balance <= 0:
        return assign_places(problem)
    return assign_places(problem, lambda cap, places: place_costs(cap, places, balance))
