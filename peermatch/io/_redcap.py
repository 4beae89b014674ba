"""REDCap data dictionaries (internal; ``docs/bring-your-data.md``).

A REDCap project describes its fields in a data dictionary, a CSV file with the columns
``Variable / Field Name``, ``Field Type`` and ``Choices, Calculations, OR Slider Labels``
(the API's ``field_name``, ``field_type`` and ``select_choices_or_calculations`` too). The
choices of a ``radio``, ``dropdown`` or ``checkbox`` field are ``CODE, Label`` pairs separated
by ``|`` (``1, Female | 2, Male``); ``yesno`` and ``truefalse`` fields have fixed codes.

With the dictionary, a raw export's codes become their labels, and the columns of a checkbox
field (``treatments___1``, ``treatments___2``, ... holding ``1``/``0`` or
``Checked``/``Unchecked``) become the set of the checked choices' labels. Labels then go
through the same matching as any other source's values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from peermatch._core.files import normal_column, read_csv_table, read_text_file
from peermatch._core.text import shown
from peermatch.errors import InputError, Problem

__all__ = ["CHECKED", "UNCHECKED", "RedcapDictionary", "RedcapField", "checkbox_column"]

#: Cells of a checkbox column: checked, and not checked.
CHECKED = frozenset({"1", "checked"})
UNCHECKED = frozenset({"0", "unchecked"})
_FIXED = {"yesno": {"1": "Yes", "0": "No"}, "truefalse": {"1": "True", "0": "False"}}
_CHOICE_TYPES = ("radio", "dropdown", "checkbox")
_CODE = re.compile(r"-?[A-Za-z0-9_.]+")
#: The dictionary's columns under both names REDCap gives them.
_COLUMNS = {
    "name": ("variable_/_field_name", "field_name"),
    "type": ("field_type",),
    "choices": ("choices,_calculations,_or_slider_labels", "select_choices_or_calculations"),
}


@dataclass(frozen=True)
class RedcapField:
    """One field of a dictionary: its name, type and choices (code -> label, in order)."""

    name: str
    type: str
    choices: dict[str, str]

    def label_of(self, value: str) -> str | None:
        """The label a cell's value stands for (a code, or a label already), or None."""
        if value in self.choices:
            return self.choices[value]
        low = value.casefold()
        for text in self.choices.values():
            if text.casefold() == low:
                return text
        return None


def checkbox_column(column: str) -> tuple[str, str] | None:
    """``("treatments", "1")`` for a checkbox column ``treatments___1``, else None."""
    if "___" not in column:
        return None
    base, _, code = column.rpartition("___")
    return (base, code) if base and code else None


@dataclass(frozen=True)
class RedcapDictionary:
    """The choice fields of a REDCap data dictionary, by variable name (lower case)."""

    label: str
    fields: dict[str, RedcapField]

    @classmethod
    def read(cls, path: str | Path) -> RedcapDictionary:
        """Read and check a data dictionary; every problem is reported at once.

        Raises
        ------
        InputError
            A dictionary without the needed columns, or choices that do not parse (each with
            the file, the row and the variable).
        """
        label = str(path)
        text = read_text_file(path)
        problems: list[Problem] = []
        known = [n for names in _COLUMNS.values() for n in names]
        where: dict[str, int] = {}

        def map_header(cells: list[str], row: int, found: list[Problem]) -> list[str | None]:
            out: list[str | None] = []
            for pos, cell in enumerate(cells):
                name = normal_column(cell)
                role = next((r for r, names in _COLUMNS.items() if name in names), None)
                if role is not None and role not in where:
                    where[role] = pos
                    out.append(role)
                else:
                    out.append(None)
            missing = [r for r in _COLUMNS if r not in where]
            if missing:
                raise InputError(
                    [
                        Problem(
                            label,
                            row,
                            None,
                            "not a REDCap data dictionary: expected the columns 'Variable / "
                            "Field Name', 'Field Type' and 'Choices, Calculations, OR Slider "
                            "Labels'",
                        )
                    ]
                )
            return out

        table = read_csv_table(
            text,
            label,
            known=known,
            map_header=map_header,
            problems=problems,
            what="fields",
            short_rows=True,
        )
        fields: dict[str, RedcapField] = {}
        for row, cells in table.rows:
            name = cells.get("name", "").strip()
            kind = cells.get("type", "").strip().lower()
            if not name:
                continue
            if kind in _FIXED:
                fields[name.lower()] = RedcapField(name, kind, dict(_FIXED[kind]))
            elif kind in _CHOICE_TYPES:
                choices = _parse_choices(cells.get("choices", ""), label, row, name, problems)
                if choices is not None:
                    fields[name.lower()] = RedcapField(name, kind, choices)
        if problems:
            raise InputError(problems)
        return cls(label, fields)

    def field(self, column: str) -> RedcapField | None:
        """The choice field (not checkbox) a column holds, or None."""
        found = self.fields.get(column.strip().lower())
        return found if found is not None and found.type != "checkbox" else None

    def checkbox(self, column: str) -> tuple[RedcapField, str] | None:
        """The checkbox field and choice label of a ``FIELD___CODE`` column, or None."""
        parts = checkbox_column(column.strip())
        if parts is None:
            return None
        found = self.fields.get(parts[0].lower())
        if found is None or found.type != "checkbox":
            return None
        want = parts[1].lower()
        for code, text in found.choices.items():
            if code.lower() == want or code.lower().replace("-", "_") == want:
                return found, text
        return None


def _parse_choices(
    text: str, label: str, row: int, name: str, problems: list[Problem]
) -> dict[str, str] | None:
    out: dict[str, str] = {}
    bad: list[str] = []
    if not text.strip():
        bad.append("no choices: write them as 'CODE, Label | CODE, Label'")
    for item in (i.strip() for i in text.split("|")):
        if not item:
            continue
        code, sep, words = item.partition(",")
        code, words = code.strip(), words.strip()
        if not sep or not words:
            bad.append(f"choice {shown(item)} is not 'CODE, Label'")
        elif not _CODE.fullmatch(code):
            bad.append(f"choice code {shown(code)} may use only letters, digits, '_' and '.'")
        elif code in out:
            bad.append(f"choice code {code!r} is given twice")
        else:
            out[code] = words
    if bad:
        problems.extend(Problem(label, row, name, msg) for msg in bad)
        return None
    return out
