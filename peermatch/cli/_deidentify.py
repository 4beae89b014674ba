"""``deidentify`` and the pseudonym key shared with ``match --deidentify``."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from peermatch.cli._common import (
    EXIT_OK,
    Adder,
    UsageError,
    add_inputs,
    check_name,
    read_inputs,
    same_file,
    write_failure,
    write_outputs,
)

if TYPE_CHECKING:
    from peermatch.io._deidentify import Pseudonymiser


def check_key_file(key_file: str | None, others: Sequence[str | None], folder: Path | None) -> None:
    if key_file is None:
        return
    check_name(key_file, "--key-file")
    for path in others:
        if path and same_file(key_file, path):
            raise UsageError(f"--key-file {key_file!r} is also an input or output file")
    if folder is not None and Path(key_file).resolve().is_relative_to(folder.resolve()):
        raise UsageError(
            f"--key-file {key_file!r} is inside the export folder {str(folder)!r}; keep the key "
            "apart from the data it protects"
        )
    if Path(key_file).is_dir():
        raise UsageError(f"--key-file {key_file!r} is a folder")


def pseudonymiser(args: argparse.Namespace, err: TextIO) -> Pseudonymiser:
    from peermatch.io._deidentify import Pseudonymiser, read_or_create_key

    if not args.key_file:
        err.write(
            "note: no --key-file, so the pseudonyms use a random key that is not kept: they "
            "cannot be linked to any other export\n"
        )
        return Pseudonymiser()
    try:
        key, created = read_or_create_key(args.key_file)
    except OSError as exc:
        raise UsageError(write_failure(exc)) from None
    if created:
        err.write(
            f"created a new key in {args.key_file} (readable only by you): keep it secret and "
            "apart from the export; the same key gives the same pseudonyms\n"
        )
    return Pseudonymiser(key)


def add_deidentify_options(p: argparse.ArgumentParser, *, flag: bool = True) -> None:
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


def cmd_deidentify(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from peermatch.io._deidentify import deidentified_profiles_csv, deidentify_profiles

    folder = Path(args.out)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"--out {args.out!r} is a file, not a folder")
    targets = [folder / "participants.csv", folder / "peers.csv"]
    for target in targets:
        for path in (args.participants, args.peers):
            if same_file(str(target), path):
                raise UsageError(f"the output {str(target)!r} is one of the input files")
    existing = [str(t) for t in targets if t.exists()]
    if existing and not args.force:
        raise UsageError(
            f"{', '.join(existing)} already exist{'s' if len(existing) == 1 else ''}; "
            "choose another --out folder or pass --force to replace them"
        )
    check_key_file(args.key_file, [args.participants, args.peers], folder)
    cohort = read_inputs(args, config=False)
    pseudo = pseudonymiser(args, err)
    texts = [
        deidentified_profiles_csv(
            deidentify_profiles(cohort.participants.profiles, "participant", pseudo)
        ),
        deidentified_profiles_csv(deidentify_profiles(cohort.peers.profiles, "peer", pseudo)),
    ]
    made = [] if folder.exists() else [folder, *(p for p in folder.parents if not p.exists())]
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create {args.out!r}: {exc.strerror or exc}") from None
    try:
        write_outputs(list(zip(targets, texts, strict=True)))
    except BaseException:
        for created in made:  # leave no empty folder behind
            with contextlib.suppress(OSError):
                created.rmdir()
        raise
    err.write(
        f"wrote de-identified profiles of {len(cohort.participants.profiles)} participants and "
        f"{len(cohort.peers.profiles)} peer leaders to {targets[0]} and {targets[1]}\n"
    )
    return EXIT_OK


def register(add: Adder) -> None:
    """Add the parsers of these commands."""
    p = add(
        "deidentify",
        cmd_deidentify,
        "write de-identified profiles for research sharing (banded ages and HbA1c, "
        "pseudonymous ids, no free text)",
        "peermatch deidentify participants.csv peers.csv --out shared --key-file ~/peermatch.key",
    )
    add_inputs(p)
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")
    add_deidentify_options(p, flag=False)
    p.add_argument("--force", action="store_true", help="replace existing files in DIR")
