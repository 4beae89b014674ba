"""The ``peermatch`` command line (``docs/cli.md``).

A thin shell: it parses arguments, calls the library and formats output. Exit codes: 0 success
(unmatched participants are a normal outcome), 2 bad usage or bad input (every problem listed,
no traceback), 1 unexpected internal error, 3 ``replay`` ran but did not reproduce the recorded
run.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from peermatch._core.files import write_text_atomic
from peermatch._core.text import did_you_mean
from peermatch._version import __version__
from peermatch.errors import InputError, Problem
from peermatch.io._profiles import ProfileTable, check_references, read_table
from peermatch.matching._match import _PROGRESS
from peermatch.matching._results import MatchResult
from peermatch.profiles._models import Participant, PeerLeader
from peermatch.scoring._config import MatchConfig
from peermatch.solvers import SOLVERS

if TYPE_CHECKING:
    from peermatch.io._deidentify import Pseudonymiser

__all__ = ["build_parser", "main"]

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_NOT_REPRODUCED = 3


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
    if _same_file(args.participants, args.peers):
        raise UsageError("PARTICIPANTS and PEERS name the same file; give the two files")
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
    if Path(out).suffix.lower() in (".xlsx", ".xls", ".ods", ".numbers"):
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


def _format(args: argparse.Namespace) -> str:
    fmt: str | None = getattr(args, "format", None)
    if fmt:
        return fmt
    if args.output and Path(args.output).suffix.lower() == ".json":
        return "json"
    return "csv"


def _emit(text: str, args: argparse.Namespace, stdout: TextIO) -> None:
    if args.output:
        _write(args.output, text)
    else:
        stdout.write(text)


def _write(path: str | Path, text: str) -> None:
    try:
        write_text_atomic(path, text)
    except OSError as exc:
        raise UsageError(f"cannot write {str(path)!r}: {exc.strerror or exc}") from None


def _check_plot(args: argparse.Namespace) -> None:
    """Check ``--plot FILE`` before any work: format, not an input or the output, matplotlib."""
    path: str | None = getattr(args, "plot", None)
    if not path:
        return
    from peermatch.display._plots import FORMATS

    if Path(path).suffix.lower() not in FORMATS:
        raise UsageError(
            f"--plot {path!r}: the figure's format follows the extension; use " + ", ".join(FORMATS)
        )
    _check_output(path, [args.participants, args.peers, getattr(args, "config", None)])
    if args.output and _same_file(path, args.output):
        raise UsageError(f"--plot and --output both name {path!r}; give the figure its own name")
    try:
        from peermatch._core.optional import require

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
    from peermatch.matching._match import match

    inputs = [args.participants, args.peers, getattr(args, "config", None)]
    _check_output(args.output, inputs)
    if args.key_file and not args.deidentify:
        raise UsageError("--key-file is used only with --deidentify")
    if args.deidentify:
        _check_key_file(args.key_file, [*inputs, args.output], None)
        if args.plot:
            raise UsageError("--plot shows real ids; leave it out when using --deidentify")
    _check_plot(args)
    cohort = _read_inputs(args)
    result = match(
        cohort.participants.profiles,
        cohort.peers.profiles,
        cohort.config,
        solver=_solver_name(args, cohort.config),
    )
    if args.deidentify:
        from peermatch.io._deidentify import deidentified_match_csv, deidentified_match_json

        pseudo = _pseudonymiser(args, err)
        fmt = deidentified_match_json if _format(args) == "json" else deidentified_match_csv
        text = fmt(result, pseudo)
    else:
        text = result.to_json() if _format(args) == "json" else result.to_csv()
    _emit(text, args, out)
    mt = result.metrics
    err.write(
        f"matched {mt['n_matched']} of {mt['n_participants']} participants with "
        f"{result.solver} (mean score {float(mt['mean_score']):.3f}); "
        f"{mt['n_unmatched']} unmatched" + (f"; wrote {args.output}" if args.output else "") + "\n"
    )
    if args.plot:
        from peermatch.display._plots import plot_summary, save_figure

        save_figure(plot_summary(result), args.plot)
        err.write(f"wrote the summary figure {args.plot}\n")
    return EXIT_OK


def cmd_explain(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from peermatch.matching._match import match

    cohort = _read_inputs(args)
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
        result = _recorded_result(args, cohort, err)
    else:
        result = match(
            cohort.participants.profiles,
            cohort.peers.profiles,
            cohort.config,
            solver=_solver_name(args, cohort.config),
        )
    texts = [result.explain(pid, alternatives=args.alternatives) for pid in args.participant]
    out.write("\n\n".join(texts) + "\n")
    return EXIT_OK


def _exposure_arg(text: str) -> float | None:
    value = text.strip().lower()
    if value in ("none", "off"):
        return None
    try:
        x = float(value)
    except ValueError:
        x = float("nan")
    if not x > 0 or x == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number > 0 or 'none', found {text!r}")
    return x


def _positive_int(text: str) -> int:
    try:
        x = int(text)
    except ValueError:
        x = 0
    if x < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, found {text!r}")
    return x


def _current_run(args: argparse.Namespace) -> object:
    """The programme's current pairs for ``shortlist`` (``--current`` or ``--history``)."""
    from peermatch.programme._history import History
    from peermatch.programme._rematch import read_previous

    if args.current:
        return read_previous(args.current)
    if args.history:
        if not Path(args.history).is_file():
            raise InputError([Problem(args.history, None, None, "no such history file")])
        run = History.load(args.history).previous_run()
        if run is None:
            raise InputError([Problem(args.history, None, None, "the history has no runs yet")])
        return run
    return None


def cmd_shortlist(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from peermatch.io._profiles import write_profiles
    from peermatch.programme._rematch import PreviousRun
    from peermatch.programme._shortlist import open_places, shortlist

    inputs = [args.participants, args.peers, args.config, args.current, args.history]
    _check_output(args.output, inputs)
    if args.write_preferred:
        _check_output(args.write_preferred, inputs)
        if Path(args.write_preferred).suffix.lower() not in (".csv", ".json"):
            raise UsageError(
                f"--write-preferred {args.write_preferred!r}: name a .csv or .json file"
            )
        if args.output and _same_file(args.output, args.write_preferred):
            raise UsageError("-o and --write-preferred name the same file; choose two names")
    problems: list[Problem] = []
    cohort = _attempt(lambda: _read_inputs(args), problems)
    current = _attempt(lambda: _current_run(args), problems)
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
    text = lists.to_json() if _format(args) == "json" else lists.to_csv()
    _emit(text, args, out)
    listed = sum(1 for c in lists.values() if c)
    cap = "no exposure cap" if lists.exposure is None else f"exposure cap {lists.exposure:g}"
    source = args.current or args.history
    err.write(
        f"shortlisted up to {lists.k} leaders for {listed} of {len(lists)} participants "
        f"({cap}; {len(lists.relaxed)} relaxed); {len(lists.empty)} with no feasible leader "
        "with spare room"
        + (f"; {len(taken)} already matched in {source} not listed" if source else "")
        + (f"; wrote {args.output}" if args.output else "")
        + "\n"
    )
    if args.write_preferred:
        profiles = cohort.participants.profiles
        filled = lists.fill_preferred(profiles, replace=args.replace_preferred)
        write_profiles(args.write_preferred, filled)
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


def cmd_compare(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from peermatch.matching._compare import compare

    config_paths: list[str] = args.config or []
    _check_output(args.output, [args.participants, args.peers, *config_paths])
    problems: list[Problem] = []
    cohort: Cohort | None = None
    try:
        cohort = _read_inputs(args, config=False)
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
    out.write(comparison.to_text())
    if args.output:
        fmt = _format(args)
        write_text_atomic(
            args.output, comparison.to_json() if fmt == "json" else comparison.to_csv()
        )
        err.write(f"wrote {args.output}\n")
    return EXIT_OK


def _recorded_result(args: argparse.Namespace, cohort: Cohort, err: TextIO) -> MatchResult:
    """The result of a recorded run, re-computed from its input files (for ``explain``)."""
    from peermatch.programme._history import History

    if not Path(args.history).exists():
        raise InputError([Problem(args.history, None, None, "no such history file")])
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


def cmd_demo(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from peermatch import write_cohort

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


def _stay_bonus_arg(text: str) -> float | None:
    value = text.strip().lower()
    if value in ("none", "inf", "infinity"):
        return None
    try:
        x = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a number >= 0 or 'none', found {text!r}"
        ) from None
    if x != x or x < 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0 or 'none', found {text!r}")
    return None if x == float("inf") else x


def _check_history(path: str, inputs: Sequence[str | None]) -> None:
    for other in inputs:
        if other and _same_file(path, other):
            raise UsageError(f"the history {path!r} is one of the input files; choose another name")
    if Path(path).is_dir():
        raise UsageError(f"the history {path!r} is a folder; give a file name")
    parent = Path(path).parent
    if not parent.exists():
        raise UsageError(f"the history folder {str(parent)!r} does not exist")


def _attempt(step: Callable[[], object], problems: list[Problem]) -> object:
    """Run one reading step; collect its problems so that all are reported together."""
    try:
        return step()
    except InputError as exc:
        problems += exc.problems
        return None


def cmd_rematch(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from peermatch.programme._history import History
    from peermatch.programme._rematch import PreviousRun, read_endings, read_previous

    inputs = [args.participants, args.peers, args.config, args.ended, args.previous]
    _check_history(args.history, inputs)
    _check_output(args.output, [*inputs, args.history])
    problems: list[Problem] = []
    cohort = _attempt(lambda: _read_inputs(args), problems)
    endings = _attempt(lambda: read_endings(args.ended) if args.ended else [], problems)
    previous = _attempt(lambda: read_previous(args.previous) if args.previous else None, problems)
    history = _attempt(lambda: History.load(args.history), problems)
    if problems:
        raise InputError(problems)
    assert isinstance(cohort, Cohort) and isinstance(endings, list)
    assert isinstance(history, History) and (previous is None or isinstance(previous, PreviousRun))
    result = history.rematch(
        cohort.participants.profiles,
        cohort.peers.profiles,
        cohort.config if args.config else None,
        ended=endings,
        previous=previous,
        stay_bonus=args.stay_bonus,
        solver=args.solver,
    )
    text = result.to_json() if _format(args) == "json" else result.to_csv()
    _emit(text, args, out)
    if not args.dry_run:
        history.save()
    record = history.runs[-1]
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
    if args.output:
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

    if not Path(args.history).exists():
        raise InputError([Problem(args.history, None, None, "no such history file")])
    problems: list[Problem] = []
    cohort = _attempt(lambda: _read_inputs(args), problems)
    history = _attempt(lambda: History.load(args.history), problems)
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


def _check_key_file(
    key_file: str | None, others: Sequence[str | None], folder: Path | None
) -> None:
    if key_file is None:
        return
    for path in others:
        if path and _same_file(key_file, path):
            raise UsageError(f"--key-file {key_file!r} is also an input or output file")
    if folder is not None and Path(key_file).resolve().is_relative_to(folder.resolve()):
        raise UsageError(
            f"--key-file {key_file!r} is inside the export folder {str(folder)!r}; keep the key "
            "apart from the data it protects"
        )
    if Path(key_file).is_dir():
        raise UsageError(f"--key-file {key_file!r} is a folder")


def _pseudonymiser(args: argparse.Namespace, err: TextIO) -> Pseudonymiser:
    from peermatch.io._deidentify import Pseudonymiser, new_key, read_key

    if not args.key_file:
        err.write(
            "note: no --key-file, so the pseudonyms use a random key that is not kept: they "
            "cannot be linked to any other export\n"
        )
        return Pseudonymiser()
    key_path = Path(args.key_file)
    if not key_path.exists():
        _write(key_path, new_key() + "\n")
        err.write(
            f"created a new key in {args.key_file} (readable only by you): keep it secret and "
            "apart from the export; the same key gives the same pseudonyms\n"
        )
    return Pseudonymiser(read_key(key_path))


def cmd_deidentify(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from peermatch.io._deidentify import deidentified_profiles_csv, deidentify_profiles

    folder = Path(args.out)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"--out {args.out!r} is a file, not a folder")
    targets = [folder / "participants.csv", folder / "peers.csv"]
    for target in targets:
        for path in (args.participants, args.peers):
            if _same_file(str(target), path):
                raise UsageError(f"the output {str(target)!r} is one of the input files")
    existing = [str(t) for t in targets if t.exists()]
    if existing and not args.force:
        raise UsageError(
            f"{', '.join(existing)} already exist{'s' if len(existing) == 1 else ''}; "
            "choose another --out folder or pass --force to replace them"
        )
    _check_key_file(args.key_file, [args.participants, args.peers], folder)
    cohort = _read_inputs(args, config=False)
    pseudo = _pseudonymiser(args, err)
    texts = [
        deidentified_profiles_csv(
            deidentify_profiles(cohort.participants.profiles, "participant", pseudo)
        ),
        deidentified_profiles_csv(deidentify_profiles(cohort.peers.profiles, "peer", pseudo)),
    ]
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create {args.out!r}: {exc.strerror or exc}") from None
    for target, text in zip(targets, texts, strict=True):
        _write(target, text)
    err.write(
        f"wrote de-identified profiles of {len(cohort.participants.profiles)} participants and "
        f"{len(cohort.peers.profiles)} peer leaders to {targets[0]} and {targets[1]}\n"
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


class _Progress:
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


class _Messages(io.TextIOBase):
    """Standard error that first wipes the progress line, so messages start clean."""

    def __init__(self, stream: TextIO, progress: _Progress) -> None:
        self.stream = stream
        self.progress = progress

    def write(self, text: str) -> int:
        self.progress.clear()
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()


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


def _deidentify_options(p: argparse.ArgumentParser, *, flag: bool = True) -> None:
    if flag:
        p.add_argument(
            "--deidentify",
            action="store_true",
            help="write pseudonymous ids instead of the real ones (research sharing; see "
            "docs/privacy.md)",
        )
    p.add_argument(
        "--key-file",
        metavar="KEY",
        help="secret key for the pseudonyms; the same key gives the same pseudonyms (created "
        "with a random key if missing; default: a random key that is not kept)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``peermatch`` command (also used to document it)."""
    parser = _Parser(
        prog="peermatch",
        description="Match peer support participants with trained peer leaders.",
        epilog="Exit codes: 0 success (unmatched participants are a normal outcome), "
        "2 bad usage or bad input, 1 internal error, 3 replay did not reproduce the run.",
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
    _deidentify_options(p)
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
    p.add_argument(
        "--history",
        metavar="FILE",
        help="explain the outcome of a recorded run of this history (with what changed) "
        "instead of a fresh match; the files must be that run's",
    )
    p.add_argument("--run", type=int, metavar="N", help="with --history: the run (default: last)")

    p = add(
        "rematch",
        cmd_rematch,
        "re-match after endings and life changes, keeping working pairs; records each run "
        "in a history file (the first run is the initial match)",
        "peermatch rematch participants.csv peers.csv --history year.json --ended ended.csv",
    )
    _inputs(p)
    p.add_argument(
        "--history",
        metavar="FILE",
        required=True,
        help="run history (JSON; created on first use, extended by every run)",
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
        type=_stay_bonus_arg,
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
    _config(p)
    _solver(p)
    _output(p)
    p.epilog = (p.epilog or "") + (
        "\n\nWithout --config (and --solver), a run uses those of the history's last run. "
        "The output has one row per participant with a 'change' column: kept, moved, new, "
        "unmatched or ended."
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
    _inputs(p)
    p.add_argument("--history", metavar="FILE", required=True, help="run history (JSON)")
    p.add_argument("--run", type=int, metavar="N", help="run to replay (default: the last)")
    _config(p)

    p = add(
        "shortlist",
        cmd_shortlist,
        "list the k best feasible leaders with spare room for each participant to choose from",
        "peermatch shortlist examples/participants.csv examples/peers.csv -k 3",
    )
    _inputs(p)
    _config(p)
    p.add_argument(
        "-k", type=_positive_int, default=3, metavar="N", help="leaders per participant (3)"
    )
    _output(p)
    p.add_argument(
        "--exposure",
        type=_exposure_arg,
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
    _inputs(p)
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

    p = add(
        "deidentify",
        cmd_deidentify,
        "write de-identified profiles for research sharing (banded ages and HbA1c, "
        "pseudonymous ids, no free text)",
        "peermatch deidentify participants.csv peers.csv --out shared --key-file ~/peermatch.key",
    )
    _inputs(p)
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")
    _deidentify_options(p, flag=False)
    p.add_argument("--force", action="store_true", help="replace existing files in DIR")

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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    out, err = sys.stdout, sys.stderr
    progress = _Progress(err) if err.isatty() else None
    if progress is not None:
        err = _Messages(err, progress)
    token = _PROGRESS.set(progress)
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
    finally:
        _PROGRESS.reset(token)
        if progress is not None:
            progress.clear()
