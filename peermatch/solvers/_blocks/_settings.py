"""The block solver's arguments, checked once."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from peermatch.errors import InputError
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
        Listing the bad arguments; or OR-Tools asked for but not installed.
    """
    cap, bonus = _check_args(
        n, m, capacity, bonus_rows, bonus_cols, bonus_values, k, block_rows, max_rounds, backend
    )
    problems: list[str] = [
        f"{name}: expected a whole number >= 0 or None, got {val!r}"
        for name, val in (("col_k", col_k), ("shadow", shadow))
        if val is not None
        and (isinstance(val, bool) or not isinstance(val, int | np.integer) or val < 0)
    ]
    if isinstance(workers, bool) or not isinstance(workers, int | np.integer) or workers < 1:
        problems.append(f"workers: expected a whole number >= 1, got {workers!r}")
    if problems:
        raise InputError(problems)
    kk = int(k)  # type: ignore[call-overload]
    if col_k is None:
        col_k = int(min(6 * int(cap.max(initial=0)), 64))
    keep = max(kk, 3 * kk if shadow is None else kk + int(shadow))  # type: ignore[call-overload]
    return Settings(
        n=int(n),  # type: ignore[call-overload]
        m=int(m),  # type: ignore[call-overload]
        capacity=cap,
        bonus=bonus,
        k=kk,
        keep=keep,
        col_k=int(col_k),  # type: ignore[call-overload]
        block_rows=int(block_rows),  # type: ignore[call-overload]
        max_rounds=int(max_rounds),  # type: ignore[call-overload]
        backend=choose_backend(backend),
        workers=int(workers),  # type: ignore[call-overload]
        layout=Layout.build(int(m), keep),  # type: ignore[call-overload]
    )


def _check_args(
    n: object,
    m: object,
    capacity: object,
    bonus_rows: object,
    bonus_cols: object,
    bonus_values: object,
    k: object,
    block_rows: object,
    max_rounds: object,
    backend: str,
) -> tuple[IntArray, Bonus]:
    problems: list[str] = []
    for name, val, low in (
        ("n", n, 0),
        ("m", m, 0),
        ("k", k, 1),
        ("block_rows", block_rows, 1),
        ("max_rounds", max_rounds, 0),
    ):
        if isinstance(val, bool) or not isinstance(val, int | np.integer) or val < low:
            problems.append(f"{name}: expected a whole number >= {low}, got {val!r}")
    if backend not in BACKENDS:
        problems.append(f"backend: unknown {backend!r}; expected one of: {', '.join(BACKENDS)}")
    cap = np.asarray(capacity)
    if cap.shape != (m,) or not np.issubdtype(cap.dtype, np.integer):
        problems.append(f"capacity: expected {m} whole numbers, got {cap.dtype} {cap.shape}")
    elif np.any(cap < 0):
        problems.append("capacity: must not be negative")
    given = [x is not None for x in (bonus_rows, bonus_cols, bonus_values)]
    if any(given) and not all(given):
        problems.append("bonus_rows, bonus_cols, bonus_values: give all three or none")
    if problems:
        raise InputError(problems)
    if all(given):
        br = np.asarray(bonus_rows, dtype=np.int64).ravel()
        bc = np.asarray(bonus_cols, dtype=np.int64).ravel()
        bv = np.asarray(bonus_values, dtype=np.float64).ravel()
        if not br.size == bc.size == bv.size:
            problems.append("bonus_rows, bonus_cols, bonus_values: lengths differ")
        elif br.size and (br.min() < 0 or br.max() >= n or bc.min() < 0 or bc.max() >= m):
            problems.append("bonus_rows, bonus_cols: index outside the problem")
        elif not np.all(np.isfinite(bv)):
            problems.append("bonus_values: must be finite")
        if problems:
            raise InputError(problems)
        order = np.lexsort((bc, br))
        bonus = Bonus(br[order], bc[order], bv[order])
    else:
        bonus = Bonus.none()
    return cap.astype(np.int64), bonus
