"""``report``: the coordinator's printable report of a run, or the committee's summary."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from peermatch.cli._common import (
    EXIT_OK,
    Adder,
    Cohort,
    UsageError,
    add_config,
    add_inputs,
    add_solver,
    attempt,
    check_output,
    read_inputs,
    write,
)
from peermatch.cli._match import add_choices, with_choices
from peermatch.errors import InputError, Problem


def cmd_report(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from peermatch.display._report import coordinator_report, report_result
    from peermatch.programme._history import History

    inputs = [args.participants, args.peers, args.config, args.history, args.choices]
    if args.output is None or args.output == "-":
        raise UsageError("-o names the report's file (.html)")
    check_output(args.output, inputs)
    if Path(args.output).suffix.lower() not in (".html", ".htm"):
        raise UsageError(f"-o {args.output!r}: the report is a web page; name a .html file")
    if args.history and (args.choices or args.solver):
        raise UsageError(
            "--history reports the history's last run as recorded; leave out --choices and --solver"
        )
    problems: list[Problem] = []
    cohort = attempt(lambda: read_inputs(args), problems)
    history = attempt(lambda: History.load(args.history), problems) if args.history else None
    if problems:
        raise InputError(problems)
    assert isinstance(cohort, Cohort)
    participants, chosen = with_choices(args, cohort)
    data = report_result(
        participants,
        cohort.peers.profiles,
        cohort.config if (args.config or not args.history) else None,
        solver=args.solver,
        history=history if isinstance(history, History) else None,
    )
    write(args.output, coordinator_report(data, audience=args.audience))
    mt = data.result.metrics
    what = "committee summary" if args.audience == "committee" else "report"
    err.write(
        f"wrote the {what} {args.output}: {mt['n_matched']} of {mt['n_participants']} "
        f"participants matched, {mt['n_unmatched']} waiting\n"
    )
    if chosen:
        err.write(chosen + "\n")
    return EXIT_OK


def register(add: Adder) -> None:
    """Add the parser of this command."""
    p = add(
        "report",
        cmd_report,
        "write a printable report of a run: summary, waiting list with suggested actions, "
        "caseloads, the year so far, and an explanation card per participant",
        "peermatch report examples/participants.csv examples/peers.csv -o report.html",
    )
    add_inputs(p)
    add_config(p)
    add_solver(p)
    add_choices(p)
    p.add_argument(
        "--history",
        metavar="FILE",
        help="report the last run of this run history (the files must be that run's), with "
        "what changed since the run before and the year run by run",
    )
    p.add_argument(
        "--audience",
        choices=["coordinator", "committee"],
        default="coordinator",
        help="coordinator (default): everything, with ids; committee: aggregate figures only, "
        "no ids or profile values, counts under 5 shown as <5",
    )
    p.add_argument(
        "-o", "--output", metavar="OUT", required=True, help="the report (.html), one file"
    )
