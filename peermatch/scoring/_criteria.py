"""Comparator kernels: one field of a block of participants against every leader.

The kinds and their parameters are described in ``docs/criteria.md``.

Each kernel takes the encoded field of ``b`` participants and of ``m`` leaders and returns a
``(b, m)`` float64 similarity array in [0, 1]. Values where either side gives nothing are
unspecified (but finite); the caller masks them with :func:`both_given`. Kernels are pure numpy
broadcasting over all pairs, with no Python loop over pairs, and every element is computed by
the same elementwise operations whatever its position, so a pair's similarity does not depend
on how rows are blocked.

Examples
--------
>>> import numpy as np
>>> from peermatch.scoring._config import Criterion
>>> from peermatch.scoring._encode import FieldData
>>> a = FieldData(given=np.array([True]), numbers=np.array([50.0]))
>>> b = FieldData(given=np.array([True, True]), numbers=np.array([50.0, 60.0]))
>>> similarity(Criterion(kind="numeric", scale=20), a, b).tolist()
[[1.0, 0.5]]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from peermatch.scoring._config import Criterion
from peermatch.scoring._encode import FieldData

__all__ = ["KERNELS", "both_given", "shared_counts", "similarity", "weighted_similarity"]

FloatArray = NDArray[np.float64]


def _pair(x: NDArray[Any], y: NDArray[Any], outer: bool) -> tuple[NDArray[Any], NDArray[Any]]:
    """Broadcast two per-person arrays: every pair (outer) or position by position."""
    return (x[:, None], y[None, :]) if outer else (x, y)


def both_given(a: FieldData, b: FieldData, outer: bool = True) -> NDArray[np.bool_]:
    """Mask of pairs where both sides give a value."""
    x, y = _pair(a.given, b.given, outer)
    out: NDArray[np.bool_] = x & y
    return out


def shared_counts(a: FieldData, b: FieldData, outer: bool = True) -> NDArray[np.integer[Any]]:
    """``|a ∩ b|`` for every pair of bit-mask sets."""
    assert a.bits is not None and b.bits is not None
    words = a.bits.shape[1]
    x, y = _pair(a.bits[:, 0], b.bits[:, 0], outer)
    total = np.bitwise_count(x & y)
    if words > 1:
        total = total.astype(np.int64)
        for w in range(1, words):
            x, y = _pair(a.bits[:, w], b.bits[:, w], outer)
            total += np.bitwise_count(x & y)
    out: NDArray[np.integer[Any]] = total
    return out


def _exact(c: Criterion, a: FieldData, b: FieldData, outer: bool) -> FloatArray:
    if a.codes is not None and b.codes is not None:
        x, y = _pair(a.codes, b.codes, outer)
        out: FloatArray = (x == y).astype(np.float64)
        return out
    if a.numbers is not None and b.numbers is not None:
        x, y = _pair(a.numbers, b.numbers, outer)
        same: FloatArray = (x == y).astype(np.float64)
        return same
    assert a.bits is not None and b.bits is not None
    eq: NDArray[np.bool_] | None = None
    for w in range(a.bits.shape[1]):
        x, y = _pair(a.bits[:, w], b.bits[:, w], outer)
        eq = (x == y) if eq is None else eq & (x == y)
    assert eq is not None
    return eq.astype(np.float64)


def _ordinal(c: Criterion, a: FieldData, b: FieldData, outer: bool) -> FloatArray:
    assert a.codes is not None and b.codes is not None
    span = max(a.levels - 1, 1)
    x, y = _pair(a.codes, b.codes, outer)
    d = np.abs(x - y).astype(np.float64)
    out: FloatArray = 1.0 - d / span
    return out


def _numbers(a: FieldData, b: FieldData, outer: bool) -> tuple[FloatArray, FloatArray]:
    assert a.numbers is not None and b.numbers is not None
    return _pair(np.nan_to_num(a.numbers), np.nan_to_num(b.numbers), outer)


def _numeric(c: Criterion, a: FieldData, b: FieldData, outer: bool) -> FloatArray:
    x, y = _numbers(a, b, outer)
    d = np.abs(x - y)
    d /= c.eff_scale
    np.subtract(1.0, d, out=d)
    return np.maximum(d, 0.0, out=d)


def _experience(c: Criterion, a: FieldData, b: FieldData, outer: bool) -> FloatArray:
    x, y = _numbers(a, b, outer)
    d = y - x
    margin = c.eff_margin
    ahead = 0.5 + 0.5 * d / margin if margin > 0 else np.ones_like(d)
    behind = np.maximum(0.5 * (1.0 + d / c.eff_scale), 0.0)
    return np.where(d >= margin, 1.0, np.where(d >= 0, ahead, behind))


def _jaccard(c: Criterion, a: FieldData, b: FieldData, outer: bool) -> FloatArray:
    assert a.counts is not None and b.counts is not None
    inter = shared_counts(a, b, outer)
    x, y = _pair(a.counts, b.counts, outer)
    union = x + y - inter
    out: FloatArray = inter / np.maximum(union, 1)
    return out


def _coverage(c: Criterion, a: FieldData, b: FieldData, outer: bool) -> FloatArray:
    assert a.counts is not None
    inter = shared_counts(a, b, outer)
    own = np.maximum(a.counts, 1)
    out: FloatArray = inter / (own[:, None] if outer else own)
    return out


def _overlap(c: Criterion, a: FieldData, b: FieldData, outer: bool) -> FloatArray:
    assert a.bits is not None
    inter = shared_counts(a, b, outer)
    # similarity by shared count, computed with the same formula, then looked up
    k = np.arange(64 * a.bits.shape[1] + 1)
    by_count = np.where(k >= c.min_shared, np.minimum(k / c.eff_full_at, 1.0), 0.0)
    out: FloatArray = by_count[inter]
    return out


#: kind -> kernel ``(criterion, a, b) -> (b, m) similarity``.
KERNELS: dict[str, Callable[[Criterion, FieldData, FieldData, bool], FloatArray]] = {
    "exact": _exact,
    "ordinal": _ordinal,
    "numeric": _numeric,
    "experience": _experience,
    "jaccard": _jaccard,
    "coverage": _coverage,
    "overlap": _overlap,
}


def weighted_similarity(
    criterion: Criterion, a: FieldData, b: FieldData, *, outer: bool = True
) -> FloatArray:
    """``similarity * weight`` where both sides give a value, else 0.

    Set comparators need no separate "given" mask: an empty set shares nothing, so its
    similarity is already 0 (unless inverted). Overlap looks its weighted value up by shared
    count. The numbers equal ``where(both_given, similarity(...) * weight, 0)`` bit for bit.
    """
    c, w = criterion, criterion.weight
    if not c.invert and a.bits is not None and c.kind in ("overlap", "jaccard", "coverage"):
        inter = shared_counts(a, b, outer)
        if c.kind == "overlap":
            k = np.arange(64 * a.bits.shape[1] + 1)
            by_count = np.where(k >= c.min_shared, np.minimum(k / c.eff_full_at, 1.0), 0.0)
            out: FloatArray = (by_count * w)[inter]
            return out
        assert a.counts is not None and b.counts is not None
        if c.kind == "jaccard":
            x, y = _pair(a.counts, b.counts, outer)
            union = x + y
            union -= inter
            np.maximum(union, 1, out=union)
            share: FloatArray = np.divide(inter, union)
        else:
            own = np.maximum(a.counts, 1)
            share = np.divide(inter, own[:, None] if outer else own)
        share *= w
        return share
    term = similarity(c, a, b, outer=outer) * w
    term *= both_given(a, b, outer)
    return term


def similarity(
    criterion: Criterion, a: FieldData, b: FieldData, *, outer: bool = True
) -> FloatArray:
    """Similarity in [0, 1] of every (participant, leader) pair for one criterion.

    Parameters
    ----------
    criterion : Criterion
        Kind and parameters.
    a, b : FieldData
        The field of the participants (rows) and of the leaders (columns).
    outer : bool, keyword-only
        True: every participant against every leader, shape ``(len(a), len(b))``. False:
        ``a`` and ``b`` have equal length and are compared position by position (explicit
        pairs), with the same elementwise operations and hence the same numbers.

    Returns
    -------
    ndarray of float64
        Similarities; entries where a side gives no value are unspecified.
    """
    s = KERNELS[criterion.kind](criterion, a, b, outer)
    if criterion.invert:
        s = 1.0 - s
    return s
