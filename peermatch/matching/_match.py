"""Profile-level matching: scores -> solver -> :class:`~peermatch.MatchResult`.

The solvers and their guarantees are described in ``docs/solvers.md``.

Examples
--------
>>> from peermatch import Participant, PeerLeader, match
>>> ps = [Participant(id="P1", age=30, languages="en", life_stage="student"),
...       Participant(id="P2", age=70, languages="en", life_stage="retired")]
>>> ls = [PeerLeader(id="L1", age=68, languages="en", life_stage="retired", capacity=1),
...       PeerLeader(id="L2", age=28, languages="en", life_stage="student", capacity=1)]
>>> match(ps, ls).pairs
{'P1': 'L2', 'P2': 'L1'}
"""

from __future__ import annotations

import contextvars
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from peermatch._core.warn import warn
from peermatch._version import __version__
from peermatch.errors import InputError, OptimalityWarning
from peermatch.matching._results import Manifest, Match, MatchResult, PeerLoad, Unmatched
from peermatch.matching._scale import (
    DENSE_MAX_ENTRIES,
    ProgressFn,
    RowStats,
    solve_sparse,
    use_sparse,
)
from peermatch.profiles._models import Participant, PeerLeader
from peermatch.scoring._config import MatchConfig, as_config
from peermatch.scoring._scorer import Scorer, build_scorer
from peermatch.solvers._blocks import uncertified_message
from peermatch.solvers._common import ArrayProblem, Preferences
from peermatch.solvers._solve import check_balance, check_solver_name, run_solver

__all__ = ["analyse", "input_hash", "match", "solve_scored"]

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


def _canonical(value: object) -> str:
    """A value as canonical text: sets sorted, maps in key order, floats by ``repr``."""
    if value is None:
        return ""
    if isinstance(value, frozenset):
        return ";".join(sorted(str(v) for v in value))
    if isinstance(value, tuple):
        return ";".join(str(v) for v in value)
    if isinstance(value, dict):
        return ";".join(f"{k}:{v}" for k, v in sorted(value.items()))
    if isinstance(value, float):
        return repr(value)
    return str(value)


def input_hash(participants: Sequence[Participant], peers: Sequence[PeerLeader]) -> str:
    """SHA-256 of the validated profiles in canonical form (id order, sorted sets).

    Reordering rows leaves it unchanged; any change of content changes it. Each profile is
    hashed as its field names and canonical values, separated by control characters that
    validated values cannot contain.
    """
    h = hashlib.sha256()
    for label, people in (("participants", participants), ("peers", peers)):
        h.update(label.encode() + b"\x1e")
        for prof in sorted(people, key=lambda x: x.id):
            fields = type(prof).model_fields
            text = "\x1f".join(f"{f}={_canonical(getattr(prof, f))}" for f in fields)
            h.update(text.encode() + b"\x1e")
    return h.hexdigest()


@dataclass(frozen=True)
class Analysis:
    """Per-participant facts about an assignment, computed block by block."""

    score: FloatArray  # matched score, NaN when unmatched
    rank: IntArray  # rank of the matched leader, 0 when unmatched
    n_feasible: IntArray
    exclusions: dict[int, dict[str, int]]  # rows with no feasible leader -> counts
    blocking_pairs: int


@dataclass(frozen=True)
class _Holders:
    """Each leader's room and lowest-ranked participant under an assignment."""

    room: NDArray[np.bool_]
    worst_score: FloatArray
    worst_row: IntArray

    @classmethod
    def of(
        cls, rows: IntArray, cols: IntArray, scores: FloatArray, capacity: IntArray, m: int
    ) -> _Holders:
        load = np.bincount(cols, minlength=m)
        worst_score = np.full(m, np.inf)
        worst_row = np.full(m, -1, dtype=np.int64)
        if rows.size:
            order = np.lexsort((-rows, scores, cols))  # by leader, then score up, row down
            first = np.ones(order.size, dtype=bool)
            first[1:] = cols[order][1:] != cols[order][:-1]
            sel = order[first]
            worst_score[cols[sel]] = scores[sel]
            worst_row[cols[sel]] = rows[sel]
        return cls(load < capacity, worst_score, worst_row)

    def wants(self, i: int, cols: IntArray, vals: FloatArray) -> NDArray[np.bool_]:
        """Which of these leaders have room or rank participant ``i`` above their lowest."""
        ws, wr = self.worst_score[cols], self.worst_row[cols]
        out: NDArray[np.bool_] = self.room[cols] | (vals > ws) | ((vals == ws) & (i < wr))
        return out


def _preference_positions(scorer: Scorer, start: int, stop: int) -> IntArray:
    prefs = scorer.cohort.preferences
    pos = np.zeros((stop - start, scorer.shape[1]), dtype=np.int64)
    sel = (prefs.rows >= start) & (prefs.rows < stop)
    pos[prefs.rows[sel] - start, prefs.cols[sel]] = prefs.position[sel]
    return pos


def analyse(
    scorer: Scorer,
    assignment: IntArray,
    *,
    capacity: IntArray | None = None,
    values: FloatArray | None = None,
    reasons: NDArray[np.int16] | None = None,
    block_rows: int = 1024,
) -> Analysis:
    """Scores, ranks, exclusion counts and blocking pairs of an assignment.

    Blocking pairs: feasible pairs ``(i, j)`` not matched together where ``i`` prefers ``j`` to
    its outcome (its ``preferred`` list first, then score, then id; any feasible leader beats
    being unmatched) and ``j`` has room or ranks ``i`` above its lowest-ranked participant
    (by score, then id).
    """
    n, m = scorer.shape
    cap = scorer.cohort.capacity if capacity is None else capacity
    matched = assignment >= 0
    rows_m = np.flatnonzero(matched)
    cols_m = assignment[rows_m]
    if values is not None:
        pair_scores = values[rows_m, cols_m]
    else:
        pair_scores, _ = scorer.pairs(rows_m, cols_m)
    score = np.full(n, np.nan)
    score[rows_m] = pair_scores
    holders = _Holders.of(rows_m, cols_m, pair_scores, cap, m)
    room, worst_score, worst_row = holders.room, holders.worst_score, holders.worst_row
    rank = np.zeros(n, dtype=np.int64)
    n_feasible = np.zeros(n, dtype=np.int64)
    exclusions: dict[int, dict[str, int]] = {}
    blocking = 0
    col_idx = np.arange(m)
    for start in range(0, n, block_rows):
        stop = min(n, start + block_rows)
        if values is not None and reasons is not None:
            v, r = values[start:stop], reasons[start:stop]
        else:
            blk = scorer.block(start, stop)
            v, r = blk.values, blk.reasons
        feas = r == 0
        n_feasible[start:stop] = feas.sum(axis=1)
        a = assignment[start:stop]
        mrow = a >= 0
        safe = np.where(mrow, a, 0)
        sc = np.where(mrow, score[start:stop], -np.inf)[:, None]
        better = feas & ((v > sc) | ((v == sc) & (col_idx[None, :] < safe[:, None])))
        rank[start:stop] = np.where(mrow, better.sum(axis=1) + 1, 0)
        for k in np.flatnonzero(n_feasible[start:stop] == 0):
            counts = np.bincount(r[k], minlength=len(scorer.reason_names))
            exclusions[start + int(k)] = {
                scorer.reason_names[c]: int(x) for c, x in enumerate(counts) if c and x
            }
        if m == 0:
            continue
        pos = _preference_positions(scorer, start, stop)
        listed = pos > 0
        cur_pos = np.where(mrow, pos[np.arange(stop - start), safe], 0)[:, None]
        cur_listed = cur_pos > 0
        prefers = np.where(
            ~mrow[:, None],
            True,
            np.where(
                cur_listed,
                listed & (pos < cur_pos),
                listed | (v > sc) | ((v == sc) & (col_idx[None, :] < safe[:, None])),
            ),
        )
        rows_idx = np.arange(start, stop)[:, None]
        leader_wants = (
            room[None, :]
            | (v > worst_score[None, :])
            | ((v == worst_score[None, :]) & (rows_idx < worst_row[None, :]))
        )
        not_own = col_idx[None, :] != np.where(mrow, a, -1)[:, None]
        blocking += int(np.count_nonzero(feas & prefers & leader_wants & not_own))
    return Analysis(score, rank, n_feasible, exclusions, blocking)


def _row_blocking(
    i: int,
    cols: IntArray,
    vals: FloatArray,
    current: int,
    own: float,
    listed: dict[int, int],
    holders: _Holders,
) -> int:
    """Blocking pairs of participant ``i`` among the given feasible leaders (as :func:`analyse`)."""
    if cols.size == 0:
        return 0
    if current < 0:
        prefers = np.ones(cols.size, dtype=np.bool_)
    else:
        pos = np.array([listed.get(c, 0) for c in cols.tolist()], dtype=np.int64)
        cur = listed.get(current, 0)
        if cur:
            prefers = (pos > 0) & (pos < cur)
        else:
            prefers = (pos > 0) | (vals > own) | ((vals == own) & (cols < current))
    blocking = prefers & holders.wants(i, cols, vals) & (cols != current)
    return int(np.count_nonzero(blocking))


def analyse_from_stats(
    scorer: Scorer, assignment: IntArray, stats: RowStats, capacity: IntArray
) -> Analysis:
    """The :class:`Analysis` of an assignment from what the first pass kept of each row.

    Ranks and blocking pairs come from each row's best feasible leaders by score; a row whose
    outcome lies beyond them (rare) is scored again on its own, so the numbers equal those of
    :func:`analyse` on the full matrix.
    """
    n, m = scorer.shape
    matched = assignment >= 0
    rows_m = np.flatnonzero(matched)
    pair_scores, _ = scorer.pairs(rows_m, assignment[rows_m])
    score = np.full(n, np.nan)
    score[rows_m] = pair_scores
    holders = _Holders.of(rows_m, assignment[rows_m], pair_scores, capacity, m)
    top_c, top_v = stats.top_cols, stats.top_vals
    kth = top_v[:, -1] if top_c.shape[1] else np.full(n, -np.inf)
    complete = stats.n_feasible <= top_c.shape[1]
    own = np.where(matched, score, -np.inf)
    redo = ~complete & (~matched | ~(own > kth))  # outcome beyond the kept leaders
    if stats.with_bonus is not None:
        redo |= stats.with_bonus & (stats.n_feasible > 0)
    safe = np.where(matched, assignment, m)
    better = (top_v > own[:, None]) | ((top_v == own[:, None]) & (top_c < safe[:, None]))
    rank = np.where(matched, (better & (top_c >= 0)).sum(axis=1) + 1, 0)
    listed: dict[int, dict[int, int]] = {}
    prefs = scorer.cohort.preferences
    triples = zip(prefs.rows.tolist(), prefs.cols.tolist(), prefs.position.tolist(), strict=True)
    for r, c, p in triples:
        listed.setdefault(r, {})[c] = p
    # rows without a preference list, whose outcome lies within the kept leaders: at once
    simple = ~redo
    simple[list(listed)] = False
    present = top_c >= 0
    safe_c = np.where(present, top_c, 0)
    ws, wr = holders.worst_score[safe_c], holders.worst_row[safe_c]
    wants = holders.room[safe_c] | (top_v > ws) | ((top_v == ws) & (np.arange(n)[:, None] < wr))
    prefers = ~matched[:, None] | better
    blocking = int(np.count_nonzero((present & prefers & wants & (top_c != safe[:, None]))[simple]))
    redo_rows = np.flatnonzero(redo)
    for start in range(0, redo_rows.size, 64):  # outcomes beyond the kept leaders: full rows
        chunk = redo_rows[start : start + 64]
        values, reasons = scorer.rows(chunk)
        for k, i in enumerate(chunk.tolist()):
            cols = np.flatnonzero(reasons[k] == 0).astype(np.int64)
            vals = values[k][cols]
            j = int(assignment[i])
            if j >= 0:
                rank[i] = int(np.count_nonzero((vals > own[i]) | ((vals == own[i]) & (cols < j))))
                rank[i] += 1
            mine = listed.get(i, {})
            blocking += _row_blocking(i, cols, vals, j, float(own[i]), mine, holders)
    for i in np.flatnonzero(~simple & ~redo).tolist():  # rows with a preference list
        mine = listed[i]
        keep = top_c[i] >= 0
        cols, vals = top_c[i][keep], top_v[i][keep]
        extra = np.array([c for c in mine if c not in set(cols.tolist())], dtype=np.int64)
        if extra.size:  # listed leaders outside the kept ones
            ev, er = scorer.pairs(np.full(extra.size, i, dtype=np.int64), extra)
            cols = np.concatenate([cols, extra[er == 0]])
            vals = np.concatenate([vals, ev[er == 0]])
        blocking += _row_blocking(i, cols, vals, int(assignment[i]), float(own[i]), mine, holders)
    return Analysis(score, rank, stats.n_feasible.copy(), dict(stats.exclusions), blocking)


def _metrics(
    scorer: Scorer, assignment: IntArray, an: Analysis, capacity: IntArray
) -> dict[str, float | int]:
    n, m = scorer.shape
    matched = assignment >= 0
    s = an.score[matched]
    prefs = scorer.cohort.preferences
    has_list = prefs.length > 0
    pref_pos = np.zeros(n, dtype=np.int64)
    if len(prefs):
        hit = assignment[prefs.rows] == prefs.cols
        pref_pos[prefs.rows[hit]] = prefs.position[hit]
    n_list = int(has_list.sum())
    active = scorer.cohort.active
    cap_active = int(capacity[active].sum())
    load = np.bincount(assignment[matched], minlength=m)
    quart = np.quantile(s, [0.25, 0.5, 0.75]) if s.size else np.full(3, np.nan)
    unmatched = ~matched
    no_feasible = unmatched & (an.n_feasible == 0)
    out: dict[str, float | int] = {
        "n_participants": n,
        "n_peers": m,
        "n_matched": int(matched.sum()),
        "n_unmatched": int(unmatched.sum()),
        "match_rate": float(matched.mean()) if n else 0.0,
        "mean_score": float(s.mean()) if s.size else 0.0,
        "min_score": float(s.min()) if s.size else 0.0,
        "score_q1": float(quart[0]) if s.size else 0.0,
        "score_median": float(quart[1]) if s.size else 0.0,
        "score_q3": float(quart[2]) if s.size else 0.0,
        "max_score": float(s.max()) if s.size else 0.0,
        "total_score": float(s.sum()),
        "rank1_share": float((an.rank[matched] == 1).mean()) if s.size else 0.0,
        "n_with_preferences": n_list,
        "first_choice_share": float((pref_pos[has_list] == 1).mean()) if n_list else 0.0,
        "top3_choice_share": float(((pref_pos[has_list] >= 1) & (pref_pos[has_list] <= 3)).mean())
        if n_list
        else 0.0,
        "blocking_pairs": an.blocking_pairs,
        "unmatched_no_feasible_leader": int(no_feasible.sum()),
        "unmatched_capacity": int((unmatched & ~no_feasible).sum()),
        "leader_utilisation": float(load[active].sum() / cap_active) if cap_active else 0.0,
        "leaders_used": int((load > 0).sum()),
    }
    return out


def build_result(
    scorer: Scorer,
    assignment: IntArray,
    solver: str,
    *,
    capacity: IntArray | None = None,
    values: FloatArray | None = None,
    reasons: NDArray[np.int16] | None = None,
    extra_metrics: Mapping[str, float | int] | None = None,
    analysis: Analysis | None = None,
) -> MatchResult:
    """Assemble a :class:`MatchResult` from an assignment (row -> column or -1)."""
    from peermatch.matching._explain import Context

    co = scorer.cohort
    cap = co.capacity if capacity is None else capacity
    an = (
        analysis
        if analysis is not None
        else analyse(scorer, assignment, capacity=cap, values=values, reasons=reasons)
    )
    matched_rows = np.flatnonzero(assignment >= 0)
    contributions = _pair_contributions(scorer, matched_rows, assignment[matched_rows])
    pref_pos: dict[int, int] = {}
    prefs = co.preferences
    if len(prefs):
        hit = assignment[prefs.rows] == prefs.cols
        pref_pos = dict(zip(prefs.rows[hit].tolist(), prefs.position[hit].tolist(), strict=True))
    matches = tuple(
        Match(
            participant_id=co.p.ids[i],
            peer_id=co.l.ids[int(assignment[i])],
            score=float(an.score[i]),
            rank=int(an.rank[i]),
            contributions=contributions[k],
            preferred_rank=pref_pos.get(int(i)),
        )
        for k, i in enumerate(matched_rows.tolist())
    )
    unmatched = tuple(
        Unmatched(co.p.ids[i], "no_feasible_leader", an.exclusions.get(i, {}))
        if an.n_feasible[i] == 0
        else Unmatched(co.p.ids[i], "capacity", {"feasible_leaders": int(an.n_feasible[i])})
        for i in np.flatnonzero(assignment < 0).tolist()
    )
    load = np.bincount(assignment[assignment >= 0], minlength=co.l.n)
    peer_load = {
        lid: PeerLoad(lid, int(load[j]), int(cap[j]), bool(co.active[j]))
        for j, lid in enumerate(co.l.ids)
    }
    metrics = _metrics(scorer, assignment, an, cap)
    if extra_metrics:
        metrics.update(extra_metrics)
    manifest = Manifest(
        version=__version__,
        solver=solver,
        config_hash=co.config.config_hash(),
        input_hash=input_hash(co.participants, co.peers),
        n_participants=co.p.n,
        n_peers=co.l.n,
    )
    return MatchResult(
        matches=matches,
        unmatched=unmatched,
        peer_load=peer_load,
        metrics=metrics,
        manifest=manifest,
        config=co.config,
        _context=Context(scorer, assignment.copy(), cap.copy()),
    )


def _pair_contributions(scorer: Scorer, rows: IntArray, cols: IntArray) -> list[dict[str, float]]:
    """Per-criterion contributions of explicit pairs (they sum to each pair's score)."""
    co = scorer.cohort
    if rows.size == 0:
        return []
    from peermatch.scoring._criteria import both_given, similarity

    weights = []
    sims = []
    for k, (name, crit) in enumerate(co.criteria):
        a = co.p.fields[name].take(rows)
        b = co.l.fields[name].take(cols)
        given = both_given(a, b, outer=False)
        weights.append(np.where(given, crit.weight * co.multiplier[rows, k], 0.0))
        sims.append(np.where(given, similarity(crit, a, b, outer=False), 0.0))
    w = np.array(weights)
    s = np.array(sims)
    den = w.sum(axis=0)
    contrib = np.divide(w * s, den, out=np.zeros_like(w), where=den > 0)
    names = scorer.names
    return [
        {names[c]: float(contrib[c, k]) for c in range(len(names)) if w[c, k] > 0}
        for k in range(rows.size)
    ]


def solve_scored(
    scorer: Scorer,
    solver: str,
    *,
    capacity: IntArray | None = None,
    extra_metrics: Mapping[str, float | int] | None = None,
    fixed_bonus: tuple[IntArray, IntArray, FloatArray] | None = None,
    fixed: tuple[IntArray, IntArray] | None = None,
) -> MatchResult:
    """Run a solver on a scored cohort and build the result.

    ``fixed_bonus`` adds values to chosen pairs' objective (used by re-matching to favour
    working pairs); it never changes reported scores. ``fixed`` pairs ``(rows, cols)`` are kept
    as they are (re-matching with working pairs kept in place): the other rows are solved on
    the room the fixed pairs leave (``capacity`` counts them). ``hungarian`` on a large cohort
    works from blocks of rows either way, without the full score matrix.
    """
    co = scorer.cohort
    cap = np.asarray(co.capacity if capacity is None else capacity, dtype=np.int64)
    n, m = scorer.shape
    assignment = np.full(n, -1, dtype=np.int64)
    room = cap
    if fixed is not None:
        assignment[fixed[0]] = fixed[1]
        room = np.maximum(cap - np.bincount(fixed[1], minlength=m), 0)
    # balance spreads the places of a whole matching; with pairs kept in place it is not applied
    balance = check_balance(co.config.balance, solver) if fixed is None else 0.0
    if balance > 0:
        _check_balance_size(n, m, cap)
    elif solver == "hungarian" and use_sparse(n, m, room):
        return _solve_sparse(scorer, cap, extra_metrics, fixed_bonus, fixed)
    if n * m > DENSE_MAX_PAIRS:
        gb = n * m * 10 / 1e9
        raise InputError(
            [
                f"solver {solver!r} needs the full score matrix: {n:,} x {m:,} pairs would take "
                f"about {gb:.0f} GB; use 'hungarian' (which works from blocks of rows) or match "
                "a smaller cohort"
            ]
        )
    values, reasons = scorer.dense()
    objective = values
    if fixed_bonus is not None:
        objective = values.copy()
        objective[fixed_bonus[0], fixed_bonus[1]] += fixed_bonus[2]
    preferences = co.preferences
    free = np.flatnonzero(assignment < 0)
    if fixed is not None:  # solve the other rows only
        lists = co.preferences.lists()
        objective = np.ascontiguousarray(objective[free])
        preferences = Preferences.from_lists([lists[i] for i in free.tolist()], free.size, m)
    problem = ArrayProblem(
        values=objective,
        feasible=np.ascontiguousarray(reasons[free] == 0) if fixed is not None else reasons == 0,
        capacity=room,
        preferences=preferences,
        preference_bonus=co.config.preference_bonus,
    )
    assignment[free] = run_solver(solver, problem, balance=balance)
    return build_result(
        scorer,
        assignment,
        solver,
        capacity=cap,
        values=values,
        reasons=reasons,
        extra_metrics=extra_metrics,
    )


def _check_balance_size(n: int, m: int, capacity: IntArray) -> None:
    """``balance`` is solved on the capacity-expanded matrix: refuse one that does not fit."""
    places = int(np.minimum(capacity, n).sum())
    if n * places > DENSE_MAX_ENTRIES:
        raise InputError(
            [
                f"balance: evening out caseloads needs the capacity-expanded matrix of "
                f"{n:,} participants x {places:,} places, over the {DENSE_MAX_ENTRIES:,} entries "
                "it is available for; set balance = 0 for this cohort or match it in parts"
            ]
        )


def _solve_sparse(
    scorer: Scorer,
    capacity: IntArray,
    extra_metrics: Mapping[str, float | int] | None,
    fixed_bonus: tuple[IntArray, IntArray, FloatArray] | None,
    fixed: tuple[IntArray, IntArray] | None = None,
) -> MatchResult:
    """``hungarian`` from row blocks with a certificate (large cohorts).

    With ``fixed`` pairs, their rows are left out of the solve (every pair of theirs counts as
    not allowed) and the leaders' capacities reduced by them; the result's ranks and blocking
    pairs of those rows come from scoring them again, so they equal the dense path's.
    """
    co = scorer.cohort
    prefs = co.preferences
    rows, cols = prefs.rows, prefs.cols
    vals = prefs.bonus(co.config.preference_bonus)
    if fixed_bonus is not None:
        rows = np.concatenate([rows, fixed_bonus[0]])
        cols = np.concatenate([cols, fixed_bonus[1]])
        vals = np.concatenate([vals, fixed_bonus[2]])
    n, m = scorer.shape
    cap = np.asarray(capacity, dtype=np.int64)
    room, held = cap, None
    if fixed is not None:
        room = np.maximum(cap - np.bincount(fixed[1], minlength=m), 0)
        held = np.zeros(n, dtype=np.bool_)
        held[fixed[0]] = True
    if rows.size:
        key = rows * m + cols
        uniq, inv = np.unique(key, return_inverse=True)
        vals = np.bincount(inv.reshape(-1), weights=vals, minlength=uniq.size).astype(np.float64)
        rows, cols = uniq // m, uniq % m
    progress = _PROGRESS.get()
    assignment, stats, res = solve_sparse(
        scorer, room, (rows, cols, vals), progress=progress, held=held
    )
    if fixed is not None:
        assignment[fixed[0]] = fixed[1]
    if progress is not None:
        progress("results", 0, 1)
    an = analyse_from_stats(scorer, assignment, stats, cap)
    metrics: dict[str, float | int] = {
        "certified": int(res.certified),
        "gap_bound": float(res.gap_bound),
        "candidate_pairs": int(res.n_candidates),
        "certificate_rounds": int(res.rounds),
    }
    metrics.update(extra_metrics or {})
    if not res.certified:
        warn(
            OptimalityWarning(
                f"hungarian: {uncertified_message(res)}; the result's metrics say certified = 0 "
                "and give gap_bound"
            )
        )
    return build_result(
        scorer, assignment, "hungarian", capacity=cap, extra_metrics=metrics, analysis=an
    )


#: Largest score matrix (pairs) held in memory for the solvers that need all of it.
DENSE_MAX_PAIRS = 400_000_000

#: Progress callback of the running command line, if any: ``(phase, done, total)``.
_PROGRESS: contextvars.ContextVar[ProgressFn | None] = contextvars.ContextVar(
    "peermatch_progress", default=None
)


def match(
    participants: Iterable[Participant],
    peers: Iterable[PeerLeader],
    config: MatchConfig | None = None,
    *,
    solver: str | None = None,
) -> MatchResult:
    """Match participants with peer leaders.

    Parameters
    ----------
    participants : iterable of Participant
    peers : iterable of PeerLeader
    config : MatchConfig, optional
        Criteria, weights, hard rules, ``min_score``, ``preference_bonus`` and default solver
        (default: the ``participant_centred`` preset).
    solver : str, keyword-only, optional
        ``hungarian`` (default), ``stable``, ``maximin``, ``greedy`` or any registered solver;
        wins over ``config.solver``.

    Returns
    -------
    MatchResult
        Every participant either matched (to one leader) or unmatched with a reason; no leader
        over capacity; no excluded pair matched.

    Raises
    ------
    InputError
        Unknown solver, duplicate ids, or items that are not profiles.

    Warns
    -----
    OptimalityWarning
        Large cohorts (``docs/performance.md``): when ``hungarian``'s certificate stops at its
        round limit before proving the matching optimal. The matching is still valid;
        ``metrics["certified"]`` is 0 and ``metrics["gap_bound"]`` bounds the shortfall.

    Notes
    -----
    Profiles are processed in id order, so reordering the input rows does not change who is
    matched with whom; ties go to the smaller id. ``vetoes`` and ``preferred`` naming ids not
    in the given lists are ignored, so a program may match a subset of a cohort.
    """
    cfg = as_config(config)
    name = check_solver_name(solver if solver is not None else cfg.solver)
    scorer = build_scorer(participants, peers, cfg)
    return solve_scored(scorer, name)
