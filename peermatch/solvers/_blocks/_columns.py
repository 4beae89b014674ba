"""Each leader's best rows over a pass: column candidates and column shadows."""

from __future__ import annotations

import numpy as np

from peermatch._core.order import best_first
from peermatch.solvers._blocks._pairs import Edges
from peermatch.solvers._common import FloatArray, IntArray

__all__ = ["ColumnBest"]


class ColumnBest:
    """Running best ``size`` rows of every column (by a ranking key) over a pass.

    Offers above the current floors are buffered and merged in batches, so the floors lag a
    little behind (more offers pass, none is lost). Rows must be offered in increasing order
    (as a pass over row blocks does): equal keys then keep the smaller row, the tie-break of
    :func:`peermatch._core.order.best_first`.
    """

    def __init__(self, m: int, size: int) -> None:
        self.m = m  # columns
        self.size = size  # rows kept per column
        self.key = np.full((m, size), -np.inf)  # ranking key of each kept row, best first
        self.row = np.full((m, size), -1, dtype=np.int64)  # the kept rows (-1: none yet)
        self.obj = np.full((m, size), -np.inf)  # their objective (value + bonus)
        self.floor = np.full(m, -np.inf)  # size-th best key so far (-inf while fewer)
        self.pending: list[tuple[IntArray, FloatArray, IntArray, FloatArray]] = []  # offers
        self.n_pending = 0  # entries in the pending offers

    def update(self, key: FloatArray, rows: IntArray, obj: FloatArray) -> None:
        """Offer ``rows`` with ranking ``key`` and objective ``obj`` (both ``(b, m)``)."""
        b = key.shape[0]
        if b > self.size and not np.all(np.isfinite(self.floor)):
            # early on most entries would pass: this block's own size-th best per column is
            # a floor that loses none of the best rows (ties are offered)
            own = np.partition(key, b - self.size, axis=0)[b - self.size]
            flat = np.flatnonzero((key > self.floor) & (key >= own))
        else:
            flat = np.flatnonzero(key > self.floor)
        if flat.size == 0:
            return
        pos, col = np.divmod(flat, self.m)
        self.pending.append((col, key[pos, col], rows[pos], obj[pos, col]))
        self.n_pending += col.size
        if self.n_pending >= self.key.size:
            self.merge()

    def merge(self) -> None:
        """Fold the pending offers into the kept rows and raise the floors."""
        if not self.pending:
            return
        size = self.size
        # kept rows first, then the offers as they came: rows in increasing order per column
        # (offers come in row order, each after the rows kept before it)
        cols = [np.repeat(np.arange(self.m), size), *(p[0] for p in self.pending)]
        all_col = np.concatenate(cols)
        all_key = np.concatenate([self.key.ravel(), *(p[1] for p in self.pending)])
        all_row = np.concatenate([self.row.ravel(), *(p[2] for p in self.pending)])
        all_obj = np.concatenate([self.obj.ravel(), *(p[3] for p in self.pending)])
        self.pending.clear()
        self.n_pending = 0
        # best first, ties to the smaller row, then a stable (radix) sort by column
        order = best_first(all_key)
        narrow = np.uint16 if self.m <= 1 << 16 else np.uint32
        order = order[np.argsort(all_col[order].astype(narrow), kind="stable")]
        all_col = all_col[order]
        first = np.searchsorted(all_col, np.arange(self.m))
        rank = np.arange(all_col.size) - first[all_col]
        keep = order[rank < size]
        kept_col = all_col[rank < size]
        kept_rank = rank[rank < size]
        self.key[kept_col, kept_rank] = all_key[keep]
        self.row[kept_col, kept_rank] = all_row[keep]
        self.obj[kept_col, kept_rank] = all_obj[keep]
        self.floor = self.key[:, size - 1].copy()

    def edges(self, lead: int) -> tuple[Edges, Edges]:
        """Kept pairs (rows, columns, objectives): each column's best ``lead``, then the rest."""
        self.merge()
        cols = np.broadcast_to(np.arange(self.m)[:, None], self.row.shape)
        front = np.zeros(self.row.shape, dtype=np.bool_)
        front[:, :lead] = True
        out = []
        for part in (front, ~front):
            hit = part & (self.row >= 0)
            out.append((self.row[hit], cols[hit], self.obj[hit]))
        return out[0], out[1]
