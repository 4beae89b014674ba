"""Plain words for vocabulary codes in planning reports (internal).

Every word the planning reports use for a code comes from :func:`value_words` (one value, from
the labels table, in lower case mid-sentence) and :func:`list_words` (several): ``"pa"`` is
"Punjabi", ``"mon_evening"`` "Monday evening", ``"basal_insulin"`` "basal insulin". A code
without a label is shown with its underscores as spaces.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from peermatch.profiles._labels import LABELS

__all__ = ["list_words", "value_words"]

#: Vocabularies whose labels are proper nouns (languages, days of the week).
_PROPER = frozenset({"languages", "availability"})


def value_words(field: str, value: object) -> str:
    """One value of a profile field in plain words.

    Examples
    --------
    >>> value_words("languages", "pa"), value_words("availability", "mon_evening")
    ('Punjabi', 'Monday evening')
    >>> value_words("treatments", "basal_insulin")
    'basal insulin'
    """
    code = str(getattr(value, "value", value))
    table: Mapping[str, str] = LABELS.get(field, {})
    if code not in table:
        return code.replace("_", " ")
    words = table[code]
    if field in _PROPER:  # languages and days keep their capitals
        return words
    return words[:1].lower() + words[1:]


def list_words(items: Iterable[str], last: str = "and") -> str:
    """``a``, ``a and b``, ``a, b and c``.

    Examples
    --------
    >>> list_words(["Punjabi", "English", "Chinese"], "or")
    'Punjabi, English or Chinese'
    """
    words = list(items)
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {last} {words[-1]}"
