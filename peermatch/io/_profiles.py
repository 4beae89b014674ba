"""Reading and writing profile files.

Reading: CSV (header row, one profile per row) or JSON (a list of objects), chosen by the
file's extension. Every problem in a file is collected and raised together as one
:class:`~peermatch.errors.InputError`, each as ``FILE:ROW: FIELD: message`` where ``ROW`` is the
line a spreadsheet shows (header = 1, first profile = 2); for JSON it is the record's 1-based
position in the list. Inputs that can be normalised safely are accepted: a UTF-8 byte-order mark,
column names in any case or with spaces, mixed-case values, stray whitespace, blank lines.
A profile file may hold at most ``MAX_FILE_BYTES`` bytes (200 MB) and ``MAX_ROWS`` profiles
(1,000,000).

Writing: atomic, with the formula neutralising and quoting of every CSV peermatch writes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar

import numpy as np
from pydantic import BaseModel, ValidationError

from peermatch._core.files import (
    MAX_FILE_BYTES,
    MAX_PROBLEMS,
    MAX_ROWS,
    WORKBOOK_EXTENSIONS,
    csv_text,
    decode_text,
    normal_column,
    problem_limit,
    read_bytes,
    read_csv_table,
    write_text_atomic,
)
from peermatch._core.text import cut, did_you_mean, shown
from peermatch.errors import InputError, MoreProblems, Problem
from peermatch.profiles._demo import generate_cohort
from peermatch.profiles._models import (
    PARTICIPANT_FIELDS,
    PEER_FIELDS,
    Participant,
    PeerLeader,
    problems_from_validation_error,
)
from peermatch.profiles._tabular import RowProblems

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "ProfileTable",
    "check_references",
    "profile_records",
    "read_table",
    "write_cohort",
    "write_profiles",
]

P = TypeVar("P", Participant, PeerLeader)


@dataclass(frozen=True)
class ProfileTable(Generic[P]):
    """Profiles read from one file, with the row each came from."""

    path: str
    profiles: list[P]
    rows: dict[str, int] = field(default_factory=dict)


def _model_for(kind: str) -> tuple[type[Participant] | type[PeerLeader], tuple[str, ...]]:
    return (Participant, PARTICIPANT_FIELDS) if kind == "participant" else (PeerLeader, PEER_FIELDS)


def _unknown_column(name: str, kind: str, known: Sequence[str]) -> str:
    other = PEER_FIELDS if kind == "participant" else PARTICIPANT_FIELDS
    if name in other:
        mine = "participants" if kind == "participant" else "peer leaders"
        theirs = "peer leaders" if kind == "participant" else "participants"
        return f"unknown column {name!r}: it is a field of {theirs}, not of {mine}"
    return f"unknown column {shown(name)}" + did_you_mean(name, known)


def _validate_rows(
    records: Iterable[tuple[int, dict[str, Any]]],
    kind: str,
    label: str,
    keep: Callable[[Problem], bool] = lambda p: True,
) -> tuple[list[Any], dict[str, int], RowProblems]:
    """Validate records; the problems ``keep`` accepts are grouped by column as they come."""
    model, known = _model_for(kind)
    profiles: list[Any] = []
    rows: dict[str, int] = {}
    grouped = RowProblems()
    first_row: dict[str, int] = {}
    for row, data in records:
        raw_id = data.get("id")
        duplicate = False
        if isinstance(raw_id, str):
            key = raw_id.strip()
            if key in first_row:
                duplicate = True
                grouped.add(row, "id", f"duplicate id {shown(key)} (first on row {first_row[key]})")
            else:
                first_row[key] = row
        try:
            profile = model.model_validate(data)
        except ValidationError as exc:
            for p in problems_from_validation_error(exc, file=label, row=row, fields=known):
                if keep(p):
                    grouped.add(p.row, p.field, p.message)
            continue
        if duplicate:
            continue
        rows[profile.id] = row
        profiles.append(profile)
    return profiles, rows, grouped


def _read_csv(text: str, kind: str, label: str) -> ProfileTable[Any]:
    _, known = _model_for(kind)
    problems: list[Problem] = []

    def map_header(cells: list[str], row: int, found: list[Problem]) -> list[str | None]:
        return _header_columns(cells, kind, known, label, row, found)

    table = read_csv_table(
        text, label, known=known, map_header=map_header, problems=problems, what="profiles"
    )
    if not table.rows and not problems:
        problems.append(
            Problem(label, table.header_row, None, "the file has a header but no profiles")
        )
    records: list[tuple[int, dict[str, Any]]] = list(table.rows)
    absent = {"id", "age", "languages"} - {c for c in table.columns if c}

    def keep(p: Problem) -> bool:  # a missing required column is reported once, on the header
        return not (p.field in absent and p.row != table.header_row)

    profiles, rows, grouped = _validate_rows(records, kind, label, keep)
    problems += grouped.problems(label, len(records))
    if problems:
        problem_limit(problems)
        raise InputError(problems)
    return ProfileTable(label, profiles, rows)


def _header_columns(
    cells: list[str], kind: str, known: Sequence[str], label: str, row: int, problems: list[Problem]
) -> list[str | None]:
    columns: list[str | None] = []
    seen: dict[str, int] = {}
    recognised = 0
    for pos, raw in enumerate(cells, start=1):
        name = normal_column(raw)
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
    for raw in cells:
        name = normal_column(raw)
        if name and name not in known:
            problems.append(Problem(label, row, cut(name), _unknown_column(name, kind, known)))
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
    unknown = 0  # unknown fields seen
    for pos, item in enumerate(data, start=1):
        if len(problems) > 2 * MAX_PROBLEMS:
            problem_limit(problems)  # keep memory bounded: list some, count the rest
        if not isinstance(item, dict):
            problems.append(
                Problem(label, pos, None, f"expected an object, found {_json_type(item)}")
            )
            continue
        clean: dict[str, Any] = {}
        for key in getattr(item, "duplicates", ()):
            problems.append(
                Problem(label, pos, cut(normal_column(key)) or shown(key), "field given twice")
            )
        for key, value in item.items():
            name = normal_column(key)
            if name not in known and unknown >= MAX_PROBLEMS:
                unknown += 1  # enough listed: count the rest without wording each
                continue
            if name not in known:
                unknown += 1
                problems.append(
                    Problem(
                        label,
                        pos,
                        cut(name) or shown(key),
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
                problems.append(Problem(label, pos, name, f"gives {shown(inner)} twice"))
            if isinstance(value, _JsonConstant):
                problems.append(
                    Problem(
                        label, pos, name, f"{value.name} is not allowed (numbers must be finite)"
                    )
                )
                non_finite.add((pos, name))
            clean[name] = value
        records.append((pos, clean))
    profiles, rows, grouped = _validate_rows(
        records, kind, label, lambda p: (p.row, p.field) not in non_finite
    )
    problems += grouped.problems(label, len(records))
    if unknown > MAX_PROBLEMS:
        problems.append(MoreProblems.of(unknown - MAX_PROBLEMS))
    if problems:
        problem_limit(problems)
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
            if ext in WORKBOOK_EXTENSIONS
            else "save the profiles as .csv (comma-separated) or .json"
        )
        raise InputError(
            [Problem(label, None, None, f"unknown file type {ext or '(none)'!r}: {how}")]
        )
    text = decode_text(read_bytes(p, label), label)
    reader = _read_csv if ext == ".csv" else _read_json
    return reader(text, kind, label)


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
                if len(problems) >= MAX_PROBLEMS:  # enough to list: count the rest
                    problems.append(MoreProblems.of(1))
                    continue
                row = table.rows.get(prof.id)
                if ref in own:
                    what = "participant" if table is participants else "peer leader"
                    msg = f"{ref!r} is a {what} id; {fld} lists {other_kind} ids"
                else:
                    hint = did_you_mean(ref, sorted(other))
                    msg = f"{ref!r} is not a {other_kind} id in {other_file}{hint}"
                problems.append(Problem(table.path, row, fld, msg))

    check(participants, "vetoes", p_ids, l_ids, peers.path)
    check(participants, "preferred", p_ids, l_ids, peers.path)
    check(peers, "vetoes", l_ids, p_ids, participants.path)
    return problems


# -- writing ------------------------------------------------------------------------------


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


def profiles_text(path: str | Path, profiles: Sequence[BaseModel]) -> str:
    """The text :func:`write_profiles` writes to ``path`` (CSV or JSON, by extension)."""
    if Path(path).suffix.lower() == ".json":
        data = [p.model_dump(mode="json", exclude_none=True) for p in profiles]
        return json.dumps(data, indent=1, ensure_ascii=False) + "\n"
    header, rows = profile_records(profiles)
    return csv_text(header, rows)


def write_profiles(path: str | Path, profiles: Sequence[BaseModel]) -> None:
    """Write profiles as CSV or JSON (by extension), atomically."""
    write_text_atomic(path, profiles_text(path, profiles))


def write_cohort(
    out_dir: str | Path,
    n_participants: int = 120,
    n_peers: int = 24,
    *,
    seed: int | np.random.SeedSequence | np.random.Generator | None = 0,
    fmt: Literal["csv", "json"] = "csv",
) -> tuple[Path, Path]:
    """Generate a synthetic cohort and write it as two files.

    Parameters
    ----------
    out_dir : str or Path
        Folder to write into; created (with parents) if missing. Existing files of the same
        names are replaced atomically.
    n_participants, n_peers : int
        Cohort size, as in :func:`generate_cohort`.
    seed : int, SeedSequence or Generator, keyword-only, default 0
        As in :func:`generate_cohort`; the same seed writes byte-identical files.
    fmt : {"csv", "json"}, keyword-only, default "csv"
        File format.

    Returns
    -------
    participants_path, peers_path : Path
        ``out_dir/participants.<fmt>`` and ``out_dir/peers.<fmt>``.

    Raises
    ------
    InputError
        If ``fmt`` is not ``csv`` or ``json``, or a count is out of range.
    OSError
        If the folder cannot be created or written.

    Examples
    --------
    >>> import tempfile
    >>> from peermatch import read_participants, read_peers
    >>> folder = tempfile.mkdtemp()
    >>> p_path, l_path = write_cohort(folder, 20, 4, seed=1)
    >>> p_path.name, l_path.name
    ('participants.csv', 'peers.csv')
    >>> len(read_participants(p_path)), len(read_peers(l_path))
    (20, 4)
    """
    if fmt not in ("csv", "json"):
        raise InputError([Problem(None, None, "fmt", f"expected one of: csv, json; found {fmt!r}")])
    participants, peers = generate_cohort(n_participants, n_peers, seed=seed)
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    p_path = folder / f"participants.{fmt}"
    l_path = folder / f"peers.{fmt}"
    write_profiles(p_path, participants)
    write_profiles(l_path, peers)
    return p_path, l_path
