"""A catalogue of bad inputs a coordinator's spreadsheet or a script can produce.

Each case gives the exact file content, a fragment of the expected message and, where one
applies, the expected ``FILE:ROW: FIELD`` prefix. Every case runs through the library
(``read_participants`` / ``read_peers`` / ``MatchConfig.from_file`` / ``check_references``)
and through the command line in a real subprocess (exit code 2, the message on standard error,
no traceback). Inputs that can be normalised safely are in a second catalogue: they must be
accepted, with the values they normalise to.
"""

from __future__ import annotations

import codecs
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pytest

from peermatch import InputError, MatchConfig, read_participants, read_peers
from peermatch.io._profiles import check_references, read_table

Side = Literal["participant", "peer", "config", "refs"]

GOOD_PARTICIPANTS = "id,age,languages\nP1,40,en\nP2,55,en;fr\n"
GOOD_PEERS = "id,age,languages,capacity\nL1,60,en,2\nL2,50,fr,1\n"
MISSING = object()  # the file does not exist
FOLDER = object()  # a folder where a file is expected


@dataclass(frozen=True)
class Case:
    """One bad input.

    ``where`` is ``(row, field)``: the expected message starts ``FILE:ROW: FIELD: `` (``row``
    or ``field`` None when the problem has none). ``refs`` cases give two files: ``content``
    for participants and ``peers`` for leaders, with the problem in ``where_file``.
    """

    id: str
    side: Side
    name: str
    content: str | bytes | object
    fragment: str
    where: tuple[int | None, str | None] = (None, None)
    peers: str = GOOD_PEERS
    where_file: Literal["participants", "peers"] = "participants"
    patch: dict[str, int] = field(default_factory=dict)


def p_csv(header: str, *rows: str) -> str:
    return "\n".join([header, *rows]) + "\n"


def p_json(*records: object) -> str:
    return json.dumps(list(records))


REC = {"id": "P1", "age": 40, "languages": ["en"]}

CASES: list[Case] = [
    # -- file level: emptiness, header, delimiter, encoding, type ----------------------------
    Case("empty file", "participant", "p.csv", "", "the file is empty"),
    Case("only blank lines", "participant", "p.csv", "\n   \n\r\n", "the file is empty"),
    Case(
        "header only",
        "participant",
        "p.csv",
        "id,age,languages\n",
        "the file has a header but no profiles",
        (1, None),
    ),
    Case(
        "header and Excel's empty rows only",
        "participant",
        "p.csv",
        "id,age,languages\r\n,,\r\n,,\r\n",
        "the file has a header but no profiles",
        (1, None),
    ),
    Case(
        "no header",
        "participant",
        "p.csv",
        "P1,40,en\nP2,55,fr\n",
        "no header row: the first line must name the columns",
        (1, None),
    ),
    Case(
        "semicolon-delimited",
        "participant",
        "p.csv",
        "id;age;languages\nP1;40;en\n",
        "the file is semicolon-delimited; save it comma-separated (CSV)",
        (1, None),
    ),
    Case(
        "semicolon-delimited with quoted cells",
        "participant",
        "p.csv",
        '"id";"age";"languages"\r\n"P1";"40";"en"\r\n',
        "the file is semicolon-delimited; save it comma-separated (CSV)",
        (1, None),
    ),
    Case(
        "semicolon-delimited with decimal commas (European spreadsheet)",
        "participant",
        "p.csv",
        "id;age;languages;hba1c\nP1;40;en;7,5\n",
        "inside a cell, ';' separates several values",
        (1, None),
    ),
    Case(
        "tab-separated",
        "participant",
        "p.csv",
        "id\tage\tlanguages\nP1\t40\ten\n",
        "the file is tab-separated; save it comma-separated",
        (1, None),
    ),
    Case(
        "Latin-1 bytes",
        "participant",
        "p.csv",
        "id,age,languages,region\nP1,40,en,Montr\xe9al\n".encode("latin-1"),
        "not UTF-8 text (byte 0xe9; the file probably uses a legacy encoding such as "
        "Windows-1252 or Latin-1); save it as UTF-8",
        (2, None),
    ),
    Case(
        "UTF-16 with byte-order mark (Excel 'Unicode text')",
        "participant",
        "p.csv",
        "id,age,languages\nP1,40,en\n".encode("utf-16"),
        "the file is UTF-16 text",
    ),
    Case(
        "UTF-16 without byte-order mark",
        "participant",
        "p.csv",
        "id,age,languages\nP1,40,en\n".encode("utf-16-le"),
        "looks like UTF-16 text",
    ),
    Case(
        "UTF-32",
        "participant",
        "p.csv",
        codecs.BOM_UTF32_LE + "id,age,languages\n".encode("utf-32-le"),
        "the file is UTF-32 text",
    ),
    Case(
        "workbook saved with a .csv name",
        "participant",
        "p.csv",
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00",
        "this is a spreadsheet workbook (.xlsx, .xls or .ods), not CSV text",
    ),
    Case(
        ".xlsx file",
        "participant",
        "p.xlsx",
        b"PK\x03\x04",
        "unknown file type '.xlsx': in the spreadsheet, Save As 'CSV UTF-8 (comma delimited)'",
    ),
    Case(
        ".txt file",
        "participant",
        "p.txt",
        GOOD_PARTICIPANTS,
        "unknown file type '.txt': save the profiles as .csv (comma-separated) or .json",
    ),
    Case(
        "binary content",
        "participant",
        "p.csv",
        b"id,age,languages\nP1,40,e\x00n\n",
        "binary content: expected a text file",
    ),
    Case("non-existent file", "participant", "missing.csv", MISSING, "cannot read: No such file"),
    Case("folder given as a file", "participant", "folder.csv", FOLDER, "is a folder, not a file"),
    Case(
        "file beyond the size limit",
        "participant",
        "p.csv",
        GOOD_PARTICIPANTS + "P3,60,en\n" * 10,
        "the file is too large (128 bytes; the limit is 64 bytes)",
        patch={"MAX_FILE_BYTES": 64},
    ),
    Case(
        "more profiles than the row limit",
        "participant",
        "p.csv",
        p_csv("id,age,languages", "P1,40,en", "P2,41,en", "P3,42,en"),
        "more than 2 profiles",
        (4, None),
        patch={"MAX_ROWS": 2},
    ),
    # -- structure: rows and columns ---------------------------------------------------------
    Case(
        "ragged row (too few cells)",
        "participant",
        "p.csv",
        p_csv("id,age,languages", "P1,40"),
        "row has 2 cells but the header has 3 columns",
        (2, None),
    ),
    Case(
        "ragged row (too many cells)",
        "participant",
        "p.csv",
        p_csv("id,age,languages", "P1,40,en,fr"),
        "row has 4 cells but the header has 3 columns",
        (2, None),
    ),
    Case(
        "duplicate columns",
        "participant",
        "p.csv",
        p_csv("id,age,Age,languages", "P1,40,41,en"),
        "duplicate column (columns 2 and 3)",
        (1, "age"),
    ),
    Case(
        "unknown column, with suggestion",
        "participant",
        "p.csv",
        p_csv("id,age,languages,comunication_style", "P1,40,en,listener"),
        "unknown column 'comunication_style' — did you mean 'communication_style'?",
        (1, "comunication_style"),
    ),
    Case(
        "column that belongs to the other file",
        "participant",
        "p.csv",
        p_csv("id,age,languages,capacity", "P1,40,en,3"),
        "unknown column 'capacity': it is a field of peer leaders, not of participants",
        (1, "capacity"),
    ),
    Case(
        "required column missing",
        "participant",
        "p.csv",
        p_csv("id,languages", "P1,en"),
        "required column is missing",
        (1, "age"),
    ),
    Case(
        "unnamed column holding values (pandas index)",
        "participant",
        "p.csv",
        p_csv(",id,age,languages", "0,P1,40,en", "1,P2,50,en"),
        "column 1 has no name in the header but holds values (a spreadsheet or pandas index?",
        (2, None),
    ),
    Case(
        "header repeated (two files joined)",
        "participant",
        "p.csv",
        p_csv("id,age,languages", "P1,40,en", "id,age,languages", "P2,50,en"),
        "this row repeats the header row 1 (were two files joined?)",
        (3, None),
    ),
    Case(
        "quote never closed",
        "participant",
        "p.csv",
        p_csv("id,age,languages", 'P1,40,"en', "P2,50,en"),
        "malformed CSV: a quoted cell that starts on this row is never closed",
        (2, None),
    ),
    Case(
        "text after a closing quote",
        "participant",
        "p.csv",
        p_csv("id,age,languages", 'P1,40,"en"fr'),
        "malformed CSV: a quoted cell must end at a comma",
        (2, None),
    ),
    Case(
        "row number after a cell with line breaks is the spreadsheet's row",
        "participant",
        "p.csv",
        'id,age,languages,interests\r\nP1,40,en,"walking;\r\ncooking"\r\nP2,forty,en,\r\n',
        "expected a whole number from 18 to 110, found 'forty'",
        (3, "age"),
    ),
    # -- values ------------------------------------------------------------------------------
    Case(
        "number with units",
        "participant",
        "p.csv",
        p_csv("id,age,languages", "P1,45 yrs,en"),
        "expected a whole number from 18 to 110, found '45 yrs': write the number only (45)",
        (2, "age"),
    ),
    Case(
        "decimal comma",
        "participant",
        "p.csv",
        p_csv("id,age,languages,diabetes_years", 'P1,45,en,"7,5"'),
        "found '7,5': use a decimal point (7.5)",
        (2, "diabetes_years"),
    ),
    Case(
        "HbA1c with a percent sign",
        "participant",
        "p.csv",
        p_csv("id,age,languages,hba1c", "P1,45,en,7.2%"),
        "found '7.2%': write the number only (7.2)",
        (2, "hba1c"),
    ),
    Case(
        "NaN in CSV",
        "participant",
        "p.csv",
        p_csv("id,age,languages,hba1c", "P1,45,en,NaN"),
        "expected a number from 3 to 20, found 'NaN' (not a finite number)",
        (2, "hba1c"),
    ),
    Case(
        "inf in CSV",
        "participant",
        "p.csv",
        p_csv("id,age,languages,diabetes_years", "P1,45,en,-inf"),
        "found '-inf' (not a finite number)",
        (2, "diabetes_years"),
    ),
    Case(
        "NaN in JSON",
        "participant",
        "p.json",
        '[{"id": "P1", "age": NaN, "languages": ["en"]}]',
        "NaN is not allowed (numbers must be finite)",
        (1, "age"),
    ),
    Case(
        "Infinity in JSON",
        "participant",
        "p.json",
        '[{"id": "P1", "age": 40, "languages": ["en"], "hba1c": -Infinity}]',
        "-Infinity is not allowed (numbers must be finite)",
        (1, "hba1c"),
    ),
    Case(
        "number overflowing to inf in JSON",
        "participant",
        "p.json",
        '[{"id": "P1", "age": 40, "languages": ["en"], "diabetes_years": 1e999}]',
        "expected a number from 0 to 80, found inf (not a finite number)",
        (1, "diabetes_years"),
    ),
    Case(
        "integer with thousands of digits in JSON",
        "participant",
        "p.json",
        '[{"id": "P1", "age": ' + "9" * 5000 + ', "languages": ["en"]}]',
        "expected a whole number from 18 to 110, found inf (not a finite number)",
        (1, "age"),
    ),
    Case(
        "NaN as a region in JSON",
        "participant",
        "p.json",
        '[{"id": "P1", "age": 40, "languages": ["en"], "region": NaN}]',
        "NaN is not allowed (numbers must be finite)",
        (1, "region"),
    ),
    Case(
        "age out of range",
        "participant",
        "p.csv",
        p_csv("id,age,languages", "P1,17,en"),
        "found '17' (out of range)",
        (2, "age"),
    ),
    Case(
        "id with spaces",
        "participant",
        "p.csv",
        p_csv("id,age,languages", "P 01,40,en"),
        "id 'P 01' may use only letters, digits, '_', '.' and '-'",
        (2, "id"),
    ),
    Case(
        "duplicate ids",
        "participant",
        "p.csv",
        p_csv("id,age,languages", "P1,40,en", "P2,41,en", "P1,42,en"),
        "duplicate id 'P1' (first on row 2)",
        (4, "id"),
    ),
    Case(
        "duplicate ids that differ only by whitespace",
        "participant",
        "p.csv",
        p_csv("id,age,languages", "P1,40,en", " P1 ,41,en"),
        "duplicate id 'P1' (first on row 2)",
        (3, "id"),
    ),
    Case(
        "enum value misspelt",
        "participant",
        "p.csv",
        p_csv("id,age,languages,sex", "P1,40,en,femal"),
        "'femal' is not valid — did you mean 'female'?",
        (2, "sex"),
    ),
    Case(
        "set value misspelt",
        "participant",
        "p.csv",
        p_csv("id,age,languages,availability", "P1,40,en,mon_morning;monday_evening"),
        "not valid: 'monday_evening'",
        (2, "availability"),
    ),
    Case(
        "language name instead of ISO code",
        "participant",
        "p.csv",
        p_csv("id,age,languages", "P1,40,English"),
        "not an ISO 639-1 two-letter language code: 'english'",
        (2, "languages"),
    ),
    Case(
        "required value empty",
        "participant",
        "p.csv",
        p_csv("id,age,languages", "P1,40,"),
        "required",
        (2, "languages"),
    ),
    Case(
        "must on a criterion the participant left empty",
        "participant",
        "p.csv",
        p_csv("id,age,languages,importance", "P1,40,en,sex:must"),
        "marks sex as 'must' but leaves it empty: a 'must' asks the other side to match this "
        "person's own value; give the value or lower the importance",
        (2, "importance"),
    ),
    Case(
        "importance written with '='",
        "participant",
        "p.csv",
        p_csv("id,age,languages,sex,importance", "P1,40,en,male,sex=must"),
        "malformed entry 'sex=must': write criterion:level pairs",
        (2, "importance"),
    ),
    Case(
        "preferred leader also vetoed",
        "participant",
        "p.csv",
        p_csv("id,age,languages,vetoes,preferred", "P1,40,en,L1,L2;L1"),
        "lists 'L1', which vetoes also lists",
        (2, "preferred"),
        peers=GOOD_PEERS,
    ),
    # -- JSON structure ----------------------------------------------------------------------
    Case(
        "JSON object instead of a list",
        "participant",
        "p.json",
        json.dumps(REC),
        "expected a JSON list of objects, found an object",
    ),
    Case(
        "JSON null", "participant", "p.json", "null", "expected a JSON list of objects, found null"
    ),
    Case(
        "JSON list of non-objects",
        "participant",
        "p.json",
        '[1, "P2"]',
        "expected an object, found a number",
        (1, None),
    ),
    Case("JSON empty list", "participant", "p.json", "[]", "the list holds no profiles"),
    Case(
        "JSON syntax error", "participant", "p.json", '[{"id": "P1",\n', "not valid JSON", (2, None)
    ),
    Case(
        "JSON nested too deep",
        "participant",
        "p.json",
        "[" * 50_000 + "]" * 50_000,
        "nested too deep",
    ),
    Case(
        "JSON key given twice",
        "participant",
        "p.json",
        '[{"id": "P1", "age": 40, "age": 41, "languages": ["en"]}]',
        "field given twice",
        (1, "age"),
    ),
    Case(
        "JSON unknown field, with suggestion",
        "participant",
        "p.json",
        p_json({**REC, "agee": 3}),
        "unknown field 'agee' — did you mean 'age'?",
        (1, "agee"),
    ),
    Case(
        "JSON id that is a number",
        "participant",
        "p.json",
        p_json({**REC, "id": 17}),
        "expected an id (text), found 17",
        (1, "id"),
    ),
    Case(
        "JSON set given as a number",
        "participant",
        "p.json",
        p_json({**REC, "languages": 5}),
        "expected language codes separated by ';' or a list, found 5",
        (1, "languages"),
    ),
    # -- peer leaders ------------------------------------------------------------------------
    Case(
        "negative capacity",
        "peer",
        "l.csv",
        p_csv("id,age,languages,capacity", "L1,60,en,-1"),
        "expected a whole number from 0 to 50, found '-1' (out of range)",
        (2, "capacity"),
    ),
    Case(
        "fractional capacity",
        "peer",
        "l.csv",
        p_csv("id,age,languages,capacity", "L1,60,en,2.5"),
        "found '2.5' (not a whole number)",
        (2, "capacity"),
    ),
    Case(
        "capacity in words",
        "peer",
        "l.csv",
        p_csv("id,age,languages,capacity", "L1,60,en,two"),
        "expected a whole number from 0 to 50, found 'two'",
        (2, "capacity"),
    ),
    Case(
        "fractional capacity in JSON",
        "peer",
        "l.json",
        '[{"id": "L1", "age": 60, "languages": ["en"], "capacity": 1.5}]',
        "found 1.5 (not a whole number)",
        (1, "capacity"),
    ),
    Case(
        "active is not a boolean",
        "peer",
        "l.csv",
        p_csv("id,age,languages,active", "L1,60,en,maybe"),
        "expected true or false (also yes/no, 1/0), found 'maybe'",
        (2, "active"),
    ),
    Case(
        "participant column in the peers file",
        "peer",
        "l.csv",
        p_csv("id,age,languages,preferred", "L1,60,en,P1"),
        "unknown column 'preferred': it is a field of participants, not of peer leaders",
        (1, "preferred"),
    ),
    Case(
        "leader must on a field the leader left empty",
        "peer",
        "l.csv",
        p_csv("id,age,languages,importance", "L1,60,en,sex:must"),
        "marks sex as 'must' but leaves it empty",
        (2, "importance"),
    ),
    # -- cross-file references (validate and the CLI) ----------------------------------------
    Case(
        "vetoes naming an unknown leader",
        "refs",
        "p.csv",
        p_csv("id,age,languages,vetoes", "P1,40,en,L01"),
        "'L01' is not a peer leader id in {peers} — did you mean 'L1'?",
        (2, "vetoes"),
    ),
    Case(
        "preferred naming an unknown leader",
        "refs",
        "p.csv",
        p_csv("id,age,languages,preferred", "P1,40,en,L1;X9"),
        "'X9' is not a peer leader id in {peers}",
        (2, "preferred"),
    ),
    Case(
        "preferred naming a participant (wrong side)",
        "refs",
        "p.csv",
        p_csv("id,age,languages,preferred", "P1,40,en,", "P2,40,en,P1"),
        "'P1' is a participant id; preferred lists peer leader ids",
        (3, "preferred"),
    ),
    Case(
        "participant vetoing a participant (wrong side)",
        "refs",
        "p.csv",
        p_csv("id,age,languages,vetoes", "P1,40,en,P2", "P2,40,en,"),
        "'P2' is a participant id; vetoes lists peer leader ids",
        (2, "vetoes"),
    ),
    Case(
        "leader vetoing an unknown participant",
        "refs",
        "p.csv",
        GOOD_PARTICIPANTS,
        "'P7' is not a participant id in {participants}",
        (3, "vetoes"),
        peers=p_csv("id,age,languages,vetoes", "L1,60,en,", "L2,50,en,P7"),
        where_file="peers",
    ),
    Case(
        "leader vetoing a leader (wrong side)",
        "refs",
        "p.csv",
        GOOD_PARTICIPANTS,
        "'L1' is a peer leader id; vetoes lists participant ids",
        (2, "vetoes"),
        peers=p_csv("id,age,languages,vetoes", "L1,60,en,L1"),
        where_file="peers",
    ),
    # -- configuration -----------------------------------------------------------------------
    Case(
        "config unknown key",
        "config",
        "c.toml",
        "min_scor = 0.2\n",
        "unknown key — did you mean 'min_score'?",
        (None, "min_scor"),
    ),
    Case(
        "config unknown criterion parameter",
        "config",
        "c.toml",
        "[criteria.age]\nwieght = 2\n",
        "unknown key — did you mean 'weight'?",
        (None, "criteria.age.wieght"),
    ),
    Case(
        "config unknown criterion",
        "config",
        "c.toml",
        "[criteria.langauges]\nweight = 2\n",
        "unknown criterion 'langauges' — did you mean 'languages'?",
        (None, "criteria.langauges"),
    ),
    Case(
        "config negative weight",
        "config",
        "c.toml",
        "[criteria.age]\nweight = -1\n",
        "expected a number at least 0, found -1",
        (None, "criteria.age.weight"),
    ),
    Case(
        "config NaN weight",
        "config",
        "c.toml",
        "[criteria.age]\nweight = nan\n",
        "expected a finite number, found nan",
        (None, "criteria.age.weight"),
    ),
    Case(
        "config all weights zero",
        "config",
        "c.toml",
        'preset = "c2c_baseline"\n[criteria.sex]\nweight = 0\n[criteria.region]\nweight = 0\n'
        "[criteria.availability]\nweight = 0\n",
        "every criterion weight is 0, so every pair would score 0",
    ),
    Case(
        "config with no criteria",
        "config",
        "c.toml",
        'preset = "none"\n',
        'no criteria: with preset = "none" give at least one [criteria.NAME] table',
        (None, "criteria"),
    ),
    Case(
        "config min_score above 1",
        "config",
        "c.toml",
        "min_score = 2\n",
        "expected a number at most 1, found 2",
        (None, "min_score"),
    ),
    Case(
        "config weight as text",
        "config",
        "c.toml",
        '[criteria.age]\nweight = "high"\n',
        'expected a number, found "high"',
        (None, "criteria.age.weight"),
    ),
    Case(
        "config weight as a boolean",
        "config",
        "c.toml",
        "[criteria.age]\nweight = true\n",
        "expected a number, found true",
        (None, "criteria.age.weight"),
    ),
    Case(
        "config number given as text",
        "config",
        "c.toml",
        'preference_bonus = "0.1"\n',
        'expected a number, found "0.1"',
        (None, "preference_bonus"),
    ),
    Case(
        "config hard as a number",
        "config",
        "c.toml",
        "[criteria.age]\nhard = 1\n",
        "expected true or false, found 1",
        (None, "criteria.age.hard"),
    ),
    Case(
        "config fractional count",
        "config",
        "c.toml",
        '[criteria.interests]\nkind = "overlap"\nmin_shared = 1.5\n',
        "expected a whole number, found 1.5",
        (None, "criteria.interests.min_shared"),
    ),
    Case(
        "config kind unsuited to the field",
        "config",
        "c.toml",
        '[criteria.sex]\nkind = "jaccard"\n',
        "sex: kind 'jaccard' does not suit this field",
        (None, "criteria"),
    ),
    Case(
        "config new criterion without kind",
        "config",
        "c.toml",
        "[criteria.hba1c]\nweight = 1\n",
        "the preset does not define this criterion, so give its kind",
        (None, "criteria.hba1c.kind"),
    ),
    Case(
        "config unknown solver",
        "config",
        "c.toml",
        'solver = "magic"\n',
        "unknown solver 'magic'; expected one of:",
        (None, "solver"),
    ),
    Case(
        "config negative balance",
        "config",
        "c.toml",
        "balance = -0.5\n",
        "expected a number at least 0, found -0.5",
        (None, "balance"),
    ),
    Case(
        "config balance with another solver",
        "config",
        "c.toml",
        'balance = 0.5\nsolver = "stable"\n',
        "balance = 0.5 evens out caseloads in the 'hungarian' solver only",
    ),
    Case("config not TOML", "config", "c.toml", "min_score = \n", "not valid TOML"),
    Case(
        "config Latin-1 bytes",
        "config",
        "c.toml",
        "# caf\xe9\nmin_score = 0.1\n".encode("latin-1"),
        "not UTF-8 text (byte 0xe9; the file probably uses a legacy encoding",
        (1, None),
    ),
    Case(
        "config saved as a workbook",
        "config",
        "c.toml",
        b"PK\x03\x04" + bytes(40),
        "this is a spreadsheet workbook",
    ),
]


def _write(path: Path, content: str | bytes | object) -> None:
    if content is MISSING:
        return
    if content is FOLDER:
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        assert isinstance(content, str)
        path.write_bytes(content.encode("utf-8"))


@dataclass(frozen=True)
class Files:
    participants: Path
    peers: Path
    config: Path | None

    @property
    def bad(self) -> Path:
        return self.config if self.config is not None else self.participants


def _files(case: Case, tmp_path: Path) -> Files:
    config = None
    if case.side == "config":
        p, leaders, config = tmp_path / "p.csv", tmp_path / "l.csv", tmp_path / case.name
        p.write_text(GOOD_PARTICIPANTS)
        leaders.write_text(GOOD_PEERS)
        _write(config, case.content)
    elif case.side == "peer":
        p, leaders = tmp_path / "p.csv", tmp_path / case.name
        p.write_text(GOOD_PARTICIPANTS)
        _write(leaders, case.content)
    else:
        p, leaders = tmp_path / case.name, tmp_path / "l.csv"
        _write(p, case.content)
        _write(leaders, case.peers)
    return Files(p, leaders, config)


def _expected(case: Case, files: Files) -> tuple[str, str]:
    """(message fragment, prefix) with file names filled in."""
    if case.side == "refs":
        bad = files.peers if case.where_file == "peers" else files.participants
    elif case.side == "peer":
        bad = files.peers
    else:
        bad = files.bad
    fragment = case.fragment.format(participants=files.participants, peers=files.peers)
    row, fld = case.where
    loc = str(bad) + (f":{row}" if row is not None else "")
    prefix = f"{loc}: {fld}: " if fld else f"{loc}: "
    return fragment, prefix


def _library_problems(case: Case, files: Files) -> list[str]:
    if case.side == "config":
        with pytest.raises(InputError) as exc:
            MatchConfig.from_file(files.bad)
        return [str(p) for p in exc.value.problems]
    if case.side == "refs":
        problems = check_references(
            read_table(files.participants, "participant"), read_table(files.peers, "peer")
        )
        assert problems, "expected reference problems"
        return [str(p) for p in problems]
    reader = read_peers if case.side == "peer" else read_participants
    path = files.peers if case.side == "peer" else files.participants
    with pytest.raises(InputError) as exc:
        reader(path)
    assert isinstance(exc.value, ValueError)
    return [str(p) for p in exc.value.problems]


def _assert_reported(lines: list[str], fragment: str, prefix: str) -> None:
    hits = [ln for ln in lines if ln.startswith(prefix) and fragment in ln]
    assert hits, f"no line starts with {prefix!r} and contains {fragment!r}:\n" + "\n".join(lines)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_library_reports_the_problem(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in case.patch.items():
        monkeypatch.setattr(f"peermatch._core.files.{name}", value)
    files = _files(case, tmp_path)
    fragment, prefix = _expected(case, files)
    _assert_reported(_library_problems(case, files), fragment, prefix)


def run_cli(
    args: list[str], patch: dict[str, int] | None = None
) -> subprocess.CompletedProcess[str]:
    if patch:
        code = (
            "import sys, peermatch._core.files as io\n"
            + "".join(f"io.{k} = {v!r}\n" for k, v in patch.items())
            + "from peermatch.cli._main import main\nsys.exit(main(sys.argv[1:]))\n"
        )
        cmd = [sys.executable, "-c", code, *args]
    else:
        cmd = [sys.executable, "-m", "peermatch", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def _cli_args(files: Files) -> list[str]:
    if files.config is not None:
        return ["match", str(files.participants), str(files.peers), "--config", str(files.config)]
    return ["validate", str(files.participants), str(files.peers)]


@pytest.fixture(scope="module")
def cli_runs(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, tuple[Files, subprocess.CompletedProcess[str]]]:
    """Every case through ``python -m peermatch`` in its own process, two at a time."""
    files = {}
    for case in CASES:
        folder = tmp_path_factory.mktemp("case")
        files[case.id] = _files(case, folder)
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {c.id: pool.submit(run_cli, _cli_args(files[c.id]), c.patch) for c in CASES}
        return {cid: (files[cid], fut.result()) for cid, fut in futures.items()}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_cli_exits_2_with_the_message(
    case: Case, cli_runs: dict[str, tuple[Files, subprocess.CompletedProcess[str]]]
) -> None:
    files, res = cli_runs[case.id]
    fragment, prefix = _expected(case, files)
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr and res.stdout == ""
    assert res.stderr.startswith("peermatch: ")
    _assert_reported(res.stderr.splitlines(), fragment, prefix)


def test_cli_lists_every_problem_of_every_file_at_once(tmp_path: Path) -> None:
    p, leaders, cfg = tmp_path / "p.csv", tmp_path / "l.json", tmp_path / "c.toml"
    p.write_text(p_csv("id,age,languages,sex", "P1,forty,en,femal", "P1,50,xx,male"))
    leaders.write_text('[{"id": "L1", "age": 60, "languages": ["en"], "capacity": -2}, 5]')
    cfg.write_text("min_scor = 1\n[criteria.age]\nweight = -1\n")
    res = run_cli(["match", str(p), str(leaders), "--config", str(cfg)])
    assert res.returncode == 2 and "Traceback" not in res.stderr
    lines = res.stderr.splitlines()
    assert lines[0] == "peermatch: 8 problems found:"
    for prefix in (
        f"{p}:2: age: ",
        f"{p}:2: sex: ",
        f"{p}:3: id: duplicate id 'P1'",
        f"{p}:3: languages: ",
        f"{leaders}:1: capacity: ",
        f"{leaders}:2: expected an object",
        f"{cfg}: min_scor: unknown key",
        f"{cfg}: criteria.age.weight: ",
    ):
        assert any(ln.startswith(prefix) for ln in lines), prefix


def test_every_problem_of_a_row_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text(p_csv("id,age,languages,sex,hba1c,diet", "P 1,45 yrs,english,femal,NaN,meat"))
    with pytest.raises(InputError) as exc:
        read_participants(path)
    assert [p.field for p in exc.value.problems] == [
        "age",
        "diet",
        "hba1c",
        "id",
        "languages",
        "sex",
    ]
    assert {p.row for p in exc.value.problems} == {2}


# -- accepted: inputs that normalise safely --------------------------------------------------


@dataclass(frozen=True)
class Accepted:
    id: str
    name: str
    content: str | bytes
    expect: dict[str, object]  # field -> value of the first profile (model_dump(mode="json"))
    count: int = 1


ACCEPTED: list[Accepted] = [
    Accepted(
        "UTF-8 byte-order mark",
        "p.csv",
        "\ufeffid,age,languages\nP1,40,en\n".encode(),
        {"id": "P1", "age": 40},
    ),
    Accepted(
        "byte-order mark in JSON",
        "p.json",
        ("\ufeff" + json.dumps([REC])).encode(),
        {"id": "P1"},
    ),
    Accepted(
        "mixed-case enum values and header names",
        "p.csv",
        "ID,Age,Languages,Sex,Activity Level,Life-Stage\nP1,40,EN;Fr,Female,MODERATE,"
        "Working_Full_Time\n",
        {
            "sex": "female",
            "languages": ["en", "fr"],
            "activity_level": "moderate",
            "life_stage": ["working_full_time"],
        },
    ),
    Accepted(
        "stray whitespace",
        "p.csv",
        " id , age ,languages, importance \n  P1 ,  40 , en ; fr ,  sex : low ; age:HIGH \n",
        {
            "id": "P1",
            "age": 40,
            "languages": ["en", "fr"],
            "importance": {"age": "high", "sex": "low"},
        },
    ),
    Accepted(
        "blank lines between and after rows",
        "p.csv",
        "\n\nid,age,languages\n\nP1,40,en\n\n\nP2,41,en\n\n",
        {"id": "P1"},
        count=2,
    ),
    Accepted(
        "CRLF line ends",
        "p.csv",
        "id,age,languages\r\nP1,40,en\r\nP2,41,en\r\n",
        {"id": "P1"},
        count=2,
    ),
    Accepted(
        "old Mac CR line ends",
        "p.csv",
        "id,age,languages\rP1,40,en\rP2,41,en\r",
        {"id": "P1"},
        count=2,
    ),
    Accepted(
        "no line end after the last row",
        "p.csv",
        "id,age,languages\nP1,40,en",
        {"id": "P1"},
    ),
    Accepted(
        "Excel's trailing empty columns and rows",
        "p.csv",
        "id,age,languages,,\r\nP1,40,en,,\r\n,,,,\r\n,,,,\r\n",
        {"id": "P1"},
    ),
    Accepted(
        "quoted cell with a line break and a semicolon list",
        "p.csv",
        'id,age,languages,interests\r\nP1,40,"en;fr","walking;\r\nboard games"\r\n',
        {"languages": ["en", "fr"], "interests": ["board games", "walking"]},
    ),
    Accepted(
        "quoted cells with doubled quotes and commas",
        "p.csv",
        'id,age,languages,region\nP1,"40","en","V5K, ""east"""\n',
        {"region": 'V5K, "east"'},
    ),
    Accepted(
        "whole number written with a decimal point",
        "l.csv",
        "id,age,languages,capacity,active\nL1,60.0,en,2.0,No\n",
        {"age": 60, "capacity": 2, "active": False},
    ),
    Accepted(
        "JSON with CSV string forms and empty strings",
        "p.json",
        json.dumps([{**REC, "languages": "EN; fr", "importance": "sex:low", "sex": ""}]),
        {"languages": ["en", "fr"], "importance": {"sex": "low"}, "sex": None},
    ),
    Accepted(
        "JSON with sets as arrays and maps as objects",
        "p.json",
        json.dumps([{**REC, "diet": ["Vegan", "halal"], "importance": {"Diet": "HIGH"}}]),
        {"diet": ["vegan", "halal"], "importance": {"diet": "high"}},
    ),
    Accepted(
        "semicolons inside quoted cells of a comma-separated file",
        "p.csv",
        'id,age,languages\n"P1","40","en;fr;pa"\n',
        {"languages": ["en", "fr", "pa"]},
    ),
]


@pytest.mark.parametrize("case", ACCEPTED, ids=[c.id for c in ACCEPTED])
def test_normalisable_input_is_accepted(case: Accepted, tmp_path: Path) -> None:
    path = tmp_path / case.name
    path.write_bytes(case.content if isinstance(case.content, bytes) else case.content.encode())
    kind = "peer" if case.name.startswith("l.") else "participant"
    profiles = read_table(path, kind).profiles
    assert len(profiles) == case.count
    data = profiles[0].model_dump(mode="json")
    for key, value in case.expect.items():
        assert data[key] == value, key


def test_normalisable_inputs_pass_validate_in_the_cli(tmp_path: Path) -> None:
    """One subprocess for the whole accepted catalogue (paired with a good other file)."""
    code = [
        "import sys",
        "from peermatch.cli._main import main",
        "codes = [main(['validate', p, l]) for p, l in zip(sys.argv[1::2], sys.argv[2::2])]",
        "print('CODES', codes)",
    ]
    args = []
    for k, case in enumerate(ACCEPTED):
        folder = tmp_path / str(k)
        folder.mkdir()
        path = folder / case.name
        path.write_bytes(case.content if isinstance(case.content, bytes) else case.content.encode())
        if case.name.startswith("l."):
            other = folder / "p.csv"
            other.write_text(GOOD_PARTICIPANTS)
            args += [str(other), str(path)]
        else:
            other = folder / "l.csv"
            other.write_text(GOOD_PEERS)
            args += [str(path), str(other)]
    res = subprocess.run(
        [sys.executable, "-c", "\n".join(code), *args], capture_output=True, text=True, timeout=120
    )
    assert res.returncode == 0, res.stderr
    assert f"CODES {[0] * len(ACCEPTED)}" in res.stdout, res.stdout + res.stderr
    assert "Traceback" not in res.stderr
