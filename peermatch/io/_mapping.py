"""The mapping of a source to profile fields (internal; ``docs/bring-your-data.md``).

A mapping file (TOML) tells the readers how a programme's own export becomes profiles: which
source column holds which field, which columns to drop, how a multi-valued cell is separated,
how many lines follow the header before the data, which source values mean which vocabulary
codes, and which rows to keep. Every key is optional::

    ignore = ["name", "phone", "notes"]     # source columns to drop (never read)
    separator = ";"                         # list separator inside cells
    skip_rows = 0                           # lines to skip after the header
    redcap_dictionary = "dictionary.csv"    # a REDCap data dictionary, beside this file
    [columns]                               # profile field = source column
    id = "record_id"
    [values.sex]                            # source value = profile value
    "1" = "female"
    [filter]                                # keep only rows where column == value
    redcap_event_name = "baseline_arm_1"

Every problem of a mapping is reported at once, each with the file and the key.
"""

from __future__ import annotations

import fnmatch
import functools
import tomllib
from collections.abc import Mapping as AnyMapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from peermatch._core.files import normal_column, read_text_file
from peermatch._core.text import did_you_mean, shown
from peermatch.errors import InputError, Problem
from peermatch.profiles._labels import code_for, label_key
from peermatch.profiles._tabular import model_for
from peermatch.profiles._vocab import (
    ISO_639_1,
    ActivityLevel,
    CommunicationStyle,
    Complication,
    ContactFrequency,
    ContactMode,
    Diet,
    GlucoseMonitoring,
    LifeStage,
    Sex,
    Slot,
    SupportGoal,
    Treatment,
)

__all__ = [
    "ENUM_FIELDS",
    "SET_FIELDS",
    "IntakeMap",
    "load_mapping",
    "value_key",
    "vocabulary_code",
]

#: Fields holding one vocabulary value.
ENUM_FIELDS: dict[str, type[StrEnum]] = {
    "sex": Sex,
    "activity_level": ActivityLevel,
    "glucose_monitoring": GlucoseMonitoring,
    "contact_frequency": ContactFrequency,
}
#: Fields holding a set of vocabulary values.
ENUM_SET_FIELDS: dict[str, type[StrEnum]] = {
    "life_stage": LifeStage,
    "diet": Diet,
    "treatments": Treatment,
    "complications": Complication,
    "support_goals": SupportGoal,
    "contact_modes": ContactMode,
    "communication_style": CommunicationStyle,
    "availability": Slot,
}
#: Fields whose cells hold several values (split at the separator).
SET_FIELDS = frozenset([*ENUM_SET_FIELDS, "languages", "interests", "vetoes", "preferred"])
#: Fields whose every value must be a vocabulary code or label.
VOCABULARY_FIELDS = frozenset([*ENUM_FIELDS, *ENUM_SET_FIELDS, "languages"])

_TOP_KEYS = (
    "ignore",
    "separator",
    "skip_rows",
    "redcap_dictionary",
    "columns",
    "values",
    "filter",
)


def value_key(text: str) -> str:
    """A source value as looked up in ``[values.FIELD]``: any case, spaces collapsed."""
    return " ".join(text.casefold().split())


_CODES: dict[str, frozenset[str]] = {
    fld: frozenset(m.value for m in enum)
    for fld, enum in {**ENUM_FIELDS, **ENUM_SET_FIELDS}.items()
}


@functools.lru_cache(maxsize=8192)
def vocabulary_code(fld: str, text: str) -> str | None:
    """The code that ``text`` (a code or a label, any case) names in ``fld``'s vocabulary."""
    if fld == "languages":
        low = text.strip().lower()
        return low if low in ISO_639_1 else code_for("languages", text)
    codes = _CODES.get(fld)
    if codes is None:
        return None
    low = text.strip().lower().replace(" ", "_").replace("-", "_")
    if low in codes:
        return low
    return code_for(fld, text)


@dataclass(frozen=True)
class IntakeMap:
    """A loaded mapping (see the module docstring); :meth:`identity` is "no mapping".

    ``values`` maps a field to ``{value_key(source value): codes}``; an empty tuple of codes
    means "not given".
    """

    kind: str
    label: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    ignore: tuple[str, ...] = ()
    separator: str = ";"
    skip_rows: int = 0
    filter: dict[str, tuple[str, ...]] = field(default_factory=dict)
    redcap_dictionary: Path | None = None
    given: bool = True

    @classmethod
    def identity(cls, kind: str) -> IntakeMap:
        """No mapping: columns are named after the fields."""
        return cls(kind=kind, given=False)

    def ignored(self, column: str) -> bool:
        """Whether a source column is to be dropped (names and patterns, any case)."""
        name = normal_column(column)
        return any(
            fnmatch.fnmatchcase(name, normal_column(p))
            if any(c in p for c in "*?[")
            else name == normal_column(p)
            for p in self.ignore
        )

    def key(self, *parts: str) -> str:
        """A key path as named in problems (``values.sex``)."""
        return ".".join(parts)


def load_mapping(source: str | Path | AnyMapping[str, Any] | None, kind: str) -> IntakeMap:
    """Load and check a mapping (a TOML file or the same structure as a dict).

    Raises
    ------
    InputError
        Listing every problem, each with the file and the key.
    """
    if source is None:
        return IntakeMap.identity(kind)
    if isinstance(source, IntakeMap):
        return source
    base: Path | None = None
    if isinstance(source, str | Path):
        label = str(source)
        text = read_text_file(source)
        try:
            data: AnyMapping[str, Any] = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise InputError([Problem(label, None, None, f"not valid TOML: {exc}")]) from None
        base = Path(source).parent
    elif isinstance(source, AnyMapping):
        label, data = "mapping", source
    else:
        raise InputError(
            [
                Problem(
                    None,
                    None,
                    "mapping",
                    f"expected a mapping file (.toml) or a dict, found {shown(source)}",
                )
            ]
        )
    return _Checker(label, kind, base).check(data)


class _Checker:
    def __init__(self, label: str, kind: str, base: Path | None) -> None:
        self.label = label
        self.kind = kind
        self.base = base
        self.problems: list[Problem] = []
        self.fields = model_for(kind)[1]

    def bad(self, key: str | None, message: str) -> None:
        self.problems.append(Problem(self.label, None, key, message))

    def check(self, data: AnyMapping[str, Any]) -> IntakeMap:
        for key in data:
            if key not in _TOP_KEYS:
                self.bad(str(key), "unknown key" + did_you_mean(str(key), _TOP_KEYS))
        ignore = self._strings(data.get("ignore", []), "ignore")
        separator = data.get("separator", ";")
        if not isinstance(separator, str) or not separator.strip() or len(separator) > 5:
            self.bad(
                "separator",
                f"expected a short separator such as ';' or ', ', found {shown(separator)}",
            )
            separator = ";"
        skip = data.get("skip_rows", 0)
        if isinstance(skip, bool) or not isinstance(skip, int) or skip < 0:
            self.bad("skip_rows", f"expected a whole number at least 0, found {shown(skip)}")
            skip = 0
        dictionary = None
        if "redcap_dictionary" in data:
            raw = data["redcap_dictionary"]
            if isinstance(raw, str) and raw.strip():
                path = Path(raw)
                dictionary = path if path.is_absolute() or self.base is None else self.base / path
            else:
                self.bad("redcap_dictionary", f"expected a file name, found {shown(raw)}")
        columns = self._columns(data.get("columns", {}))
        for fld, column in columns.items():
            if column in ignore or any(normal_column(column) == normal_column(i) for i in ignore):
                self.bad(f"columns.{fld}", f"column {column!r} is also listed in ignore")
        values = self._values(data.get("values", {}))
        filters = self._filter(data.get("filter", {}))
        if self.problems:
            raise InputError(self.problems)
        return IntakeMap(
            kind=self.kind,
            label=self.label,
            columns=columns,
            values=values,
            ignore=tuple(ignore),
            separator=separator,
            skip_rows=skip,
            filter=filters,
            redcap_dictionary=dictionary,
        )

    def _table(self, value: object, key: str) -> AnyMapping[str, Any]:
        if isinstance(value, AnyMapping):
            return value
        self.bad(key, f"expected a table ([{key}]), found {shown(value)}")
        return {}

    def _strings(self, value: object, key: str) -> list[str]:
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return [v for v in value if v.strip()]
        self.bad(key, f"expected a list of column names, found {shown(value)}")
        return []

    def _field(self, name: str, key: str) -> bool:
        if name in self.fields:
            return True
        _, other = model_for("peer" if self.kind == "participant" else "participant")
        if name in other:
            theirs = "peer leaders" if self.kind == "participant" else "participants"
            self.bad(key, f"unknown field {name!r}: it is a field of {theirs}")
        else:
            self.bad(key, f"unknown field {name!r}" + did_you_mean(name, self.fields))
        return False

    def _columns(self, raw: object) -> dict[str, str]:
        out: dict[str, str] = {}
        by_column: dict[str, str] = {}
        for name, column in self._table(raw, "columns").items():
            key = f"columns.{name}"
            if not self._field(str(name), key):
                continue
            if not isinstance(column, str) or not column.strip():
                self.bad(key, f"expected the name of a source column, found {shown(column)}")
                continue
            norm = normal_column(column)
            if norm in by_column:
                self.bad(
                    key,
                    f"column {column!r} is mapped twice (to {by_column[norm]} and {name}); "
                    "a column gives one field",
                )
                continue
            by_column[norm] = str(name)
            out[str(name)] = column
        return out

    def _values(self, raw: object) -> dict[str, dict[str, tuple[str, ...]]]:
        out: dict[str, dict[str, tuple[str, ...]]] = {}
        for name, table in self._table(raw, "values").items():
            fld = str(name)
            if not self._field(fld, f"values.{fld}"):
                continue
            if fld in ("id", "importance"):
                self.bad(f"values.{fld}", f"{fld} takes no value table")
                continue
            entries: dict[str, tuple[str, ...]] = {}
            firsts: dict[str, str] = {}
            for source_value, target in self._table(table, f"values.{fld}").items():
                key = f"values.{fld}.{source_value}"
                codes = self._targets(fld, target, key)
                if codes is None:
                    continue
                vkey = value_key(str(source_value))
                if vkey in entries and entries[vkey] != codes:
                    self.bad(key, f"gives {firsts[vkey]!r} again (in another case or spacing)")
                    continue
                entries[vkey] = codes
                firsts.setdefault(vkey, str(source_value))
            out[fld] = entries
        return out

    def _targets(self, fld: str, target: object, key: str) -> tuple[str, ...] | None:
        items: list[object] = target if isinstance(target, list) else [target]
        if isinstance(target, list) and fld not in SET_FIELDS:
            self.bad(key, f"{fld} holds one value; give one, not a list")
            return None
        codes: list[str] = []
        for item in items:
            if not isinstance(item, str | int | float) or isinstance(item, bool):
                self.bad(key, f'expected a value or "" (not given), found {shown(item)}')
                return None
            text = str(item).strip()
            if not text:
                continue
            if fld in VOCABULARY_FIELDS:
                code = vocabulary_code(fld, text)
                if code is None:
                    self.bad(key, _not_in_vocabulary(fld, text))
                    return None
                text = code
            codes.append(text)
        return tuple(dict.fromkeys(codes))

    def _filter(self, raw: object) -> dict[str, tuple[str, ...]]:
        out: dict[str, tuple[str, ...]] = {}
        for column, wanted in self._table(raw, "filter").items():
            items = wanted if isinstance(wanted, list) else [wanted]
            if not items or not all(
                isinstance(v, str | int) and not isinstance(v, bool) for v in items
            ):
                self.bad(
                    f"filter.{column}",
                    f"expected a value or a list of values, found {shown(wanted)}",
                )
                continue
            out[str(column)] = tuple(str(v).strip() for v in items)
        return out


def _not_in_vocabulary(fld: str, text: str) -> str:
    from peermatch.profiles._labels import LABELS

    table = LABELS[fld]
    pool = [*table, *(label_key(v) for v in table.values())]
    hint = did_you_mean(label_key(text), pool)
    some = ", ".join(list(table)[:8]) + (", ..." if len(table) > 8 else "")
    return f"{text!r} is not a value of {fld}{hint}; expected a code or its label ({some})"
