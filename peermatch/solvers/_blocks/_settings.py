"""The block solver's arguments, checked once."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from peermatch._core.checks import whole_number_problem, whole_numbers
from peermatch.errors import InputError, Problem
from peermatch.solvers._blocks._chunks import Layout
from peermatch.solvers._blocks._pairs import Bonus
from peermatch.solvers._blocks._restricted import BACKENDS, choose_backend
from peermatch.solvers._common import IntArray

__all__ = ["Settings", "check_settings"]


@dataclass(frozen=True)
class Settings:
    """What :func:`~peermatch.solvers._blocks.solve_blocks` was asked to do, checked."""

    n: int  # rows (participants)
    m: int  # columns (leaders)
    capacity: IntArray  # (m,): places per leader
    bonus: Bonus  # sparse preference bonus added to the objective
    k: int  # candidates per row taken from each pass
    keep: int  # entries per row kept by each pass: the k candidates, then the shadows
    col_k: int  # candidate rows per leader from the first pass (0: none)
    block_rows: int  # most rows per provider call
    max_rounds: int  # most re-solves after the first solve
    backend: str  # the restricted solver that runs: "ortools" or "scipy"
    workers: int  # threads calling the provider
    layout: Layout  # column chunks and leader groups of the scans


def check_settings(
    n: object,
    m: object,
    capacity: object,
    bonus_rows: object,
    bonus_cols: object,
    bonus_values: object,
    *,
    k: object,
    block_rows: object,
    max_rounds: object,
    backend: str,
    col_k: object,
    shadow: object,
    workers: object,
) -> Settings:
    """Check every argument and fill in the defaults of ``col_k``, ``shadow`` and ``backend``.

    Raises
    ------
    InputError
        Listing every bad argument; or OR-Tools asked for but not installed.
    """
    problems: list[Problem] = []
    for name, val, low, none_ok in (
        ("n", n, 0, False),
        ("m", m, 0, False),
        ("k", k, 1, False),
        ("block_rows", block_rows, 1, False),
        ("max_rounds", max_rounds, 0, False),
        ("col_k", col_k, 0, True),
        ("shadow", shadow, 0, True),
        ("workers", workers, 1, False),
    ):
        problem = whole_number_problem(val, low=low, none_ok=none_ok)
        if problem is not None:
            problems.append(Problem(None, None, name, problem))
    if backend not in BACKENDS:
        problems.append(
            Problem(
                None,
                None,
                "backend",
                f"unknown {backend!r}; expected one of: {', '.join(BACKENDS)}",
            )
        )
    cap = None
    if not any(p.field == "m" for p in problems):
        cap, cap_problem = whole_numbers(capacity, shape=(int(m),), low=0)  # type: ignore[call-overload]
        if cap_problem is not None:
            problems.append(Problem(None, None, "capacity", cap_problem))
    if problems or cap is None:
        raise InputError(problems)
    nn, mm, kk = int(n), int(m), int(k)  # type: ignore[call-overload]
    bonus = _check_bonus(bonus_rows, bonus_cols, bonus_values, nn, mm)
    if col_k is None:
        col_k = int(min(6 * int(cap.max(initial=0)), 64))
    keep = max(kk, 3 * kk if shadow is None else kk + int(shadow))  # type: ignore[call-overload]
    return Settings(
        n=nn,
        m=mm,
        capacity=cap,
        bonus=bonus,
        k=kk,
        keep=keep,
        col_k=int(col_k),  # type: ignore[call-overload]
        block_rows=int(block_rows),  # type: ignore[call-overload]
        max_rounds=int(max_rounds),  # type: ignore[call-overload]
        backend=choose_backend(backend),
        workers=int(workers),  # type: ignore[call-overload]
        layout=Layout.build(mm, keep),
    )


def _check_bonus(rows: object, cols: object, values: object, n: int, m: int) -> Bonus:
    """The sparse preference bonus sorted by (row, column), or none."""
    given = [x is not None for x in (rows, cols, values)]
    if not any(given):
        return Bonus.none()
    problem = None
    if not all(given):
        problem = "give all three or none"
    else:
        br = np.asarray(rows, dtype=np.int64).ravel()
        bc = np.asarray(cols, dtype=np.int64).ravel()
        bv = np.asarray(values, dtype=np.float64).ravel()
        if not br.size == bc.size == bv.size:
            problem = "lengths differ"
        elif br.size and (br.min() < 0 or br.max() >= n or bc.min() < 0 or bc.max() >= m):
            problem = "index outside the problem"
        elif not np.all(np.isfinite(bv)):
            problem = "bonus values must be finite"
    if problem is not None:
        raise InputError([Problem(None, None, "bonus_rows, bonus_cols, bonus_values", problem)])
    order = np.lexsort((bc, br))
    return Bonus(br[order], bc[order], bv[order])
