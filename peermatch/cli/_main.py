"""The ``peermatch`` command line (``docs/cli.md``).

A thin shell: it parses arguments, calls the library and formats output. Each command lives in
its own module and adds its parser with ``register``; this module builds the parser and runs a
command, turning input errors into exit code 2 and warnings into lines on standard error.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
import warnings
from collections.abc import Sequence
from typing import TextIO

from peermatch._version import __version__
from peermatch.cli import _choice, _deidentify, _demo, _match, _validate, _year
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
from peermatch.errors import InputError, PeermatchWarning
from peermatch.matching._match import _PROGRESS

__all__ = ["build_parser", "main"]

#: Command modules, in the order their commands are listed in ``peermatch --help``.
COMMANDS = (_validate, _match, _year, _choice, _deidentify, _demo)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``peermatch`` command (also used to document it)."""
    parser = Parser(
        prog="peermatch",
        description="Match peer support participants with trained peer leaders.",
        epilog="Exit codes: 0 success (unmatched participants are a normal outcome), "
        "2 bad usage or bad input, 1 internal error, 3 replay did not reproduce the run.",
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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    out, err = sys.stdout, sys.stderr
    progress = Progress(err) if err.isatty() else None
    if progress is not None:
        err = Messages(err, progress)
    token = _PROGRESS.set(progress)
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
