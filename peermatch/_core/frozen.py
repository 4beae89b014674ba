"""A read-only mapping for results (internal).

Result objects are frozen dataclasses; their mappings (metrics, leader loads, contributions,
exclusion counts) must not change after the fact either. :class:`FrozenMap` is a ``dict``
(so ``json``, ``pandas`` and equality with plain dictionaries work as before) whose mutating
methods raise :class:`TypeError`. It pickles and copies as itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn, TypeVar

__all__ = ["FrozenMap", "frozen"]

K = TypeVar("K")
V = TypeVar("V")


class FrozenMap(dict[K, V]):
    """A dictionary that cannot be changed once made.

    Examples
    --------
    >>> m = FrozenMap({"n_matched": 3})
    >>> m["n_matched"], m == {"n_matched": 3}
    (3, True)
    >>> m["n_matched"] = 99
    Traceback (most recent call last):
    ...
    TypeError: this mapping is read-only (it belongs to a result); copy it with dict(...) first
    """

    def _refuse(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError(
            "this mapping is read-only (it belongs to a result); copy it with dict(...) first"
        )

    __setitem__ = _refuse
    __delitem__ = _refuse
    __ior__ = _refuse
    clear = _refuse
    pop = _refuse
    popitem = _refuse
    setdefault = _refuse
    update = _refuse

    def __reduce__(self) -> tuple[type[FrozenMap[K, V]], tuple[dict[K, V]]]:
        return (type(self), (dict(self),))

    def __copy__(self) -> FrozenMap[K, V]:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> FrozenMap[K, V]:
        import copy

        return type(self)({k: copy.deepcopy(v, memo) for k, v in self.items()})

    def __repr__(self) -> str:
        return dict.__repr__(self)


def frozen(mapping: Mapping[K, V]) -> FrozenMap[K, V]:
    """``mapping`` as a :class:`FrozenMap` (itself when it already is one)."""
    return mapping if isinstance(mapping, FrozenMap) else FrozenMap(mapping)
