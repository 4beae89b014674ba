"""Passes over row blocks: score rows, keep each row's best entries and bounds on the rest."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from peermatch.errors import InputError
from peermatch.solvers._blocks._chunks import Layout, chunk_top, fold_max
from peermatch.solvers._blocks._columns import ColumnBest
from peermatch.solvers._blocks._pairs import Bonus, within
from peermatch.solvers._blocks._result import BlockProvider
from peermatch.solvers._blocks._weights import Scale
from peermatch.solvers._common import BoolArray, FloatArray, IntArray

__all__ = ["Scan", "checked_block", "exact_min", "scan"]

_T = TypeVar("_T")
_GAP_BRIDGE = 16  # failing rows closer than this are re-scored in one provider call


@dataclass
class Scan:
    """What one pass over some rows found, one entry per row (rows in increasing order).

    ``cols``, ``score`` and ``obj`` have shape ``(rows, kept)``: each row's best entries by
    the selection score (``cols == -1`` and ``score == -inf`` pad rows with fewer allowed
    pairs). ``group_max`` bounds the score of every other allowed pair, per group of leaders.
    """

    cols: IntArray  # the kept entries' columns
    score: FloatArray  # what they were ranked by: objective (first pass), reduced value (later)
    obj: FloatArray  # their objective (value + bonus)
    group_max: FloatArray  # (rows, groups): largest score among the entries not kept
    kth: FloatArray  # first pass: k-th best objective of the row (0 when none)
    raw_min: float = math.inf  # first pass: smallest value in any cell (allowed or not)
    live: BoolArray | None = None  # first pass: (m,) leaders with at least one allowed pair


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


def checked_block(
    provider: BlockProvider, start: int, stop: int, m: int
) -> tuple[FloatArray, BoolArray]:
    """``provider(start, stop)`` with its shapes and dtypes checked; values as float64."""
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


def scan(
    provider: BlockProvider,
    rows: IntArray,
    m: int,
    *,
    k: int,
    keep: int,
    lay: Layout,
    block_rows: int,
    bonus: Bonus,
    scale: Scale | None,
    prices: FloatArray | None,
    known: tuple[IntArray, IntArray] | None,
    column_best: ColumnBest | None = None,
    workers: int = 1,
) -> Scan:
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
        values, allowed = checked_block(provider, start, stop, m)
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
                kp, kc = within(known[0], known[1], glob)
                y[kp, kc] = -np.inf
            sel_c, sel_v, _, cm_after = chunk_top(y, keep, lay)
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
            parts.append((sel_c, sel_v, obj, fold_max(cm_after, lay.n_groups), kth))
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
        return Scan(e.astype(np.int64), e, e.copy(), np.zeros((0, lay.n_groups)), np.zeros(0))
    return Scan(
        np.concatenate([q[0] for q in parts]),
        np.concatenate([q[1] for q in parts]),
        np.concatenate([q[2] for q in parts]),
        np.concatenate([q[3] for q in parts]),
        np.concatenate([q[4] for q in parts]),
        raw_min_all,
        live_all,
    )


def exact_min(provider: BlockProvider, n: int, m: int, block_rows: int, bonus: Bonus) -> float:
    """Smallest objective over allowed pairs (a second pass; only for unusual inputs)."""
    best = math.inf
    for start in range(0, n, block_rows):
        stop = min(n, start + block_rows)
        values, allowed = checked_block(provider, start, stop, m)
        y = np.where(allowed, values, np.inf)
        bp, bc, bv = bonus.within(np.arange(start, stop, dtype=np.int64))
        if bp.size:
            np.add.at(y, (bp, bc), bv)
        if y.size:
            best = min(best, float(y.min()))
    if not math.isfinite(best):
        raise InputError(["provider: values of allowed pairs must be finite"])
    return best
