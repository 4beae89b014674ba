"""Exact capacitated assignment from row blocks: candidate sets and a dual certificate.

Internal module. :func:`solve_blocks` matches ``n`` participants (rows) with ``m`` leaders
(columns) without ever holding the ``n x m`` score matrix: a callable produces the scores of a
few rows at a time, each row keeps a short list of candidate leaders, the problem restricted to
those candidates is solved exactly, and LP duality then proves the restricted optimum optimal for
the *full* problem -- or names the pairs that must be added before solving again.
:func:`solve_problem_sparse` runs it on an in-memory ``ArrayProblem``.

The restricted problems are solved by OR-Tools' min cost flow when the optional dependency is
installed (extra ``scale``), otherwise by scipy's sparse LAPJV on slot-expanded candidates:
both exact; on the benchmark instances scipy's was 7-16 times slower at 5 000 rows.
"""

from __future__ import annotations

import importlib
import math
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

import numpy as np

from peermatch.errors import InputError, SolverError
from peermatch.solvers._common import ArrayProblem, BoolArray, FloatArray, IntArray

__all__ = [
    "BACKENDS",
    "BlockProvider",
    "SparseResult",
    "ortools_available",
    "solve_blocks",
    "solve_problem_sparse",
]

#: ``provider(start, stop) -> (values, allowed)`` for rows ``start .. stop - 1``: ``values`` is
#: float64 of shape ``(stop - start, m)`` (finite on allowed pairs), ``allowed`` is bool of the
#: same shape and already includes feasibility and ``capacity > 0``. A row's numbers must not
#: depend on the block it is computed in.
BlockProvider = Callable[[int, int], tuple[FloatArray, BoolArray]]

Backend = Literal["auto", "ortools", "scipy"]
_T = TypeVar("_T")
#: Accepted values of ``backend``.
BACKENDS: tuple[str, ...] = ("auto", "ortools", "scipy")

_NEG = -(2**61)  # "no pair": far below any weight, far from int64 overflow when shifted
_WEIGHT_BITS = 52  # every weight and potential stays below 2**52: exact in int64 and float64
_VALUE_BITS = 31  # resolution: the objective spread is mapped onto at most 2**31 integer steps
_GROUPS = 64  # leader groups for the per-row certificate bounds
_NEAR = 0.02  # shadows this close (share of the objective spread) to a violation join too
_GAP_BRIDGE = 16  # failing rows closer than this are re-scored in one provider call


@dataclass(frozen=True)
class SparseResult:
    """Outcome of :func:`solve_blocks`.

    Attributes
    ----------
    assignment : ndarray of int64, shape (n,)
        Matched column per row, ``-1`` when unmatched.
    certified : bool
        True when the dual certificate proves the assignment optimal for the full problem
        (most participants matched, then the highest total), up to ``tolerance`` per
        participant.
    gap_bound : float
        0.0 when certified; otherwise an upper bound on how much the optimum exceeds the
        achieved total of the count-first weights ``count_weight + objective -
        objective_min`` over matched pairs. When ``count_certified`` is True the counts are
        equal and this bounds the gap in the total objective (value + preference bonus).
    rounds : int
        Certificate checks made (each after one exact solve of the restricted problem).
    n_candidates : int
        Candidate pairs in the final restricted problem.
    count_certified : bool
        True when no assignment matches more participants.
    tolerance : float
        Resolution of the integer weights: the proof holds for the objective rounded to
        multiples of ``tolerance``, so a certified result is within ``tolerance`` per
        participant of the float optimum.
    rows_rescored : int
        Rows whose scores were computed again after the first pass (summed over rounds).
    backend : str
        The restricted solver used: ``"ortools"`` or ``"scipy"``.
    timings : dict of str to float
        Seconds spent per phase: ``scan`` (first pass), ``solve``, ``potentials``, ``check``,
        ``rescore``, ``total``.
    round_log : tuple of dict
        Per certificate round: ``candidates`` in the restricted problem, ``matched``,
        ``rows_failing`` the cheap check (re-scored), ``rows_violated`` (given new candidates).
    first_cols, first_obj : ndarray, optional
        The first pass's kept entries of each row (best objective first not guaranteed;
        ``-1`` / ``-inf`` pad rows with fewer allowed pairs): callers use them to rank a
        row's options without scoring it again.
    count_weight, objective_min : float
        The constants of the count-first weights (``count_weight`` exceeds ``n`` times the
        spread of the objective, so one more matched participant outweighs any total).
    """

    assignment: IntArray
    certified: bool
    gap_bound: float
    rounds: int
    n_candidates: int
    count_certified: bool = True
    tolerance: float = 0.0
    rows_rescored: int = 0
    backend: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    round_log: tuple[dict[str, int], ...] = ()
    count_weight: float = 0.0
    objective_min: float = 0.0
    first_cols: IntArray | None = field(default=None, repr=False)
    first_obj: FloatArray | None = field(default=None, repr=False)

    @property
    def n_matched(self) -> int:
        """Number of matched participants."""
        return int(np.count_nonzero(self.assignment >= 0))


def ortools_available() -> bool:
    """Whether the optional OR-Tools backend (extra ``scale``) can be imported."""
    try:
        importlib.import_module("ortools.graph.python.min_cost_flow")
    except ImportError:
        return False
    return True


# --------------------------------------------------------------------------------------------
# Integer weights
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Scale:
    """Map objective values to exact integer weights ``W = big + rint((obj - omin) * step)``."""

    omin: float
    step: float  # a power of two
    spread_units: int  # R: largest rint((obj - omin) * step) over allowed pairs
    big: int  # C: (n + 1) * R + 1, so one more match outweighs any change in the total

    @classmethod
    def build(cls, omin: float, omax: float, n: int) -> _Scale:
        spread = max(omax - omin, 0.0)
        limit = min(2**_VALUE_BITS, 2**_WEIGHT_BITS // (n + 2))
        if spread > 0.0:
            # largest power of two with spread * step <= limit (one step of margin for rint)
            exponent = math.floor(math.log2((limit - 1) / spread))
            step = math.ldexp(1.0, max(min(exponent, 1000), -1000))
        else:
            step = 1.0
        units = int(np.rint((omax - omin) * step)) if spread > 0.0 else 0
        if units > limit:  # pragma: no cover - guards the float rounding of log2
            raise SolverError([f"objective spread {spread!r} cannot be scaled to integers"])
        return cls(omin, step, units, (n + 1) * units + 1)

    def units(self, obj: FloatArray) -> FloatArray:
        """``rint((obj - omin) * step)`` as integer-valued float64 (exact below 2**53)."""
        out = np.subtract(obj, self.omin)
        out *= self.step
        np.rint(out, out=out)
        return out

    def weights(self, obj: FloatArray) -> IntArray:
        """Count-first integer weights of allowed pairs."""
        return self.units(obj).astype(np.int64) + self.big


# --------------------------------------------------------------------------------------------
# Candidate selection over blocks of rows
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    """Columns dealt into ``n_chunks`` interleaved chunks, chunks into ``n_groups`` groups.

    Column ``j`` lies in chunk ``j % n_chunks`` and chunk ``h`` in group ``h % n_groups``, so
    chunk and group maxima are elementwise maxima of contiguous pieces of a row (fast).
    """

    m: int
    n_chunks: int
    n_groups: int

    @classmethod
    def build(cls, m: int, k: int) -> _Layout:
        width = min(max(math.isqrt(max(m // max(k, 1), 1)), 4), 64)
        n_chunks = max(1, -(-m // width))
        return cls(m, n_chunks, min(_GROUPS, n_chunks))

    @property
    def depth(self) -> int:
        """Most columns in one chunk."""
        return -(-self.m // self.n_chunks)

    def group_of_column(self) -> IntArray:
        return (np.arange(self.m, dtype=np.int64) % self.n_chunks) % self.n_groups


def _fold_max(x: FloatArray, width: int) -> FloatArray:
    """Row-wise maxima over the interleaved classes ``column % width`` (shape ``(b, width)``)."""
    b, total = x.shape
    full = total // width
    out: FloatArray = np.max(x[:, : full * width].reshape(b, full, width), axis=1)
    rem = total - full * width
    if rem:
        np.maximum(out[:, :rem], x[:, full * width :], out=out[:, :rem])
    return out


def _top_mask(x: FloatArray, count: int) -> BoolArray:
    """Mask of exactly ``count`` largest entries per row (ties: leftmost first)."""
    width = x.shape[1]
    if count >= width:
        return np.ones(x.shape, dtype=np.bool_)
    thr = np.partition(x, width - count, axis=1)[:, width - count : width - count + 1]
    above = x > thr
    tie = x == thr
    room = count - np.count_nonzero(above, axis=1, keepdims=True)
    out: BoolArray = above | (tie & (np.cumsum(tie, axis=1) <= room))
    return out


def _chunk_top(
    y: FloatArray, k: int, lay: _Layout
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
    cm = _fold_max(y, nch)
    if np.isnan(cm).any():
        raise InputError(["provider: values of allowed pairs must be finite, found NaN"])
    kk = min(k, nch)
    if kk < nch:
        ci = (np.flatnonzero(_top_mask(cm, kk)) % nch).reshape(b, kk)
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
    pick = _top_mask(g, ke) if ke < width else np.ones(g.shape, dtype=np.bool_)
    sel_cols = flat_cols[pick].reshape(b, ke)
    sel_vals = g[pick].reshape(b, ke)
    g[pick] = -np.inf
    rest = np.max(g.reshape(b, depth, -1), axis=1)
    cm_after = cm.copy()
    np.put_along_axis(cm_after, ci, rest, axis=1)
    return sel_cols, sel_vals, cm, cm_after


@dataclass
class _Scan:
    """What one pass over some rows found, one entry per row (rows in increasing order).

    ``cols``, ``score`` and ``obj`` have shape ``(rows, kept)``: each row's best entries by
    the selection score (``cols == -1`` and ``score == -inf`` pad rows with fewer allowed
    pairs). ``group_max`` bounds the score of every other allowed pair, per group of leaders.
    """

    cols: IntArray
    score: FloatArray
    obj: FloatArray
    group_max: FloatArray
    kth: FloatArray  # first pass: k-th best objective of the row (0 when none)
    raw_min: float = math.inf
    live: BoolArray | None = None


def _spans(rows: IntArray, block_rows: int) -> list[tuple[int, int]]:
    """Cover ``rows`` (sorted) by provider calls: runs with small gaps, cut to ``block_rows``."""
    if rows.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(rows) > _GAP_BRIDGE) + 1
    out: list[tuple[int, int]] = []
    for run in np.split(rows, breaks):
        start, stop = int(run[0]), int(run[-1]) + 1
        for s in range(start, stop, block_rows):
            out.append((s, min(s + block_rows, stop)))
    return out


@dataclass(frozen=True)
class _Bonus:
    """Sparse objective bonus, sorted by (row, column)."""

    rows: IntArray
    cols: IntArray
    values: FloatArray

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


def _checked_block(
    provider: BlockProvider, start: int, stop: int, m: int
) -> tuple[FloatArray, BoolArray]:
    got = provider(start, stop)
    if not isinstance(got, tuple) or len(got) != 2:
        raise InputError([f"provider({start}, {stop}): expected a (values, allowed) pair"])
    values = np.asarray(got[0])
    allowed = np.asarray(got[1])
    shape = (stop - start, m)
    problems = []
    if values.shape != shape or not np.issubdtype(values.dtype, np.floating):
        problems.append(
            f"provider({start}, {stop}): values must be a float array of shape {shape}, "
            f"got {values.dtype} {values.shape}"
        )
    if allowed.shape != shape or allowed.dtype != np.bool_:
        problems.append(
            f"provider({start}, {stop}): allowed must be a bool array of shape {shape}, "
            f"got {allowed.dtype} {allowed.shape}"
        )
    if problems:
        raise InputError(problems)
    return values.astype(np.float64, copy=False), allowed


def _within(er: IntArray, ec: IntArray, rows: IntArray) -> tuple[IntArray, IntArray]:
    """Edges (sorted by row) of the given rows (sorted): positions in ``rows`` and columns."""
    a, b = np.searchsorted(er, [rows[0], rows[-1] + 1])
    r, c = er[a:b], ec[a:b]
    pos = np.minimum(np.searchsorted(rows, r), rows.size - 1)
    hit = rows[pos] == r
    return pos[hit], c[hit]


class _ColumnBest:
    """Running best ``size`` rows of every column (by a ranking key) over a pass.

    Offers above the current floors are buffered and merged in batches, so the floors lag a
    little behind (more offers pass, none is lost).
    """

    def __init__(self, m: int, size: int) -> None:
        self.m = m
        self.size = size
        self.key = np.full((m, size), -np.inf)
        self.row = np.full((m, size), -1, dtype=np.int64)
        self.obj = np.full((m, size), -np.inf)
        self.floor = np.full(m, -np.inf)  # size-th best so far (-inf while fewer)
        self.pending: list[tuple[IntArray, FloatArray, IntArray, FloatArray]] = []
        self.n_pending = 0

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
        if not self.pending:
            return
        size = self.size
        cols = [p[0] for p in self.pending]
        cols.append(np.repeat(np.arange(self.m), size))
        all_col = np.concatenate(cols)
        all_key = np.concatenate([*(p[1] for p in self.pending), self.key.ravel()])
        all_row = np.concatenate([*(p[2] for p in self.pending), self.row.ravel()])
        all_obj = np.concatenate([*(p[3] for p in self.pending), self.obj.ravel()])
        self.pending.clear()
        self.n_pending = 0
        # best first within each column: sort by key, then a stable (radix) sort by column
        order = np.argsort(-all_key)
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

    def edges(self, lead: int) -> tuple[tuple[IntArray, IntArray, FloatArray], ...]:
        """Kept pairs (rows, columns, objectives): each column's best ``lead``, then the rest."""
        self.merge()
        cols = np.broadcast_to(np.arange(self.m)[:, None], self.row.shape)
        front = np.zeros(self.row.shape, dtype=np.bool_)
        front[:, :lead] = True
        out = []
        for part in (front, ~front):
            hit = part & (self.row >= 0)
            out.append((self.row[hit], cols[hit], self.obj[hit]))
        return tuple(out)


def _ordered_map(
    fn: Callable[[tuple[int, int]], _T], items: list[tuple[int, int]], workers: int
) -> Iterator[_T]:
    """``map(fn, items)`` in order, on ``workers`` threads with a bounded window in flight."""
    if workers <= 1 or len(items) <= 1:
        yield from map(fn, items)
        return
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending: deque[Future[_T]] = deque()
        try:
            for item in items:
                pending.append(pool.submit(fn, item))
                if len(pending) > 2 * workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for fut in pending:
                fut.cancel()


def _scan(
    provider: BlockProvider,
    rows: IntArray,
    m: int,
    *,
    k: int,
    keep: int,
    lay: _Layout,
    block_rows: int,
    bonus: _Bonus,
    scale: _Scale | None,
    prices: FloatArray | None,
    known: tuple[IntArray, IntArray] | None,
    column_best: _ColumnBest | None = None,
    workers: int = 1,
) -> _Scan:
    """Score ``rows`` block by block and keep each row's best ``keep`` entries.

    Without ``scale`` (first pass) rows are ranked by objective. With ``scale`` and ``prices``
    they are ranked by the exact reduced value ``rint((obj - omin) * step) - price`` (integer
    valued floats below 2**53), and the pairs in ``known`` (edge rows sorted, and columns) are
    left out. With ``workers > 1`` blocks are scored on that many threads (``provider`` must
    then be thread-safe); the blocks' findings are combined in row order, so the outcome is
    the same.
    """
    first = scale is None
    piece = max(1, (1 << 19) // max(m, 1))  # rows per cache-sized piece (~4 MB of float64)
    Part = tuple[IntArray, FloatArray, FloatArray, FloatArray, FloatArray]
    Offer = tuple[FloatArray, IntArray, FloatArray]

    def work(span: tuple[int, int]) -> tuple[list[Part], list[Offer], BoolArray | None, float]:
        start, stop = span
        values, allowed = _checked_block(provider, start, stop, m)
        lo, hi = np.searchsorted(rows, [start, stop])
        wanted = rows[lo:hi]
        everything = wanted.size == stop - start
        live: BoolArray | None = np.any(allowed, axis=0) if first else None
        raw_min = float(values.min()) if first else math.inf
        parts: list[Part] = []
        offers: list[Offer] = []
        for p0 in range(0, wanted.size, piece):
            glob = wanted[p0 : p0 + piece]
            loc = glob - start
            if everything:
                v = values[loc[0] : loc[-1] + 1]
                a = allowed[loc[0] : loc[-1] + 1]
            else:
                v = values[loc]
                a = allowed[loc]
            y = np.where(a, v, -np.inf)
            bp, bc, bv = bonus.within(glob)
            if bp.size:
                np.add.at(y, (bp, bc), bv)
            if scale is not None:
                y = scale.units(y)
                if prices is not None:
                    y -= prices
            if known is not None:
                kp, kc = _within(known[0], known[1], glob)
                y[kp, kc] = -np.inf
            sel_c, sel_v, _, cm_after = _chunk_top(y, keep, lay)
            if np.any(sel_v == np.inf):
                raise InputError(
                    [f"provider: values of allowed pairs must be finite (rows {start}..{stop - 1})"]
                )
            finite = np.isfinite(sel_v)
            sel_c[~finite] = -1
            kth = np.zeros(glob.size)
            if first:
                # the row's k-th best objective (0 when it has no allowed pair)
                ranked = np.where(finite, sel_v, np.inf)
                kk = min(k, ranked.shape[1])
                kth = np.partition(ranked, kk - 1, axis=1)[:, kk - 1]
                low = ~np.isfinite(kth)
                kth[low] = np.min(ranked[low], axis=1, initial=np.inf)
                kth[~np.isfinite(kth)] = 0.0
                if column_best is not None:
                    # each leader keeps the rows it ranks best relative to their own k-th
                    # best option, so leaders that everyone ranks second still get candidates
                    offers.append((y - kth[:, None], glob, y))
                obj = sel_v
            else:  # keep the objective itself, not the reduced value the pairs were ranked by
                pos = np.broadcast_to(np.arange(glob.size)[:, None], sel_c.shape)
                obj = np.full(sel_c.shape, -np.inf)
                obj[finite] = v[pos[finite], sel_c[finite]] + bonus.lookup(
                    glob[pos[finite]], sel_c[finite], m
                )
            parts.append((sel_c, sel_v, obj, _fold_max(cm_after, lay.n_groups), kth))
        return parts, offers, live, raw_min

    live_all = np.zeros(m, dtype=np.bool_) if first else None
    raw_min_all = math.inf
    parts: list[Part] = []
    for found, offers, live, raw_min in _ordered_map(work, _spans(rows, block_rows), workers):
        parts += found
        if live_all is not None and live is not None:
            live_all |= live
        raw_min_all = min(raw_min_all, raw_min)
        if column_best is not None:
            for offer in offers:
                column_best.update(*offer)
    if not parts:
        e = np.zeros((0, keep))
        return _Scan(e.astype(np.int64), e, e.copy(), np.zeros((0, lay.n_groups)), np.zeros(0))
    return _Scan(
        np.concatenate([q[0] for q in parts]),
        np.concatenate([q[1] for q in parts]),
        np.concatenate([q[2] for q in parts]),
        np.concatenate([q[3] for q in parts]),
        np.concatenate([q[4] for q in parts]),
        raw_min_all,
        live_all,
    )


# --------------------------------------------------------------------------------------------
# Restricted problem: exact solve and dual potentials
# --------------------------------------------------------------------------------------------


def _solve_ortools(
    n: int, capacity: IntArray, er: IntArray, ec: IntArray, units: IntArray
) -> IntArray:
    mcf = importlib.import_module("ortools.graph.python.min_cost_flow")
    rows, r_idx = np.unique(er, return_inverse=True)
    cols, c_idx = np.unique(ec, return_inverse=True)
    nr, nc = rows.size, cols.size
    src, snk = 0, nr + nc + 1
    tails = np.concatenate([np.zeros(nr, np.int64), 1 + r_idx, 1 + nr + np.arange(nc)])
    heads = np.concatenate([1 + np.arange(nr), 1 + nr + c_idx, np.full(nc, snk, np.int64)])
    caps = np.concatenate([np.ones(nr + er.size, np.int64), capacity[cols].astype(np.int64)])
    costs = np.concatenate([np.zeros(nr, np.int64), -units, np.zeros(nc, np.int64)])
    flow: Any = mcf.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32), heads.astype(np.int32), caps, costs
    )
    flow.set_node_supply(src, int(nr))
    flow.set_node_supply(snk, -int(nr))
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        raise SolverError([f"OR-Tools min cost flow ended with status {status}"])
    used = np.asarray(flow.flows(np.arange(nr, nr + er.size, dtype=np.int64))) > 0
    out = np.full(n, -1, dtype=np.int64)
    out[er[used]] = ec[used]
    return out


def _solve_scipy(
    n: int, capacity: IntArray, er: IntArray, ec: IntArray, units: IntArray, r: int
) -> IntArray:
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import (
        maximum_bipartite_matching,
        min_weight_full_bipartite_matching,
    )

    rows, r_idx = np.unique(er, return_inverse=True)
    cols, c_idx, per_col = np.unique(ec, return_inverse=True, return_counts=True)
    nr = rows.size
    slots = np.minimum(capacity[cols], per_col)
    first_slot = np.concatenate([[0], np.cumsum(slots)])
    n_slots = int(first_slot[-1])
    reps = slots[c_idx]
    e_rep = np.repeat(np.arange(er.size), reps)
    offset = np.arange(e_rep.size) - np.repeat(np.cumsum(reps) - reps, reps)
    slot = first_slot[c_idx][e_rep] + offset
    # cost R + 1 - units >= 1 on pair slots (an explicit zero would drop the edge)
    cost = (r + 1 - units[e_rep]).astype(np.float64)
    graph = csr_matrix((cost, (r_idx[e_rep], slot)), shape=(nr, n_slots))
    if np.count_nonzero(maximum_bipartite_matching(graph, perm_type="column") >= 0) < nr:
        # not every row can be matched: a private dummy column per row costs more than any
        # count change can recover, so the full matching still maximises the count first
        dummy = float((nr + 1) * (r + 1) + 1)
        graph = csr_matrix(
            (
                np.concatenate([cost, np.full(nr, dummy)]),
                (
                    np.concatenate([r_idx[e_rep], np.arange(nr)]),
                    np.concatenate([slot, n_slots + np.arange(nr)]),
                ),
            ),
            shape=(nr, n_slots + nr),
        )
    row_of, col_of = min_weight_full_bipartite_matching(graph)
    slot_col = np.repeat(cols, slots)
    out = np.full(n, -1, dtype=np.int64)
    hit = col_of < n_slots
    out[rows[row_of[hit]]] = slot_col[col_of[hit]]
    return out


def _potentials(
    n: int, m: int, capacity: IntArray, er: IntArray, ec: IntArray, w: IntArray, match: IntArray
) -> tuple[IntArray, IntArray]:
    """Complementary dual ``(u, p)`` of an optimal restricted solution (longest paths).

    ``p`` is the smallest leader price vector with ``p >= 0``, ``p_j >= w_ij`` for every
    candidate pair of an unmatched row and ``p_j >= p_a + w_ij - w_ia`` for a row matched to
    ``a``; then ``u_i = w_ia - p_a``. Optimality of the restricted solution means no positive
    cycle, ``p = 0`` at leaders with room and ``u >= 0``; both are checked.
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


# --------------------------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------------------------


def _uncertified(
    u: IntArray,
    bound: IntArray,
    version: IntArray,
    history: list[IntArray],
    p: IntArray,
    live: BoolArray,
    col_group: IntArray,
    kth_w: IntArray,
    col_slack: IntArray,
) -> IntArray:
    """Rows whose stored bounds do not prove every pair off the candidates non-violating.

    A pair ``(i, j)`` off the candidates, with ``j`` in group ``g``, has reduced cost
    ``u_i + p_j - w_ij >= 0`` when either bound shows it:

    * row bound: ``w_ij - P_j <= bound[i, g]`` for the prices ``P`` of the row's version, so
      it suffices that ``p_j - P_j >= bound[i, g] - u_i``;
    * column bound: ``w_ij <= kth_w[i] + floor_j`` (``i`` is not among column ``j``'s kept
      rows), so it suffices that ``col_slack[j] = p_j - floor_j >= kth_w[i] - u_i``.

    Per group, columns sorted by ``p_j - P_j`` make the ones the row bound misses a prefix,
    whose smallest ``col_slack`` a prefix minimum gives: one binary search per row and group.
    """
    n, n_groups = bound.shape
    ok = np.ones(n, dtype=np.bool_)
    need_col = kth_w - u
    slack = col_slack[live]
    for v in np.unique(version).tolist():
        rows = np.flatnonzero(version == v)
        d = (p - history[v])[live]
        need_row = bound[rows] - u[rows, None]
        for g in range(n_groups):
            in_g = col_group == g
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


def _check_args(
    n: int,
    m: int,
    capacity: object,
    bonus_rows: object,
    bonus_cols: object,
    bonus_values: object,
    k: int,
    block_rows: int,
    max_rounds: int,
    backend: str,
) -> tuple[IntArray, _Bonus]:
    problems: list[str] = []
    for name, val, low in (
        ("n", n, 0),
        ("m", m, 0),
        ("k", k, 1),
        ("block_rows", block_rows, 1),
        ("max_rounds", max_rounds, 0),
    ):
        if isinstance(val, bool) or not isinstance(val, int | np.integer) or val < low:
            problems.append(f"{name}: expected a whole number >= {low}, got {val!r}")
    if backend not in BACKENDS:
        problems.append(f"backend: unknown {backend!r}; expected one of: {', '.join(BACKENDS)}")
    cap = np.asarray(capacity)
    if cap.shape != (m,) or not np.issubdtype(cap.dtype, np.integer):
        problems.append(f"capacity: expected {m} whole numbers, got {cap.dtype} {cap.shape}")
    elif np.any(cap < 0):
        problems.append("capacity: must not be negative")
    given = [x is not None for x in (bonus_rows, bonus_cols, bonus_values)]
    if any(given) and not all(given):
        problems.append("bonus_rows, bonus_cols, bonus_values: give all three or none")
    if problems:
        raise InputError(problems)
    if all(given):
        br = np.asarray(bonus_rows, dtype=np.int64).ravel()
        bc = np.asarray(bonus_cols, dtype=np.int64).ravel()
        bv = np.asarray(bonus_values, dtype=np.float64).ravel()
        if not br.size == bc.size == bv.size:
            problems.append("bonus_rows, bonus_cols, bonus_values: lengths differ")
        elif br.size and (br.min() < 0 or br.max() >= n or bc.min() < 0 or bc.max() >= m):
            problems.append("bonus_rows, bonus_cols: index outside the problem")
        elif not np.all(np.isfinite(bv)):
            problems.append("bonus_values: must be finite")
        if problems:
            raise InputError(problems)
        order = np.lexsort((bc, br))
        bonus = _Bonus(br[order], bc[order], bv[order])
    else:
        z = np.zeros(0, dtype=np.int64)
        bonus = _Bonus(z, z.copy(), np.zeros(0))
    return cap.astype(np.int64), bonus


def _merge_edges(
    er: IntArray, ec: IntArray, eo: FloatArray, nr: IntArray, nc: IntArray, no: FloatArray, m: int
) -> tuple[IntArray, IntArray, FloatArray]:
    """Union of two edge lists, sorted by (row, column)."""
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


def _entries(
    rows: IntArray, cols: IntArray, obj: FloatArray, pick: BoolArray
) -> tuple[IntArray, IntArray, FloatArray]:
    """Flatten the picked entries of per-row arrays into an edge list."""
    r = np.broadcast_to(rows[:, None], cols.shape)[pick]
    return r, cols[pick], obj[pick]


def solve_blocks(
    provider: BlockProvider,
    n: int,
    m: int,
    capacity: object,
    *,
    bonus_rows: object = None,
    bonus_cols: object = None,
    bonus_values: object = None,
    k: int = 20,
    block_rows: int = 1024,
    max_rounds: int = 50,
    backend: Backend = "auto",
    col_k: int | None = None,
    shadow: int | None = None,
    workers: int = 1,
) -> SparseResult:
    """Exact count-first, total-second assignment from row blocks of scores.

    Parameters
    ----------
    provider : callable
        ``provider(start, stop) -> (values, allowed)`` for rows ``start .. stop - 1``:
        float64 values and a bool mask of shape ``(stop - start, m)``; ``allowed`` already
        includes feasibility and ``capacity > 0``; values of allowed pairs are finite. It must
        be deterministic: a row's numbers do not depend on the block it is computed in.
    n, m : int
        Number of participants (rows) and leaders (columns).
    capacity : array_like of int, shape (m,)
        How many participants each leader can take.
    bonus_rows, bonus_cols, bonus_values : array_like, optional
        Sparse preference bonus: ``bonus_values[t]`` is added to the objective of the pair
        ``(bonus_rows[t], bonus_cols[t])`` (see ``Preferences.bonus``). Give all or none.
    k : int, keyword-only
        Candidate leaders kept per row in each pass (default 20).
    block_rows : int, keyword-only
        Most rows per ``provider`` call (default 1024).
    max_rounds : int, keyword-only
        Most re-solves after the first solve (default 50); ``0`` solves once and reports the
        certificate of that solution.
    backend : {"auto", "ortools", "scipy"}, keyword-only
        Exact solver of the restricted problems. ``"ortools"`` (optional dependency, extra
        ``scale``) runs a min cost flow; ``"scipy"`` runs
        :func:`scipy.sparse.csgraph.min_weight_full_bipartite_matching` on slot-expanded
        candidates (exact as well, much slower from about 20 000 rows). ``"auto"`` picks
        OR-Tools when it is installed.
    col_k : int, optional, keyword-only
        Candidate rows per leader from the first pass (default ``6 * max(capacity)``, at
        most 64; ``0`` for none). Three times as many more are kept as column shadows.
    shadow : int, optional, keyword-only
        Extra pairs per row whose exact objective is kept for the certificate without being
        candidates (default ``2 * k``).
    workers : int, keyword-only
        Threads that call ``provider`` (default 1). With more than one, ``provider`` must be
        thread-safe; blocks are combined in row order, so the result does not change.

    Returns
    -------
    SparseResult
        The assignment and its certificate.

    Raises
    ------
    InputError
        Bad arguments, an unknown backend, OR-Tools requested but not installed, or a
        provider block of the wrong shape or with non-finite allowed values.
    SolverError
        A backend failure (the restricted optimum failed its own dual check).

    Notes
    -----
    **The LP.** With ``x_ij`` = 1 when row ``i`` is matched to column ``j``, the problem is
    ``max sum w_ij x_ij`` subject to ``sum_j x_ij <= 1``, ``sum_i x_ij <= c_j`` and ``x >= 0``
    over the allowed pairs. The constraint matrix is the incidence matrix of a bipartite
    graph, hence totally unimodular: the LP has an integral optimum (a b-matching). Weights are
    integers ``w_ij = C + rint((o_ij - o_min) * s)`` for objective ``o`` (value + bonus), a
    power-of-two step ``s`` and ``C = (n + 1) R + 1`` where ``R`` is the largest scaled spread:
    one more matched row outweighs any change of the total, so the optimum matches the most
    rows first and maximises the rounded total second. Rounding costs at most ``1 / s`` per
    matched row (``tolerance``; about ``spread * 5e-10`` for ``n`` up to ``10**6``).

    **The certificate.** The dual is ``min sum u_i + sum c_j p_j`` with ``u, p >= 0`` and
    ``u_i + p_j >= w_ij`` on allowed pairs. A primal ``x`` and dual ``(u, p)`` are both
    optimal when they are feasible and complementary: equality on matched pairs, ``u_i = 0``
    on unmatched rows, ``p_j = 0`` on leaders with room. The restricted problem (candidate
    pairs only) is solved exactly and its complementary dual is read off the residual graph as
    longest-path labels (a vectorised Bellman-Ford on leaders). If no allowed pair outside the
    candidates has negative reduced cost ``u_i + p_j - w_ij``, the same pair of solutions is
    feasible and complementary for the full problem, which proves optimality. Otherwise the
    most promising such pairs are added and the restricted problem is solved again. If the
    rounds run out, raising each ``u_i`` by its row's largest violation makes the dual
    feasible, so the sum of those violations bounds the gap (plus the rounding slack
    ``n / s``).

    **Candidates.** The first pass keeps each row's best ``k`` pairs by objective and each
    leader's best ``col_k`` rows relative to those rows' own ``k``-th best objective (so a
    leader that everyone ranks just below their favourites still gets candidates, and the
    first restricted problem already matches as many rows as the full one, typically). The
    leader's next ``3 col_k`` rows are kept as column shadows.

    **Checking without re-scoring.** Each pass also keeps a row's next best pairs (the
    *shadows*, ``shadow`` of them, default ``2 k``) with their exact objective, and for 64
    groups of leaders the largest reduced value ``T_ig = max (w_ij - P_j)`` among the other
    pairs, where ``P`` are the prices of that pass (zero in the first pass). Under later
    prices ``p`` a pair off the candidates has non-negative reduced cost when

    * it is a (row or column) shadow and ``u_i + p_j - w_ij >= 0`` (checked exactly, every
      round);
    * or ``u_i - T_ig - (P_j - p_j) >= 0`` (row bound);
    * or it lies outside leader ``j``'s kept rows, so ``w_ij <= W(kth_i) + F_j`` with ``F_j``
      the smallest kept relative objective, and ``u_i + p_j - W(kth_i) - F_j >= 0``
      (column bound).

    Per group, sorting leaders by ``p_j - P_j`` with prefix minima of ``p_j - F_j`` checks
    all pairs of a row in one binary search per group. Violated shadows (and those within
    2% of the objective spread of a violation) become candidates at once; only rows that
    no bound certifies go back to ``provider``, where their best pairs by reduced value under
    the current prices become their new candidates (the violated ones) and shadows.

    **Cost.** Each pass costs ``O(rows * m)`` for the scores plus a few elementwise
    operations; the best pairs are found from the maxima of interleaved column chunks, so no
    full sort or partition of a row is needed. The restricted problems have ``O(n k)``
    pairs; OR-Tools' cost-scaling min cost flow solves them in near-linear time in practice;
    the Bellman-Ford pass is ``O(passes * n k)``. Memory is
    ``O(block_rows * m + n (k + shadow + 64) + m col_k)``.

    Examples
    --------
    Scores computed on the fly, four rows at a time:

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> a, b = rng.random((10, 2)), rng.random((3, 2))
    >>> def provider(start, stop):
    ...     values = a[start:stop] @ b.T
    ...     return values, values > 0.1
    >>> res = solve_blocks(provider, 10, 3, [4, 4, 2], k=1, block_rows=4)
    >>> res.certified, res.n_matched
    (True, 9)

    References
    ----------
    .. [1] R. K. Ahuja, T. L. Magnanti, J. B. Orlin, *Network Flows*, Prentice Hall (1993),
       ch. 9-10 (reduced costs, optimality conditions, successive shortest paths).
    .. [2] A. V. Goldberg, "An efficient implementation of a scaling minimum-cost flow
       algorithm", Journal of Algorithms 22 (1997) (the OR-Tools method).
    .. [3] R. Jonker, A. Volgenant, "A shortest augmenting path algorithm for dense and sparse
       linear assignment problems", Computing 38 (1987) (scipy's sparse matching).
    .. [4] A. Schrijver, *Combinatorial Optimization*, Springer (2003), ch. 21 (b-matchings,
       total unimodularity).
    """
    t_start = time.perf_counter()
    cap, bonus = _check_args(
        n, m, capacity, bonus_rows, bonus_cols, bonus_values, k, block_rows, max_rounds, backend
    )
    n, m, k, block_rows, max_rounds = int(n), int(m), int(k), int(block_rows), int(max_rounds)
    problems: list[str] = [
        f"{name}: expected a whole number >= 0 or None, got {val!r}"
        for name, val in (("col_k", col_k), ("shadow", shadow))
        if val is not None
        and (isinstance(val, bool) or not isinstance(val, int | np.integer) or val < 0)
    ]
    if isinstance(workers, bool) or not isinstance(workers, int | np.integer) or workers < 1:
        problems.append(f"workers: expected a whole number >= 1, got {workers!r}")
    if problems:
        raise InputError(problems)
    if col_k is None:
        col_k = int(min(6 * int(cap.max(initial=0)), 64))
    keep = max(k, 3 * k if shadow is None else k + int(shadow))
    use = backend
    if backend == "auto":
        use = "ortools" if ortools_available() else "scipy"
    elif backend == "ortools" and not ortools_available():
        raise InputError(
            [
                "backend 'ortools' needs the optional dependency ortools; "
                "install it with: pip install 'peermatch[scale]'"
            ]
        )
    timings = {"scan": 0.0, "solve": 0.0, "potentials": 0.0, "check": 0.0, "rescore": 0.0}
    nobody = SparseResult(np.full(n, -1, dtype=np.int64), True, 0.0, 0, 0, backend=use)
    if n == 0 or m == 0:
        return nobody
    lay = _Layout.build(m, keep)
    all_rows = np.arange(n, dtype=np.int64)

    # ---- first pass: each row's best entries by objective, group maxima of the rest --------
    t0 = time.perf_counter()
    col_keep = min(4 * col_k, n)
    best_rows = _ColumnBest(m, col_keep) if col_k > 0 else None
    scan = _scan(
        provider, all_rows, m, k=k, keep=keep, lay=lay, block_rows=block_rows, bonus=bonus,
        scale=None, prices=None, known=None, column_best=best_rows, workers=workers,
    )  # fmt: skip
    first_cols, first_obj = scan.cols.copy(), scan.obj.copy()
    present = scan.cols >= 0
    lead = present & _top_mask(scan.score, k)
    er, ec, eo = _merge_edges(
        np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0),
        *_entries(all_rows, scan.cols, scan.obj, lead), m,
    )  # fmt: skip
    # column shadows: the other kept rows of each leader (exact objective, checked each round)
    cs_row, cs_col, cs_obj = np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    if best_rows is not None:
        lead_edges, (cs_row, cs_col, cs_obj) = best_rows.edges(col_k)
        er, ec, eo = _merge_edges(er, ec, eo, *lead_edges, m)
    # shadows: known entries that are not candidates (exact objective, checked every round)
    shadow_col = np.where(present & ~lead, scan.cols, -1)
    shadow_obj = scan.obj
    live = scan.live if scan.live is not None else np.zeros(m, dtype=np.bool_)
    live &= cap > 0
    timings["scan"] = time.perf_counter() - t0
    if eo.size == 0:  # nobody has an allowed pair
        return nobody
    omax = float(eo.max())
    omin = scan.raw_min + min(0.0, float(bonus.values.min(initial=0.0)))
    if not math.isfinite(omin) or _Scale.build(omin, omax, n).step < 1e7:
        # the cheap lower bound (minimum over every cell) is unusable or too loose for the
        # precision wanted: find the exact minimum over allowed pairs
        omin = _exact_min(provider, n, m, block_rows, bonus)
    scale = _Scale.build(omin, omax, n)

    # bound[i, g] >= max over the other allowed j in group g of (w_ij - history[version[i]])
    bound = np.full(scan.group_max.shape, _NEG, dtype=np.int64)
    finite = np.isfinite(scan.group_max)
    bound[finite] = scale.weights(scan.group_max[finite])
    version = np.zeros(n, dtype=np.int64)
    history: list[IntArray] = [np.zeros(m, dtype=np.int64)]
    col_group = lay.group_of_column()[live]
    # column bound: off column j's kept rows, w_ij <= kth_w[i] + col_floor[j]
    kth_w = scale.weights(scan.kth)
    col_floor = np.full(m, 2**62, dtype=np.int64)  # no bound: the column kept all its rows
    if best_rows is not None:
        floor = best_rows.key[:, -1]
        has = np.isfinite(floor)
        col_floor[has] = np.ceil(floor[has] * scale.step).astype(np.int64) + 2
    del scan

    log: list[dict[str, int]] = []
    rounds = 0
    rescored = 0
    certified = False
    gap_units = 0.0
    while True:
        w = scale.weights(eo)
        t0 = time.perf_counter()
        if use == "ortools":
            match = _solve_ortools(n, cap, er, ec, w - scale.big)
        else:
            match = _solve_scipy(n, cap, er, ec, w - scale.big, scale.spread_units)
        timings["solve"] += time.perf_counter() - t0
        t0 = time.perf_counter()
        u, p = _potentials(n, m, cap, er, ec, w, match)
        timings["potentials"] += time.perf_counter() - t0
        rounds += 1

        # ---- exact check of the shadows, bound check of everything else ----------------------
        t0 = time.perf_counter()
        has_shadow = shadow_col >= 0
        shadow_viol = np.full(shadow_col.shape, -np.inf)
        sc = shadow_col[has_shadow]
        shadow_viol[has_shadow] = (
            scale.units(shadow_obj[has_shadow])
            + float(scale.big)
            - p[sc]
            - u.astype(np.float64)[np.broadcast_to(all_rows[:, None], shadow_col.shape)[has_shadow]]
        )
        row_viol = np.max(shadow_viol, axis=1)  # exact, integers below 2**53
        col_viol = scale.units(cs_obj) + float(scale.big) - p[cs_col] - u[cs_row]
        np.maximum.at(row_viol, cs_row, col_viol)
        failing = _uncertified(u, bound, version, history, p, live, col_group, kth_w, p - col_floor)
        timings["check"] += time.perf_counter() - t0

        # ---- re-score the rows the bounds do not certify, under the current prices -----------
        t0 = time.perf_counter()
        fresh: _Scan | None = None
        if failing.size:
            fresh = _scan(
                provider, failing, m, k=k, keep=keep, lay=lay, block_rows=block_rows,
                bonus=bonus, scale=scale, prices=p.astype(np.float64), known=(er, ec),
                workers=workers,
            )  # fmt: skip
            rescored += int(failing.size)
            # the best reduced value w_ij - p_j off the candidates is exact for these rows
            top = np.max(fresh.score, axis=1, initial=-np.inf) + float(scale.big)
            row_viol[failing] = top - u[failing]
        bad_rows = np.flatnonzero(row_viol > 0)
        log.append(
            {
                "candidates": int(er.size),
                "matched": int(np.count_nonzero(match >= 0)),
                "rows_failing": int(failing.size),
                "rows_violated": int(bad_rows.size),
            }
        )
        if bad_rows.size == 0:
            certified = True
            timings["rescore"] += time.perf_counter() - t0
            break
        if rounds > max_rounds:
            gap_units = math.fsum(row_viol[bad_rows].tolist())
            timings["rescore"] += time.perf_counter() - t0
            break

        # violated shadows of rows not re-scored become candidates, and so do those within
        # _NEAR of the spread of being violated: prices move when the problem grows, and
        # taking them now saves rounds
        margin = _NEAR * scale.spread_units
        move = shadow_viol > -margin
        if fresh is not None:
            move[failing] = False
        add = [_entries(all_rows, shadow_col, shadow_obj, move)]
        shadow_col[move] = -1
        near = col_viol > -margin
        add.append((cs_row[near], cs_col[near], cs_obj[near]))
        cs_row, cs_col, cs_obj = cs_row[~near], cs_col[~near], cs_obj[~near]
        if fresh is not None:
            # re-scored rows: (nearly) violated entries (best first, at most k) become candidates,
            # the other kept entries are the row's new shadows, the bounds move to version p
            viol = fresh.score + float(scale.big) - u[failing, None] > -margin
            many = np.count_nonzero(viol, axis=1) > k
            if np.any(many):
                viol[many] &= _top_mask(fresh.score[many], k)
            add.append(_entries(failing, fresh.cols, fresh.obj, viol))
            shadow_col[failing] = np.where(viol | (fresh.cols < 0), -1, fresh.cols)
            shadow_obj[failing] = fresh.obj
            new_bound = np.full(fresh.group_max.shape, _NEG, dtype=np.int64)
            fin = np.isfinite(fresh.group_max)
            new_bound[fin] = fresh.group_max[fin].astype(np.int64) + scale.big
            history.append(p)
            bound[failing] = new_bound
            version[failing] = len(history) - 1
        for nr, nc, no in add:
            er, ec, eo = _merge_edges(er, ec, eo, nr, nc, no, m)
        timings["rescore"] += time.perf_counter() - t0

    gap = 0.0
    if not certified:
        # dual objective - primal objective after raising u_i by its row's violation, in
        # units of 1/step, plus the rounding slack of at most 1/(2 step) per matched row on
        # each side
        gap = (gap_units * (1.0 + 2.0**-40) + n) / scale.step
    timings["total"] = time.perf_counter() - t_start
    return SparseResult(
        assignment=match,
        certified=certified,
        gap_bound=float(gap),
        rounds=rounds,
        n_candidates=int(er.size),
        count_certified=bool(certified or gap_units <= scale.spread_units),
        tolerance=float(1.0 / scale.step),
        rows_rescored=rescored,
        backend=use,
        timings={key: float(val) for key, val in timings.items()},
        round_log=tuple(log),
        count_weight=float(scale.big / scale.step),
        objective_min=float(scale.omin),
        first_cols=first_cols,
        first_obj=first_obj,
    )


def _exact_min(provider: BlockProvider, n: int, m: int, block_rows: int, bonus: _Bonus) -> float:
    """Smallest objective over allowed pairs (a second pass; only for unusual inputs)."""
    best = math.inf
    for start in range(0, n, block_rows):
        stop = min(n, start + block_rows)
        values, allowed = _checked_block(provider, start, stop, m)
        y = np.where(allowed, values, np.inf)
        bp, bc, bv = bonus.within(np.arange(start, stop, dtype=np.int64))
        if bp.size:
            np.add.at(y, (bp, bc), bv)
        if y.size:
            best = min(best, float(y.min()))
    if not math.isfinite(best):
        raise InputError(["provider: values of allowed pairs must be finite"])
    return best


def solve_problem_sparse(
    problem: ArrayProblem,
    k: int = 20,
    *,
    block_rows: int = 1024,
    max_rounds: int = 50,
    backend: Backend = "auto",
) -> SparseResult:
    """Run :func:`solve_blocks` on an in-memory problem (the provider slices its arrays).

    Parameters
    ----------
    problem : ArrayProblem
        Validated arrays.
    k, block_rows, max_rounds, backend
        As in :func:`solve_blocks`.

    Returns
    -------
    SparseResult

    Examples
    --------
    >>> import numpy as np
    >>> from peermatch.solvers._common import as_problem
    >>> prob = as_problem(np.array([[0.9, 0.8], [0.7, 0.1], [0.6, 0.5]]),
    ...                   np.array([[True, True], [True, False], [True, True]]), [1, 1])
    >>> res = solve_problem_sparse(prob, k=1)
    >>> res.assignment.tolist(), res.certified
    ([1, 0, -1], True)
    """
    allowed = problem.allowed()
    values = problem.values

    def provider(start: int, stop: int) -> tuple[FloatArray, BoolArray]:
        return values[start:stop], allowed[start:stop]

    n, m = problem.shape
    prefs = problem.preferences
    bonus = prefs.bonus(problem.preference_bonus) if len(prefs) else None
    return solve_blocks(
        provider,
        n,
        m,
        problem.capacity,
        bonus_rows=prefs.rows if bonus is not None else None,
        bonus_cols=prefs.cols if bonus is not None else None,
        bonus_values=bonus,
        k=k,
        block_rows=block_rows,
        max_rounds=max_rounds,
        backend=backend,
    )
