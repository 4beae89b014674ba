"""Weighted similarity scores and feasibility for every pair (SPEC §3, §4).

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

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import NDArray

from peermatch._encode import Cohort, encode
from peermatch.config import MatchConfig
from peermatch.criteria import both_given, similarity
from peermatch.feasibility import first_reasons, reason_names
from peermatch.models import Participant, PeerLeader

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Block", "ScoreMatrix", "Scorer", "score"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: Tolerance when comparing a similarity with its ``pass_at``.
PASS_TOLERANCE = 1e-12


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


class Scorer:
    """Block-wise scoring engine over an encoded cohort (internal to the pipeline).

    Parameters
    ----------
    cohort : Cohort
        The encoded participants, leaders and configuration.
    """

    def __init__(self, cohort: Cohort) -> None:
        self.cohort = cohort
        self.names: tuple[str, ...] = tuple(n for n, _ in cohort.criteria)
        self.reason_names = reason_names(self.names)
        self._must_any_p: BoolArray = np.asarray(cohort.p.must.any(axis=0), dtype=np.bool_)
        self._must_any_l: BoolArray = np.asarray(cohort.l.must.any(axis=0), dtype=np.bool_)

    @property
    def shape(self) -> tuple[int, int]:
        """``(n_participants, n_peers)``."""
        return self.cohort.shape

    def block(self, start: int, stop: int, *, components: bool = False) -> Block:
        """Score participant rows ``start:stop`` against every leader."""
        values, reasons, comps = self._evaluate(slice(start, stop), None, components)
        return Block(start, values, reasons, comps)

    def pairs(
        self, rows: NDArray[np.int64], cols: NDArray[np.int64]
    ) -> tuple[FloatArray, NDArray[np.int16]]:
        """Scores and reason codes of explicit pairs ``(rows[k], cols[k])``.

        The numbers equal those of :meth:`block` for the same pairs.
        """
        values, reasons, _ = self._evaluate(
            np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64), False
        )
        return values, reasons

    def _evaluate(
        self,
        rows: slice | NDArray[np.int64],
        cols: NDArray[np.int64] | None,
        components: bool,
    ) -> tuple[FloatArray, NDArray[np.int16], dict[str, FloatArray] | None]:
        """Score rows against every leader (``cols`` None) or explicit pairs."""
        co = self.cohort
        outer = cols is None
        lcols: slice | NDArray[np.int64] = slice(None) if cols is None else cols
        mult = co.multiplier[rows]
        p_must_all: BoolArray = co.p.must[rows]
        l_must_all: BoolArray = co.l.must[lcols]
        b = mult.shape[0]
        shape: tuple[int, ...] = (b, co.l.n) if outer else (b,)
        num = np.zeros(shape, dtype=np.float64)
        den = np.zeros(shape, dtype=np.float64)
        fails: list[BoolArray | None] = []
        comps: dict[str, FloatArray] | None = {} if components else None
        for k, (name, crit) in enumerate(co.criteria):
            a = co.p.fields[name].take(rows)
            lf = co.l.fields[name] if outer else co.l.fields[name].take(lcols)
            s = similarity(crit, a, lf, outer=outer)
            given = both_given(a, lf, outer)
            if crit.weight > 0:
                wm = crit.weight * mult[:, k]
                w = given * (wm[:, None] if outer else wm)
                num += s * w
                den += w
            fail: BoolArray | None = None
            p_must: BoolArray = p_must_all[:, k]
            l_must: BoolArray = l_must_all[:, k]
            if (
                crit.hard
                or (self._must_any_p[k] and p_must.any())
                or (self._must_any_l[k] and l_must.any())
            ):
                not_passed = ~(given & (s >= crit.threshold - PASS_TOLERANCE))
                fail = np.zeros(shape, dtype=np.bool_)
                if crit.hard:
                    fail |= given & not_passed
                pm = p_must[:, None] if outer else p_must
                lm = l_must[None, :] if outer else l_must
                fail |= (pm | lm) & not_passed
            fails.append(fail)
            if comps is not None:
                comps[name] = np.where(given, s, np.nan)
        values = np.divide(num, den, out=np.zeros_like(num), where=den > 0)
        veto_p = self._veto_mask(co.veto_p, rows, cols, shape)
        veto_l = self._veto_mask(co.veto_l, rows, cols, shape)
        ended = self._veto_mask(co.blocked, rows, cols, shape)
        cap = co.capacity[lcols] <= 0
        inactive = ~co.active[lcols]
        reasons = first_reasons(
            shape,
            vetoed_by_participant=veto_p,
            vetoed_by_leader=veto_l,
            previously_ended=ended,
            leader_inactive=inactive[None, :] if outer else inactive,
            leader_no_capacity=cap[None, :] if outer else cap,
            hard_fail=fails,
            below_min=values < co.config.min_score,
        )
        return values, reasons, comps

    def _veto_mask(
        self,
        pairs: tuple[NDArray[np.int64], NDArray[np.int64]],
        rows: slice | NDArray[np.int64],
        cols: NDArray[np.int64] | None,
        shape: tuple[int, ...],
    ) -> BoolArray:
        vr, vc = pairs
        mask = np.zeros(shape, dtype=np.bool_)
        if vr.size == 0:
            return mask
        m = self.cohort.l.n
        if isinstance(rows, slice):
            start, stop = rows.start or 0, rows.stop
            sel = (vr >= start) & (vr < stop)
            mask[vr[sel] - start, vc[sel]] = True
            return mask
        assert cols is not None
        keys = np.sort(vr * m + vc)
        return np.isin(rows * m + cols, keys)

    def blocks(self, block_rows: int = 1024, *, components: bool = False) -> Iterator[Block]:
        """Iterate over row blocks covering every participant."""
        n = self.shape[0]
        for start in range(0, n, block_rows):
            yield self.block(start, min(n, start + block_rows), components=components)

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
        from peermatch._display import scores_to_pandas

        return scores_to_pandas(self, form=form, mask_infeasible=mask_infeasible)

    def _repr_html_(self) -> str:
        from peermatch._display import scores_html

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
    cfg = MatchConfig() if config is None else config
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
