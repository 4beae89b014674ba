"""Exceptions and warnings raised by peermatch.

A small tree: :class:`PeermatchError` is the base; :class:`InputError` reports bad data or
configuration and carries *every* problem found, each as a :class:`Problem`; :class:`SolverError`
reports a backend failure; :class:`HistoryBusyError` says that another run held a run history
for longer than a run would wait. Participants that cannot be matched are a normal *result*
(unmatched, with a reason), never an exception.

Warnings say that a result is valid but not quite what was asked for: :class:`PeermatchWarning`
is their base, and :class:`OptimalityWarning` says that a result was not proven optimal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "HistoryBusyError",
    "InputError",
    "OptimalityWarning",
    "PeermatchError",
    "PeermatchWarning",
    "Problem",
    "SolverError",
]


class PeermatchError(Exception):
    """Base class of every exception peermatch raises on purpose."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem found in an input.

    Attributes
    ----------
    file : str or None
        The file the problem is in (``None`` for in-memory data).
    row : int or None
        The line number a spreadsheet shows (header = 1, first profile = 2), or, for JSON and
        in-memory lists, the 1-based position of the record.
    field : str or None
        The field (column, configuration key) concerned.
    message : str
        What was expected, what was found and, when obvious, how to fix it.
    """

    file: str | None
    row: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.file is not None:
            where.append(self.file)
        if self.row is not None:
            where.append(str(self.row))
        prefix = ":".join(where)
        parts = [p for p in (prefix, self.field) if p]
        return ": ".join([*parts, self.message])

    def sort_key(self) -> tuple[str, int, str, str]:
        """Order problems by file, row, field and message."""
        return (self.file or "", self.row or 0, self.field or "", self.message)


#: Most problems an :class:`InputError` lists (all files together); the rest are counted.
MAX_LISTED_PROBLEMS = 1000


@dataclass(frozen=True, slots=True)
class MoreProblems(Problem):
    """Stands for ``count`` problems found but not listed (``... and N more problems``).

    A reader that stops early (a file with thousands of bad rows) puts one in its problem
    list; :class:`InputError` adds them up and always lists the total last.
    """

    count: int = 0

    @classmethod
    def of(cls, count: int) -> MoreProblems:
        """The marker for ``count`` problems left out."""
        return cls(None, None, None, f"... and {count:,} more problems", count)


class InputError(PeermatchError, ValueError):
    """Bad input data or configuration, with every problem found.

    Parameters
    ----------
    problems : iterable of Problem or str
        The problems; plain strings become problems with no location.

    Attributes
    ----------
    problems : tuple of Problem
        The problems in file, row and field order: at most :data:`MAX_LISTED_PROBLEMS`, then,
        when more were found, one last ``... and N more problems`` entry.
    count : int
        How many problems were found in all, listed or not.

    Examples
    --------
    >>> err = InputError([Problem("p.csv", 3, "age", "expected a whole number, found 'x'")])
    >>> print(err)
    p.csv:3: age: expected a whole number, found 'x'
    """

    def __init__(self, problems: Iterable[Problem | str]) -> None:
        items: list[Problem] = []
        more = 0
        for p in problems:
            if isinstance(p, MoreProblems):
                more += p.count
            else:
                items.append(p if isinstance(p, Problem) else Problem(None, None, None, p))
        listed = sorted(dict.fromkeys(items), key=Problem.sort_key)
        if len(listed) > MAX_LISTED_PROBLEMS:
            more += len(listed) - MAX_LISTED_PROBLEMS
            del listed[MAX_LISTED_PROBLEMS:]
        self.count = len(listed) + more
        self.problems: tuple[Problem, ...] = (
            (*listed, MoreProblems.of(more)) if more else tuple(listed)
        )
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self) -> tuple[type[InputError], tuple[tuple[Problem, ...]]]:
        return (type(self), (self.problems,))


class SolverError(PeermatchError, RuntimeError):
    """A solver backend failed in a way that is not the input's fault."""


class HistoryBusyError(PeermatchError, RuntimeError):
    """Another run kept a run history locked for longer than this one would wait.

    Nothing was read or written; run again when the other run has finished. See
    :meth:`peermatch.History.locked`.
    """


class PeermatchWarning(UserWarning):
    """Base class of every warning peermatch issues: the result is valid, but read this."""


class OptimalityWarning(PeermatchWarning):
    """A result is a valid matching but was not proven optimal.

    The large-cohort solver proves its result optimal with a dual certificate; when it stops
    before the proof is complete (its round limit), the result says so in
    ``metrics["certified"] == 0`` and ``metrics["gap_bound"]``, and this warning is issued. The
    command line prints it on standard error.
    """
