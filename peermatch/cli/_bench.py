"""Benchmarks: peermatch's timings beside baselines measured in the same run.

Run ``python benchmarks/run.py`` (or ``peermatch bench``). For each size it generates a demo
cohort with ``N`` participants and ``N / 5`` leaders of capacity 5 and measures, each in a
fresh process (so peak memory belongs to one task):

- ``score``: scoring every pair with the default configuration, against a plain numpy
  weighted sum of precomputed per-criterion arrays over as many pairs (the floor of any
  weighted score);
- ``match``: end-to-end :func:`peermatch.match` (scoring, solving and building the result);
- ``lsa``: the baseline — :func:`scipy.optimize.linear_sum_assignment` alone on the prebuilt
  capacity-expanded dense matrix of the same scores (count-first weights), where it fits in
  memory and time;
- ``solvers``: the other solvers on the same scores, where the full score matrix fits.

Figures are printed beside their baseline as ratios; timings on a shared machine are noisy,
so only ratios measured in one run are meaningful.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = ["DEFAULT_SIZES", "QUICK_SIZES", "main", "run"]

DEFAULT_SIZES = (1_000, 5_000, 20_000, 100_000)
QUICK_SIZES = (1_000, 5_000)
#: Largest capacity-expanded dense matrix the baseline builds (entries; 8 bytes each).
LSA_MAX_ENTRIES = 500_000_000
#: Seconds after which the dense baseline is stopped (its time is then a lower bound).
LSA_TIMEOUT = 100.0
#: Largest score matrix the array-level solvers are timed on (pairs).
SOLVERS_MAX_PAIRS = 5_000_000
#: Rows scored for the throughput figure (all of them below this).
SCORE_ROWS = 4_000


def _cohort(n: int, seed: int = 2026) -> tuple[list[Any], list[Any]]:
    from peermatch.profiles._demo import generate_cohort

    ps, ls = generate_cohort(n, max(n // 5, 1), seed=seed)
    return ps, [x.model_copy(update={"capacity": 5}) for x in ls]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _task_score(n: int) -> dict[str, Any]:
    from peermatch.scoring._scorer import build_scorer

    ps, ls = _cohort(n)
    t0 = time.perf_counter()
    scorer = build_scorer(ps, ls)
    build = time.perf_counter() - t0
    m = scorer.shape[1]
    rows = min(n, SCORE_ROWS)
    step = scorer.default_block_rows()
    t0 = time.perf_counter()
    for start in range(0, rows, step):
        scorer.block(start, min(rows, start + step))
    elapsed = time.perf_counter() - t0
    # baseline: a weighted mean of precomputed per-criterion arrays, block by block
    rng = np.random.default_rng(0)
    n_crit = len(scorer.names)
    weights = rng.random(n_crit) + 0.5
    arrays = [rng.random((step, m)) for _ in range(n_crit)]
    num = np.empty((step, m))
    t0 = time.perf_counter()
    for _ in range(0, rows, step):
        np.multiply(arrays[0], weights[0], out=num)
        for c in range(1, n_crit):
            num += weights[c] * arrays[c]
        num /= weights.sum()
    plain = time.perf_counter() - t0
    pairs = rows * m
    return {
        "scorer_build_s": build,
        "score_ns_per_pair": elapsed / pairs * 1e9,
        "plain_ns_per_pair": plain / pairs * 1e9,
        "pairs_per_s": pairs / elapsed,
        "criteria": n_crit,
        "peak_mb": _peak_mb(),
    }


def _warm_imports() -> None:
    """Import what matching loads lazily, so one-time import costs stay out of the timings."""
    import scipy.optimize
    import scipy.sparse.csgraph  # noqa: F401

    from peermatch.solvers._blocks import ortools_available

    ortools_available()


def _task_match(n: int) -> dict[str, Any]:
    from peermatch import match

    _warm_imports()
    ps, ls = _cohort(n)
    t0 = time.perf_counter()
    result = match(ps, ls)
    elapsed = time.perf_counter() - t0
    mt = result.metrics
    return {
        "match_s": elapsed,
        "n_matched": mt["n_matched"],
        "mean_score": mt["mean_score"],
        "certified": mt.get("certified", 1),
        "gap_bound": mt.get("gap_bound", 0.0),
        "path": "sparse" if "certified" in mt else "dense",
        "peak_mb": _peak_mb(),
    }


def _count_first_weights(objective: Any, allowed: Any) -> Any:
    """The textbook one-matrix form: ``C + (obj - omin)`` on allowed pairs, 0 elsewhere.

    ``C > n * spread``, so any matching with one more pair outweighs every total; a row on a
    weight-0 place is unmatched. One linear sum assignment then puts the count first.
    """
    if not np.any(allowed):
        return np.zeros_like(objective)
    sel = objective[allowed]
    omin = float(sel.min())
    big = (objective.shape[0] + 1) * max(float(sel.max()) - omin, 1.0) + 1.0
    return np.where(allowed, objective - omin + big, 0.0)


def _expanded(n: int) -> tuple[Any, Any, Any, float]:
    from peermatch.scoring._scorer import build_scorer

    ps, ls = _cohort(n)
    scorer = build_scorer(ps, ls)
    values, reasons = scorer.dense()
    cap = scorer.cohort.capacity
    t0 = time.perf_counter()
    weights = _count_first_weights(values, (reasons == 0) & (cap > 0)[None, :])
    expanded = weights[:, np.repeat(np.arange(cap.size), cap)]
    build = time.perf_counter() - t0
    return scorer, values, expanded, build


def _task_lsa(n: int) -> dict[str, Any]:
    from scipy.optimize import linear_sum_assignment

    _, _, expanded, build = _expanded(n)
    t0 = time.perf_counter()
    linear_sum_assignment(expanded, maximize=True)
    return {"lsa_s": time.perf_counter() - t0, "lsa_build_s": build, "peak_mb": _peak_mb()}


def _task_solvers(n: int, names: str = "") -> dict[str, Any]:
    from peermatch.scoring._scorer import build_scorer
    from peermatch.solvers import SOLVERS, solve

    ps, ls = _cohort(n)
    scorer = build_scorer(ps, ls)
    values, reasons = scorer.dense()
    feasible = reasons == 0
    cap = scorer.cohort.capacity
    out: dict[str, Any] = {}
    wanted = names.split(",") if names else sorted(SOLVERS)
    for name in wanted:
        if name == "hungarian" or name not in SOLVERS:
            continue
        t0 = time.perf_counter()
        solve(values, feasible, cap, solver=name)
        out[f"{name}_s"] = time.perf_counter() - t0
    return out


TASKS: dict[str, Callable[..., dict[str, Any]]] = {
    "score": _task_score,
    "match": _task_match,
    "lsa": _task_lsa,
    "solvers": _task_solvers,
}


def _in_subprocess(task: str, n: int, timeout: float | None, *extra: str) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "peermatch.cli._bench", "--task", task, str(n), *extra]
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"timeout": timeout}
    if res.returncode != 0:
        return {"error": (res.stderr.strip().splitlines() or ["failed"])[-1]}
    parsed: dict[str, Any] = json.loads(res.stdout.strip().splitlines()[-1])
    return parsed


def _fmt(x: float | None, unit: str = "s") -> str:
    if x is None:
        return "—"
    return f"{x:.2f} {unit}" if unit else f"{x:.2f}"


def run(
    sizes: Sequence[int] = DEFAULT_SIZES,
    *,
    write: Callable[[str], object] = print,
    lsa_timeout: float = LSA_TIMEOUT,
    quick: bool = False,
) -> list[dict[str, Any]]:
    """Run the benchmark and print the figures with their ratios; return one record per size.

    With ``quick``, ``maximin`` (the slowest solver) is timed only on the smallest size.
    """
    from peermatch._version import __version__
    from peermatch.solvers._blocks import ortools_available

    backend = "ortools" if ortools_available() else "scipy (extra 'scale' missing)"
    write(
        f"peermatch {__version__} benchmark — python {sys.version.split()[0]}, "
        f"numpy {np.__version__}, {os.cpu_count()} cpus, large-cohort backend: {backend}"
    )
    records = []
    for n in sizes:
        m = max(n // 5, 1)
        rec: dict[str, Any] = {"n": n, "m": m}
        rec.update(_in_subprocess("score", n, None))
        rec.update(_in_subprocess("match", n, None))
        if n * 5 * m <= LSA_MAX_ENTRIES:
            lsa = _in_subprocess("lsa", n, lsa_timeout)
            rec["lsa_peak_mb"] = lsa.get("peak_mb")
            rec["lsa_s"] = lsa.get("lsa_s")
            rec["lsa_build_s"] = lsa.get("lsa_build_s")
            rec["lsa_timeout"] = lsa.get("timeout")
        if n * m <= SOLVERS_MAX_PAIRS:
            names = "greedy,stable" if quick and n != min(sizes) else ""
            rec.update(_in_subprocess("solvers", n, None, names))
        records.append(rec)
        _report(rec, write)
    return records


def _report(rec: dict[str, Any], write: Callable[[str], object]) -> None:
    n, m = rec["n"], rec["m"]
    write(f"\n{n:,} participants x {m:,} leaders (capacity 5)")
    if "score_ns_per_pair" in rec:
        ratio = rec["score_ns_per_pair"] / rec["plain_ns_per_pair"]
        write(
            f"  scoring: {rec['score_ns_per_pair']:.1f} ns/pair ({rec['pairs_per_s'] / 1e6:.1f} M "
            f"pairs/s); plain weighted sum of {rec['criteria']} precomputed arrays "
            f"{rec['plain_ns_per_pair']:.1f} ns/pair; ratio {ratio:.2f}"
        )
    if "match_s" in rec:
        line = (
            f"  match (end to end, {rec['path']}): {_fmt(rec['match_s'])}, peak "
            f"{rec['peak_mb']:.0f} MB, {rec['n_matched']:,} matched, certified "
            f"{bool(rec['certified'])}"
        )
        if rec.get("gap_bound"):
            line += f", gap bound {rec['gap_bound']:.3g}"
        write(line)
    if rec.get("lsa_s") is not None:
        write(
            f"  baseline scipy dense LSA on the prebuilt expanded matrix: {_fmt(rec['lsa_s'])} "
            f"(building it {_fmt(rec['lsa_build_s'])}), peak {rec['lsa_peak_mb']:.0f} MB"
        )
        if "match_s" in rec:
            write(f"  ratio match / dense LSA: {rec['match_s'] / rec['lsa_s']:.3f}")
    elif rec.get("lsa_timeout"):
        write(f"  baseline dense LSA: stopped after {rec['lsa_timeout']:.0f} s")
        if "match_s" in rec:
            write(f"  ratio match / dense LSA: < {rec['match_s'] / rec['lsa_timeout']:.3f}")
    elif "lsa_s" not in rec:
        write("  baseline dense LSA: skipped (the expanded matrix does not fit in memory)")
    solvers = {k[:-2]: v for k, v in rec.items() if k.endswith("_s") and k[:-2] in _SOLVER_NAMES}
    if solvers:
        base = rec.get("lsa_s")
        parts = []
        for name, t in sorted(solvers.items()):
            parts.append(f"{name} {t:.2f} s" + (f" ({t / base:.3f} of LSA)" if base else ""))
        write("  other solvers on the same scores: " + "; ".join(parts))


_SOLVER_NAMES = ("greedy", "maximin", "stable")


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point (``python -m peermatch.cli._bench``)."""
    import argparse

    parser = argparse.ArgumentParser(prog="peermatch bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="1k and 5k only (under a minute)")
    parser.add_argument("--sizes", type=int, nargs="+", metavar="N", help="participant counts")
    parser.add_argument("--json", metavar="FILE", help="also write the records as JSON")
    parser.add_argument("--task", nargs="+", metavar="ARG", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.task:
        task, n, *extra = args.task
        print(json.dumps(TASKS[task](int(n), *extra)))
        return 0
    sizes = args.sizes or (QUICK_SIZES if args.quick else DEFAULT_SIZES)
    records = run(sizes, quick=args.quick)
    if args.json:
        from peermatch._core.files import write_text_atomic

        write_text_atomic(args.json, json.dumps(records, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
