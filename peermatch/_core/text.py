"""Wording shared by every message (internal): values quoted in messages, "did you mean".

Every hint in peermatch reads `` — did you mean 'x'?`` after the problem, from
:func:`did_you_mean`, so messages look alike wherever they come from. A value quoted in a
message goes through :func:`shown`: short values as written, long ones cut (a message must
never copy a whole cell, which may hold free-text health notes, into a log), objects by their
type.

Words for people (phone scripts, call sheets, reports) count things with :func:`counted`
("1 participant", "3 participants", "two places") and list them with :func:`listing`
("A, B and C"), so plurals and lists read the same everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from difflib import get_close_matches

import numpy as np

__all__ = [
    "MAX_LISTED",
    "MAX_SHOWN",
    "closest",
    "counted",
    "cut",
    "did_you_mean",
    "listing",
    "number_word",
    "plural",
    "shown",
    "shown_items",
]

#: Most characters of a value quoted in a message; longer values are cut.
MAX_SHOWN = 60
#: Most items of a list quoted in one message; the rest are counted.
MAX_LISTED = 5


def closest(word: str, choices: Iterable[str], *, cutoff: float = 0.6) -> str | None:
    """The choice most like ``word`` (difflib's ratio at least ``cutoff``), or None.

    Examples
    --------
    >>> closest("langauges", ["age", "languages"])
    'languages'
    >>> closest("xyz", ["age"]) is None
    True
    """
    if len(word) > 2 * MAX_SHOWN:  # nothing that long is a misspelt name (and difflib is slow)
        return None
    found = get_close_matches(word, list(choices), n=1, cutoff=cutoff)
    return found[0] if found else None


def did_you_mean(words: str | Sequence[str], choices: Iterable[str], *, cutoff: float = 0.6) -> str:
    """`` — did you mean 'x'?`` for the closest choice to each word, or ``""`` if none is close.

    Examples
    --------
    >>> "unknown column 'agee'" + did_you_mean("agee", ["age", "sex"])
    "unknown column 'agee' — did you mean 'age'?"
    >>> did_you_mean(["retird", "studnt", "zzz"], ["retired", "student"])
    " — did you mean 'retired', 'student'?"
    >>> did_you_mean("zzz", ["age"])
    ''
    """
    pool = list(choices)
    items = [words] if isinstance(words, str) else list(words)
    found = [c for c in (closest(w, pool, cutoff=cutoff) for w in items) if c is not None]
    if not found:
        return ""
    return " — did you mean " + ", ".join(repr(c) for c in dict.fromkeys(found)) + "?"


def shown(value: object, limit: int = MAX_SHOWN) -> str:
    """A value as quoted in a message: ``repr`` of short scalars, cut or by type otherwise.

    Examples
    --------
    >>> shown("fmale"), shown(3), shown(None)
    ("'fmale'", '3', 'None')
    >>> print(shown("abcd" * 25, limit=12))
    'abcdabcd…' (100 characters)
    >>> shown(object())
    'an object of type object'
    >>> shown(10**80, limit=12)
    '10000000… (81 digits)'
    """
    if value is None or isinstance(value, bool | int | float):
        text = repr(value)
        return text if len(text) <= limit else f"{text[: limit - 4]}… ({len(text)} digits)"
    if isinstance(value, str):
        if len(value) <= limit:
            return repr(value)
        return repr(value[: limit - 4] + "…") + f" ({len(value)} characters)"
    text = repr(value)
    plain = isinstance(value, list | tuple | dict | set | frozenset | Decimal | np.generic)
    if plain and len(text) <= limit:
        return text
    return f"an object of type {type(value).__name__}"


def cut(text: str, limit: int = MAX_SHOWN) -> str:
    """Text as placed in a message without quotes (a column or key name): cut when long.

    Examples
    --------
    >>> cut("age"), cut("x" * 100, limit=10)
    ('age', 'xxxxxxxxx…')
    """
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shown_items(items: Sequence[object], limit: int = MAX_LISTED) -> str:
    """Values as quoted in one message: the first ``limit``, each through :func:`shown`.

    Examples
    --------
    >>> shown_items(["a", "b"])
    "'a', 'b'"
    >>> shown_items(["x1", "x2", "x3", "x4"], limit=2)
    "'x1', 'x2' and 2 more"
    """
    head = ", ".join(shown(v) for v in items[:limit])
    rest = len(items) - limit
    return head + (f" and {rest} more" if rest > 0 else "")


_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")

#: Plurals that do not just add ``s``.
_IRREGULAR = {"person": "people", "reply": "replies", "this": "these", "is": "are", "was": "were"}


def number_word(n: int) -> str:
    """``n`` in words from 0 to 9 ("no", "one", ... "nine"), in digits from 10 on.

    Examples
    --------
    >>> number_word(0), number_word(2), number_word(12)
    ('no', 'two', '12')
    """
    return _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else f"{n:,}"


def plural(n: int, word: str, many: str | None = None) -> str:
    """``word`` as it goes with ``n``: singular for 1, plural otherwise.

    Examples
    --------
    >>> plural(1, "leader"), plural(0, "leader"), plural(2, "person"), plural(3, "match")
    ('leader', 'leaders', 'people', 'matches')
    """
    if n == 1:
        return word
    if many is not None:
        return many
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith(("s", "sh", "ch", "x")):
        return word + "es"
    return word + "s"


def counted(n: int, word: str, many: str | None = None, *, words: bool = False) -> str:
    """``n`` and the noun that goes with it: ``"1 participant"``, ``"two places"``.

    Parameters
    ----------
    n : int
    word : str
        The singular noun.
    many : str, optional
        The plural, when it is not regular.
    words : bool, keyword-only
        Write 0 to 9 in words (:func:`number_word`).

    Examples
    --------
    >>> counted(1, "participant"), counted(3, "participant"), counted(2, "place", words=True)
    ('1 participant', '3 participants', 'two places')
    >>> counted(1200, "pair")
    '1,200 pairs'
    """
    shown_n = number_word(n) if words else f"{n:,}"
    return f"{shown_n} {plural(n, word, many)}"


def listing(items: Iterable[str], *, last: str = "and") -> str:
    """Items as a list in a sentence: ``"A"``, ``"A and B"``, ``"A, B and C"``.

    Examples
    --------
    >>> listing(["English"]), listing(["phone", "text"], last="or")
    ('English', 'phone or text')
    >>> listing(["a", "b", "c"]), listing([])
    ('a, b and c', '')
    """
    seq = [str(x) for x in items]
    if len(seq) <= 1:
        return "".join(seq)
    return f"{', '.join(seq[:-1])} {last} {seq[-1]}"
