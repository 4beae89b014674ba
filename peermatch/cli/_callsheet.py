"""``callsheet``: each peer leader's participants, with what they share, for the first calls."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from peermatch.cli._common import (
    EXIT_OK,
    Adder,
    Cohort,
    UsageError,
    add_inputs,
    attempt,
    check_output,
    read_inputs,
    same_file,
    write,
)
from peermatch.errors import InputError, Problem

#: Extensions of the call sheets and the format each gets.
_SUFFIXES = {".html": "html", ".htm": "html", ".csv": "csv"}


def cmd_callsheet(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from peermatch._core.text import counted
    from peermatch.display._callsheet import call_sheets, read_contacts
    from peermatch.programme._rematch import PreviousRun, read_previous

    inputs = [args.matches, args.participants, args.peers, args.contacts]
    if args.output is None or args.output == "-":
        raise UsageError("-o names the call sheets' file (.html or .csv)")
    check_output(args.output, inputs)
    suffix = Path(args.output).suffix.lower()
    if suffix not in _SUFFIXES:
        raise UsageError(f"-o {args.output!r}: name a .html or .csv file")
    if same_file(args.matches, args.participants) or same_file(args.matches, args.peers):
        raise UsageError("MATCHES names a profiles file; give the match file first")
    problems: list[Problem] = []
    previous = attempt(lambda: read_previous(args.matches), problems)
    cohort = attempt(lambda: read_inputs(args, config=False), problems)
    contacts = attempt(lambda: read_contacts(args.contacts), problems) if args.contacts else None
    if problems:
        raise InputError(problems)
    assert isinstance(previous, PreviousRun) and isinstance(cohort, Cohort)
    book = contacts if isinstance(contacts, dict) else None
    text = call_sheets(
        previous.pairs,
        cohort.participants.profiles,
        cohort.peers.profiles,
        contacts=book,
        format="csv" if _SUFFIXES[suffix] == "csv" else "html",
        source=args.matches,
    )
    write(args.output, text)
    leaders = len(set(previous.pairs.values()))
    line = (
        f"wrote call sheets for {counted(leaders, 'peer leader')} and "
        f"{counted(len(previous.pairs), 'participant')} to {args.output}"
    )
    if book is not None:
        people = set(previous.pairs) | set(previous.pairs.values())
        missing = len(people - set(book))
        line += f"; {counted(missing, 'person')} without contact details"
    err.write(line + "\n")
    return EXIT_OK


def register(add: Adder) -> None:
    """Add the parser of this command."""
    p = add(
        "callsheet",
        cmd_callsheet,
        "write each peer leader's call sheet: their participants with shared languages, ways "
        "to keep in touch, the times both are free, and what they have in common",
        "peermatch callsheet matches.csv participants.csv peers.csv -o callsheets.html",
    )
    p.add_argument(
        "matches",
        metavar="MATCHES",
        help="the match file (.csv or .json) written by match or rematch",
    )
    add_inputs(p)
    p.add_argument(
        "--contacts",
        metavar="CONTACTS.csv",
        help="names and phone numbers (columns id, name, phone; others are not read) to print "
        "on the sheets; they are written into the sheets only, nowhere else",
    )
    p.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        required=True,
        help="the call sheets: .html (one printed page per leader) or .csv (one row per pair)",
    )
