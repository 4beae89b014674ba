"""Reading profile files and writing outputs safely (SPEC §7).

Reading: CSV (header row, one profile per row) or JSON (a list of objects), chosen by the
file's extension. Every problem in a file is collected and raised together as one
:class:`~peermatch.errors.InputError`, each as ``FILE:ROW: FIELD: message`` where ``ROW`` is the
line a spreadsheet shows (header = 1, first profile = 2); for JSON it is the record's 1-based
position in the list. Inputs that can be normalised safely are accepted: a UTF-8 byte-order mark,
column names in any case or with spaces, mixed-case values, stray whitespace, blank lines.

Writing: CSV cells that a spreadsheet would read as a formula (starting with ``=``, ``+``,
``-``, ``@``, tab or carriage return) are prefixed with ``'``; quoting follows RFC 4180; every
file is written to a temporary file in the same folder and then renamed over the target, so a
reader never sees a partial file.

Limits: a profile file may hold at most :data:`MAX_FILE_BYTES` bytes (200 MB) and
:data:`MAX_ROWS` profiles (1,000,000).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import errno
import io
import json
import math
import os
import re
import stat
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from peermatch.errors import InputError, Problem
from peermatch.models import (
    PARTICIPANT_FIELDS,
    PEER_FIELDS,
    Participant,
    PeerLeader,
    problems_from_validation_error,
)

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "ProfileTable",
    "check_references",
    "csv_text",
    "neutralise",
    "profile_records",
    "read_participants",
    "read_peers",
    "read_table",
    "write_profiles",
    "write_text_atomic",
]

MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_ROWS = 1_000_000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_MAX_PROBLEMS_PER_FILE = 1000

P = TypeVar("P", Participant, PeerLeader)


@dataclass(frozen=True)
class ProfileTable(Generic[P]):
    """Profiles read from one file, with the row each came from."""

    path: str
    profiles: list[P]
    rows: dict[str, int] = field(default_factory=dict)


def _normal_column(name: str) -> str:
    return "_".join(name.strip().lstrip("\ufeff").lower().replace("-", " ").split())


def _problem_limit(problems: list[Problem], path: str) -> None:
    if len(problems) > _MAX_PROBLEMS_PER_FILE:
        extra = len(problems) - _MAX_PROBLEMS_PER_FILE
        del problems[_MAX_PROBLEMS_PER_FILE:]
        problems.append(Problem(path, None, None, f"... and {extra} more problems"))


def _size_text(n: int) -> str:
    for unit, size in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if n >= size:
            return f"{n / size:.1f}".removesuffix(".0") + f" {unit}"
    return f"{n} bytes"


def _too_large(label: str, size: int) -> InputError:
    return InputError(
        [
            Problem(
                label,
                None,
                None,
                f"the file is too large ({_size_text(size)}; the limit is "
                f"{_size_text(MAX_FILE_BYTES)}): split the cohort into smaller files",
            )
        ]
    )


def _read_bytes(path: Path, label: str) -> bytes:
    try:
        info = path.stat()
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "invalid file name"
        raise InputError([Problem(label, None, None, f"cannot read: {reason}")]) from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError([Problem(label, None, None, "is a folder, not a file")])
    if not stat.S_ISREG(info.st_mode):
        raise InputError([Problem(label, None, None, "is not a regular file")])
    if info.st_size > MAX_FILE_BYTES:
        raise _too_large(label, info.st_size)
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise InputError([Problem(label, None, None, f"cannot read: {exc.strerror}")]) from None
    if len(data) > MAX_FILE_BYTES:  # the file grew while being read
        raise _too_large(label, len(data))
    return data


_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
_WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")
_WORKBOOK_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods", ".numbers")
_SAVE_AS_UTF8 = "save it as UTF-8 (in a spreadsheet: Save As 'CSV UTF-8 (comma delimited)')"


def _encoding_problem(data: bytes) -> str | None:
    """Name the encoding of a file that is clearly not UTF-8 text, with the fix."""
    if data.startswith(_WORKBOOK_MAGIC):
        return (
            "this is a spreadsheet workbook (.xlsx, .xls or .ods), not CSV text; " + _SAVE_AS_UTF8
        )
    for bom, name in _WIDE_BOMS:
        if data.startswith(bom):
            return f"the file is {name} text (a spreadsheet's 'Unicode text'); {_SAVE_AS_UTF8}"
    head = data[:200]
    if len(head) >= 4 and head.count(0) * 3 >= len(head):
        return f"the file looks like UTF-16 text (every other byte is zero); {_SAVE_AS_UTF8}"
    return None


def _decode(data: bytes, label: str) -> str:
    wide = _encoding_problem(data)
    if wide is not None:
        raise InputError([Problem(label, None, None, wide)])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            [
                Problem(
                    label,
                    line,
                    None,
                    f"not UTF-8 text (byte 0x{data[exc.start]:02x}; the file probably uses a "
                    f"legacy encoding such as Windows-1252 or Latin-1); {_SAVE_AS_UTF8}",
                )
            ]
        ) from None
    if "\x00" in text:
        raise InputError([Problem(label, None, None, "binary content: expected a text file")])
    return text


def read_text_file(path: str | os.PathLike[str]) -> str:
    """Read a text input (UTF-8, with or without BOM) with the checks profile files get.

    A folder, a special file, a file over the size limit, a workbook, UTF-16 text, a legacy
    encoding or binary content is an :class:`InputError` that says what to do.
    """
    label = str(path)
    return _decode(_read_bytes(Path(path), label), label)


def _model_for(kind: str) -> tuple[type[Participant] | type[PeerLeader], tuple[str, ...]]:
    return (Participant, PARTICIPANT_FIELDS) if kind == "participant" else (PeerLeader, PEER_FIELDS)


def _unknown_column(name: str, kind: str, known: Sequence[str]) -> str:
    other = PEER_FIELDS if kind == "participant" else PARTICIPANT_FIELDS
    if name in other:
        mine = "participants" if kind == "participant" else "peer leaders"
        theirs = "peer leaders" if kind == "participant" else "participants"
        return f"unknown column {name!r}: it is a field of {theirs}, not of {mine}"
    close = get_close_matches(name, known, n=1)
    return f"unknown column {name!r}" + (f" — did you mean {close[0]!r}?" if close else "")


def _validate_rows(
    records: Iterable[tuple[int, dict[str, Any]]], kind: str, label: str
) -> tuple[list[Any], dict[str, int], list[Problem]]:
    model, known = _model_for(kind)
    profiles: list[Any] = []
    rows: dict[str, int] = {}
    problems: list[Problem] = []
    first_row: dict[str, int] = {}
    for row, data in records:
        raw_id = data.get("id")
        duplicate = False
        if isinstance(raw_id, str):
            key = raw_id.strip()
            if key in first_row:
                duplicate = True
                problems.append(
                    Problem(
                        label, row, "id", f"duplicate id {key!r} (first on row {first_row[key]})"
                    )
                )
            else:
                first_row[key] = row
        try:
            profile = model.model_validate(data)
        except ValidationError as exc:
            problems += problems_from_validation_error(exc, file=label, row=row, fields=known)
            continue
        if duplicate:
            continue
        rows[profile.id] = row
        profiles.append(profile)
        if len(problems) > _MAX_PROBLEMS_PER_FILE:
            break
    return profiles, rows, problems


def _looks_delimited(header_line: str, sep: str, known: Sequence[str]) -> bool:
    if sep not in header_line:
        return False

    def recognised(cells: list[str]) -> int:
        return sum(_normal_column(c.strip().strip('"')) in known for c in cells)

    by_sep = recognised(header_line.split(sep))
    return by_sep >= 2 and by_sep > recognised(header_line.split(","))


def _csv_error_text(exc: csv.Error) -> str:
    text = str(exc)
    if "unexpected end of data" in text:
        return "malformed CSV: a quoted cell that starts on this row is never closed (missing '\"')"
    if "expected after" in text:
        return (
            "malformed CSV: a quoted cell must end at a comma; write a quote inside a quoted "
            'cell as two quotes ("")'
        )
    if "field larger than field limit" in text:
        return f"malformed CSV: a cell is longer than {csv.field_size_limit()} characters"
    return f"malformed CSV: {text}"


def _read_csv(text: str, kind: str, label: str) -> ProfileTable[Any]:
    _, known = _model_for(kind)
    problems: list[Problem] = []
    sep_line = re.match(r"\s*sep=(.)\s*(\r\n|\n|\r)", text, flags=re.IGNORECASE)
    if sep_line:  # Excel's "sep=," line names the delimiter; a spreadsheet does not show it
        if sep_line.group(1) != ",":
            raise InputError(
                [
                    Problem(
                        label,
                        1,
                        None,
                        f"the file says its delimiter is {sep_line.group(1)!r}; save it "
                        "comma-separated (CSV) — inside a cell, ';' separates several values",
                    )
                ]
            )
        text = text[sep_line.end() :]
    first_line = next((ln for ln in text.splitlines() if ln.strip()), "")
    if _looks_delimited(first_line, ";", known):
        raise InputError(
            [
                Problem(
                    label,
                    1,
                    None,
                    "the file is semicolon-delimited; save it comma-separated (CSV) — inside a "
                    "cell, ';' separates several values",
                )
            ]
        )
    if _looks_delimited(first_line, "\t", known):
        raise InputError(
            [Problem(label, 1, None, "the file is tab-separated; save it comma-separated (CSV)")]
        )
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    header_row = 0
    header_key: list[str] = []
    records: list[tuple[int, dict[str, Any]]] = []
    columns: list[str | None] = []
    unnamed_used: dict[int, int] = {}
    # ROW is the row a spreadsheet shows: one per CSV record (a quoted cell may span several
    # lines), blank lines included.
    row = 0
    try:
        for cells in reader:
            row += 1
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                header, header_row = cells, row
                header_key = [_normal_column(c) for c in cells]
                columns = _header_columns(cells, kind, known, label, row, problems)
                if all(c is None for c in columns):
                    raise InputError(
                        [
                            Problem(
                                label,
                                row,
                                None,
                                "no header row: the first line must name the columns "
                                f"(for example {', '.join(known[:4])}, ...)",
                            )
                        ]
                    )
                continue
            if len(records) >= MAX_ROWS:
                problems.append(Problem(label, row, None, f"more than {MAX_ROWS} profiles"))
                break
            if [_normal_column(c) for c in cells] == header_key:
                problems.append(
                    Problem(
                        label,
                        row,
                        None,
                        f"this row repeats the header row {header_row} (were two files joined?)",
                    )
                )
                continue
            extra = cells[len(header) :]
            if len(cells) < len(header) or any(c.strip() for c in extra):
                problems.append(
                    Problem(
                        label,
                        row,
                        None,
                        f"row has {len(cells)} cells but the header has {len(header)} columns",
                    )
                )
                continue
            for pos, (name, cell) in enumerate(zip(header, cells, strict=False), start=1):
                if not name.strip() and cell.strip():
                    unnamed_used.setdefault(pos, row)
            data = {
                col: cell.strip()
                for col, cell in zip(columns, cells, strict=False)
                if col is not None and cell.strip()
            }
            records.append((row, data))
    except csv.Error as exc:
        problems.append(Problem(label, row + 1, None, _csv_error_text(exc)))
    if header is None:
        if problems:
            raise InputError(problems)
        raise InputError(
            [Problem(label, None, None, "the file is empty: expected a header row and profiles")]
        )
    for pos, first in sorted(unnamed_used.items()):
        hint = " (a spreadsheet or pandas index? leave it out)" if pos == 1 else ""
        problems.append(
            Problem(
                label,
                first,
                None,
                f"column {pos} has no name in the header but holds values{hint}; "
                "name the column or delete it",
            )
        )
    if not records and not problems:
        problems.append(Problem(label, header_row, None, "the file has a header but no profiles"))
    profiles, rows, more = _validate_rows(records, kind, label)
    absent = {"id", "age", "languages"} - {c for c in columns if c}
    problems += [p for p in more if not (p.field in absent and p.row != header_row)]
    if problems:
        _problem_limit(problems, label)
        raise InputError(problems)
    return ProfileTable(label, profiles, rows)


def _header_columns(
    cells: list[str], kind: str, known: Sequence[str], label: str, row: int, problems: list[Problem]
) -> list[str | None]:
    columns: list[str | None] = []
    seen: dict[str, int] = {}
    recognised = 0
    for pos, raw in enumerate(cells, start=1):
        name = _normal_column(raw)
        if not name:
            columns.append(None)
            continue
        if name not in known:
            columns.append(None)
            continue
        recognised += 1
        if name in seen:
            problems.append(
                Problem(label, row, name, f"duplicate column (columns {seen[name]} and {pos})")
            )
            columns.append(None)
            continue
        seen[name] = pos
        columns.append(name)
    if recognised == 0:
        return columns
    for raw in cells:
        name = _normal_column(raw)
        if name and name not in known:
            problems.append(Problem(label, row, name, _unknown_column(name, kind, known)))
    for required in ("id", "age", "languages"):
        if required not in seen:
            problems.append(Problem(label, row, required, "required column is missing"))
    return columns


def _read_json(text: str, kind: str, label: str) -> ProfileTable[Any]:
    _, known = _model_for(kind)
    if not text.strip():
        raise InputError(
            [Problem(label, None, None, "the file is empty: expected a JSON list of profiles")]
        )
    try:
        # NaN, Infinity and over-long numbers become floats, reported with the record and
        # field named.
        data = json.loads(
            text,
            parse_constant=_JsonConstant.parse,
            parse_int=_json_int,
            object_pairs_hook=_json_object,
        )
    except json.JSONDecodeError as exc:
        raise InputError([Problem(label, exc.lineno, None, f"not valid JSON: {exc.msg}")]) from None
    except RecursionError:
        raise InputError(
            [Problem(label, None, None, "not valid profile JSON: lists or objects nested too deep")]
        ) from None
    if not isinstance(data, list):
        raise InputError(
            [
                Problem(
                    label,
                    None,
                    None,
                    f"expected a JSON list of objects, found {_json_type(data)}",
                )
            ]
        )
    if not data:
        raise InputError([Problem(label, None, None, "the list holds no profiles")])
    if len(data) > MAX_ROWS:
        raise InputError([Problem(label, None, None, f"more than {MAX_ROWS} profiles")])
    problems: list[Problem] = []
    records: list[tuple[int, dict[str, Any]]] = []
    non_finite: set[tuple[int, str]] = set()
    for pos, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            problems.append(
                Problem(label, pos, None, f"expected an object, found {_json_type(item)}")
            )
            continue
        clean: dict[str, Any] = {}
        for key in getattr(item, "duplicates", ()):
            problems.append(
                Problem(label, pos, _normal_column(key) or repr(key), "field given twice")
            )
        for key, value in item.items():
            name = _normal_column(key)
            if name not in known:
                problems.append(
                    Problem(
                        label,
                        pos,
                        name or repr(key),
                        _unknown_column(name, kind, known).replace("column", "field"),
                    )
                )
                continue
            if name in clean:
                problems.append(Problem(label, pos, name, "field given twice"))
                continue
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            for inner in getattr(value, "duplicates", ()):
                problems.append(Problem(label, pos, name, f"gives {inner!r} twice"))
            if isinstance(value, _JsonConstant):
                problems.append(
                    Problem(
                        label, pos, name, f"{value.name} is not allowed (numbers must be finite)"
                    )
                )
                non_finite.add((pos, name))
            clean[name] = value
        records.append((pos, clean))
    profiles, rows, more = _validate_rows(records, kind, label)
    problems += [p for p in more if (p.row, p.field) not in non_finite]
    if problems:
        _problem_limit(problems, label)
        raise InputError(problems)
    return ProfileTable(label, profiles, rows)


class _JsonConstant(float):
    """``NaN``, ``Infinity`` or ``-Infinity`` as written in a JSON file."""

    name: str = "NaN"

    @classmethod
    def parse(cls, name: str) -> _JsonConstant:
        value = cls(name)
        value.name = name
        return value


class _JsonObject(dict[str, Any]):
    """A JSON object that remembers the keys it gave more than once."""

    duplicates: tuple[str, ...] = ()


def _json_object(pairs: list[tuple[str, Any]]) -> _JsonObject:
    obj = _JsonObject(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        dups: list[str] = []
        for key, _ in pairs:
            if key in seen:
                dups.append(key)
            seen.add(key)
        obj.duplicates = tuple(dict.fromkeys(dups))
    return obj


def _json_int(text: str) -> int | float:
    # Integers too long for a profile become floats (out of range, or inf), which the
    # validators report; Python refuses to convert integers of more than 4300 digits.
    return int(text) if len(text) <= 20 else float(text)


def _json_type(value: object) -> str:
    names = ((dict, "an object"), (list, "a list"), (str, "a string"), (bool, "a boolean"))
    found = next((name for cls, name in names if isinstance(value, cls)), None)
    return found or ("null" if value is None else "a number")


def read_table(path: str | Path, kind: str) -> ProfileTable[Any]:
    """Read a participants (``kind="participant"``) or peers (``kind="peer"``) file.

    Raises
    ------
    InputError
        Listing every problem in the file.
    """
    p = Path(path)
    label = str(path)
    ext = p.suffix.lower()
    if kind not in ("participant", "peer"):
        raise ValueError(f"kind must be 'participant' or 'peer', not {kind!r}")
    if ext not in (".csv", ".json"):
        how = (
            "in the spreadsheet, Save As 'CSV UTF-8 (comma delimited)'"
            if ext in _WORKBOOK_EXTENSIONS
            else "save the profiles as .csv (comma-separated) or .json"
        )
        raise InputError(
            [Problem(label, None, None, f"unknown file type {ext or '(none)'!r}: {how}")]
        )
    text = _decode(_read_bytes(p, label), label)
    reader = _read_csv if ext == ".csv" else _read_json
    return reader(text, kind, label)


def read_participants(path: str | Path) -> list[Participant]:
    r"""Read and validate a participants file (CSV or JSON, by extension).

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    list of Participant
        In file order.

    Raises
    ------
    InputError
        Carrying every problem found, each as ``FILE:ROW: FIELD: message``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "p.csv").write_text("id,age,languages\nP1,40,en;fr\n")
    >>> [p.id for p in read_participants(d / "p.csv")]
    ['P1']
    >>> _ = (d / "bad.csv").write_text("id,age,langauges\nP1,forty,en\n")
    >>> try:
    ...     read_participants(d / "bad.csv")
    ... except InputError as err:
    ...     print(str(err).replace(str(d), "DIR"))
    DIR/bad.csv:1: langauges: unknown column 'langauges' — did you mean 'languages'?
    DIR/bad.csv:1: languages: required column is missing
    DIR/bad.csv:2: age: expected a whole number from 18 to 110, found 'forty'
    """
    return list(read_table(path, "participant").profiles)


def read_peers(path: str | Path) -> list[PeerLeader]:
    """Read and validate a peer leaders file (CSV or JSON, by extension).

    Raises
    ------
    InputError
        Carrying every problem found, each as ``FILE:ROW: FIELD: message``.
    """
    return list(read_table(path, "peer").profiles)


def check_references(
    participants: ProfileTable[Participant], peers: ProfileTable[PeerLeader]
) -> list[Problem]:
    """Cross-file checks: ``vetoes`` and ``preferred`` must name ids of the other file."""
    p_ids = {p.id for p in participants.profiles}
    l_ids = {x.id for x in peers.profiles}
    problems: list[Problem] = []

    def check(
        table: ProfileTable[Any], fld: str, own: set[str], other: set[str], other_file: str
    ) -> None:
        other_kind = "peer leader" if table is participants else "participant"
        for prof in table.profiles:
            ids = getattr(prof, fld) or ()
            for ref in sorted(ids) if isinstance(ids, frozenset) else ids:
                if ref in other:
                    continue
                row = table.rows.get(prof.id)
                if ref in own:
                    what = "participant" if table is participants else "peer leader"
                    msg = f"{ref!r} is a {what} id; {fld} lists {other_kind} ids"
                else:
                    close = get_close_matches(ref, sorted(other), n=1)
                    hint = f" — did you mean {close[0]!r}?" if close else ""
                    msg = f"{ref!r} is not a {other_kind} id in {other_file}{hint}"
                problems.append(Problem(table.path, row, fld, msg))

    check(participants, "vetoes", p_ids, l_ids, peers.path)
    check(participants, "preferred", p_ids, l_ids, peers.path)
    check(peers, "vetoes", l_ids, p_ids, participants.path)
    return problems


# -- writing --------------------------------------------------------------------------------


def neutralise(cell: str) -> str:
    """Defuse a cell a spreadsheet would run as a formula (OWASP CSV injection).

    Examples
    --------
    >>> neutralise("=HYPERLINK(1)"), neutralise("plain")
    ("'=HYPERLINK(1)", 'plain')
    """
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        return repr(value)
    if isinstance(value, int):  # a number, not a formula, even when negative
        return str(value)
    return neutralise(str(value))


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """RFC 4180 CSV text (CRLF line ends, minimal quoting) with neutralised cells."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return buf.getvalue()


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write UTF-8 text to ``path`` via a temporary file and an atomic rename.

    A symbolic link is followed: the file it points to is replaced, the link stays. A device,
    pipe or socket (``/dev/stdout``, a named pipe) cannot be renamed over, so it is written
    to directly.
    """
    target = Path(path)
    if target.is_symlink() or target.exists():
        target = Path(os.path.realpath(target))
        if target.exists() and not target.is_file():
            if target.is_dir():
                raise IsADirectoryError(errno.EISDIR, "is a folder", str(path))
            with target.open("w", encoding="utf-8", newline="") as fh:
                fh.write(text)
            return
    directory = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _profile_cell(value: object) -> object:
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    if isinstance(value, dict):
        return ";".join(f"{k}:{v}" for k, v in value.items())
    return value


def profile_records(profiles: Sequence[BaseModel]) -> tuple[list[str], list[list[object]]]:
    """Header and rows of a profile CSV (sets joined with ``;``, maps as ``key:value``)."""
    if not profiles:
        return [], []
    header = list(type(profiles[0]).model_fields)
    rows = []
    for prof in profiles:
        data = prof.model_dump(mode="json")
        rows.append([_profile_cell(data[h]) for h in header])
    return header, rows


def write_profiles(path: str | Path, profiles: Sequence[BaseModel]) -> None:
    """Write profiles as CSV or JSON (by extension), atomically."""
    target = Path(path)
    if target.suffix.lower() == ".json":
        data = [p.model_dump(mode="json", exclude_none=True) for p in profiles]
        write_text_atomic(target, json.dumps(data, indent=1, ensure_ascii=False) + "\n")
        return
    header, rows = profile_records(profiles)
    write_text_atomic(target, csv_text(header, rows))
