"""What every command shares (internal): reading the inputs, checking outputs, options.

Exit codes: 0 success (unmatched participants are a normal outcome), 2 bad usage or bad input
(every problem listed, no traceback), 1 unexpected internal error, 3 ``replay`` ran but did not
reproduce the recorded run, 130 or 143 interrupted (SIGINT or SIGTERM).

Every file a command writes goes through :func:`write_outputs` (one call per command, so its
outputs are written together or not at all); a failure caused by the disk or the file system
becomes a :class:`UsageError` naming the file and the reason.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TextIO

from peermatch._core.commit import name_problem, stream_descriptor, write_files, written_before
from peermatch._core.files import WORKBOOK_EXTENSIONS
from peermatch._core.text import shown
from peermatch.errors import InputError, Problem
from peermatch.io._intake import read_profiles
from peermatch.io._profiles import ProfileTable, check_references
from peermatch.profiles._models import Participant, PeerLeader
from peermatch.scoring._config import MatchConfig
from peermatch.solvers import SOLVERS

EXIT_OK = 0


EXIT_INTERNAL = 1


EXIT_USAGE = 2


EXIT_NOT_REPRODUCED = 3


class UsageError(Exception):
    """Bad command-line usage (exit code 2)."""


class Parser(argparse.ArgumentParser):
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


def read_inputs(args: argparse.Namespace, *, config: bool = True) -> Cohort:
    sheets = (getattr(args, "sheet", None), getattr(args, "peers_sheet", None))
    if same_file(args.participants, args.peers) and sheets[0] == sheets[1]:
        raise UsageError("PARTICIPANTS and PEERS name the same file; give the two files")
    problems: list[Problem] = []
    tables: dict[str, ProfileTable[Any]] = {}
    for kind, path, plan, sheet in (
        (
            "participant",
            args.participants,
            getattr(args, "map", None),
            getattr(args, "sheet", None),
        ),
        ("peer", args.peers, getattr(args, "peers_map", None), getattr(args, "peers_sheet", None)),
    ):
        try:
            tables[kind] = read_profiles(path, kind, mapping=plan, sheet=sheet)
        except InputError as exc:
            problems += exc.problems
        except ImportError as exc:  # a workbook without the excel extra
            raise UsageError(str(exc)) from None
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


def same_file(a: str, b: str) -> bool:
    pa, pb = Path(a), Path(b)
    try:
        if pa.exists() and pb.exists():
            return os.path.samefile(pa, pb)
    except OSError:
        pass
    return pa.resolve() == pb.resolve()


def check_name(path: str, what: str) -> None:
    """Refuse a file name no file system accepts (a part over 255 bytes)."""
    problem = name_problem(path)
    if problem is not None:
        raise UsageError(f"{what} {shown(path)}: {problem}")


def check_output(out: str | None, inputs: Sequence[str | None]) -> None:
    if out is None or out == "-" or stream_descriptor(out) is not None:
        return
    check_name(out, "the output")
    for path in inputs:
        if path and same_file(out, path):
            raise UsageError(f"the output {out!r} is one of the input files; choose another name")
    if Path(out).suffix.lower() in WORKBOOK_EXTENSIONS:
        raise UsageError(
            f"the output {out!r} names a spreadsheet workbook; peermatch writes CSV or JSON — "
            "use .csv (spreadsheets open it) or .json"
        )
    parent = Path(out).parent
    if not parent.exists():
        raise UsageError(f"the output folder {str(parent)!r} does not exist")
    if not parent.is_dir():
        raise UsageError(f"the output folder {str(parent)!r} is a file, not a folder")
    if Path(out).is_dir():
        raise UsageError(f"the output {out!r} is a folder; give a file name")


def output_format(args: argparse.Namespace) -> str:
    fmt: str | None = getattr(args, "format", None)
    if fmt:
        return fmt
    if args.output and Path(args.output).suffix.lower() == ".json":
        return "json"
    return "csv"


def to_stdout(path: str | None) -> bool:
    """Whether ``-o`` asks for standard output (no ``-o``, or ``-o -``)."""
    return path is None or path == "-"


def emit(text: str, args: argparse.Namespace, stdout: TextIO) -> None:
    if to_stdout(args.output):
        stdout.write(text)
    else:
        write(args.output, text)


def write_failure(exc: OSError, consequence: str = "nothing was written") -> str:
    """The message for a file that could not be written."""
    name = exc.filename if exc.filename is not None else "an output"
    notes = "".join(f"; {note}" for note in getattr(exc, "__notes__", ()))
    return f"cannot write {str(name)!r}: {exc.strerror or exc}; {consequence}{notes}"


def write_outputs(outputs: Sequence[tuple[str | Path, str | bytes]]) -> None:
    """Write a command's files together (all or none); failures are usage errors."""
    try:
        write_files(outputs)
    except OSError as exc:
        if isinstance(exc, BrokenPipeError):
            raise
        done = written_before(exc)
        if done:
            raise UsageError(write_failure(exc, f"wrote {', '.join(done)} all the same")) from None
        raise UsageError(write_failure(exc)) from None


def write(path: str | Path, text: str | bytes) -> None:
    write_outputs([(path, text)])


def check_plot(args: argparse.Namespace) -> None:
    """Check ``--plot FILE`` before any work: format, not an input or the output, matplotlib."""
    path: str | None = getattr(args, "plot", None)
    if not path:
        return
    from peermatch.display._plots import FORMATS

    check_name(path, "--plot")
    if Path(path).suffix.lower() not in FORMATS:
        raise UsageError(
            f"--plot {path!r}: the figure's format follows the extension; use " + ", ".join(FORMATS)
        )
    check_output(path, [args.participants, args.peers, getattr(args, "config", None)])
    if args.output and same_file(path, args.output):
        raise UsageError(f"--plot and --output both name {path!r}; give the figure its own name")
    try:
        from peermatch._core.optional import require

        require("matplotlib", extra="plot", purpose="--plot")
    except ImportError as exc:
        raise UsageError(str(exc)) from None


def solver_name(args: argparse.Namespace, cfg: MatchConfig) -> str:
    return str(args.solver) if getattr(args, "solver", None) else cfg.solver


def attempt(step: Callable[[], object], problems: list[Problem]) -> object:
    """Run one reading step; collect its problems so that all are reported together."""
    try:
        return step()
    except InputError as exc:
        problems += exc.problems
        return None


def positive_int(text: str) -> int:
    try:
        x = int(text)
    except ValueError:
        x = 0
    if x < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, found {shown(text)}")
    return x


def wait_arg(text: str) -> float:
    try:
        x = float(text)
    except ValueError:
        x = float("nan")
    if not 0 <= x < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number of seconds >= 0, found {text!r}")
    return x


def exposure_arg(text: str) -> float | None:
    value = text.strip().lower()
    if value in ("none", "off"):
        return None
    try:
        x = float(value)
    except ValueError:
        x = float("nan")
    if not x > 0 or x == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number > 0 or 'none', found {shown(text)}")
    return x


def stay_bonus_arg(text: str) -> float | None:
    from peermatch.programme._rematch import MAX_STAY_BONUS

    value = text.strip().lower()
    if value in ("none", "inf", "infinity"):
        return None
    try:
        x = float(value)
    except ValueError:
        x = float("nan")
    if x == float("inf"):
        return None
    if not 0 <= x <= MAX_STAY_BONUS:
        raise argparse.ArgumentTypeError(
            f"expected a number from 0 to {MAX_STAY_BONUS:g} or 'none' (keep every working "
            f"pair), found {shown(text)}"
        )
    return x


class Progress:
    """A progress line on standard error, redrawn at most a few times a second."""

    def __init__(self, stream: TextIO) -> None:
        import threading

        self.stream = stream
        self.last = 0.0
        self.shown = False
        self.lock = threading.Lock()  # blocks of a large cohort report from several threads

    def __call__(self, phase: str, done: int, total: int) -> None:
        import time

        with self.lock:
            now = time.monotonic()
            if now - self.last < 0.25 and done < total:
                return
            self.last = now
            text = f"{phase}: {done:,} of {total:,}" if total > 1 else f"{phase}..."
            self.stream.write(f"\r\x1b[2K{text}")
            self.stream.flush()
            self.shown = True

    def clear(self) -> None:
        with self.lock:
            if self.shown:
                self.stream.write("\r\x1b[2K")
                self.stream.flush()
                self.shown = False


class Messages(io.TextIOBase):
    """Standard error that first wipes the progress line, so messages start clean."""

    def __init__(self, stream: TextIO, progress: Progress) -> None:
        self.stream = stream
        self.progress = progress

    def write(self, text: str) -> int:
        self.progress.clear()
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()


Command = Callable[[argparse.Namespace, TextIO, TextIO], int]


def add_inputs(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "participants", metavar="PARTICIPANTS", help="participants file (.csv, .json or .xlsx)"
    )
    p.add_argument("peers", metavar="PEERS", help="peer leaders file (.csv, .json or .xlsx)")
    add_maps(p)


def add_maps(p: argparse.ArgumentParser) -> None:
    """``--map``, ``--peers-map``, ``--sheet``, ``--peers-sheet`` (docs/bring-your-data.md)."""
    p.add_argument(
        "--map", metavar="MAP.toml", help="mapping of the participants file's columns and values"
    )
    p.add_argument("--peers-map", metavar="MAP.toml", help="mapping of the peer leaders file")
    p.add_argument("--sheet", metavar="NAME", help="the participants workbook's sheet")
    p.add_argument("--peers-sheet", metavar="NAME", help="the peer leaders workbook's sheet")


def add_config(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", metavar="FILE", help="TOML configuration (criteria, weights, ...)")


def add_solver(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--solver",
        choices=sorted(SOLVERS),
        help="solver (default: the config's, else hungarian): "
        + "; ".join(f"{k}: {v.guarantee}" for k, v in sorted(SOLVERS.items())),
    )


def add_output(p: argparse.ArgumentParser, *, formats: bool = True) -> None:
    p.add_argument("-o", "--output", metavar="OUT", help="output file (default: standard output)")
    if formats:
        p.add_argument(
            "--format",
            choices=["csv", "json"],
            help="output format (default: from the extension of OUT, else csv)",
        )


#: ``add(name, command, help, example)`` adds a subcommand's parser and returns it.
Adder = Callable[[str, Command, str, str], argparse.ArgumentParser]
