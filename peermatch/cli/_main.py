"""The ``peermatch`` command line (``docs/cli.md``).

A thin shell: it parses arguments, calls the library and formats output. Each command lives in
its own module and adds its parser with ``register``; this module builds the parser and runs a
command, turning input errors into exit code 2 and warnings into lines on standard error.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import traceback
import warnings
from collections.abc import Callable, Sequence
from types import FrameType
from typing import NoReturn, TextIO

from peermatch._core.commit import pause, written_before
from peermatch._version import __version__
from peermatch.cli import (
    _callsheet,
    _choice,
    _deidentify,
    _demo,
    _import,
    _match,
    _plan,
    _report,
    _validate,
    _year,
)
from peermatch.cli._common import (
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_USAGE,
    Command,
    Messages,
    Parser,
    Progress,
    UsageError,
)
from peermatch.errors import HistoryBusyError, InputError, PeermatchWarning
from peermatch.matching._match import _PROGRESS

__all__ = ["build_parser", "main", "run"]

#: Command modules, in the order their commands are listed in ``peermatch --help``.
COMMANDS = (
    _import,
    _validate,
    _match,
    _year,
    _choice,
    _callsheet,
    _report,
    _plan,
    _deidentify,
    _demo,
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``peermatch`` command (also used to document it)."""
    parser = Parser(
        prog="peermatch",
        description="Match peer support participants with trained peer leaders.",
        epilog="Exit codes: 0 success (unmatched participants are a normal outcome), "
        "2 bad usage or bad input, 1 internal error, 3 replay did not reproduce the run, "
        "130 / 143 interrupted (Ctrl-C / SIGTERM).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"peermatch {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
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

    for module in COMMANDS:
        module.register(add)
    return parser


def _warnings_to(err: TextIO) -> None:
    """Show peermatch's warnings as one line each on ``err`` (inside ``catch_warnings``)."""
    warnings.simplefilter("always", PeermatchWarning)
    original = warnings.showwarning

    def show(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: TextIO | None = None,
        line: str | None = None,
    ) -> None:
        if issubclass(category, PeermatchWarning):
            err.write(f"peermatch: warning: {message}\n")
        else:
            original(message, category, filename, lineno, file, line)

    warnings.showwarning = show


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM arrived; raised so that every clean-up runs."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _on_signals() -> Callable[[], None]:
    """Turn SIGINT and SIGTERM into :class:`Interrupted`; return what restores the handlers."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = {sig: signal.getsignal(sig) for sig in _SIGNALS}

    def interrupt(signum: int, frame: FrameType | None) -> None:
        for sig in _SIGNALS:  # a second signal must not cut the clean-up short
            signal.signal(sig, signal.SIG_IGN)
        raise Interrupted(signum)

    for sig in _SIGNALS:
        signal.signal(sig, interrupt)

    def restore() -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)

    return restore


def _interrupted(exc: KeyboardInterrupt, err: TextIO) -> int:
    signum = getattr(exc, "signum", signal.SIGINT)
    name = " (SIGTERM)" if signum == signal.SIGTERM else ""
    notes = list(getattr(exc, "__notes__", ()))
    written = written_before(exc)
    if notes:
        what = "; " + "; ".join(notes)
    elif written:
        what = " after writing " + ", ".join(written)
    else:
        what = ""
    err.write(f"peermatch: interrupted{name}{what}\n")
    return 128 + int(signum)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    out, err = sys.stdout, sys.stderr
    progress = Progress(err) if err.isatty() else None
    if progress is not None:
        err = Messages(err, progress)
    token = _PROGRESS.set(progress)
    restore = _on_signals()
    try:
        with warnings.catch_warnings():
            _warnings_to(err)
            code: int = args.func(args, out, err)
        return code
    except InputError as exc:
        n = exc.count
        listed = "" if n == len(exc.problems) else f" (the first {len(exc.problems) - 1:,} listed)"
        err.write(f"peermatch: {n:,} problem{'s' if n != 1 else ''} found{listed}:\n{exc}\n")
        return EXIT_USAGE
    except (UsageError, HistoryBusyError) as exc:
        err.write(f"peermatch: error: {exc}\n")
        return EXIT_USAGE
    except KeyboardInterrupt as exc:
        return _interrupted(exc, err)
    except BrokenPipeError:
        return EXIT_OK
    except OSError as exc:  # the environment, not a bug: a file or folder that cannot be used
        name = f"{exc.filename}: " if exc.filename is not None else ""
        err.write(f"peermatch: error: {name}{exc.strerror or exc}\n")
        return EXIT_USAGE
    except Exception as exc:
        if os.environ.get("PEERMATCH_DEBUG"):
            traceback.print_exc()
        err.write(
            f"peermatch: internal error ({type(exc).__name__}); this is a bug, please report "
            "it (set PEERMATCH_DEBUG=1 to see details)\n"
        )
        return EXIT_INTERNAL
    finally:
        restore()
        _PROGRESS.reset(token)
        if progress is not None:
            progress.clear()


def run() -> NoReturn:
    """The ``peermatch`` program: :func:`main`, with no traceback for a late Ctrl-C.

    Signals are ignored before :func:`main` takes them over and after it returns, so an
    interruption while the process exits cannot print a traceback.
    """
    for sig in _SIGNALS:
        signal.signal(sig, signal.SIG_IGN)
    code = main()
    pause("exit")
    raise SystemExit(code)
