"""Profiles from any source, through a mapping (``docs/bring-your-data.md``).

:func:`read_participants` and :func:`read_peers` read a CSV, JSON or Excel file or a pandas
DataFrame and, with a mapping, the exports of survey and data-capture tools (REDCap, Qualtrics,
Google Forms) or a coordinator's own sheet: the mapping names the columns, drops the ones that
are not profile fields, says how a list is separated and what the source's values mean. Every
problem of the mapping, the data dictionary and the source is reported at once; nothing is
guessed: a value that is neither a vocabulary code, its label nor in the mapping is a problem
that names the field, the column, the rows and the fix.

A problem that repeats down a column is reported once, naming the rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from peermatch._core.files import normal_column, problem_limit
from peermatch._core.text import did_you_mean, shown
from peermatch.errors import InputError, Problem
from peermatch.io._mapping import (
    SET_FIELDS,
    VOCABULARY_FIELDS,
    IntakeMap,
    load_mapping,
    value_key,
    vocabulary_code,
)
from peermatch.io._profiles import ProfileTable, read_table
from peermatch.io._redcap import (
    CHECKED,
    UNCHECKED,
    RedcapDictionary,
    RedcapField,
    checkbox_column,
)
from peermatch.io._sources import EXCEL_EXTENSIONS, load_source
from peermatch.profiles._labels import LABELS, label_key
from peermatch.profiles._models import Participant, PeerLeader
from peermatch.profiles._tabular import (
    REQUIRED,
    RowProblem,
    RowRef,
    SourceTable,
    model_for,
    row_problems,
    table_profiles,
    validate_records,
)

__all__ = ["MappingSource", "read_participants", "read_peers", "read_profiles"]

#: A mapping: a TOML file, or the same structure as a dict.
MappingSource = str | Path | Mapping[str, Any]


def read_profiles(
    source: Any,
    kind: str,
    *,
    mapping: MappingSource | None = None,
    sheet: str | None = None,
    redcap_dictionary: str | Path | None = None,
) -> ProfileTable[Any]:
    """Read profiles of ``kind`` (``participant`` or ``peer``) from any source.

    Raises
    ------
    InputError
        Every problem of the mapping, the data dictionary and the source.
    """
    if kind not in ("participant", "peer"):
        raise ValueError(f"kind must be 'participant' or 'peer', not {kind!r}")
    problems: list[Problem] = []
    imap = IntakeMap.identity(kind)
    try:
        imap = load_mapping(mapping, kind)
    except InputError as exc:
        problems += exc.problems
    dictionary = None
    dd_path = redcap_dictionary if redcap_dictionary is not None else imap.redcap_dictionary
    if dd_path is not None:
        try:
            dictionary = RedcapDictionary.read(dd_path)
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)
    plain = not imap.given and dictionary is None
    is_path = isinstance(source, str | Path)
    if plain and is_path and Path(source).suffix.lower() not in EXCEL_EXTENSIONS:
        return read_table(source, kind)  # the canonical profile files
    if sheet is not None and is_path and Path(source).suffix.lower() not in EXCEL_EXTENSIONS:
        raise InputError([Problem(str(source), None, "sheet", "only a workbook has sheets")])
    known = [
        *model_for(kind)[1],
        *(normal_column(c) for c in imap.columns.values()),
        *(normal_column(c) for c in imap.filter),
    ]
    table = load_source(source, kind, dropped=imap.ignored, known=known, sheet=sheet)
    if plain:
        profiles, rows = table_profiles(table, kind)
    else:
        profiles, rows = _Intake(table, imap, dictionary).run()
    ints = {k: v for k, v in rows.items() if isinstance(v, int)}
    return ProfileTable(table.label, profiles, ints)


@dataclass(frozen=True)
class _Column:
    """What one source column gives: a field, one choice of a checkbox field, or a filter."""

    index: int
    name: str
    role: str  # "field", "check" or "filter"
    field: str = ""
    choice: str = ""  # for "check": the label (with a dictionary) or the code


class _Intake:
    """Applies a mapping (and a REDCap dictionary) to a source table."""

    def __init__(
        self, table: SourceTable, imap: IntakeMap, dictionary: RedcapDictionary | None
    ) -> None:
        self.table = table
        self.imap = imap
        self.dictionary = dictionary
        self.fields = model_for(imap.kind)[1]
        self.problems: list[Problem] = []
        self.items: list[RowProblem] = []
        # (field, column, value) -> rows where a value is neither a code, a label nor mapped
        self.unmapped: dict[tuple[str, str, str], list[RowRef]] = {}
        self.skip: set[tuple[RowRef, str]] = set()  # (row, field) already reported
        self.shown_as: dict[str, str] = {}  # field -> "field (column 'Source')"
        self.choice_of: dict[int, RedcapField | None] = {}  # column -> its REDCap choice field

    # -- the header ---------------------------------------------------------------------------

    def _columns(self) -> list[_Column]:
        imap, table = self.imap, self.table
        by_name = {normal_column(c): f for f, c in imap.columns.items()}
        filters = {normal_column(c): c for c in imap.filter}
        explicit = set(imap.columns)
        out: list[_Column] = []
        seen: dict[str, str] = {}  # field -> first column giving it
        found_explicit: set[str] = set()
        found_filter: set[str] = set()
        row = table.header_row
        for i, name in enumerate(table.header):
            norm = normal_column(name)
            if not norm:
                continue
            if norm in filters:
                found_filter.add(filters[norm])
                out.append(_Column(i, name, "filter"))
                continue
            col: _Column | None = None
            if norm in by_name:
                col = _Column(i, name, "field", by_name[norm])
                found_explicit.add(by_name[norm])
            else:
                col = self._checkbox(i, name, by_name, explicit)
                if col is None and norm in self.fields and norm not in explicit:
                    col = _Column(i, name, "field", norm)
            if col is None:
                self._unknown(name, norm, row)
                continue
            if col.role == "field":
                if col.field in seen:
                    self.problems.append(
                        Problem(
                            table.label,
                            row,
                            col.field,
                            f"columns {seen[col.field]!r} and {name!r} both give {col.field}; "
                            "map one under [columns] and list the other in ignore",
                        )
                    )
                    continue
                seen[col.field] = name
                if normal_column(name) != col.field:
                    self.shown_as[col.field] = f"{col.field} (column {name!r})"
            out.append(col)
        checked = {c.field for c in out if c.role == "check"}
        for fld in sorted(checked & set(seen)):
            self.problems.append(
                Problem(
                    table.label,
                    row,
                    fld,
                    f"column {seen[fld]!r} and checkbox columns both give {fld}; keep one",
                )
            )
        headers = list(table.header)
        for fld, column in imap.columns.items():
            if fld not in found_explicit and fld not in checked:
                hint = did_you_mean(column, headers)
                self.problems.append(
                    Problem(
                        imap.label,
                        None,
                        f"columns.{fld}",
                        f"{table.label} has no column {column!r}{hint}",
                    )
                )
        for column in imap.filter:
            if column not in found_filter:
                self.problems.append(
                    Problem(
                        imap.label,
                        None,
                        f"filter.{column}",
                        f"{table.label} has no column {column!r}" + did_you_mean(column, headers),
                    )
                )
        self.absent = [f for f in REQUIRED if f not in seen and f not in checked]
        for fld in self.absent:
            self.problems.append(
                Problem(
                    table.label,
                    row,
                    fld,
                    "required column is missing: name its column under [columns] in the mapping",
                )
            )
        return out

    def _checkbox(
        self, i: int, name: str, by_name: dict[str, str], explicit: set[str]
    ) -> _Column | None:
        parts = checkbox_column(name.strip())
        if parts is None:
            return None
        base = normal_column(parts[0])
        fld = by_name.get(base) or (base if base in self.fields and base not in explicit else None)
        if fld is None or fld not in SET_FIELDS:
            return None
        if self.dictionary is not None:
            found = self.dictionary.checkbox(name)
            if found is None:
                return None
            return _Column(i, name, "check", fld, found[1])
        return _Column(i, name, "check", fld, parts[1])

    def _unknown(self, name: str, norm: str, row: int | None) -> None:
        if norm in self.imap.columns:  # named after a field that [columns] takes elsewhere
            self.problems.append(
                Problem(
                    self.table.label,
                    row,
                    None,
                    f"column {name!r} would give {norm}, which [columns] takes from "
                    f"{self.imap.columns[norm]!r}; list it in ignore",
                )
            )
            return
        hint = did_you_mean(norm, self.fields)
        fix = "; map it under [columns] or list it in ignore" if self.imap.given else ""
        self.problems.append(
            Problem(self.table.label, row, None, f"unknown column {name!r}{hint}{fix}")
        )

    # -- the rows -----------------------------------------------------------------------------

    def run(self) -> tuple[list[Any], dict[str, RowRef]]:
        columns = self._columns()
        rows = self.table.rows[self.imap.skip_rows :]
        filters = [
            (c, self.imap.filter[self._filter_key(c.name)]) for c in columns if c.role == "filter"
        ]
        kept = [
            (ref, cells)
            for ref, cells in rows
            if all(cells[c.index] in wanted for c, wanted in filters)
        ]
        if not kept:
            what = "no row passes [filter]" if rows and filters else "the source has no profiles"
            self.problems.append(Problem(self.table.label, self.table.header_row, None, what))
        records = [(ref, self._record(ref, cells, columns)) for ref, cells in kept]
        profiles, ids, items = validate_records(records, self.imap.kind)
        self.items += [
            i for i in items if (i[0], i[1]) not in self.skip and i[1] not in self.absent
        ]
        for (fld, column, value), refs in self.unmapped.items():
            self.problems.append(self._unmapped(fld, column, value, refs))
        self.problems += [
            Problem(p.file, p.row, self.shown_as.get(p.field or "", p.field), p.message)
            for p in row_problems(self.table.label, self.items, len(kept))
        ]
        if self.problems:
            problem_limit(self.problems)
            raise InputError(self.problems)
        return profiles, ids

    def _filter_key(self, name: str) -> str:
        norm = normal_column(name)
        return next(c for c in self.imap.filter if normal_column(c) == norm)

    def _record(
        self, ref: RowRef, cells: tuple[Any, ...], columns: list[_Column]
    ) -> dict[str, Any]:
        record: dict[str, Any] = {}
        sets: dict[str, list[str]] = {}
        for col in columns:
            cell = cells[col.index]
            if col.role == "check":
                sets.setdefault(col.field, [])
                if cell is None:
                    continue
                text = cell.casefold() if isinstance(cell, str) else ""
                if text in CHECKED:
                    sets[col.field].append(col.choice)
                elif text not in UNCHECKED:
                    self._row_problem(
                        ref,
                        col.field,
                        f"column {col.name!r}: expected 1 or 0 (Checked or Unchecked), found "
                        f"{shown(cell)}",
                    )
            elif col.role == "field" and cell is not None:
                value = self._value(ref, col, cell)
                if value is not None:
                    record[col.field] = value
        for fld, items in sets.items():
            if fld in record:
                continue
            value = self._translate(ref, fld, f"{fld}___*", items)
            if value:
                record[fld] = value
        return record

    def _row_problem(self, ref: RowRef, fld: str, message: str) -> None:
        self.items.append((ref, fld, message))
        self.skip.add((ref, fld))

    def _value(self, ref: RowRef, col: _Column, cell: Any) -> Any:
        fld = col.field
        if self.dictionary is not None and isinstance(cell, str):
            if col.index not in self.choice_of:
                self.choice_of[col.index] = self.dictionary.field(col.name)
            choice = self.choice_of[col.index]
            if choice is not None:
                decoded = choice.label_of(cell)
                if decoded is None:
                    codes = ", ".join(list(choice.choices)[:8])
                    self._row_problem(
                        ref,
                        fld,
                        f"{shown(cell)} is not a choice of REDCap field {choice.name!r} "
                        f"(choices: {codes}; see the data dictionary)",
                    )
                    return None
                cell = decoded
        if fld in SET_FIELDS or fld == "importance":
            if isinstance(cell, str):
                sep = self.imap.separator.strip() or self.imap.separator
                items = [i.strip() for i in cell.split(sep) if i.strip()]
            else:
                items = [str(i) for i in cell]
            if fld == "importance":
                return ";".join(items)
            return self._translate(ref, fld, col.name, items)
        if not isinstance(cell, str):
            self._row_problem(ref, fld, f"expected one value, found a list of {len(cell)}")
            return None
        out = self._translate(ref, fld, col.name, [cell])
        if out is None:
            return None
        return out[0] if out else None

    def _translate(self, ref: RowRef, fld: str, column: str, items: list[str]) -> list[str] | None:
        """Items as codes: through ``[values.FIELD]``, then codes and labels as they are."""
        table = self.imap.values.get(fld, {})
        out: list[str] = []
        bad = False
        for item in items:
            key = value_key(item)
            if key in table:
                out.extend(table[key])
                continue
            if fld in VOCABULARY_FIELDS:
                code = vocabulary_code(fld, item)
                if code is None:
                    self.unmapped.setdefault((fld, column, item), []).append(ref)
                    bad = True
                    continue
                out.append(code)
            else:
                out.append(item)
        if bad:
            self.skip.add((ref, fld))
            return None
        return list(dict.fromkeys(out))

    def _unmapped(self, fld: str, column: str, value: str, refs: list[RowRef]) -> Problem:
        pool = {label_key(v): v for v in LABELS[fld].values()}
        close = did_you_mean(label_key(value), list(pool), cutoff=0.75)
        for key, text in pool.items():
            close = close.replace(repr(key), repr(text))
        where = f" (column {column!r})" if normal_column(column) != fld else ""
        shown_refs = _rows(refs)
        return Problem(
            self.table.label,
            None,
            f"{fld}{where}",
            f"no mapping for {shown(value)} on {shown_refs}; add it under [values.{fld}]"
            + (f" (or write the value as its label{close})" if close else ""),
        )


def _rows(refs: list[RowRef]) -> str:
    unique = list(dict.fromkeys(refs))
    text = ", ".join(str(r) if isinstance(r, int) else repr(r) for r in unique[:10])
    more = f" and {len(unique) - 10} more" if len(unique) > 10 else ""
    return ("row " if len(unique) == 1 else "rows ") + text + more


# -- the public readers -----------------------------------------------------------------------


def read_participants(
    source: Any,
    *,
    mapping: MappingSource | None = None,
    sheet: str | None = None,
    redcap_dictionary: str | Path | None = None,
) -> list[Participant]:
    r"""Read and validate participants from a file or a pandas DataFrame.

    Parameters
    ----------
    source : str, Path or pandas.DataFrame
        A ``.csv``, ``.json`` or ``.xlsx`` file (by extension; ``.xlsx`` needs the ``excel``
        extra), or a DataFrame, in which ``NaN``, ``None`` and ``pd.NA`` are "not given".
    mapping : str, Path or dict, keyword-only, optional
        A mapping file (TOML) or the same structure as a dict: which column holds which field,
        which columns to ignore, the list separator, header lines to skip, what the source's
        values mean and which rows to keep (``docs/bring-your-data.md``). Without one, the
        columns must be named after the fields.
    sheet : str, keyword-only, optional
        The workbook's sheet (default: the first).
    redcap_dictionary : str or Path, keyword-only, optional
        A REDCap data dictionary (CSV) that decodes a raw export's codes and checkbox columns;
        a mapping may name it too (``redcap_dictionary = "..."``).

    Returns
    -------
    list of Participant
        In source order.

    Raises
    ------
    InputError
        Carrying every problem found, each as ``FILE:ROW: FIELD: message`` (a DataFrame's
        problems name the row label); a problem repeated down a column is one line naming
        the rows.
    ImportError
        For a workbook without the ``excel`` extra, with the command that installs it.

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

    A coordinator's sheet, read through a mapping:

    >>> _ = (d / "sheet.csv").write_text(
    ...     "Name,Phone,Record,Age (years),Gender,Speaks\n"
    ...     "Ann,555-0101,P1,54,F,English\n"
    ...     "Raj,555-0102,P2,61,M,Punjabi; English\n"
    ... )
    >>> plan = {
    ...     "ignore": ["Name", "Phone"],
    ...     "columns": {"id": "Record", "age": "Age (years)", "sex": "Gender",
    ...                 "languages": "Speaks"},
    ...     "values": {"sex": {"F": "female", "M": "male"}},
    ... }
    >>> [(p.id, p.sex.value, sorted(p.languages)) for p in read_participants(
    ...     d / "sheet.csv", mapping=plan)]
    [('P1', 'female', ['en']), ('P2', 'male', ['en', 'pa'])]
    """
    return list(
        read_profiles(
            source,
            "participant",
            mapping=mapping,
            sheet=sheet,
            redcap_dictionary=redcap_dictionary,
        ).profiles
    )


def read_peers(
    source: Any,
    *,
    mapping: MappingSource | None = None,
    sheet: str | None = None,
    redcap_dictionary: str | Path | None = None,
) -> list[PeerLeader]:
    """Read and validate peer leaders from a file or a pandas DataFrame.

    The parameters are those of :func:`read_participants`.

    Returns
    -------
    list of PeerLeader
        In source order.

    Raises
    ------
    InputError
        Carrying every problem found, each as ``FILE:ROW: FIELD: message``.
    """
    return list(
        read_profiles(
            source, "peer", mapping=mapping, sheet=sheet, redcap_dictionary=redcap_dictionary
        ).profiles
    )
