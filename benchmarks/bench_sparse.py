"""Benchmark: exact sparse assignment from row blocks vs the dense scipy baseline.

Random profile-like instances: each value is the mean of three low-rank similarity terms (so
rows have correlated preferences and some leaders are wanted by many), about 20% of pairs are
excluded (no shared language group), capacity 5 and M = N / 5 leaders. The provider computes
a block of rows on the fly from low-dimensional features, so the N x M matrix never exists in
the sparse runs.

    python benchmarks/bench_sparse.py                # N = 1k, 5k, 20k
    python benchmarks/bench_sparse.py --sizes 100000 --no-dense

Each size runs in a fresh subprocess: first ``solve_blocks`` (peak memory measured before the
dense baseline allocates anything), then the dense ``linear_sum_assignment`` on the prebuilt
compact slot-expanded matrix (build time reported separately). Times within one row of the
table come from the same process; compare ratios, not absolute times across runs.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

import numpy as np

RANK = 3
TERMS = 3
SHARED = 0.0


class ProfileLikeScores:
    """Deterministic row-block provider.

    ``values[i, j] = (1 - noise) * mean_t clip(0.5 + a_ti . b_tj, 0, 1) + noise * e_ij`` with a
    pseudo-random pair term ``e_ij = frac(r_i * c_j)``.
    """

    def __init__(
        self, n: int, m: int, seed: int = 0, capacity: int = 5, noise: float = 0.0
    ) -> None:
        rng = np.random.default_rng(seed)
        self.n, self.m = n, m
        self.noise = noise
        self.row_phase = rng.uniform(1e3, 2e3, size=n)
        self.col_phase = rng.uniform(0.0, 1.0, size=m)
        scale = 0.6 / np.sqrt(RANK)
        self.a = rng.normal(0.0, scale, size=(TERMS, RANK, n))
        self.b = rng.normal(0.0, 1.0, size=(TERMS, RANK, m))
        self.b[:, 0, :] += SHARED  # a shared direction: some leaders suit almost everyone
        self.group_p = rng.integers(0, 5, size=n)
        self.table = (np.arange(5)[:, None] + rng.integers(0, 5, size=m)[None, :]) % 5 != 0
        self.capacity = np.full(m, capacity, dtype=np.int64)

    def __call__(self, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        out = np.zeros((stop - start, self.m))
        piece = max(1, 2**17 // self.m)  # rows per cache-sized piece
        term = np.empty((piece, self.m))
        prod = np.empty((piece, self.m))
        for lo in range(start, stop, piece):
            hi = min(stop, lo + piece)
            t_, p_, o_ = term[: hi - lo], prod[: hi - lo], out[lo - start : hi - start]
            for t in range(TERMS):
                # a fixed order of elementwise operations: a row never depends on its block
                np.multiply(self.a[t, 0, lo:hi, None], self.b[t, 0][None, :], out=t_)
                for r in range(1, RANK):
                    np.multiply(self.a[t, r, lo:hi, None], self.b[t, r][None, :], out=p_)
                    t_ += p_
                t_ += 0.5
                np.maximum(t_, 0.0, out=t_)
                np.minimum(t_, 1.0, out=t_)
                o_ += t_
            if self.noise:  # a pair-specific part, as many independent criteria would add
                np.multiply(self.row_phase[lo:hi, None], self.col_phase[None, :], out=t_)
                np.subtract(t_, np.floor(t_, out=p_), out=t_)
                o_ *= (1.0 - self.noise) / TERMS
                t_ *= self.noise
                o_ += t_
            else:
                o_ *= 1.0 / TERMS
        return out, self.table[self.group_p[start:stop]]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def dense_baseline(scores: ProfileLikeScores) -> tuple[float, float, int, float]:
    from scipy.optimize import linear_sum_assignment

    t0 = time.perf_counter()
    values, allowed = scores(0, scores.n)
    slot_col = np.repeat(np.arange(scores.m), scores.capacity)
    big = scores.n + 2.0  # count first: more than any difference in total score
    weights = np.where(allowed, big + values, 0.0)[:, slot_col]
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    rows, slots = linear_sum_assignment(weights, maximize=True)
    solve = time.perf_counter() - t0
    ok = allowed[rows, slot_col[slots]]
    return build, solve, int(ok.sum()), float(values[rows[ok], slot_col[slots[ok]]].sum())


def run_one(n: int, k: int, dense: bool, backend: str, noise: float) -> dict[str, object]:
    from peermatch.solvers._blocks import solve_blocks

    scores = ProfileLikeScores(n, n // 5, noise=noise)
    base = peak_mb()
    t0 = time.perf_counter()
    for start in range(0, n, 1024):
        scores(start, min(n, start + 1024))
    provider_pass = time.perf_counter() - t0
    t0 = time.perf_counter()
    res = solve_blocks(scores, n, scores.m, scores.capacity, k=k, backend=backend)  # type: ignore[arg-type]
    sparse = time.perf_counter() - t0
    total = 0.0
    for start in range(0, n, 4096):
        stop = min(n, start + 4096)
        v, _ = scores(start, stop)
        sel = np.flatnonzero(res.assignment[start:stop] >= 0)
        total += float(v[sel, res.assignment[start:stop][sel]].sum())
    out: dict[str, object] = {
        "n": n,
        "m": scores.m,
        "provider_pass": provider_pass,
        "sparse": sparse,
        "sparse_peak_mb": peak_mb(),
        "base_mb": base,
        "certified": res.certified,
        "rounds": res.rounds,
        "rescored": res.rows_rescored,
        "candidates": res.n_candidates,
        "matched": res.n_matched,
        "total": total,
        "backend": res.backend,
        "timings": res.timings,
        "log": list(res.round_log),
    }
    if dense:
        build, solve, matched, dtotal = dense_baseline(scores)
        out.update(
            dense_build=build,
            dense=solve,
            dense_peak_mb=peak_mb(),
            dense_matched=matched,
            dense_total=dtotal,
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 20000])
    parser.add_argument("--no-dense", action="store_true", help="skip the dense baseline")
    parser.add_argument("--dense-max", type=int, default=20000, help="largest N run densely")
    parser.add_argument("-k", type=int, default=20)
    parser.add_argument("--backend", default="auto", choices=["auto", "ortools", "scipy"])
    parser.add_argument(
        "--noise", type=float, default=0.0, help="share of a pair-specific random term (0-1)"
    )
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        dense = not args.no_dense and args.child <= args.dense_max
        print(json.dumps(run_one(args.child, args.k, dense, args.backend, args.noise)))
        return
    head = (
        f"{'N':>7} {'M':>6} {'provider':>8} {'sparse':>8} {'dense':>8} {'ratio':>6} "
        f"{'sparse MB':>9} {'dense MB':>9} {'rounds':>6} {'rescored':>8} {'cands/row':>9} "
        f"{'same opt':>8}"
    )
    print(head)
    print("-" * len(head))
    for n in args.sizes:
        cmd = [sys.executable, __file__, "--child", str(n), "-k", str(args.k)]
        cmd += ["--backend", args.backend, "--dense-max", str(args.dense_max)]
        cmd += ["--noise", str(args.noise)]
        if args.no_dense:
            cmd.append("--no-dense")
        r = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
        dense_s = f"{r['dense']:8.2f}" if "dense" in r else f"{'-':>8}"
        ratio = f"{r['dense'] / r['sparse']:6.2f}" if "dense" in r else f"{'-':>6}"
        dmb = f"{r['dense_peak_mb']:9.0f}" if "dense" in r else f"{'-':>9}"
        same = "-"
        if "dense" in r:
            same = str(
                r["dense_matched"] == r["matched"]
                and abs(r["dense_total"] - r["total"]) <= 1e-6 * r["n"]
            )
        print(
            f"{r['n']:>7} {r['m']:>6} {r['provider_pass']:8.2f} {r['sparse']:8.2f} {dense_s} "
            f"{ratio} {r['sparse_peak_mb']:9.0f} {dmb} {r['rounds']:>6} {r['rescored']:>8} "
            f"{r['candidates'] / r['n']:9.1f} {same:>8}"
        )
        t = r["timings"]
        print(
            "        phases: "
            + ", ".join(f"{key} {val:.2f}" for key, val in t.items())
            + f"; certified {r['certified']}, backend {r['backend']}"
        )
        for entry in r["log"]:
            print(f"        round: {entry}")


if __name__ == "__main__":
    main()
