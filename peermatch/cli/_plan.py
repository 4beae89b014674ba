"""``gaps`` and ``simulate``: plan the next intake and the next trial (``docs/planning.md``)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from peermatch.cli._common import (
    EXIT_OK,
    Adder,
    UsageError,
    add_config,
    add_inputs,
    add_solver,
    check_output,
    output_format,
    positive_int,
    read_inputs,
    same_file,
    solver_name,
    to_stdout,
    write,
)
from peermatch.errors import InputError, Problem
from peermatch.scoring._config import PRESETS, MatchConfig
from peermatch.solvers import SOLVERS


def _report(args: argparse.Namespace, text: str, data: str, out: TextIO, err: TextIO) -> None:
    """Print the text report; also write CSV or JSON to ``-o``."""
    if args.output and not to_stdout(args.output):
        write(args.output, data)
    out.write(text)
    if args.output and not to_stdout(args.output):
        err.write(f"wrote {args.output}\n")


def cmd_gaps(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from peermatch.programme._gaps import gaps

    check_output(args.output, [args.participants, args.peers, args.config])
    cohort = read_inputs(args)
    report = gaps(
        cohort.participants.profiles,
        cohort.peers.profiles,
        cohort.config,
        solver=solver_name(args, cohort.config),
        capacity=args.capacity,
        max_targets=args.targets,
    )
    data = report.to_json() if output_format(args) == "json" else report.to_csv()
    _report(args, report.to_text(), data, out, err)
    return EXIT_OK


def _configs(values: list[str]) -> tuple[dict[str, MatchConfig] | None, list[Problem]]:
    """``--config`` values: TOML files or preset names, each named after its file or preset."""
    if not values:
        return None, []
    problems: list[Problem] = []
    configs: dict[str, MatchConfig] = {}
    for value in values:
        try:
            if value in PRESETS and value != "none" and not Path(value).exists():
                cfg, name = MatchConfig.from_preset(value), value
            else:
                cfg, name = MatchConfig.from_file(value), Path(value).stem
        except InputError as exc:
            problems += exc.problems
            continue
        base, k = name, 1
        while name in configs:
            k += 1
            name = f"{base}-{k}"
        configs[name] = cfg
    return configs, problems


def _demo_size(text: str) -> tuple[int, int]:
    left, sep, right = text.partition(",")
    try:
        n, m = int(left), int(right)
    except ValueError:
        n = m = 0
    if not sep or n < 1 or m < 1:
        raise argparse.ArgumentTypeError(
            f"expected PARTICIPANTS,LEADERS (two whole numbers >= 1), found {text!r}"
        )
    return n, m


def _mix_item(text: str) -> tuple[str, float]:
    cond, sep, share = text.rpartition(":")
    try:
        x = float(share)
    except ValueError:
        x = -1.0
    if not sep or "=" not in cond or not 0 <= x <= 1:
        raise argparse.ArgumentTypeError(
            "expected FIELD=VALUE:SHARE with a share from 0 to 1 (languages=pa:0.2), "
            f"found {text!r}"
        )
    return cond, x


def _dropout(text: str) -> tuple[float, float] | None:
    if text.strip().lower() == "none":
        return None
    left, sep, right = text.partition(",")
    try:
        base, per = float(left), float(right)
    except ValueError:
        base = per = -1.0
    if not sep or not (0 <= base <= 1 and 0 <= per <= 1):
        raise argparse.ArgumentTypeError(
            f"expected BASE,PER_POINT (two numbers from 0 to 1) or 'none', found {text!r}"
        )
    return base, per


def _share(text: str) -> float:
    try:
        x = float(text)
    except ValueError:
        x = -1.0
    if not 0 < x <= 1:
        raise argparse.ArgumentTypeError(f"expected a number above 0 and at most 1, found {text!r}")
    return x


def _positive(text: str) -> float:
    try:
        x = float(text)
    except ValueError:
        x = -1.0
    if not 0 < x < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number above 0, found {text!r}")
    return x


def cmd_simulate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from peermatch.programme._simulate import DemoCohorts, LogitChoice, ScoreDropout, simulate

    given = [x for x in (args.participants, args.peers) if x is not None]
    if args.demo is not None and given:
        raise UsageError("give PARTICIPANTS PEERS to bootstrap, or --demo, not both")
    if args.demo is None and len(given) != 2:
        raise UsageError("give PARTICIPANTS and PEERS to bootstrap, or --demo N,M")
    if args.mix and args.demo is None:
        raise UsageError("--mix applies to --demo cohorts only")
    check_output(args.output, [*given, *(args.config or [])])
    configs, problems = _configs(args.config or [])
    cohort = None
    if given:
        if same_file(args.participants, args.peers):
            raise UsageError("PARTICIPANTS and PEERS name the same file; give the two files")
        try:
            cohort = read_inputs(args, config=False)
        except InputError as exc:
            problems = [*exc.problems, *problems]
    demo = None
    if args.demo is not None:
        try:
            demo = DemoCohorts(args.demo[0], args.demo[1], dict(args.mix or []))
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)
    dropout = None if args.dropout is None else ScoreDropout(*args.dropout)
    sim = simulate(
        cohort.participants.profiles if cohort else None,
        cohort.peers.profiles if cohort else None,
        demo=demo,
        configs=configs,
        solvers=args.solver,
        reps=args.reps,
        seed=args.seed,
        choice=LogitChoice(k=args.shortlist, temperature=args.temperature),
        dropout=dropout,
        target=args.target,
        leaders_needed=not args.no_search,
    )
    data = sim.to_json() if output_format(args) == "json" else sim.to_csv()
    _report(args, sim.to_text(), data, out, err)
    return EXIT_OK


def _add_report_output(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "-o", "--output", metavar="OUT", help="also write the report as CSV or JSON to OUT"
    )
    p.add_argument(
        "--format",
        choices=["csv", "json"],
        help="format of OUT (default: from its extension, else csv)",
    )


def register(add: Adder) -> None:
    """Add the parsers of these commands."""
    p = add(
        "gaps",
        cmd_gaps,
        "which needs leave participants without a good match, and recruitment targets, each "
        "checked by matching again with such leaders added",
        "peermatch gaps examples/participants.csv examples/peers.csv",
    )
    add_inputs(p)
    add_config(p)
    add_solver(p)
    p.add_argument(
        "--capacity",
        type=positive_int,
        default=5,
        metavar="N",
        help="capacity of each leader a target recruits (5)",
    )
    p.add_argument(
        "--targets",
        type=int,
        default=5,
        metavar="N",
        help="most recruitment targets to propose (5; 0 for none)",
    )
    _add_report_output(p)

    p = add(
        "simulate",
        cmd_simulate,
        "compare matching policies (configurations x solvers, participant choice) over "
        "replicated cohorts, with 5th-95th percentile bands",
        "peermatch simulate examples/participants.csv examples/peers.csv --reps 10 --seed 1",
    )
    p.add_argument(
        "participants",
        metavar="PARTICIPANTS",
        nargs="?",
        help="participants file to bootstrap (.csv or .json)",
    )
    p.add_argument("peers", metavar="PEERS", nargs="?", help="peer leaders file (.csv or .json)")
    p.add_argument(
        "--config",
        action="append",
        metavar="FILE",
        help="a TOML configuration, or a preset name (participant_centred, c2c_baseline), "
        "named after it (repeat; default: both presets)",
    )
    p.add_argument(
        "--solver",
        action="append",
        choices=[*sorted(SOLVERS), "choice"],
        help="a solver, or 'choice' (shortlists, the choice model, then stable); repeat; "
        "default: hungarian and choice",
    )
    p.add_argument("--reps", type=positive_int, required=True, metavar="N", help="replicates")
    p.add_argument(
        "--seed", type=int, required=True, metavar="S", help="seed (a whole number >= 0)"
    )
    p.add_argument(
        "--demo",
        type=_demo_size,
        metavar="N,M",
        help="draw cohorts of N participants and M leaders from the demo generator instead",
    )
    p.add_argument(
        "--mix",
        type=_mix_item,
        action="append",
        metavar="FIELD=VALUE:SHARE",
        help="with --demo: that share of participants has the value (languages=pa:0.2; repeat)",
    )
    p.add_argument(
        "--shortlist",
        type=positive_int,
        default=3,
        metavar="K",
        help="choice: shortlist length (3)",
    )
    p.add_argument(
        "--temperature",
        type=_positive,
        default=0.1,
        metavar="T",
        help="choice: temperature of the multinomial logit on scores (0.1)",
    )
    p.add_argument(
        "--dropout",
        type=_dropout,
        default=(0.05, 0.3),
        metavar="BASE,PER_POINT",
        help="a pair ends in the year with probability BASE + PER_POINT x (1 - score) "
        "(0.05,0.3); 'none' skips the year",
    )
    p.add_argument(
        "--target",
        type=_share,
        default=0.95,
        metavar="X",
        help="share to match for 'leaders needed' (0.95)",
    )
    p.add_argument(
        "--no-search", action="store_true", help="skip the search for leaders needed (faster)"
    )
    _add_report_output(p)
