r"""Shortlists: the few best leaders a participant may choose from (``docs/choice.md``).

Participants who choose their own peer leader report more agency. A shortlist gives each
participant the ``k`` best feasible leaders that still have spare capacity, best first, each
with its score, a few reasons in plain words and a *leader card* built only from fields the
leader shares. The participant ranks the leaders they like; their choices come back as the
``preferred`` column and ``match(..., solver="stable")`` honours them (see ``docs/choice.md``).

Exposure cap
------------
Without a limit, a popular leader would appear on almost every list, and most participants
would then compete for the same few places. Each leader therefore appears on at most

.. math:: \lceil \text{exposure} \cdot k \cdot \text{spare} \rceil

lists, where ``spare`` is its capacity minus its current participants. With the default
``exposure = 2`` and ``k = 3``, a leader with two free places is shown to at most 12
participants: if each picked evenly among their three candidates, about four would pick it
first — twice its room. ``exposure=None`` removes the cap.

The cap is applied first, then each list holds the ``k`` best leaders that remain. Lists are
filled in ``k`` rounds; in each round every participant, fewest feasible options first (ties
by id), takes its best leader (score, then id) that is not yet on its list and has not reached
its cap. So everyone gets a first candidate before anyone gets a second, and participants with
few options pick before those with many. If, in the first round, every feasible leader of a
participant has reached its cap, the cap is relaxed for that participant alone: its list holds
its single best feasible leader (marked ``relaxed``). Hence every participant with at least one
feasible leader with spare room gets a non-empty list, and only those participants can exceed a
leader's cap.

Leader cards
------------
By default a card shows :data:`DEFAULT_CARD_FIELDS`: age, sex, languages, life stage, activity
level, diet, interests, years with diabetes, treatments, glucose monitoring, support goals
offered, contact modes and frequency, communication style and availability. It never shows,
unless asked for by name, :data:`PRIVATE_FIELDS`: ``hba1c`` and ``complications`` (health
details), ``region`` (where the leader lives), ``importance`` (the leader's own rules),
``capacity`` and ``active`` (programme internals). ``vetoes`` (other people's ids) can never be
on a card. Reasons are drawn only from criteria whose field is on the card, so a reason never
reveals a hidden field either.

Examples
--------
>>> from peermatch import Participant, PeerLeader
>>> ps = [Participant(id="P1", age=62, languages="en", life_stage="retired"),
...       Participant(id="P2", age=35, languages="en", life_stage="student")]
>>> ls = [PeerLeader(id="L1", age=65, languages="en", life_stage="retired", hba1c=7.1),
...       PeerLeader(id="L2", age=31, languages="en", life_stage="student"),
...       PeerLeader(id="L3", age=50, languages="fr")]
>>> lists = shortlist(ps, ls, k=2)
>>> [(c.rank, c.peer_id, round(c.score, 3)) for c in lists["P1"]]
[(1, 'L1', 0.97), (2, 'L2', 0.2)]
>>> lists["P1"][0].reasons
('life stage: shared retired', 'languages: shared en', 'age: 62 vs 65')
>>> lists["P1"][0].card["age"], "hba1c" in lists["P1"][0].card
(65, False)
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from peermatch._core.checks import check_whole_number
from peermatch._core.order import best_first
from peermatch._core.text import did_you_mean, shown
from peermatch._version import __version__
from peermatch.errors import InputError, Problem
from peermatch.matching._results import MatchResult, Unmatched
from peermatch.profiles._models import Participant, PeerLeader
from peermatch.scoring._config import MatchConfig, as_config
from peermatch.scoring._scorer import Scorer, _as_list, build_scorer

__all__ = [
    "DEFAULT_CARD_FIELDS",
    "DEFAULT_EXPOSURE",
    "PRIVATE_FIELDS",
    "SHORTLIST_COLUMNS",
    "Candidate",
    "Shortlists",
    "allocate",
    "exposure_limits",
    "open_places",
    "shortlist",
]

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: Leader fields shown on a card by default, in this order.
DEFAULT_CARD_FIELDS: tuple[str, ...] = (
    "age",
    "sex",
    "languages",
    "life_stage",
    "activity_level",
    "diet",
    "interests",
    "diabetes_years",
    "treatments",
    "glucose_monitoring",
    "support_goals",
    "contact_modes",
    "contact_frequency",
    "communication_style",
    "availability",
)

#: Leader fields kept off cards unless named in ``card_fields``.
PRIVATE_FIELDS: frozenset[str] = frozenset(
    {"hba1c", "complications", "region", "importance", "capacity", "active"}
)

#: Fields that can never be on a card: ``id`` is the candidate's ``peer_id``; ``vetoes`` names
#: other people.
_NEVER_ON_CARD = frozenset({"id", "vetoes"})

#: Default exposure factor: a leader appears on at most ``ceil(2 * k * spare)`` lists.
DEFAULT_EXPOSURE = 2.0

#: Reasons given per candidate.
REASONS_PER_CANDIDATE = 3

#: First columns of the shortlist CSV (``docs/choice.md``); the card columns follow.
SHORTLIST_COLUMNS = ("participant_id", "rank", "peer_id", "score", "reasons")

#: Separator of the reasons inside one CSV cell (a reason may itself hold ``;`` and ``,``).
REASON_SEPARATOR = " | "


@dataclass(frozen=True, slots=True)
class Candidate:
    """One leader on a participant's shortlist.

    Attributes
    ----------
    peer_id : str
    score : float
        The pair's similarity (unrounded), as in :class:`~peermatch.ScoreMatrix`.
    rank : int
        Position on the list (1 = first).
    reasons : tuple of str
        The criteria contributing most to the score, in plain words (shareable fields only).
    card : mapping of str to object
        The leader's shareable fields (JSON-ready values: sets as sorted lists; ``None`` when
        the leader gave no value).
    relaxed : bool
        True when the leader was listed beyond its exposure cap because the list would
        otherwise be empty.
    criteria : tuple of str
        The criteria behind ``reasons``, in the same order (what phone scripts put in words).
    """

    peer_id: str
    score: float
    rank: int
    reasons: tuple[str, ...]
    card: Mapping[str, Any] = field(default_factory=dict)
    relaxed: bool = False
    criteria: tuple[str, ...] = ()


class Shortlists(dict[str, list[Candidate]]):
    """Every participant's shortlist: ``participant_id -> [Candidate, ...]``, best first.

    A plain ``dict`` in participant-id order (participants with no candidate map to an empty
    list) that also records how the lists were made.

    Attributes
    ----------
    k : int
        Longest list.
    exposure : float or None
        Exposure factor (None: no cap).
    card_fields : tuple of str
        Leader fields on each card.
    spare : dict of str to int
        Each leader's spare places: capacity minus current participants.
    limits : dict of str to int
        Most lists each leader may appear on (``ceil(exposure * k * spare)``, 0 for paused
        or full leaders; the number of participants when there is no cap).
    appearances : dict of str to int
        How many lists each leader is on.
    relaxed : tuple of str
        Participants whose only candidate was listed beyond its leader's cap.
    empty : dict of str to Unmatched
        Participants with an empty list and why (``no_feasible_leader`` with the count of each
        exclusion reason; a full leader counts as ``leader_no_capacity``).
    config_hash, input_hash : str
        As in a match result's manifest.
    """

    def __init__(
        self,
        lists: Mapping[str, list[Candidate]],
        *,
        k: int,
        exposure: float | None,
        card_fields: tuple[str, ...],
        spare: dict[str, int],
        limits: dict[str, int],
        appearances: dict[str, int],
        relaxed: tuple[str, ...] = (),
        empty: dict[str, Unmatched] | None = None,
        config_hash: str = "",
        inputs: tuple[Sequence[Participant], Sequence[PeerLeader]] = ((), ()),
    ) -> None:
        super().__init__(lists)
        self.k = k
        self.exposure = exposure
        self.card_fields = card_fields
        self.spare = spare
        self.limits = limits
        self.appearances = appearances
        self.relaxed = relaxed
        self.empty = {} if empty is None else empty
        self.config_hash = config_hash
        self._inputs = inputs
        self._input_hash: str | None = None

    def _attributes(self) -> dict[str, Any]:
        return {
            "k": self.k,
            "exposure": self.exposure,
            "card_fields": self.card_fields,
            "spare": dict(self.spare),
            "limits": dict(self.limits),
            "appearances": dict(self.appearances),
            "relaxed": self.relaxed,
            "empty": dict(self.empty),
            "config_hash": self.config_hash,
            "inputs": self._inputs,
        }

    def copy(self) -> Shortlists:
        """A shallow copy that keeps how the lists were made (``k``, ``exposure``, ...)."""
        out = type(self)({pid: list(c) for pid, c in self.items()}, **self._attributes())
        out._input_hash = self._input_hash
        return out

    __copy__ = copy

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_shortlists, (dict(self), self._attributes()))

    @property
    def input_hash(self) -> str:
        """SHA-256 of the profiles, as in a match result's manifest (computed on first use)."""
        if self._input_hash is None:
            from peermatch.matching._match import input_hash

            self._input_hash = input_hash(*self._inputs)
        return self._input_hash

    def preferred(self) -> dict[str, tuple[str, ...]]:
        """Each participant's candidate ids in list order (a ready ``preferred`` value)."""
        return {pid: tuple(c.peer_id for c in cands) for pid, cands in self.items()}

    def fill_preferred(
        self, participants: Iterable[Participant], *, replace: bool = False
    ) -> list[Participant]:
        """Copies of the participants with ``preferred`` set from their shortlist order.

        Parameters
        ----------
        participants : iterable of Participant
            In any order; the copies keep it.
        replace : bool, keyword-only
            Also overwrite a ``preferred`` list a participant already has (default: keep it,
            so that choices already entered are never lost).

        Returns
        -------
        list of Participant
            Participants not in the shortlists, or with an empty list, are returned unchanged.
        """
        ranked = self.preferred()
        out = []
        for p in participants:
            ids = ranked.get(p.id)
            if ids and (replace or not p.preferred):
                p = p.model_copy(update={"preferred": ids})
            out.append(p)
        return out

    # export --------------------------------------------------------------------------------
    def to_records(self) -> list[dict[str, Any]]:
        """One row per candidate (the shortlist CSV's rows), in participant-id then rank order.

        A participant with an empty list has one row with empty ``rank``, ``peer_id`` and
        ``score`` and the reason in ``reasons``. Card values follow the fixed columns.
        """
        rows: list[dict[str, Any]] = []
        blank = dict.fromkeys(self.card_fields)
        for pid, cands in self.items():
            if not cands:
                un = self.empty.get(pid)
                reason = f"{un.reason}: {un.text}" if un is not None else ""
                rows.append(
                    {
                        "participant_id": pid,
                        "rank": None,
                        "peer_id": None,
                        "score": None,
                        "reasons": reason,
                        **blank,
                    }
                )
                continue
            for c in cands:
                rows.append(
                    {
                        "participant_id": pid,
                        "rank": c.rank,
                        "peer_id": c.peer_id,
                        "score": c.score,
                        "reasons": REASON_SEPARATOR.join(c.reasons),
                        **c.card,
                    }
                )
        return rows

    def to_csv(self, path: str | Path | None = None) -> str:
        """Write the shortlist CSV atomically; return its text.

        Columns: ``participant_id, rank, peer_id, score, reasons``, then one column per card
        field (sets joined with ``;``). Cells a spreadsheet would read as a formula are
        neutralised; there is no timestamp, so identical inputs give identical bytes.
        """
        from peermatch._core.files import csv_text, write_text_atomic

        header = [*SHORTLIST_COLUMNS, *self.card_fields]
        text = csv_text(header, [[_csv_value(r[h]) for h in header] for r in self.to_records()])
        if path is not None:
            write_text_atomic(path, text)
        return text

    def to_dict(self) -> dict[str, Any]:
        """Everything in plain JSON-ready form."""
        return {
            "peermatch_version": __version__,
            "config_hash": self.config_hash,
            "input_hash": self.input_hash,
            "k": self.k,
            "exposure": self.exposure,
            "card_fields": list(self.card_fields),
            "shortlists": [
                {
                    "participant_id": pid,
                    "candidates": [
                        {
                            "rank": c.rank,
                            "peer_id": c.peer_id,
                            "score": c.score,
                            "reasons": list(c.reasons),
                            "card": dict(c.card),
                            "relaxed": c.relaxed,
                        }
                        for c in cands
                    ],
                    "reason": (
                        f"{self.empty[pid].reason}: {self.empty[pid].text}"
                        if pid in self.empty
                        else None
                    ),
                }
                for pid, cands in self.items()
            ],
            "leaders": [
                {
                    "peer_id": lid,
                    "spare": self.spare[lid],
                    "limit": self.limits[lid],
                    "appearances": self.appearances[lid],
                }
                for lid in self.limits
            ],
        }

    def to_json(self, path: str | Path | None = None) -> str:
        """Write the shortlists as JSON atomically; return its text."""
        from peermatch._core.files import write_text_atomic

        text = json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"
        if path is not None:
            write_text_atomic(path, text)
        return text

    def __repr__(self) -> str:
        listed = sum(1 for c in self.values() if c)
        cap = "no exposure cap" if self.exposure is None else f"exposure {self.exposure:g}"
        return (
            f"<Shortlists k={self.k}, {cap}: {listed} of {len(self)} participants with a list, "
            f"{len(self.empty)} empty, {len(self.relaxed)} relaxed>"
        )

    def _repr_html_(self) -> str:  # pragma: no cover - notebook display
        import html

        rows = "".join(
            "<tr>"
            + "".join(
                f"<td>{html.escape('' if r[h] is None else str(_csv_value(r[h])))}</td>"
                for h in SHORTLIST_COLUMNS
            )
            + "</tr>"
            for r in self.to_records()[:200]
        )
        head = "".join(f"<th>{h}</th>" for h in SHORTLIST_COLUMNS)
        return f"<p>{html.escape(repr(self))}</p><table><tr>{head}</tr>{rows}</table>"


def _csv_value(value: object) -> object:
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return value


# -- kernels (arrays in, arrays out) -----------------------------------------------------------


def exposure_limits(spare: IntArray, k: int, exposure: float | None, n: int) -> IntArray:
    """Most lists each leader may appear on: ``ceil(exposure * k * spare)``.

    ``n`` (the number of participants) is the limit when ``exposure`` is None; a leader with
    no spare place gets 0.

    Examples
    --------
    >>> exposure_limits(np.array([0, 1, 2]), 3, 2.0, 100).tolist()
    [0, 6, 12]
    >>> exposure_limits(np.array([0, 1, 2]), 3, 0.1, 100).tolist()
    [0, 1, 1]
    >>> exposure_limits(np.array([0, 1]), 3, None, 100).tolist()
    [0, 100]
    """
    if exposure is None:
        return np.where(spare > 0, n, 0).astype(np.int64)
    # A limit of n or more is no limit (every spare count is at least 1 where it matters), so
    # the factor is capped at n first: a huge exposure or k then never overflows, and a
    # paused leader (spare 0) never meets inf * 0. Python floats turn an overflow into inf.
    factor = min(exposure * (float(k) if k < 2**1000 else math.inf), float(max(n, 1)))
    # a tiny tolerance so that 0.1 * 3 * 10 (3.0000000000000004) gives 3, not 4
    raw = np.ceil(factor * spare.astype(np.float64) - 1e-9)
    return np.where(spare > 0, np.clip(raw, 1, max(n, 1)), 0).astype(np.int64)


def _top_k(masked: FloatArray, k: int) -> IntArray:
    """Per row, the ``k`` best columns (value, then index); ``-1`` where fewer are feasible."""
    n = masked.shape[0]
    order = best_first(masked, axis=1)[:, :k]
    taken = np.take_along_axis(masked, order, axis=1)
    top = np.where(np.isfinite(taken), order, -1).astype(np.int64)
    if top.shape[1] < k:
        top = np.hstack([top, np.full((n, k - top.shape[1]), -1, dtype=np.int64)])
    return top


def allocate(
    values: FloatArray, feasible: BoolArray, limit: IntArray, k: int
) -> tuple[IntArray, BoolArray]:
    r"""Fill every list under the exposure cap (the rule in the module notes).

    Parameters
    ----------
    values : ndarray of float64, shape (n_participants, n_peers)
    feasible : ndarray of bool, same shape
        Pairs that may be listed (leaders with no spare place must already be infeasible).
    limit : ndarray of int64, shape (n_peers,)
        Most lists each leader may appear on.
    k : int
        Longest list.

    Returns
    -------
    lists : ndarray of int64, shape (n_participants, k)
        Column indices, best first, ``-1`` padded.
    relaxed : ndarray of bool, same shape
        Entries listed beyond their leader's cap.

    Notes
    -----
    When the unconstrained top-``k`` lists already respect every cap they are the answer (the
    rounds below would pick exactly them), found with one sort of the score matrix:
    :math:`O(NM \log M)`. Otherwise ``k`` rounds visit each participant once, each visit a
    vectorised arg-max over the leaders: :math:`O(kNM)`.
    """
    n, m = values.shape
    relaxed = np.zeros((n, k), dtype=np.bool_)
    masked = np.where(feasible, values, -np.inf)
    top = _top_k(masked, k) if m else np.full((n, k), -1, dtype=np.int64)
    counts = np.bincount(top[top >= 0], minlength=m)
    if np.all(counts <= limit):
        return top, relaxed
    lists = np.full((n, k), -1, dtype=np.int64)
    n_options = feasible.sum(axis=1)
    order = np.lexsort((np.arange(n), n_options))
    order = order[n_options[order] > 0]
    used = np.zeros(m, dtype=np.int64)
    for r in range(k):
        for i in order.tolist():
            if r and lists[i, r - 1] < 0:
                continue
            row = np.where(used < limit, masked[i], -np.inf)
            j = int(np.argmax(row))
            if not np.isfinite(row[j]):
                if r:
                    continue
                j = int(np.argmax(masked[i]))  # relax the cap: the list would be empty
                relaxed[i, 0] = True
            lists[i, r] = j
            used[j] += 1
            masked[i, j] = -np.inf
    return lists, relaxed


# -- profile level -----------------------------------------------------------------------------


def _check_card_fields(card_fields: Sequence[str] | None) -> tuple[str, ...]:
    if card_fields is None:
        return DEFAULT_CARD_FIELDS
    if isinstance(card_fields, str):
        card_fields = [f.strip() for f in card_fields.split(",") if f.strip()]
    allowed = [f for f in PeerLeader.model_fields if f not in _NEVER_ON_CARD]
    problems = []
    for name in card_fields:
        if name in _NEVER_ON_CARD:
            why = "is given as peer_id" if name == "id" else "names other people"
            problems.append(Problem(None, None, "card_fields", f"{name!r} {why}; leave it out"))
        elif name not in allowed:
            hint = did_you_mean(name, allowed)
            problems.append(
                Problem(None, None, "card_fields", f"unknown leader field {name!r}{hint}")
            )
    if problems:
        raise InputError(problems)
    return tuple(dict.fromkeys(card_fields))


def _check_k(k: object) -> int:
    if isinstance(k, MatchConfig):
        raise InputError(
            [
                Problem(
                    None,
                    None,
                    "k",
                    "expected a whole number >= 1, got a MatchConfig — did you mean config=...?",
                )
            ]
        )
    checked = check_whole_number(k, "k", low=1)
    assert checked is not None
    return checked


def _check_exposure(exposure: object) -> float | None:
    if exposure is None:
        return None
    ok = isinstance(exposure, int | float | np.floating | np.integer) and not isinstance(
        exposure, bool
    )
    if not ok or not math.isfinite(float(exposure)) or float(exposure) <= 0:  # type: ignore[arg-type]
        raise InputError(
            [
                Problem(
                    None,
                    None,
                    "exposure",
                    f"expected a number > 0 (or None for no cap), found {shown(exposure)}",
                )
            ]
        )
    return float(exposure)  # type: ignore[arg-type]


def _spare_places(
    ls: Sequence[PeerLeader], spare: Mapping[str, int] | MatchResult | None
) -> list[int]:
    """Spare places per leader, in the order of ``ls``."""
    if spare is None:
        return [x.capacity for x in ls]
    if isinstance(spare, MatchResult):
        loads = {lid: load.assigned for lid, load in spare.peer_load.items()}
        return [max(x.capacity - loads.get(x.id, 0), 0) for x in ls]
    if not isinstance(spare, Mapping):
        raise InputError(
            [
                Problem(
                    None,
                    None,
                    "spare",
                    "expected a mapping peer id -> spare places, or a MatchResult",
                )
            ]
        )
    problems = []
    out = []
    for x in ls:
        if x.id not in spare:
            out.append(x.capacity)
            continue
        s = spare[x.id]
        if isinstance(s, bool) or not isinstance(s, int | np.integer) or not 0 <= s <= x.capacity:
            problems.append(
                Problem(
                    None,
                    None,
                    "spare",
                    f"{x.id}: expected a whole number from 0 to its capacity {x.capacity}, "
                    f"found {shown(s)}",
                )
            )
            continue
        out.append(int(s))
    if problems:
        raise InputError(problems)
    return out


def _reasons(
    scorer: Scorer, rows: IntArray, cols: IntArray, shareable: frozenset[str]
) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """Top reasons of explicit pairs and their criteria, from shareable criteria only."""
    from peermatch.matching._explain import describe
    from peermatch.matching._match import _pair_contributions

    co = scorer.cohort
    crits = dict(co.criteria)
    out: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
    for (i, j), contrib in zip(
        zip(rows.tolist(), cols.tolist(), strict=True),
        _pair_contributions(scorer, rows, cols),
        strict=True,
    ):
        ranked = sorted(
            ((c, name) for name, c in contrib.items() if c > 0 and name in shareable),
            key=lambda t: (-t[0], t[1]),
        )[:REASONS_PER_CANDIDATE]
        p, leader = co.participants[i], co.peers[j]
        texts = tuple(
            describe(name, crits[name], getattr(p, name), getattr(leader, name), None)
            for _, name in ranked
        )
        out.append((texts, tuple(name for _, name in ranked)))
    return out


def open_places(
    participants: Sequence[Participant],
    peers: Sequence[PeerLeader],
    pairs: Mapping[str, str],
) -> tuple[list[Participant], dict[str, int], dict[str, str]]:
    """Who still needs a peer, and each leader's spare places, given the current pairs.

    Only pairs of participants and leaders still in the lists count: a participant who left
    frees the place, and a participant whose leader left needs a new one.

    Parameters
    ----------
    participants, peers : sequence of Participant, PeerLeader
        The programme now.
    pairs : mapping of str to str
        Current ``participant_id -> peer_id`` pairs (for example ``MatchResult.pairs``).

    Returns
    -------
    waiting : list of Participant
        The participants without a current pair, in their given order.
    spare : dict of str to int
        Every leader's capacity minus its current participants (never below 0), for
        ``shortlist(..., spare=spare)``.
    taken : dict of str to str
        The pairs that still hold.

    Examples
    --------
    >>> ps = [Participant(id=f"P{i}", age=50, languages="en") for i in (1, 2, 3)]
    >>> ls = [PeerLeader(id="L1", age=60, languages="en", capacity=2)]
    >>> waiting, spare, taken = open_places(ps, ls, {"P1": "L1", "P9": "L1"})
    >>> [p.id for p in waiting], spare, taken
    (['P2', 'P3'], {'L1': 1}, {'P1': 'L1'})
    """
    pids = {p.id for p in participants}
    capacity = {x.id: x.capacity for x in peers}
    taken = {pid: lid for pid, lid in pairs.items() if pid in pids and lid in capacity}
    load: dict[str, int] = {}
    for lid in taken.values():
        load[lid] = load.get(lid, 0) + 1
    spare = {lid: max(cap - load.get(lid, 0), 0) for lid, cap in capacity.items()}
    waiting = [p for p in participants if p.id not in taken]
    return waiting, spare, taken


def shortlist(
    participants: Iterable[Participant],
    peers: Iterable[PeerLeader],
    k: int = 3,
    config: MatchConfig | None = None,
    *,
    spare: Mapping[str, int] | MatchResult | None = None,
    exposure: float | None = DEFAULT_EXPOSURE,
    card_fields: Sequence[str] | None = None,
    blocked: Iterable[tuple[str, str]] = (),
) -> Shortlists:
    r"""The ``k`` best feasible leaders with spare room for each participant, best first.

    Parameters
    ----------
    participants : iterable of Participant
    peers : iterable of PeerLeader
    k : int
        Longest list (default 3).
    config : MatchConfig, optional
        Criteria, weights, hard rules and ``min_score`` (default: ``participant_centred``).
    spare : mapping of str to int, or MatchResult, keyword-only, optional
        For a programme under way: each leader's spare places (capacity minus current
        participants; leaders not named keep their whole capacity), or the result of the
        current match, whose loads are subtracted from the leaders' capacities. Default: a new
        cohort, where all of each capacity is spare.
    exposure : float or None, keyword-only
        A leader appears on at most ``ceil(exposure * k * spare)`` lists (default 2); None
        removes the cap. See the module notes for how lists are filled under the cap.
    card_fields : sequence of str, keyword-only, optional
        Leader fields shown on each card (default :data:`DEFAULT_CARD_FIELDS`; ``vetoes``
        is never allowed).
    blocked : iterable of (participant_id, peer_id), keyword-only
        Pairs never to list, such as pairs that ended earlier in the programme. When ``spare``
        is a re-matching result, its ended pairs are added.

    Returns
    -------
    Shortlists
        A ``dict`` from every participant id (in id order) to its list of
        :class:`Candidate` (possibly empty), with how the lists were made.

    Raises
    ------
    InputError
        Bad ``k``, ``exposure``, ``spare`` or ``card_fields``; duplicate ids; items that are
        not profiles.

    Notes
    -----
    A listed leader is always feasible for the participant (every hard rule of
    ``docs/criteria.md``, with "no capacity" meaning no spare place) — vetoes, pauses, hard
    rules and ``min_score`` all apply. Lists are sorted by score, then leader id; profiles are
    processed in id order, so reordering the input rows changes nothing. Scoring is
    :math:`O(NMC)`; filling the lists :math:`O(NM \log M)`, or :math:`O(kNM)` when the cap binds
    (see :func:`allocate`).
    """
    k = _check_k(k)
    alpha = _check_exposure(exposure)
    fields = _check_card_fields(card_fields)
    cfg = as_config(config)
    ps = _as_list(participants, Participant, "participants")
    ls = sorted(_as_list(peers, PeerLeader, "peers"), key=lambda x: x.id)
    spare_places = _spare_places(ls, spare)
    never = list(blocked)
    if isinstance(spare, MatchResult):
        never += [b.pair for b in spare.blocks]
    scorer = build_scorer(ps, ls, cfg, capacity=spare_places, blocked=never)
    co = scorer.cohort
    n, m = scorer.shape
    blocks = list(scorer.blocks())
    values = np.concatenate([b.values for b in blocks]) if blocks else np.zeros((0, m))
    reasons = (
        np.concatenate([b.reasons for b in blocks]) if blocks else np.zeros((0, m), dtype=np.int16)
    )
    feasible = reasons == 0
    spare_arr = np.asarray(co.capacity, dtype=np.int64)
    limit = exposure_limits(np.where(co.active, spare_arr, 0), k, alpha, n)
    # a list never holds more leaders than there are, whatever k asks for
    lists, relaxed = allocate(values, feasible, limit, min(k, max(m, 1)))
    rows, pos = np.nonzero(lists >= 0)
    cols = lists[rows, pos]
    shareable = frozenset(fields)
    why = _reasons(scorer, rows, cols, shareable)
    cards = [dict(zip(fields, _card_values(x, fields), strict=True)) for x in co.peers]
    out: dict[str, list[Candidate]] = {pid: [] for pid in co.p.ids}
    for (i, r, j), (text, names) in zip(
        zip(rows.tolist(), pos.tolist(), cols.tolist(), strict=True), why, strict=True
    ):
        out[co.p.ids[i]].append(
            Candidate(
                peer_id=co.l.ids[j],
                score=float(values[i, j]),
                rank=r + 1,
                reasons=text,
                card=dict(cards[j]),
                relaxed=bool(relaxed[i, r]),
                criteria=names,
            )
        )
    empty: dict[str, Unmatched] = {}
    for i in np.flatnonzero(lists[:, 0] < 0).tolist():
        counts = np.bincount(reasons[i], minlength=len(scorer.reason_names))
        detail = {scorer.reason_names[c]: int(x) for c, x in enumerate(counts) if c and x}
        empty[co.p.ids[i]] = Unmatched(co.p.ids[i], "no_feasible_leader", detail)
    appearances = np.bincount(cols, minlength=m)

    return Shortlists(
        out,
        k=k,
        exposure=alpha,
        card_fields=fields,
        spare=dict(zip(co.l.ids, spare_arr.tolist(), strict=True)),
        limits=dict(zip(co.l.ids, limit.tolist(), strict=True)),
        appearances=dict(zip(co.l.ids, appearances.tolist(), strict=True)),
        relaxed=tuple(co.p.ids[i] for i in np.flatnonzero(relaxed[:, 0]).tolist()),
        empty=empty,
        config_hash=cfg.config_hash(),
        inputs=(co.participants, co.peers),
    )


def _card_values(leader: PeerLeader, fields: Sequence[str]) -> list[Any]:
    data = leader.model_dump(mode="json", include=set(fields))
    return [data.get(f) for f in fields]


def _rebuild_shortlists(lists: dict[str, list[Candidate]], attrs: dict[str, Any]) -> Shortlists:
    """Unpickle a :class:`Shortlists` with its attributes."""
    return Shortlists(lists, **attrs)
