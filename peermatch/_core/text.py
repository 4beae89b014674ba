"""Wording shared by every message (internal): "did you mean" hints.

Every hint in peermatch reads `` — did you mean 'x'?`` after the problem, from
:func:`did_you_mean`, so messages look alike wherever they come from.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from difflib import get_close_matches

__all__ = ["closest", "did_you_mean"]


def closest(word: str, choices: Iterable[str], *, cutoff: float = 0.6) -> str | None:
    """The choice most like ``word`` (difflib's ratio at least ``cutoff``), or None.

    Examples
    --------
    >>> closest("langauges", ["age", "languages"])
    'languages'
    >>> closest("xyz", ["age"]) is None
    True
    """
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
