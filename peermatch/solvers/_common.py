"""Shared pieces of the array-level solvers.

Internal module. Every solver takes the same validated arrays and returns, for each participant
(row), the matched leader (column) index or ``-1``. Solvers know nothing about profiles.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from peermatch._core.checks import number_problem, whole_numbers
from peermatch.errors import InputError

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]

#: Default preference bonus (``docs/choice.md``): a leader at position k of an L-long
#: ``preferred`` list adds ``b * (L - k + 1) / L`` to the pair's objective.
DEFAULT_PREFERENCE_BONUS = 0.05

#: Largest magnitude of a value, and largest preference bonus, that :func:`peermatch.solve`
#: accepts. Up to here float64 keeps the exact solvers within 1e-6 per participant of the
#: optimum (``docs/solvers.md``); beyond it, differences of 1e-6 are lost in the last digits of
#: the values. Scores are in [0, 1].
VALUE_LIMIT = 1e9


@dataclass(frozen=True, slots=True)
class Preferences:
    """Participants' ranked leader lists in flat array form.

    Attributes
    ----------
    rows, cols : ndarray of int64
        Participant and leader index of each listed entry.
    position : ndarray of int64
        1-based position of the entry in its participant's list.
    length : ndarray of int64, shape (n_participants,)
        Length ``L`` of each participant's list (0 when none).
    """

    rows: IntArray
    cols: IntArray
    position: IntArray
    length: IntArray

    @classmethod
    def from_lists(cls, lists: Sequence[Sequence[int]], n: int, m: int) -> Preferences:
        """Validate per-participant lists of column indices (best first).

        Raises
        ------
        InputError
            If the number of lists is not ``n``, an index is out of range or repeated.
        """
        problems: list[str] = []
        if len(lists) != n:
            raise InputError([f"preferences: expected {n} lists (one per row), got {len(lists)}"])
        rows: list[int] = []
        cols: list[int] = []
        pos: list[int] = []
        length = np.zeros(n, dtype=np.int64)
        for i, lst in enumerate(lists):
            seen: set[int] = set()
            items = list(lst)
            for k, c in enumerate(items, start=1):
                if isinstance(c, bool) or not isinstance(c, int | np.integer):
                    problems.append(
                        f"preferences[{i}][{k - 1}]: expected a column index, found {c!r}"
                    )
                    continue
                c = int(c)
                if not 0 <= c < m:
                    problems.append(f"preferences[{i}][{k - 1}]: column {c} is outside 0..{m - 1}")
                    continue
                if c in seen:
                    problems.append(f"preferences[{i}]: column {c} is listed twice")
                    continue
                seen.add(c)
                rows.append(i)
                cols.append(c)
                pos.append(k)
            length[i] = len(items)
        if problems:
            raise InputError(problems)
        return cls(
            np.asarray(rows, dtype=np.int64),
            np.asarray(cols, dtype=np.int64),
            np.asarray(pos, dtype=np.int64),
            length,
        )

    @classmethod
    def empty(cls, n: int) -> Preferences:
        """No participant ranked anyone."""
        z = np.zeros(0, dtype=np.int64)
        return cls(z, z.copy(), z.copy(), np.zeros(n, dtype=np.int64))

    def __len__(self) -> int:
        return int(self.rows.size)

    def bonus(self, preference_bonus: float) -> FloatArray:
        """Bonus of each listed entry: ``b * (L - k + 1) / L``."""
        L = self.length[self.rows].astype(np.float64)
        return preference_bonus * (L - self.position + 1) / np.maximum(L, 1.0)

    def lists(self) -> list[list[int]]:
        """The lists back as Python lists of column indices, best first."""
        out: list[list[int]] = [[] for _ in range(self.length.size)]
        order = np.lexsort((self.position, self.rows))
        for r, c in zip(self.rows[order].tolist(), self.cols[order].tolist(), strict=True):
            out[r].append(c)
        return out


@dataclass(frozen=True, slots=True)
class ArrayProblem:
    """A validated array-level matching problem.

    Attributes
    ----------
    values : ndarray of float64, shape (n_participants, n_peers)
        Pair values, higher is better (finite).
    feasible : ndarray of bool, same shape
        Which pairs may be matched.
    capacity : ndarray of int64, shape (n_peers,)
        How many participants each leader can take.
    preferences : Preferences
        Ranked lists (possibly empty).
    preference_bonus : float
        The bonus ``b`` of ``docs/choice.md``.
    """

    values: FloatArray
    feasible: BoolArray
    capacity: IntArray
    preferences: Preferences
    preference_bonus: float

    @property
    def shape(self) -> tuple[int, int]:
        """``(n_participants, n_peers)``."""
        return (int(self.values.shape[0]), int(self.values.shape[1]))

    def allowed(self) -> BoolArray:
        """Feasible pairs whose leader has room for at least one participant."""
        return self.feasible & (self.capacity > 0)[None, :]

    def objective_matrix(self) -> FloatArray:
        """Values plus the preference bonus of listed pairs (a new array)."""
        obj = self.values.astype(np.float64, copy=True)
        if len(self.preferences):
            p = self.preferences
            obj[p.rows, p.cols] += p.bonus(self.preference_bonus)
        return obj


def as_problem(
    values: object,
    feasible: object,
    capacity: object,
    preferences: Sequence[Sequence[int]] | None = None,
    preference_bonus: float = DEFAULT_PREFERENCE_BONUS,
) -> ArrayProblem:
    """Check array inputs once and return an :class:`ArrayProblem`.

    Raises
    ------
    InputError
        Listing every problem with shapes, dtypes, values that are not finite or outside
        ``[-VALUE_LIMIT, VALUE_LIMIT]``, or capacities.
    """
    problems: list[str] = []
    v = np.asarray(values)
    if v.ndim != 2:
        raise InputError([f"values: expected a 2-D array (participants x peers), got {v.ndim}-D"])
    if not (np.issubdtype(v.dtype, np.floating) or np.issubdtype(v.dtype, np.integer)):
        raise InputError([f"values: expected numbers, got dtype {v.dtype}"])
    v = v.astype(np.float64, copy=False)
    n, m = v.shape
    f = np.asarray(feasible)
    if f.shape != (n, m):
        problems.append(f"feasible: expected shape {(n, m)}, got {f.shape}")
    elif f.dtype != np.bool_:
        problems.append(f"feasible: expected a boolean array, got dtype {f.dtype}")
    c, cap_problem = whole_numbers(capacity, shape=(m,), low=0)
    if cap_problem is not None:
        problems.append(f"capacity: {cap_problem}")
    if not problems:
        bad = ~(np.abs(v) <= VALUE_LIMIT)  # NaN and infinities too
        if np.any(bad):
            i, j = np.argwhere(bad)[0]
            more = int(bad.sum()) - 1
            problems.append(
                f"values: expected finite numbers from {-VALUE_LIMIT:g} to {VALUE_LIMIT:g}, "
                f"found {v[i, j]:g} at ({i}, {j})"
                + (f" and {more} more" if more else "")
                + "; the exact solvers keep to 1e-6 per participant only in this range, so "
                "rescale larger values"
            )
    bonus_problem = number_problem(preference_bonus, low=0, high=VALUE_LIMIT)
    if bonus_problem is not None:
        problems.append(f"preference_bonus: {bonus_problem}")
    if problems or c is None:
        raise InputError(problems)
    prefs = (
        Preferences.empty(n) if preferences is None else Preferences.from_lists(preferences, n, m)
    )
    return ArrayProblem(
        values=np.ascontiguousarray(v),
        feasible=np.ascontiguousarray(f, dtype=np.bool_),
        capacity=c,
        preferences=prefs,
        preference_bonus=float(preference_bonus),
    )


class SolverFunction(Protocol):
    """Signature shared by every registered solver."""

    def __call__(self, problem: ArrayProblem) -> IntArray:  # pragma: no cover - protocol
        """Return the matched column of each row, or -1."""
        ...


@dataclass(frozen=True, slots=True)
class SolverSpec:
    """A registered solver: its function and the guarantee it gives."""

    name: str
    function: SolverFunction
    guarantee: str


#: name -> solver; filled by the solver modules, read by ``solve``, the CLI and the docs.
SOLVERS: dict[str, SolverSpec] = {}


def register(name: str, guarantee: str) -> Callable[[SolverFunction], SolverFunction]:
    """Register a solver function under ``name`` (decorator)."""

    def deco(fn: SolverFunction) -> SolverFunction:
        SOLVERS[name] = SolverSpec(name, fn, guarantee)
        return fn

    return deco
