"""Hypothesis strategies that build consistent small cohorts.

Structure (sizes, capacities, vetoes, preferences) is drawn by hypothesis; the many optional
profile fields come from a seeded ``random.Random`` per profile, which keeps generation fast
while every example stays reproducible and shrinkable by its seed.
"""

from __future__ import annotations

import random
from typing import Any

from hypothesis import strategies as st

from peermatch import Participant, PeerLeader
from peermatch.profiles._models import CRITERION_FIELDS
from peermatch.profiles._vocab import (
    ActivityLevel,
    CommunicationStyle,
    Complication,
    ContactFrequency,
    ContactMode,
    Diet,
    GlucoseMonitoring,
    Importance,
    LifeStage,
    Sex,
    SupportGoal,
    Treatment,
)

LANGS = ["en", "fr", "pa"]
SLOTS = ["mon_morning", "mon_evening", "sat_morning", "sun_afternoon"]
TAGS = ["walking", "cooking", "music", "gardening"]
REGIONS = ["V5K", "V6B", "v5k "]

_CHOICES: dict[str, list[Any]] = {
    "sex": list(Sex),
    "region": REGIONS,
    "activity_level": list(ActivityLevel),
    "diabetes_years": [0.0, 1.0, 2.5, 5.0, 12.0, 30.0],
    "glucose_monitoring": list(GlucoseMonitoring),
    "hba1c": [6.5, 7.0, 9.1],
    "contact_frequency": list(ContactFrequency),
}
_SETS: dict[str, list[Any]] = {
    "life_stage": list(LifeStage)[:4],
    "diet": list(Diet)[:3],
    "interests": TAGS,
    "treatments": list(Treatment)[:4],
    "complications": list(Complication)[:3],
    "support_goals": list(SupportGoal)[:4],
    "contact_modes": list(ContactMode)[:2],
    "communication_style": list(CommunicationStyle)[:3],
    "availability": SLOTS,
}


def random_fields(rnd: random.Random, p_none: float, *, leader: bool) -> dict[str, Any]:
    """Random values for every criterion field (some left empty)."""
    fields: dict[str, Any] = {
        "age": rnd.choice([25, 40, 41, 55, 70, 90]),
        "languages": frozenset(rnd.sample(LANGS, rnd.randint(1, len(LANGS)))),
    }
    for name, values in _CHOICES.items():
        fields[name] = None if rnd.random() < p_none else rnd.choice(values)
    for name, values in _SETS.items():
        fields[name] = (
            None
            if rnd.random() < p_none
            else frozenset(rnd.sample(values, rnd.randint(1, len(values))))
        )
    importance: dict[str, Importance] = {}
    if rnd.random() < 0.5:
        for name in rnd.sample(CRITERION_FIELDS, rnd.randint(1, 3)):
            level = rnd.choice(list(Importance))
            if level is Importance.MUST and fields.get(name) is None:
                level = Importance.HIGH
            if leader and level is not Importance.MUST:
                continue
            importance[name] = level
    fields["importance"] = importance or None
    return fields


@st.composite
def cohorts(
    draw: st.DrawFn,
    max_participants: int = 7,
    max_peers: int = 4,
    min_participants: int = 0,
    min_peers: int = 0,
) -> tuple[list[Participant], list[PeerLeader]]:
    """A random consistent cohort (participants, leaders), in shuffled id order."""
    n = draw(st.integers(min_participants, max_participants))
    m = draw(st.integers(min_peers, max_peers))
    p_none = draw(st.sampled_from([0.0, 0.3, 0.7]))
    seed = draw(st.integers(0, 2**32 - 1))
    rnd = random.Random(seed)
    p_ids = [f"P{k}" for k in range(n)]
    l_ids = [f"L{k}" for k in range(m)]
    rnd.shuffle(p_ids)
    rnd.shuffle(l_ids)
    capacities = draw(st.lists(st.integers(0, 3), min_size=m, max_size=m))
    peers = []
    for lid, cap in zip(l_ids, capacities, strict=True):
        vetoes = frozenset(rnd.sample(p_ids, 1)) if p_ids and rnd.random() < 0.15 else None
        peers.append(
            PeerLeader(
                id=lid,
                capacity=cap,
                active=rnd.random() < 0.85,
                vetoes=vetoes,
                **random_fields(rnd, p_none, leader=True),
            )
        )
    participants = []
    for pid in p_ids:
        vetoes = frozenset(rnd.sample(l_ids, 1)) if l_ids and rnd.random() < 0.2 else None
        free = [x for x in l_ids if not vetoes or x not in vetoes]
        preferred = tuple(rnd.sample(free, rnd.randint(0, min(3, len(free))))) if free else ()
        if rnd.random() < 0.5:
            preferred = ()
        participants.append(
            Participant(
                id=pid,
                vetoes=vetoes,
                preferred=preferred or None,
                **random_fields(rnd, p_none, leader=False),
            )
        )
    return participants, peers
