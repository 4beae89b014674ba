"""``peermatch import``: a programme's own export to a profile file, or a draft mapping."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO, TypeVar

from peermatch.cli._common import EXIT_OK, Adder, UsageError, check_output, write
from peermatch.io._draft import draft_mapping
from peermatch.io._intake import read_profiles
from peermatch.io._profiles import write_profiles

T = TypeVar("T")

_KINDS = {"participants": "participant", "peers": "peer"}


def cmd_import(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    kind = _KINDS[args.kind]
    inputs = [args.source, args.map, args.redcap_dictionary]
    if (args.output is None) == (args.draft_map is None):
        raise UsageError(
            "give -o PROFILES.csv to write the profiles, or --draft-map MAP.toml to write a "
            "first mapping to check"
        )
    if args.draft_map is not None:
        if args.map is not None:
            raise UsageError("--draft-map writes a new mapping; leave out --map")
        check_output(args.draft_map, inputs)
        if Path(args.draft_map).suffix.lower() != ".toml":
            raise UsageError(f"--draft-map {args.draft_map!r}: a mapping file ends in .toml")
        if Path(args.draft_map).exists():
            raise UsageError(
                f"{args.draft_map!r} exists; a draft never replaces a mapping (it may hold your "
                "checks): choose another name or remove it"
            )
        text = _attempt(
            lambda: draft_mapping(
                args.source,
                kind,
                sheet=args.sheet,
                redcap_dictionary=args.redcap_dictionary,
                written_to=args.draft_map,
            )
        )
        write(args.draft_map, text)
        out.write(
            f"{args.draft_map}: draft mapping written; check every guess, then import with "
            f"--map {args.draft_map}\n"
        )
        return EXIT_OK
    check_output(args.output, inputs)
    if Path(args.output).suffix.lower() not in (".csv", ".json"):
        raise UsageError(f"the output {args.output!r} must end in .csv or .json")
    start = time.perf_counter()
    table = _attempt(
        lambda: read_profiles(
            args.source,
            kind,
            mapping=args.map,
            sheet=args.sheet,
            redcap_dictionary=args.redcap_dictionary,
        )
    )
    try:
        write_profiles(args.output, table.profiles)
    except OSError as exc:
        raise UsageError(f"cannot write {args.output!r}: {exc.strerror or exc}") from None
    took = time.perf_counter() - start
    out.write(
        f"{table.path}: {len(table.profiles)} {args.kind} read and written to {args.output} "
        f"({took:.2f} s)\n"
    )
    return EXIT_OK


def _attempt(step: Callable[[], T]) -> T:
    try:
        return step()
    except ImportError as exc:  # a workbook without the excel extra
        raise UsageError(str(exc)) from None


def register(add: Adder) -> None:
    """Add the parser of this command."""
    p = add(
        "import",
        cmd_import,
        "read a programme's own export (REDCap, Qualtrics, Google Forms, Excel) through a "
        "mapping and write a profile file the other commands read; or draft the mapping",
        "peermatch import export.csv --kind participants --map map.toml -o participants.csv",
    )
    p.add_argument("source", metavar="SOURCE", help="the export (.csv, .json or .xlsx)")
    p.add_argument("--kind", required=True, choices=sorted(_KINDS), help="what the rows are")
    p.add_argument("--map", metavar="MAP.toml", help="the mapping (docs: Bring your data)")
    p.add_argument(
        "--redcap-dictionary",
        metavar="DD.csv",
        help="a REDCap data dictionary: decodes raw codes and checkbox columns",
    )
    p.add_argument("--sheet", metavar="NAME", help="the workbook's sheet (default: the first)")
    p.add_argument(
        "-o", "--output", metavar="PROFILES", help="the profile file to write (.csv or .json)"
    )
    p.add_argument(
        "--draft-map",
        metavar="MAP.toml",
        help="instead, write a first mapping from the source's headers and values, to check",
    )
