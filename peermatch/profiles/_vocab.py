"""Controlled vocabularies of the profile fields (``docs/data-dictionary.md``).

Every closed vocabulary is a :class:`enum.StrEnum`; ordered vocabularies list their members in
order, lowest first, and expose it through :data:`ORDERED`.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "AVAILABILITY_SLOTS",
    "ISO_639_1",
    "ORDERED",
    "ActivityLevel",
    "CommunicationStyle",
    "Complication",
    "ContactFrequency",
    "ContactMode",
    "Diet",
    "EndReason",
    "GlucoseMonitoring",
    "Importance",
    "LifeStage",
    "Sex",
    "Slot",
    "SupportGoal",
    "Treatment",
]


class Sex(StrEnum):
    """Sex as recorded by the programme."""

    FEMALE = "female"
    MALE = "male"
    INTERSEX = "intersex"


class LifeStage(StrEnum):
    """Circumstances of daily life; a person may have several."""

    WORKING_FULL_TIME = "working_full_time"
    WORKING_PART_TIME = "working_part_time"
    SHIFT_WORKER = "shift_worker"
    CAREGIVER_CHILDREN = "caregiver_children"
    CAREGIVER_ADULT = "caregiver_adult"
    STUDENT = "student"
    BETWEEN_JOBS = "between_jobs"
    RETIRED = "retired"


class ActivityLevel(StrEnum):
    """Physical activity, ordered from least to most active."""

    SEDENTARY = "sedentary"
    LIGHT = "light"
    MODERATE = "moderate"
    ACTIVE = "active"


class Diet(StrEnum):
    """Dietary patterns."""

    OMNIVORE = "omnivore"
    VEGETARIAN = "vegetarian"
    VEGAN = "vegan"
    HALAL = "halal"
    KOSHER = "kosher"
    LOW_CARB = "low_carb"
    SOUTH_ASIAN = "south_asian"
    EAST_ASIAN = "east_asian"
    OTHER = "other"


class Treatment(StrEnum):
    """Diabetes treatments (current or past experience)."""

    LIFESTYLE_ONLY = "lifestyle_only"
    METFORMIN = "metformin"
    OTHER_ORAL = "other_oral"
    GLP1 = "glp1"
    BASAL_INSULIN = "basal_insulin"
    MDI_INSULIN = "mdi_insulin"
    INSULIN_PUMP = "insulin_pump"


class GlucoseMonitoring(StrEnum):
    """Glucose monitoring technology, ordered from none to continuous monitoring."""

    NONE = "none"
    FINGERSTICK = "fingerstick"
    CGM = "cgm"


class Complication(StrEnum):
    """Diabetes-related complications and conditions."""

    RETINOPATHY = "retinopathy"
    NEUROPATHY = "neuropathy"
    KIDNEY_DISEASE = "kidney_disease"
    CARDIOVASCULAR = "cardiovascular"
    FOOT = "foot"
    HYPOGLYCAEMIA = "hypoglycaemia"
    DISTRESS = "distress"


class SupportGoal(StrEnum):
    """Support goals: wanted by a participant, offered by a leader."""

    HEALTHY_EATING = "healthy_eating"
    PHYSICAL_ACTIVITY = "physical_activity"
    MEDICATION = "medication"
    STARTING_INSULIN = "starting_insulin"
    GLUCOSE_MONITORING = "glucose_monitoring"
    WEIGHT = "weight"
    STRESS = "stress"
    SLEEP = "sleep"
    FOOT_CARE = "foot_care"
    WORK_LIFE = "work_life"
    NAVIGATING_CARE = "navigating_care"
    FAMILY = "family"


class ContactMode(StrEnum):
    """Ways of keeping in touch."""

    PHONE = "phone"
    TEXT = "text"
    VIDEO = "video"
    IN_PERSON = "in_person"


class ContactFrequency(StrEnum):
    """How often to be in touch, ordered from most to least frequent."""

    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"


class CommunicationStyle(StrEnum):
    """Styles of giving and receiving support."""

    LISTENER = "listener"
    PROBLEM_SOLVER = "problem_solver"
    MOTIVATOR = "motivator"
    INFORMATION_SHARER = "information_sharer"
    HUMOUR = "humour"


_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_PARTS = ("morning", "afternoon", "evening")
#: The 21 weekly availability slots, Monday morning first.
AVAILABILITY_SLOTS: tuple[str, ...] = tuple(f"{d}_{p}" for d in _DAYS for p in _PARTS)

Slot = StrEnum("Slot", [(s.upper(), s) for s in AVAILABILITY_SLOTS])  # type: ignore[misc]
Slot.__doc__ = "Weekly availability slots ``{mon..sun}_{morning,afternoon,evening}``."


class Importance(StrEnum):
    """How much a criterion matters to a person (``docs/criteria.md``)."""

    MUST = "must"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"
    IGNORE = "ignore"


class EndReason(StrEnum):
    """Why a participant–leader pair ended."""

    POOR_FIT = "poor_fit"
    SCHEDULE = "schedule"
    MOVED = "moved"
    COMPLETED = "completed"
    PARTICIPANT_WITHDREW = "participant_withdrew"
    LEADER_WITHDREW = "leader_withdrew"
    SAFETY = "safety"


#: Ordered vocabularies, lowest level first.
ORDERED: dict[str, tuple[str, ...]] = {
    "activity_level": tuple(ActivityLevel),
    "glucose_monitoring": tuple(GlucoseMonitoring),
    "contact_frequency": tuple(ContactFrequency),
}

#: ISO 639-1 two-letter language codes.
ISO_639_1: frozenset[str] = frozenset(
    [
        "aa",
        "ab",
        "ae",
        "af",
        "ak",
        "am",
        "an",
        "ar",
        "as",
        "av",
        "ay",
        "az",
        "ba",
        "be",
        "bg",
        "bh",
        "bi",
        "bm",
        "bn",
        "bo",
        "br",
        "bs",
        "ca",
        "ce",
        "ch",
        "co",
        "cr",
        "cs",
        "cu",
        "cv",
        "cy",
        "da",
        "de",
        "dv",
        "dz",
        "ee",
        "el",
        "en",
        "eo",
        "es",
        "et",
        "eu",
        "fa",
        "ff",
        "fi",
        "fj",
        "fo",
        "fr",
        "fy",
        "ga",
        "gd",
        "gl",
        "gn",
        "gu",
        "gv",
        "ha",
        "he",
        "hi",
        "ho",
        "hr",
        "ht",
        "hu",
        "hy",
        "hz",
        "ia",
        "id",
        "ie",
        "ig",
        "ii",
        "ik",
        "io",
        "is",
        "it",
        "iu",
        "ja",
        "jv",
        "ka",
        "kg",
        "ki",
        "kj",
        "kk",
        "kl",
        "km",
        "kn",
        "ko",
        "kr",
        "ks",
        "ku",
        "kv",
        "kw",
        "ky",
        "la",
        "lb",
        "lg",
        "li",
        "ln",
        "lo",
        "lt",
        "lu",
        "lv",
        "mg",
        "mh",
        "mi",
        "mk",
        "ml",
        "mn",
        "mr",
        "ms",
        "mt",
        "my",
        "na",
        "nb",
        "nd",
        "ne",
        "ng",
        "nl",
        "nn",
        "no",
        "nr",
        "nv",
        "ny",
        "oc",
        "oj",
        "om",
        "or",
        "os",
        "pa",
        "pi",
        "pl",
        "ps",
        "pt",
        "qu",
        "rm",
        "rn",
        "ro",
        "ru",
        "rw",
        "sa",
        "sc",
        "sd",
        "se",
        "sg",
        "si",
        "sk",
        "sl",
        "sm",
        "sn",
        "so",
        "sq",
        "sr",
        "ss",
        "st",
        "su",
        "sv",
        "sw",
        "ta",
        "te",
        "tg",
        "th",
        "ti",
        "tk",
        "tl",
        "tn",
        "to",
        "tr",
        "ts",
        "tt",
        "tw",
        "ty",
        "ug",
        "uk",
        "ur",
        "uz",
        "ve",
        "vi",
        "vo",
        "wa",
        "wo",
        "xh",
        "yi",
        "yo",
        "za",
        "zh",
        "zu",
    ]
)
