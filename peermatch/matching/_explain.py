"""Plain-words explanations of scores and outcomes (internal).

Explanations show profile values to the coordinator who asked; they are never logged.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from peermatch.scoring._config import Criterion
from peermatch.scoring._feasibility import reason_text

if TYPE_CHECKING:
    from peermatch.matching._results import MatchResult
    from peermatch.scoring._scorer import Scorer

__all__ = ["LABELS", "Context", "describe", "explain_participant", "top_reasons"]

#: Plain names of the criteria.
LABELS: dict[str, str] = {
    "age": "age",
    "sex": "sex",
    "languages": "languages",
    "region": "region",
    "life_stage": "life stage",
    "activity_level": "activity level",
    "diet": "diet",
    "interests": "interests",
    "diabetes_years": "years with diabetes",
    "treatments": "treatments",
    "glucose_monitoring": "glucose monitoring",
    "complications": "complications",
    "hba1c": "HbA1c",
    "support_goals": "support goals",
    "contact_modes": "contact modes",
    "contact_frequency": "contact frequency",
    "communication_style": "communication style",
    "availability": "availability",
}


@dataclass(frozen=True)
class Context:
    """What a result keeps to explain itself: the scorer and the assignment."""

    scorer: Scorer
    assignment: NDArray[np.int64]
    capacity: NDArray[np.int64]


def _text(value: object) -> str:
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _items(values: Iterable[object]) -> str:
    return ", ".join(sorted(_text(v) for v in values))


def describe(name: str, crit: Criterion, p_value: Any, l_value: Any, sim: float | None) -> str:
    """One criterion of one pair in plain words (what is shared, what differs)."""
    label = LABELS.get(name, name)
    if p_value is None or l_value is None:
        who = "participant" if p_value is None else "leader"
        return f"{label}: not given by the {who}"
    if isinstance(p_value, frozenset):
        shared = p_value & l_value
        missing = p_value - l_value
        if crit.kind == "coverage":
            text = f"{label}: leader covers {len(shared)} of {len(p_value)}"
            if shared:
                text += f" ({_items(shared)})"
            if missing:
                text += f"; not {_items(missing)}"
            return text
        if crit.kind == "exact":
            return f"{label}: {'same' if p_value == l_value else 'different'}"
        if not shared:
            return f"{label}: nothing shared ({_items(p_value)} vs {_items(l_value)})"
        if crit.kind == "overlap" and len(shared) > 4:
            return f"{label}: {len(shared)} shared"
        return f"{label}: shared {_items(shared)}"
    if crit.kind == "experience":
        return f"{label}: leader {_text(l_value)}, participant {_text(p_value)}"
    if p_value == l_value:
        return f"{label}: both {_text(p_value)}"
    return f"{label}: {_text(p_value)} vs {_text(l_value)}"


def top_reasons(scorer: Scorer, i: int, j: int, k: int = 3) -> list[str]:
    """The ``k`` criteria contributing most to pair ``(i, j)``, in plain words."""
    co = scorer.cohort
    contrib = scorer.contributions(i)
    p, leader = co.participants[i], co.peers[j]
    ranked = sorted(
        ((float(contrib[name][j]), name) for name in scorer.names if contrib[name][j] > 0),
        key=lambda t: (-t[0], t[1]),
    )
    crits = dict(co.criteria)
    return [
        describe(name, crits[name], getattr(p, name), getattr(leader, name), None)
        for _, name in ranked[:k]
    ]


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _holders(ctx: Context, j: int, exclude: int) -> list[int]:
    return [int(r) for r in np.flatnonzero(ctx.assignment == j) if r != exclude]


def explain_participant(result: MatchResult, participant_id: str, *, alternatives: int = 3) -> str:
    """The text behind :meth:`MatchResult.explain`."""
    ctx = result._context
    if ctx is None:
        return _explain_without_context(result, participant_id)
    scorer = ctx.scorer
    co = scorer.cohort
    if participant_id not in co.p_index:
        raise KeyError(f"participant {participant_id!r} is not part of this result")
    i = co.p_index[participant_id]
    blk = scorer.block(i, i + 1)
    values, reasons = blk.values[0], blk.reasons[0]
    feasible = reasons == 0
    order = sorted(np.flatnonzero(feasible).tolist(), key=lambda j: (-values[j], j))
    j = int(ctx.assignment[i])
    contrib = scorer.contributions(i)
    crits = dict(co.criteria)
    p = co.participants[i]
    lines: list[str] = []
    if j >= 0:
        leader_id = co.l.ids[j]
        rank = order.index(j) + 1
        lines.append(f"Participant {participant_id} is matched with peer leader {leader_id}.")
        extra = ""
        prefs = p.preferred or ()
        if leader_id in prefs:
            extra = f"; {_ordinal(prefs.index(leader_id) + 1)} on the participant's preferred list"
        lines.append(
            f"  Score {values[j]:.3f}: rank {rank} of {len(order)} feasible leaders{extra}."
        )
        lines.append(f"  Why {leader_id} (share of the score per criterion):")
        leader = co.peers[j]
        ranked = sorted(
            ((float(contrib[n][j]), n) for n in scorer.names if crits[n].weight > 0),
            key=lambda t: (-t[0], t[1]),
        )
        for value, name in ranked:
            if getattr(p, name) is None or getattr(leader, name) is None:
                continue
            text = describe(name, crits[name], getattr(p, name), getattr(leader, name), None)
            lines.append(f"    +{value:.3f}  {text}")
    else:
        un = next(u for u in result.unmatched if u.participant_id == participant_id)
        lines.append(f"Participant {participant_id} is unmatched ({un.reason}).")
        if un.reason == "capacity":
            lines.append(
                f"  {len(order)} leader{'s are' if len(order) != 1 else ' is'} feasible, but every "
                "one of them was full once the overall optimum was placed."
            )
        else:
            lines.append("  No leader is feasible for this participant:")
            for code, count in un.detail.items():
                lines.append(
                    f"    {count} {'leader' if count == 1 else 'leaders'}: {reason_text(code)}"
                )
            hint = _unmatched_hint(dict(un.detail))
            if hint:
                lines.append(f"  {hint}")
    # alternatives
    others = [c for c in order if c != j][:alternatives]
    if others:
        lines.append("  Leading alternatives:")
        for c in others:
            lines.append("    " + _alternative(ctx, i, j, c, values, contrib, result.solver))
    # preferences ranked above the outcome
    ranked_ids = list(p.preferred or ())
    if ranked_ids:
        got = co.l.ids[j] if j >= 0 else None
        above = ranked_ids[: ranked_ids.index(got)] if got in ranked_ids else ranked_ids
        if above:
            lines.append("  Preferred leaders ranked above this outcome:")
            for lid in above:
                lines.append("    " + _why_not(ctx, i, lid, values, reasons, result.solver))
    excluded = int((~feasible).sum())
    if j >= 0 and excluded:
        counts = np.bincount(reasons, minlength=len(scorer.reason_names))
        parts = [
            f"{int(counts[c])} {reason_text(scorer.reason_names[c])}"
            for c in range(1, len(counts))
            if counts[c]
        ]
        lines.append(f"  Excluded leaders: {excluded} ({'; '.join(parts)}).")
    return "\n".join(lines)


def _unmatched_hint(detail: dict[str, int]) -> str:
    if not detail:
        return "No peer leaders were given."
    top = max(detail.items(), key=lambda kv: kv[1])[0]
    if top.startswith("hard_criterion:"):
        name = top.split(":", 1)[1]
        return (
            f"Most leaders fail the rule on {LABELS.get(name, name)}: recruit a leader who "
            f"passes it, or relax the rule (a 'must' or a hard criterion)."
        )
    if top == "vetoed_by_participant":
        return "The participant's vetoes exclude most leaders; review them together."
    if top in ("leader_inactive", "leader_no_capacity"):
        return "Most leaders are paused or full: add capacity or reactivate leaders."
    if top == "below_min_score":
        return "Every remaining pair scores below min_score: lower it or recruit leaders."
    return ""


#: How each solver's outcome is described ("... went to P2 in the stable matching").
_OUTCOME = {
    "hungarian": "the best overall matching",
    "maximin": "the matching that lifts the lowest score",
    "greedy": "the greedy baseline (best remaining pair first)",
    "stable": "the stable matching",
}


def _outcome(solver: str) -> str:
    return _OUTCOME.get(solver, f"the {solver} solver's matching")


def _places(n: int) -> str:
    return "its place" if n == 1 else f"its {n} places"


def _preferred_position(ctx: Context, i: int, c: int) -> int:
    """1-based position of leader ``c`` on participant ``i``'s preferred list, 0 if absent."""
    prefs = ctx.scorer.cohort.preferences
    hit = (prefs.rows == i) & (prefs.cols == c)
    return int(prefs.position[hit][0]) if hit.any() else 0


def _alternative(
    ctx: Context,
    i: int,
    j: int,
    c: int,
    values: NDArray[np.float64],
    contrib: dict[str, Any],
    solver: str,
) -> str:
    co = ctx.scorer.cohort
    lid = co.l.ids[c]
    head = f"{lid} (score {values[c]:.3f})"
    if j < 0:
        holders = _holders(ctx, c, i)
        cap = int(ctx.capacity[c])
        if len(holders) >= cap:
            return f"{head}: full ({len(holders)} of {cap} places taken)"
        return f"{head}"
    crits = dict(co.criteria)
    p, alt = co.participants[i], co.peers[c]
    diffs = sorted(
        (
            (float(contrib[n][c] - contrib[n][j]), n)
            for n in ctx.scorer.names
            if crits[n].weight > 0
        ),
        key=lambda t: (t[0], t[1]),
    )
    lacked = [
        describe(n, crits[n], getattr(p, n), getattr(alt, n), None) for d, n in diffs if d < -1e-12
    ][:2]
    text = head
    if lacked:
        text += ": lower on " + "; ".join(lacked)
    if values[c] > values[j]:
        holders = _holders(ctx, c, i)
        pos_j, pos_c = _preferred_position(ctx, i, j), _preferred_position(ctx, i, c)
        if len(holders) >= int(ctx.capacity[c]):
            text += (
                f" — scores higher, but {_places(len(holders))} went to "
                f"{', '.join(co.p.ids[h] for h in holders)} in {_outcome(solver)}"
            )
        elif pos_j and (not pos_c or pos_j < pos_c):
            text += f" — scores higher, but the participant ranked {co.l.ids[j]} above it"
        else:
            text += f" — scores higher, but {_outcome(solver)} favoured this match"
    return text


def _why_not(
    ctx: Context,
    i: int,
    lid: str,
    values: NDArray[np.float64],
    reasons: NDArray[np.int16],
    solver: str,
) -> str:
    """Why participant ``i`` did not get leader ``lid``, which it ranked above its outcome."""
    co = ctx.scorer.cohort
    c = co.l_index.get(lid)
    if c is None:
        return f"{lid}: not among the peer leaders of this run"
    code = int(reasons[c])
    if code:
        name = ctx.scorer.reason_names[code]
        return f"{lid}: excluded — {reason_text(name)} ({name})"
    holders = _holders(ctx, c, i)
    cap = int(ctx.capacity[c])
    if len(holders) >= cap:
        own = values[c]
        higher: list[str] = []
        lower: list[str] = []
        for h in holders:
            other_value, _ = ctx.scorer.pairs(np.array([h]), np.array([c]))
            (higher if (other_value[0], -h) > (own, -i) else lower).append(co.p.ids[h])
        text = f"{lid}: full ({cap} {'place' if cap == 1 else 'places'})"
        if higher:
            text += f"; it ranks {', '.join(higher)} higher"
        if lower:
            text += f"; {', '.join(lower)} got a place there in {_outcome(solver)}"
        return text
    j = int(ctx.assignment[i])
    if j < 0:
        return f"{lid}: had room, but {_outcome(solver)} left the participant unmatched"
    text = (
        f"{lid}: had room, but {_outcome(solver)} placed the participant with {co.l.ids[j]} "
        f"(score {values[j]:.3f} against {values[c]:.3f} here"
    )
    bonus = co.config.preference_bonus
    if solver != "stable":
        text += f"; a ranking adds at most {bonus:g} to a pair's value"
    return text + ")"


def _explain_without_context(result: MatchResult, participant_id: str) -> str:
    m = result.match_for(participant_id)
    if m is not None:
        parts = sorted(m.contributions.items(), key=lambda kv: -kv[1])[:5]
        why = "; ".join(f"{LABELS.get(k, k)} +{v:.3f}" for k, v in parts)
        return (
            f"Participant {participant_id} is matched with peer leader {m.peer_id} "
            f"(score {m.score:.3f}, rank {m.rank}). {why}"
        )
    for u in result.unmatched:
        if u.participant_id == participant_id:
            return f"Participant {participant_id} is unmatched: {u.text}."
    raise KeyError(f"participant {participant_id!r} is not part of this result")
