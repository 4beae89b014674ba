"""The dual certificate: prices of a restricted optimum, and the checks that they fit every pair.

A pair ``(i, j)`` off the candidates *violates* the dual ``(u, p)`` of the restricted optimum
when its reduced cost ``u_i + p_j - w_ij`` is negative. Three kinds of knowledge rule that out
without scoring the row again: :class:`Shadows` (pairs whose exact objective was kept, checked
exactly every round) and :class:`RowBounds` (per-row bounds over groups of leaders, and a
per-leader bound from the rows it kept).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from peermatch.errors import SolverError
from peermatch.solvers._blocks._chunks import Layout
from peermatch.solvers._blocks._columns import ColumnBest
from peermatch.solvers._blocks._pairs import Edges, entries
from peermatch.solvers._blocks._scan import Scan
from peermatch.solvers._blocks._weights import Scale
from peermatch.solvers._common import BoolArray, FloatArray, IntArray

__all__ = ["RowBounds", "Shadows", "Violations", "potentials"]

_NEG = -(2**61)  # "no pair": far below any weight, far from int64 overflow when shifted
_NO_FLOOR = 2**62  # a column that kept all its rows bounds nothing


def potentials(
    n: int, m: int, capacity: IntArray, er: IntArray, ec: IntArray, w: IntArray, match: IntArray
) -> tuple[IntArray, IntArray]:
    """Complementary dual ``(u, p)`` of an optimal restricted solution (longest paths).

    ``p`` is the smallest leader price vector with ``p >= 0``, ``p_j >= w_ij`` for every
    candidate pair of an unmatched row and ``p_j >= p_a + w_ij - w_ia`` for a row matched to
    ``a``; then ``u_i = w_ia - p_a``. Optimality of the restricted solution means no positive
    cycle, ``p = 0`` at leaders with room and ``u >= 0``; both are checked.

    Raises
    ------
    SolverError
        If the restricted solution is not optimal (a backend failure).
    """
    partner = match[er]
    matched_edge = partner >= 0
    own = partner == ec
    w_own = np.zeros(n, dtype=np.int64)
    w_own[er[own]] = w[own]
    p = np.zeros(m, dtype=np.int64)
    free = ~matched_edge
    np.maximum.at(p, ec[free], w[free])
    move = matched_edge & ~own
    src = partner[move]
    dst = ec[move]
    length = w[move] - w_own[er[move]]
    order = np.argsort(src, kind="stable")
    src, dst, length = src[order], dst[order], length[order]
    first = np.searchsorted(src, np.arange(m + 1))
    active = np.flatnonzero(p > 0) if src.size else np.zeros(0, np.int64)
    active = np.union1d(active, np.unique(src)) if src.size else active
    for _ in range(m + 2):
        if active.size == 0:
            break
        lens = first[active + 1] - first[active]
        total = int(lens.sum())
        if total == 0:
            break
        idx = np.repeat(first[active] - np.cumsum(lens) + lens, lens) + np.arange(total)
        cand = p[src[idx]] + length[idx]
        d = dst[idx]
        better = cand > p[d]
        if not np.any(better):
            break
        before = p.copy()
        np.maximum.at(p, d[better], cand[better])
        active = np.flatnonzero(p != before)
    else:
        raise SolverError(["restricted solution is not optimal (positive cycle in the duals)"])
    u = np.zeros(n, dtype=np.int64)
    hit = match >= 0
    u[hit] = w_own[hit] - p[match[hit]]
    load = np.bincount(match[hit], minlength=m)
    if np.any(u < 0) or np.any(p[load < capacity] != 0):
        raise SolverError(["restricted solution is not optimal (dual check failed)"])
    return u, p


@dataclass
class Violations:
    """How far the shadows violate a dual: ``w_ij - u_i - p_j`` (positive = violated)."""

    row_shadow: FloatArray  # (n, keep): of each row shadow, -inf where the row has none
    column: FloatArray  # of each column shadow
    by_row: FloatArray  # (n,): the largest known violation of each row (-inf: none known)


@dataclass
class Shadows:
    """Pairs off the candidates whose exact objective is kept, checked exactly every round."""

    row_cols: IntArray  # (n, keep): each row's shadow columns, -1 where none (or promoted)
    row_obj: FloatArray  # (n, keep): objective of each entry of the row's last scan
    col_rows: IntArray  # column shadows (each leader's next kept rows): their rows,
    col_cols: IntArray  # columns
    col_obj: FloatArray  # and objectives

    def check(self, scale: Scale, u: IntArray, p: IntArray) -> Violations:
        """Exact violations of every shadow under the dual ``(u, p)`` (integers below 2**53)."""
        n = self.row_cols.shape[0]
        all_rows = np.arange(n, dtype=np.int64)
        has_shadow = self.row_cols >= 0
        shadow_viol = np.full(self.row_cols.shape, -np.inf)
        sc = self.row_cols[has_shadow]
        shadow_viol[has_shadow] = (
            scale.units(self.row_obj[has_shadow])
            + float(scale.big)
            - p[sc]
            - u.astype(np.float64)[
                np.broadcast_to(all_rows[:, None], self.row_cols.shape)[has_shadow]
            ]
        )
        row_viol = np.max(shadow_viol, axis=1)  # exact, integers below 2**53
        col_viol = (
            scale.units(self.col_obj) + float(scale.big) - p[self.col_cols] - u[self.col_rows]
        )
        np.maximum.at(row_viol, self.col_rows, col_viol)
        return Violations(shadow_viol, col_viol, row_viol)

    def promote(self, viol: Violations, margin: float, skip: IntArray | None) -> list[Edges]:
        """Take the shadows within ``margin`` of a violation out, as new candidates.

        Row shadows of the rows in ``skip`` (re-scored this round) stay: their scan decides.
        """
        n = self.row_cols.shape[0]
        move = viol.row_shadow > -margin
        if skip is not None:
            move[skip] = False
        add = [entries(np.arange(n, dtype=np.int64), self.row_cols, self.row_obj, move)]
        self.row_cols[move] = -1
        near = viol.column > -margin
        add.append((self.col_rows[near], self.col_cols[near], self.col_obj[near]))
        self.col_rows = self.col_rows[~near]
        self.col_cols = self.col_cols[~near]
        self.col_obj = self.col_obj[~near]
        return add

    def replace(self, rows: IntArray, cols: IntArray, obj: FloatArray) -> None:
        """New row shadows of re-scored rows (``cols == -1`` where an entry is not one)."""
        self.row_cols[rows] = cols
        self.row_obj[rows] = obj


@dataclass
class RowBounds:
    """Bounds on the pairs that no list keeps, so most rows are certified without re-scoring.

    A pair ``(i, j)`` off the candidates, with ``j`` in group ``g``, has reduced cost
    ``u_i + p_j - w_ij >= 0`` when either bound shows it:

    * row bound: ``w_ij - P_j <= bound[i, g]`` for the prices ``P = history[version[i]]`` of
      the row's last scan, so it suffices that ``p_j - P_j >= bound[i, g] - u_i``;
    * column bound: ``w_ij <= kth_w[i] + col_floor[j]`` (``i`` is not among column ``j``'s kept
      rows), so it suffices that ``p_j - col_floor[j] >= kth_w[i] - u_i``.
    """

    bound: IntArray  # (n, groups): row bounds, _NEG where the group has no other allowed pair
    version: IntArray  # (n,): index in history of the prices of each row's bound
    history: list[IntArray]  # the prices of each scan; history[0] = 0 (the first pass)
    live: BoolArray  # (m,): leaders with an allowed pair and room (the others bound nothing)
    col_group: IntArray  # group of each live leader
    kth_w: IntArray  # (n,): weight of each row's k-th best objective in the first pass
    col_floor: IntArray  # (m,): bound on w_ij - kth_w[i] off column j's kept rows

    @classmethod
    def first_pass(
        cls, first: Scan, scale: Scale, live: BoolArray, lay: Layout, best: ColumnBest | None
    ) -> RowBounds:
        """Bounds from the first pass (prices zero)."""
        n = first.group_max.shape[0]
        m = live.size
        bound = np.full(first.group_max.shape, _NEG, dtype=np.int64)
        finite = np.isfinite(first.group_max)
        bound[finite] = scale.weights(first.group_max[finite])
        col_floor = np.full(m, _NO_FLOOR, dtype=np.int64)
        if best is not None:
            floor = best.key[:, -1]
            has = np.isfinite(floor)
            col_floor[has] = np.ceil(floor[has] * scale.step).astype(np.int64) + 2
        return cls(
            bound=bound,
            version=np.zeros(n, dtype=np.int64),
            history=[np.zeros(m, dtype=np.int64)],
            live=live,
            col_group=lay.group_of_column()[live],
            kth_w=scale.weights(first.kth),
            col_floor=col_floor,
        )

    def uncertified(self, u: IntArray, p: IntArray) -> IntArray:
        """Rows whose bounds do not prove every pair off the candidates non-violating.

        Per group, columns sorted by ``p_j - P_j`` make the ones the row bound misses a prefix,
        whose smallest column slack ``p_j - col_floor[j]`` a prefix minimum gives: one binary
        search per row and group.
        """
        n, n_groups = self.bound.shape
        ok = np.ones(n, dtype=np.bool_)
        need_col = self.kth_w - u
        slack = (p - self.col_floor)[self.live]
        for v in np.unique(self.version).tolist():
            rows = np.flatnonzero(self.version == v)
            d = (p - self.history[v])[self.live]
            need_row = self.bound[rows] - u[rows, None]
            for g in range(n_groups):
                in_g = self.col_group == g
                if not np.any(in_g):
                    continue
                order = np.argsort(d[in_g], kind="stable")
                d_sorted = d[in_g][order]
                prefix = np.minimum.accumulate(slack[in_g][order])
                missed = np.searchsorted(d_sorted, need_row[:, g], side="left")
                hit = missed > 0
                bad = np.zeros(rows.size, dtype=np.bool_)
                bad[hit] = prefix[missed[hit] - 1] < need_col[rows[hit]]
                ok[rows[bad]] = False
        return np.flatnonzero(~ok)

    def rescored(self, rows: IntArray, group_max: FloatArray, p: IntArray, scale: Scale) -> None:
        """Rows scored again under prices ``p``: their bounds are now relative to ``p``."""
        new_bound = np.full(group_max.shape, _NEG, dtype=np.int64)
        fin = np.isfinite(group_max)
        new_bound[fin] = group_max[fin].astype(np.int64) + scale.big
        self.history.append(p)
        self.bound[rows] = new_bound
        self.version[rows] = len(self.history) - 1
