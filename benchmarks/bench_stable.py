"""Time the ``stable`` solver on random complete instances, with ``hungarian`` as a baseline.

Run from the repository root::

    python benchmarks/bench_stable.py

Instances: N participants x N/5 leaders, capacity 5, every pair feasible, values uniform on
[0, 1) from a seeded generator. "lists" adds a complete random ``preferences`` list for every
participant (built directly as flat arrays; validating 5M Python entries is not what is timed).
Times are solver-only medians over repeats, on an already validated problem.
"""

from __future__ import annotations

import statistics
import sys
import time

import numpy as np

from peermatch.solvers import SOLVERS, Preferences
from peermatch.solvers._common import ArrayProblem, as_problem


def instance(n: int, m: int, seed: int, lists: bool) -> ArrayProblem:
    rng = np.random.default_rng(seed)
    problem = as_problem(rng.random((n, m)), np.ones((n, m), dtype=bool), np.full(m, 5))
    if not lists:
        return problem
    cols = np.argsort(rng.random((n, m)), axis=1).ravel()
    prefs = Preferences(
        rows=np.repeat(np.arange(n, dtype=np.int64), m),
        cols=cols.astype(np.int64),
        position=np.tile(np.arange(1, m + 1, dtype=np.int64), n),
        length=np.full(n, m, dtype=np.int64),
    )
    return ArrayProblem(
        problem.values, problem.feasible, problem.capacity, prefs, problem.preference_bonus
    )


def timed(solver: str, problem: ArrayProblem, repeats: int) -> tuple[float, int]:
    times = []
    matched = 0
    for _ in range(repeats):
        start = time.perf_counter()
        out = SOLVERS[solver].function(problem)
        times.append(time.perf_counter() - start)
        matched = int((out >= 0).sum())
    return statistics.median(times), matched


def main() -> None:
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}")
    for n, m in [(1000, 200), (5000, 1000)]:
        for lists in (False, True):
            problem = instance(n, m, seed=0, lists=lists)
            sec, matched = timed("stable", problem, repeats=5)
            label = "complete lists" if lists else "values only"
            print(f"stable    {n:>5} x {m:<5} {label:<15} {sec:7.3f} s  matched {matched}")
        sec, matched = timed("hungarian", instance(n, m, seed=0, lists=False), repeats=1)
        print(f"hungarian {n:>5} x {m:<5} {'values only':<15} {sec:7.3f} s  matched {matched}")


if __name__ == "__main__":
    main()
