"""Check both files (and the configuration), or a run history, and report every problem."""

from __future__ import annotations

import argparse
from typing import TextIO

from peermatch.cli._common import (
    EXIT_OK,
    Adder,
    Cohort,
    UsageError,
    add_config,
    add_maps,
    attempt,
    read_inputs,
)
from peermatch.errors import InputError, Problem


def cmd_validate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from peermatch.programme._history import HISTORY_VERSION, History

    if (args.participants is None) != (args.peers is None):
        raise UsageError("give both PARTICIPANTS and PEERS (or neither, with --history)")
    if args.participants is None and not args.history:
        raise UsageError("give PARTICIPANTS and PEERS, or --history FILE, or both")
    problems: list[Problem] = []
    cohort = attempt(lambda: read_inputs(args), problems) if args.participants else None
    history = attempt(lambda: History.load(args.history), problems) if args.history else None
    if problems:
        raise InputError(problems)
    if isinstance(cohort, Cohort):
        ps, ls = cohort.participants.profiles, cohort.peers.profiles
        active = [x for x in ls if x.active]
        capacity = sum(x.capacity for x in active)
        out.write(f"{cohort.participants.path}: {len(ps)} participants, valid\n")
        out.write(
            f"{cohort.peers.path}: {len(ls)} peer leaders ({len(ls) - len(active)} paused), "
            f"total active capacity {capacity}, valid\n"
        )
        if capacity < len(ps):
            out.write(
                f"note: active capacity ({capacity}) is below the number of participants "
                f"({len(ps)}); at least {len(ps) - capacity} will be unmatched\n"
            )
    if isinstance(history, History):
        n = len(history)
        safety = sum(1 for b in history.blocks() if b.safety)
        check = (
            "integrity check passed"
            if history.format_version == HISTORY_VERSION
            else f"format version {history.format_version}: no integrity check yet"
        )
        ended = len(history.blocks())
        out.write(
            f"{args.history}: {n} run{'s' if n != 1 else ''}, {ended} ended "
            f"pair{'s' if ended != 1 else ''} ({safety} for safety), {check}\n"
        )
    return EXIT_OK


def register(add: Adder) -> None:
    """Add the parsers of these commands."""
    p = add(
        "validate",
        cmd_validate,
        "check both files (and the config), or a run history, and report every problem",
        "peermatch validate examples/participants.csv examples/peers.csv",
    )
    p.epilog = (p.epilog or "") + "\n  peermatch validate --history year.json"
    p.add_argument(
        "participants",
        metavar="PARTICIPANTS",
        nargs="?",
        help="participants file (.csv, .json or .xlsx)",
    )
    p.add_argument(
        "peers", metavar="PEERS", nargs="?", help="peer leaders file (.csv, .json or .xlsx)"
    )
    add_maps(p)
    add_config(p)
    p.add_argument(
        "--history",
        metavar="FILE",
        help="also (or only) check a run history: its runs, ids and integrity check",
    )
