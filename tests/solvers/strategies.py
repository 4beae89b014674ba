"""Hypothesis strategies building consistent array-level instances."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from .brute import Instance

#: Few distinct values, so that ties are common.
TIED = st.sampled_from([0.0, 0.25, 0.5, 0.5, 0.75, 1.0])
#: Moderate finite numbers, negatives included (``solve`` accepts any from -1e9 to 1e9).
ANY = st.floats(min_value=-10, max_value=10, allow_nan=False, allow_infinity=False)


@st.composite
def instances(
    draw: st.DrawFn,
    max_n: int = 7,
    max_m: int = 4,
    max_capacity: int = 3,
    min_n: int = 0,
    min_m: int = 0,
    preferences: bool = True,
) -> Instance:
    """A random instance: values with ties, zero capacities, empty rows, ranked lists."""
    n = draw(st.integers(min_n, max_n))
    m = draw(st.integers(min_m, max_m))
    element = draw(st.sampled_from([TIED, ANY, st.one_of(TIED, ANY)]))
    values = np.array(draw(st.lists(element, min_size=n * m, max_size=n * m)), dtype=float)
    density = draw(st.sampled_from([0.3, 0.7, 1.0]))
    coins = draw(st.lists(st.floats(0, 1, exclude_max=True), min_size=n * m, max_size=n * m))
    feasible = np.array(coins, dtype=float).reshape(n, m) < density
    if n and draw(st.booleans()):
        feasible[draw(st.integers(0, n - 1))] = False  # a row with no feasible column
    capacity = np.array(
        draw(st.lists(st.integers(0, max_capacity), min_size=m, max_size=m)), dtype=np.int64
    )
    lists = None
    if preferences and m and draw(st.booleans()):
        lists = [draw(st.lists(st.integers(0, m - 1), unique=True, max_size=m)) for _ in range(n)]
    bonus = draw(st.sampled_from([0.0, 0.05, 0.3]))
    return Instance(values.reshape(n, m), feasible, capacity, lists, bonus)


@st.composite
def distinct_instances(draw: st.DrawFn, max_n: int = 12, max_m: int = 6) -> Instance:
    """Instances without ties in values and without ranked lists."""
    n = draw(st.integers(1, max_n))
    m = draw(st.integers(1, max_m))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    values = rng.permutation(n * m).reshape(n, m) / (n * m)
    feasible = rng.random((n, m)) < draw(st.sampled_from([0.5, 1.0]))
    capacity = rng.integers(0, 4, size=m)
    return Instance(values, feasible, capacity, None, 0.0)


@st.composite
def seeded_instances(
    draw: st.DrawFn,
    max_n: int = 40,
    max_m: int = 30,
    min_n: int = 0,
    min_m: int = 0,
    alike: bool | None = None,
) -> Instance:
    """Larger instances drawn from a seeded generator (quick to build), ties and lists included.

    ``alike=True`` makes every participant rank the leaders much the same way, which sends
    late participants far down their rankings.
    """
    n = draw(st.integers(min_n, max_n))
    m = draw(st.integers(min_m, max_m))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    values = rng.random((n, m))
    decimals = draw(st.sampled_from([None, 1, 2]))
    if decimals is not None:
        values = np.round(values, decimals)
    if draw(st.booleans()) if alike is None else alike:
        values = np.round(np.tile(rng.random(m), (n, 1)) + 0.05 * values, 3)
    feasible = rng.random((n, m)) < draw(st.sampled_from([0.3, 0.8, 1.0]))
    capacity = rng.integers(0, draw(st.integers(1, 4)), size=m)
    lists = None
    if m and draw(st.booleans()):
        lists = [rng.permutation(m)[: rng.integers(0, m + 1)].tolist() for _ in range(n)]
    return Instance(values, feasible, capacity, lists, 0.05)
