"""``shortlist`` and ``compare``: lists to choose from, and solvers side by side."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from peermatch._core.commit import stream_descriptor
from peermatch.cli._common import (
    EXIT_OK,
    Adder,
    Cohort,
    UsageError,
    add_config,
    add_inputs,
    add_output,
    attempt,
    check_output,
    exposure_arg,
    output_format,
    positive_int,
    read_inputs,
    same_file,
    to_stdout,
    write,
    write_outputs,
)
from peermatch.errors import InputError, Problem
from peermatch.scoring._config import MatchConfig
from peermatch.solvers import SOLVERS


def current_run(args: argparse.Namespace) -> object:
    """The programme's current pairs for ``shortlist`` (``--current`` or ``--history``)."""
    from peermatch.programme._history import History
    from peermatch.programme._rematch import read_previous

    if args.current:
        return read_previous(args.current)
    if args.history:
        run = History.load(args.history).previous_run()
        if run is None:
            raise InputError([Problem(args.history, None, None, "the history has no runs yet")])
        return run
    return None


def cmd_shortlist(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from peermatch.io._profiles import profiles_text
    from peermatch.programme._rematch import PreviousRun
    from peermatch.programme._shortlist import open_places, shortlist

    inputs = [args.participants, args.peers, args.config, args.current, args.history]
    check_output(args.output, inputs)
    if args.write_preferred:
        check_output(args.write_preferred, inputs)
        if stream_descriptor(args.write_preferred) is not None or args.write_preferred == "-":
            raise UsageError("--write-preferred names a file to edit; give a .csv or .json name")
        if Path(args.write_preferred).suffix.lower() not in (".csv", ".json"):
            raise UsageError(
                f"--write-preferred {args.write_preferred!r}: name a .csv or .json file"
            )
        if args.output and same_file(args.output, args.write_preferred):
            raise UsageError("-o and --write-preferred name the same file; choose two names")
    script = script_outputs(args, inputs)
    problems: list[Problem] = []
    cohort = attempt(lambda: read_inputs(args), problems)
    current = attempt(lambda: current_run(args), problems)
    if problems:
        raise InputError(problems)
    assert isinstance(cohort, Cohort)
    card = None
    if args.card is not None:
        card = [f.strip() for f in args.card.split(",") if f.strip()]
    listing = cohort.participants.profiles
    spare: dict[str, int] | None = None
    blocked: list[tuple[str, str]] = []
    taken: dict[str, str] = {}
    if isinstance(current, PreviousRun):
        listing, spare, taken = open_places(listing, cohort.peers.profiles, current.pairs)
        blocked = [b.pair for b in current.blocks]
    lists = shortlist(
        listing,
        cohort.peers.profiles,
        args.k,
        cohort.config,
        spare=spare,
        exposure=args.exposure,
        card_fields=card,
        blocked=blocked,
    )
    text = lists.to_json() if output_format(args) == "json" else lists.to_csv()
    files: list[tuple[str, str]] = []
    if not to_stdout(args.output):
        files.append((args.output, text))
    if script is not None:
        files += script_files(script, lists, cohort)
    if args.write_preferred:
        profiles = cohort.participants.profiles
        filled = lists.fill_preferred(profiles, replace=args.replace_preferred)
        files.append((args.write_preferred, profiles_text(args.write_preferred, filled)))
    write_outputs(files)
    if to_stdout(args.output) and script is None:
        out.write(text)
    listed = sum(1 for c in lists.values() if c)
    cap = "no exposure cap" if lists.exposure is None else f"exposure cap {lists.exposure:g}"
    source = args.current or args.history
    err.write(
        f"shortlisted up to {lists.k} leaders for {listed} of {len(lists)} participants "
        f"({cap}; {len(lists.relaxed)} relaxed); {len(lists.empty)} with no feasible leader "
        "with spare room"
        + (f"; {len(taken)} already matched in {source} not listed" if source else "")
        + ("" if to_stdout(args.output) else f"; wrote {args.output}")
        + "\n"
    )
    if script is not None:
        err.write(
            f"wrote the phone script {script[0]} and its choices file {script[1]}: note each "
            f"participant's answers there, then run 'peermatch match {args.participants} "
            f"{args.peers} --choices {script[1]}'\n"
        )
    if args.write_preferred:
        changed = sum(1 for a, b in zip(profiles, filled, strict=True) if a is not b)
        kept = 0
        if not args.replace_preferred:
            kept = sum(1 for p in profiles if p.preferred and lists.get(p.id))
        err.write(
            f"wrote {args.write_preferred}: preferred filled from the shortlist for {changed} "
            f"participants ({kept} kept the list they had); edit it with each "
            "participant's choices, then run 'peermatch match ... --solver stable'\n"
        )
    return EXIT_OK


def script_outputs(args: argparse.Namespace, inputs: list[str | None]) -> tuple[str, str] | None:
    """The phone script and choices file names of ``--script``, checked before any work."""
    from peermatch.display._script import SCRIPT_SUFFIXES
    from peermatch.programme._choices import answered

    if not args.script:
        if args.choices_out:
            raise UsageError("--choices-out is used only with --script")
        return None
    check_output(args.script, inputs)
    if stream_descriptor(args.script) is not None or args.script == "-":
        raise UsageError("--script names a file to print; give a .html or .txt name")
    if Path(args.script).suffix.lower() not in SCRIPT_SUFFIXES:
        raise UsageError(f"--script {args.script!r}: name a .html or .txt file")
    script_path = Path(args.script)
    choices = args.choices_out or str(script_path.with_name(f"{script_path.stem}-choices.csv"))
    check_output(choices, inputs)
    if Path(choices).suffix.lower() != ".csv":
        raise UsageError(f"--choices-out {choices!r}: name a .csv file")
    for name, other in (("-o", args.output), ("--write-preferred", args.write_preferred)):
        for path in (args.script, choices):
            if other and not to_stdout(other) and same_file(other, path):
                raise UsageError(f"{name} and the phone script's files both name {path!r}")
    if same_file(args.script, choices):
        raise UsageError("--script and --choices-out name the same file; choose two names")
    if Path(choices).is_file() and answered(choices):
        raise UsageError(
            f"{choices!r} already holds participants' answers; move it, or name another "
            "file with --choices-out"
        )
    return args.script, choices


def script_files(script: tuple[str, str], lists: object, cohort: Cohort) -> list[tuple[str, str]]:
    """The phone script and its empty choices file."""
    from peermatch.display._script import phone_script, script_format
    from peermatch.programme._choices import choices_template, inputs_key
    from peermatch.programme._shortlist import Shortlists

    assert isinstance(lists, Shortlists)
    ps, ls = cohort.participants.profiles, cohort.peers.profiles
    text = phone_script(lists, ps, format=script_format(script[0]), inputs=inputs_key(ps, ls))
    return [(script[0], text), (script[1], choices_template(lists, ps, ls))]


def cmd_compare(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from peermatch.matching._compare import compare

    config_paths: list[str] = args.config or []
    check_output(args.output, [args.participants, args.peers, *config_paths])
    problems: list[Problem] = []
    cohort: Cohort | None = None
    try:
        cohort = read_inputs(args, config=False)
    except InputError as exc:
        problems += exc.problems
    configs: dict[str, MatchConfig] = {}
    for path in config_paths:
        try:
            cfg = MatchConfig.from_file(path)
        except InputError as exc:
            problems += exc.problems
            continue
        name, k = Path(path).stem, 1
        while name in configs:
            k += 1
            name = f"{Path(path).stem}-{k}"
        configs[name] = cfg
    if problems or cohort is None:
        raise InputError(problems)
    comparison = compare(
        cohort.participants.profiles,
        cohort.peers.profiles,
        solvers=args.solver,
        configs=configs or None,
    )
    if args.output and not to_stdout(args.output):
        fmt = output_format(args)
        write(args.output, comparison.to_json() if fmt == "json" else comparison.to_csv())
    out.write(comparison.to_text())
    if args.output and not to_stdout(args.output):
        err.write(f"wrote {args.output}\n")
    return EXIT_OK


def register(add: Adder) -> None:
    """Add the parsers of these commands."""
    p = add(
        "shortlist",
        cmd_shortlist,
        "list the k best feasible leaders with spare room for each participant to choose from",
        "peermatch shortlist examples/participants.csv examples/peers.csv -k 3",
    )
    add_inputs(p)
    add_config(p)
    p.add_argument(
        "-k", type=positive_int, default=3, metavar="N", help="leaders per participant (3)"
    )
    add_output(p)
    p.add_argument(
        "--exposure",
        type=exposure_arg,
        default=2.0,
        metavar="X",
        help="a leader appears on at most ceil(X * k * spare places) lists (2); 'none': no cap",
    )
    p.add_argument(
        "--card",
        metavar="FIELDS",
        help="comma-separated leader fields shown on each card (default: every shareable "
        "field; never hba1c, complications, region, importance unless named)",
    )
    p.add_argument(
        "--write-preferred",
        metavar="FILE",
        help="also write a copy of the participants file with 'preferred' filled in shortlist "
        "order, for the coordinator to edit with each participant's choices",
    )
    p.add_argument(
        "--script",
        metavar="FILE",
        help="also write a phone script (.html or .txt): per participant, Option A, B, C in "
        "plain words and a line to read if they want none; with it, an empty choices file "
        "(--choices-out) for 'match --choices'. Without -o, the shortlist CSV is not printed",
    )
    p.add_argument(
        "--choices-out",
        metavar="FILE",
        help="with --script: where to write the empty choices file (default: the script's name "
        "with -choices.csv); a file that already holds answers is never overwritten",
    )
    p.add_argument(
        "--replace-preferred",
        action="store_true",
        help="with --write-preferred: also replace preferred lists participants already have",
    )
    now = p.add_mutually_exclusive_group()
    now.add_argument(
        "--current",
        metavar="MATCHES",
        help="for a programme under way: the current match file (.csv or .json from match or "
        "rematch); its pairs take up places, and participants matched in it are not listed",
    )
    now.add_argument(
        "--history",
        metavar="FILE",
        help="like --current, from the last run of a run history; its ended pairs are never listed",
    )

    p = add(
        "compare",
        cmd_compare,
        "run several solvers (or configs) on one cohort and print their metrics side by side",
        "peermatch compare examples/participants.csv examples/peers.csv --solver stable",
    )
    add_inputs(p)
    p.add_argument(
        "--solver",
        action="append",
        choices=sorted(SOLVERS),
        help="a solver to compare (repeat; default: every solver, or each config's own)",
    )
    p.add_argument(
        "--config",
        action="append",
        metavar="FILE",
        help="a TOML configuration to compare, named after its file (repeat)",
    )
    p.add_argument(
        "-o", "--output", metavar="OUT", help="also write the metrics (one row per run) to OUT"
    )
    p.add_argument(
        "--format",
        choices=["csv", "json"],
        help="format of OUT (default: from its extension, else csv)",
    )
