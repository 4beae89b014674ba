"""The largest number of rows that can be matched: one maximum flow (internal)."""

from __future__ import annotations

import numpy as np

from peermatch.solvers._common import BoolArray, IntArray

__all__ = ["max_matched"]


def max_matched(mask: BoolArray, capacity: IntArray) -> tuple[int, IntArray, IntArray]:
    """Largest number of rows that can be matched using only the pairs in ``mask``.

    Parameters
    ----------
    mask : ndarray of bool, shape (n, m)
        Pairs that may be used.
    capacity : ndarray of int64, shape (m,)
        Places per column.

    Returns
    -------
    count : int
        The maximum number of matched rows.
    rows, cols : ndarray of int64
        The pairs of one matching of that size.

    Notes
    -----
    Maximum flow (Dinic's algorithm, :func:`scipy.sparse.csgraph.maximum_flow`) on the
    network source → row (capacity 1) → column (capacity 1 per pair in ``mask``) → sink
    (capacity ``capacity[j]``), built directly in CSR form.
    """
    from scipy.sparse import csr_array
    from scipy.sparse.csgraph import maximum_flow

    n, m = mask.shape
    usable = mask & (capacity > 0)[None, :]
    row_deg = usable.sum(axis=1)
    col_open = usable.any(axis=0)
    active = np.flatnonzero(row_deg > 0)
    if active.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return 0, empty, empty.copy()
    # Nodes: 0 source, 1..n rows, n+1..n+m columns, n+m+1 sink.
    sink = n + m + 1
    pr, pc = np.nonzero(usable)
    open_cols = np.flatnonzero(col_open)
    degree = np.concatenate(([active.size], row_deg, col_open.astype(np.int64), [0]))
    indptr = np.zeros(sink + 2, dtype=np.int64)
    np.cumsum(degree, out=indptr[1:])
    indices = np.concatenate((active + 1, pc + n + 1, np.full(open_cols.size, sink)))
    data = np.concatenate(
        (
            np.ones(active.size + pr.size, dtype=np.int32),
            np.minimum(capacity[open_cols], n).astype(np.int32),
        )
    )
    graph = csr_array(
        (data, indices.astype(np.int32), indptr.astype(np.int32)), shape=(sink + 1, sink + 1)
    )
    result = maximum_flow(graph, 0, sink)
    flow = csr_array(result.flow)[1 : n + 1, n + 1 : n + m + 1].tocoo()
    used = flow.data > 0
    return (
        int(result.flow_value),
        flow.row[used].astype(np.int64),
        flow.col[used].astype(np.int64),
    )
