"""Naive per-pair reference implementations, written from the rules of ``docs/criteria.md`` without the package's
kernels: plain Python values, one pair at a time."""

from __future__ import annotations

from typing import Any

from peermatch import MatchConfig, Participant, PeerLeader
from peermatch.profiles._models import CRITERION_FIELDS
from peermatch.profiles._vocab import ORDERED

MULT = {"must": 2.0, "high": 2.0, "normal": 1.0, "low": 0.5, "ignore": 0.0}
PASS_AT = {
    "exact": 1.0,
    "ordinal": 1.0,
    "numeric": 0.5,
    "experience": 0.5,
    "jaccard": 1e-9,
    "coverage": 1.0,
    "overlap": 1e-9,
}


def _norm(field: str, value: Any) -> Any:
    if value is None:
        return None
    if field == "region":
        return value.casefold()
    if isinstance(value, frozenset):
        return {str(v) for v in value} or None
    if isinstance(value, float | int):
        return float(value)
    return str(value)


def similarity(field: str, crit: Any, a: Any, b: Any) -> float:
    kind = crit.kind
    if kind == "exact":
        s = 1.0 if a == b else 0.0
    elif kind == "ordinal":
        levels = [str(x) for x in ORDERED[field]]
        s = 1.0 - abs(levels.index(a) - levels.index(b)) / (len(levels) - 1)
    elif kind == "numeric":
        scale = crit.scale if crit.scale is not None else 20.0
        s = max(0.0, 1.0 - abs(a - b) / scale)
    elif kind == "experience":
        margin = crit.margin if crit.margin is not None else 2.0
        scale = crit.scale if crit.scale is not None else 10.0
        d = b - a
        if d >= margin:
            s = 1.0
        elif d >= 0:
            s = 0.5 + 0.5 * d / margin
        else:
            s = max(0.0, 0.5 * (1 + d / scale))
    elif kind == "jaccard":
        s = len(a & b) / len(a | b)
    elif kind == "coverage":
        s = len(a & b) / len(a)
    elif kind == "overlap":
        full = crit.full_at if crit.full_at is not None else crit.min_shared
        k = len(a & b)
        s = 0.0 if k < crit.min_shared else min(1.0, k / full)
    else:  # pragma: no cover
        raise AssertionError(kind)
    return 1.0 - s if crit.invert else s


def criteria_of(config: MatchConfig, people: list[Any]) -> dict[str, Any]:
    """The config's criteria, then fields someone marks ``must`` that it does not score, in
    field order (so the order never depends on the order of the rows)."""
    crits = dict(config.criteria)
    extra = {
        f
        for person in people
        for f, lvl in (person.importance or {}).items()
        if str(lvl) == "must" and f not in crits
    }
    for f in CRITERION_FIELDS:
        if f in extra:
            crits[f] = config.criterion_for(f)
    return crits


def pair(
    p: Participant,
    leader: PeerLeader,
    config: MatchConfig,
    crits: dict[str, Any],
    blocked: frozenset[tuple[str, str]] = frozenset(),
) -> tuple[float, str]:
    """(score, first reason) of one pair, by the book."""
    num = den = 0.0
    hard_fail: list[str] = []
    for field, crit in crits.items():
        a, b = _norm(field, getattr(p, field)), _norm(field, getattr(leader, field))
        given = a is not None and b is not None
        s = similarity(field, crit, a, b) if given else None
        m = MULT[str((p.importance or {}).get(field, "normal"))]
        if given and crit.weight > 0:
            num += crit.weight * m * s
            den += crit.weight * m
        threshold = crit.pass_at if crit.pass_at is not None else PASS_AT[crit.kind]
        passes = given and s >= threshold - 1e-12
        p_must = str((p.importance or {}).get(field)) == "must"
        l_must = str((leader.importance or {}).get(field)) == "must"
        if (crit.hard and given and not passes) or ((p_must or l_must) and not passes):
            hard_fail.append(field)
    value = num / den if den > 0 else 0.0
    if leader.id in (p.vetoes or ()):
        reason = "vetoed_by_participant"
    elif p.id in (leader.vetoes or ()):
        reason = "vetoed_by_leader"
    elif (p.id, leader.id) in blocked:
        reason = "previously_ended"
    elif not leader.active:
        reason = "leader_inactive"
    elif leader.capacity <= 0:
        reason = "leader_no_capacity"
    elif hard_fail:
        reason = f"hard_criterion:{hard_fail[0]}"
    elif value < config.min_score:
        reason = "below_min_score"
    else:
        reason = "feasible"
    return value, reason
