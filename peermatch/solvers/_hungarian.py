"""Exact assignment with capacities (Kuhn–Munkres / Jonker–Volgenant family).

Internal module; use :func:`peermatch.solve` with ``solver="hungarian"``.
"""

from __future__ import annotations

import numpy as np

from peermatch.solvers._common import ArrayProblem, FloatArray, IntArray, register

__all__ = ["count_first_weights", "solve_hungarian"]


def count_first_weights(objective: FloatArray, allowed: np.ndarray) -> tuple[FloatArray, float]:
    """Shift objective values so that matching more participants always wins.

    Returns the weights ``C + (obj - omin)`` on allowed pairs (0 elsewhere) and ``C``, where
    ``C > n * (omax - omin)``: any matching with k + 1 pairs then outweighs every matching with k.
    """
    n = objective.shape[0]
    if not np.any(allowed):
        return np.zeros_like(objective), 1.0
    sel = objective[allowed]
    omin = float(sel.min())
    spread = float(sel.max()) - omin
    big = (n + 1) * max(spread, 1.0) + 1.0
    weights = np.where(allowed, objective - omin + big, 0.0)
    return weights, big


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
    Each leader ``j`` becomes ``min(capacity[j], n_j)`` identical slot columns, where ``n_j``
    is the number of participants allowed with it (the compact dense form). Allowed pairs get
    weight ``C + (v - v_min)`` with ``C > n * (v_max - v_min)``; everything else weighs 0, so a
    row landing on a weight-0 slot is unmatched. One rectangular linear sum assignment
    (:func:`scipy.optimize.linear_sum_assignment`, a shortest augmenting path method,
    :math:`O(n^2 s)` for ``s`` slots) then maximises the number matched first and the total
    second. Rows and leaders without any allowed pair are left out of the matrix.

    References
    ----------
    .. [1] H. W. Kuhn, "The Hungarian method for the assignment problem", Naval Research
       Logistics Quarterly 2 (1955).
    .. [2] D. F. Crouse, "On implementing 2D rectangular assignment algorithms", IEEE
       Transactions on Aerospace and Electronic Systems 52 (2016).
    """
    from scipy.optimize import linear_sum_assignment

    n = problem.shape[0]
    out = np.full(n, -1, dtype=np.int64)
    allowed = problem.allowed()
    rows = np.flatnonzero(allowed.any(axis=1))
    if rows.size == 0:
        return out
    sub_allowed = allowed[rows]
    per_col = sub_allowed.sum(axis=0)
    slots = np.minimum(problem.capacity, per_col)
    cols = np.flatnonzero(slots > 0)
    slot_col = np.repeat(cols, slots[cols])
    objective = problem.objective_matrix()[rows][:, cols]
    weights, _ = count_first_weights(objective, sub_allowed[:, cols])
    expanded = weights[:, np.searchsorted(cols, slot_col)]
    r, s = linear_sum_assignment(expanded, maximize=True)
    chosen = slot_col[s]
    ok = allowed[rows[r], chosen]
    out[rows[r[ok]]] = chosen[ok]
    return out
