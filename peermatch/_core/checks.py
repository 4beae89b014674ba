"""Checks of scalar arguments, written once (internal).

:func:`whole_number_problem` and :func:`number_problem` say what is wrong with a value, or
return None; :func:`check_whole_number` and :func:`check_number` raise
:class:`~peermatch.errors.InputError` with that message. A boolean is never a number here
(``True`` is an ``int`` in Python), NumPy integers and floats are, and NaN never is.
:func:`whole_numbers` checks a whole array of them (capacities) the same way.
"""

from __future__ import annotations

import math
import numbers
from decimal import Decimal

import numpy as np
from numpy.typing import NDArray

from peermatch._core.text import shown
from peermatch.errors import InputError, Problem

__all__ = [
    "check_number",
    "check_whole_number",
    "number_problem",
    "whole_number_problem",
    "whole_numbers",
]


def _num(x: float) -> str:
    return f"{x:,}" if isinstance(x, int) else f"{x:g}"


def _bounds(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f" from {_num(low)} to {_num(high)}"
    if low is not None:
        return f" >= {_num(low)}"
    if high is not None:
        return f" <= {_num(high)}"
    return ""


def whole_number_problem(
    value: object, *, low: int | None = None, high: int | None = None, none_ok: bool = False
) -> str | None:
    """What is wrong with ``value`` as a whole number in ``[low, high]``, or None.

    Integral floats and :class:`~decimal.Decimal` values (``5.0``) are accepted.

    Examples
    --------
    >>> whole_number_problem(3, low=1) is None
    True
    >>> whole_number_problem(True, low=1)
    'expected a whole number >= 1, found True'
    >>> whole_number_problem(0, low=1, high=9)
    'expected a whole number from 1 to 9, found 0'
    """
    expected = ("None or " if none_ok else "") + "a whole number" + _bounds(low, high)
    if value is None and none_ok:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real | Decimal):
        return f"expected {expected}, found {shown(value)}"
    try:
        whole = math.isfinite(value) and float(value) == int(value)  # type: ignore[arg-type]
    except (OverflowError, ValueError):
        whole = False
    if not whole:
        return f"expected {expected}, found {shown(value)}"
    n = int(value)  # type: ignore[arg-type]
    if (low is not None and n < low) or (high is not None and n > high):
        return f"expected {expected}, found {n}"
    return None


def whole_numbers(
    values: object, *, shape: tuple[int, ...], low: int | None = None
) -> tuple[NDArray[np.int64] | None, str | None]:
    """``values`` as int64 if they are whole numbers ``>= low`` of this shape, or the problem.

    Integer arrays, and float arrays whose entries are all whole, are accepted; booleans are
    not numbers. Returns ``(array, None)`` or ``(None, problem)``.

    Examples
    --------
    >>> whole_numbers([2, 0, 3.0], shape=(3,), low=0)[0].tolist()
    [2, 0, 3]
    >>> whole_numbers([2, -1], shape=(2,), low=0)[1]
    'expected whole numbers >= 0, found -1 at position 1'
    >>> whole_numbers([2.5, 1], shape=(2,))[1]
    'expected whole numbers, found 2.5 at position 0'
    >>> whole_numbers([1, 2, 3], shape=(2,))[1]
    'expected 2 whole numbers (shape (2,)), found shape (3,)'
    """
    expected = "whole numbers" + _bounds(low, None)
    arr = np.asarray(values)
    if arr.shape != shape:
        count = math.prod(shape)
        return None, f"expected {count} {expected} (shape {shape}), found shape {arr.shape}"
    if arr.dtype == np.bool_ or not (
        np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)
    ):
        return None, f"expected {expected}, found dtype {arr.dtype}"
    if np.issubdtype(arr.dtype, np.floating):
        bad = ~np.isfinite(arr) | (arr != np.round(arr))
        if np.any(bad):
            pos = int(np.argmax(bad.ravel()))
            return None, f"expected {expected}, found {arr.ravel()[pos].item()!r} at position {pos}"
    if low is not None and np.any(arr < low):
        pos = int(np.argmax((arr < low).ravel()))
        return None, f"expected {expected}, found {arr.ravel()[pos].item()!r} at position {pos}"
    return arr.astype(np.int64), None


def check_whole_number(
    value: object,
    name: str,
    *,
    low: int | None = None,
    high: int | None = None,
    none_ok: bool = False,
) -> int | None:
    """``int(value)`` if it is a whole number in ``[low, high]``; otherwise InputError.

    Examples
    --------
    >>> check_whole_number(4.0, "k", low=1)
    4
    >>> check_whole_number("4", "k", low=1)
    Traceback (most recent call last):
    ...
    peermatch.errors.InputError: k: expected a whole number >= 1, found '4'
    """
    problem = whole_number_problem(value, low=low, high=high, none_ok=none_ok)
    if problem is not None:
        raise InputError([Problem(None, None, name, problem)])
    return None if value is None else int(value)  # type: ignore[call-overload]


def number_problem(
    value: object,
    *,
    low: float | None = None,
    high: float | None = None,
    none_ok: bool = False,
    inf_ok: bool = False,
) -> str | None:
    """What is wrong with ``value`` as a number in ``[low, high]``, or None.

    Examples
    --------
    >>> number_problem(0.5, low=0, high=1) is None
    True
    >>> number_problem(float("nan"), low=0)
    'expected a number >= 0, found nan'
    >>> number_problem("1", low=0)
    "expected a number >= 0, found '1'"
    """
    expected = ("None or " if none_ok else "") + "a number" + _bounds(low, high)
    if value is None and none_ok:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real | Decimal):
        return f"expected {expected}, found {shown(value)}"
    x = float(value)
    if math.isnan(x) or (math.isinf(x) and not inf_ok):
        return f"expected {expected}, found {x}"
    if (low is not None and x < low) or (high is not None and x > high):
        return f"expected {expected}, found {x:g}"
    return None


def check_number(
    value: object,
    name: str,
    *,
    low: float | None = None,
    high: float | None = None,
    none_ok: bool = False,
    inf_ok: bool = False,
) -> float | None:
    """``float(value)`` if it is a number in ``[low, high]``; otherwise InputError."""
    problem = number_problem(value, low=low, high=high, none_ok=none_ok, inf_ok=inf_ok)
    if problem is not None:
        raise InputError([Problem(None, None, name, problem)])
    return None if value is None else float(value)  # type: ignore[arg-type]
