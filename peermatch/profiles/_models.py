"""Participant and peer leader profiles (``docs/data-dictionary.md``).

Profiles are strict pydantic models: unknown fields are rejected, every closed vocabulary is an
enum, and values are normalised on the way in (enum values and language codes lower-cased,
whitespace trimmed, empty sets treated as "not given"). Ids are case-sensitive and kept as given.
Each field also accepts the string form a CSV cell holds (``"en;fr"`` for sets,
``"sex:must;age:high"`` for the importance map, ``"yes"`` for booleans), so the same models
validate spreadsheets and JSON.

Examples
--------
>>> p = Participant(id="P001", age=54, languages="EN; fr", life_stage="Working_Full_Time")
>>> sorted(p.languages), [str(s) for s in p.life_stage]
(['en', 'fr'], ['working_full_time'])
>>> PeerLeader(id="L01", age=61, languages=["en"]).capacity
5
"""

from __future__ import annotations

import math
import numbers
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, ClassVar, TypeVar

import numpy as np
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from peermatch._core.text import did_you_mean, shown, shown_items
from peermatch.errors import Problem
from peermatch.profiles._labels import LABELS, VOCABULARY_OF, code_for
from peermatch.profiles._vocab import (
    ISO_639_1,
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

__all__ = [
    "CRITERION_FIELDS",
    "HBA1C_PERCENT",
    "PARTICIPANT_FIELDS",
    "PEER_FIELDS",
    "Participant",
    "PeerLeader",
    "hba1c_percent",
    "problems_from_validation_error",
]

#: Most unknown values of one cell given a "did you mean" hint or listed.
MAX_HINTS = 5
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_FLOAT_TEXT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
# 14/03/1965, 3-14-65, 1965-03-14, 14.03.1965 (a time may follow): what a spreadsheet makes of
# a number it took for a date
_DATE_TEXT = re.compile(
    r"(\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}-\d{1,2}-\d{1,2})([ T]\d{1,2}:\d{2}(:\d{2})?)?"
)
E = TypeVar("E", bound=StrEnum)
T = TypeVar("T")
_TRUE = {"true", "yes", "1", "y", "t"}
_FALSE = {"false", "no", "0", "n", "f"}


def _err(kind: str, message: str) -> PydanticCustomError:
    return PydanticCustomError(kind, message)


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# -- scalar parsers ------------------------------------------------------------------------


def _number(value: object, *, whole: bool, lo: float, hi: float) -> int | float | None:
    """Parse a number from a JSON value or CSV text with a clear message."""
    if _is_blank(value):
        return None
    what = "a whole number" if whole else "a number"
    expected = f"expected {what} from {lo:g} to {hi:g}"
    if isinstance(value, bool | np.bool_):
        raise _err("number", f"{expected}, found {shown(value)}")
    num: float
    if isinstance(value, numbers.Integral):  # int and NumPy integers
        if abs(int(value)) > 10**15:
            raise _err("number", f"{expected}, found {shown(value)} (out of range)")
        num = float(int(value))
    elif isinstance(value, numbers.Real):  # float and NumPy floats
        num = float(value)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise _err("number", f"{expected}, found {shown(value)} (not a finite number)")
        if abs(value) > 10**15:
            raise _err("number", f"{expected}, found {shown(value)} (out of range)")
        num = float(value)
        if whole and value != value.to_integral_value():
            raise _err("number", f"{expected}, found {shown(value)} (not a whole number)")
    elif isinstance(value, str):
        text = value.strip()
        low = text.lower()
        if low in {"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "-infinity"}:
            raise _err("number", f"{expected}, found {shown(text)} (not a finite number)")
        if len(text) <= 40 and re.fullmatch(r"[+-]?\d+,\d+", text):
            raise _err(
                "number",
                f"{expected}, found {shown(text)}: use a decimal point ({text.replace(',', '.')})",
            )
        if not _FLOAT_TEXT.fullmatch(text):
            if _DATE_TEXT.fullmatch(text):
                raise _err(
                    "number",
                    f"{expected}, found {shown(text)}: looks like a date: Excel may have "
                    "converted this cell",
                )
            lead = re.match(r"[+-]?\d{1,20}([.,]\d{1,20})?(?!\d)", text)
            hint = f": write the number only ({lead.group(0)})" if lead else ""
            raise _err("number", f"{expected}, found {shown(text)}{hint}")
        num = float(text)
    else:
        raise _err("number", f"{expected}, found {shown(value)}")
    if not math.isfinite(num):
        raise _err("number", f"{expected}, found {num!r} (not a finite number)")
    if whole and num != int(num):
        raise _err("number", f"{expected}, found {shown(value)} (not a whole number)")
    if not lo <= num <= hi:
        raise _err("number", f"{expected}, found {shown(value)} (out of range)")
    return int(num) if whole else float(num)


def _int_field(lo: int, hi: int) -> Callable[[object], int | None]:
    def parse(value: object) -> int | None:
        out = _number(value, whole=True, lo=lo, hi=hi)
        return None if out is None else int(out)

    return parse


def _float_field(lo: float, hi: float) -> Callable[[object], float | None]:
    def parse(value: object) -> float | None:
        out = _number(value, whole=False, lo=lo, hi=hi)
        return None if out is None else float(out)

    return parse


#: Plausible HbA1c in % (NGSP/DCCT units); values above are taken for mmol/mol and refused.
HBA1C_PERCENT = (3.0, 18.0)


def hba1c_percent(mmol_per_mol: float) -> float:
    """HbA1c in % from mmol/mol (IFCC units): ``% = mmol/mol / 10.929 + 2.15``.

    Examples
    --------
    >>> round(hba1c_percent(53), 1), round(hba1c_percent(86), 1)
    (7.0, 10.0)
    """
    return mmol_per_mol / 10.929 + 2.15


def _hba1c(value: object) -> float | None:
    """HbA1c in %, with a hint for values in mmol/mol or written as a fraction."""
    lo, hi = HBA1C_PERCENT
    try:
        num = _number(value, whole=False, lo=-math.inf, hi=math.inf)
    except PydanticCustomError as exc:  # not a number at all: the usual message, our range
        text = str(exc).replace("from -inf to inf", f"from {lo:g} to {hi:g}")
        raise _err("number", text) from None
    if num is None or lo <= num <= hi:
        return num
    expected = f"expected HbA1c in % from {lo:g} to {hi:g}, found {shown(value)} (out of range)"
    if num > hi and lo <= hba1c_percent(num) <= hi:
        raise _err(
            "number",
            f"{expected}: this looks like mmol/mol (IFCC units); in % it is "
            f"{hba1c_percent(num):.1f} (% = mmol/mol / 10.929 + 2.15)",
        )
    if 0 < num < lo and lo <= num * 100 <= hi:
        raise _err("number", f"{expected}: this looks like a fraction; in % it is {num * 100:.1f}")
    raise _err("number", expected)


def _bool(value: object) -> bool | None:
    if _is_blank(value):
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, numbers.Integral) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        low = value.strip().lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
    raise _err("boolean", f"expected true or false (also yes/no, 1/0), found {shown(value)}")


def _choices(vocab: Iterable[str]) -> str:
    return ", ".join(vocab)


def _enum_lookup(enum: type[E], value: object) -> E | None:
    """The member a value names (any case, spaces or dashes for ``_``), or None."""
    if isinstance(value, enum):
        return value
    if not isinstance(value, str):
        return None
    try:
        return enum(value.strip().lower().replace(" ", "_").replace("-", "_"))
    except ValueError:
        pass
    if enum in VOCABULARY_OF:  # the plain-language label ("Working full time")
        code = code_for(enum, value)
        if code is not None:
            return enum(code)
    return None


def _enum_value(enum: type[E], value: object) -> E:
    found = _enum_lookup(enum, value)
    if found is not None:
        return found
    if not isinstance(value, str):
        raise _err("enum", f"expected one of: {_choices(enum)}; found {shown(value)}")
    text = value.strip().lower().replace(" ", "_").replace("-", "_")
    hint = did_you_mean(text, [m.value for m in enum], cutoff=0.75)
    raise _err(
        "enum", f"{shown(value.strip())} is not valid{hint}; expected one of: {_choices(enum)}"
    )


def _enum_field(enum: type[E]) -> Callable[[object], E | None]:
    def parse(value: object) -> E | None:
        if _is_blank(value):
            return None
        return _enum_value(enum, value)

    return parse


def _split_cell(value: object, *, what: str) -> list[object] | None:
    """Split a multi-valued cell (``a;b``) or take a JSON array; blank means not given."""
    if _is_blank(value):
        return None
    if isinstance(value, str):
        items: list[object] = [v for v in (s.strip() for s in value.split(";")) if v]
    elif isinstance(value, list | tuple | set | frozenset):
        items = list(value)
    else:
        raise _err("set", f"expected {what} separated by ';' or a list, found {shown(value)}")
    return items or None


def _enum_set_field(enum: type[E]) -> Callable[[object], frozenset[E] | None]:
    def parse(value: object) -> frozenset[E] | None:
        items = _split_cell(value, what="values")
        if items is None:
            return None
        good: list[E] = []
        bad: list[object] = []
        for item in items:
            member = _enum_lookup(enum, item)
            if member is not None:
                good.append(member)
            else:
                bad.append(item.strip() if isinstance(item, str) else item)
        if bad:
            words = [b.lower() for b in bad[:MAX_HINTS] if isinstance(b, str) and len(b) <= 40]
            hint = did_you_mean(words, [m.value for m in enum], cutoff=0.75)
            raise _err(
                "enum",
                f"not valid: {shown_items(bad)}{hint}; expected values from: {_choices(enum)}",
            )
        return frozenset(good)

    return parse


def _languages(value: object) -> frozenset[str] | None:
    items = _split_cell(value, what="language codes")
    if items is None:
        return None
    out: set[str] = set()
    bad: list[object] = []
    for item in items:
        code = item.strip().lower() if isinstance(item, str) else item
        if isinstance(code, str) and code not in ISO_639_1:
            code = code_for("languages", code) or code  # the language's name ("English")
        if isinstance(code, str) and code in ISO_639_1:
            out.add(code)
        else:
            bad.append(code)
    if bad:
        names = [n.lower() for n in LABELS["languages"].values()]
        hint = did_you_mean([b for b in bad if isinstance(b, str)][:MAX_HINTS], names, cutoff=0.8)
        raise _err(
            "language",
            f"not an ISO 639-1 two-letter language code: {shown_items(bad)}{hint} (for example "
            "en, fr, pa, zh, or a language's English name such as English)",
        )
    return frozenset(out)


def _required_languages(value: object) -> frozenset[str]:
    out = _languages(value)
    if out is None:
        raise _err("required", "required: give at least one language code (for example en)")
    return out


def _tags(value: object) -> frozenset[str] | None:
    items = _split_cell(value, what="tags")
    if items is None:
        return None
    out: set[str] = set()
    for item in items:
        if not isinstance(item, str):
            raise _err("tag", f"expected text tags, found {shown(item)}")
        tag = " ".join(item.lower().split())
        if len(tag) > 40 or ":" in tag or not tag.isprintable():
            raise _err(
                "tag", f"tag {shown(item.strip())} must be printable text of at most 40 characters"
            )
        if tag:
            out.add(tag)
    return frozenset(out) or None


def _check_id(value: object) -> str:
    if not isinstance(value, str):
        raise _err("id", f"expected an id (text), found {shown(value)}")
    text = value.strip()
    if not ID_PATTERN.fullmatch(text):
        if not text:
            raise _err("id", "an id is required")
        if len(text) > 64:
            raise _err("id", f"id {shown(text, 24)} is longer than 64 characters")
        raise _err(
            "id",
            f"id {shown(text)} may use only letters, digits, '_', '.' and '-', starting with a "
            "letter or digit (no spaces)",
        )
    return text


def _id(value: object) -> str | None:
    if _is_blank(value):
        return None
    return _check_id(value)


def _id_set(value: object) -> frozenset[str] | None:
    items = _split_cell(value, what="ids")
    if items is None:
        return None
    return frozenset(_check_id(i) for i in items)


def _id_list(value: object) -> tuple[str, ...] | None:
    items = _split_cell(value, what="ids")
    if items is None:
        return None
    ids = [_check_id(i) for i in items]
    dup = sorted(i for i, n in Counter(ids).items() if n > 1)
    if dup:
        raise _err("id", f"lists {shown_items(dup)} more than once")
    return tuple(ids)


def _region(value: object) -> str | None:
    if _is_blank(value):
        return None
    if isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_):
        value = str(int(value))
    elif isinstance(value, numbers.Real | Decimal) and not isinstance(value, bool | np.bool_):
        if not math.isfinite(value):
            raise _err("region", f"expected a short region code, found {shown(value)}")
        value = str(value)
    if not isinstance(value, str):
        raise _err("region", f"expected a short region code, found {shown(value)}")
    text = " ".join(value.split())
    if len(text) > 32 or not text.isprintable():
        raise _err(
            "region", f"region {shown(text, 24)} must be printable text of at most 32 characters"
        )
    return text


def _importance(value: object) -> dict[str, Importance] | None:
    if _is_blank(value):
        return None
    pairs: list[tuple[object, object]]
    if isinstance(value, str):
        pairs = []
        for part in (p.strip() for p in value.split(";")):
            if not part:
                continue
            if part.count(":") != 1:
                raise _err(
                    "map",
                    f"malformed entry {shown(part)}: write criterion:level pairs separated by "
                    "';' (for example sex:must;age:high)",
                )
            name, level = part.split(":")
            pairs.append((name, level))
    elif isinstance(value, Mapping):
        pairs = list(value.items())
    else:
        raise _err("map", f"expected criterion:level pairs, found {shown(value)}")
    out: dict[str, Importance] = {}
    problems: list[str] = []
    for raw_key, v in pairs:
        key = raw_key.strip().lower() if isinstance(raw_key, str) else str(raw_key)
        if key not in CRITERION_FIELDS:
            few = len(problems) < MAX_HINTS and len(key) <= 40
            hint = did_you_mean(key, CRITERION_FIELDS) if few else ""
            problems.append(f"unknown criterion {shown(key)}{hint}")
            continue
        found = _enum_lookup(Importance, v)
        if found is None:
            problems.append(f"{key}: level {shown(v)} is not one of {_choices(Importance)}")
            continue
        if key in out and out[key] != found:
            problems.append(f"{key} is given twice")
        out[str(key)] = found
    if problems:
        unique = list(dict.fromkeys(problems))
        more = len(unique) - MAX_HINTS
        text = "; ".join(unique[:MAX_HINTS]) + (f"; and {more} more" if more > 0 else "")
        raise _err("map", text)
    return {k: out[k] for k in CRITERION_FIELDS if k in out} or None


def _sorted_enum_set(value: frozenset[StrEnum] | None) -> list[str] | None:
    if value is None:
        return None
    if not value:
        return []
    order = {m: i for i, m in enumerate(type(next(iter(value))))}
    return [m.value for m in sorted(value, key=order.__getitem__)]


def _sorted_str_set(value: frozenset[str] | None) -> list[str] | None:
    return None if value is None else sorted(value)


def _set_alias(enum: type[StrEnum]) -> tuple[BeforeValidator, PlainSerializer]:
    return (
        BeforeValidator(_enum_set_field(enum)),
        PlainSerializer(_sorted_enum_set, when_used="always"),
    )


SexValue = Annotated[Sex | None, BeforeValidator(_enum_field(Sex))]
ActivityValue = Annotated[ActivityLevel | None, BeforeValidator(_enum_field(ActivityLevel))]
MonitoringValue = Annotated[
    GlucoseMonitoring | None, BeforeValidator(_enum_field(GlucoseMonitoring))
]
FrequencyValue = Annotated[ContactFrequency | None, BeforeValidator(_enum_field(ContactFrequency))]
LifeStageSet = Annotated[frozenset[LifeStage] | None, *_set_alias(LifeStage)]
DietSet = Annotated[frozenset[Diet] | None, *_set_alias(Diet)]
TreatmentSet = Annotated[frozenset[Treatment] | None, *_set_alias(Treatment)]
ComplicationSet = Annotated[frozenset[Complication] | None, *_set_alias(Complication)]
GoalSet = Annotated[frozenset[SupportGoal] | None, *_set_alias(SupportGoal)]
ModeSet = Annotated[frozenset[ContactMode] | None, *_set_alias(ContactMode)]
StyleSet = Annotated[frozenset[CommunicationStyle] | None, *_set_alias(CommunicationStyle)]
SlotSet = Annotated[frozenset[Slot] | None, *_set_alias(Slot)]


StrSet = Annotated[frozenset[str] | None, PlainSerializer(_sorted_str_set, when_used="always")]

# -- the models ---------------------------------------------------------------------------

#: Profile fields a criterion may compare (the importance map's keys).
CRITERION_FIELDS: tuple[str, ...] = (
    "age",
    "sex",
    "languages",
    "region",
    "life_stage",
    "activity_level",
    "diet",
    "interests",
    "diabetes_years",
    "treatments",
    "glucose_monitoring",
    "complications",
    "hba1c",
    "support_goals",
    "contact_modes",
    "contact_frequency",
    "communication_style",
    "availability",
)


class _Profile(BaseModel):
    """Fields shared by participants and peer leaders."""

    # hide_input_in_errors: a validation error's text never repeats the whole record (health
    # data); each message shows only the offending value.
    model_config = ConfigDict(
        extra="forbid", frozen=True, validate_default=False, hide_input_in_errors=True
    )

    kind: ClassVar[str] = "profile"

    id: Annotated[str, BeforeValidator(_check_id)] = Field(
        description="Opaque id, unique within its file: 1-64 characters of letters, digits, "
        "'_', '.', '-', starting with a letter or digit. Case-sensitive.",
        json_schema_extra={"pattern": ID_PATTERN.pattern},
    )
    age: Annotated[int, BeforeValidator(_int_field(18, 110))] = Field(
        description="Age in years (18-110).", ge=18, le=110
    )
    sex: SexValue = Field(None, description="Sex.")
    languages: Annotated[
        frozenset[str],
        BeforeValidator(_required_languages),
        PlainSerializer(sorted, when_used="always"),
    ] = Field(description="Languages spoken: ISO 639-1 codes, at least one.", min_length=1)
    region: Annotated[str | None, BeforeValidator(_region)] = Field(
        None, description="Free short region code, e.g. a postal prefix."
    )
    life_stage: LifeStageSet = Field(None, description="Stage of life (set).")
    activity_level: ActivityValue = Field(None, description="Physical activity (ordered).")
    diet: DietSet = Field(None, description="Dietary patterns (set).")
    interests: Annotated[StrSet, BeforeValidator(_tags)] = Field(
        None, description="Free lower-case interest tags (set)."
    )
    diabetes_years: Annotated[float | None, BeforeValidator(_float_field(0, 80))] = Field(
        None, description="Years since diabetes diagnosis (0-80)."
    )
    treatments: TreatmentSet = Field(None, description="Diabetes treatments used (set).")
    glucose_monitoring: MonitoringValue = Field(
        None, description="Glucose monitoring technology (ordered)."
    )
    complications: ComplicationSet = Field(None, description="Diabetes complications (set).")
    hba1c: Annotated[float | None, BeforeValidator(_hba1c)] = Field(
        None,
        description="Latest HbA1c in % (3.0-18.0); a value in mmol/mol (IFCC units, e.g. 53) "
        "is refused with its value in % (% = mmol/mol / 10.929 + 2.15). Information only, not "
        "scored by default.",
    )
    support_goals: GoalSet = Field(
        None, description="Support goals: wanted by a participant, offered by a leader (set)."
    )
    contact_modes: ModeSet = Field(None, description="Ways to keep in touch (set).")
    contact_frequency: FrequencyValue = Field(
        None, description="How often to be in touch (ordered)."
    )
    communication_style: StyleSet = Field(None, description="Communication styles (set).")
    availability: SlotSet = Field(None, description="Weekly availability slots (set).")
    importance: Annotated[dict[str, Importance] | None, BeforeValidator(_importance)] = Field(
        None,
        description="How much each criterion matters: must, high, normal, low or ignore. "
        "A leader's importance has effect only through 'must'.",
    )
    vetoes: Annotated[StrSet, BeforeValidator(_id_set)] = Field(
        None, description="Ids of the other side this person refuses (set)."
    )

    @model_validator(mode="after")
    def _must_needs_own_value(self) -> _Profile:
        if self.importance:
            empty = [
                f
                for f, lvl in self.importance.items()
                if lvl is Importance.MUST and getattr(self, f) is None
            ]
            if empty:
                names = ", ".join(sorted(empty))
                raise _err(
                    "must",
                    f"marks {names} as 'must' but leaves {'it' if len(empty) == 1 else 'them'} "
                    "empty: a 'must' asks the other side to match this person's own value; "
                    "give the value or lower the importance",
                )
        return self

    def given(self, field: str) -> bool:
        """Whether ``field`` holds a value (``None`` means not given)."""
        return getattr(self, field) is not None


class Participant(_Profile):
    """A person who receives peer support.

    Examples
    --------
    >>> Participant(id="P1", age=45, languages="en", preferred="L2;L1").preferred
    ('L2', 'L1')
    """

    kind: ClassVar[str] = "participant"

    preferred: Annotated[tuple[str, ...] | None, BeforeValidator(_id_list)] = Field(
        None, description="Leader ids this participant ranked, best first."
    )

    @model_validator(mode="after")
    def _preferred_not_vetoed(self) -> Participant:
        if self.preferred and self.vetoes:
            both = [i for i in self.preferred if i in self.vetoes]
            if both:
                raise _err(
                    "preferred",
                    f"lists {shown_items(both)}, which vetoes also lists",
                )
        return self


class PeerLeader(_Profile):
    """A trained peer leader who supports participants.

    Examples
    --------
    >>> PeerLeader(id="L1", age=60, languages="en", capacity="3", active="no").active
    False
    """

    kind: ClassVar[str] = "peer leader"

    capacity: Annotated[int, BeforeValidator(lambda v: _default(_int_field(0, 50)(v), 5))] = Field(
        5, description="Total caseload (0-50), current participants included.", ge=0, le=50
    )
    active: Annotated[bool, BeforeValidator(lambda v: _default(_bool(v), True))] = Field(
        True, description="False while paused or on leave: never matched."
    )


def _default(value: T | None, default: T) -> T:
    return default if value is None else value


PARTICIPANT_FIELDS: tuple[str, ...] = tuple(Participant.model_fields)
PEER_FIELDS: tuple[str, ...] = tuple(PeerLeader.model_fields)


def problems_from_validation_error(
    exc: ValidationError,
    *,
    file: str | None,
    row: int | None,
    fields: Iterable[str],
) -> list[Problem]:
    """Turn a pydantic error into :class:`Problem` records with plain messages."""
    known = list(fields)
    out: list[Problem] = []
    for e in exc.errors(include_url=False):
        loc = e.get("loc", ())
        field = str(loc[0]) if loc else None
        kind = e.get("type")
        if kind == "missing":
            msg = "required, but missing or empty"
        elif kind == "extra_forbidden":
            msg = "unknown field" + did_you_mean(str(field), known)
        elif kind == "too_short" and field == "languages":
            msg = "required: give at least one language code"
        elif kind in {"model_type", "dict_type"}:
            msg = "expected an object with profile fields"
        else:
            msg = str(e.get("msg", "invalid value"))
            if kind in {"must", "preferred"}:
                field = "importance" if kind == "must" else "preferred"
        out.append(Problem(file, row, field, msg))
    return out
