"""``match`` and ``explain``: one matching run, its output and its explanations."""

from __future__ import annotations

import argparse
from typing import TextIO

from peermatch._core.text import did_you_mean
from peermatch.cli._common import (
    EXIT_OK,
    Adder,
    Cohort,
    UsageError,
    add_config,
    add_inputs,
    add_output,
    add_solver,
    check_output,
    check_plot,
    output_format,
    read_inputs,
    solver_name,
    to_stdout,
    write_outputs,
)
from peermatch.cli._deidentify import add_deidentify_options, check_key_file, pseudonymiser
from peermatch.errors import InputError, Problem
from peermatch.matching._results import MatchResult
from peermatch.profiles._models import Participant


def cmd_match(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from peermatch.matching._match import match

    inputs = [args.participants, args.peers, getattr(args, "config", None), args.choices]
    check_output(args.output, inputs)
    if args.key_file and not args.deidentify:
        raise UsageError("--key-file is used only with --deidentify")
    if args.deidentify:
        check_key_file(args.key_file, [*inputs, args.output], None)
        if args.plot:
            raise UsageError("--plot shows real ids; leave it out when using --deidentify")
    check_plot(args)
    cohort = read_inputs(args)
    participants, chosen = with_choices(args, cohort)
    result = match(
        participants,
        cohort.peers.profiles,
        cohort.config,
        solver=solver_name(args, cohort.config),
    )
    if args.deidentify:
        from peermatch.io._deidentify import deidentified_match_csv, deidentified_match_json

        pseudo = pseudonymiser(args, err)
        fmt = deidentified_match_json if output_format(args) == "json" else deidentified_match_csv
        text = fmt(result, pseudo)
    else:
        text = result.to_json() if output_format(args) == "json" else result.to_csv()
    files: list[tuple[str, str | bytes]] = []
    if not to_stdout(args.output):
        files.append((args.output, text))
    if args.plot:
        from peermatch.display._plots import figure_bytes, plot_summary

        files.append((args.plot, figure_bytes(plot_summary(result), args.plot)))
    write_outputs(files)
    if to_stdout(args.output):
        out.write(text)
    mt = result.metrics
    err.write(
        f"matched {mt['n_matched']} of {mt['n_participants']} participants with "
        f"{result.solver} (mean score {float(mt['mean_score']):.3f}); "
        f"{mt['n_unmatched']} unmatched"
        + ("" if to_stdout(args.output) else f"; wrote {args.output}")
        + (f"; wrote the summary figure {args.plot}" if args.plot else "")
        + "\n"
    )
    if chosen:
        err.write(chosen + "\n")
    return EXIT_OK


def with_choices(args: argparse.Namespace, cohort: Cohort) -> tuple[list[Participant], str]:
    """The participants with ``--choices`` applied (in memory), and a line saying how many."""
    from peermatch._core.text import counted
    from peermatch.programme._choices import apply_choices, read_choices

    ps = list(cohort.participants.profiles)
    path = getattr(args, "choices", None)
    if not path:
        return ps, ""
    applied = apply_choices(ps, cohort.peers.profiles, read_choices(path))
    line = (
        f"choices from {path}: {counted(applied.chose, 'participant')} chose, "
        f"{applied.declined} wanted none of their options (not matched with those leaders), "
        f"{applied.unanswered} not answered yet"
    )
    return applied.participants, line


def cmd_explain(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from peermatch.matching._match import match

    cohort = read_inputs(args)
    ids = [p.id for p in cohort.participants.profiles]
    unknown = [pid for pid in args.participant if pid not in set(ids)]
    if unknown:
        problems = []
        for pid in unknown:
            hint = did_you_mean(pid, ids)
            problems.append(
                Problem(cohort.participants.path, None, "id", f"no participant {pid!r}{hint}")
            )
        raise InputError(problems)
    if getattr(args, "history", None):
        result = recorded_result(args, cohort, err)
    else:
        result = match(
            cohort.participants.profiles,
            cohort.peers.profiles,
            cohort.config,
            solver=solver_name(args, cohort.config),
        )
    texts = [result.explain(pid, alternatives=args.alternatives) for pid in args.participant]
    out.write("\n\n".join(texts) + "\n")
    return EXIT_OK


def recorded_result(args: argparse.Namespace, cohort: Cohort, err: TextIO) -> MatchResult:
    """The result of a recorded run, re-computed from its input files (for ``explain``)."""
    from peermatch.programme._history import History

    rep = History.load(args.history).replay(
        cohort.participants.profiles,
        cohort.peers.profiles,
        run=args.run,
        config=cohort.config if args.config else None,
    )
    if not rep.reproduced:
        err.write(
            f"note: run {rep.run} is not reproduced by these files "
            f"({len(rep.differences)} participants differ); explaining the re-computed run\n"
        )
    return rep.result


def add_choices(p: argparse.ArgumentParser) -> None:
    """``--choices FILE``: participants' answers to a phone script."""
    p.add_argument(
        "--choices",
        metavar="FILE",
        help="participants' answers to a phone script (the choices file written by 'shortlist "
        "--script', filled in): used as their preferred lists for this run, without changing "
        "PARTICIPANTS; the file must come from these participants and peers files",
    )


def register(add: Adder) -> None:
    """Add the parsers of these commands."""
    p = add(
        "match",
        cmd_match,
        "match participants with peer leaders; one output row per participant",
        "peermatch match examples/participants.csv examples/peers.csv -o matches.csv",
    )
    add_inputs(p)
    add_config(p)
    add_solver(p)
    add_output(p)
    add_deidentify_options(p)
    add_choices(p)
    p.add_argument(
        "--plot",
        metavar="FIGURE",
        help="also write a summary figure of the run (.png, .svg or .pdf, e.g. summary.png; "
        "needs matplotlib: pip install 'peermatch[plot]')",
    )

    p = add(
        "explain",
        cmd_explain,
        "explain one participant's match (or why unmatched) in plain words",
        "peermatch explain examples/participants.csv examples/peers.csv --participant P0001",
    )
    add_inputs(p)
    add_config(p)
    add_solver(p)
    p.add_argument(
        "--participant",
        metavar="ID",
        action="append",
        required=True,
        help="participant id (repeat for several)",
    )
    p.add_argument(
        "--alternatives", type=int, default=3, metavar="K", help="alternatives to discuss (3)"
    )
    p.add_argument(
        "--history",
        metavar="FILE",
        help="explain the outcome of a recorded run of this history (with what changed) "
        "instead of a fresh match; the files must be that run's",
    )
    p.add_argument("--run", type=int, metavar="N", help="with --history: the run (default: last)")
