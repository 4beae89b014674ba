"""Realistic synthetic cohorts for demonstrations, tutorials, tests and benchmarks.

:func:`generate_cohort` draws participants of a telephone peer-support programme for adults
with type 2 diabetes, and the peer leaders who support them, with the correlations a programme
coordinator would recognise: older people are more often retired and available in the daytime,
working people in the evenings and at weekends; insulin use, continuous glucose monitoring and
complications become more common the longer someone has lived with diabetes; leaders are a
little older and further along than the people they support; languages, diets and regions go
together (Punjabi speakers more often in Surrey, Cantonese and Mandarin speakers in Richmond);
support goals follow a person's situation (someone about to start insulin asks for help with
it). A few percent of optional values are left empty, some participants say which criteria
matter to them (a few as ``must``), a few refuse a leader, a couple of leaders refuse a
participant, and a few leaders are paused.

:func:`peermatch.io.write_cohort` writes such a cohort as ``participants.csv`` and ``peers.csv``
(or JSON). The people are invented: no row describes anyone real.

Examples
--------
>>> participants, peers = generate_cohort(12, 3, seed=7)
>>> [p.id for p in participants[:3]], [x.id for x in peers]
(['P0001', 'P0002', 'P0003'], ['L001', 'L002', 'L003'])
>>> generate_cohort(12, 3, seed=7) == (participants, peers)
True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final, TypeVar

import numpy as np
from numpy.typing import NDArray

from peermatch._core.checks import check_whole_number
from peermatch._core.files import MAX_ROWS
from peermatch.profiles._models import CRITERION_FIELDS, Participant, PeerLeader
from peermatch.profiles._vocab import (
    AVAILABILITY_SLOTS,
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
    Slot,
    SupportGoal,
    Treatment,
)

__all__ = ["generate_cohort"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]
T = TypeVar("T")

# -- vocabularies of the synthetic programme --------------------------------------------------

#: Languages of the cohort (ISO 639-1): English, French, Punjabi, Chinese, Spanish, Tagalog,
#: Vietnamese.
LANGUAGES: Final = ("en", "fr", "pa", "zh", "es", "tl", "vi")
_EN, _FR, _PA, _ZH, _ES, _TL, _VI = range(len(LANGUAGES))
#: Share of each first language among participants, and among leaders (leaders are recruited
#: so that every language community has some).
_P_FIRST = (0.68, 0.04, 0.09, 0.09, 0.03, 0.04, 0.03)
_L_FIRST = (0.58, 0.05, 0.11, 0.11, 0.04, 0.06, 0.05)
#: Chance that someone whose first language is not English also speaks English.
_P_ALSO_EN = (0.0, 0.85, 0.5, 0.45, 0.6, 0.8, 0.45)
_L_ALSO_EN = (0.0, 0.95, 0.85, 0.85, 0.9, 0.95, 0.85)

#: Postal prefixes of the Vancouver area (Vancouver, Burnaby, Richmond, Surrey).
REGIONS: Final = ("V5K", "V5L", "V5N", "V5R", "V5X", "V6B", "V6K", "V3N", "V6Y", "V3W")
# Relative weight of each region for each first language (rows follow LANGUAGES).
_REGION_WEIGHTS = np.array(
    [
        [1.0, 1.0, 1.0, 1.0, 0.8, 1.2, 1.2, 1.0, 0.8, 1.0],  # en
        [1.0, 1.0, 0.8, 0.6, 0.5, 1.5, 1.5, 0.8, 0.5, 0.6],  # fr
        [0.3, 0.3, 0.4, 0.5, 2.5, 0.2, 0.2, 0.6, 0.5, 4.0],  # pa
        [0.6, 0.6, 0.8, 1.8, 0.8, 0.6, 0.6, 1.2, 4.0, 0.4],  # zh
        [1.2, 1.5, 1.2, 1.0, 0.6, 1.0, 0.8, 1.0, 0.5, 0.8],  # es
        [0.6, 0.8, 1.0, 1.5, 0.8, 0.6, 0.4, 2.0, 1.0, 1.2],  # tl
        [1.5, 1.8, 2.0, 1.2, 0.8, 0.5, 0.4, 1.0, 0.8, 0.8],  # vi
    ]
)

# Interest tags of the cohort, with how common each is.
_INTEREST_WEIGHT: Final = {
    "walking": 3.0,
    "gardening": 2.0,
    "cooking": 2.0,
    "baking": 1.0,
    "music": 1.5,
    "reading": 1.5,
    "faith": 1.0,
    "sports": 1.2,
    "travel": 1.2,
    "grandchildren": 1.0,
    "crafts": 0.8,
    "fishing": 0.7,
    "cycling": 0.8,
    "cards": 0.8,
    "volunteering": 1.0,
    "technology": 0.8,
    "dancing": 0.5,
    "pets": 1.2,
    "hiking": 0.8,
    "movies": 1.2,
}
#: Interest tags of the cohort.
INTERESTS: Final = tuple(_INTEREST_WEIGHT)
_INTEREST_WEIGHTS = np.array(list(_INTEREST_WEIGHT.values()))
_TAG = {t: k for k, t in enumerate(INTERESTS)}

_SEX: Final = (Sex.FEMALE, Sex.MALE, Sex.INTERSEX)
_LIFE: Final = tuple(LifeStage)
_FT, _PT, _SHIFT, _KIDS, _ADULT, _STUDENT, _BETWEEN, _RETIRED = range(len(_LIFE))
_ACTIVITY: Final = tuple(ActivityLevel)
_DIET: Final = tuple(Diet)
_OMNI, _VEGETARIAN, _VEGAN, _HALAL, _KOSHER, _LOW_CARB, _SOUTH_ASIAN, _EAST_ASIAN, _OTHER = range(
    len(_DIET)
)
_TREAT: Final = tuple(Treatment)
_LIFESTYLE, _METFORMIN, _OTHER_ORAL, _GLP1, _BASAL, _MDI, _PUMP = range(len(_TREAT))
_MONITOR: Final = tuple(GlucoseMonitoring)
_COMPLICATION: Final = tuple(Complication)
_RETINO, _NEURO, _KIDNEY, _CARDIO, _FOOT, _HYPO, _DISTRESS = range(len(_COMPLICATION))
_GOAL: Final = tuple(SupportGoal)
(
    _EATING,
    _ACTIVITY_GOAL,
    _MEDICATION,
    _STARTING_INSULIN,
    _MONITORING,
    _WEIGHT,
    _STRESS,
    _SLEEP,
    _FOOT_CARE,
    _WORK_LIFE,
    _NAVIGATING,
    _FAMILY,
) = range(len(_GOAL))
_MODE: Final = tuple(ContactMode)
_FREQUENCY: Final = tuple(ContactFrequency)
_STYLE: Final = tuple(CommunicationStyle)
_SLOT: Final = tuple(Slot(s) for s in AVAILABILITY_SLOTS)

# Availability patterns: relative weight of (weekday, weekend) x (morning, afternoon, evening).
_DAYTIME = ((3.0, 3.0, 0.8), (1.5, 1.5, 0.6))
_WORKING = ((0.3, 0.4, 4.0), (2.5, 2.5, 1.5))
_PART_TIME = ((1.5, 1.5, 2.5), (1.5, 1.5, 1.2))
_SHIFTS = ((1.0, 1.0, 1.0), (1.0, 1.0, 1.0))


def _slot_weights(pattern: tuple[tuple[float, ...], ...]) -> FloatArray:
    weekday, weekend = pattern
    return np.array([*(weekday * 5), *(weekend * 2)], dtype=np.float64)


_AVAILABILITY_PATTERNS = np.stack(
    [_slot_weights(p) for p in (_DAYTIME, _WORKING, _PART_TIME, _SHIFTS)]
)
_AFTER_SCHOOL = np.ones(len(AVAILABILITY_SLOTS))
_AFTER_SCHOOL[[d * 3 + part for d in range(5) for part in (1, 2)]] = 0.5

#: Capacities are drawn from 1-6, mostly 5 ...
_CAPACITY_SHARES = (0.04, 0.06, 0.10, 0.15, 0.45, 0.20)
_MAX_CAPACITY = 6
#: ... then raised (never above 6) until the active leaders' total capacity reaches this
#: multiple of the number of participants, when that is possible.
_CAPACITY_HEADROOM = 1.06


# -- small vectorised helpers ----------------------------------------------------------------


def _coin(rng: np.random.Generator, p: float | NDArray[Any], n: int) -> BoolArray:
    """Independent yes/no draws with probability ``p`` (a number or one per person)."""
    return rng.random(n) < p


def _categorical(rng: np.random.Generator, weights: FloatArray) -> IntArray:
    """One draw per row of an ``(n, k)`` array of non-negative weights."""
    cum = np.cumsum(weights, axis=1)
    u = rng.random(weights.shape[0]) * cum[:, -1]
    out: IntArray = (u[:, None] >= cum).sum(axis=1).astype(np.int64)
    return out


def _bits(chosen: BoolArray) -> IntArray:
    """Boolean ``(n, k)`` membership -> one bit mask per row (bit ``j`` = column ``j``)."""
    weights = np.left_shift(1, np.arange(chosen.shape[1], dtype=np.int64))
    out: IntArray = chosen.astype(np.int64) @ weights
    return out


def _has(bits: IntArray, j: int) -> BoolArray:
    out: BoolArray = (bits >> j) & 1 == 1
    return out


def _flag(mask: BoolArray, j: int) -> IntArray:
    return mask.astype(np.int64) << j


def _top_k(rng: np.random.Generator, weights: FloatArray, counts: IntArray) -> IntArray:
    """Weighted sampling without replacement, ``counts[i]`` items for row ``i`` (Gumbel top-k).

    ``weights`` is ``(k,)`` (shared) or ``(n, k)``, strictly positive. Returns bit masks.
    """
    n = counts.shape[0]
    w = np.broadcast_to(weights, (n, weights.shape[-1]))
    keys = np.log(w) + rng.gumbel(size=w.shape)
    rank = np.argsort(np.argsort(-keys, axis=1, kind="stable"), axis=1, kind="stable")
    return _bits(rank < counts[:, None])


def _cap_count(rng: np.random.Generator, bits: IntArray, k: int, most: int) -> IntArray:
    """Keep at most ``most`` of the set bits of each row, chosen at random."""
    chosen = (bits[:, None] >> np.arange(k)) & 1 == 1
    keys = rng.random(chosen.shape) + np.where(chosen, 0.0, 2.0)
    rank = np.argsort(np.argsort(keys, axis=1, kind="stable"), axis=1, kind="stable")
    return _bits(chosen & (rank < most))


def _logistic(x: FloatArray) -> FloatArray:
    out: FloatArray = 1.0 / (1.0 + np.exp(-x))
    return out


def _quota(rng: np.random.Generator, n: int, shares: Sequence[float]) -> IntArray:
    """Labels in proportion to ``shares`` (largest remainder), at least one each when n allows."""
    raw = np.asarray(shares, dtype=np.float64) * n
    counts = np.floor(raw).astype(np.int64)
    rest = int(n - counts.sum())
    counts[np.argsort(-(raw - counts), kind="stable")[:rest]] += 1
    if n >= 2 * len(shares):
        for k in np.flatnonzero(counts == 0):
            counts[int(np.argmax(counts))] -= 1
            counts[k] = 1
    labels = np.repeat(np.arange(len(shares), dtype=np.int64), counts)
    return rng.permutation(labels)


def _sets(bits: IntArray, members: Sequence[T], given: BoolArray) -> list[frozenset[T] | None]:
    """Bit masks -> frozensets of ``members`` (shared objects); empty or not given -> None."""
    uniq, inverse = np.unique(bits, return_inverse=True)
    table: list[frozenset[T] | None] = [
        frozenset(m for j, m in enumerate(members) if (u >> j) & 1) or None for u in uniq.tolist()
    ]
    table.append(None)
    idx = np.where(given, inverse.reshape(-1), len(table) - 1)
    return [table[i] for i in idx.tolist()]


def _scalars(codes: IntArray, members: Sequence[T], given: BoolArray) -> list[T | None]:
    table: list[T | None] = [*members, None]
    idx = np.where(given, codes, len(members))
    return [table[i] for i in idx.tolist()]


def _numbers(values: FloatArray, given: BoolArray) -> list[float | None]:
    return [v if g else None for v, g in zip(values.tolist(), given.tolist(), strict=True)]


# -- one side of the cohort ------------------------------------------------------------------


def _people(rng: np.random.Generator, n: int, *, leader: bool) -> dict[str, Any]:
    """Draw the latent attributes of ``n`` participants or leaders, as arrays.

    Returns a mapping of field name -> array (bit masks for sets, codes for vocabularies) plus
    ``given_<field>`` masks and a few helper arrays used later (``first_language``).
    """
    out: dict[str, Any] = {}
    missing = 0.4 if leader else 1.0  # leaders' profiles are more complete

    def given(rate: float) -> BoolArray:
        return ~_coin(rng, rate * missing, n)

    # Age: participants 28-88 (mean ~60); leaders 35-85 (mean ~63).
    raw_age = 35 + 50 * rng.beta(4.5, 3.5, n) if leader else 28 + 60 * rng.beta(4.5, 3.95, n)
    age = np.rint(raw_age).astype(np.int64)
    out["age"] = age

    out["sex"] = rng.choice(3, size=n, p=[0.47, 0.525, 0.005])
    out["given_sex"] = given(0.015)

    # Languages: a first language (leaders by quota so each community has some), often English
    # as well, and a few English speakers with a second language.
    first = _quota(rng, n, _L_FIRST) if leader else rng.choice(len(LANGUAGES), n, p=_P_FIRST)
    also_en = _coin(rng, np.asarray(_L_ALSO_EN if leader else _P_ALSO_EN)[first], n)
    langs = (np.int64(1) << first) | _flag(also_en, _EN)
    english = first == _EN
    second = rng.choice([_FR, _ES, _TL, _PA], n, p=[0.6, 0.2, 0.1, 0.1])
    extra = english & _coin(rng, 0.14 if leader else 0.09, n)
    out["languages"] = langs | np.where(extra, np.int64(1) << second, 0)
    out["first_language"] = first

    out["region"] = _categorical(rng, _REGION_WEIGHTS[first])
    out["given_region"] = given(0.03)

    # Life stage follows age: retirement from the early 60s, children at home when younger.
    retired = _coin(rng, _logistic((age - 63) / 3.5), n)
    student_w = np.where(age < 35, 0.25, 0.01)
    work_w = np.stack(
        [
            np.full(n, 0.62),
            0.2 + 0.12 * (age >= 55),
            np.full(n, 0.1),
            student_w,
        ],
        axis=1,
    )
    work = _categorical(rng, work_w)  # 0 full time, 1 part time, 2 between jobs, 3 student
    working = ~retired & (work <= 1)
    shift = working & _coin(rng, np.where(age < 65, 0.18, 0.05), n)
    kids = _coin(rng, np.select([age < 45, age < 55, age < 65], [0.45, 0.25, 0.06], 0.03), n)
    adult_care = _coin(rng, np.where((age >= 45) & (age < 76), 0.14, 0.05), n)
    life = (
        _flag(retired, _RETIRED)
        | _flag(~retired & (work == 0), _FT)
        | _flag(~retired & (work == 1), _PT)
        | _flag(~retired & (work == 2), _BETWEEN)
        | _flag(~retired & (work == 3), _STUDENT)
        | _flag(shift, _SHIFT)
        | _flag(kids, _KIDS)
        | _flag(adult_care, _ADULT)
    )
    out["life_stage"] = life
    out["given_life_stage"] = given(0.03)

    # Diabetes duration: leaders have lived with it longer; some participants are newly
    # diagnosed. Never longer than adult life.
    years: NDArray[Any]
    if leader:
        years = 2.0 + rng.gamma(3.0, 4.5, n)
    else:
        recent = _coin(rng, 0.12, n)
        years = np.where(recent, rng.uniform(0.0, 1.5, n), rng.gamma(2.0, 4.5, n))
    years = np.round(np.minimum(years, np.maximum(age - 20.0, 0.5)), 1)
    out["diabetes_years"] = years
    out["given_diabetes_years"] = given(0.03)

    # Treatments: insulin more likely the longer the duration; lifestyle only mostly soon after
    # diagnosis; metformin very common. Leaders list current or past experience.
    insulin = _coin(rng, _logistic((-2.2 if leader else -2.6) + 0.17 * years), n)
    kind = rng.choice(3, n, p=[0.55, 0.38, 0.07])
    kind = np.where(insulin & (kind == 0) & (years > 15) & _coin(rng, 0.1, n), 2, kind)
    lifestyle = ~insulin & _coin(rng, 0.5 * np.exp(-years / 1.5) + 0.02, n)
    metformin = ~lifestyle & _coin(rng, np.where(insulin, 0.75, 0.88), n)
    other_oral = ~lifestyle & _coin(rng, np.minimum(0.2 + 0.008 * years, 0.45), n)
    glp1 = ~lifestyle & _coin(rng, np.minimum(0.14 + 0.006 * years, 0.35), n)
    metformin |= ~lifestyle & ~insulin & ~other_oral & ~glp1
    treat = (
        _flag(lifestyle, _LIFESTYLE)
        | _flag(metformin, _METFORMIN)
        | _flag(other_oral, _OTHER_ORAL)
        | _flag(glp1, _GLP1)
        | _flag(insulin & (kind == 0), _BASAL)
        | _flag(insulin & (kind == 1), _MDI)
        | _flag(insulin & (kind == 2), _PUMP)
    )
    if leader:
        treat |= _flag(_coin(rng, 0.4, n), _LIFESTYLE)  # past experience of lifestyle alone
    out["treatments"] = treat
    out["given_treatments"] = given(0.03)
    out["insulin"] = insulin

    # Glucose monitoring: continuous monitors mostly with insulin.
    monitor_w = np.where(
        insulin[:, None],
        np.array([0.03, 0.5, 0.47]),
        np.array([0.22, 0.68, 0.10]) + (np.array([-0.05, 0.0, 0.05]) if leader else 0.0),
    )
    monitor = _categorical(rng, monitor_w)
    out["glucose_monitoring"] = monitor
    out["given_glucose_monitoring"] = given(0.04)

    # Complications: more likely with a longer duration.
    comp_p = np.stack(
        [
            0.02 + 0.012 * years,
            0.03 + 0.014 * years,
            0.02 + 0.010 * years,
            0.03 + 0.008 * years + 0.004 * np.maximum(age - 50, 0),
            0.01 + 0.006 * years,
            np.where(insulin, 0.25, 0.03),
            np.full(n, 0.12 if leader else 0.15),
        ],
        axis=1,
    )
    comp = _bits(rng.random(comp_p.shape) < np.minimum(comp_p, 0.6))
    out["complications"] = comp
    out["given_complications"] = given(0.03)

    # Activity level: less active with age and with several complications.
    n_comp = np.bitwise_count(comp.astype(np.uint64)).astype(np.float64)
    latent = rng.normal(size=n) - 0.025 * (age - 60) - 0.2 * n_comp + (0.3 if leader else 0.0)
    out["activity_level"] = np.searchsorted(np.array([-0.7, 0.35, 1.2]), latent).astype(np.int64)
    out["given_activity_level"] = given(0.05)

    # Diet: cultural patterns go with language; otherwise mostly omnivore.
    south = _coin(rng, np.where(first == _PA, 0.7, 0.02), n)
    east = _coin(
        rng, np.select([first == _ZH, first == _VI, first == _TL], [0.65, 0.5, 0.15], 0.02), n
    )
    veg = _coin(rng, np.where(first == _PA, 0.3, 0.05), n)
    vegan = ~veg & _coin(rng, 0.01, n)
    halal = _coin(rng, 0.035, n)
    kosher = ~halal & ~south & ~east & _coin(rng, 0.01, n)
    low_carb = _coin(rng, 0.15, n)
    other = _coin(rng, np.where((first == _TL) | (first == _ES), 0.15, 0.03), n)
    diet = (
        _flag(south, _SOUTH_ASIAN)
        | _flag(east, _EAST_ASIAN)
        | _flag(veg, _VEGETARIAN)
        | _flag(vegan, _VEGAN)
        | _flag(halal, _HALAL)
        | _flag(kosher, _KOSHER)
        | _flag(low_carb, _LOW_CARB)
        | _flag(other, _OTHER)
    )
    omnivore = ~veg & ~vegan & (_coin(rng, 0.8, n) | (diet == 0))
    out["diet"] = diet | _flag(omnivore, _OMNI)
    out["given_diet"] = given(0.04)

    # Interests: 1-4 tags (leaders 2-5), shaped by age.
    iw = np.broadcast_to(_INTEREST_WEIGHTS, (n, len(INTERESTS))).copy()
    iw[:, _TAG["grandchildren"]] *= np.where(age >= 58, 3.0, 0.1)
    young = age < 50
    for tag in ("technology", "cycling", "hiking", "sports", "movies"):
        iw[:, _TAG[tag]] *= np.where(young, 2.0, 0.7)
    iw[:, _TAG["cooking"]] *= np.where(south | east, 1.8, 1.0)
    iw[:, _TAG["faith"]] *= np.where((first == _PA) | (first == _TL) | (first == _ES), 2.0, 1.0)
    counts = (2 if leader else 1) + rng.binomial(3, 0.4 if leader else 0.45, n)
    out["interests"] = _top_k(rng, iw, counts)
    out["given_interests"] = given(0.06)

    # Contact: mostly phone; text and video more among younger people.
    if leader:
        modes = (
            _flag(np.ones(n, dtype=np.bool_), 0)
            | _flag(_coin(rng, 0.55, n), 1)
            | _flag(_coin(rng, 0.35, n), 2)
            | _flag(_coin(rng, 0.15, n), 3)
        )
    else:
        modes = (
            _flag(_coin(rng, 0.9, n), 0)
            | _flag(_coin(rng, 0.25 + 0.2 * young, n), 1)
            | _flag(_coin(rng, 0.1 + 0.1 * young, n), 2)
            | _flag(_coin(rng, 0.05, n), 3)
        )
        modes = np.where(modes == 0, 1, modes)
    out["contact_modes"] = modes
    out["given_contact_modes"] = given(0.02)

    freq_p = [0.55, 0.4, 0.05] if leader else [0.5, 0.4, 0.1]
    out["contact_frequency"] = rng.choice(3, n, p=freq_p)
    out["given_contact_frequency"] = given(0.04)

    style_w = np.array([0.28, 0.22, 0.22, 0.2, 0.08] if leader else [0.32, 0.24, 0.18, 0.2, 0.06])
    style_n = rng.choice([1, 2, 3], n, p=[0.3, 0.5, 0.2] if leader else [0.6, 0.35, 0.05])
    out["communication_style"] = _top_k(rng, style_w, style_n)
    out["given_communication_style"] = given(0.05)

    # Availability: daytime when retired or at home, evenings and weekends when working full
    # time, a mix for part-time work, anywhere for shift workers; parents are busy after school.
    pattern = np.select(
        [shift, ~retired & (work == 0), ~retired & ((work == 1) | (work == 3))], [3, 1, 2], 0
    )
    aw = _AVAILABILITY_PATTERNS[pattern] * np.where(kids[:, None], _AFTER_SCHOOL, 1.0)
    slots_n = (4 if leader else 2) + rng.binomial(8 if leader else 6, 0.45 if leader else 0.4, n)
    out["availability"] = _top_k(rng, aw, slots_n)
    out["given_availability"] = given(0.04)

    # HbA1c: higher with insulin and longer duration (information only).
    hba1c = (
        (6.9 if leader else 7.3)
        + 0.35 * insulin
        + 0.02 * np.minimum(years, 20)
        + rng.normal(0.0, 0.6 if leader else 0.75, n)
    )
    out["hba1c"] = hba1c
    out["given_hba1c"] = given(0.12)

    # Support goals follow the situation.
    caregiver = kids | adult_care
    distress = _has(comp, _DISTRESS)
    feet = _has(comp, _FOOT) | _has(comp, _NEURO)
    cgm = monitor == 2
    if leader:
        goal_p = np.stack(
            [
                np.full(n, 0.75),
                np.full(n, 0.6),
                np.full(n, 0.5),
                np.where(insulin, 0.75, 0.05),
                0.3 + 0.4 * cgm,
                np.full(n, 0.45),
                np.full(n, 0.45),
                np.full(n, 0.25),
                0.15 + 0.5 * feet,
                0.1 + 0.5 * working,
                np.full(n, 0.5),
                0.2 + 0.4 * caregiver,
            ],
            axis=1,
        )
        goals = _bits(rng.random(goal_p.shape) < goal_p)
        few = np.bitwise_count(goals.astype(np.uint64)) < 2
        goals |= np.where(few, (1 << _EATING) | (1 << _NAVIGATING), 0)
        about_to_start = np.zeros(n, dtype=np.bool_)
    else:
        about_to_start = ~insulin & ~lifestyle & (years > 3) & _coin(rng, 0.15, n)
        goal_p = np.stack(
            [
                0.45 + 0.15 * (years < 2),
                0.3 + 0.15 * (out["activity_level"] <= 1),
                0.18 + 0.15 * ((years < 2) & ~lifestyle) + 0.3 * about_to_start,
                0.9 * about_to_start,
                0.12 + 0.13 * cgm + 0.25 * about_to_start,
                np.full(n, 0.3),
                0.15 + 0.35 * distress + 0.1 * caregiver,
                0.08 + 0.12 * shift,
                0.03 + 0.45 * feet,
                0.25 * working + 0.1 * (~retired & (work == 2)),
                0.12 + 0.15 * (n_comp >= 2),
                0.06 + 0.25 * caregiver,
            ],
            axis=1,
        )
        chosen = rng.random(goal_p.shape) < goal_p
        must_keep = _flag(about_to_start, _STARTING_INSULIN)
        goals = _cap_count(rng, _bits(chosen) & ~must_keep, len(_GOAL), 3) | must_keep
        goals = np.where(goals == 0, 1 << _EATING, goals)
    out["support_goals"] = goals
    out["given_support_goals"] = given(0.04)
    out["about_to_start_insulin"] = about_to_start
    return out


def _capacities(
    rng: np.random.Generator, n: int, active: BoolArray, n_participants: int
) -> IntArray:
    """Caseloads of 1-6 (mostly 5), raised where needed so every participant can be placed."""
    cap = rng.choice(np.arange(1, _MAX_CAPACITY + 1), n, p=_CAPACITY_SHARES).astype(np.int64)
    deficit = int(np.ceil(_CAPACITY_HEADROOM * n_participants)) - int(cap[active].sum())
    order = rng.permutation(np.flatnonzero(active))
    while deficit > 0:
        room = order[cap[order] < _MAX_CAPACITY]
        if room.size == 0:
            break
        take = room[:deficit]
        cap[take] += 1
        deficit -= take.size
    return cap


def _pick(rng: np.random.Generator, n: int, share: float, at_least: int) -> IntArray:
    """Sorted indices of about ``share * n`` people (at least ``at_least``, at most n)."""
    k = min(n, max(at_least, round(share * n)))
    return np.sort(rng.choice(n, size=k, replace=False))


# Participants' importance entries: (field, level, chance); a level only on a value given.
_IMPORTANCE_DRAWS: Final = (
    ("sex", Importance.MUST, 0.03),
    ("sex", Importance.HIGH, 0.02),
    ("languages", Importance.MUST, 0.02),
    ("age", Importance.LOW, 0.03),
    ("age", Importance.HIGH, 0.01),
    ("region", Importance.IGNORE, 0.01),
    ("life_stage", Importance.HIGH, 0.03),
    ("interests", Importance.LOW, 0.01),
    ("diabetes_years", Importance.HIGH, 0.015),
    ("diabetes_years", Importance.MUST, 0.008),
    ("treatments", Importance.HIGH, 0.015),
    ("communication_style", Importance.HIGH, 0.015),
    ("availability", Importance.HIGH, 0.01),
)
_LEVEL_ORDER = {lvl: k for k, lvl in enumerate(Importance)}


def _importance(
    rng: np.random.Generator, n: int, cols: dict[str, list[Any]]
) -> list[dict[str, Importance] | None]:
    """Draw participants' importance maps; a ``must`` only on a value the person gave."""
    maps: list[dict[str, Importance] | None] = [None] * n
    given_sex = np.array([s is not None and s is not Sex.INTERSEX for s in cols["sex"]])
    for name, level, chance in _IMPORTANCE_DRAWS:
        hit = _coin(rng, chance, n)
        if name == "sex":
            hit &= given_sex
        elif name != "languages":
            hit &= np.array([v is not None for v in cols[name]])
        for i in np.flatnonzero(hit).tolist():
            entry = maps[i]
            if entry is None:
                entry = maps[i] = {}
            old = entry.get(name)
            if old is None or _LEVEL_ORDER[level] < _LEVEL_ORDER[old]:
                entry[name] = level  # the strongest level wins
    order = {f: k for k, f in enumerate(CRITERION_FIELDS)}
    return [
        None if m is None else dict(sorted(m.items(), key=lambda kv: order[kv[0]])) for m in maps
    ]


def _columns(people: dict[str, Any], ids: list[str]) -> dict[str, list[Any]]:
    """Latent arrays -> field values of the exact types the profile validators produce."""
    n = len(ids)

    def g(name: str) -> BoolArray:
        mask: BoolArray = people.get(f"given_{name}", np.ones(n, dtype=np.bool_))
        return mask

    return {
        "id": ids,
        "age": people["age"].tolist(),
        "sex": _scalars(people["sex"], _SEX, g("sex")),
        "languages": _sets(people["languages"], LANGUAGES, g("languages")),
        "region": _scalars(people["region"], REGIONS, g("region")),
        "life_stage": _sets(people["life_stage"], _LIFE, g("life_stage")),
        "activity_level": _scalars(people["activity_level"], _ACTIVITY, g("activity_level")),
        "diet": _sets(people["diet"], _DIET, g("diet")),
        "interests": _sets(people["interests"], INTERESTS, g("interests")),
        "diabetes_years": _numbers(people["diabetes_years"], g("diabetes_years")),
        "treatments": _sets(people["treatments"], _TREAT, g("treatments")),
        "glucose_monitoring": _scalars(
            people["glucose_monitoring"], _MONITOR, g("glucose_monitoring")
        ),
        "complications": _sets(people["complications"], _COMPLICATION, g("complications")),
        "hba1c": _numbers(np.round(np.clip(people["hba1c"], 5.4, 11.5), 1), g("hba1c")),
        "support_goals": _sets(people["support_goals"], _GOAL, g("support_goals")),
        "contact_modes": _sets(people["contact_modes"], _MODE, g("contact_modes")),
        "contact_frequency": _scalars(
            people["contact_frequency"], _FREQUENCY, g("contact_frequency")
        ),
        "communication_style": _sets(
            people["communication_style"], _STYLE, g("communication_style")
        ),
        "availability": _sets(people["availability"], _SLOT, g("availability")),
    }


def _ids(prefix: str, n: int, width: int) -> list[str]:
    width = max(width, len(str(n)))
    return [f"{prefix}{k:0{width}d}" for k in range(1, n + 1)]


def _build(model: type[Any], cols: dict[str, list[Any]]) -> list[Any]:
    """Create profiles from already-normalised values without re-validating them.

    Every value has the exact type the model's validators produce (the tests compare a sample
    with ``model_validate``); ``model_fields_set`` lists the values given, as when reading a
    file.
    """
    names = list(cols)
    construct = model.model_construct
    out = []
    for values in zip(*cols.values(), strict=True):
        data = dict(zip(names, values, strict=True))
        out.append(construct({k for k, v in data.items() if v is not None}, **data))
    return out


def _check_count(name: str, value: object) -> int:
    count = check_whole_number(value, name, low=1, high=MAX_ROWS)
    assert count is not None
    return count


def _check_seed(seed: object) -> object:
    """A seed :func:`numpy.random.default_rng` takes: None, a generator or a whole number >= 0."""
    if seed is None or isinstance(seed, np.random.SeedSequence | np.random.Generator):
        return seed
    return check_whole_number(seed, "seed", low=0)


def generate_cohort(
    n_participants: int = 120,
    n_peers: int = 24,
    *,
    seed: int | np.random.SeedSequence | np.random.Generator | None = 0,
) -> tuple[list[Participant], list[PeerLeader]]:
    """Generate a realistic synthetic cohort of participants and peer leaders.

    Parameters
    ----------
    n_participants : int, default 120
        Number of participants (1 to 1,000,000); ids ``P0001``, ``P0002``, ... zero-padded to
        the width of the count.
    n_peers : int, default 24
        Number of peer leaders (1 to 1,000,000); ids ``L001``, ``L002``, ...
    seed : int, SeedSequence or Generator, keyword-only, default 0
        Passed to :func:`numpy.random.default_rng`; the same seed gives the same cohort (and
        byte-identical files), ``None`` a fresh one.

    Returns
    -------
    participants : list of Participant
        In id order.
    peers : list of PeerLeader
        In id order.

    Raises
    ------
    InputError
        If a count is not a whole number from 1 to 1,000,000, or the seed is negative or not
        a whole number.

    Notes
    -----
    Every profile holds values of the types validation produces, so the lists behave exactly
    like profiles read from a file (the tests check this on samples). Generation is vectorised
    with NumPy; 100,000 participants and 20,000 leaders take under ten seconds, most of it
    spent creating the profile objects.

    What the cohort looks like:

    - participants aged 28-88 (mean about 60), leaders 35-85 (mean about 63) with about 15
      years of diabetes against about 8 for participants;
    - retirement from the early sixties; full-time workers available on weekday evenings and
      at weekends, retired people in the daytime, shift workers at any time;
    - insulin, continuous glucose monitors and complications more common with a longer
      duration; ``lifestyle_only`` mostly in the first two years; some participants about to
      start insulin ask for ``starting_insulin`` support, which most leaders on insulin offer;
    - first languages ``en`` (about two thirds), ``pa``, ``zh``, ``fr``, ``tl``, ``es``, ``vi``,
      many also speaking English; leaders are recruited so every language has some;
    - a few percent of optional values left empty; about one participant in five with an
      ``importance`` map (about 6 % with a ``must``, always on a value they gave), about 2 %
      vetoing a leader, a few leaders vetoing a participant or accepting only their own sex,
      about 4 % of participants with a ``preferred`` list of leaders who speak their language,
      and about 6 % of leaders paused;
    - capacities drawn from 1 to 6 (mostly 5), then raised one step at a time, never above 6,
      until the active leaders can take about 6 % more participants than there are (when 6
      each is enough). With about one leader per five participants, nearly everyone can be
      matched under the default configuration.

    Participants and leaders come from separate random streams: changing ``n_peers`` changes
    only the leaders and the participants' references to them.

    Examples
    --------
    >>> participants, peers = generate_cohort(40, 8, seed=3)
    >>> len(participants), len(peers), participants[0].id, peers[-1].id
    (40, 8, 'P0001', 'L008')
    >>> all(18 <= p.age <= 110 and p.languages for p in participants)
    True
    >>> sum(x.capacity for x in peers if x.active) >= 40
    True
    """
    n_p = _check_count("n_participants", n_participants)
    n_l = _check_count("n_peers", n_peers)
    p_rng, l_rng, x_rng = np.random.default_rng(_check_seed(seed)).spawn(3)  # type: ignore[arg-type]

    p_ids = _ids("P", n_p, 4)
    l_ids = _ids("L", n_l, 3)
    p_latent = _people(p_rng, n_p, leader=False)
    l_latent = _people(l_rng, n_l, leader=True)
    p_cols = _columns(p_latent, p_ids)
    l_cols = _columns(l_latent, l_ids)

    # Leaders: a few paused (chosen among English speakers so no community loses its only
    # leader), capacities, a few who accept only their own sex.
    english = np.flatnonzero(l_latent["first_language"] == _EN)
    n_paused = min(english.size, max(round(0.06 * n_l), 1 if n_l >= 8 else 0))
    active = np.ones(n_l, dtype=np.bool_)
    active[x_rng.choice(english, size=n_paused, replace=False)] = False
    l_cols["capacity"] = _capacities(x_rng, n_l, active, n_p).tolist()
    l_cols["active"] = active.tolist()
    l_importance: list[dict[str, Importance] | None] = [None] * n_l
    has_sex = np.flatnonzero(np.array([s in (Sex.FEMALE, Sex.MALE) for s in l_cols["sex"]]))
    if n_l >= 10 and has_sex.size:
        k = min(has_sex.size, max(round(0.05 * n_l), 1))
        for j in x_rng.choice(has_sex, size=k, replace=False).tolist():
            l_importance[j] = {"sex": Importance.MUST}

    p_cols["importance"] = _importance(p_rng, n_p, p_cols)
    l_cols["importance"] = l_importance

    # Vetoes: about 2 % of participants refuse one leader (a few two); a few leaders refuse
    # one participant.
    p_vetoes: list[frozenset[str] | None] = [None] * n_p
    if n_l >= 2:
        for i in _pick(x_rng, n_p, 0.02, min(3, n_p)).tolist():
            k = 2 if x_rng.random() < 0.1 else 1
            p_vetoes[i] = frozenset(l_ids[j] for j in x_rng.choice(n_l, k, replace=False))
    l_vetoes: list[frozenset[str] | None] = [None] * n_l
    for j in _pick(x_rng, n_l, 0.04, min(2, n_l)).tolist():
        l_vetoes[j] = frozenset({p_ids[int(x_rng.integers(n_p))]})
    p_cols["vetoes"] = p_vetoes
    l_cols["vetoes"] = l_vetoes

    # Preferred: about 4 % ranked two or three active leaders who speak their first language.
    speaks = [
        np.flatnonzero(active & _has(l_latent["languages"], k)) for k in range(len(LANGUAGES))
    ]
    preferred: list[tuple[str, ...] | None] = [None] * n_p
    for i in _pick(x_rng, n_p, 0.04, 0).tolist():
        pool = speaks[int(p_latent["first_language"][i])]
        want = int(x_rng.integers(2, 4))
        refused = p_vetoes[i] or frozenset()
        drawn = x_rng.choice(pool, size=min(pool.size, want + len(refused)), replace=False)
        picked = [l_ids[j] for j in drawn.tolist() if l_ids[j] not in refused][:want]
        preferred[i] = tuple(picked) or None
    p_cols["preferred"] = preferred

    participants: list[Participant] = _build(Participant, p_cols)
    peers: list[PeerLeader] = _build(PeerLeader, l_cols)
    return participants, peers
