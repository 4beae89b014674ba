"""Sparse lists of pairs sorted by row: the candidates, the preference bonus, edge helpers."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from peermatch.solvers._common import BoolArray, FloatArray, IntArray

__all__ = ["Bonus", "Candidates", "Edges", "entries", "merge_edges", "within"]

#: ``(rows, columns, objectives)`` of some pairs.
Edges = tuple[IntArray, IntArray, FloatArray]


def _no_rows() -> IntArray:
    return np.zeros(0, dtype=np.int64)


def _no_values() -> FloatArray:
    return np.zeros(0)


@dataclass(frozen=True)
class Bonus:
    """Sparse objective bonus, sorted by (row, column)."""

    rows: IntArray
    cols: IntArray
    values: FloatArray

    @classmethod
    def none(cls) -> Bonus:
        """No pair has a bonus."""
        return cls(_no_rows(), _no_rows(), _no_values())

    def within(self, rows: IntArray) -> tuple[IntArray, IntArray, FloatArray]:
        """Entries of the given rows (sorted): positions in ``rows``, columns and values."""
        a, b = np.searchsorted(self.rows, [rows[0], rows[-1] + 1])
        r, c, v = self.rows[a:b], self.cols[a:b], self.values[a:b]
        pos = np.minimum(np.searchsorted(rows, r), rows.size - 1)
        hit = rows[pos] == r
        return pos[hit], c[hit], v[hit]

    def lookup(self, rows: IntArray, cols: IntArray, m: int) -> FloatArray:
        """Bonus of each pair (0 where none)."""
        out = np.zeros(rows.size)
        if self.rows.size and rows.size:
            keys = self.rows * m + self.cols
            want = rows * m + cols
            pos = np.minimum(np.searchsorted(keys, want), keys.size - 1)
            hit = keys[pos] == want
            out[hit] = self.values[pos[hit]]
        return out


def within(er: IntArray, ec: IntArray, rows: IntArray) -> tuple[IntArray, IntArray]:
    """Edges (sorted by row) of the given rows (sorted): positions in ``rows`` and columns."""
    a, b = np.searchsorted(er, [rows[0], rows[-1] + 1])
    r, c = er[a:b], ec[a:b]
    pos = np.minimum(np.searchsorted(rows, r), rows.size - 1)
    hit = rows[pos] == r
    return pos[hit], c[hit]


def merge_edges(
    er: IntArray, ec: IntArray, eo: FloatArray, nr: IntArray, nc: IntArray, no: FloatArray, m: int
) -> Edges:
    """Union of two edge lists, sorted by (row, column); a repeated pair keeps its first entry."""
    if nr.size == 0:
        return er, ec, eo
    ar = np.concatenate([er, nr])
    ac = np.concatenate([ec, nc])
    ao = np.concatenate([eo, no])
    key = ar * m + ac
    order = np.argsort(key, kind="stable")
    key = key[order]
    first = np.ones(key.size, dtype=np.bool_)
    first[1:] = key[1:] != key[:-1]
    order = order[first]
    return ar[order], ac[order], ao[order]


def entries(rows: IntArray, cols: IntArray, obj: FloatArray, pick: BoolArray) -> Edges:
    """Flatten the picked entries of per-row arrays (``(len(rows), width)``) into an edge list."""
    r = np.broadcast_to(rows[:, None], cols.shape)[pick]
    return r, cols[pick], obj[pick]


@dataclass
class Candidates:
    """The pairs of the restricted problem, sorted by (row, column), each once."""

    m: int  # columns, for the sort key row * m + column
    rows: IntArray = field(default_factory=_no_rows)  # row of each candidate pair
    cols: IntArray = field(default_factory=_no_rows)  # its column
    obj: FloatArray = field(default_factory=_no_values)  # its objective (value + bonus)

    @property
    def size(self) -> int:
        """Number of candidate pairs."""
        return int(self.rows.size)

    def add(self, rows: IntArray, cols: IntArray, obj: FloatArray) -> None:
        """Make these pairs candidates too (pairs already there keep their entry)."""
        self.rows, self.cols, self.obj = merge_edges(
            self.rows, self.cols, self.obj, rows, cols, obj, self.m
        )
