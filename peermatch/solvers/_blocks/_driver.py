"""The driver: first pass, then rounds of exact solve, certificate check and growth."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from peermatch._core.warn import warn
from peermatch.errors import OptimalityWarning
from peermatch.solvers._blocks._certificate import RowBounds, Shadows, Violations, potentials
from peermatch.solvers._blocks._chunks import top_mask
from peermatch.solvers._blocks._columns import ColumnBest
from peermatch.solvers._blocks._pairs import Candidates, entries
from peermatch.solvers._blocks._restricted import Backend, solve_restricted
from peermatch.solvers._blocks._result import BlockProvider, SparseResult, uncertified_message
from peermatch.solvers._blocks._scan import Scan, exact_min, scan
from peermatch.solvers._blocks._settings import Settings, check_settings
from peermatch.solvers._blocks._weights import Scale
from peermatch.solvers._common import ArrayProblem, BoolArray, FloatArray, IntArray

__all__ = ["solve_blocks", "solve_problem_sparse"]

_NEAR = 0.02  # shadows this close (share of the objective spread) to a violation join too
_PHASES = ("scan", "solve", "potentials", "check", "rescore")


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
    clock = _Clock.started()
    cfg = check_settings(
        n, m, capacity, bonus_rows, bonus_cols, bonus_values, k=k, block_rows=block_rows,
        max_rounds=max_rounds, backend=backend, col_k=col_k, shadow=shadow, workers=workers,
    )  # fmt: skip
    nobody = SparseResult(np.full(cfg.n, -1, dtype=np.int64), True, 0.0, 0, 0, backend=cfg.backend)
    if cfg.n == 0 or cfg.m == 0:
        return nobody
    with clock.phase("scan"):
        first, best_rows = _first_pass(provider, cfg)
        first_cols, first_obj = first.cols.copy(), first.obj.copy()
        candidates, shadows, live = _initial_lists(cfg, first, best_rows)
    if candidates.size == 0:  # nobody has an allowed pair
        return nobody
    scale = _objective_scale(provider, cfg, first, candidates)
    bounds = RowBounds.first_pass(first, scale, live, cfg.layout, best_rows)
    state = _State(candidates, shadows, bounds)
    del first

    while True:
        last = _solve_and_check(provider, cfg, scale, state, clock)
        if last.bad_rows.size == 0 or state.rounds > cfg.max_rounds:
            break
        with clock.phase("rescore"):
            _grow(cfg, scale, state, last)

    certified = last.bad_rows.size == 0
    gap_units = 0.0 if certified else math.fsum(last.viol.by_row[last.bad_rows].tolist())
    gap = 0.0
    if not certified:
        # dual objective - primal objective after raising u_i by its row's violation, in
        # units of 1/step, plus the rounding slack of at most 1/(2 step) per matched row on
        # each side
        gap = (gap_units * (1.0 + 2.0**-40) + cfg.n) / scale.step
    return SparseResult(
        assignment=last.match,
        certified=certified,
        gap_bound=float(gap),
        rounds=state.rounds,
        n_candidates=state.candidates.size,
        count_certified=bool(certified or gap_units <= scale.spread_units),
        tolerance=float(1.0 / scale.step),
        rows_rescored=state.rescored,
        backend=cfg.backend,
        timings=clock.timings(),
        round_log=tuple(state.log),
        count_weight=float(scale.big / scale.step),
        objective_min=float(scale.omin),
        first_cols=first_cols,
        first_obj=first_obj,
    )


# --------------------------------------------------------------------------------------------
# State
# --------------------------------------------------------------------------------------------


@dataclass
class _Clock:
    """Seconds spent per phase: the result's ``timings``."""

    start: float  # when the solve began
    spent: dict[str, float]  # seconds per phase so far

    @classmethod
    def started(cls) -> _Clock:
        return cls(time.perf_counter(), dict.fromkeys(_PHASES, 0.0))

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Add the time spent in the ``with`` block to phase ``name``."""
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.spent[name] += time.perf_counter() - t0

    def timings(self) -> dict[str, float]:
        """Seconds per phase and in total."""
        out = {key: float(val) for key, val in self.spent.items()}
        out["total"] = float(time.perf_counter() - self.start)
        return out


@dataclass
class _State:
    """What the certificate rounds grow and update."""

    candidates: Candidates  # the pairs of the restricted problem
    shadows: Shadows  # pairs off the candidates with a known objective, checked exactly
    bounds: RowBounds  # bounds on every other pair, per row
    rounds: int = 0  # certificate checks made, one per exact solve
    rescored: int = 0  # rows scored again after the first pass, summed over rounds
    log: list[dict[str, int]] = field(default_factory=list)  # one entry per round


@dataclass(frozen=True)
class _Round:
    """One exact solve of the restricted problem and the check of its certificate."""

    match: IntArray  # (n,): the restricted optimum, column per row or -1
    u: IntArray  # (n,): its row duals
    p: IntArray  # (m,): its leader prices
    viol: Violations  # how far the shadows violate (u, p); by_row exact for re-scored rows
    failing: IntArray  # rows the bounds did not certify, scored again under p
    fresh: Scan | None  # their scan, ranked by reduced value (None when no row failed)
    bad_rows: IntArray  # rows with a violated pair: the certificate fails there


# --------------------------------------------------------------------------------------------
# Steps
# --------------------------------------------------------------------------------------------


def _first_pass(provider: BlockProvider, cfg: Settings) -> tuple[Scan, ColumnBest | None]:
    """Each row's best entries by objective and group maxima of the rest; leaders' best rows."""
    col_keep = min(4 * cfg.col_k, cfg.n)
    best_rows = ColumnBest(cfg.m, col_keep) if cfg.col_k > 0 else None
    first = scan(
        provider, np.arange(cfg.n, dtype=np.int64), cfg.m, k=cfg.k, keep=cfg.keep,
        lay=cfg.layout, block_rows=cfg.block_rows, bonus=cfg.bonus, scale=None, prices=None,
        known=None, column_best=best_rows, workers=cfg.workers,
    )  # fmt: skip
    return first, best_rows


def _initial_lists(
    cfg: Settings, first: Scan, best_rows: ColumnBest | None
) -> tuple[Candidates, Shadows, BoolArray]:
    """First candidates, shadows, and the leaders that have an allowed pair.

    Candidates are each row's best ``k`` entries and each leader's best ``col_k`` rows; the
    other kept entries are shadows (exact objective, checked every round).
    """
    present = first.cols >= 0
    lead = present & top_mask(first.score, cfg.k)
    candidates = Candidates(cfg.m)
    candidates.add(*entries(np.arange(cfg.n, dtype=np.int64), first.cols, first.obj, lead))
    col_shadows = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    if best_rows is not None:
        lead_edges, col_shadows = best_rows.edges(cfg.col_k)
        candidates.add(*lead_edges)
    shadows = Shadows(np.where(present & ~lead, first.cols, -1), first.obj, *col_shadows)
    live = first.live if first.live is not None else np.zeros(cfg.m, dtype=np.bool_)
    live &= cfg.capacity > 0
    return candidates, shadows, live


def _objective_scale(
    provider: BlockProvider, cfg: Settings, first: Scan, candidates: Candidates
) -> Scale:
    """Integer weights for the objective range: from the first pass, or a pass of its own."""
    omax = float(candidates.obj.max())
    omin = first.raw_min + min(0.0, float(cfg.bonus.values.min(initial=0.0)))
    if not math.isfinite(omin) or Scale.build(omin, omax, cfg.n).step < 1e7:
        # the cheap lower bound (minimum over every cell) is unusable or too loose for the
        # precision wanted: find the exact minimum over allowed pairs
        omin = exact_min(provider, cfg.n, cfg.m, cfg.block_rows, cfg.bonus)
    return Scale.build(omin, omax, cfg.n)


def _solve_and_check(
    provider: BlockProvider, cfg: Settings, scale: Scale, state: _State, clock: _Clock
) -> _Round:
    """Solve the restricted problem exactly, read its dual, and look for violated pairs.

    The shadows are checked exactly, every other pair by the bounds; the rows the bounds do
    not certify are scored again under the new prices.
    """
    cands = state.candidates
    w = scale.weights(cands.obj)
    with clock.phase("solve"):
        match = solve_restricted(
            cfg.backend, cfg.n, cfg.capacity, cands.rows, cands.cols, w - scale.big,
            scale.spread_units,
        )  # fmt: skip
    with clock.phase("potentials"):
        u, p = potentials(cfg.n, cfg.m, cfg.capacity, cands.rows, cands.cols, w, match)
    state.rounds += 1
    with clock.phase("check"):
        viol = state.shadows.check(scale, u, p)
        failing = state.bounds.uncertified(u, p)
    with clock.phase("rescore"):
        fresh: Scan | None = None
        if failing.size:
            fresh = scan(
                provider, failing, cfg.m, k=cfg.k, keep=cfg.keep, lay=cfg.layout,
                block_rows=cfg.block_rows, bonus=cfg.bonus, scale=scale,
                prices=p.astype(np.float64), known=(cands.rows, cands.cols), workers=cfg.workers,
            )  # fmt: skip
            state.rescored += int(failing.size)
            # the best reduced value w_ij - p_j off the candidates is exact for these rows
            top = np.max(fresh.score, axis=1, initial=-np.inf) + float(scale.big)
            viol.by_row[failing] = top - u[failing]
        bad_rows = np.flatnonzero(viol.by_row > 0)
        state.log.append(
            {
                "candidates": cands.size,
                "matched": int(np.count_nonzero(match >= 0)),
                "rows_failing": int(failing.size),
                "rows_violated": int(bad_rows.size),
            }
        )
    return _Round(match, u, p, viol, failing, fresh, bad_rows)


def _grow(cfg: Settings, scale: Scale, state: _State, last: _Round) -> None:
    """Make the violated pairs candidates; re-scored rows get new shadows and bounds.

    Shadows within ``_NEAR`` of the objective spread of being violated join too: prices move
    when the problem grows, and taking them now saves rounds.
    """
    margin = _NEAR * scale.spread_units
    add = state.shadows.promote(last.viol, margin, skip=last.failing)
    fresh = last.fresh
    if fresh is not None:
        # (nearly) violated entries (best first, at most k) become candidates, the other
        # kept entries are the row's new shadows, the bounds move to the current prices
        viol = fresh.score + float(scale.big) - last.u[last.failing, None] > -margin
        many = np.count_nonzero(viol, axis=1) > cfg.k
        if np.any(many):
            viol[many] &= top_mask(fresh.score[many], cfg.k)
        add.append(entries(last.failing, fresh.cols, fresh.obj, viol))
        state.shadows.replace(
            last.failing, np.where(viol | (fresh.cols < 0), -1, fresh.cols), fresh.obj
        )
        state.bounds.rescored(last.failing, fresh.group_max, last.p, scale)
    for edges in add:
        state.candidates.add(*edges)


# --------------------------------------------------------------------------------------------
# In-memory problems
# --------------------------------------------------------------------------------------------


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

    Warns
    -----
    OptimalityWarning
        When the round limit ends the certificate before it proves the result optimal: the
        assignment is valid, ``certified`` is False and ``gap_bound`` bounds the shortfall.

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
    result = solve_blocks(
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
    if not result.certified:
        warn(OptimalityWarning(f"block solver: {uncertified_message(result)}"))
    return result
