"""Check both files (and the configuration) and report every problem."""

from __future__ import annotations

import argparse
from typing import TextIO

from peermatch.cli._common import (
    EXIT_OK,
    Adder,
    add_config,
    add_inputs,
    read_inputs,
)


def cmd_validate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    cohort = read_inputs(args)
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
    return EXIT_OK


def register(add: Adder) -> None:
    """Add the parsers of these commands."""
    p = add(
        "validate",
        cmd_validate,
        "check both files (and the config) and report every problem",
        "peermatch validate examples/participants.csv examples/peers.csv",
    )
    add_inputs(p)
    add_config(p)
