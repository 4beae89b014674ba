"""Checking solver names, running a registered solver, and :func:`solve` (internal)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from peermatch._core.checks import check_number
from peermatch.errors import InputError
from peermatch.solvers import (  # noqa: F401  (importing a solver module registers it)
    _greedy,
    _hungarian,
    _maximin,
    _stable,
)
from peermatch.solvers._balance import solve_balanced
from peermatch.solvers._common import (
    DEFAULT_PREFERENCE_BONUS,
    SOLVERS,
    ArrayProblem,
    IntArray,
    Preferences,
    as_problem,
)

__all__ = [
    "BALANCE_LIMIT",
    "DEFAULT_PREFERENCE_BONUS",
    "SOLVERS",
    "ArrayProblem",
    "Preferences",
    "check_balance",
    "check_solver_name",
    "run_solver",
    "solve",
]


def check_solver_name(name: str) -> str:
    """Return ``name`` if a solver of that name is registered.

    Raises
    ------
    InputError
        Naming the unknown solver and listing the valid ones.
    """
    if name not in SOLVERS:
        valid = ", ".join(sorted(SOLVERS))
        raise InputError([f"unknown solver {name!r}; expected one of: {valid}"])
    return name


#: Largest ``balance`` accepted (a place then costs at most 10 score points).
BALANCE_LIMIT = 10.0


def check_balance(balance: object, solver: str) -> float:
    """``balance`` as a float in ``[0, BALANCE_LIMIT]``, allowed only with ``hungarian``.

    Raises
    ------
    InputError
        A value that is not a number in range, or a positive value with another solver.
    """
    value = check_number(balance, "balance", low=0, high=BALANCE_LIMIT)
    assert value is not None
    if value > 0 and solver != "hungarian":
        raise InputError(
            [
                f"balance = {value:g} evens out caseloads in the 'hungarian' solver only, not in "
                f"{solver!r}; set balance = 0 or use solver 'hungarian'"
            ]
        )
    return value


def run_solver(name: str, problem: ArrayProblem, *, balance: float = 0.0) -> IntArray:
    """Run a registered solver on a validated problem (``balance`` only with ``hungarian``)."""
    check_solver_name(name)
    if check_balance(balance, name) > 0:
        return solve_balanced(problem, balance)
    return SOLVERS[name].function(problem)


def solve(
    values: object,
    feasible: object,
    capacity: object,
    *,
    solver: str = "hungarian",
    preferences: Sequence[Sequence[int]] | None = None,
    preference_bonus: float = DEFAULT_PREFERENCE_BONUS,
    balance: float = 0.0,
) -> IntArray:
    """Match rows (participants) to columns (leaders) from your own scores.

    Parameters
    ----------
    values : array_like of float, shape (n_participants, n_peers)
        Pair values; higher is better; finite numbers from -1e9 to 1e9 (scores are in
        [0, 1]; divide larger values, and ``preference_bonus`` with them, by a constant).
    feasible : array_like of bool, same shape
        Pairs that may be matched; the others never are.
    capacity : array_like of int, shape (n_peers,)
        How many participants each leader can take.
    solver : str, keyword-only
        A registered solver name (see :data:`SOLVERS`); default ``"hungarian"``.
    preferences : list of lists of int, optional
        One list per participant: the columns it ranked, best first. ``hungarian``,
        ``maximin`` and ``greedy`` add ``preference_bonus * (L - k + 1) / L`` to the value of
        the leader at position ``k`` of an ``L``-long list; ``stable`` ranks listed columns
        first.
    preference_bonus : float, keyword-only
        The bonus ``b`` above (default 0.05), at most 1e9.
    balance : float, keyword-only
        ``hungarian`` only: from 0 (default) to 10. Among the matchings with the most rows
        matched, maximise the total minus ``balance * sum_j load_j**2 / (2 * capacity_j)``,
        which evens out each column's load relative to its capacity (``docs/solvers.md``).

    Returns
    -------
    ndarray of int64, shape (n_participants,)
        The matched column of each row, ``-1`` if unmatched.

    Raises
    ------
    InputError
        Bad shapes, values that are not finite or outside [-1e9, 1e9], negative capacity, bad
        preferences, an unknown solver, or a bad ``balance`` (or one given to another solver).

    Notes
    -----
    The exact solvers (``hungarian``, ``maximin``) reach the optimum of their objective within
    1e-6 per participant for every input in this range ([-1e9, 1e9] keeps float64's rounding
    of value differences far below that).

    Examples
    --------
    >>> import numpy as np
    >>> values = np.array([[0.9, 0.8], [0.7, 0.1], [0.6, 0.5]])
    >>> feasible = np.array([[True, True], [True, False], [True, True]])
    >>> solve(values, feasible, [1, 1]).tolist()
    [1, 0, -1]
    >>> solve([[0.9, 0.8], [0.8, 0.6]], np.ones((2, 2), bool), [2, 2]).tolist()
    [0, 0]
    >>> solve([[0.9, 0.8], [0.8, 0.6]], np.ones((2, 2), bool), [2, 2], balance=1).tolist()
    [1, 0]
    """
    check_solver_name(solver)
    weight = check_balance(balance, solver)
    problem = as_problem(values, feasible, capacity, preferences, preference_bonus)
    result = run_solver(solver, problem, balance=weight)
    if result.shape != (problem.shape[0],):  # pragma: no cover - guards the registry contract
        raise InputError([f"solver {solver!r} returned shape {result.shape}"])
    return np.asarray(result, dtype=np.int64)
