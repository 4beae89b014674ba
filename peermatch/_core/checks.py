"""Checks of scalar arguments, written once (internal).

:func:`whole_number_problem` and :func:`number_problem` say what is wrong with a value, or
return None; :func:`check_whole_number` and :func:`check_number` raise
:class:`~peermatch.errors.InputError` with that message. A boolean is never a number here
(``True`` is an ``int`` in Python), NumPy integers and floats are, and NaN never is.
"""

from __future__ import annotations

import math
import numbers
from decimal import Decimal

from peermatch._core.text import shown
from peermatch.errors import InputError, Problem

__all__ = ["check_number", "check_whole_number", "number_problem", "whole_number_problem"]


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
