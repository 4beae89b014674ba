"""Profiles: the two kinds of people, their vocabularies and a synthetic cohort generator.

:class:`Participant` and :class:`PeerLeader` are strict, normalising pydantic models; every
closed vocabulary is a :class:`enum.StrEnum` listed here, and every vocabulary value has a
plain-language label (:data:`LABELS`, :func:`label`) that the readers accept as well as the
code. :func:`generate_cohort` draws a realistic synthetic cohort for examples, tests and
benchmarks. The fields and their vocabularies are described in the data dictionary of the
documentation.
"""

from peermatch.profiles._demo import generate_cohort
from peermatch.profiles._labels import LABELS, label
from peermatch.profiles._models import Participant, PeerLeader
from peermatch.profiles._vocab import (
    AVAILABILITY_SLOTS,
    ActivityLevel,
    CommunicationStyle,
    Complication,
    ContactFrequency,
    ContactMode,
    Diet,
    EndReason,
    GlucoseMonitoring,
    Importance,
    LifeStage,
    Sex,
    Slot,
    SupportGoal,
    Treatment,
)

__all__ = [
    "AVAILABILITY_SLOTS",
    "LABELS",
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
    "Participant",
    "PeerLeader",
    "Sex",
    "Slot",
    "SupportGoal",
    "Treatment",
    "generate_cohort",
    "label",
]
