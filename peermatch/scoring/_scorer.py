"""Weighted similarity scores and feasibility for every pair (``docs/criteria.md``).

The score of a pair is the weighted mean of the similarities of the criteria both sides give::

    score = sum(w_c * m_c * s_c) / sum(w_c * m_c)    over criteria given on both sides

with ``w_c`` the criterion weight and ``m_c`` the participant's importance multiplier
(``high``/``must`` 2, ``normal`` 1, ``low`` 0.5, ``ignore`` 0). A pair with no comparable
criterion scores 0. Scores are computed in blocks of participant rows so that the full
``N × M`` matrix is only built when asked for (:func:`score`).

Examples
--------
>>> from peermatch import Participant, PeerLeader
>>> ps = [Participant(id="P1", age=40, languages="en", life_stage="retired")]
>>> ls = [PeerLeader(id="L1", age=40, languages="en", life_stage="retired"),
...       PeerLeader(id="L2", age=60, languages="fr", life_stage="retired")]
>>> sm = score(ps, ls)
>>> sm.values.round(3).tolist(), sm.feasible.tolist()
([[1.0, 0.6]], [[True, False]])
>>> sm.reason("P1", "L2")
'hard_criterion:languages'
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import NDArray

from peermatch.profiles._models import Participant, PeerLeader
from peermatch.scoring._config import IMPORTANCE_MULTIPLIER, Criterion, MatchConfig, as_config
from peermatch.scoring._criteria import both_given, similarity, weighted_similarity
from peermatch.scoring._encode import Cohort, FieldData, encode
from peermatch.scoring._feasibility import (
    FIRST_HARD,
    LEADER_INACTIVE,
    LEADER_NO_CAPACITY,
    PREVIOUSLY_ENDED,
    VETOED_BY_LEADER,
    VETOED_BY_PARTICIPANT,
    reason_names,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Block", "ScoreMatrix", "Scorer", "score"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: Tolerance when comparing a similarity with its ``pass_at``.
PASS_TOLERANCE = 1e-12

#: Bound on ``abs(approximate - exact)`` for :meth:`Scorer.approx_block`. Each float32 score is
#: a ratio of two sums of at most 18 non-negative terms, each term within a relative 2**-23 of
#: its exact value, so the ratio is within about 40 * 2**-24 < 3e-6 relative of the exact
#: score, itself in [0, 1]; 1e-5 leaves a wide margin.
APPROX_ERROR = 1e-5


@dataclass(frozen=True, slots=True)
class Block:
    """Scores of a block of participant rows against every leader."""

    start: int
    values: FloatArray
    reasons: NDArray[np.int16]
    components: dict[str, FloatArray] | None = None

    @property
    def feasible(self) -> BoolArray:
        """Pairs with no exclusion reason."""
        out: BoolArray = self.reasons == 0
        return out


#: Largest lookup table (rows x leaders) a criterion may use, in elements.
TABLE_BUDGET = 1 << 21

# Importance multipliers must be 0 or powers of two: then ``(s * w) * m == s * (w * m)``
# exactly, so a table of ``s * w`` scaled by ``m`` gives the same bits as direct evaluation.
assert all(m == 0 or math.frexp(m)[0] == 0.5 for m in IMPORTANCE_MULTIPLIER.values())


@dataclass
class _Plan:
    """How one criterion is evaluated: from a lookup table or directly."""

    k: int
    name: str
    crit: Criterion
    enforce: bool
    key: NDArray[np.int64] | None = None  # participant -> table row
    lkey: NDArray[np.int64] | None = None  # leader -> table column (None: one per leader)
    sw: FloatArray | None = None  # (K, M): s * w where given, else 0
    hard_fail: BoolArray | None = None  # (K, M): given and not passing
    not_passed: BoolArray | None = None  # (K, M): missing or not passing
    grouped: bool = False  # numerator comes from a joint group table


def _distinct(f: FieldData) -> tuple[FieldData, NDArray[np.int64]]:
    """Distinct values of a participant field and each participant's index among them."""
    if f.codes is not None:
        vals, inv = np.unique(f.codes, return_inverse=True)
        return FieldData(given=vals >= 0, codes=vals, levels=f.levels), inv.astype(np.int64)
    if f.numbers is not None:
        filled = np.where(f.given, f.numbers, -np.inf)
        vals, inv = np.unique(filled, return_inverse=True)
        given = np.isfinite(vals)
        nums = np.where(given, vals, np.nan)
        return FieldData(given=given, numbers=nums), inv.astype(np.int64)
    assert f.bits is not None and f.counts is not None
    words: NDArray[np.uint64]
    if f.bits.shape[1] == 1:
        flat, inv = np.unique(f.bits[:, 0], return_inverse=True)
        words = flat[:, None].astype(np.uint64)
    else:
        uniq, inv = np.unique(f.bits, axis=0, return_inverse=True)
        words = uniq.astype(np.uint64)
    counts = np.bitwise_count(words).sum(axis=1, dtype=np.int64)
    return FieldData(given=counts > 0, bits=words, counts=counts), inv.reshape(-1).astype(np.int64)


_LEVELS = np.array([0.0, 0.5, 1.0, 2.0])


def _compact(codes: NDArray[np.int64]) -> NDArray[np.int64]:
    """Renumber integer codes 0..K-1 in increasing order."""
    out: NDArray[np.int64] = np.unique(codes, return_inverse=True)[1].reshape(-1).astype(np.int64)
    return out


class Scorer:
    """Block-wise scoring engine over an encoded cohort (internal to the pipeline).

    Parameters
    ----------
    cohort : Cohort
        The encoded participants, leaders and configuration.

    Notes
    -----
    A criterion whose participants hold few distinct values is evaluated once per distinct
    value against every leader and stored as a lookup table; a block then gathers table rows
    instead of recomputing. Every number is the result of the same elementwise float64
    operations, in the same criterion order, whatever the block, so a pair's score does not
    depend on its row's position or on how rows are blocked.
    """

    def __init__(self, cohort: Cohort) -> None:
        self.cohort = cohort
        self.names: tuple[str, ...] = tuple(n for n, _ in cohort.criteria)
        self.reason_names = reason_names(self.names)
        m = cohort.l.n
        self._plans: list[_Plan] = []
        for k, (name, crit) in enumerate(cohort.criteria):
            enforce = bool(crit.hard or cohort.p.must[:, k].any() or cohort.l.must[:, k].any())
            if crit.weight <= 0 and not enforce:
                continue
            plan = _Plan(k, name, crit, enforce)
            pf, lf = cohort.p.fields[name], cohort.l.fields[name]
            if cohort.p.n:
                distinct, inv = _distinct(pf)
                kp = distinct.given.size
                right, lkey = lf, None
                if kp * max(m, 1) > TABLE_BUDGET and m:
                    right, lkey = _distinct(lf)
                if kp * right.given.size <= TABLE_BUDGET:
                    s = similarity(crit, distinct, right)
                    given = both_given(distinct, right)
                    plan.key, plan.lkey = inv, lkey
                    if crit.weight > 0:
                        plan.sw = np.where(given, s * crit.weight, 0.0)
                    if enforce:
                        passed = given & (s >= crit.threshold - PASS_TOLERANCE)
                        plan.not_passed = ~passed
                        plan.hard_fail = given & ~passed
            self._plans.append(plan)
        self._den_key, self._den_lkey, self._den_table = self._denominator_table()
        self._unit_mult = np.all(cohort.multiplier == 1.0, axis=0)
        self._groups = self._numerator_groups()
        self._f32_cache: dict[int, NDArray[Any]] = {}
        self._dense: tuple[FloatArray, NDArray[np.int16]] | None = None

    def _levels(self, k: int, given: BoolArray | None = None) -> NDArray[np.int64]:
        """Importance level index 0..3 (multiplier 0, 0.5, 1, 2) of each participant."""
        m = self.cohort.multiplier[:, k]
        if given is not None:
            m = m * given
        out: NDArray[np.int64] = np.searchsorted(_LEVELS, m).astype(np.int64)
        return out

    def _numerator_groups(self) -> list[tuple[NDArray[np.int64], FloatArray]]:
        """Merge tabled criteria into as few joint tables as the memory budget allows.

        A group's table holds, per distinct combination of its members' participant values
        and importance levels, ``sum((s_c * w_c) * m_c)`` over the members in order, so a
        block adds one gathered row per group instead of one per criterion.
        """
        co = self.cohort
        limit = max(TABLE_BUDGET // max(co.l.n, 1), 1)
        groups: list[tuple[list[_Plan], NDArray[np.int64]]] = []
        for plan in self._plans:
            if plan.sw is None or plan.key is None or plan.lkey is not None:
                continue
            col = _compact(plan.key * 4 + self._levels(plan.k))
            if groups:
                members, joint = groups[-1]
                trial = _compact(joint * (int(col.max()) + 1) + col)
                if int(trial.max()) < limit:
                    groups[-1] = ([*members, plan], trial)
                    continue
            groups.append(([plan], col))
        out = []
        for members, joint in groups:
            _, first = np.unique(joint, return_index=True)
            table = np.zeros((first.size, co.l.n), dtype=np.float64)
            for p in members:
                assert p.sw is not None and p.key is not None
                term = p.sw[p.key[first]]
                term *= co.multiplier[first, p.k][:, None]
                table += term
                p.grouped = True
            out.append((joint, table))
        return out

    def _denominator_table(
        self,
    ) -> tuple[NDArray[np.int64] | None, NDArray[np.int64] | None, FloatArray | None]:
        """``sum(w m)`` over criteria given on both sides, per pair of given-patterns.

        Participants with the same given fields and importance levels share a table row;
        leaders with the same given fields share a column. Entries are summed in criterion
        order, the order the direct evaluation uses.
        """
        co = self.cohort
        weighted = [p for p in self._plans if p.crit.weight > 0]
        if not weighted or co.p.n == 0 or co.l.n == 0:
            return None, None, None
        code = np.zeros(co.p.n, dtype=np.int64)
        lcode = np.zeros(co.l.n, dtype=np.int64)
        for p in weighted:
            code = code * 4 + self._levels(p.k, co.p.fields[p.name].given)
            lcode = lcode * 2 + co.l.fields[p.name].given
        key, lkey = _compact(code), _compact(lcode)
        _, first = np.unique(key, return_index=True)
        _, lfirst = np.unique(lkey, return_index=True)
        if first.size * lfirst.size > TABLE_BUDGET:
            return None, None, None
        table = np.zeros((first.size, lfirst.size), dtype=np.float64)
        for p in weighted:
            wm = p.crit.weight * (co.p.fields[p.name].given[first] * co.multiplier[first, p.k])
            table += wm[:, None] * co.l.fields[p.name].given[lfirst][None, :]
        return key, lkey, table

    @property
    def shape(self) -> tuple[int, int]:
        """``(n_participants, n_peers)``."""
        return self.cohort.shape

    def default_block_rows(self) -> int:
        """Rows per block that keep a block's arrays small enough to stay in cache."""
        return int(max(8, min(1024, (1 << 17) // max(self.shape[1], 1))))

    def block(self, start: int, stop: int, *, components: bool = False) -> Block:
        """Score participant rows ``start:stop`` against every leader."""
        values, reasons = self._evaluate(slice(start, stop), None)
        comps = self._components(slice(start, stop)) if components else None
        return Block(start, values, reasons, comps)

    def rows(self, rows: NDArray[np.int64]) -> tuple[FloatArray, NDArray[np.int16]]:
        """Scores and reason codes of the given participant rows against every leader.

        ``rows`` must be sorted and distinct; the numbers equal those of :meth:`block`.
        """
        r = np.asarray(rows, dtype=np.int64)
        if r.size > 1 and not np.all(np.diff(r) > 0):
            raise ValueError("rows must be sorted and distinct")
        return self._evaluate(r, None)

    def pairs(
        self, rows: NDArray[np.int64], cols: NDArray[np.int64]
    ) -> tuple[FloatArray, NDArray[np.int16]]:
        """Scores and reason codes of explicit pairs ``(rows[k], cols[k])``.

        The numbers equal those of :meth:`block` for the same pairs.
        """
        return self._evaluate(np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64))

    def _components(self, rows: slice) -> dict[str, FloatArray]:
        co = self.cohort
        out = {}
        for name, crit in co.criteria:
            a, lf = co.p.fields[name].take(rows), co.l.fields[name]
            out[name] = np.where(both_given(a, lf), similarity(crit, a, lf), np.nan)
        return out

    def approx_block(self, start: int, stop: int) -> tuple[NDArray[np.float32], BoolArray]:
        """Approximate float32 scores and the exact feasibility mask of rows ``start:stop``.

        For pre-selecting candidates only: ``abs(approx - exact) <= APPROX_ERROR`` for every
        pair (see :data:`APPROX_ERROR`), while the feasibility mask is exact except that, when
        ``min_score > 0``, pairs within ``APPROX_ERROR`` below it are kept as feasible.
        """
        values, allowed = self._evaluate(slice(start, stop), None, approx=True)
        return values.astype(np.float32, copy=False), allowed

    def _f32(self, table: NDArray[Any]) -> NDArray[Any]:
        if table.dtype != np.float64:
            return table
        key = id(table)
        cached = self._f32_cache.get(key)
        if cached is None:
            cached = table.astype(np.float32)
            self._f32_cache[key] = cached
        return cached

    def _evaluate(
        self,
        rows: slice | NDArray[np.int64],
        cols: NDArray[np.int64] | None,
        *,
        approx: bool = False,
    ) -> tuple[NDArray[Any], NDArray[Any]]:
        """Score rows against every leader (``cols`` None) or explicit pairs.

        Exact mode returns float64 values and int16 reason codes; ``approx`` mode returns
        float32 values and a boolean feasibility mask.
        """
        co = self.cohort
        outer = cols is None
        lcols: slice | NDArray[np.int64] = slice(None) if cols is None else cols
        mult = co.multiplier[rows]
        b = mult.shape[0]
        shape: tuple[int, ...] = (b, co.l.n) if outer else (b,)
        dtype = np.float32 if approx else np.float64

        def gather(
            table: NDArray[Any], key: NDArray[np.int64], lkey: NDArray[np.int64] | None = None
        ) -> NDArray[Any]:
            if approx:
                table = self._f32(table)
            if outer:
                part = table[key[rows]]
                return part if lkey is None else np.take(part, lkey, axis=1)
            return table[key[rows], lcols if lkey is None else lkey[lcols]]

        def per_row(x: NDArray[Any]) -> NDArray[Any]:
            return x[:, None] if outer else x

        num = np.zeros(shape, dtype=dtype)
        for g, (key, table) in enumerate(self._groups):
            if g == 0:
                num = gather(table, key)
            else:
                num += gather(table, key)
        manual_den = False
        if self._den_table is not None and self._den_key is not None:
            den = gather(self._den_table, self._den_key, self._den_lkey)
        else:
            den = np.zeros(shape, dtype=dtype)
            manual_den = True
        fails: list[BoolArray | None] = [None] * len(co.criteria)
        for plan in self._plans:
            k, crit = plan.k, plan.crit
            m_rows = mult[:, k]
            unit = bool(self._unit_mult[k]) or bool(np.all(m_rows == 1.0))
            s = given = None
            direct = plan.key is None
            if direct or (crit.weight > 0 and manual_den):
                a = co.p.fields[plan.name].take(rows)
                lf = co.l.fields[plan.name] if outer else co.l.fields[plan.name].take(lcols)
                if manual_den or (direct and plan.enforce):
                    given = both_given(a, lf, outer)
                if direct and plan.enforce:
                    s = similarity(crit, a, lf, outer=outer)
            if crit.weight > 0:
                if not plan.grouped:
                    if not direct:
                        assert plan.sw is not None and plan.key is not None
                        term = gather(plan.sw, plan.key, plan.lkey)
                    elif s is not None and given is not None:
                        term = s * crit.weight
                        term *= given
                    else:
                        term = weighted_similarity(crit, a, lf, outer=outer)
                    if term.dtype != dtype:
                        term = term.astype(dtype)
                    if not unit:
                        term *= per_row(m_rows.astype(dtype))
                    num += term
                if manual_den:
                    assert given is not None
                    den += given * per_row((crit.weight * m_rows).astype(dtype))
            if plan.enforce:
                if plan.key is not None and plan.not_passed is not None:
                    assert plan.hard_fail is not None
                    not_passed = gather(plan.not_passed, plan.key, plan.lkey)
                    hard = gather(plan.hard_fail, plan.key, plan.lkey) if crit.hard else None
                else:
                    assert s is not None and given is not None
                    not_passed = ~(given & (s >= crit.threshold - PASS_TOLERANCE))
                    hard = given & not_passed if crit.hard else None
                fail = np.zeros(shape, dtype=np.bool_) if hard is None else hard
                p_must = co.p.must[rows, k]
                l_must = co.l.must[lcols, k]
                if p_must.any() or l_must.any():
                    lm = l_must[None, :] if outer else l_must
                    fail = fail | ((per_row(p_must) | lm) & not_passed)
                fails[k] = fail
        with np.errstate(invalid="ignore", divide="ignore"):
            values = np.divide(num, den, out=num)
        values[den <= 0] = 0
        if approx:
            return values, self._allowed(values, fails, rows)
        return values, self._reasons(values, fails, rows, cols)

    def _allowed(
        self, values: NDArray[Any], fails: list[BoolArray | None], rows: slice | NDArray[np.int64]
    ) -> BoolArray:
        """Feasibility mask of a block (approximate mode), including leaders' room."""
        co = self.cohort
        ok = np.ones(values.shape, dtype=np.bool_)
        ok[:, ~(co.active & (co.capacity > 0))] = False
        for fail in fails:
            if fail is not None:
                ok &= ~fail
        if co.config.min_score > 0:
            ok &= values >= co.config.min_score - APPROX_ERROR
        assert isinstance(rows, slice)
        start, stop = rows.start or 0, rows.stop
        for vr, vc in (co.blocked, co.veto_l, co.veto_p):
            sel = (vr >= start) & (vr < stop)
            ok[vr[sel] - start, vc[sel]] = False
        return ok

    def _reasons(
        self,
        values: FloatArray,
        fails: list[BoolArray | None],
        rows: slice | NDArray[np.int64],
        cols: NDArray[np.int64] | None,
    ) -> NDArray[np.int16]:
        """First exclusion reason of every pair (the rules of :mod:`peermatch.scoring`)."""
        co = self.cohort
        code = np.zeros(values.shape, dtype=np.int16)
        if co.config.min_score > 0:
            code[values < co.config.min_score] = FIRST_HARD + len(fails)
        for k in range(len(fails) - 1, -1, -1):
            fail = fails[k]
            if fail is not None:
                code[fail] = FIRST_HARD + k
        for mask, value in (
            (co.capacity <= 0, LEADER_NO_CAPACITY),
            (~co.active, LEADER_INACTIVE),
        ):
            if cols is None:
                code[:, np.flatnonzero(mask)] = value
            else:
                code[mask[cols]] = value
        for (vr, vc), value in (
            (co.blocked, PREVIOUSLY_ENDED),
            (co.veto_l, VETOED_BY_LEADER),
            (co.veto_p, VETOED_BY_PARTICIPANT),
        ):
            if vr.size == 0:
                continue
            if isinstance(rows, slice):
                start, stop = rows.start or 0, rows.stop
                sel = (vr >= start) & (vr < stop)
                code[vr[sel] - start, vc[sel]] = value
            elif cols is None:  # given rows (sorted, distinct) against every leader
                pos = np.minimum(np.searchsorted(rows, vr), max(rows.size - 1, 0))
                sel = rows[pos] == vr if rows.size else np.zeros(vr.size, dtype=np.bool_)
                code[pos[sel], vc[sel]] = value
            else:
                m = co.l.n
                code[np.isin(rows * m + cols, vr * m + vc)] = value
        return code

    def dense(self) -> tuple[FloatArray, NDArray[np.int16]]:
        """Every pair's score and reason code as full arrays (computed once, then reused)."""
        if self._dense is None:
            m = self.shape[1]
            blocks = list(self.blocks())
            values = np.concatenate([b.values for b in blocks]) if blocks else np.zeros((0, m))
            reasons = (
                np.concatenate([b.reasons for b in blocks])
                if blocks
                else np.zeros((0, m), dtype=np.int16)
            )
            values.flags.writeable = False
            reasons.flags.writeable = False
            self._dense = (values, reasons)
        return self._dense

    def blocks(self, block_rows: int | None = None, *, components: bool = False) -> Iterator[Block]:
        """Iterate over row blocks covering every participant."""
        n = self.shape[0]
        step = self.default_block_rows() if block_rows is None else block_rows
        for start in range(0, n, step):
            yield self.block(start, min(n, start + step), components=components)

    def contributions(self, i: int) -> dict[str, FloatArray]:
        """Per-criterion contribution of participant ``i`` to each leader's score.

        ``contributions[c][j] = w_c m_c s_c / sum(w m)`` over the criteria given on both sides;
        they sum to the pair's score.
        """
        co = self.cohort
        blk = self.block(i, i + 1, components=True)
        assert blk.components is not None
        weights = {}
        for k, (name, crit) in enumerate(co.criteria):
            s = blk.components[name][0]
            weights[name] = np.where(np.isnan(s), 0.0, crit.weight * co.multiplier[i, k])
        den = np.sum(list(weights.values()), axis=0) if weights else np.zeros(co.l.n)
        out = {}
        for name in weights:
            s = np.nan_to_num(blk.components[name][0])
            out[name] = np.divide(weights[name] * s, den, out=np.zeros_like(den), where=den > 0)
        return out


@dataclass(frozen=True)
class ScoreMatrix:
    """Scores and feasibility of every (participant, leader) pair.

    Attributes
    ----------
    values : ndarray of float64, shape (n_participants, n_peers)
        Pair scores in [0, 1] (rows and columns in id order).
    feasible : ndarray of bool, same shape
        Pairs that may be matched.
    reasons : ndarray of int16, same shape
        0 for feasible pairs, else the code of the first exclusion reason (see
        :attr:`reason_names`).
    reason_names : tuple of str
        Name of each reason code.
    participant_ids, peer_ids : tuple of str
        Row and column labels.
    criteria : tuple of str
        The criteria compared, in configuration order.
    components : dict of str to ndarray, optional
        Per criterion, the similarity of every pair (``NaN`` where a side gives no value);
        present when requested.
    """

    values: FloatArray
    feasible: BoolArray
    reasons: NDArray[np.int16]
    reason_names: tuple[str, ...]
    participant_ids: tuple[str, ...]
    peer_ids: tuple[str, ...]
    criteria: tuple[str, ...]
    components: dict[str, FloatArray] | None = None
    _index: dict[str, dict[str, int]] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._index["p"] = {pid: i for i, pid in enumerate(self.participant_ids)}
        self._index["l"] = {lid: j for j, lid in enumerate(self.peer_ids)}

    @property
    def shape(self) -> tuple[int, int]:
        """``(n_participants, n_peers)``."""
        return (len(self.participant_ids), len(self.peer_ids))

    def _ij(self, participant_id: str, peer_id: str) -> tuple[int, int]:
        try:
            return self._index["p"][participant_id], self._index["l"][peer_id]
        except KeyError as exc:
            raise KeyError(f"unknown id {exc.args[0]!r}") from None

    def get(self, participant_id: str, peer_id: str) -> float:
        """Score of one pair."""
        i, j = self._ij(participant_id, peer_id)
        return float(self.values[i, j])

    def reason(self, participant_id: str, peer_id: str) -> str:
        """``"feasible"`` or the first reason the pair is excluded."""
        i, j = self._ij(participant_id, peer_id)
        return self.reason_names[int(self.reasons[i, j])]

    def exclusion_counts(self, participant_id: str) -> dict[str, int]:
        """How many leaders each reason excludes for one participant (first reason only)."""
        i = self._index["p"][participant_id]
        counts = np.bincount(self.reasons[i], minlength=len(self.reason_names))
        return {self.reason_names[k]: int(c) for k, c in enumerate(counts) if k and c}

    def to_pandas(
        self, form: Literal["long", "wide"] = "long", *, mask_infeasible: bool = False
    ) -> pd.DataFrame:
        """The scores as a :class:`pandas.DataFrame` (needs the ``pandas`` extra).

        Parameters
        ----------
        form : {"long", "wide"}
            ``"long"`` (default): one row per pair, participant-major in id order, with
            columns ``participant_id``, ``peer_id``, ``score``, ``feasible`` and ``reason``
            (``"feasible"`` or the first exclusion reason), plus one ``similarity_<criterion>``
            column per criterion when the matrix holds components (NaN where a side gives no
            value). ``"wide"``: the ``n_participants × n_peers`` score table, indexed by
            ``participant_id`` with one column per ``peer_id``.
        mask_infeasible : bool, keyword-only
            Put NaN instead of the score of infeasible pairs.

        Raises
        ------
        ImportError
            If pandas is not installed (``pip install 'peermatch[pandas]'``).
        ValueError
            If ``form`` is not ``"long"`` or ``"wide"``.
        """
        from peermatch.scoring._view import scores_to_pandas

        return scores_to_pandas(self, form=form, mask_infeasible=mask_infeasible)

    def _repr_html_(self) -> str:
        from peermatch.scoring._view import scores_html

        return scores_html(self)

    def __repr__(self) -> str:
        n, m = self.shape
        feas = int(self.feasible.sum())
        return (
            f"<ScoreMatrix {n} participants x {m} peer leaders, {feas} feasible pairs"
            f" ({feas / max(n * m, 1):.0%}), criteria: {', '.join(self.criteria)}>"
        )


def _as_list(items: Iterable[Any], cls: type, what: str) -> list[Any]:
    from peermatch.errors import InputError, Problem
    from peermatch.profiles._tabular import frame_profiles, is_frame

    if is_frame(items):  # a pandas DataFrame with one column per field
        kind = "participant" if cls is Participant else "peer"
        return frame_profiles(items, kind, f"{what} DataFrame")
    out = list(items)
    bad = [k for k, x in enumerate(out, start=1) if not isinstance(x, cls)]
    if bad:
        raise InputError(
            [Problem(None, k, None, f"expected a {cls.__name__} in {what}") for k in bad[:20]]
        )
    return out


def build_scorer(
    participants: Iterable[Participant],
    peers: Iterable[PeerLeader],
    config: MatchConfig | None = None,
    *,
    capacity: Any = None,
    blocked: Iterable[tuple[str, str]] = (),
) -> Scorer:
    """Validate the profile lists, encode them and return the scoring engine.

    ``capacity`` (per leader, id order) replaces the leaders' own capacities; ``blocked``
    pairs ``(participant_id, peer_id)`` are excluded as ``previously_ended``.
    """
    ps = _as_list(participants, Participant, "participants")
    ls = _as_list(peers, PeerLeader, "peers")
    cfg = as_config(config)
    return Scorer(encode(ps, ls, cfg, capacity=capacity, blocked=blocked))


def score(
    participants: Iterable[Participant],
    peers: Iterable[PeerLeader],
    config: MatchConfig | None = None,
    *,
    components: bool = False,
) -> ScoreMatrix:
    """Score every (participant, leader) pair and decide its feasibility.

    Parameters
    ----------
    participants : iterable of Participant
    peers : iterable of PeerLeader
    config : MatchConfig, optional
        Default: the ``participant_centred`` preset.
    components : bool, keyword-only
        Also return each criterion's similarity for every pair (memory grows with the number
        of criteria).

    Returns
    -------
    ScoreMatrix
        Rows are participants and columns leaders, both in id order.

    Raises
    ------
    InputError
        If an id repeats on one side or an item is not a profile.

    Notes
    -----
    Every comparator is vectorised over all pairs with numpy; the work is
    :math:`O(N M C)` for ``C`` criteria, done in blocks of rows.
    """
    scorer = build_scorer(participants, peers, config)
    m = scorer.shape[1]
    blocks = list(scorer.blocks(components=components))
    values = np.concatenate([b.values for b in blocks]) if blocks else np.zeros((0, m))
    reasons = (
        np.concatenate([b.reasons for b in blocks]) if blocks else np.zeros((0, m), dtype=np.int16)
    )
    comps = None
    if components:
        comps = {
            name: (
                np.concatenate([b.components[name] for b in blocks if b.components is not None])
                if blocks
                else np.zeros((0, m))
            )
            for name in scorer.names
        }
    return ScoreMatrix(
        values=values,
        feasible=reasons == 0,
        reasons=reasons,
        reason_names=scorer.reason_names,
        participant_ids=scorer.cohort.p.ids,
        peer_ids=scorer.cohort.l.ids,
        criteria=scorer.names,
        components=comps,
    )
