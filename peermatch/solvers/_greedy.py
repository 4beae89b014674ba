"""Greedy baseline: best remaining pair first.

Internal module; use :func:`peermatch.solve` with ``solver="greedy"``.
"""

from __future__ import annotations

import numpy as np

from peermatch._core.order import best_first
from peermatch.solvers._common import ArrayProblem, IntArray, register

__all__ = ["solve_greedy"]


@register("greedy", "baseline for comparison: best remaining pair first; no optimality guarantee")
def solve_greedy(problem: ArrayProblem) -> IntArray:
    r"""Match pairs in order of value + preference bonus, as a coordinator would by hand.

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
    Every allowed pair (feasible, leader capacity > 0) is sorted by value + preference bonus
    descending, ties by smaller row index, then smaller column index. Going down that list, a
    pair is taken when its participant is still unmatched and its leader still has room.

    This is a baseline to compare the other solvers against, **with no optimality
    guarantee**: it may match fewer participants than ``hungarian``, reach a lower total, a
    lower minimum, and leave blocking pairs. (It is the well-known 1/2-approximation for
    the total when all objectives are non-negative, and nothing more.)

    Time :math:`O(E \log E)` for ``E`` allowed pairs (one vectorised sort), then one pass
    over the sorted pairs that stops once every participant is matched or every place is
    taken. It is not faster than ``hungarian`` at scale: the sort dominates.

    Examples
    --------
    The best pair (0, 0) is taken first, which leaves participant 1 with nobody; the exact
    solver would match both.

    >>> import numpy as np
    >>> from peermatch import solve
    >>> values = np.array([[0.9, 0.8], [0.85, 0.1]])
    >>> feasible = np.array([[True, True], [True, False]])
    >>> solve(values, feasible, [1, 1], solver="greedy").tolist()
    [0, -1]
    >>> solve(values, feasible, [1, 1], solver="hungarian").tolist()
    [1, 0]
    """
    n, _ = problem.shape
    rows, cols = np.nonzero(problem.allowed())
    if rows.size == 0:
        return np.full(n, -1, dtype=np.int64)
    objective = problem.objective_matrix()[rows, cols]
    # np.nonzero lists pairs by row, then column: best first keeps that order among ties
    order = best_first(objective)
    room = problem.capacity.tolist()
    unmatched = int(np.unique(rows).size)
    places = int(problem.capacity[np.unique(cols)].sum())
    left = min(unmatched, places)  # once this many are matched, nothing more can be taken
    match = [-1] * n
    for i, j in zip(rows[order].tolist(), cols[order].tolist(), strict=True):
        if match[i] < 0 and room[j] > 0:
            match[i] = j
            room[j] -= 1
            left -= 1
            if left == 0:
                break
    return np.asarray(match, dtype=np.int64)
