"""Exact maximin assignment: most matched, then the best lowest value, then the best total.

Internal module; use :func:`peermatch.solve` with ``solver="maximin"``.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from peermatch.solvers._common import ArrayProblem, IntArray, register
from peermatch.solvers._flow import max_matched
from peermatch.solvers._hungarian import solve_hungarian

__all__ = ["solve_maximin"]


@register(
    "maximin",
    "exact: maximises the number matched, then the lowest score among matched participants, "
    "then the total of score + preference bonus",
)
def solve_maximin(problem: ArrayProblem) -> IntArray:
    r"""Maximum-cardinality assignment that lifts the worst-off matched participant first.

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
    Lexicographic objective, each level exact:

    1. the number of matched participants :math:`k^*` (a maximum flow);
    2. the lowest *value* among matched participants (the preference bonus does not count
       here): the largest threshold :math:`t^*` among the distinct allowed values such that
       the pairs with value :math:`\ge t^*` still match :math:`k^*` participants, found by
       binary search with one maximum flow per step. The search starts between the lowest
       value of a first maximum matching and the :math:`k^*`-th largest row maximum, and
       compares values exactly (thresholds are elements of the value array);
    3. the total of value + preference bonus: ``hungarian`` on the pairs with value
       :math:`\ge t^*`.

    Time: :math:`O(\log D)` maximum flows (Dinic, :math:`O(E \sqrt{V})` on this unit-capacity
    network) for ``D`` distinct allowed values and ``E`` allowed pairs, then one
    ``hungarian`` solve. The minimum is a bottleneck objective, so many assignments usually
    reach it; the third level chooses among them.

    References
    ----------
    .. [1] R. E. Burkard, M. Dell'Amico and S. Martello, *Assignment Problems*, SIAM (2009),
       ch. 6 (bottleneck assignment by threshold search).
    .. [2] E. A. Dinic, "Algorithm for solution of a problem of maximum flow in networks with
       power estimation", Soviet Mathematics Doklady 11 (1970).

    Examples
    --------
    ``hungarian`` maximises the total and leaves participant 1 with 0.2; ``maximin`` raises
    the lowest value to 0.5 at the cost of the total.

    >>> import numpy as np
    >>> from peermatch import solve
    >>> values = np.array([[1.0, 0.6], [0.5, 0.2]])
    >>> feasible = np.ones((2, 2), dtype=bool)
    >>> solve(values, feasible, [1, 1], solver="hungarian").tolist()
    [0, 1]
    >>> solve(values, feasible, [1, 1], solver="maximin").tolist()
    [1, 0]
    """
    n, _ = problem.shape
    allowed = problem.allowed()
    count, rows, cols = max_matched(allowed, problem.capacity)
    if count == 0:
        return np.full(n, -1, dtype=np.int64)
    values = problem.values
    low = float(values[rows, cols].min())  # t* >= the minimum of any maximum matching
    row_best = np.where(allowed, values, -np.inf).max(axis=1)
    high = float(np.sort(row_best)[-count])  # k* rows need a pair of value >= t*
    candidates = values[allowed]
    candidates = np.unique(candidates[(candidates >= low) & (candidates <= high)])
    lo, hi = 0, candidates.size - 1  # candidates[lo] is reachable; the answer is <= hi
    while lo < hi:
        mid = (lo + hi + 1) // 2
        reach, _, _ = max_matched(allowed & (values >= candidates[mid]), problem.capacity)
        if reach == count:
            lo = mid
        else:
            hi = mid - 1
    threshold = candidates[lo]
    restricted = dataclasses.replace(problem, feasible=problem.feasible & (values >= threshold))
    return solve_hungarian(restricted)
