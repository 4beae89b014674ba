"""Records of re-matching: ended pairs, per-participant changes and the report of a run.

An :class:`Ending` says that a participant–leader pair ended, and why (one of the seven
:class:`~peermatch.EndReason` values). Every ended pair is blocked in all later runs
(``previously_ended``); a ``safety`` ending is also listed in every later report.

A :class:`Change` says what happened to one participant in a re-matching run compared with the
previous run. ``change`` is one of:

``kept``
    Matched with the same leader as before.
``moved``
    Matched with a different leader (``cause`` says why the previous pair did not continue).
``new``
    Matched now, unmatched or absent before (``cause``: ``newcomer`` or
    ``previously_unmatched``).
``unmatched``
    Unmatched now and the previous pair (if any) did not end: the result's
    :class:`~peermatch.Unmatched` record gives the reason.
``ended``
    The previous pair ended in this run and the participant has no leader now. A participant
    whose pair ended and who got a new leader is ``moved`` instead.
``removed``
    In the previous run but not among this run's participants (never a row of the CSV, which
    has one row per input participant).

``cause`` codes (why a previous pair did not continue, or where a new match came from):
``ended:<reason>``, ``infeasible:<rule>`` (an exclusion reason code of ``docs/criteria.md``, e.g.
``infeasible:leader_inactive`` or ``infeasible:hard_criterion:treatments``),
``leader_removed``, ``capacity_lowered``, ``improvement`` (only with a numeric stay bonus: the
overall objective gained more than the bonus), ``newcomer`` and ``previously_unmatched``.

Examples
--------
>>> e = Ending("P1", "L2", "Safety")
>>> e.reason, e.safety
(<EndReason.SAFETY: 'safety'>, True)
>>> Change("P1", "moved", "L3", "L2", "ended:schedule").text
'moved from L2 to L3 (ended: schedule)'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from peermatch._core.text import did_you_mean, shown
from peermatch.errors import InputError, Problem
from peermatch.profiles._models import ID_PATTERN
from peermatch.profiles._vocab import EndReason

__all__ = [
    "CAUSES",
    "CHANGE_KINDS",
    "CSV_CHANGE_KINDS",
    "Change",
    "Ending",
    "RematchReport",
    "end_reason",
]

#: Every value of :attr:`Change.change`.
CHANGE_KINDS: tuple[str, ...] = ("kept", "moved", "new", "unmatched", "ended", "removed")
#: The values that appear in the ``change`` column of a re-match CSV (``docs/programme-year.md``).
CSV_CHANGE_KINDS: tuple[str, ...] = CHANGE_KINDS[:5]
#: Cause codes that carry no parameter (see the module documentation for the others).
CAUSES: tuple[str, ...] = (
    "leader_removed",
    "capacity_lowered",
    "improvement",
    "newcomer",
    "previously_unmatched",
)

_REASONS = tuple(r.value for r in EndReason)


def end_reason(value: object) -> EndReason:
    """Normalise an end reason (case and surrounding spaces are ignored).

    Raises
    ------
    ValueError
        Naming the unknown value, the closest valid one and every valid one.
    """
    if isinstance(value, EndReason):
        return value
    text = str(value).strip().lower().replace(" ", "_").replace("-", "_")
    if text in _REASONS:
        return EndReason(text)
    hint = did_you_mean(text, _REASONS)
    raise ValueError(
        f"unknown end reason {shown(str(value))}{hint} (expected one of: {', '.join(_REASONS)})"
    )


def _id_problem(value: object, what: str) -> str | None:
    if not isinstance(value, str):
        return f"expected a {what} id (text), found {type(value).__name__}"
    if not ID_PATTERN.fullmatch(value):
        return (
            f"{shown(value)} is not a valid {what} id (1-64 letters, digits, '_', '.', '-', "
            "starting with a letter or digit)"
        )
    return None


@dataclass(frozen=True, slots=True, init=False)
class Ending:
    """A participant–leader pair that ended.

    Parameters
    ----------
    participant_id, peer_id : str
        The pair; it must be matched in the run being re-matched.
    reason : EndReason or str
        ``poor_fit``, ``schedule``, ``moved``, ``completed``, ``participant_withdrew``,
        ``leader_withdrew`` or ``safety`` (case-insensitive).
    note : str, optional
        Free text for the coordinator. It stays with the ending in memory but is never
        written to an output: not to a result's JSON or CSV, not to a run history.
    source : (str, int), keyword-only, optional
        File and row the ending was read from, used in error messages (not compared).

    Raises
    ------
    InputError
        If an id is not a valid id or the reason is unknown.
    """

    participant_id: str
    peer_id: str
    reason: EndReason
    note: str | None
    source: tuple[str, int] | None = field(compare=False, repr=False)

    def __init__(
        self,
        participant_id: str,
        peer_id: str,
        reason: EndReason | str,
        note: str | None = None,
        *,
        source: tuple[str, int] | None = None,
    ) -> None:
        file, row = source if source is not None else (None, None)
        problems: list[Problem] = []
        for name, value, what in (
            ("participant_id", participant_id, "participant"),
            ("peer_id", peer_id, "peer leader"),
        ):
            msg = _id_problem(value, what)
            if msg:
                problems.append(Problem(file, row, name, msg))
        try:
            reason = end_reason(reason)
        except ValueError as exc:
            problems.append(Problem(file, row, "reason", str(exc)))
        if note is not None and not isinstance(note, str):
            problems.append(Problem(file, row, "note", "expected text"))
        if problems:
            raise InputError(problems)
        object.__setattr__(self, "participant_id", participant_id)
        object.__setattr__(self, "peer_id", peer_id)
        object.__setattr__(self, "reason", reason)
        object.__setattr__(self, "note", note)
        object.__setattr__(self, "source", source)

    def located(self, source: tuple[str, int] | None) -> Ending:
        """The same ending with another ``source``."""
        return Ending(self.participant_id, self.peer_id, self.reason, self.note, source=source)

    @property
    def pair(self) -> tuple[str, str]:
        """``(participant_id, peer_id)``."""
        return (self.participant_id, self.peer_id)

    @property
    def safety(self) -> bool:
        """Whether the pair ended for a safety reason."""
        return self.reason is EndReason.SAFETY

    def to_dict(self, *, note: bool = True) -> dict[str, Any]:
        """Plain JSON-ready form (``note=False`` leaves the note out)."""
        out: dict[str, Any] = {
            "participant_id": self.participant_id,
            "peer_id": self.peer_id,
            "reason": self.reason.value,
            "safety": self.safety,
        }
        if note and self.note is not None:
            out["note"] = self.note
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: tuple[str, int] | None = None) -> Ending:
        """Build an ending from a mapping with ``participant_id``, ``peer_id``, ``reason``."""
        file, row = source if source is not None else (None, None)
        missing = [k for k in ("participant_id", "peer_id", "reason") if k not in data]
        if missing:
            raise InputError([Problem(file, row, k, "required, but missing") for k in missing])
        return cls(
            data["participant_id"],
            data["peer_id"],
            data["reason"],
            data.get("note"),
            source=source,
        )


def _reason_words(reason: str) -> str:
    return reason.replace("_", " ")


@dataclass(frozen=True, slots=True)
class Change:
    """What happened to one participant in a re-matching run.

    Attributes
    ----------
    participant_id : str
    change : str
        ``kept``, ``moved``, ``new``, ``unmatched``, ``ended`` or ``removed``.
    peer_id : str or None
        The leader now (None when unmatched or removed).
    previous_peer_id : str or None
        The leader in the previous run (None when unmatched or absent then).
    cause : str or None
        Why the previous pair did not continue, or where a new match came from (see the
        module documentation); None for ``kept``.
    """

    participant_id: str
    change: str
    peer_id: str | None
    previous_peer_id: str | None
    cause: str | None = None

    @property
    def why(self) -> str:
        """The cause in plain words (empty when there is none)."""
        cause, prev = self.cause, self.previous_peer_id
        if cause is None:
            return ""
        if cause.startswith("ended:"):
            return f"ended: {_reason_words(cause.split(':', 1)[1])}"
        if cause.startswith("infeasible:"):
            from peermatch.scoring._feasibility import reason_text

            return f"the pair is no longer feasible: {reason_text(cause.split(':', 1)[1])}"
        return {
            "leader_removed": f"{prev} is no longer among the peer leaders",
            "capacity_lowered": f"{prev}'s capacity was lowered below its current participants",
            "improvement": "moving improved the overall matching by more than the stay bonus",
            "newcomer": "new participant",
            "previously_unmatched": "unmatched before",
        }.get(cause, _reason_words(cause))

    @property
    def text(self) -> str:
        """One line in plain words, e.g. ``moved from L03 to L05 (ended: schedule)``."""
        why = self.why
        prev, now = self.previous_peer_id, self.peer_id
        if self.change == "kept":
            return f"kept with {now}"
        if self.change == "moved":
            return f"moved from {prev} to {now} ({why})"
        if self.change == "new":
            return f"newly matched with {now} ({why})"
        if self.change == "ended":
            return f"pair with {prev} {why}; no new leader"
        if self.change == "removed":
            was = f" (was with {prev}{'; ' + why if why else ''})" if prev else ""
            return f"no longer among the participants{was}"
        if prev is not None:
            return f"no longer matched: was with {prev} ({why})"
        return "new participant, not matched" if self.cause == "newcomer" else "still unmatched"

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        return {
            "participant_id": self.participant_id,
            "change": self.change,
            "peer_id": self.peer_id,
            "previous_peer_id": self.previous_peer_id,
            "cause": self.cause,
            "text": self.text,
        }


@dataclass(frozen=True)
class RematchReport:
    """What a re-matching run changed, and every block it knows.

    Attributes
    ----------
    changes : tuple of Change
        One per participant of this run (id order), then one ``removed`` record per participant
        of the previous run that is no longer given (id order).
    blocks : tuple of Ending
        Every ended pair known so far (earlier blocks and this run's endings), in
        ``(participant_id, peer_id)`` order. None of them is ever matched again.
    ended : tuple of Ending
        The endings applied in this run.
    stay_bonus : float or None
        The stay bonus used (None: working pairs were kept fixed).
    """

    changes: tuple[Change, ...]
    blocks: tuple[Ending, ...]
    ended: tuple[Ending, ...] = ()
    stay_bonus: float | None = None
    _by_id: dict[str, Change] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_id.update({c.participant_id: c for c in self.changes})

    def change_for(self, participant_id: str) -> Change | None:
        """The change record of one participant, or None."""
        return self._by_id.get(participant_id)

    @property
    def safety_blocks(self) -> tuple[Ending, ...]:
        """The blocks that come from a ``safety`` ending."""
        return tuple(b for b in self.blocks if b.safety)

    def blocks_for(self, participant_id: str) -> tuple[Ending, ...]:
        """The blocks of one participant."""
        return tuple(b for b in self.blocks if b.participant_id == participant_id)

    def counts(self) -> dict[str, int]:
        """How many participants had each kind of change (every kind, zeros included)."""
        out = dict.fromkeys(CHANGE_KINDS, 0)
        for c in self.changes:
            out[c.change] += 1
        return out

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form, without the endings' free-text notes.

        A note may hold anything a coordinator typed (health details included); it stays with
        the :class:`Ending` in memory and in the ended-pairs file, and is never copied into
        an output.
        """
        return {
            "stay_bonus": self.stay_bonus,
            "counts": self.counts(),
            "changes": [c.to_dict() for c in self.changes],
            "ended": [e.to_dict(note=False) for e in self.ended],
            "blocks": [b.to_dict(note=False) for b in self.blocks],
        }
