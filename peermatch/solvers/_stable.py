"""Participant-proposing deferred acceptance with leader capacities (Gale–Shapley).

Internal module; use :func:`peermatch.solve` with ``solver="stable"``.
"""

from __future__ import annotations

import heapq

import numpy as np

from peermatch._core.order import best_first, best_first_grouped
from peermatch.solvers._common import ArrayProblem, BoolArray, IntArray, register

__all__ = ["solve_stable"]

#: How many of its best unlisted leaders each participant gets up front. Most participants are
#: placed within their first few proposals; a participant who runs out gets the rest of its
#: order computed then.
_HEAD = 16


def _listed(problem: ArrayProblem, allowed: BoolArray) -> tuple[BoolArray, IntArray, IntArray]:
    """Find the listed pairs: their mask, and the allowed ones in (row, position) order.

    Returns the ``(n, m)`` mask of listed pairs, the columns of the allowed listed pairs
    sorted by row then list position, and ``bounds`` such that row ``i``'s entries are
    ``cols[bounds[i]:bounds[i + 1]]``. Listed columns that are not allowed (infeasible pair or
    leader without capacity) are skipped.
    """
    n, m = problem.shape
    listed = np.zeros((n, m), dtype=np.bool_)
    prefs = problem.preferences
    if len(prefs) == 0:
        return listed, np.zeros(0, dtype=np.int64), np.zeros(n + 1, dtype=np.int64)
    rows, cols, pos = prefs.rows, prefs.cols, prefs.position
    listed[rows, cols] = True
    keep = allowed[rows, cols]
    rows, cols, pos = rows[keep], cols[keep], pos[keep]
    # Entries built by Preferences.from_lists are already in (row, position) order.
    in_order = rows.size < 2 or bool(
        np.all((rows[1:] > rows[:-1]) | ((rows[1:] == rows[:-1]) & (pos[1:] > pos[:-1])))
    )
    if not in_order:
        order = np.lexsort((pos, rows))
        rows, cols = rows[order], cols[order]
    return listed, cols, np.searchsorted(rows, np.arange(n + 1))


def _heads(cols: IntArray, bounds: IntArray, head: int) -> list[list[int]]:
    """Split ``cols`` into per-row lists, keeping at most ``head`` entries of each."""
    n = bounds.size - 1
    rows = np.repeat(np.arange(n), np.diff(bounds))
    keep = np.arange(cols.size) - bounds[rows] < head
    short = np.concatenate(([0], np.cumsum(np.minimum(np.diff(bounds), head))))
    flat = cols[keep].tolist()
    starts = short.tolist()
    return [flat[starts[i] : starts[i + 1]] for i in range(n)]


def _value_heads(
    values: np.ndarray, rest: BoolArray, head: int
) -> tuple[list[list[int]], list[bool]]:
    """Return the first ``head`` columns of each row's value order over ``rest`` (more on ties).

    The order is value descending, ties by smaller column index. A row's head holds every
    column whose value reaches the row's ``head``-th largest, so it is always a prefix of the
    full order; the second result says whether the head is the whole order.
    """
    n, m = rest.shape
    count = rest.sum(axis=1)
    complete = count <= head
    cand = rest.copy()
    big = np.flatnonzero(~complete)
    if big.size:
        key = np.where(rest[big], values[big], -np.inf)
        kth = np.partition(key, m - head, axis=1)[:, m - head]
        cand[big] &= key >= kth[:, None]
    r, c = np.nonzero(cand)
    c = c[best_first_grouped(r, values[r, c], c)]
    bounds = np.searchsorted(r, np.arange(n + 1))  # np.nonzero lists rows in order
    flat = c.tolist()
    heads = [flat[bounds[i] : bounds[i + 1]] for i in range(n)]
    return heads, complete.tolist()


def _value_order(values_row: np.ndarray, rest_row: BoolArray) -> list[int]:
    """Full value order of one row over ``rest_row``: value descending, then column index."""
    cols = np.flatnonzero(rest_row)  # increasing, so ties go to the smaller column
    order: list[int] = cols[best_first(values_row[cols])].tolist()
    return order


@register(
    "stable",
    "participant-proposing deferred acceptance with capacities: no blocking pair among "
    "feasible pairs; participants rank their preferences list first, then by value; leaders "
    "rank by value",
)
def solve_stable(problem: ArrayProblem) -> IntArray:
    r"""Participant-optimal stable matching with leader capacities.

    Parameters
    ----------
    problem : ArrayProblem
        Validated arrays. Only allowed pairs (feasible, leader capacity > 0) are acceptable to
        either side.

    Returns
    -------
    ndarray of int64, shape (n_participants,)
        Matched column per row, ``-1`` when unmatched.

    Notes
    -----
    Rankings (all strict):

    - a participant ranks the allowed columns of its ``preferences`` list first, in list
      order, then its other allowed columns by value descending, ties by smaller column index;
    - a leader ranks the participants allowed with it by value descending, ties by smaller row
      index.

    Deferred acceptance: every free participant proposes to the next leader in its ranking; a
    leader holds its ``capacity`` best proposers so far and rejects the others, who propose
    again. The result is stable (no allowed pair ``(i, j)`` where ``i`` prefers ``j`` to its
    match, or is unmatched, while ``j`` has a free place or holds someone it ranks below
    ``i``) and participant-optimal: every participant gets the best leader it has in any
    stable matching [1]_, [2]_. The same participants are matched in every stable matching.
    The preference bonus is not used: the list *is* the ranking.

    Each leader keeps its holders in a heap keyed by its ranking (worst on top), so a
    proposal costs :math:`O(\log c)`. Each participant's ranking is computed lazily: its
    listed columns and its best few others up front (one vectorised partition over the value
    array), the remainder only if it runs out. With ``P`` proposals (at most the number of
    allowed pairs, usually a small multiple of ``n``) the time is
    :math:`O(nm + P \log c)` plus :math:`O(m \log m)` per participant who exhausts its
    first leaders. Not an optimiser: the number matched and the total value may both be below
    ``hungarian``'s.

    References
    ----------
    .. [1] D. Gale and L. S. Shapley, "College admissions and the stability of marriage",
       American Mathematical Monthly 69 (1962), 9–15.
    .. [2] A. E. Roth and M. A. O. Sotomayor, *Two-Sided Matching: A Study in Game-Theoretic
       Modeling and Analysis*, Cambridge University Press (1990), ch. 5.

    Examples
    --------
    Both participants value leader 0 most; leader 0 has one place and prefers participant 1.

    >>> import numpy as np
    >>> from peermatch import solve
    >>> values = np.array([[0.9, 0.5], [0.95, 0.2]])
    >>> feasible = np.ones((2, 2), dtype=bool)
    >>> solve(values, feasible, [1, 1], solver="stable").tolist()
    [1, 0]

    A ranked list comes before the values:

    >>> solve(values, feasible, [1, 1], solver="stable", preferences=[[], [1]]).tolist()
    [0, 1]
    """
    n, m = problem.shape
    out = np.full(n, -1, dtype=np.int64)
    allowed = problem.allowed()
    if n == 0 or m == 0 or not allowed.any():
        return out
    values = np.ascontiguousarray(problem.values, dtype=np.float64)
    head = min(_HEAD, m)
    listed, listed_cols, bounds = _listed(problem, allowed)
    rest = allowed & ~listed
    value_heads, complete = _value_heads(values, rest, head)
    # Each sequence is a prefix of its participant's full ranking: listed columns, then the
    # others by value. A participant with a long list starts with the first part of it only.
    seqs = _heads(listed_cols, bounds, head)
    long_list = (np.diff(bounds) > head).tolist()
    for i, seq in enumerate(seqs):
        if long_list[i]:
            complete[i] = False
        else:
            seq.extend(value_heads[i])

    flat_values = values.ravel().data.cast("B").cast("d")
    cap = problem.capacity.tolist()
    held: list[list[tuple[float, int]]] = [[] for _ in range(m)]  # (value, -row): worst on top
    nxt = [0] * n
    free = list(range(n - 1, -1, -1))
    push, replace = heapq.heappush, heapq.heapreplace
    while free:
        i = free.pop()
        seq = seqs[i]
        k = nxt[i]
        while True:
            if k == len(seq):
                if complete[i]:
                    break
                ranking = listed_cols[bounds[i] : bounds[i + 1]].tolist()
                ranking += _value_order(values[i], rest[i])
                seq.extend(ranking[k:])
                complete[i] = True
                if k == len(seq):
                    break
            j = seq[k]
            k += 1
            key = (flat_values[i * m + j], -i)
            h = held[j]
            if len(h) < cap[j]:
                push(h, key)
                break
            if key > h[0]:
                free.append(-replace(h, key)[1])
                break
        nxt[i] = k
    for j, h in enumerate(held):
        for _, neg_row in h:
            out[-neg_row] = j
    return out
