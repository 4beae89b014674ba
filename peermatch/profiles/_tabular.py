"""Profiles from tables of any source (internal): cells, row labels, validation, grouped problems.

Every reader that is not the plain CSV or JSON reader (a workbook, a pandas DataFrame, a file
read through a mapping) turns its source into a :class:`SourceTable`: the header as written and,
per record, the row a person finds it by (a spreadsheet's row number, a DataFrame's row label)
and its cells as text. Cells are made text the way a CSV file would hold them, so a workbook or
a DataFrame reads exactly like the same data saved as CSV: ``NaN``, ``None``, ``pd.NA`` and
empty cells are "not given", ``40.0`` is ``40``, dates are ISO text (which the number fields
recognise and report as dates).

:func:`validate_records` validates records with the profile models and reports duplicate ids;
:func:`row_problems` turns per-row problems into :class:`~peermatch.errors.Problem` records,
grouping a problem that repeats down a column into one line that names the rows.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from peermatch._core.files import normal_column
from peermatch._core.text import did_you_mean
from peermatch.errors import MAX_LISTED_PROBLEMS, InputError, MoreProblems, Problem
from peermatch.profiles._models import (
    PARTICIPANT_FIELDS,
    PEER_FIELDS,
    Participant,
    PeerLeader,
    problems_from_validation_error,
)

__all__ = [
    "REQUIRED",
    "RowRef",
    "SourceTable",
    "cell_text",
    "frame_profiles",
    "frame_table",
    "identity_columns",
    "is_frame",
    "model_for",
    "row_problems",
    "validate_records",
]

#: The row a person finds a record by: a spreadsheet's row number or a DataFrame's row label.
RowRef = int | str
#: One problem of one row (None: the header or the whole table), field, message.
RowProblem = tuple[RowRef | None, str | None, str]
#: Fields every profile must give.
REQUIRED = ("id", "age", "languages")
#: Most rows named in a grouped problem; the rest are counted.
_ROWS_SHOWN = 10
_MISSING = "required, but missing or empty"


@dataclass(frozen=True)
class SourceTable:
    """A source's header and records, cells as text.

    Attributes
    ----------
    label : str
        The source as named in problems (a file name, ``participants DataFrame``).
    header : tuple of str
        The column names as written.
    header_row : int or None
        The header's row (None for a DataFrame).
    rows : list of (RowRef, tuple)
        Per record, its row and one cell per column: None (not given), text, or a list of
        texts (a DataFrame or JSON list).
    """

    label: str
    header: tuple[str, ...]
    header_row: int | None
    rows: list[tuple[RowRef, tuple[Any, ...]]]


def model_for(kind: str) -> tuple[type[Participant] | type[PeerLeader], tuple[str, ...]]:
    """The model and fields of ``kind`` (``participant`` or ``peer``)."""
    return (Participant, PARTICIPANT_FIELDS) if kind == "participant" else (PeerLeader, PEER_FIELDS)


def is_frame(obj: object) -> bool:
    """Whether ``obj`` is a pandas DataFrame (pandas is never imported for this)."""
    pandas = sys.modules.get("pandas")
    return pandas is not None and isinstance(obj, pandas.DataFrame)


def _not_given(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    pandas = sys.modules.get("pandas")
    if pandas is not None and (value is pandas.NA or value is pandas.NaT):
        return True
    try:  # numpy and pandas missing-value scalars
        return bool(value != value)
    except (TypeError, ValueError):
        return False


def cell_text(value: object) -> Any:
    """A cell as a CSV file would hold it: None (not given), text, or a list of texts.

    Examples
    --------
    >>> cell_text(40.0), cell_text(7.25), cell_text("  en "), cell_text(float("nan"))
    ('40', '7.25', 'en', None)
    >>> import datetime
    >>> cell_text(datetime.date(1965, 3, 14)), cell_text(True), cell_text(["en", None, "fr"])
    ('1965-03-14', 'true', ['en', 'fr'])
    """
    if isinstance(value, list | tuple | set | frozenset):
        items = [cell_text(v) for v in value]
        out = [v for v in items if isinstance(v, str)]
        return sorted(out) if isinstance(value, set | frozenset) else out
    if _not_given(value):
        return None
    if isinstance(value, str):
        return value.strip() or None
    if hasattr(value, "item") and not isinstance(value, dt.date):  # numpy scalars
        value = value.item()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value) and abs(value) < 2**53:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).strip() or None


def frame_table(frame: Any, label: str) -> SourceTable:
    """A pandas DataFrame as a :class:`SourceTable`; rows are named by their index label."""
    header = tuple(str(c) for c in frame.columns)
    rows: list[tuple[RowRef, tuple[Any, ...]]] = []
    for ref, values in zip(frame.index, frame.itertuples(index=False, name=None), strict=True):
        rows.append((_ref(ref), tuple(cell_text(v) for v in values)))
    return SourceTable(label, header, None, rows)


def _ref(label: object) -> RowRef:
    if hasattr(label, "item"):
        label = label.item()
    if isinstance(label, int) and not isinstance(label, bool):
        return label
    return str(label)


def _unknown_column(name: str, kind: str, known: Sequence[str]) -> str:
    other = PEER_FIELDS if kind == "participant" else PARTICIPANT_FIELDS
    if name in other:
        mine = "participants" if kind == "participant" else "peer leaders"
        theirs = "peer leaders" if kind == "participant" else "participants"
        return f"unknown column {name!r}: it is a field of {theirs}, not of {mine}"
    return f"unknown column {name!r}" + did_you_mean(name, known)


def identity_columns(
    header: Sequence[str], kind: str, label: str, row: int | None
) -> tuple[list[str | None], list[Problem]]:
    """The field of each column when the columns are named after the fields.

    The same rules as a CSV profile file: names in any case, with spaces or dashes; unknown
    columns, a column given twice and a missing required column are problems.
    """
    _, known = model_for(kind)
    columns: list[str | None] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for pos, raw in enumerate(header, start=1):
        name = normal_column(raw)
        if not name:
            columns.append(None)
        elif name not in known:
            problems.append(Problem(label, row, name, _unknown_column(name, kind, known)))
            columns.append(None)
        elif name in seen:
            problems.append(
                Problem(label, row, name, f"duplicate column (columns {seen[name]} and {pos})")
            )
            columns.append(None)
        else:
            seen[name] = pos
            columns.append(name)
    if not seen:
        example = ", ".join(known[:4])
        raise InputError(
            [Problem(label, row, None, f"no column names a profile field (for example {example})")]
        )
    for required in REQUIRED:
        if required not in seen:
            problems.append(Problem(label, row, required, "required column is missing"))
    return columns, problems


def validate_records(
    records: Iterable[tuple[RowRef, dict[str, Any]]], kind: str
) -> tuple[list[Any], dict[str, RowRef], list[RowProblem]]:
    """Validate records with the profile model; duplicate ids are problems of their row."""
    model, known = model_for(kind)
    profiles: list[Any] = []
    rows: dict[str, RowRef] = {}
    problems: list[RowProblem] = []
    first: dict[str, RowRef] = {}
    for ref, data in records:
        raw_id = data.get("id")
        duplicate = False
        if isinstance(raw_id, str):
            key = raw_id.strip()
            if key in first:
                duplicate = True
                where = _row_text(first[key])
                problems.append((ref, "id", f"duplicate id {key!r} (first on {where})"))
            else:
                first[key] = ref
        try:
            profile = model.model_validate(data)
        except ValidationError as exc:
            for p in problems_from_validation_error(exc, file=None, row=None, fields=known):
                problems.append((ref, p.field, p.message))
            continue
        if not duplicate:
            rows[profile.id] = ref
            profiles.append(profile)
    return profiles, rows, problems


def _row_text(ref: RowRef) -> str:
    return f"row {ref}" if isinstance(ref, int) else f"row {ref!r}"


def _rows_text(refs: Sequence[RowRef], total: int | None = None) -> str:
    shown = ", ".join(str(r) if isinstance(r, int) else repr(r) for r in refs[:_ROWS_SHOWN])
    more = (len(refs) if total is None else total) - min(len(refs), _ROWS_SHOWN)
    return shown + (f" and {more:,} more" if more > 0 else "")


class RowProblems:
    """Per-row problems grouped as they come: one line per problem and column.

    Memory stays bounded whatever the number of rows: a group keeps its first rows and a
    count, and at most ``max_groups`` groups are kept; problems beyond them are counted and
    reported as ``... and N more problems``.
    """

    def __init__(self, max_groups: int = 2 * MAX_LISTED_PROBLEMS) -> None:
        self.max_groups = max_groups
        self.groups: dict[tuple[str | None, str], tuple[list[RowRef], list[int], bool]] = {}
        self.dropped = 0

    def add(self, ref: RowRef | None, field: str | None, message: str) -> None:
        """Record one problem of one row (``ref`` None: of the whole table)."""
        key = (field, message)
        group = self.groups.get(key)
        if group is None:
            if len(self.groups) >= self.max_groups:
                self.dropped += 1
                return
            group = self.groups[key] = ([], [0], False)
        refs, total, _ = group
        if ref is None:
            self.groups[key] = (refs, total, True)
            return
        if not refs or refs[-1] != ref:
            total[0] += 1
            if len(refs) < _ROWS_SHOWN:
                refs.append(ref)

    def problems(self, label: str, n_rows: int | None = None) -> list[Problem]:
        """The grouped problems, then a count of those left out (if any)."""
        out: list[Problem] = []
        for (field, message), (refs, total, whole) in self.groups.items():
            if whole:
                out.append(Problem(label, None, field, message))
            if total[0] == 1:
                out.append(_at(label, refs[0], field, message))
            elif total[0] > 1:
                if message == _MISSING and n_rows is not None and total[0] == n_rows:
                    out.append(Problem(label, None, field, f"column is empty on all {n_rows} rows"))
                else:
                    rows = _rows_text(refs, total[0])
                    out.append(Problem(label, None, field, f"{message} (on rows {rows})"))
        if self.dropped:
            out.append(MoreProblems.of(self.dropped))
        return out


def row_problems(
    label: str, items: Iterable[RowProblem], n_rows: int | None = None
) -> list[Problem]:
    """Problems from per-row items; the same problem in the same column becomes one line.

    A problem that repeats on several rows is reported once, naming the rows (the first
    few, then a count); a required column empty on every row says so.

    Examples
    --------
    >>> items = [(r, "age", "required, but missing or empty") for r in range(2, 122)]
    >>> [str(p) for p in row_problems("p.csv", items, n_rows=120)]
    ['p.csv: age: column is empty on all 120 rows']
    >>> items = [(3, "sex", "'x' is not valid"), (9, "sex", "'x' is not valid"), (4, None, "bad")]
    >>> [str(p) for p in row_problems("p.csv", items)]
    ["p.csv: sex: 'x' is not valid (on rows 3, 9)", 'p.csv:4: bad']
    """
    grouped = RowProblems()
    for ref, field, message in items:
        grouped.add(ref, field, message)
    return grouped.problems(label, n_rows)


def _at(label: str, ref: RowRef, field: str | None, message: str) -> Problem:
    if isinstance(ref, int):
        return Problem(label, ref, field, message)
    return Problem(f"{label}[{ref!r}]", None, field, message)


def frame_profiles(frame: Any, kind: str, label: str) -> list[Any]:
    """Validated profiles from a DataFrame whose columns are named after the fields.

    ``NaN``, ``None`` and ``pd.NA`` are "not given"; problems name the row label.

    Raises
    ------
    InputError
        Listing every problem of the frame.
    """
    table = frame_table(frame, label)
    return table_profiles(table, kind)[0]


def table_profiles(table: SourceTable, kind: str) -> tuple[list[Any], dict[str, RowRef]]:
    """Validated profiles from a table whose columns are named after the fields."""
    columns, problems = identity_columns(table.header, kind, table.label, table.header_row)
    if not table.rows:
        problems.append(
            Problem(table.label, table.header_row, None, "the table has a header but no profiles")
        )
    absent = {f for f in REQUIRED if f not in columns}
    records = [
        (ref, {f: v for f, v in zip(columns, cells, strict=True) if f is not None and v})
        for ref, cells in table.rows
    ]
    profiles, rows, items = validate_records(records, kind)
    items = [i for i in items if i[1] not in absent]
    problems += row_problems(table.label, items, len(table.rows))
    if problems:
        raise InputError(problems)
    return profiles, rows
