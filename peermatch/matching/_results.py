"""The result of a matching run (``docs/results.md``).

One typed, frozen :class:`MatchResult` for every solver: the matches with their rank and
per-criterion contributions, the unmatched participants with reasons, each leader's load, run
metrics and a manifest that makes the run reproducible. Public numbers are plain ``int`` and
``float``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from peermatch._core.frozen import frozen
from peermatch.scoring._config import MatchConfig
from peermatch.scoring._feasibility import reason_text

if TYPE_CHECKING:
    import networkx as nx
    import pandas as pd

    from peermatch.matching._changes import Change, Ending, RematchReport
    from peermatch.matching._display import Explanation
    from peermatch.matching._explain import Context

__all__ = [
    "MATCH_COLUMNS",
    "REMATCH_COLUMNS",
    "Manifest",
    "Match",
    "MatchResult",
    "PeerLoad",
    "Unmatched",
]

#: Columns of the match CSV, in order (``docs/results.md``); more may follow.
MATCH_COLUMNS = ("participant_id", "peer_id", "status", "score", "rank", "reason")
#: Columns a re-match CSV adds right after :data:`MATCH_COLUMNS` (``docs/programme-year.md``).
REMATCH_COLUMNS = ("change", "previous_peer_id", "change_reason", "safety_blocked")


@dataclass(frozen=True, slots=True)
class Match:
    """A participant matched with a peer leader.

    Attributes
    ----------
    participant_id, peer_id : str
    score : float
        The pair's similarity (unrounded, without preference bonus).
    rank : int
        Position of this leader in the participant's own feasible list by score (1 = best,
        ties by id).
    contributions : mapping of str to float
        Each criterion's share of the score (they sum to ``score``).
    preferred_rank : int or None
        Position of this leader in the participant's ``preferred`` list, if listed.
    """

    participant_id: str
    peer_id: str
    score: float
    rank: int
    contributions: Mapping[str, float] = field(default_factory=dict, repr=False)
    preferred_rank: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "contributions", frozen(self.contributions))


@dataclass(frozen=True, slots=True)
class Unmatched:
    """A participant left unmatched, and why.

    Attributes
    ----------
    participant_id : str
    reason : str
        ``no_feasible_leader`` (every leader is excluded; ``detail`` counts each exclusion
        reason, first reason per leader) or ``capacity`` (feasible leaders exist but were all
        full; ``detail`` gives their number under ``feasible_leaders``).
    detail : mapping of str to int
    """

    participant_id: str
    reason: str
    detail: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "detail", frozen(self.detail))

    @property
    def text(self) -> str:
        """The reason in plain words."""
        if self.reason == "capacity":
            k = self.detail.get("feasible_leaders", 0)
            if k == 1:
                return "the only feasible leader was full"
            return f"all {k} feasible leaders were full"
        if self.reason == "no_feasible_leader":
            if not self.detail:
                return "no peer leaders were given"
            parts = [f"{n} {reason_text(code)}" for code, n in self.detail.items()]
            return "no feasible leader: " + "; ".join(parts)
        return self.reason.replace("_", " ")


@dataclass(frozen=True, slots=True)
class PeerLoad:
    """How many participants a leader supports after the run."""

    peer_id: str
    assigned: int
    capacity: int
    active: bool = True

    @property
    def spare(self) -> int:
        """Room left."""
        return max(self.capacity - self.assigned, 0)

    @property
    def utilisation(self) -> float:
        """``assigned / capacity`` (0 when the capacity is 0)."""
        return self.assigned / self.capacity if self.capacity else 0.0


@dataclass(frozen=True, slots=True)
class Manifest:
    """What makes a run reproducible."""

    version: str
    solver: str
    config_hash: str
    input_hash: str
    n_participants: int
    n_peers: int

    def to_dict(self) -> dict[str, Any]:
        """Plain dictionary (JSON-ready)."""
        return {
            "peermatch_version": self.version,
            "solver": self.solver,
            "config_hash": self.config_hash,
            "input_hash": self.input_hash,
            "n_participants": self.n_participants,
            "n_peers": self.n_peers,
        }


@dataclass(frozen=True)
class MatchResult:
    """Matches, unmatched participants, leader load, metrics and manifest of one run.

    Attributes
    ----------
    matches : tuple of Match
        In participant-id order.
    unmatched : tuple of Unmatched
        In participant-id order.
    peer_load : mapping of str to PeerLoad
        Every leader, in id order.
    metrics : mapping of str to float or int
        At least ``n_participants``, ``n_matched``, ``match_rate``, ``mean_score``,
        ``min_score``, ``rank1_share`` and ``blocking_pairs``.
    manifest : Manifest
    config : MatchConfig
        The configuration used.
    rematch_report : RematchReport or None
        For a result of :func:`peermatch.rematch`: each participant's change and every block
        known (see :attr:`changes`, :attr:`blocks`); None for a plain match.
    """

    matches: tuple[Match, ...]
    unmatched: tuple[Unmatched, ...]
    peer_load: Mapping[str, PeerLoad]
    metrics: Mapping[str, float | int]
    manifest: Manifest
    config: MatchConfig
    _context: Context | None = field(default=None, repr=False, compare=False)
    rematch_report: RematchReport | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "matches", tuple(self.matches))
        object.__setattr__(self, "unmatched", tuple(self.unmatched))
        object.__setattr__(self, "peer_load", frozen(self.peer_load))
        object.__setattr__(self, "metrics", frozen(self.metrics))

    # lookups -------------------------------------------------------------------------------
    @property
    def pairs(self) -> dict[str, str]:
        """``participant_id -> peer_id`` of every match."""
        return {m.participant_id: m.peer_id for m in self.matches}

    @property
    def solver(self) -> str:
        """Name of the solver that produced this result."""
        return self.manifest.solver

    @property
    def changes(self) -> tuple[Change, ...]:
        """Per-participant changes of a re-matching run (empty for a plain match)."""
        return () if self.rematch_report is None else self.rematch_report.changes

    @property
    def blocks(self) -> tuple[Ending, ...]:
        """Every ended pair this result knows; none is ever matched again (empty for a match)."""
        return () if self.rematch_report is None else self.rematch_report.blocks

    def match_for(self, participant_id: str) -> Match | None:
        """The match of one participant, or None."""
        for m in self.matches:
            if m.participant_id == participant_id:
                return m
        return None

    def participant_ids(self) -> list[str]:
        """Every participant of the run, in id order."""
        return sorted(
            [m.participant_id for m in self.matches] + [u.participant_id for u in self.unmatched]
        )

    # explanations -------------------------------------------------------------------------
    def explain(self, participant_id: str, *, alternatives: int = 3) -> str:
        """Explain one participant's outcome in plain words.

        For a match: why this leader (each criterion's contribution), what the leading
        alternatives lacked, and for every leader the participant ranked above this one, why
        they did not get it. For an unmatched participant: why. For a re-matching result, also
        what changed since the previous run and which leaders are never proposed again.

        Parameters
        ----------
        participant_id : str
        alternatives : int, keyword-only
            How many alternative leaders to discuss.

        Raises
        ------
        KeyError
            If the participant is not part of this result.
        """
        from peermatch.matching._explain import explain_participant

        report = self.rematch_report
        change = None if report is None else report.change_for(participant_id)
        if change is not None and change.change == "removed":
            return f"Participant {participant_id} is {change.text}."
        text = explain_participant(self, participant_id, alternatives=alternatives)
        if report is None or change is None:
            return text
        lines = text.split("\n")
        extra = [f"  Change: {change.text}."]
        kept_any = any(c.change == "kept" for c in report.changes)
        if report.stay_bonus is None and kept_any and change.change != "kept":
            full = any(
                u.participant_id == participant_id and u.reason == "capacity"
                for u in self.unmatched
            )
            if change.change in ("moved", "new"):
                extra.append(
                    "  Working pairs were kept in place (no stay bonus): only places left free "
                    "were offered."
                )
            elif full:
                extra.append(
                    "  Working pairs were kept in place (no stay bonus), so no place was freed."
                )
        blocked = report.blocks_for(participant_id)
        if blocked:
            extra.append(
                "  Never proposed again: "
                + ", ".join(
                    f"{b.peer_id} (ended: {b.reason.value.replace('_', ' ')})" for b in blocked
                )
                + "."
            )
        return "\n".join([lines[0], *extra, *lines[1:]])

    def explanation(self, participant_id: str, *, alternatives: int = 3) -> Explanation:
        """Explain one participant's outcome as an object that renders as HTML in a notebook.

        ``str()`` of the returned :class:`~peermatch.Explanation` is the text of
        :meth:`explain`; it also carries the matched leader, the score and each criterion's
        contribution.

        Parameters
        ----------
        participant_id : str
        alternatives : int, keyword-only
            How many alternative leaders to discuss.

        Returns
        -------
        Explanation

        Raises
        ------
        KeyError
            If the participant is not part of this result.
        """
        from peermatch.matching._display import Explanation

        text = self.explain(participant_id, alternatives=alternatives)
        m = self.match_for(participant_id)
        if m is None:
            return Explanation(participant_id, text)
        return Explanation(participant_id, text, m.peer_id, m.score, dict(m.contributions))

    # export --------------------------------------------------------------------------------
    def to_records(self) -> list[dict[str, Any]]:
        """One dictionary per participant, in participant-id order (the match CSV's rows)."""
        rows: list[dict[str, Any]] = []
        by_id: dict[str, Match | Unmatched] = {m.participant_id: m for m in self.matches}
        by_id.update({u.participant_id: u for u in self.unmatched})
        for pid in sorted(by_id):
            item = by_id[pid]
            if isinstance(item, Match):
                rows.append(
                    {
                        "participant_id": pid,
                        "peer_id": item.peer_id,
                        "status": "matched",
                        "score": item.score,
                        "rank": item.rank,
                        "reason": "",
                        "preferred_rank": item.preferred_rank,
                        **self._change_cells(pid),
                    }
                )
            else:
                rows.append(
                    {
                        "participant_id": pid,
                        "peer_id": None,
                        "status": "unmatched",
                        "score": None,
                        "rank": None,
                        "reason": f"{item.reason}: {item.text}",
                        "preferred_rank": None,
                        **self._change_cells(pid),
                    }
                )
        return rows

    def _change_cells(self, participant_id: str) -> dict[str, Any]:
        report = self.rematch_report
        if report is None:
            return {}
        c = report.change_for(participant_id)
        return {
            "change": None if c is None else c.change,
            "previous_peer_id": None if c is None else c.previous_peer_id,
            "change_reason": None if c is None else c.cause,
            "safety_blocked": ";".join(
                b.peer_id for b in report.blocks_for(participant_id) if b.safety
            ),
        }

    def to_dict(self) -> dict[str, Any]:
        """Everything in plain JSON-ready form."""
        out = self._to_dict()
        if self.rematch_report is not None:
            out["rematch"] = self.rematch_report.to_dict()
        return out

    def _to_dict(self) -> dict[str, Any]:
        return {
            "manifest": self.manifest.to_dict(),
            "metrics": dict(self.metrics),
            "matches": [
                {
                    "participant_id": m.participant_id,
                    "peer_id": m.peer_id,
                    "score": m.score,
                    "rank": m.rank,
                    "preferred_rank": m.preferred_rank,
                    "contributions": dict(m.contributions),
                }
                for m in self.matches
            ],
            "unmatched": [
                {
                    "participant_id": u.participant_id,
                    "reason": u.reason,
                    "detail": dict(u.detail),
                    "text": u.text,
                }
                for u in self.unmatched
            ],
            "peer_load": [
                {
                    "peer_id": p.peer_id,
                    "assigned": p.assigned,
                    "capacity": p.capacity,
                    "active": p.active,
                }
                for p in self.peer_load.values()
            ],
            "config": json.loads(self.config.canonical_json()),
        }

    def to_csv(self, path: str | Path | None = None) -> str:
        """Write the match CSV (one row per participant) atomically; return its text.

        A re-matching result adds ``change`` (``kept``, ``moved``, ``new``, ``unmatched``,
        ``ended``), ``previous_peer_id``, ``change_reason`` (the cause code) and
        ``safety_blocked`` (leaders blocked for this participant by a safety ending) right
        after the six columns of the match CSV (``docs/results.md``).

        Cells that a spreadsheet would read as a formula are neutralised. With ``path`` None
        only the text is returned.
        """
        from peermatch._core.files import csv_text, write_text_atomic

        extra = REMATCH_COLUMNS if self.rematch_report is not None else ()
        columns = (*MATCH_COLUMNS, *extra, "preferred_rank")
        text = csv_text(columns, [[r[c] for c in columns] for r in self.to_records()])
        if path is not None:
            write_text_atomic(path, text)
        return text

    def to_json(self, path: str | Path | None = None) -> str:
        """Write the whole result as JSON atomically; return its text."""
        from peermatch._core.files import write_text_atomic

        text = json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"
        if path is not None:
            write_text_atomic(path, text)
        return text

    def to_networkx(self) -> nx.Graph:
        """The match as a bipartite :class:`networkx.Graph`.

        Participant nodes carry ``bipartite=0`` and ``kind="participant"``; leader nodes
        ``bipartite=1``, ``kind="peer"``, ``capacity`` and ``assigned``; each match is an edge
        with ``score`` and ``rank``. Node names are the ids prefixed with ``p:`` or ``l:`` so
        that a participant and a leader may share an id.
        """
        import networkx as nx

        g = nx.Graph()
        for pid in self.participant_ids():
            g.add_node(f"p:{pid}", bipartite=0, kind="participant", id=pid)
        for load in self.peer_load.values():
            g.add_node(
                f"l:{load.peer_id}",
                bipartite=1,
                kind="peer",
                id=load.peer_id,
                capacity=load.capacity,
                assigned=load.assigned,
                active=load.active,
            )
        for m in self.matches:
            g.add_edge(f"p:{m.participant_id}", f"l:{m.peer_id}", score=m.score, rank=m.rank)
        return g

    def to_pandas(self, *, contributions: bool = False) -> pd.DataFrame:
        """The match table as a :class:`pandas.DataFrame` (needs the ``pandas`` extra).

        One row per participant in participant-id order, with the columns of the match CSV
        (``participant_id``, ``peer_id``, ``status``, ``score``, ``rank``, ``reason``) and
        ``preferred_rank``. Unmatched rows have a missing ``peer_id``, ``score`` (NaN) and
        ``rank``; ``rank`` and ``preferred_rank`` are nullable integers (``Int64``).

        Parameters
        ----------
        contributions : bool, keyword-only
            Add one ``contribution_<criterion>`` column per configured criterion: its share of
            the pair's score (they sum to ``score``; NaN for unmatched participants).

        Raises
        ------
        ImportError
            If pandas is not installed (``pip install 'peermatch[pandas]'``).
        """
        from peermatch.matching._display import result_to_pandas

        return result_to_pandas(self, contributions=contributions)

    def _repr_html_(self) -> str:
        from peermatch.matching._display import result_html

        return result_html(self)

    def __repr__(self) -> str:
        mt = self.metrics
        return (
            f"<MatchResult solver={self.solver!r}: {mt.get('n_matched', 0)} of "
            f"{mt.get('n_participants', 0)} matched, mean score "
            f"{float(mt.get('mean_score', 0.0)):.3f}, {len(self.unmatched)} unmatched>"
        )
