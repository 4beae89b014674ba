"""Sources of profiles as tables (internal): CSV, JSON and Excel files, pandas DataFrames.

:func:`load_source` turns any source into a :class:`~peermatch.profiles._tabular.SourceTable`
(header as written, records with the row a person finds them by, cells as text). Columns the
mapping drops are never read into the table.

Workbooks (``.xlsx``, ``.xlsm``) are read with python-calamine, the optional ``excel`` extra:
on a 20,000-row, 25-column sheet it read every cell about 12 times faster than openpyxl in
read-only mode (``benchmarks/bench_xlsx.py``; ``docs/bring-your-data.md``).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from peermatch._core.files import (
    MAX_ROWS,
    WORKBOOK_EXTENSIONS,
    decode_text,
    normal_column,
    read_bytes,
    read_csv_table,
)
from peermatch._core.optional import require
from peermatch._core.text import shown
from peermatch.errors import InputError, Problem
from peermatch.profiles._tabular import RowRef, SourceTable, cell_text, frame_table, is_frame

__all__ = ["EXCEL_EXTENSIONS", "SOURCE_EXTENSIONS", "load_source", "source_label"]

#: Workbook extensions read directly (with the ``excel`` extra).
EXCEL_EXTENSIONS = (".xlsx", ".xlsm")
#: Every file extension a source may have.
SOURCE_EXTENSIONS = (".csv", ".json", *EXCEL_EXTENSIONS)

#: ``dropped(column)``: whether a source column is dropped unread.
Dropped = Callable[[str], bool]


def source_label(source: object, kind: str) -> str:
    """How problems name a source: the file, or ``participants DataFrame``."""
    if is_frame(source):
        return f"{'participants' if kind == 'participant' else 'peers'} DataFrame"
    return str(source)


def load_source(
    source: Any,
    kind: str,
    *,
    dropped: Dropped = lambda _: False,
    known: Sequence[str] = (),
    sheet: str | None = None,
) -> SourceTable:
    """Read a source's header and records.

    Parameters
    ----------
    source : path or DataFrame
    kind : {"participant", "peer"}
    dropped : callable
        Columns for which it returns True are never read.
    known : sequence of str
        Column names expected in the header (to recognise a semicolon- or tab-separated CSV).
    sheet : str, optional
        The workbook's sheet (default: the first).

    Raises
    ------
    InputError
        A source that cannot be read as a table at all.
    """
    label = source_label(source, kind)
    if is_frame(source):
        if sheet is not None:
            raise InputError([Problem(label, None, "sheet", "a DataFrame has no sheets")])
        keep = [i for i, c in enumerate(source.columns) if not dropped(str(c))]
        return frame_table(source.iloc[:, keep], label)
    if not isinstance(source, str | Path):
        raise InputError(
            [
                Problem(
                    None,
                    None,
                    None,
                    f"expected a file name or a pandas DataFrame, found {shown(source)}",
                )
            ]
        )
    path = Path(source)
    ext = path.suffix.lower()
    if ext in EXCEL_EXTENSIONS:
        return _read_workbook(path, label, dropped, sheet)
    if sheet is not None:
        raise InputError([Problem(label, None, "sheet", f"a {ext or 'plain'} file has no sheets")])
    if ext == ".csv":
        return _read_csv(decode_text(read_bytes(path, label), label), label, dropped, known)
    if ext == ".json":
        return _read_json(decode_text(read_bytes(path, label), label), label, dropped)
    how = (
        "save the workbook as .xlsx, or Save As 'CSV UTF-8 (comma delimited)'"
        if ext in WORKBOOK_EXTENSIONS
        else "save the profiles as .csv (comma-separated), .json or .xlsx"
    )
    raise InputError([Problem(label, None, None, f"unknown file type {ext or '(none)'!r}: {how}")])


def _read_csv(text: str, label: str, dropped: Dropped, known: Sequence[str]) -> SourceTable:
    problems: list[Problem] = []
    header: list[str] = []  # the columns kept

    def map_header(cells: list[str], row: int, found: list[Problem]) -> list[str | None]:
        keys: list[str | None] = []
        for c in cells:
            keys.append(None if dropped(c) else str(len(header)))
            if not dropped(c):
                header.append(c)
        return keys

    table = read_csv_table(
        text, label, known=known, map_header=map_header, problems=problems, what="profiles"
    )
    if problems:
        raise InputError(problems)
    keys = [str(pos) for pos in range(len(header))]
    rows: list[tuple[RowRef, tuple[Any, ...]]] = [
        (row, tuple(map(cells.get, keys))) for row, cells in table.rows
    ]
    return SourceTable(label, tuple(header), table.header_row, rows)


def _read_json(text: str, label: str, dropped: Dropped) -> SourceTable:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError([Problem(label, exc.lineno, None, f"not valid JSON: {exc.msg}")]) from None
    except RecursionError:
        raise InputError([Problem(label, None, None, "lists or objects nested too deep")]) from None
    if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
        raise InputError([Problem(label, None, None, "expected a JSON list of objects")])
    if len(data) > MAX_ROWS:
        raise InputError([Problem(label, None, None, f"more than {MAX_ROWS} profiles")])
    header = list(dict.fromkeys(str(k) for d in data for k in d if not dropped(str(k))))
    rows: list[tuple[RowRef, tuple[Any, ...]]] = [
        (pos, tuple(cell_text(d.get(h)) for h in header)) for pos, d in enumerate(data, start=1)
    ]
    return SourceTable(label, tuple(header), None, rows)


def _read_workbook(path: Path, label: str, dropped: Dropped, sheet: str | None) -> SourceTable:
    data = read_bytes(path, label)  # the size and file checks of every input
    if not data.startswith(b"PK\x03\x04"):
        raise InputError(
            [Problem(label, None, None, "not a readable .xlsx workbook (the file is not a zip)")]
        )
    calamine = require("python_calamine", extra="excel", purpose=f"reading {path.suffix} files")
    try:
        book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(book.sheet_names)
    except Exception:  # calamine raises its own error types for broken workbooks
        raise InputError(
            [
                Problem(
                    label,
                    None,
                    None,
                    "not a readable .xlsx workbook (damaged, or another format saved as .xlsx)",
                )
            ]
        ) from None
    if sheet is None:
        if not names:
            raise InputError([Problem(label, None, None, "the workbook has no sheets")])
        name = names[0]
    else:
        found = [n for n in names if n == sheet] or [
            n for n in names if normal_column(n) == normal_column(sheet)
        ]
        if not found:
            listed = ", ".join(repr(n) for n in names)
            raise InputError(
                [Problem(label, None, "sheet", f"no sheet {sheet!r}; the sheets are {listed}")]
            )
        name = found[0]
    try:
        cells: list[list[Any]] = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception as exc:
        raise InputError(
            [Problem(label, None, None, f"sheet {name!r} cannot be read ({type(exc).__name__})")]
        ) from None
    where = label if sheet is None else f"{label}[{name}]"
    header_at = next((i for i, r in enumerate(cells) if any(cell_text(c) for c in r)), None)
    if header_at is None:
        raise InputError([Problem(where, None, None, f"sheet {name!r} is empty")])
    raw_header = [cell_text(c) or "" for c in cells[header_at]]
    keep = [i for i, h in enumerate(raw_header) if not dropped(h)]
    rows: list[tuple[RowRef, tuple[Any, ...]]] = []
    problems: list[Problem] = []
    for i in range(header_at + 1, len(cells)):
        line = cells[i]
        values = tuple(cell_text(line[k]) if k < len(line) else None for k in keep)
        if not any(values):
            continue
        if len(rows) >= MAX_ROWS:
            problems.append(Problem(where, i + 1, None, f"more than {MAX_ROWS} profiles"))
            break
        rows.append((i + 1, values))
    for k in range(len(raw_header)):
        if not raw_header[k] and k in keep:
            first = next((int(r) for r, v in rows if v[keep.index(k)]), None)
            if first is not None:
                problems.append(
                    Problem(
                        where,
                        first,
                        None,
                        f"column {k + 1} has no name in the header but holds values; "
                        "name the column or delete it",
                    )
                )
    if problems:
        raise InputError(problems)
    header = tuple(raw_header[k] for k in keep)
    return SourceTable(where, header, header_at + 1, rows)
