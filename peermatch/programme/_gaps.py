"""Recruitment gaps: which needs leave participants without a good match (``docs/planning.md``).

:func:`gaps` matches a cohort, then looks at each *need* that can make a participant hard to
place — a language, another hard rule, a time of the week, a treatment, a support goal — and
counts how many participants have it, how many places the leaders who meet it have, and how
many participants the matching leaves without a leader who meets it. It then proposes
recruitment targets in words (``2 more leaders who speak Punjabi, available weekday
evenings``) and checks each one by matching again with synthetic leaders of that kind added.

Needs
-----
A participant has a need only on a criterion the configuration uses for them:

``language``
    The participant's languages, when the configuration enforces the languages rule (by
    default it does). Met by a leader who passes that rule with them (shares a language).
``rule``
    Every other rule enforced for the participant: a hard criterion of the configuration on
    a value they give, or a criterion they mark ``must``. Met by a leader who passes it (for
    a hard criterion, a leader who gives no value passes, as in matching).
``availability``
    When availability is scored or enforced for them: met by a leader who passes the
    availability criterion's ``pass_at`` with them (by default: shares at least one weekly
    slot). Needs are grouped by the parts of the week the participant's slots fall in
    (weekday or weekend, morning, afternoon or evening).
``treatment``, ``support_goal``
    One need per treatment the participant uses and per support goal they want, when that
    criterion is scored for them. Met by a leader who has used that treatment, or offers that
    goal.

Participants with the same kind of need and the same value form one row. A row's leaders are
the active leaders with capacity who meet it (for availability: for at least one of its
participants) and its places their total capacity. *Without a good match* counts the row's
participants who are unmatched or whose leader does not meet the need; *places short* is
``max(0, participants - places)``. Rows that every active leader with capacity meets are left
out: they make no one hard to place (when there is no such leader, every row is kept).

Recruitment targets
-------------------
Rows with participants without a good match become targets, languages first, then other
rules, availability, treatments and support goals; within a kind, the most places short first,
then the most participants without a good match. A target is *for* the row's participants
without a good match that no earlier target is for, split by the language a leader would
speak with them and by their ``must`` values on one-value fields (such as sex). Its synthetic
leaders have exactly what those participants need and nothing else: the need itself (for a
treatment or support goal, with the other treatments or goals at least half of them share);
a language every one of them speaks; every weekly slot of the parts of the week their slots
fall in (when the configuration uses availability); a value passing each of their ``must``
rules; their median age (``age`` is required); capacity ``capacity``; active. The other fields
are not given, so they neither add to a score nor take from it.

The check matches again with ``ceil(participants / capacity)`` such leaders added. A leader
given only a few fields scores highly with anyone who shares them, so in the check the new
leaders take only the participants they are recruited for (they refuse the others, as a
coordinator keeps a new leader for the people they were recruited for). A participant is
*placed* when the new match gives them a leader who meets the need — a new one, or a current
one whose place another participant freed. A target is *sufficient* when it places every
participant it is for; otherwise the report says how many it placed and why not the others
(they keep a leader the matching prefers, or stay unmatched).

Examples
--------
>>> from peermatch import Participant, PeerLeader
>>> ps = [Participant(id=f"P{i}", age=60, languages="pa") for i in range(3)]
>>> ls = [PeerLeader(id="L1", age=60, languages="pa", capacity=1),
...       PeerLeader(id="L2", age=60, languages="en", capacity=5)]
>>> report = gaps(ps, ls)
>>> [(n.kind, n.label, len(n.participants), n.places, len(n.unmet)) for n in report.needs]
[('language', 'Punjabi', 3, 1, 2)]
>>> report.targets[0].text
'1 more leader who speaks Punjabi'
>>> report.targets[0].sufficient, report.targets[0].placed
(True, ('P1', 'P2'))
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
from peermatch._version import __version__
from peermatch.matching._explain import LABELS
from peermatch.matching._match import solve_scored
from peermatch.matching._results import MatchResult
from peermatch.profiles._models import Participant, PeerLeader
from peermatch.profiles._vocab import AVAILABILITY_SLOTS, Importance, Slot
from peermatch.programme._words import list_words, value_words
from peermatch.scoring._config import Criterion, MatchConfig, as_config
from peermatch.scoring._criteria import both_given, similarity
from peermatch.scoring._encode import Cohort
from peermatch.scoring._scorer import PASS_TOLERANCE, _as_list, build_scorer
from peermatch.solvers._solve import check_solver_name

__all__ = ["KINDS", "SLOT_GROUPS", "GapReport", "Need", "Target", "gaps"]

BoolArray = NDArray[np.bool_]

#: Kinds of need, in the order rows and targets are listed.
KINDS: tuple[str, ...] = ("language", "rule", "availability", "treatment", "support_goal")

#: Parts of the week availability needs are grouped by: code -> (words, slots).
SLOT_GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    f"{days}_{part}": (
        f"{days} {part}s",
        tuple(
            s
            for s in AVAILABILITY_SLOTS
            if s.endswith(f"_{part}") and (s[:3] in ("sat", "sun")) == (days == "weekend")
        ),
    )
    for days in ("weekday", "weekend")
    for part in ("morning", "afternoon", "evening")
}
_GROUP_OF = {slot: code for code, (_, slots) in SLOT_GROUPS.items() for slot in slots}

#: Fields whose ``must`` asks for one exact value (claimed participants are split by it).
_ONE_VALUE_KINDS = frozenset({"exact", "ordinal", "numeric"})


@dataclass(frozen=True)
class Need:
    """One need and what the matching leaves of it.

    Attributes
    ----------
    kind : str
        ``language``, ``rule``, ``availability``, ``treatment`` or ``support_goal``.
    field : str
        The profile field.
    key : str
        The value, as text: a code, or codes joined by ``;``; a rule marked ``must`` ends in
        ``" (must)"``.
    label : str
        The value in plain words (``Punjabi``, ``weekday evenings``).
    participants : tuple of str
        Participants with this need.
    leaders : tuple of str
        Active leaders with capacity who meet it.
    places : int
        Their total capacity.
    unmet : tuple of str
        Participants with this need left without a good match: unmatched, or matched with a
        leader who does not meet it.
    """

    kind: str
    field: str
    key: str
    label: str
    participants: tuple[str, ...]
    leaders: tuple[str, ...]
    places: int
    unmet: tuple[str, ...]

    @property
    def short(self) -> int:
        """Places short: ``max(0, participants - places)``."""
        return max(0, len(self.participants) - self.places)

    @property
    def title(self) -> str:
        """``kind: label`` in words."""
        return f"{self.kind.replace('_', ' ')}: {self.label}"


@dataclass(frozen=True)
class Target:
    """A recruitment target and its check.

    Attributes
    ----------
    need : Need
        The need it addresses.
    leaders : int
        How many leaders to recruit.
    profile : PeerLeader
        One of the synthetic leaders the check added (the others differ only by id).
    text : str
        The target in words.
    claimed : tuple of str
        Participants it is meant to place.
    placed : tuple of str
        Those the check placed with a leader who meets the need.
    sufficient : bool
        Whether every claimed participant was placed.
    note : str
        Why not, when not sufficient ("" otherwise).
    """

    need: Need
    leaders: int
    profile: PeerLeader
    text: str
    claimed: tuple[str, ...]
    placed: tuple[str, ...]
    sufficient: bool
    note: str = ""


@dataclass(frozen=True)
class GapReport:
    """Needs, recruitment targets and the match they were found in.

    Attributes
    ----------
    needs : tuple of Need
        Every need that not every active leader meets, in :data:`KINDS` order, then the most
        participants without a good match first.
    targets : tuple of Target
        Recruitment targets, each checked.
    without_good_match : tuple of str
        Participants unmatched or with at least one need unmet.
    result : MatchResult
        The match the needs were read from.
    combined : tuple of (int, int)
        Participants without a good match on the needs of the sufficient targets, before and
        after the leaders of all those targets are added at once.
    capacity : int
        Capacity of each synthetic leader.
    """

    needs: tuple[Need, ...]
    targets: tuple[Target, ...]
    without_good_match: tuple[str, ...]
    result: MatchResult
    combined: tuple[int, int]
    capacity: int
    _settings: Mapping[str, Any] = field(default_factory=dict, repr=False)

    def to_records(self) -> list[dict[str, Any]]:
        """One row per need, then one per target (column ``row``: ``need`` or ``target``)."""
        rows: list[dict[str, Any]] = []
        for n in self.needs:
            rows.append(
                {
                    "row": "need",
                    "kind": n.kind,
                    "field": n.field,
                    "need": n.key,
                    "words": n.label,
                    "participants": len(n.participants),
                    "leaders": len(n.leaders),
                    "places": n.places,
                    "places_short": n.short,
                    "without_good_match": len(n.unmet),
                    "recruit": None,
                    "claimed": None,
                    "placed": None,
                    "sufficient": None,
                }
            )
        for t in self.targets:
            rows.append(
                {
                    "row": "target",
                    "kind": t.need.kind,
                    "field": t.need.field,
                    "need": t.need.key,
                    "words": t.text,
                    "participants": len(t.need.participants),
                    "leaders": len(t.need.leaders),
                    "places": t.need.places,
                    "places_short": t.need.short,
                    "without_good_match": len(t.need.unmet),
                    "recruit": t.leaders,
                    "claimed": len(t.claimed),
                    "placed": len(t.placed),
                    "sufficient": t.sufficient,
                }
            )
        return rows

    def to_csv(self, path: str | Path | None = None) -> str:
        """The records as CSV (written atomically when ``path`` is given); return the text."""
        from peermatch._core.files import csv_text, write_text_atomic

        records = self.to_records()
        header = list(_CSV_COLUMNS)
        text = csv_text(header, [[_cell(r[h]) for h in header] for r in records])
        if path is not None:
            write_text_atomic(path, text)
        return text

    def to_dict(self) -> dict[str, Any]:
        """Everything in JSON-ready form, with the participant ids of every row."""
        return {
            "peermatch_version": __version__,
            "config_hash": self.result.manifest.config_hash,
            "input_hash": self.result.manifest.input_hash,
            "solver": self.result.solver,
            "settings": dict(self._settings),
            "n_participants": self.result.metrics["n_participants"],
            "n_matched": self.result.metrics["n_matched"],
            "without_good_match": list(self.without_good_match),
            "combined": {"before": self.combined[0], "after": self.combined[1]},
            "needs": [
                {
                    "kind": n.kind,
                    "field": n.field,
                    "need": n.key,
                    "words": n.label,
                    "participants": list(n.participants),
                    "leaders": list(n.leaders),
                    "places": n.places,
                    "places_short": n.short,
                    "without_good_match": list(n.unmet),
                }
                for n in self.needs
            ],
            "targets": [
                {
                    "kind": t.need.kind,
                    "need": t.need.key,
                    "text": t.text,
                    "recruit": t.leaders,
                    "profile": t.profile.model_dump(mode="json", exclude_none=True),
                    "claimed": list(t.claimed),
                    "placed": list(t.placed),
                    "sufficient": t.sufficient,
                    "note": t.note,
                }
                for t in self.targets
            ],
        }

    def to_json(self, path: str | Path | None = None) -> str:
        """:meth:`to_dict` as JSON (written atomically when ``path`` is given)."""
        from peermatch._core.files import write_text_atomic

        text = json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"
        if path is not None:
            write_text_atomic(path, text)
        return text

    def to_text(self, *, rows: int | None = None) -> str:
        """A readable report: the needs that leave someone without a good match, then targets.

        ``rows`` limits the needs shown (default: every need with someone without a good
        match or places short).
        """
        mt = self.result.metrics
        lines = [
            f"{mt['n_matched']} of {mt['n_participants']} participants matched "
            f"({self.result.solver}); {len(self.without_good_match)} without a good match "
            "(unmatched, or a need below not met by their leader)."
        ]
        shown_needs = [n for n in self.needs if n.unmet or n.short]
        if rows is not None:
            shown_needs = shown_needs[:rows]
        if shown_needs:
            header = ["need", "participants", "leaders", "places", "short", "without"]
            body = [
                [
                    n.title,
                    str(len(n.participants)),
                    str(len(n.leaders)),
                    str(n.places),
                    str(n.short),
                    str(len(n.unmet)),
                ]
                for n in shown_needs
            ]
            widths = [max(len(r[c]) for r in [header, *body]) for c in range(len(header))]
            lines.append("")
            for r in [header, ["-" * w for w in widths], *body]:
                cells = [r[0].ljust(widths[0])] + [r[c].rjust(widths[c]) for c in range(1, len(r))]
                lines.append("  ".join(cells).rstrip())
            others = len(self.needs) - len(shown_needs)
            if others:
                lines.append(f"({others} more needs are met for everyone; see the CSV or JSON)")
        else:
            lines.append("Every need is met for every participant.")
        if self.targets:
            lines.append("")
            lines.append(
                f"Recruitment targets (each checked by matching again with such leaders, "
                f"capacity {self.capacity}, added):"
            )
            for k, t in enumerate(self.targets, 1):
                if t.sufficient:
                    status = (
                        "places the participant it is for"
                        if len(t.claimed) == 1
                        else f"places the {len(t.claimed)} participants it is for"
                    )
                else:
                    status = f"NOT SUFFICIENT: {t.note}"
                lines.append(f"  {k}. {t.text} — {status}")
            before, after = self.combined
            if any(t.sufficient for t in self.targets):
                lines.append(
                    "With the leaders of every sufficient target added at once, the participants "
                    f"without a good match on those needs go from {before} to {after}."
                )
        return "\n".join(lines) + "\n"

    def __str__(self) -> str:
        return self.to_text()


_CSV_COLUMNS = (
    "row",
    "kind",
    "field",
    "need",
    "words",
    "participants",
    "leaders",
    "places",
    "places_short",
    "without_good_match",
    "recruit",
    "claimed",
    "placed",
    "sufficient",
)


def _cell(value: object) -> object:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


# -- needs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _RawNeed:
    """A need row before counting: its participants and who meets it (cohort indices)."""

    kind: str
    field: str
    key: str
    label: str
    rows: tuple[int, ...]
    meets: BoolArray  # (len(rows), n_leaders): leader meets the need of that participant


def _criterion_index(co: Cohort) -> dict[str, int]:
    return {name: k for k, (name, _) in enumerate(co.criteria)}


def _passes(co: Cohort, k: int, rows: Sequence[int], *, must: bool) -> BoolArray:
    """Whether each leader passes criterion ``k`` for each of ``rows`` (as matching decides)."""
    name, crit = co.criteria[k]
    idx = np.asarray(rows, dtype=np.int64)
    a = co.p.fields[name].take(idx)
    b = co.l.fields[name]
    given = both_given(a, b)
    passed = given & (similarity(crit, a, b) >= crit.threshold - PASS_TOLERANCE)
    if must:
        return passed
    out: BoolArray = passed | ~given  # a hard criterion passes when a side gives nothing
    return out


def _set_text(value: frozenset[Any]) -> str:
    return ";".join(sorted(str(getattr(v, "value", v)) for v in value))


def _value_label(name: str, crit: Criterion, value: Any) -> str:
    if isinstance(value, frozenset):
        words = [value_words(name, v) for v in sorted(value, key=str)]
        joiner = "and" if crit.kind in ("coverage", "exact") else "or"
        return list_words(words, joiner)
    if crit.kind == "experience":
        return f"at least {value:g} years" if isinstance(value, float) else str(value)
    if isinstance(value, float):
        return f"{value:g}"
    return value_words(name, value)


def _groups_of(slots: frozenset[Any]) -> tuple[str, ...]:
    found = {_GROUP_OF[str(getattr(s, "value", s))] for s in slots}
    return tuple(code for code in SLOT_GROUPS if code in found)


def _groups_label(groups: Sequence[str]) -> str:
    """``weekday mornings and evenings and weekend afternoons``; all six: any time."""
    if len(groups) == len(SLOT_GROUPS):
        return "at any time of the week"
    parts = []
    for days in ("weekday", "weekend"):
        mine = [g.split("_", 1)[1] + "s" for g in groups if g.startswith(days)]
        if len(mine) == 3:
            parts.append(f"{days}s at any time")
        elif mine:
            parts.append(f"{days} {list_words(mine)}")
    return " and ".join(parts)


def _raw_needs(co: Cohort) -> list[_RawNeed]:
    """Every need of every participant, grouped by kind and value."""
    index = _criterion_index(co)
    ps = co.participants
    groups: dict[tuple[str, str, str], list[int]] = {}
    labels: dict[tuple[str, str, str], str] = {}
    crit_of: dict[tuple[str, str, str], tuple[int, bool]] = {}

    def add(key: tuple[str, str, str], i: int, label: str, k: int = -1, must: bool = False) -> None:
        groups.setdefault(key, []).append(i)
        labels.setdefault(key, label)
        crit_of.setdefault(key, (k, must))

    for name, k in index.items():
        crit = co.criteria[k][1]
        must = co.p.must[:, k]
        scored = crit.weight * co.multiplier[:, k] > 0
        given = co.p.fields[name].given
        enforced = must | (crit.hard & given)
        for i, p in enumerate(ps):
            value = getattr(p, name)
            if name == "languages" and enforced[i]:
                text = _set_text(value)
                label = list_words([value_words(name, v) for v in sorted(value)], "or")
                add(("language", name, text), i, label, k, bool(must[i]))
            elif name == "availability" and (scored[i] or enforced[i]) and given[i]:
                grp = _groups_of(value)
                add(("availability", name, ";".join(grp)), i, _groups_label(grp), k, True)
            elif name in ("treatments", "support_goals") and scored[i] and given[i]:
                kind = "treatment" if name == "treatments" else "support_goal"
                for v in sorted(value, key=str):
                    code = str(v.value)
                    add((kind, name, code), i, value_words(name, v))
            if name not in ("languages", "availability") and enforced[i]:
                text = _set_text(value) if isinstance(value, frozenset) else _scalar_text(value)
                key = text + (" (must)" if must[i] else "")
                label = f"{LABELS.get(name, name)} {_value_label(name, crit, value)}"
                if must[i]:
                    label += " (must)"
                add(("rule", name, key), i, label, k, bool(must[i]))
    out = []
    order = {kind: r for r, kind in enumerate(KINDS)}
    for group in sorted(groups, key=lambda t: (order[t[0]], t[1], t[2])):
        kind, name, code = group
        rows = tuple(groups[group])
        k, is_must = crit_of[group]
        meets: BoolArray
        if kind in ("treatment", "support_goal"):
            has = np.array([_has(getattr(x, name), code) for x in co.peers], dtype=np.bool_)
            meets = np.broadcast_to(has, (len(rows), co.l.n))
        elif kind == "availability":
            meets = _passes(co, k, rows, must=True)
        else:
            first = _passes(co, k, rows[:1], must=is_must)
            meets = np.broadcast_to(first, (len(rows), co.l.n))
        out.append(_RawNeed(kind, name, code, labels[group], rows, meets))
    return out


def _scalar_text(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(getattr(value, "value", value))


def _has(values: frozenset[Any] | None, code: str) -> bool:
    return bool(values) and any(str(getattr(v, "value", v)) == code for v in values or ())


def _needs(co: Cohort, assignment: NDArray[np.int64]) -> tuple[list[Need], set[int]]:
    """Count every need against an assignment; also the rows with a need unmet."""
    usable = co.active & (co.capacity > 0)
    out: list[Need] = []
    unmet_rows: set[int] = set()
    for raw in _raw_needs(co):
        rows = np.asarray(raw.rows, dtype=np.int64)
        meets = raw.meets & usable[None, :]
        if usable.any() and bool(np.all(meets[:, usable])):
            continue  # every usable leader meets it for everyone: no one is hard to place
        leaders = np.flatnonzero(meets.any(axis=0))
        got = assignment[rows]
        ok = np.zeros(rows.size, dtype=np.bool_)
        hit = got >= 0
        ok[hit] = raw.meets[np.flatnonzero(hit), got[hit]]
        unmet_rows.update(rows[~ok].tolist())
        out.append(
            Need(
                kind=raw.kind,
                field=raw.field,
                key=raw.key,
                label=raw.label,
                participants=tuple(co.p.ids[i] for i in rows.tolist()),
                leaders=tuple(co.l.ids[j] for j in leaders.tolist()),
                places=int(co.capacity[leaders].sum()),
                unmet=tuple(co.p.ids[i] for i in rows[~ok].tolist()),
            )
        )
    order = {kind: r for r, kind in enumerate(KINDS)}
    out.sort(key=lambda n: (order[n.kind], -n.short, -len(n.unmet), n.field, n.key))
    return out, unmet_rows


def _assess(
    ps: Sequence[Participant], ls: Sequence[PeerLeader], cfg: MatchConfig, solver: str
) -> tuple[MatchResult, Cohort, list[Need], tuple[str, ...]]:
    scorer = build_scorer(ps, ls, cfg)
    result = solve_scored(scorer, solver)
    co = scorer.cohort
    assert result._context is not None
    assignment = result._context.assignment
    needs, unmet_rows = _needs(co, assignment)
    unmet_rows |= set(np.flatnonzero(assignment < 0).tolist())
    without = tuple(co.p.ids[i] for i in sorted(unmet_rows))
    return result, co, needs, without


# -- targets -------------------------------------------------------------------------------


def _cover(sets: Sequence[frozenset[str]], spoken: Mapping[str, int]) -> list[str]:
    """Fewest languages sharing one with each set (greedy; ties: most spoken, then code)."""
    left = list(sets)
    chosen: list[str] = []
    while left:
        counts: dict[str, int] = {}
        for s in left:
            for lang in s:
                counts[lang] = counts.get(lang, 0) + 1
        best = min(counts, key=lambda x: (-counts[x], -spoken.get(x, 0), x))
        chosen.append(best)
        left = [s for s in left if best not in s]
    return chosen


@dataclass
class _Design:
    """What the synthetic leaders of one target get, and the words for it."""

    values: dict[str, Any]
    phrases: list[tuple[str, str]]  # (plural, singular) phrases after "who"


def _common(ps: Sequence[Participant], name: str, code: str) -> frozenset[Any]:
    """The need's value plus the values of ``name`` at least half of ``ps`` give."""
    counts: dict[Any, int] = {}
    for p in ps:
        for v in getattr(p, name) or ():
            counts[v] = counts.get(v, 0) + 1
    return frozenset(v for v, c in counts.items() if 2 * c >= len(ps) or str(v.value) == code)


def _ordered_words(name: str, values: frozenset[Any], first: str) -> str:
    ordered = sorted(values, key=lambda v: (str(v.value) != first, str(v.value)))
    return list_words([value_words(name, v) for v in ordered])


def _design(co: Cohort, need: Need, rows: Sequence[int]) -> _Design:
    """The synthetic leader meeting ``need`` and the rules of the claimed ``rows``."""
    index = _criterion_index(co)
    ps = [co.participants[i] for i in rows]
    values: dict[str, Any] = {"age": round(float(np.median([p.age for p in ps])))}
    phrases: list[tuple[str, str]] = []
    # languages: the need's own, or a cover of the claimed participants' languages
    lang_sets = [frozenset(p.languages) for p in ps]
    if need.kind == "language":
        leaders_speaking: dict[str, int] = {}
        for x, on in zip(co.peers, co.active.tolist(), strict=True):
            for lang in x.languages if on else ():
                leaders_speaking[lang] = leaders_speaking.get(lang, 0) + 1
        langs = [min(lang_sets[0], key=lambda x: (leaders_speaking.get(x, 0), x))]
    else:
        spoken: dict[str, int] = {}
        for p in co.participants:
            for lang in p.languages:
                spoken[lang] = spoken.get(lang, 0) + 1
        langs = _cover(lang_sets, spoken)
    values["languages"] = frozenset(langs)
    lang_words = list_words([value_words("languages", x) for x in langs])
    lang_phrase = (f"speak {lang_words}", f"speaks {lang_words}")
    if need.kind == "language":
        phrases.append(lang_phrase)
    elif need.kind == "treatment":
        values["treatments"] = _common(ps, "treatments", need.key)
        words = _ordered_words("treatments", values["treatments"], need.key)
        phrases.append((f"have used {words}", f"has used {words}"))
    elif need.kind == "support_goal":
        values["support_goals"] = _common(ps, "support_goals", need.key)
        words = _ordered_words("support_goals", values["support_goals"], need.key)
        phrases.append((f"offer support with {words}", f"offers support with {words}"))
    # availability: every slot of the parts of the week the claimed participants' slots are in
    if "availability" in index:
        slots = frozenset().union(*(p.availability or frozenset() for p in ps))
        if slots:
            grp = _groups_of(slots)
            values["availability"] = frozenset(Slot(s) for g in grp for s in SLOT_GROUPS[g][1])
            words = _groups_label(grp)
            phrase = (f"are available {words}", f"is available {words}")
            phrases.insert(0 if need.kind == "availability" else len(phrases), phrase)
    if need.kind != "language":
        phrases.append(lang_phrase)
    # rules the claimed participants mark must (and the need's own rule)
    musts = {f for p in ps for f, lvl in (p.importance or {}).items() if lvl is Importance.MUST}
    if need.kind == "rule":
        musts.add(need.field)
    for name in sorted(musts - set(values), key=lambda f: index.get(f, len(index))):
        if name not in index:
            continue
        crit = co.criteria[index[name]][1]
        own = [getattr(p, name) for p in ps if getattr(p, name) is not None]
        if not own:
            continue
        if isinstance(own[0], frozenset):
            value: Any = frozenset().union(*own)
        elif crit.kind == "experience":
            value = float(max(own)) + crit.eff_margin
        else:
            value = own[0]
        values[name] = value
        primary = need.kind == "rule" and name == need.field
        phrases.insert(0 if primary else len(phrases), _rule_phrase(name, crit, value))
    return _Design(values, phrases)


_SEX_WORDS = {"female": ("are women", "is a woman"), "male": ("are men", "is a man")}


def _rule_phrase(name: str, crit: Criterion, value: Any) -> tuple[str, str]:
    code = str(getattr(value, "value", value))
    if name == "sex" and code in _SEX_WORDS:
        return _SEX_WORDS[code]
    words = f"with {LABELS.get(name, name)} {_value_label(name, crit, value)}"
    return words, words


def _split(co: Cohort, need: Need, rows: Sequence[int]) -> list[list[int]]:
    """Claimed rows split by the language a leader would speak with them and by ``must`` values.

    The language split is skipped for a language need; ``must`` values count on one-value
    fields only (such as sex).
    """
    index = _criterion_index(co)
    spoken: dict[str, int] = {}
    for p in co.participants:
        for lang in p.languages:
            spoken[lang] = spoken.get(lang, 0) + 1
    langs = _cover([frozenset(co.participants[i].languages) for i in rows], spoken)
    parts: dict[tuple[Any, ...], list[int]] = {}
    for i in rows:
        p = co.participants[i]
        lang = "" if need.kind == "language" else next(x for x in langs if x in p.languages)
        key = (
            lang,
            *(
                (f, str(getattr(p, f)))
                for f, lvl in sorted((p.importance or {}).items())
                if lvl is Importance.MUST
                and f in index
                and co.criteria[index[f]][1].kind in _ONE_VALUE_KINDS
            ),
        )
        parts.setdefault(key, []).append(i)
    return [parts[k] for k in sorted(parts)]


def _outcome_words(solver: str) -> str:
    from peermatch.matching._explain import _outcome

    return _outcome(solver)


def _new_ids(taken: set[str], prefix: str, k: int) -> list[str]:
    out: list[str] = []
    n = 1
    while len(out) < k:
        candidate = f"{prefix}-{n}"
        if candidate not in taken:
            out.append(candidate)
        n += 1
    return out


def _placed(
    ps: Sequence[Participant],
    ls: Sequence[PeerLeader],
    cfg: MatchConfig,
    solver: str,
    need: Need,
    claimed: Sequence[str],
) -> tuple[list[str], list[str], MatchResult]:
    """Which claimed participants a match of this cohort places with a leader meeting ``need``."""
    scorer = build_scorer(ps, ls, cfg)
    result = solve_scored(scorer, solver)
    co = scorer.cohort
    assert result._context is not None
    assignment = result._context.assignment
    raw = {(r.kind, r.field, r.key): r for r in _raw_needs(co)}[(need.kind, need.field, need.key)]
    where = {i: k for k, i in enumerate(raw.rows)}
    placed: list[str] = []
    unmatched: list[str] = []
    for pid in claimed:
        i = co.p_index[pid]
        j = int(assignment[i])
        if j < 0:
            unmatched.append(pid)
        elif raw.meets[where[i], j]:
            placed.append(pid)
    return placed, unmatched, result


def _recruits(
    template: PeerLeader, ids: Sequence[str], claimed: Sequence[str], everyone: Sequence[str]
) -> list[PeerLeader]:
    """The synthetic leaders of a check, kept for the participants they are recruited for."""
    others = frozenset(everyone) - frozenset(claimed)
    return [template.model_copy(update={"id": i, "vetoes": others or None}) for i in ids]


def _target(
    ps: Sequence[Participant],
    ls: Sequence[PeerLeader],
    cfg: MatchConfig,
    solver: str,
    co: Cohort,
    need: Need,
    rows: Sequence[int],
    number: int,
    capacity: int,
) -> Target:
    design = _design(co, need, rows)
    claimed = tuple(co.p.ids[i] for i in rows)
    k = math.ceil(len(claimed) / capacity)
    template = PeerLeader(id="NEW", capacity=capacity, **design.values)
    ids = _new_ids({x.id for x in ls}, f"NEW{number}", k)
    new = _recruits(template, ids, claimed, co.p.ids)
    placed, unmatched, _ = _placed(ps, [*ls, *new], cfg, solver, need, claimed)
    plural = k != 1
    who = ", ".join(pl if plural else sg for pl, sg in design.phrases)
    text = f"{k} more {'leaders' if plural else 'leader'} who {who}"
    note = ""
    sufficient = len(placed) == len(claimed)
    if not sufficient:
        still = [pid for pid in claimed if pid not in placed and pid not in unmatched]
        parts = []
        if still:
            parts.append(
                f"{', '.join(still)} {'stays' if len(still) == 1 else 'stay'} with a leader "
                f"who does not meet it, as {_outcome_words(solver)} prefers"
            )
        if unmatched:
            verb = "stays" if len(unmatched) == 1 else "stay"
            parts.append(f"{', '.join(unmatched)} {verb} unmatched")
        note = f"{len(placed)} of {len(claimed)} placed; " + "; ".join(parts)
    return Target(
        need=need,
        leaders=k,
        profile=template.model_copy(update={"id": ids[0]}),
        text=text,
        claimed=claimed,
        placed=tuple(p for p in claimed if p in placed),
        sufficient=sufficient,
        note=note,
    )


def gaps(
    participants: Iterable[Participant],
    peers: Iterable[PeerLeader],
    config: MatchConfig | None = None,
    *,
    solver: str | None = None,
    capacity: int = 5,
    max_targets: int = 5,
) -> GapReport:
    """Needs that leave participants without a good match, and checked recruitment targets.

    Parameters
    ----------
    participants : iterable of Participant
    peers : iterable of PeerLeader
    config : MatchConfig, optional
        Default: the ``participant_centred`` preset.
    solver : str, keyword-only, optional
        Wins over ``config.solver``.
    capacity : int, keyword-only
        Capacity of each synthetic leader (default 5, a leader's default caseload).
    max_targets : int, keyword-only
        Most targets to propose (default 5; 0 for none).

    Returns
    -------
    GapReport
        The needs (:class:`Need`), the targets (:class:`Target`) and the match.

    Raises
    ------
    InputError
        Bad counts, an unknown solver, duplicate ids, items that are not profiles.

    Notes
    -----
    The rules for needs, places, "without a good match" and targets are in the module
    documentation (``docs/planning.md``). The work is one match, one more for each target's
    check and one with every sufficient target at once.
    """
    cap = check_whole_number(capacity, "capacity", low=1, high=50)
    most = check_whole_number(max_targets, "max_targets", low=0, high=100)
    assert cap is not None and most is not None
    cfg = as_config(config)
    name = check_solver_name(solver if solver is not None else cfg.solver)
    ps = _as_list(participants, Participant, "participants")
    ls = _as_list(peers, PeerLeader, "peers")
    result, co, needs, without = _assess(ps, ls, cfg, name)
    targets: list[Target] = []
    claimed: set[str] = set()
    for need in needs:
        if len(targets) >= most:
            break
        rows = [co.p_index[pid] for pid in need.unmet if pid not in claimed]
        for part in _split(co, need, rows):
            if len(targets) >= most:
                break
            target = _target(ps, ls, cfg, name, co, need, part, len(targets) + 1, cap)
            targets.append(target)
            claimed.update(target.claimed)
    added: list[PeerLeader] = []
    taken = {x.id for x in ls}
    for number, t in enumerate(targets, 1):
        if t.sufficient:
            ids = _new_ids(taken, f"NEW{number}", t.leaders)
            added += _recruits(t.profile, ids, t.claimed, co.p.ids)
    keys = {(t.need.kind, t.need.field, t.need.key) for t in targets if t.sufficient}
    before = {pid for n in needs if (n.kind, n.field, n.key) in keys for pid in n.unmet}
    after = before
    if added:
        again = _assess(ps, [*ls, *added], cfg, name)[2]
        after = {pid for n in again if (n.kind, n.field, n.key) in keys for pid in n.unmet}
    return GapReport(
        needs=tuple(needs),
        targets=tuple(targets),
        without_good_match=without,
        result=result,
        combined=(len(before), len(after)),
        capacity=cap,
        _settings={"capacity": cap, "max_targets": most},
    )
