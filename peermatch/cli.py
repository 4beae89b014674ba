"""The ``peermatch`` command line (SPEC §8).

A thin shell: it parses arguments, calls the library and formats output. Exit codes: 0 success
(unmatched participants are a normal outcome), 2 bad usage or bad input (every problem listed,
no traceback), 1 unexpected internal error.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TextIO

from peermatch._version import __version__
from peermatch.config import MatchConfig
from peermatch.errors import InputError, Problem
from peermatch.io import ProfileTable, check_references, read_table, write_text_atomic
from peermatch.models import Participant, PeerLeader
from peermatch.solvers import SOLVERS

__all__ = ["build_parser", "main"]

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2


class UsageError(Exception):
    """Bad command-line usage (exit code 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


@dataclass
class Cohort:
    """The two validated input files."""

    participants: ProfileTable[Participant]
    peers: ProfileTable[PeerLeader]
    config: MatchConfig

    @property
    def inputs(self) -> list[str]:
        return [self.participants.path, self.peers.path]


def _read_inputs(args: argparse.Namespace, *, config: bool = True) -> Cohort:
    problems: list[Problem] = []
    tables: dict[str, ProfileTable[Any]] = {}
    for kind, path in (("participant", args.participants), ("peer", args.peers)):
        try:
            tables[kind] = read_table(path, kind)
        except InputError as exc:
            problems += exc.problems
    cfg = MatchConfig()
    if config and getattr(args, "config", None):
        try:
            cfg = MatchConfig.from_file(args.config)
        except InputError as exc:
            problems += exc.problems
    if len(tables) == 2:
        problems += check_references(tables["participant"], tables["peer"])
    if problems:
        raise InputError(problems)
    return Cohort(tables["participant"], tables["peer"], cfg)


def _same_file(a: str, b: str) -> bool:
    pa, pb = Path(a), Path(b)
    try:
        if pa.exists() and pb.exists():
            return os.path.samefile(pa, pb)
    except OSError:
        pass
    return pa.resolve() == pb.resolve()


def _check_output(out: str | None, inputs: Sequence[str | None]) -> None:
    if out is None:
        return
    for path in inputs:
        if path and _same_file(out, path):
            raise UsageError(f"the output {out!r} is one of the input files; choose another name")
    parent = Path(out).parent
    if not parent.exists():
        raise UsageError(f"the output folder {str(parent)!r} does not exist")
    if Path(out).is_dir():
        raise UsageError(f"the output {out!r} is a folder; give a file name")


def _format(args: argparse.Namespace) -> str:
    fmt: str | None = getattr(args, "format", None)
    if fmt:
        return fmt
    if args.output and Path(args.output).suffix.lower() == ".json":
        return "json"
    return "csv"


def _emit(text: str, args: argparse.Namespace, stdout: TextIO) -> None:
    if args.output:
        write_text_atomic(args.output, text)
    else:
        stdout.write(text)


def _check_plot(args: argparse.Namespace) -> None:
    """Check ``--plot FILE`` before any work: format, not an input or the output, matplotlib."""
    path: str | None = getattr(args, "plot", None)
    if not path:
        return
    from peermatch.plots import FORMATS

    if Path(path).suffix.lower() not in FORMATS:
        raise UsageError(
            f"--plot {path!r}: the figure's format follows the extension; use " + ", ".join(FORMATS)
        )
    _check_output(path, [args.participants, args.peers, getattr(args, "config", None)])
    if args.output and _same_file(path, args.output):
        raise UsageError(f"--plot and --output both name {path!r}; give the figure its own name")
    try:
        from peermatch._optional import require

        require("matplotlib", extra="plot", purpose="--plot")
    except ImportError as exc:
        raise UsageError(str(exc)) from None


def _solver_name(args: argparse.Namespace, cfg: MatchConfig) -> str:
    return str(args.solver) if getattr(args, "solver", None) else cfg.solver


# -- commands -------------------------------------------------------------------------------


def cmd_validate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    cohort = _read_inputs(args)
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


def cmd_match(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from peermatch.matching import match

    _check_output(args.output, [args.participants, args.peers, getattr(args, "config", None)])
    _check_plot(args)
    cohort = _read_inputs(args)
    result = match(
        cohort.participants.profiles,
        cohort.peers.profiles,
        cohort.config,
        solver=_solver_name(args, cohort.config),
    )
    text = result.to_json() if _format(args) == "json" else result.to_csv()
    _emit(text, args, out)
    mt = result.metrics
    err.write(
        f"matched {mt['n_matched']} of {mt['n_participants']} participants with "
        f"{result.solver} (mean score {float(mt['mean_score']):.3f}); "
        f"{mt['n_unmatched']} unmatched" + (f"; wrote {args.output}" if args.output else "") + "\n"
    )
    if args.plot:
        from peermatch.plots import save_figure, summary

        save_figure(summary(result), args.plot)
        err.write(f"wrote the summary figure {args.plot}\n")
    return EXIT_OK


def cmd_explain(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from difflib import get_close_matches

    from peermatch.matching import match

    cohort = _read_inputs(args)
    ids = [p.id for p in cohort.participants.profiles]
    unknown = [pid for pid in args.participant if pid not in set(ids)]
    if unknown:
        problems = []
        for pid in unknown:
            close = get_close_matches(pid, ids, n=1)
            hint = f" — did you mean {close[0]!r}?" if close else ""
            problems.append(
                Problem(cohort.participants.path, None, "id", f"no participant {pid!r}{hint}")
            )
        raise InputError(problems)
    result = match(
        cohort.participants.profiles,
        cohort.peers.profiles,
        cohort.config,
        solver=_solver_name(args, cohort.config),
    )
    texts = [result.explain(pid, alternatives=args.alternatives) for pid in args.participant]
    out.write("\n\n".join(texts) + "\n")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from peermatch.demo import write_cohort

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
    p_path, l_path = write_cohort(
        folder, args.participants, args.peers, seed=args.seed, fmt=args.format
    )
    err.write(
        f"wrote {args.participants} participants to {p_path} and {args.peers} peer leaders "
        f"to {l_path} (seed {args.seed})\n"
    )
    return EXIT_OK


# -- parser -----------------------------------------------------------------------------------

Command = Callable[[argparse.Namespace, TextIO, TextIO], int]


def _inputs(p: argparse.ArgumentParser) -> None:
    p.add_argument("participants", metavar="PARTICIPANTS", help="participants file (.csv or .json)")
    p.add_argument("peers", metavar="PEERS", help="peer leaders file (.csv or .json)")


def _config(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", metavar="FILE", help="TOML configuration (criteria, weights, ...)")


def _solver(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--solver",
        choices=sorted(SOLVERS),
        help="solver (default: the config's, else hungarian): "
        + "; ".join(f"{k}: {v.guarantee}" for k, v in sorted(SOLVERS.items())),
    )


def _output(p: argparse.ArgumentParser, *, formats: bool = True) -> None:
    p.add_argument("-o", "--output", metavar="OUT", help="output file (default: standard output)")
    if formats:
        p.add_argument(
            "--format",
            choices=["csv", "json"],
            help="output format (default: from the extension of OUT, else csv)",
        )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``peermatch`` command (also used to document it)."""
    parser = _Parser(
        prog="peermatch",
        description="Match peer support participants with trained peer leaders.",
        epilog="Exit codes: 0 success (unmatched participants are a normal outcome), "
        "2 bad usage or bad input, 1 internal error.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"peermatch {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    def add(name: str, func: Command, help: str, example: str) -> argparse.ArgumentParser:
        p = sub.add_parser(
            name,
            help=help,
            description=help,
            epilog=f"example:\n  {example}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        p.set_defaults(func=func)
        return p

    p = add(
        "validate",
        cmd_validate,
        "check both files (and the config) and report every problem",
        "peermatch validate examples/participants.csv examples/peers.csv",
    )
    _inputs(p)
    _config(p)

    p = add(
        "match",
        cmd_match,
        "match participants with peer leaders; one output row per participant",
        "peermatch match examples/participants.csv examples/peers.csv -o matches.csv",
    )
    _inputs(p)
    _config(p)
    _solver(p)
    _output(p)
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
    _inputs(p)
    _config(p)
    _solver(p)
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    out, err = sys.stdout, sys.stderr
    try:
        code: int = args.func(args, out, err)
        return code
    except InputError as exc:
        n = len(exc.problems)
        err.write(f"peermatch: {n} problem{'s' if n != 1 else ''} found:\n{exc}\n")
        return EXIT_USAGE
    except UsageError as exc:
        err.write(f"peermatch: error: {exc}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        err.write("peermatch: interrupted\n")
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:
        if os.environ.get("PEERMATCH_DEBUG"):
            traceback.print_exc()
        err.write(
            f"peermatch: internal error ({type(exc).__name__}); this is a bug, please report "
            "it (set PEERMATCH_DEBUG=1 to see details)\n"
        )
        return EXIT_INTERNAL
