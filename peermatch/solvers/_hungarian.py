"""Exact assignment with capacities (Kuhn–Munkres / Jonker–Volgenant family).

Internal module; use :func:`peermatch.solve` with ``solver="hungarian"``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from peermatch.solvers._common import ArrayProblem, BoolArray, FloatArray, IntArray, register
from peermatch.solvers._flow import max_matched

__all__ = ["PlaceCost", "assign_places", "solve_hungarian"]

#: ``(capacity, places) -> cost of each place``: leader ``j`` has ``places[j]`` places, listed
#: leader by leader; the cost is subtracted from every weight of its column.
PlaceCost = Callable[[IntArray, IntArray], FloatArray]


def centred_weights(objective: FloatArray, allowed: BoolArray) -> FloatArray:
    """``objective - min`` over allowed pairs (so in ``[0, spread]``), ``-inf`` elsewhere.

    ``-inf`` marks a forbidden pair for :func:`scipy.optimize.linear_sum_assignment` with
    ``maximize=True``.
    """
    omin = float(objective[allowed].min()) if np.any(allowed) else 0.0
    out: FloatArray = np.where(allowed, objective - omin, -np.inf)
    return out


@register(
    "hungarian",
    "exact: maximises the number of matched participants, then the total of score + "
    "preference bonus",
)
def solve_hungarian(problem: ArrayProblem) -> IntArray:
    """Maximum-cardinality, maximum-objective assignment with leader capacities.

    Parameters
    ----------
    problem : ArrayProblem
        Validated arrays.

    Returns
    -------
    ndarray of int64, shape (n_participants,)
        Matched column per row, ``-1`` when unmatched.

    Notes
    -----
    Two stages, each exact:

    1. the largest number :math:`k^*` of participants that can be matched (a maximum flow);
    2. the largest total of value + preference bonus among matchings of :math:`k^*`
       participants: each leader ``j`` becomes ``min(capacity[j], n_j)`` identical places
       (``n_j`` participants are allowed with it), forbidden pairs weigh ``-inf``, and one
       rectangular linear sum assignment (:func:`scipy.optimize.linear_sum_assignment`, a
       shortest augmenting path method) runs on the ``r`` rows with an allowed pair and the
       ``s`` places plus either :math:`r - k^*` "unmatched" columns (every row takes a
       column) or :math:`s - k^*` "empty" rows (every place takes a row), whichever matrix
       is smaller. Both weigh 0, and there are just enough of them for :math:`k^*` real
       pairs, so the assignment maximises the total among matchings of :math:`k^*`
       participants. Time :math:`O(a^2 b)` for an ``a x b`` matrix, ``a <= b``.

    No large constant is added to put the count first (a constant larger than ``n`` times the
    spread of the values would be needed, and would cost float64 ``log2(n)`` bits of the
    values' differences): the weights are the objective minus its smallest allowed value, so
    the arithmetic works at the scale of the spread. For values within the documented range
    of :func:`peermatch.solve` the total is within 1e-6 per participant of the optimum.
    Rows and leaders without any allowed pair are left out.

    References
    ----------
    .. [1] H. W. Kuhn, "The Hungarian method for the assignment problem", Naval Research
       Logistics Quarterly 2 (1955).
    .. [2] D. F. Crouse, "On implementing 2D rectangular assignment algorithms", IEEE
       Transactions on Aerospace and Electronic Systems 52 (2016).
    """
    return assign_places(problem)


def assign_places(problem: ArrayProblem, place_cost: PlaceCost | None = None) -> IntArray:
    """The two stages of :func:`solve_hungarian`, optionally with a cost on each place."""
    from scipy.optimize import linear_sum_assignment

    n = problem.shape[0]
    out = np.full(n, -1, dtype=np.int64)
    allowed = problem.allowed()
    rows = np.flatnonzero(allowed.any(axis=1))
    if rows.size == 0:
        return out
    per_col = allowed[rows].sum(axis=0)
    slots = np.minimum(problem.capacity, per_col)
    cols = np.flatnonzero(slots > 0)
    sub_allowed = allowed[np.ix_(rows, cols)]
    count, _, _ = max_matched(sub_allowed, slots[cols])
    weights = centred_weights(problem.objective_matrix()[np.ix_(rows, cols)], sub_allowed)
    slot_of = np.repeat(np.arange(cols.size), slots[cols])  # position in cols of each slot
    n_rows, n_slots = rows.size, slot_of.size
    if n_rows * (n_slots + n_rows - count) <= (n_rows + n_slots - count) * n_slots:
        # every row takes a place or one of the n_rows - count "unmatched" columns
        expanded = np.zeros((n_rows, n_slots + n_rows - count))
    else:
        # more rows than places: every place takes a row or one of n_slots - count "empty"
        # rows, the smaller matrix
        expanded = np.zeros((n_rows + n_slots - count, n_slots))
    expanded[:n_rows, :n_slots] = weights[:, slot_of]
    if place_cost is not None:
        expanded[:n_rows, :n_slots] -= place_cost(problem.capacity[cols], slots[cols])
    r, s = linear_sum_assignment(expanded, maximize=True)
    hit = (r < n_rows) & (s < n_slots)
    out[rows[r[hit]]] = cols[slot_of[s[hit]]]
    return out
