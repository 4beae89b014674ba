"""Exact ``hungarian`` matching for large cohorts, without the full score matrix (internal).

The scorer produces blocks of rows; :func:`peermatch.solvers._blocks.solve_blocks` keeps each
row's best candidates, solves the restricted problem exactly and proves the result optimal for
the full problem with a dual certificate (or reports a bound on the gap). While the blocks go
by, a recorder keeps what the result needs later — how many leaders are feasible for each
row and the exclusion counts of rows with none — and the solver's first pass supplies each
row's best leaders, so the result is built without a second pass over all pairs.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from peermatch._core.order import best_first
from peermatch.scoring._scorer import Scorer
from peermatch.solvers._blocks import SparseResult, ortools_available, solve_blocks

__all__ = ["MAX_ROUNDS", "SPARSE_MIN_PAIRS", "RowStats", "solve_sparse", "use_sparse"]

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

#: From this many pairs (participants x leaders), ``hungarian`` solves from row blocks when the
#: fast exact backend (extra ``scale``) is installed.
SPARSE_MIN_PAIRS = 1_000_000
#: Without that backend, the dense solver is used up to this many entries of its
#: capacity-expanded matrix (about 2.4 GB of float64); larger problems go sparse regardless.
DENSE_MAX_ENTRIES = 300_000_000
#: Most certificate rounds (re-solves after the first). Two to four were seen on every cohort
#: measured; a result stopped by this limit is valid but not proven optimal, which its metrics
#: and an :class:`~peermatch.errors.OptimalityWarning` say.
MAX_ROUNDS = 50

ProgressFn = Callable[[str, int, int], None]


def scoring_threads() -> int:
    """Threads scoring row blocks at once: the CPUs this process may use, at most 4.

    Scoring is numpy work that releases the interpreter lock, so blocks score in parallel;
    beyond a few threads memory bandwidth, not CPUs, limits it.
    """
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - platforms without affinity masks
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 4))


def use_sparse(n: int, m: int, capacity: IntArray) -> bool:
    """Whether ``hungarian`` should solve from row blocks for this size."""
    if n * m < SPARSE_MIN_PAIRS or n == 0 or m == 0:
        return False
    if ortools_available():
        return True
    slots = int(np.minimum(capacity, n).sum())
    return n * slots > DENSE_MAX_ENTRIES


@dataclass
class RowStats:
    """What the first pass saw of each row (rows in id order).

    ``top_cols``/``top_vals``: the row's best feasible leaders by score, best first, padded
    with -1 / -inf; ``n_feasible``: how many leaders are feasible; ``exclusions``: reason
    counts of rows with no feasible leader.
    """

    top_cols: IntArray
    top_vals: FloatArray
    n_feasible: IntArray
    exclusions: dict[int, dict[str, int]]
    with_bonus: NDArray[np.bool_] | None = None  # rows whose kept values include a bonus


class _Recorder:
    """Block provider over a scorer that records feasible counts and exclusion reasons.

    Rows marked ``held`` (pairs kept in place) are recorded like the others but offered to
    the solver with no allowed pair.
    """

    def __init__(
        self, scorer: Scorer, progress: ProgressFn | None, held: NDArray[np.bool_] | None = None
    ) -> None:
        n = scorer.shape[0]
        self.scorer = scorer
        self.held = held
        self.n_feasible = np.zeros(n, dtype=np.int64)
        self.exclusions: dict[int, dict[str, int]] = {}
        self.progress = progress
        self.seen = np.zeros(n, dtype=np.bool_)
        self.done = 0
        self.lock = threading.Lock()  # blocks may be scored on several threads

    def __call__(self, start: int, stop: int) -> tuple[FloatArray, NDArray[np.bool_]]:
        blk = self.scorer.block(start, stop)
        feasible = blk.reasons == 0
        count = np.count_nonzero(feasible, axis=1)
        self.n_feasible[start:stop] = count
        names = self.scorer.reason_names
        for k in np.flatnonzero(count == 0).tolist():
            codes = np.bincount(blk.reasons[k], minlength=len(names))
            self.exclusions[start + k] = {names[c]: int(x) for c, x in enumerate(codes) if c and x}
        rows = slice(start, stop)
        with self.lock:
            fresh = ~self.seen[rows]
            self.seen[rows] = True
            self.done += int(fresh.sum())
            done = self.done
        if self.progress is not None and fresh.any():
            self.progress("scoring", done, self.scorer.shape[0])
        if self.held is not None and self.held[rows].any():
            feasible = feasible & ~self.held[rows, None]
        return blk.values, feasible


def solve_sparse(
    scorer: Scorer,
    capacity: IntArray,
    bonus: tuple[IntArray, IntArray, FloatArray],
    *,
    k: int = 20,
    progress: ProgressFn | None = None,
    held: NDArray[np.bool_] | None = None,
) -> tuple[IntArray, RowStats, SparseResult]:
    """Exact count-first, total-second assignment of a scored cohort from row blocks.

    Each row's best leaders come from the solver's first pass when the row has no bonus
    (there the objective is the score); rows with a bonus are marked for scoring again.
    Rows marked ``held`` (pairs fixed by the caller) are not matched: the solver sees no
    allowed pair for them, and they are marked for scoring again too.
    """
    n, m = scorer.shape
    recorder = _Recorder(scorer, progress, held)
    res = solve_blocks(
        recorder,
        n,
        m,
        capacity,
        bonus_rows=bonus[0],
        bonus_cols=bonus[1],
        bonus_values=bonus[2],
        k=k,
        block_rows=max(scorer.default_block_rows(), 16),
        max_rounds=MAX_ROUNDS,
        workers=scoring_threads(),
    )
    for i in np.flatnonzero(~recorder.seen).tolist():  # rows the solver never asked for
        recorder(i, i + 1)
    if res.first_cols is not None and res.first_obj is not None:
        cols, obj = res.first_cols, res.first_obj
        order = best_first(obj, index=cols, axis=1)
        cols = np.take_along_axis(cols, order, axis=1)
        obj = np.take_along_axis(obj, order, axis=1)
        cols = np.where(np.isfinite(obj), cols, -1)
    else:
        cols, obj = np.full((n, 0), -1, dtype=np.int64), np.full((n, 0), -np.inf)
    with_bonus = np.zeros(n, dtype=np.bool_)
    with_bonus[bonus[0]] = True
    if held is not None:
        with_bonus |= held  # the first pass kept nothing of these rows
    exclusions = dict(sorted(recorder.exclusions.items()))  # blocks may finish in any order
    stats = RowStats(cols, obj, recorder.n_feasible, exclusions, with_bonus)
    return res.assignment, stats, res
