"""``demo`` and ``bench``: synthetic cohorts and timings."""

from __future__ import annotations

import argparse
import contextlib
from pathlib import Path
from typing import TextIO

from peermatch.cli._common import (
    EXIT_OK,
    Adder,
    UsageError,
    write_outputs,
)


def cmd_demo(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from peermatch.io._profiles import profiles_text
    from peermatch.profiles._demo import generate_cohort

    if args.participants < 1 or args.peers < 1:
        raise UsageError("--participants and --peers must be at least 1")
    folder = Path(args.out)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"--out {args.out!r} is a file, not a folder")
    ext = ".json" if args.format == "json" else ".csv"
    existing = [str(folder / f"{n}{ext}") for n in ("participants", "peers")]
    existing = [p for p in existing if Path(p).exists()]
    if existing and not args.force:
        raise UsageError(
            f"{', '.join(existing)} already exist{'s' if len(existing) == 1 else ''}; "
            "choose another --out folder or pass --force to replace them"
        )
    participants, peers = generate_cohort(args.participants, args.peers, seed=args.seed)
    p_path, l_path = folder / f"participants{ext}", folder / f"peers{ext}"
    made = [] if folder.exists() else [folder, *(p for p in folder.parents if not p.exists())]
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create {args.out!r}: {exc.strerror or exc}") from None
    try:
        write_outputs(
            [
                (p_path, profiles_text(p_path, participants)),
                (l_path, profiles_text(l_path, peers)),
            ]
        )
    except BaseException:
        for created in made:  # leave no empty folder behind
            with contextlib.suppress(OSError):
                created.rmdir()
        raise
    err.write(
        f"wrote {args.participants} participants to {p_path} and {args.peers} peer leaders "
        f"to {l_path} (seed {args.seed})\n"
    )
    return EXIT_OK


def cmd_bench(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from peermatch.cli._bench import DEFAULT_SIZES, QUICK_SIZES, run

    sizes = args.sizes or (QUICK_SIZES if args.quick else DEFAULT_SIZES)
    if any(n < 1 for n in sizes):
        raise UsageError("--sizes must be positive")

    def write(line: str) -> None:
        out.write(line + "\n")
        out.flush()

    run(sizes, write=write, quick=args.quick)
    return EXIT_OK


def register(add: Adder) -> None:
    """Add the parsers of these commands."""
    p = add(
        "demo",
        cmd_demo,
        "write a realistic synthetic cohort (participants and peers files)",
        "peermatch demo --participants 200 --peers 40 --seed 7 --out demo",
    )
    p.add_argument("--participants", type=int, default=120, metavar="N", help="participants (120)")
    p.add_argument("--peers", type=int, default=24, metavar="M", help="peer leaders (24)")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (0)")
    p.add_argument("--out", default="peermatch-demo", metavar="DIR", help="output folder")
    p.add_argument("--format", choices=["csv", "json"], default="csv", help="file format (csv)")
    p.add_argument("--force", action="store_true", help="replace existing files in DIR")

    p = add(
        "bench",
        cmd_bench,
        "time scoring, every solver and end-to-end matching on demo cohorts, beside baselines "
        "measured in the same run (as ratios)",
        "peermatch bench --quick",
    )
    p.add_argument("--quick", action="store_true", help="1k and 5k participants only")
    p.add_argument("--sizes", type=int, nargs="+", metavar="N", help="participant counts")
