"""``rematch`` and ``replay``: a programme year recorded in a run history."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from peermatch._core.commit import pause, written_before
from peermatch.cli._common import (
    EXIT_NOT_REPRODUCED,
    EXIT_OK,
    Adder,
    Cohort,
    UsageError,
    add_config,
    add_inputs,
    add_output,
    add_solver,
    attempt,
    check_name,
    check_output,
    output_format,
    read_inputs,
    same_file,
    stay_bonus_arg,
    to_stdout,
    wait_arg,
    write_failure,
    write_outputs,
)
from peermatch.errors import InputError, Problem


def check_history(path: str, inputs: Sequence[str | None], *, new: bool) -> None:
    check_name(path, "the history")
    for other in inputs:
        if other and same_file(path, other):
            raise UsageError(f"the history {path!r} is one of the input files; choose another name")
    if Path(path).is_dir():
        raise UsageError(f"the history {path!r} is a folder; give a file name")
    parent = Path(path).parent
    if new and not parent.exists():
        raise UsageError(f"the history folder {str(parent)!r} does not exist")


def cmd_rematch(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from peermatch._core.lock import lock_path
    from peermatch.programme._history import History
    from peermatch.programme._rematch import PreviousRun, read_endings, read_previous

    inputs = [args.participants, args.peers, args.config, args.ended, args.previous]
    check_history(args.history, inputs, new=args.new_history)
    check_output(args.output, [*inputs, args.history, str(lock_path(args.history))])
    problems: list[Problem] = []
    cohort = attempt(lambda: read_inputs(args), problems)
    endings = attempt(lambda: read_endings(args.ended) if args.ended else [], problems)
    previous = attempt(lambda: read_previous(args.previous) if args.previous else None, problems)
    try:
        with contextlib.ExitStack() as stack:
            if args.dry_run:
                loaded = History.load
                history = attempt(lambda: loaded(args.history, new=args.new_history), problems)
            else:
                held = History.locked(args.history, new=args.new_history, wait=args.wait)
                try:
                    history = attempt(lambda: stack.enter_context(held), problems)
                except OSError as exc:
                    raise UsageError(
                        f"cannot lock the history {args.history!r}: {exc.strerror or exc} "
                        f"({exc.filename}); nothing was written"
                    ) from None
            if problems:
                raise InputError(problems)
            assert isinstance(cohort, Cohort) and isinstance(endings, list)
            assert isinstance(history, History)
            assert previous is None or isinstance(previous, PreviousRun)
            pause("locked")
            result = history.rematch(
                cohort.participants.profiles,
                cohort.peers.profiles,
                cohort.config if args.config else None,
                ended=endings,
                previous=previous,
                stay_bonus=args.stay_bonus,
                solver=args.solver,
            )
            text = result.to_json() if output_format(args) == "json" else result.to_csv()
            files = {} if to_stdout(args.output) else {args.output: text}
            record = history.runs[-1]
            if args.dry_run:
                write_outputs(list(files.items()))
            else:
                recorded = f"run {record.run} was recorded in {args.history}" + (
                    f" and {args.output} written" if files else ""
                )
                try:
                    history.save(outputs=files)
                except OSError as exc:
                    if written_before(exc):
                        what = f"run {record.run} was recorded in {args.history} all the same"
                    else:
                        what = f"run {record.run} was not recorded and nothing was written"
                    if isinstance(exc, BrokenPipeError):
                        raise
                    raise UsageError(write_failure(exc, what)) from None
                except KeyboardInterrupt as exc:
                    if written_before(exc):
                        exc.add_note(recorded)
                    raise
    except KeyboardInterrupt as exc:
        if not args.dry_run and not written_before(exc):
            exc.add_note("the run was not recorded and nothing was written")
        raise
    if to_stdout(args.output):
        out.write(text)
    report = result.rematch_report
    assert report is not None
    counts = report.counts()
    mt = result.metrics
    kept = "working pairs kept" if report.stay_bonus is None else f"{report.stay_bonus:g}"
    lines = [
        f"run {record.run} ({record.kind}, {result.solver}, stay bonus: {kept}): "
        f"matched {mt['n_matched']} of {mt['n_participants']} participants; "
        + ", ".join(f"{counts[k]} {k}" for k in ("kept", "moved", "new", "unmatched", "ended"))
        + (f", {counts['removed']} removed" if counts["removed"] else "")
    ]
    if report.blocks:
        lines.append(
            f"{len(report.blocks)} ended pair{'s' if len(report.blocks) != 1 else ''} "
            "blocked from now on"
        )
    if report.safety_blocks:
        lines.append(
            "safety blocks in force: "
            + ", ".join(f"{b.participant_id}-{b.peer_id}" for b in report.safety_blocks)
        )
    if files:
        lines.append(f"wrote {args.output}")
    if args.dry_run:
        lines.append(f"dry run: history {args.history} not changed")
    else:
        runs = len(history)
        lines.append(f"history {args.history}: {runs} run{'s' if runs != 1 else ''}")
    err.write("; ".join(lines) + "\n")
    return EXIT_OK


def cmd_replay(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from peermatch.programme._history import History

    problems: list[Problem] = []
    cohort = attempt(lambda: read_inputs(args), problems)
    history = attempt(lambda: History.load(args.history), problems)
    if problems:
        raise InputError(problems)
    assert isinstance(cohort, Cohort) and isinstance(history, History)
    rep = history.replay(
        cohort.participants.profiles,
        cohort.peers.profiles,
        run=args.run,
        config=cohort.config if args.config else None,
    )
    for note in rep.notes:
        err.write(f"note: {note}\n")
    mt = rep.result.metrics
    if rep.reproduced:
        out.write(
            f"run {rep.run} reproduced: the same {mt['n_matched']} pairs and "
            f"{mt['n_unmatched']} unmatched participants\n"
        )
        return EXIT_OK
    out.write(
        f"run {rep.run} NOT reproduced: {len(rep.differences)} participant"
        f"{'s differ' if len(rep.differences) != 1 else ' differs'}\n"
    )
    out.write("".join(f"  {line}\n" for line in rep.differences))
    return EXIT_NOT_REPRODUCED


def register(add: Adder) -> None:
    """Add the parsers of these commands."""
    p = add(
        "rematch",
        cmd_rematch,
        "re-match after endings and life changes, keeping working pairs; records each run "
        "in a history file (the first run is the initial match)",
        "peermatch rematch participants.csv peers.csv --history year.json --ended ended.csv",
    )
    p.epilog = (p.epilog or "") + (
        "\n  peermatch rematch participants.csv peers.csv --history year.json --new-history"
    )
    add_inputs(p)
    p.add_argument(
        "--history",
        metavar="FILE",
        required=True,
        help="run history (JSON) of the programme year; it must exist unless --new-history "
        "is given; every run is recorded in it",
    )
    p.add_argument(
        "--new-history",
        action="store_true",
        help="start a new programme year: create the --history file (it must not exist yet)",
    )
    p.add_argument(
        "--wait",
        type=wait_arg,
        default=60.0,
        metavar="SECONDS",
        help="how long to wait while another run records in the same history (60)",
    )
    p.add_argument(
        "--ended",
        metavar="ENDED.csv",
        help="pairs that ended: participant_id, peer_id, reason (poor_fit, schedule, moved, "
        "completed, participant_withdrew, leader_withdrew, safety)",
    )
    p.add_argument(
        "--previous",
        metavar="MATCHES",
        help="start from this match file (.csv or .json) instead of the history's last run",
    )
    p.add_argument(
        "--stay-bonus",
        type=stay_bonus_arg,
        default=None,
        metavar="X",
        help="'none' (default): keep every still-feasible pair fixed; a number >= 0: add it "
        "to each working pair's value and re-solve everyone (0 = match afresh)",
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="show what the run would give without recording it in the history",
    )
    add_config(p)
    add_solver(p)
    add_output(p)
    p.epilog = (p.epilog or "") + (
        "\n\nThe first run of a programme year needs --new-history. Without --config (and "
        "--solver), a run uses those of the history's last run. The output has one row per "
        "participant with a 'change' column: kept, moved, new, unmatched or ended. The history "
        "is locked while a run records in it, and checked for edits made outside peermatch."
    )

    p = add(
        "replay",
        cmd_replay,
        "re-run a recorded run from its input files and check it gives the recorded pairs",
        "peermatch replay participants.csv peers.csv --history year.json --run 2",
    )
    p.epilog = (p.epilog or "") + (
        "\n\nexit codes: 0 reproduced, 3 ran but gave other pairs (the differences are "
        "listed), 2 bad input (e.g. files that differ from the run's), 1 internal error"
    )
    add_inputs(p)
    p.add_argument("--history", metavar="FILE", required=True, help="run history (JSON)")
    p.add_argument("--run", type=int, metavar="N", help="run to replay (default: the last)")
    add_config(p)
