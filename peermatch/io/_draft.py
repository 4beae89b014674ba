"""A first mapping from a source's headers and values, for a coordinator to check (internal).

:func:`draft_mapping` reads a source and writes the mapping file it seems to need: the column
that seems to hold each field (from its name), the columns that seem to hold none (to ignore),
the list separator, the header lines of a Qualtrics export, the event of a REDCap export, and
for every vocabulary field the values that are neither a code nor a label, each with the code
it most looks like. Every guess is marked; a value with no guess is left commented out, so the
import still reports it until someone writes its meaning. Values are listed only for columns
that look like vocabulary fields; nothing of the columns to ignore, ids, ages or free text
reaches the draft.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from peermatch._core.files import normal_column
from peermatch._core.text import closest
from peermatch.io._mapping import SET_FIELDS, VOCABULARY_FIELDS, vocabulary_code
from peermatch.io._redcap import RedcapDictionary, checkbox_column
from peermatch.io._sources import load_source
from peermatch.profiles._labels import LABELS, label_key
from peermatch.profiles._tabular import model_for

__all__ = ["draft_mapping"]

#: Words in a column name that suggest a field, most specific first.
_HINTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("id", ("record id", "participant id", "leader id", "identifier", "record", "id")),
    ("diabetes_years", ("years with diabetes", "diabetes years", "diagnosed", "duration")),
    ("hba1c", ("hba1c", "a1c")),
    ("glucose_monitoring", ("glucose monitoring", "monitoring", "meter", "cgm")),
    ("activity_level", ("activity level", "physical activity", "exercise")),
    ("contact_frequency", ("how often", "frequency")),
    ("contact_modes", ("contact mode", "keep in touch", "contact by", "contact")),
    ("communication_style", ("communication", "style")),
    ("support_goals", ("support goal", "goals", "goal")),
    ("life_stage", ("life stage", "employment", "work")),
    ("languages", ("language", "speak")),
    ("treatments", ("treatment", "medication", "medicine")),
    ("complications", ("complication",)),
    ("availability", ("availability", "available", "times")),
    ("interests", ("interest", "hobbies", "hobby")),
    ("importance", ("importance", "matters most")),
    ("preferred", ("preferred", "preference")),
    ("vetoes", ("veto", "not matched with")),
    ("capacity", ("capacity", "caseload")),
    ("active", ("active", "paused")),
    ("region", ("region", "postal", "postcode", "zip", "area")),
    ("diet", ("diet", "eating pattern")),
    ("sex", ("sex", "gender")),
    ("age", ("age",)),
)
_REDCAP_EVENT = "redcap_event_name"
_REDCAP_SKIP = ("redcap_repeat_instrument", "redcap_repeat_instance", "redcap_survey_identifier")
_MAX_VALUES = 60


def _words(text: str) -> str:
    return " " + " ".join(re.sub(r"[^0-9a-z]+", " ", text.casefold()).split()) + " "


def _guess_field(name: str, fields: Iterable[str]) -> str | None:
    norm = normal_column(name)
    known = set(fields)
    if norm in known:
        return norm
    words = _words(name)
    for fld, hints in _HINTS:
        if fld in known and any(f" {h} " in words for h in hints):
            return fld
    return None


def _toml(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _key(text: str) -> str:
    return text if re.fullmatch(r"[A-Za-z0-9_-]+", text) else _toml(text)


def _guess_value(fld: str, value: str) -> str | None:
    """The code a value most looks like: a unique code or label it begins, or a close one."""
    table = LABELS[fld]
    low = label_key(value)
    if low:
        starts = [c for c, t in table.items() if label_key(t).startswith(low) or c.startswith(low)]
        if len(set(starts)) == 1:
            return starts[0]
    pool = {label_key(t): c for c, t in table.items()} | {label_key(c): c for c in table}
    near = closest(low, pool, cutoff=0.55)
    return pool[near] if near is not None else None


def draft_mapping(
    source: Any,
    kind: str,
    *,
    sheet: str | None = None,
    redcap_dictionary: str | Path | None = None,
    written_to: str | Path | None = None,
) -> str:
    """The text of a draft mapping file (TOML) for ``source``.

    ``written_to`` is where the draft will be saved: the dictionary is named relative to it.

    Raises
    ------
    InputError
        If the source (or the dictionary) cannot be read as a table.
    """
    dictionary = RedcapDictionary.read(redcap_dictionary) if redcap_dictionary else None
    table = load_source(source, kind, sheet=sheet)
    fields = model_for(kind)[1]
    rows = table.rows
    skip = 0
    if len(rows) >= 2 and any(
        isinstance(c, str) and c.startswith('{"ImportId"') for c in rows[1][1]
    ):
        skip = 2  # Qualtrics: question texts and import ids under the header
    rows = rows[skip:]
    columns: dict[str, str] = {}
    checkbox: dict[str, list[int]] = {}
    ignore: list[str] = []
    events: list[str] = []
    for i, name in enumerate(table.header):
        norm = normal_column(name)
        if not norm:
            continue
        if norm == _REDCAP_EVENT:
            events = list(dict.fromkeys(c[i] for _, c in rows if isinstance(c[i], str)))
            continue
        parts = checkbox_column(name)
        if parts is not None:
            base = _guess_field(parts[0], fields)
            if base in SET_FIELDS:
                checkbox.setdefault(base, []).append(i)
                if normal_column(parts[0]) != base:
                    columns.setdefault(base, parts[0])
                continue
        fld = _guess_field(name, fields)
        if norm == "record_id":
            fld = "id"
        if fld is None or fld in columns or norm in _REDCAP_SKIP:
            ignore.append(name)
            continue
        columns[fld] = name
    where = {name: i for i, name in enumerate(table.header)}
    separator = ";"
    set_cells = [
        c[where[col]]
        for fld, col in columns.items()
        if fld in SET_FIELDS and fld not in checkbox
        for _, c in rows
        if isinstance(c[where[col]], str)
    ]
    if not any(";" in c for c in set_cells):
        if any(", " in c for c in set_cells):
            separator = ", "
        elif any("," in c for c in set_cells):
            separator = ","
    lines = [
        f"# Draft mapping for {Path(str(table.label)).name} ({kind}s), from its headers and",
        "# values. Check every line: a guess may be wrong. Values with no guess are",
        "# commented out; write their meaning, or the import reports them.",
        "",
        "ignore = [" + ", ".join(_toml(n) for n in ignore) + "]",
        f"separator = {_toml(separator)}",
        f"skip_rows = {skip}"
        + ("  # a Qualtrics export: two lines under the header" if skip else ""),
    ]
    if dictionary is not None and redcap_dictionary is not None:
        ref = Path(redcap_dictionary).resolve()
        if written_to is not None:
            ref = Path(os.path.relpath(ref, Path(written_to).resolve().parent))
        lines.append(f"redcap_dictionary = {_toml(ref.as_posix())}")
    lines += ["", "[columns]"]
    for fld in fields:
        if fld in columns and normal_column(columns[fld]) != fld:
            lines.append(f"{fld} = {_toml(columns[fld])}  # guessed from the column name")
        elif fld in columns or fld in checkbox:
            lines.append(f"# {fld} = {_toml(columns.get(fld, fld))}  (named after the field)")
        elif fld in ("id", "age", "languages"):
            lines.append(f'# {fld} = ""  # required: no column found, name it')
    for fld in fields:
        if fld not in VOCABULARY_FIELDS or (fld not in columns and fld not in checkbox):
            continue
        seen = _values(fld, table.header, rows, columns, checkbox, separator, dictionary)
        unknown = [v for v in seen if vocabulary_code(fld, v) is None][:_MAX_VALUES]
        if not unknown:
            continue
        lines += ["", f"[values.{fld}]"]
        some = ", ".join(list(LABELS[fld])[:6]) + (", ..." if len(LABELS[fld]) > 6 else "")
        for value in unknown:
            guess = _guess_value(fld, value)
            if guess is None:
                lines.append(f'# {_toml(value)} = ""  # no guess: a value of {fld} ({some})')
            else:
                note = f"guessed: {LABELS[fld][guess]}"
                lines.append(f"{_toml(value)} = {_toml(guess)}  # {note}")
    if events:
        lines += ["", "[filter]"]
        listed = ", ".join(events[:8])
        lines.append(f"{_REDCAP_EVENT} = {_toml(events[0])}  # events: {listed}")
    return "\n".join(lines) + "\n"


def _values(
    fld: str,
    header: tuple[str, ...],
    rows: list[tuple[Any, tuple[Any, ...]]],
    columns: dict[str, str],
    checkbox: dict[str, list[int]],
    separator: str,
    dictionary: RedcapDictionary | None,
) -> list[str]:
    """The distinct values of a vocabulary field's column(s), in order of appearance."""
    out: dict[str, None] = {}
    if fld in checkbox:
        for i in checkbox[fld]:
            found = dictionary.checkbox(header[i]) if dictionary is not None else None
            code = found[1] if found is not None else checkbox_column(header[i])[1]  # type: ignore[index]
            out[code] = None
        return list(out)
    i = header.index(columns[fld])
    choice = dictionary.field(header[i]) if dictionary is not None else None
    sep = separator.strip() or separator
    for _, cells in rows:
        cell = cells[i]
        items = (
            cell
            if isinstance(cell, list)
            else (cell.split(sep) if fld in SET_FIELDS and isinstance(cell, str) else [cell])
        )
        for item in items:
            if isinstance(item, str) and item.strip():
                text = item.strip()
                if choice is not None:
                    text = choice.label_of(text) or text
                out[text] = None
    return list(out)
