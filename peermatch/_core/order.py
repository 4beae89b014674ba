"""The tie-break rule, written once (internal): higher value first, then the smaller index.

Profiles are processed in id order, so "the smaller index" is "the smaller id": every ranking
in peermatch (a participant's leaders, a leader's participants, candidates, alternatives) uses
this order, and reordering input rows changes nothing.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["best_first", "best_first_grouped"]


def best_first(
    values: ArrayLike, index: ArrayLike | None = None, axis: int = -1
) -> NDArray[np.intp]:
    """Indices that order ``values`` along ``axis``: higher first, ties by smaller index.

    ``index`` (same shape) gives each entry's index when it is not its position, e.g. the
    leader column of each of a row's kept candidates.

    Examples
    --------
    >>> best_first([0.2, 0.9, 0.2, 0.5]).tolist()
    [1, 3, 0, 2]
    >>> best_first([[0.5, 0.5, 0.9]], index=[[7, 3, 9]], axis=1).tolist()
    [[2, 1, 0]]
    """
    v = np.asarray(values)
    if index is None:
        return np.argsort(-v, axis=axis, kind="stable")
    return np.lexsort((np.asarray(index), -v), axis=axis)


def best_first_grouped(
    groups: NDArray[Any], values: NDArray[Any], index: NDArray[Any]
) -> NDArray[np.intp]:
    """Order of entries by group (ascending), then value (higher first), then smaller index.

    Examples
    --------
    >>> g = np.array([1, 0, 1, 0]); v = np.array([0.5, 0.1, 0.5, 0.7]); i = np.array([3, 2, 1, 0])
    >>> best_first_grouped(g, v, i).tolist()
    [3, 1, 2, 0]
    """
    return np.lexsort((index, -values, groups))
