"""Recruitment gaps: counts equal hand counts, and every target places whom it is for."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import given
from strategies import cohorts

import peermatch
from peermatch import InputError, MatchConfig, Participant, PeerLeader, generate_cohort, match
from peermatch.programme._gaps import SLOT_GROUPS

ROOT = Path(__file__).resolve().parents[1]


def P(pid: str, langs: str = "en", **kw: object) -> Participant:
    return Participant(id=pid, age=kw.pop("age", 60), languages=langs, **kw)  # type: ignore[arg-type]


def L(lid: str, langs: str = "en", capacity: int = 5, **kw: object) -> PeerLeader:
    return PeerLeader(id=lid, age=60, languages=langs, capacity=capacity, **kw)  # type: ignore[arg-type]


def rows(report: peermatch.GapReport) -> dict[tuple[str, str], tuple[int, int, int, int]]:
    """(kind, key) -> (participants, leaders, places, without a good match)."""
    return {
        (n.kind, n.key): (len(n.participants), len(n.leaders), n.places, len(n.unmet))
        for n in report.needs
    }


# -- hand counts on constructed cohorts ------------------------------------------------------


def test_language_needs_by_hand() -> None:
    ps = [P(f"A{k}", "pa") for k in range(5)] + [P(f"B{k}", "zh") for k in range(3)]
    ps += [P(f"C{k}", "en") for k in range(10)]
    ls = [
        L("L1", "pa", 2),
        L("L2", "zh", 5),
        L("L3", "en", 10),
        L("L4", "en;pa", 4, active=False),  # paused: meets Punjabi, but has no place
    ]
    got = rows(peermatch.gaps(ps, ls))
    # Punjabi: 5 participants, only L1 (2 places): 3 short, 3 unmatched
    assert got[("language", "pa")] == (5, 1, 2, 3)
    assert got[("language", "zh")] == (3, 1, 5, 0)
    assert got[("language", "en")] == (10, 1, 10, 0)
    assert set(got) == {("language", "pa"), ("language", "zh"), ("language", "en")}
    report = peermatch.gaps(ps, ls)
    pa = next(n for n in report.needs if n.key == "pa")
    assert pa.short == 3 and pa.label == "Punjabi"
    assert len(report.without_good_match) == 3
    assert [t.text for t in report.targets] == ["1 more leader who speaks Punjabi"]


def test_a_need_every_leader_meets_is_left_out() -> None:
    ps = [P("P1", "en;fr"), P("P2", "en")]
    ls = [L("L1", "en;fr"), L("L2", "en")]
    # both leaders speak English, so both needs are met by every leader: no rows at all
    assert rows(peermatch.gaps(ps, ls)) == {}


def test_treatment_goal_and_time_needs_by_hand() -> None:
    ps = [
        P("P1", treatments="insulin_pump;metformin", support_goals="starting_insulin"),
        P("P2", treatments="insulin_pump", availability="mon_evening"),
        P("P3", treatments="metformin", availability="mon_evening;tue_evening"),
        P("P4", treatments="metformin", importance="treatments:ignore"),
    ]
    ls = [
        L("L1", capacity=1, treatments="metformin", availability="mon_morning"),
        L(
            "L2",
            capacity=3,
            treatments="metformin;basal_insulin",
            support_goals="starting_insulin",
            availability="tue_evening",
        ),
    ]
    report = peermatch.gaps(ps, ls, max_targets=0)
    got = rows(report)
    # nobody uses a pump: 2 participants, no leader, 0 places, both without
    assert got[("treatment", "insulin_pump")] == (2, 0, 0, 2)
    # metformin: every leader has it (P4 ignores treatments): no row
    assert ("treatment", "metformin") not in got
    assert got[("support_goal", "starting_insulin")][:3] == (1, 1, 3)
    # weekday evenings: P2 (mon evening) and P3 (mon and tue evening); only L2 shares a slot,
    # and only with P3
    assert got[("availability", "weekday_evening")][:3] == (2, 1, 3)
    p2_leader = report.result.pairs["P2"]
    assert got[("availability", "weekday_evening")][3] == 1 + (report.result.pairs["P3"] != "L2")
    assert p2_leader in ("L1", "L2")


def test_rule_needs_by_hand() -> None:
    women = [P(f"W{k}", sex="female", importance="sex:must") for k in range(3)]
    ls = [L("F1", capacity=1, sex="female"), L("M1", sex="male"), L("M2", sex="male")]
    report = peermatch.gaps([*women, P("X1", sex="male")], ls)
    got = rows(report)
    assert got[("rule", "female (must)")] == (3, 1, 1, 2)
    need = next(n for n in report.needs if n.kind == "rule")
    assert need.label == "sex female (must)" and need.short == 2
    (target,) = report.targets
    assert target.text == "1 more leader who is a woman, speaks English"
    assert target.sufficient and set(target.placed) == set(need.unmet)


def test_participants_split_by_language_and_must_values() -> None:
    ps = [
        P("E1", treatments="insulin_pump"),
        P("E2", treatments="insulin_pump", sex="male", importance="sex:must"),
        P("Z1", "zh", treatments="insulin_pump"),
    ]
    ls = [L("L1", "en;zh", treatments="metformin", sex="male")]
    report = peermatch.gaps(ps, ls)
    claimed = sorted(t.claimed for t in report.targets)
    assert claimed == [("E1",), ("E2",), ("Z1",)]
    texts = {t.claimed: t.text for t in report.targets}
    assert "speaks Chinese" in texts[("Z1",)]
    assert "is a man" in texts[("E2",)]


# -- independent reference on random cohorts -------------------------------------------------


def _meets(kind: str, key: str, p: Participant, x: PeerLeader) -> bool:
    if kind == "language":
        return bool(set(p.languages) & set(x.languages))
    if kind == "availability":
        return bool(p.availability and x.availability and set(p.availability) & x.availability)
    field = "treatments" if kind == "treatment" else "support_goals"
    return key in {v.value for v in getattr(x, field) or ()}


def _ignored(p: Participant, field: str) -> bool:
    return bool(p.importance and p.importance.get(field) is peermatch.Importance.IGNORE)


def _reference(
    ps: Sequence[Participant], ls: Sequence[PeerLeader], pairs: dict[str, str]
) -> dict[tuple[str, str], tuple[int, int, int, int]]:
    """Needs of the four value kinds under the default configuration, counted plainly."""
    groups: dict[tuple[str, str], list[Participant]] = {}
    for p in ps:
        groups.setdefault(("language", ";".join(sorted(p.languages))), []).append(p)
        if p.availability and not _ignored(p, "availability"):
            parts = {
                f"{'weekend' if s.value[:3] in ('sat', 'sun') else 'weekday'}_"
                f"{s.value.split('_')[1]}"
                for s in p.availability
            }
            key = ";".join(g for g in SLOT_GROUPS if g in parts)
            groups.setdefault(("availability", key), []).append(p)
        for field, kind in (("treatments", "treatment"), ("support_goals", "support_goal")):
            if getattr(p, field) and not _ignored(p, field):
                for v in getattr(p, field):
                    groups.setdefault((kind, v.value), []).append(p)
    usable = [x for x in ls if x.active and x.capacity > 0]
    by_id = {x.id: x for x in ls}
    out = {}
    for (kind, key), members in groups.items():
        if usable and all(_meets(kind, key, p, x) for p in members for x in usable):
            continue
        leaders = [x for x in usable if any(_meets(kind, key, p, x) for p in members)]
        unmet = [
            p for p in members if p.id not in pairs or not _meets(kind, key, p, by_id[pairs[p.id]])
        ]
        out[(kind, key)] = (
            len(members),
            len(leaders),
            sum(x.capacity for x in leaders),
            len(unmet),
        )
    return out


@given(cohort=cohorts(max_participants=9, max_peers=4, min_peers=1))
def test_counts_equal_an_independent_count(cohort: tuple[list, list]) -> None:
    ps, ls = cohort
    report = peermatch.gaps(ps, ls, max_targets=0)
    got = {k: v for k, v in rows(report).items() if k[0] != "rule"}
    assert got == _reference(ps, ls, report.result.pairs)
    # a participant is without a good match when unmatched or any need is unmet
    unmet = {pid for n in report.needs for pid in n.unmet}
    unmatched = {u.participant_id for u in report.result.unmatched}
    assert set(report.without_good_match) == unmet | unmatched


def _check_targets(
    ps: Sequence[Participant], ls: Sequence[PeerLeader], report: peermatch.GapReport
) -> None:
    """Add each target's leaders as documented, match, and check whom they place."""
    everyone = {p.id for p in ps}
    by_id = {p.id: p for p in ps}
    for t in report.targets:
        new = [
            t.profile.model_copy(
                update={"id": f"CHECK-{k}", "vetoes": frozenset(everyone - set(t.claimed)) or None}
            )
            for k in range(t.leaders)
        ]
        assert t.leaders == math.ceil(len(t.claimed) / report.capacity)
        again = match(ps, [*ls, *new], report.result.config)
        leaders = {x.id: x for x in [*ls, *new]}
        placed = []
        for pid in t.claimed:
            lid = again.pairs.get(pid)
            if lid is None:
                continue
            if t.need.kind in ("language", "rule") or _meets(
                t.need.kind, t.need.key, by_id[pid], leaders[lid]
            ):
                placed.append(pid)
        assert tuple(placed) == t.placed
        assert t.sufficient == (len(placed) == len(t.claimed))
        assert set(t.claimed) <= set(t.need.unmet)


@given(cohort=cohorts(max_participants=9, max_peers=3, min_peers=1))
def test_every_target_places_whom_it_says(cohort: tuple[list, list]) -> None:
    ps, ls = cohort
    report = peermatch.gaps(ps, ls, max_targets=3)
    _check_targets(ps, ls, report)


@pytest.mark.parametrize("seed", [1, 2])
def test_targets_on_scarce_demo_cohorts(seed: int) -> None:
    ps, ls = generate_cohort(60, 6, seed=seed)
    ls = [x.model_copy(update={"capacity": min(x.capacity, 4)}) for x in ls]
    report = peermatch.gaps(ps, ls)
    assert report.targets
    _check_targets(ps, ls, report)
    assert sum(t.sufficient for t in report.targets) >= 1


def test_example_cohort_report_and_its_targets() -> None:
    ps = peermatch.read_participants(ROOT / "examples" / "participants.csv")
    ls = peermatch.read_peers(ROOT / "examples" / "peers.csv")
    report = peermatch.gaps(ps, ls)
    assert {k: v for k, v in rows(report).items() if k[0] != "rule"} == _reference(
        ps, ls, report.result.pairs
    )
    _check_targets(ps, ls, report)
    text = report.to_text()
    assert "Recruitment targets" in text
    data = json.loads(report.to_json())
    assert len(data["needs"]) == len(report.needs)
    assert data["config_hash"] == MatchConfig().config_hash()
    lines = report.to_csv().splitlines()
    assert lines[0].startswith("row,kind,field,need,words")
    assert len(lines) == 1 + len(report.needs) + len(report.targets)


def test_deterministic_and_independent_of_row_order() -> None:
    ps, ls = generate_cohort(40, 4, seed=3)
    a = peermatch.gaps(ps, ls)
    b = peermatch.gaps(ps[::-1], ls[::-1])
    assert a.to_json() == b.to_json()


@pytest.mark.parametrize(
    ("kwargs", "text"),
    [
        ({"capacity": 0}, "capacity"),
        ({"max_targets": -1}, "max_targets"),
        ({"solver": "fastest"}, "unknown solver"),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], text: str) -> None:
    with pytest.raises(InputError, match=text):
        peermatch.gaps([P("P1")], [L("L1")], **kwargs)  # type: ignore[arg-type]
