"""Each row's best entries from the maxima of interleaved column chunks (no full sort)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from peermatch.errors import InputError
from peermatch.solvers._common import BoolArray, FloatArray, IntArray

__all__ = ["Layout", "chunk_top", "fold_max", "top_mask"]

_GROUPS = 64  # leader groups for the per-row certificate bounds


@dataclass(frozen=True)
class Layout:
    """Columns dealt into ``n_chunks`` interleaved chunks, chunks into ``n_groups`` groups.

    Column ``j`` lies in chunk ``j % n_chunks`` and chunk ``h`` in group ``h % n_groups``, so
    chunk and group maxima are elementwise maxima of contiguous pieces of a row (fast).
    """

    m: int  # columns
    n_chunks: int  # chunks searched for a row's best entries (about sqrt(m / keep) columns each)
    n_groups: int  # groups of leaders with one certificate bound per row each

    @classmethod
    def build(cls, m: int, k: int) -> Layout:
        """Chunks of about ``sqrt(m / k)`` columns (4 to 64) for ``k`` entries kept per row."""
        width = min(max(math.isqrt(max(m // max(k, 1), 1)), 4), 64)
        n_chunks = max(1, -(-m // width))
        return cls(m, n_chunks, min(_GROUPS, n_chunks))

    @property
    def depth(self) -> int:
        """Most columns in one chunk."""
        return -(-self.m // self.n_chunks)

    def group_of_column(self) -> IntArray:
        """The group of each column."""
        return (np.arange(self.m, dtype=np.int64) % self.n_chunks) % self.n_groups


def fold_max(x: FloatArray, width: int) -> FloatArray:
    """Row-wise maxima over the interleaved classes ``column % width`` (shape ``(b, width)``)."""
    b, total = x.shape
    full = total // width
    out: FloatArray = np.max(x[:, : full * width].reshape(b, full, width), axis=1)
    rem = total - full * width
    if rem:
        np.maximum(out[:, :rem], x[:, full * width :], out=out[:, :rem])
    return out


def top_mask(x: FloatArray, count: int) -> BoolArray:
    """Mask of exactly ``count`` largest entries per row (ties: leftmost first).

    The same entries as the first ``count`` of :func:`peermatch._core.order.best_first` (higher
    value first, then the smaller index), found by a partition instead of a sort.
    """
    width = x.shape[1]
    if count >= width:
        return np.ones(x.shape, dtype=np.bool_)
    thr = np.partition(x, width - count, axis=1)[:, width - count : width - count + 1]
    above = x > thr
    tie = x == thr
    room = count - np.count_nonzero(above, axis=1, keepdims=True)
    out: BoolArray = above | (tie & (np.cumsum(tie, axis=1) <= room))
    return out


def chunk_top(
    y: FloatArray, k: int, lay: Layout
) -> tuple[IntArray, FloatArray, FloatArray, FloatArray]:
    """Top ``k`` entries of each row of ``y`` (``-inf`` = not available) via chunk maxima.

    Every top-``k`` entry lies in one of the ``k`` chunks with the largest maxima (each of
    those chunks holds an entry at least as large as any entry outside them), so only those
    chunks are searched. Returns the selected columns and values (``(b, k')``, possibly
    ``-inf``), the chunk maxima, and the chunk maxima without the selected entries.

    Raises
    ------
    InputError
        If an entry is NaN (it would propagate to its chunk maximum).
    """
    b, m = y.shape
    nch, depth = lay.n_chunks, lay.depth
    cm = fold_max(y, nch)
    if np.isnan(cm).any():
        raise InputError(["provider: values of allowed pairs must be finite, found NaN"])
    kk = min(k, nch)
    if kk < nch:
        ci = (np.flatnonzero(top_mask(cm, kk)) % nch).reshape(b, kk)
    else:
        ci = np.broadcast_to(np.arange(nch), (b, nch))
    cols = ci[:, None, :] + (np.arange(depth) * nch)[None, :, None]  # (b, depth, kk)
    bad = cols >= m
    np.minimum(cols, m - 1, out=cols)
    flat_cols = cols.reshape(b, -1)
    g = np.take_along_axis(y, flat_cols, axis=1)
    g[bad.reshape(b, -1)] = -np.inf
    width = g.shape[1]
    ke = min(k, width)
    pick = top_mask(g, ke) if ke < width else np.ones(g.shape, dtype=np.bool_)
    sel_cols = flat_cols[pick].reshape(b, ke)
    sel_vals = g[pick].reshape(b, ke)
    g[pick] = -np.inf
    rest = np.max(g.reshape(b, depth, -1), axis=1)
    cm_after = cm.copy()
    np.put_along_axis(cm_after, ci, rest, axis=1)
    return sel_cols, sel_vals, cm, cm_after
