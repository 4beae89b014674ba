"""Reading text inputs and writing outputs safely (internal).

Every text file peermatch reads (profiles, configurations, ended pairs, match files, histories,
keys) goes through :func:`read_text_file`: the size limit, the checks for folders, special
files, workbooks, UTF-16 and legacy encodings and binary content, and UTF-8 decoding with or
without a byte-order mark. Every CSV file goes through :func:`read_csv_table`, which finds the
header, maps its columns, and reports malformed rows with the row a spreadsheet shows
(header = 1, first data row = 2; a quoted cell spanning several lines is one row, blank lines
count).

Writing: CSV cells that a spreadsheet would read as a formula (starting with ``=``, ``+``,
``-``, ``@``, tab or carriage return) are prefixed with ``'``; quoting follows RFC 4180; every
file is written to a temporary file in the same folder and then renamed over the target, so a
reader never sees a partial file (:mod:`peermatch._core.commit`). Reading drops that ``'``
again (:func:`unneutralise`), as a spreadsheet does, so a file peermatch wrote reads back with
the values it holds.

Limits: a file may hold at most :data:`MAX_FILE_BYTES` bytes (200 MB) and :data:`MAX_ROWS`
rows (1,000,000); a CSV header at most :data:`MAX_COLUMNS` columns and
:data:`MAX_HEADER_CHARS` characters; a reader stops listing a file's problems after
:data:`MAX_PROBLEMS` (the whole report lists at most that many, see
:class:`~peermatch.errors.InputError`).
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import os
import re
import stat
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from peermatch._core.commit import write_files
from peermatch.errors import MAX_LISTED_PROBLEMS, InputError, MoreProblems, Problem

__all__ = [
    "MAX_COLUMNS",
    "MAX_FILE_BYTES",
    "MAX_HEADER_CHARS",
    "MAX_PROBLEMS",
    "MAX_ROWS",
    "WORKBOOK_EXTENSIONS",
    "CsvTable",
    "csv_text",
    "decode_text",
    "neutralise",
    "normal_column",
    "problem_limit",
    "read_bytes",
    "read_csv_table",
    "read_text_file",
    "unneutralise",
    "write_text_atomic",
]

#: Largest input file read, in bytes.
MAX_FILE_BYTES = 200 * 1024 * 1024
#: Most data rows (profiles, pairs) one file may hold.
MAX_ROWS = 1_000_000
#: Most problems listed in one report (all files together); the rest are counted in a last line.
MAX_PROBLEMS = MAX_LISTED_PROBLEMS
#: Most columns a CSV header may have (a profile file has about 20).
MAX_COLUMNS = 1000
#: Most characters of a CSV header row.
MAX_HEADER_CHARS = 65_536

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_START_CHARS = frozenset("=+-@\t\r")

#: Extensions of spreadsheet workbooks and templates (not CSV text).
WORKBOOK_EXTENSIONS = (
    ".xlsx",
    ".xlsm",
    ".xlsb",
    ".xls",
    ".xltx",
    ".xltm",
    ".xlt",
    ".xlam",
    ".ods",
    ".ots",
    ".fods",
    ".numbers",
)


def normal_column(name: str) -> str:
    """A column name as a field name: trimmed, lower case, spaces and dashes as ``_``.

    Examples
    --------
    >>> normal_column(" Diabetes-Years ")
    'diabetes_years'
    """
    return "_".join(name.strip().lstrip("\ufeff").lower().replace("-", " ").split())


def problem_limit(problems: list[Problem]) -> None:
    """Keep the first :data:`MAX_PROBLEMS` problems (in report order) and count the rest.

    The count travels as a :class:`~peermatch.errors.MoreProblems` marker, which
    :class:`~peermatch.errors.InputError` adds to the problems it leaves out and lists last.
    """
    real = [p for p in problems if not isinstance(p, MoreProblems)]
    more = sum(p.count for p in problems if isinstance(p, MoreProblems))
    if len(real) <= MAX_PROBLEMS and more == 0:
        return
    real.sort(key=Problem.sort_key)
    more += max(len(real) - MAX_PROBLEMS, 0)
    problems[:] = real[:MAX_PROBLEMS]
    if more:
        problems.append(MoreProblems.of(more))


def _size_text(n: int) -> str:
    for unit, size in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if n >= size:
            return f"{n / size:.1f}".removesuffix(".0") + f" {unit}"
    return f"{n} bytes"


def _too_large(label: str, size: int, limit: int, advice: str) -> InputError:
    return InputError(
        [
            Problem(
                label,
                None,
                None,
                f"the file is too large ({_size_text(size)}; the limit is "
                f"{_size_text(limit)}): {advice}",
            )
        ]
    )


_SPLIT = "split the cohort into smaller files"


def read_bytes(
    path: Path, label: str, *, max_bytes: int | None = None, advice: str = _SPLIT
) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``; otherwise InputError.

    ``max_bytes`` defaults to :data:`MAX_FILE_BYTES`; ``advice`` ends the message of a file
    over it. A folder, device, pipe or socket is refused without being opened, so reading
    never blocks on a pipe or runs on through an endless device.
    """
    limit = MAX_FILE_BYTES if max_bytes is None else max_bytes
    try:
        info = path.stat()
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "invalid file name"
        raise InputError([Problem(label, None, None, f"cannot read: {reason}")]) from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError([Problem(label, None, None, "is a folder, not a file")])
    if not stat.S_ISREG(info.st_mode):
        raise InputError([Problem(label, None, None, "is not a regular file")])
    if info.st_size > limit:
        raise _too_large(label, info.st_size, limit, advice)
    try:
        # non-blocking: a pipe put in the file's place since the check must not hang the open
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise InputError([Problem(label, None, None, "is not a regular file")])
            data = fh.read(limit + 1)
    except OSError as exc:
        raise InputError([Problem(label, None, None, f"cannot read: {exc.strerror}")]) from None
    if len(data) > limit:  # the file grew while being read
        raise _too_large(label, len(data), limit, advice)
    return data


_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
_WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")
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


def decode_text(data: bytes, label: str) -> str:
    """UTF-8 text (a byte-order mark is dropped), or an InputError that names the encoding."""
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


def read_text_file(
    path: str | os.PathLike[str], *, max_bytes: int | None = None, advice: str = _SPLIT
) -> str:
    """Read a text input (UTF-8, with or without BOM) with the checks profile files get.

    A folder, a special file, a file over the size limit (``max_bytes``, default
    :data:`MAX_FILE_BYTES`; ``advice`` says what to do), a workbook, UTF-16 text, a legacy
    encoding or binary content is an :class:`~peermatch.errors.InputError` that says what to
    do.
    """
    label = str(path)
    return decode_text(read_bytes(Path(path), label, max_bytes=max_bytes, advice=advice), label)


# -- CSV tables ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CsvTable:
    """The rows of a CSV file, each cell under the field its column was mapped to.

    Attributes
    ----------
    label : str
        The file, as named in problems.
    header_row : int
        The row of the header (1 unless blank lines come first).
    columns : tuple of (str or None)
        Per column of the file, the field it was mapped to (None: not read).
    rows : list of (int, dict of str to str)
        Per data row, its row number and ``{field: stripped cell}`` for non-empty cells of
        mapped columns.
    """

    label: str
    header_row: int
    columns: tuple[str | None, ...]
    rows: list[tuple[int, dict[str, str]]]


#: Maps a header row's cells to fields (None: not read), appending problems it finds.
HeaderMapper = Callable[[list[str], int, list[Problem]], list[str | None]]


def _looks_delimited(header_line: str, sep: str, known: Sequence[str]) -> bool:
    if sep not in header_line:
        return False

    def recognised(cells: list[str]) -> int:
        return sum(normal_column(c.strip().strip('"')) in known for c in cells)

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


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")


def _first_line(text: str) -> tuple[str, int]:
    """The first line that is not blank and its number (without splitting the whole text)."""
    pos = row = 0
    while pos < len(text):
        found = _LINE.match(text, pos)
        assert found is not None  # the pattern matches at every position
        row += 1
        line = found.group(0).rstrip("\r\n")
        if line.strip():
            return line, row
        pos = found.end()
    return "", 1


def _delimiter_line(text: str, label: str, known: Sequence[str]) -> str:
    """Drop Excel's ``sep=,`` line; refuse semicolon- and tab-separated files."""
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
    first_line, row = _first_line(text)
    if len(first_line) > MAX_HEADER_CHARS:
        raise InputError(
            [
                Problem(
                    label,
                    row,
                    None,
                    f"the header row is {len(first_line):,} characters long (the limit is "
                    f"{MAX_HEADER_CHARS:,}): is this a profile file?",
                )
            ]
        )
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
    return text


def read_csv_table(
    text: str,
    label: str,
    *,
    known: Sequence[str],
    map_header: HeaderMapper,
    problems: list[Problem],
    what: str = "rows",
    short_rows: bool = False,
) -> CsvTable:
    """Split CSV text into a header and rows of cells; malformed rows become problems.

    Parameters
    ----------
    text : str
        The decoded file.
    label : str
        The file, as named in problems.
    known : sequence of str
        The field names this kind of file may hold (to recognise a semicolon- or tab-separated
        header).
    map_header : callable
        ``map_header(cells, row, problems)`` returns the field of each header cell (None: not
        read) and appends problems with the header (unknown, duplicate or missing columns);
        it raises :class:`~peermatch.errors.InputError` for a header it cannot use at all.
    problems : list of Problem
        Problems are appended here; the caller raises them together with its own.
    what : str
        What the rows hold, for messages (``"profiles"``, ``"rows"``).
    short_rows : bool
        Whether a row may have fewer cells than the header (the missing ones are empty).

    Raises
    ------
    InputError
        At once, for a file that cannot be read as a table at all: a semicolon- or
        tab-separated file, an empty file, or a header ``map_header`` refuses.
    """
    text = _delimiter_line(text, label, known)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    header_row = 0
    header_key: list[str] = []
    columns: list[str | None] = []
    rows: list[tuple[int, dict[str, str]]] = []
    unnamed_used: dict[int, int] = {}
    row = 0
    try:
        for cells in reader:
            row += 1
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                if len(cells) > MAX_COLUMNS:
                    raise InputError(
                        [
                            Problem(
                                label,
                                row,
                                None,
                                f"the header has {len(cells):,} columns (the limit is "
                                f"{MAX_COLUMNS:,}): is this a profile file?",
                            )
                        ]
                    )
                header, header_row = cells, row
                header_key = [normal_column(c) for c in cells]
                columns = map_header(cells, row, problems)
                continue
            if len(rows) >= MAX_ROWS:
                problems.append(Problem(label, row, None, f"more than {MAX_ROWS} {what}"))
                break
            if len(problems) > 2 * MAX_PROBLEMS:
                problem_limit(problems)  # keep memory bounded: list some, count the rest
            if (
                len(cells) == len(header_key)
                and normal_column(cells[0]) == header_key[0]
                and [normal_column(c) for c in cells] == header_key
            ):
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
            if (len(cells) < len(header) and not short_rows) or any(c.strip() for c in extra):
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
                col: unneutralise(cell.strip())
                for col, cell in zip(columns, cells, strict=False)
                if col is not None and cell.strip()
            }
            rows.append((row, data))
    except csv.Error as exc:
        problems.append(Problem(label, row + 1, None, _csv_error_text(exc)))
    if header is None:
        if problems:
            raise InputError(problems)
        raise InputError(
            [Problem(label, None, None, f"the file is empty: expected a header row and {what}")]
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
    return CsvTable(label, header_row, tuple(columns), rows)


# -- writing ------------------------------------------------------------------------------------


def neutralise(cell: str) -> str:
    """Defuse a cell a spreadsheet would run as a formula (OWASP CSV injection).

    Examples
    --------
    >>> neutralise("=HYPERLINK(1)"), neutralise("plain")
    ("'=HYPERLINK(1)", 'plain')
    """
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def unneutralise(cell: str) -> str:
    """Undo :func:`neutralise`: drop a ``'`` written before a formula character.

    A spreadsheet shows ``'+44`` as ``+44``; reading does the same, so a CSV peermatch wrote
    reads back with the values it holds.

    Examples
    --------
    >>> unneutralise("'+44"), unneutralise("'quoted'"), unneutralise(neutralise("=1+1"))
    ('+44', "'quoted'", '=1+1')
    """
    if len(cell) > 1 and cell[0] == "'" and cell[1] in _FORMULA_START_CHARS:
        return cell[1:]
    return cell


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
    pipe or descriptor name (``/dev/stdout``, a named pipe) is written in place, never
    replaced. See :func:`peermatch._core.commit.write_files`, which this calls.
    """
    write_files([(path, text)])
