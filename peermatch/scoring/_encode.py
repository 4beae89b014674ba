"""Profiles -> arrays (internal).

Both sides are sorted by id, so every array below is in id order and reordering input rows
changes nothing downstream. Each compared field becomes one array per side:

- scalar vocabularies (sex, region, ordered enums): int64 codes, ``-1`` when not given;
- numbers: float64, ``NaN`` when not given;
- sets: bit masks, one uint64 word per 64 vocabulary values, shape ``(n, words)``, with a
  ``given`` flag (an empty set counts as not given).

Free vocabularies (languages, interests, regions) are built from the union of both sides.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray

from peermatch.profiles._models import Participant, PeerLeader
from peermatch.profiles._vocab import ORDERED, Importance
from peermatch.scoring._config import (
    IMPORTANCE_MULTIPLIER,
    NUMERIC_FIELDS,
    SET_FIELDS,
    Criterion,
    MatchConfig,
)
from peermatch.solvers._common import Preferences

__all__ = ["Cohort", "Encoded", "FieldData", "encode"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]
WordArray = NDArray[np.uint64]


@dataclass(frozen=True, slots=True)
class FieldData:
    """One field of one side, encoded.

    Exactly one of ``codes``, ``numbers`` or ``bits`` is set.
    """

    given: BoolArray
    codes: IntArray | None = None
    numbers: FloatArray | None = None
    bits: WordArray | None = None
    counts: IntArray | None = None
    levels: int = 0

    def take(self, rows: slice | IntArray) -> FieldData:
        """The same field for a subset of rows."""
        return FieldData(
            given=self.given[rows],
            codes=None if self.codes is None else self.codes[rows],
            numbers=None if self.numbers is None else self.numbers[rows],
            bits=None if self.bits is None else self.bits[rows],
            counts=None if self.counts is None else self.counts[rows],
            levels=self.levels,
        )


@dataclass(frozen=True, slots=True)
class Encoded:
    """Encoded fields of one side (participants or leaders), in id order."""

    ids: tuple[str, ...]
    fields: dict[str, FieldData]
    #: (n, criteria) bool: this person marked the criterion ``must``.
    must: BoolArray

    @property
    def n(self) -> int:
        """Number of profiles."""
        return len(self.ids)


@dataclass(frozen=True, slots=True)
class Cohort:
    """Everything the numeric kernels need, built once per (participants, peers, config).

    Attributes
    ----------
    criteria : tuple of (name, Criterion)
        Criteria in evaluation order: the config's, then any field some profile marks
        ``must`` although the config does not score it (weight 0).
    multiplier : ndarray, shape (n_participants, n_criteria)
        Participant importance multipliers.
    """

    participants: tuple[Participant, ...]
    peers: tuple[PeerLeader, ...]
    config: MatchConfig
    criteria: tuple[tuple[str, Criterion], ...]
    p: Encoded
    l: Encoded
    multiplier: FloatArray
    capacity: IntArray
    active: BoolArray
    veto_p: tuple[IntArray, IntArray]
    veto_l: tuple[IntArray, IntArray]
    blocked: tuple[IntArray, IntArray]
    preferences: Preferences
    p_index: dict[str, int] = field(repr=False)
    l_index: dict[str, int] = field(repr=False)

    @property
    def shape(self) -> tuple[int, int]:
        """``(n_participants, n_peers)``."""
        return (self.p.n, self.l.n)


def _scalar_codes(values: Sequence[object], vocab: dict[object, int]) -> FieldData:
    codes = np.fromiter(
        (-1 if v is None else vocab[v] for v in values), dtype=np.int64, count=len(values)
    )
    return FieldData(given=codes >= 0, codes=codes, levels=len(vocab))


def _set_bits(values: Sequence[frozenset[object] | None], vocab: dict[object, int]) -> FieldData:
    n = len(values)
    words = max(1, (len(vocab) + 63) // 64)
    masks = [sum(1 << vocab[v] for v in s) if s else 0 for s in values]
    bits = np.zeros((n, words), dtype=np.uint64)
    low = (1 << 64) - 1
    for w in range(words):
        bits[:, w] = np.fromiter(((x >> (64 * w)) & low for x in masks), dtype=np.uint64, count=n)
    counts = np.bitwise_count(bits).sum(axis=1, dtype=np.int64)
    return FieldData(given=counts > 0, bits=bits, counts=counts)


def _vocabulary(field_name: str, values: Iterable[object]) -> dict[object, int]:
    """Code every value of a field: enum order for closed vocabularies, sorted otherwise."""
    seen: set[object] = set()
    for v in values:
        if v is None:
            continue
        if isinstance(v, frozenset):
            seen |= v
        else:
            seen.add(v)
    if field_name in ORDERED:
        return {lvl: k for k, lvl in enumerate(ORDERED[field_name])}
    members = sorted(seen, key=str)
    if members and isinstance(members[0], StrEnum):
        order: dict[object, int] = {m: i for i, m in enumerate(type(members[0]))}
        members.sort(key=lambda m: order[m])
    return {v: k for k, v in enumerate(members)}


def _field_pair(
    name: str, crit: Criterion, p_vals: list[object], l_vals: list[object]
) -> tuple[FieldData, FieldData]:
    if name in NUMERIC_FIELDS:

        def num(vals: list[object]) -> FieldData:
            arr = np.array([np.nan if v is None else v for v in vals], dtype=np.float64)
            return FieldData(given=~np.isnan(arr), numbers=arr)

        return num(p_vals), num(l_vals)
    if name == "region":
        p_vals = [None if v is None else str(v).casefold() for v in p_vals]
        l_vals = [None if v is None else str(v).casefold() for v in l_vals]
    vocab = _vocabulary(name, [*p_vals, *l_vals])
    if name in SET_FIELDS:
        return _set_bits(p_vals, vocab), _set_bits(l_vals, vocab)  # type: ignore[arg-type]
    return _scalar_codes(p_vals, vocab), _scalar_codes(l_vals, vocab)


def _criteria(
    config: MatchConfig, participants: Sequence[Participant], peers: Sequence[PeerLeader]
) -> tuple[tuple[str, Criterion], ...]:
    names = list(config.criteria)
    extra: set[str] = set()
    for person in [*participants, *peers]:
        if person.importance:
            extra |= {f for f, lvl in person.importance.items() if lvl is Importance.MUST}
    from peermatch.profiles._models import CRITERION_FIELDS

    names += [f for f in CRITERION_FIELDS if f in extra and f not in config.criteria]
    return tuple((n, config.criterion_for(n)) for n in names)


def _must(people: Sequence[Participant | PeerLeader], names: Sequence[str]) -> BoolArray:
    out = np.zeros((len(people), len(names)), dtype=np.bool_)
    col = {n: k for k, n in enumerate(names)}
    for i, person in enumerate(people):
        if person.importance:
            for f, lvl in person.importance.items():
                if lvl is Importance.MUST and f in col:
                    out[i, col[f]] = True
    return out


def _veto_pairs(
    people: Sequence[Participant | PeerLeader], other: dict[str, int], *, own_rows: bool
) -> tuple[IntArray, IntArray]:
    rows: list[int] = []
    cols: list[int] = []
    for k, person in enumerate(people):
        for vid in sorted(person.vetoes or ()):
            j = other.get(vid)
            if j is None:
                continue  # references outside the given lists are ignored (docs/input-files.md)
            rows.append(k if own_rows else j)
            cols.append(j if own_rows else k)
    return np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)


def _blocked_pairs(
    pairs: Iterable[tuple[str, str]], p_index: dict[str, int], l_index: dict[str, int]
) -> tuple[IntArray, IntArray]:
    keep = sorted({(p_index[p], l_index[x]) for p, x in pairs if p in p_index and x in l_index})
    return (
        np.asarray([i for i, _ in keep], dtype=np.int64),
        np.asarray([j for _, j in keep], dtype=np.int64),
    )


def encode(
    participants: Iterable[Participant],
    peers: Iterable[PeerLeader],
    config: MatchConfig,
    *,
    capacity: Sequence[int] | None = None,
    blocked: Iterable[tuple[str, str]] = (),
) -> Cohort:
    """Encode both sides for the numeric kernels.

    Parameters
    ----------
    participants, peers : iterables of profiles
        Any order; ids must be unique on each side.
    config : MatchConfig
        Decides which fields are compared and how.
    capacity : sequence of int, optional
        Capacities to use instead of the leaders' own (in id order); re-matching passes the
        room left after current participants.
    blocked : iterable of (participant_id, peer_id)
        Pairs that ended earlier and may never be matched again (``previously_ended``); ids
        not in the lists are ignored.

    Raises
    ------
    InputError
        If an id repeats on one side.
    """
    from peermatch.errors import InputError, Problem

    ps = sorted(participants, key=lambda p: p.id)
    ls = sorted(peers, key=lambda p: p.id)
    problems = [
        Problem(None, None, "id", f"{kind} id {a.id!r} appears more than once")
        for kind, side in (("participant", ps), ("peer leader", ls))
        for a, b in itertools.pairwise(side)
        if a.id == b.id
    ]
    if problems:
        raise InputError(problems)
    crits = _criteria(config, ps, ls)
    names = [n for n, _ in crits]
    p_fields: dict[str, FieldData] = {}
    l_fields: dict[str, FieldData] = {}
    for name, crit in crits:
        pf, lf = _field_pair(
            name, crit, [getattr(p, name) for p in ps], [getattr(x, name) for x in ls]
        )
        p_fields[name], l_fields[name] = pf, lf
    mult = np.ones((len(ps), len(names)), dtype=np.float64)
    col = {n: k for k, n in enumerate(names)}
    for i, p in enumerate(ps):
        if p.importance:
            for f, lvl in p.importance.items():
                if f in col:
                    mult[i, col[f]] = IMPORTANCE_MULTIPLIER[lvl]
    p_index = {p.id: i for i, p in enumerate(ps)}
    l_index = {x.id: j for j, x in enumerate(ls)}
    cap = np.array([x.capacity for x in ls] if capacity is None else list(capacity), dtype=np.int64)
    prefs = Preferences.from_lists(
        [[l_index[i] for i in (p.preferred or ()) if i in l_index] for p in ps], len(ps), len(ls)
    )
    return Cohort(
        participants=tuple(ps),
        peers=tuple(ls),
        config=config,
        criteria=crits,
        p=Encoded(tuple(p.id for p in ps), p_fields, _must(ps, names)),
        l=Encoded(tuple(x.id for x in ls), l_fields, _must(ls, names)),
        multiplier=mult,
        capacity=cap,
        active=np.array([x.active for x in ls], dtype=np.bool_),
        veto_p=_veto_pairs(ps, l_index, own_rows=True),
        veto_l=_veto_pairs(ls, p_index, own_rows=False),
        blocked=_blocked_pairs(blocked, p_index, l_index),
        preferences=prefs,
        p_index=p_index,
        l_index=l_index,
    )
