"""Profiles in plain words, for documents people read (internal).

Phone scripts, call sheets and reports describe people with the labels of
:data:`peermatch.LABELS` ("Saturday morning", "Continuous glucose monitor"), ages as bands
("in her 60s"), years rounded ("about 24 years") and counts with the right plural. Every
function here takes *JSON-ready values* (``model_dump(mode="json")``: sets as lists of codes,
``None`` when not given) and only the fields it is handed: what may be shown is decided by the
caller, which passes shareable fields only.

Examples
--------
>>> leader = {"age": 64, "sex": "female", "languages": ["en", "pa"],
...           "availability": ["sat_morning"]}
>>> describe_leader(leader)
['A woman in her 60s.', 'Speaks English and Punjabi.', 'Usually free: Saturday morning.']
>>> me = {"age": 61, "sex": "female", "languages": ["en"], "availability": ["sat_morning"]}
>>> in_common(me, leader, ["languages", "age", "availability"], audience="participant")
['you both speak English', 'you are both in your 60s', 'you are both free on Saturday morning']
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from peermatch._core.text import counted, listing
from peermatch.profiles._labels import LABELS
from peermatch.profiles._vocab import AVAILABILITY_SLOTS

__all__ = [
    "SHAREABLE_FIELDS",
    "Audience",
    "age_band",
    "capital",
    "describe_leader",
    "in_common",
    "label_list",
    "labels",
    "lower_first",
    "slots_in_words",
    "years_in_words",
]

#: Profile fields a document for a participant or a leader may show about the other person by
#: default (the leader card's fields). ``hba1c``, ``complications``, ``region``,
#: ``importance``, ``vetoes``, ``preferred``, ``capacity`` and ``active`` are never among them.
SHAREABLE_FIELDS: tuple[str, ...] = (
    "age",
    "sex",
    "languages",
    "life_stage",
    "activity_level",
    "diet",
    "interests",
    "diabetes_years",
    "treatments",
    "glucose_monitoring",
    "support_goals",
    "contact_modes",
    "contact_frequency",
    "communication_style",
    "availability",
)

#: Who reads the sentence: ``participant`` (the other person is the leader) or ``leader``.
Audience = Literal["participant", "leader"]

_SLOT_ORDER = {s: k for k, s in enumerate(AVAILABILITY_SLOTS)}


def lower_first(text: str) -> str:
    """``text`` with its first letter in lower case, unless it starts an acronym.

    Examples
    --------
    >>> lower_first("Working full time"), lower_first("GLP-1 injections")
    ('working full time', 'GLP-1 injections')
    """
    if text[1:2].isupper():
        return text
    return text[:1].lower() + text[1:]


def labels(field: str, codes: Iterable[str] | str | None) -> list[str]:
    """The labels of a field's codes, in the vocabulary's order (free tags as they are)."""
    if codes is None:
        return []
    items = [codes] if isinstance(codes, str) else list(codes)
    table = LABELS.get(field)
    if table is None:  # free text (interests)
        return [str(c) for c in items]
    order = {c: k for k, c in enumerate(table)}
    return [table.get(str(c), str(c)) for c in sorted(items, key=lambda c: order.get(c, 10**6))]


#: Labels reworded inside sentences about someone else (the label speaks as the participant).
_IN_SENTENCE = {"Finding my way in health care": "Finding a way through health care"}


def label_list(field: str, codes: Iterable[str] | str | None, *, last: str = "and") -> str:
    """The labels of a field's codes as a list in a sentence, first letters lowered."""
    return listing((lower_first(_IN_SENTENCE.get(x, x)) for x in labels(field, codes)), last=last)


def age_band(age: int | float) -> str:
    """An age as a band: ``"60s"``; under 20: ``"late teens"``.

    Examples
    --------
    >>> age_band(64), age_band(70), age_band(19)
    ('60s', '70s', 'late teens')
    """
    a = int(age)
    return "late teens" if a < 20 else f"{a // 10 * 10}s"


def years_in_words(years: float) -> str:
    """Years rounded for people: ``"less than a year"``, ``"about a year"``, ``"about 24 years"``.

    Examples
    --------
    >>> years_in_words(0.4), years_in_words(1.2), years_in_words(23.7)
    ('less than a year', 'about a year', 'about 24 years')
    """
    if years < 0.75:
        return "less than a year"
    n = max(1, math.floor(years + 0.5))
    return "about a year" if n == 1 else f"about {n} years"


def slots_in_words(slots: Iterable[str]) -> list[str]:
    """Availability slots as labels ("Monday evening"), Monday morning first."""
    return labels("availability", sorted(slots, key=lambda s: _SLOT_ORDER.get(s, 99)))


def _person(sex: str | None, age: int | None) -> str:
    noun, pronoun = {"female": ("A woman", "her"), "male": ("A man", "his")}.get(
        sex or "", ("A peer leader", "their")
    )
    if age is None:
        return f"{noun}."
    band = age_band(age)
    return f"{noun} in {pronoun} {band}."


def describe_leader(card: Mapping[str, Any]) -> list[str]:
    """A leader's card as short sentences, one per field given, in card order.

    ``card`` holds the shareable fields only; a field missing from it (or ``None``) is not
    mentioned.
    """

    def given(name: str) -> Any:
        return card.get(name)

    out: list[str] = []
    if given("sex") is not None or given("age") is not None:
        out.append(_person(given("sex"), given("age")))
    for name in card:
        value = given(name)
        if value is None or value == [] or name in ("sex", "age"):
            continue
        text = _sentence(name, value)
        if text:
            out.append(text)
    return out


def _sentence(name: str, value: Any) -> str | None:
    """One field of a card as a sentence."""
    if name == "languages":
        return f"Speaks {listing(labels(name, value))}."
    if name in ("life_stage", "activity_level", "diet"):
        return f"{capital(label_list(name, value))}."
    if name == "interests":
        return f"Enjoys {listing(labels(name, value))}."
    if name == "diabetes_years":
        return f"Has lived with diabetes for {years_in_words(float(value))}."
    if name == "treatments":
        return f"Treatment: {label_list(name, value)}."
    if name == "glucose_monitoring":
        return f"Checks blood sugar with: {label_list(name, value)}."
    if name == "support_goals":
        return f"Can help with {label_list(name, value)}."
    if name == "contact_modes":
        return f"Keeps in touch by: {label_list(name, value, last='or')}."
    if name == "contact_frequency":
        return f"Likes to talk {label_list(name, value)}."
    if name == "communication_style":
        return f"Style: {label_list(name, value)}."
    if name == "availability":
        return f"Usually free: {listing(slots_in_words(value))}."
    if name == "region":
        return f"Lives in area {value}."
    if name == "hba1c":
        return f"Latest HbA1c: {float(value):.1f}%."
    if name == "complications":
        return f"Health: {label_list(name, value)}."
    return None


def capital(text: str) -> str:
    """``text`` with a capital first letter."""
    return text[:1].upper() + text[1:]


def _shared(mine: Any, theirs: Any) -> list[str]:
    if mine is None or theirs is None:
        return []
    a = [mine] if isinstance(mine, str) else list(mine)
    b = {theirs} if isinstance(theirs, str) else set(theirs)
    return [x for x in a if x in b]


def _some(field: str, codes: Sequence[str], most: int = 3) -> str:
    """Up to ``most`` labels in a sentence; more are summarised with an example."""
    if field == "availability":
        words = slots_in_words(codes)
    else:
        words = [lower_first(_IN_SENTENCE.get(x, x)) for x in labels(field, codes)]
    if len(words) <= most:
        return listing(words)
    return f"{counted(len(words), 'time' if field == 'availability' else 'thing')}, such as " + (
        listing(words[:2])
    )


def phrase(name: str, mine: Any, theirs: Any, *, audience: Audience) -> str | None:
    """What the reader (``mine``) and the other person (``theirs``) share on one field.

    ``None`` when there is nothing to say in plain words. For a participant, "they" is the
    leader; for a leader, "they" is the participant.
    """
    if mine is None or theirs is None:
        return None
    if name == "age":
        if age_band(mine) == age_band(theirs):
            return f"you are both in your {age_band(mine)}"
        return "you are close in age" if abs(int(mine) - int(theirs)) <= 10 else None
    if name == "sex":
        both = {"female": "women", "male": "men"}.get(mine)
        return f"you are both {both}" if mine == theirs and both else None
    if name == "languages":
        shared = _shared(mine, theirs)
        return f"you both speak {listing(labels(name, shared))}" if shared else None
    if name == "region":
        return "you live in the same area" if mine == theirs else None
    if name == "activity_level":
        if mine == theirs:
            return f"you are both {label_list(name, mine)}"
        return None
    if name == "contact_frequency":
        return f"you both want to talk {label_list(name, mine)}" if mine == theirs else None
    if name == "glucose_monitoring":
        if mine == theirs:
            return f"you check blood sugar the same way ({label_list(name, mine)})"
        return None
    if name == "diabetes_years":
        lead, follow = (theirs, mine) if audience == "participant" else (mine, theirs)
        if float(lead) >= float(follow) + 2:
            who = "they have" if audience == "participant" else "you have"
            return f"{who} lived with diabetes longer"
        if abs(float(lead) - float(follow)) < 2:
            return "you have lived with diabetes for about as long as each other"
        return None
    if name == "hba1c":
        return "your HbA1c results are similar" if abs(float(mine) - float(theirs)) < 1 else None
    shared = _shared(mine, theirs)
    if not shared:
        return None
    if name == "treatments" and "lifestyle_only" in shared:
        shared = [x for x in shared if x != "lifestyle_only"]
        if not shared:
            return "you both manage without diabetes medicines"
    text = _some(name, shared)
    if name == "support_goals":
        if audience == "participant":
            return f"they can help with {text}"
        return f"you can help with {text}"
    return {
        "life_stage": f"you share a stage of life ({text})",
        "diet": f"you eat alike ({text})",
        "interests": f"you share {'an interest' if len(shared) == 1 else 'interests'} ({text})",
        "treatments": f"you both use {text}",
        "complications": f"you share health experiences ({text})",
        "contact_modes": f"you both like {text}",
        "communication_style": f"you share a way of talking ({text})",
        "availability": f"you are both free on {text}",
    }.get(name)


def in_common(
    mine: Mapping[str, Any],
    theirs: Mapping[str, Any],
    fields: Iterable[str],
    *,
    audience: Audience,
    most: int | None = None,
) -> list[str]:
    """Phrases for what the two share, one per field that has something to say, in order.

    Only ``fields`` are looked at, and only those both mappings hold; pass shareable fields.
    """
    out: list[str] = []
    for name in fields:
        if name not in mine or name not in theirs:
            continue
        text = phrase(name, mine[name], theirs[name], audience=audience)
        if text:
            out.append(text)
        if most is not None and len(out) >= most:
            break
    return out
