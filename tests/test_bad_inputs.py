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
import os
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pytest

from peermatch import (
    InputError,
    MatchConfig,
    match,
    read_endings,
    read_participants,
    read_peers,
    rematch,
)
from peermatch.io._deidentify import read_key
from peermatch.io._profiles import check_references, read_table
from peermatch.profiles._demo import generate_cohort
from peermatch.profiles._models import PARTICIPANT_FIELDS, PEER_FIELDS
from peermatch.programme._rematch import read_previous
from peermatch.scoring._config import Criterion

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
        ".xls file (an old workbook format)",
        "participant",
        "p.xls",
        b"\xd0\xcf\x11\xe0",
        "unknown file type '.xls': in the spreadsheet, Save As 'CSV UTF-8 (comma delimited)'",
    ),
    Case(
        ".xlsx file that is not a workbook",
        "participant",
        "p.xlsx",
        b"id,age,languages\nP1,40,en\n",
        "not a readable .xlsx workbook",
    ),
    Case(
        ".xlsx file that is a damaged workbook",
        "participant",
        "p.xlsx",
        b"PK\x03\x04",
        "not a readable .xlsx workbook",
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
        "a header with more columns than the limit",
        "participant",
        "p.csv",
        p_csv("id,age,languages," + ",".join(f"x{k}" for k in range(1000)), "P1,40,en"),
        "the header has 1,003 columns (the limit is 1,000)",
        (1, None),
    ),
    Case(
        "a header row longer than the limit",
        "participant",
        "p.csv",
        p_csv("id,age,languages," + "y" * 70_000, "P1,40,en,"),
        "the header row is 70,017 characters long (the limit is 65,536)",
        (1, None),
    ),
    Case(
        "a 100,000-character cell (quoted cut, never whole)",
        "participant",
        "p.csv",
        p_csv("id,age,languages,sex", "P1,40,en," + "x" * 100_000),
        "'" + "x" * 56 + "…' (100000 characters) is not valid",
        (2, "sex"),
    ),
    Case(
        "a 60,000-character column name (cut)",
        "participant",
        "p.csv",
        p_csv("id,age,languages," + "z" * 60_000, "P1,40,en,"),
        "unknown column '" + "z" * 56 + "…' (60000 characters)",
        (1, "z" * 59 + "…"),
    ),
    Case(
        "a cell listing thousands of unknown values (the first few listed)",
        "participant",
        "p.csv",
        p_csv("id,age,languages", "P1,40," + ";".join(f"q{k}" for k in range(5000))),
        "'q0', 'q1', 'q2', 'q3', 'q4' and 4995 more",
        (2, "languages"),
    ),
    Case(
        "HbA1c in mmol/mol (IFCC units)",
        "participant",
        "p.csv",
        p_csv("id,age,languages,hba1c", "P1,45,en,53"),
        "found '53' (out of range): this looks like mmol/mol (IFCC units); in % it is 7.0 "
        "(% = mmol/mol / 10.929 + 2.15)",
        (2, "hba1c"),
    ),
    Case(
        "HbA1c of 20 (not a plausible %)",
        "peer",
        "l.csv",
        p_csv("id,age,languages,hba1c", "L1,45,en,20"),
        "expected HbA1c in % from 3 to 18, found '20' (out of range): this looks like mmol/mol",
        (2, "hba1c"),
    ),
    Case(
        "HbA1c as a fraction",
        "participant",
        "p.json",
        p_json({**REC, "hba1c": 0.072}),
        "this looks like a fraction; in % it is 7.2",
        (1, "hba1c"),
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
        "expected a number from 3 to 18, found 'NaN' (not a finite number)",
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
        p_csv("id,age,languages,availability", "P1,40,en,mon_morning;mondy_evening"),
        "not valid: 'mondy_evening'",
        (2, "availability"),
    ),
    Case(
        "language name instead of ISO code",
        "participant",
        "p.csv",
        p_csv("id,age,languages", "P1,40,Englsh"),
        "not an ISO 639-1 two-letter language code: 'englsh' — did you mean 'english'?",
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
        "config weight above the maximum",
        "config",
        "c.toml",
        "[criteria.age]\nweight = 1e308\n",
        "expected a number at most 1,000,000, found 1e+308",
        (None, "criteria.age.weight"),
    ),
    Case(
        "config nested deeper than the parser allows",
        "config",
        "c.toml",
        "x = " + "[" * 600 + "]" * 600 + "\n",
        "not valid TOML: tables or arrays nested too deep",
    ),
    Case(
        "config value of 100,000 characters (cut)",
        "config",
        "c.toml",
        'solver = "' + "s" * 100_000 + '"\n',
        "unknown solver '" + "s" * 56 + "…' (100000 characters)",
        (None, "solver"),
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
    path.write_text(p_csv("id,age,languages,sex,hba1c,diet", "P 1,45 yrs,englsh,femal,NaN,meat"))
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
        "plain-language labels instead of codes, in any case",
        "p.csv",
        "id,age,languages,life_stage,availability,contact_frequency,treatments\n"
        "P1,40,English;PUNJABI,Working full time,Monday evening,every two weeks,"
        "basal insulin;GLP-1 injections\n",
        {
            "languages": ["en", "pa"],
            "life_stage": ["working_full_time"],
            "availability": ["mon_evening"],
            "contact_frequency": "biweekly",
            "treatments": ["glp1", "basal_insulin"],
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
        "cells an export neutralised against formulas ('+44, '-x;=sum)",
        "p.csv",
        "id,age,languages,region,interests\nP1,40,en,'+44,'-x;=sum\n",
        {"region": "+44", "interests": ["-x", "=sum"]},
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


# -- other inputs: key files and options ----------------------------------------------------

FIFO = object()  # a named pipe


@dataclass(frozen=True)
class Other:
    """A bad input that is not a profile or configuration file.

    ``files`` are written into the case's folder beside ``p.csv`` and ``l.csv`` (good files);
    ``library`` gets that folder and must raise InputError with ``fragment``; ``cli`` are the
    command's arguments, with ``{d}`` for the folder.
    """

    id: str
    files: dict[str, str | object]
    library: Callable[[Path], object] | None
    cli: list[str]
    fragment: str


def _rematch_with(**kw: object) -> Callable[[Path], object]:
    def run(d: Path) -> object:
        ps, ls = read_participants(d / "p.csv"), read_peers(d / "l.csv")
        return rematch(match(ps, ls), ps, ls, **kw)  # type: ignore[arg-type]

    return run


OTHERS: list[Other] = [
    Other(
        "key file is a device that never ends",
        {},
        lambda d: read_key("/dev/zero"),
        ["deidentify", "{d}/p.csv", "{d}/l.csv", "--out", "{d}/out", "--key-file", "/dev/zero"],
        "/dev/zero: is not a regular file",
    ),
    Other(
        "key file is a named pipe",
        {"key": FIFO},
        lambda d: read_key(d / "key"),
        [
            "match",
            "{d}/p.csv",
            "{d}/l.csv",
            "--deidentify",
            "--key-file",
            "{d}/key",
            "-o",
            "{d}/m.csv",
        ],
        "key: is not a regular file",
    ),
    Other(
        "key file too large",
        {"key": "k" * 5000},
        lambda d: read_key(d / "key"),
        ["deidentify", "{d}/p.csv", "{d}/l.csv", "--out", "{d}/out", "--key-file", "{d}/key"],
        "the file is too large (5 kB; the limit is 4.1 kB): a key file holds one short secret",
    ),
    Other(
        "stay bonus above the maximum",
        {},
        _rematch_with(stay_bonus=1e308),
        [
            "rematch",
            "{d}/p.csv",
            "{d}/l.csv",
            "--history",
            "{d}/h.json",
            "--stay-bonus",
            "1e308",
            "-o",
            "{d}/r.csv",
        ],
        "expected a number from 0 to 10",
    ),
    Other(
        "negative demo seed",
        {},
        lambda d: generate_cohort(10, 2, seed=-1),
        ["demo", "--seed", "-1", "--out", "{d}/demo"],
        "seed: expected a whole number >= 0, found -1",
    ),
    Other(
        "criterion weight above the maximum (library)",
        {},
        lambda d: Criterion(kind="numeric", weight=1e308),
        ["match", "{d}/p.csv", "{d}/l.csv", "--config", "{d}/c.toml", "-o", "{d}/m.csv"],
        "weight: expected a number at most 1,000,000, found 1e+308",
    ),
    Other(
        "output named like a macro-enabled workbook",
        {},
        None,
        ["match", "{d}/p.csv", "{d}/l.csv", "-o", "{d}/m.xlsm"],
        "names a spreadsheet workbook",
    ),
    Other(
        "output named like a binary workbook",
        {},
        None,
        ["shortlist", "{d}/p.csv", "{d}/l.csv", "-o", "{d}/s.xlsb"],
        "names a spreadsheet workbook",
    ),
]


def _other_folder(case: Other, folder: Path) -> Path:
    (folder / "p.csv").write_text(GOOD_PARTICIPANTS)
    (folder / "l.csv").write_text(GOOD_PEERS)
    (folder / "c.toml").write_text("[criteria.age]\nweight = 1e308\n")
    for name, content in case.files.items():
        if content is FIFO:
            os.mkfifo(folder / name)
        else:
            assert isinstance(content, str)
            (folder / name).write_text(content)
    return folder


@pytest.mark.parametrize("case", [c for c in OTHERS if c.library], ids=lambda c: c.id)
def test_other_inputs_through_the_library(case: Other, tmp_path: Path) -> None:
    assert case.library is not None
    with pytest.raises(InputError) as exc:
        case.library(_other_folder(case, tmp_path))
    assert case.fragment in str(exc.value)


@pytest.mark.parametrize("case", OTHERS, ids=lambda c: c.id)
def test_other_inputs_through_the_cli_exit_2_and_leave_no_file(case: Other, tmp_path: Path) -> None:
    folder = _other_folder(case, tmp_path)
    before = sorted(p.name for p in folder.iterdir())
    res = run_cli([a.replace("{d}", str(folder)) for a in case.cli])
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr and res.stdout == ""
    assert case.fragment in res.stderr, res.stderr
    assert sorted(p.name for p in folder.iterdir()) == before  # nothing written


# -- the size of a report ---------------------------------------------------------------------


def test_problems_of_all_files_together_are_capped_with_the_count_last(tmp_path: Path) -> None:
    """5,000 bad rows in each file: 1,000 listed in all, then the count of the rest.

    Each file once had its own cap of 1,000, so 2,002 lines were printed, each count first.
    """
    p, leaders = tmp_path / "p.csv", tmp_path / "l.csv"
    # every bad value differs, so no two problems are the same problem on another row
    p.write_text(p_csv("id,age,languages", *(f"P{k},old{k},en" for k in range(5000))))
    leaders.write_text(p_csv("id,age,languages", *(f"L{k},old{k},en" for k in range(5000))))
    res = run_cli(["validate", str(p), str(leaders)])
    assert res.returncode == 2 and "Traceback" not in res.stderr
    lines = res.stderr.splitlines()
    assert lines[0] == "peermatch: 10,000 problems found (the first 1,000 listed):"
    assert lines[-1] == "... and 9,000 more problems"
    assert len(lines) == 1 + 1000 + 1
    assert all(ln.startswith(f"{leaders}:") for ln in lines[1:-1])  # l.csv sorts first


def test_the_same_problem_down_a_column_is_one_line_per_file(tmp_path: Path) -> None:
    p, leaders = tmp_path / "p.csv", tmp_path / "l.csv"
    p.write_text(p_csv("id,age,languages", *(f"P{k},old,en" for k in range(5000))))
    leaders.write_text(p_csv("id,age,languages", *(f"L{k},old,en" for k in range(5000))))
    res = run_cli(["validate", str(p), str(leaders)])
    assert res.returncode == 2 and "Traceback" not in res.stderr
    lines = res.stderr.splitlines()
    assert lines[0] == "peermatch: 2 problems found:"
    assert lines[1].startswith(f"{leaders}: age: ") and lines[2].startswith(f"{p}: age: ")
    assert all(
        ln.endswith("(on rows 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 4,990 more)") for ln in lines[1:]
    )


def test_cross_file_problems_are_capped_too(tmp_path: Path) -> None:
    """10,000 vetoes naming unknown leaders once printed 10,159 lines, the count first."""
    p, leaders = tmp_path / "p.csv", tmp_path / "l.csv"
    rows = [f"P{k},40,en," + ";".join(f"X{k}_{j}" for j in range(10)) for k in range(1000)]
    p.write_text(p_csv("id,age,languages,vetoes", *rows))
    leaders.write_text(GOOD_PEERS)
    with pytest.raises(InputError) as exc:
        problems = check_references(read_table(p, "participant"), read_table(leaders, "peer"))
        raise InputError(problems)
    assert exc.value.count == 10_000
    assert len(exc.value.problems) == 1001
    assert str(exc.value.problems[-1]) == "... and 9,000 more problems"
    res = run_cli(["validate", str(p), str(leaders)])
    lines = res.stderr.splitlines()
    assert res.returncode == 2 and len(lines) == 1002
    assert lines[0] == "peermatch: 10,000 problems found (the first 1,000 listed):"
    assert lines[-1] == "... and 9,000 more problems"


def test_a_header_of_a_million_columns_is_refused_at_once(tmp_path: Path) -> None:
    """A million unknown columns once took 30 s and 480 MB; a 50 MB header 262 s and 8 GB."""
    wide, long = tmp_path / "wide.csv", tmp_path / "long.csv"
    wide.write_text("id,age,languages," + ",".join("x" for _ in range(1_000_000)) + "\nP1,40,en\n")
    long.write_text("id,age,languages," + "y" * 50_000_000 + "\nP1,40,en\n")
    started = time.perf_counter()
    for path, fragment in ((wide, "the header row is"), (long, "the header row is")):
        with pytest.raises(InputError, match=fragment):
            read_participants(path)
    quoted = tmp_path / "quoted.csv"  # short physical lines: the column count still holds
    quoted.write_text("id,age,languages," + ",".join('"a\n"' for _ in range(20_000)) + "\n")
    with pytest.raises(InputError, match="the header has 20,003 columns"):
        read_participants(quoted)
    assert time.perf_counter() - started < 20


def test_a_json_record_with_200000_unknown_fields_is_counted_quickly(tmp_path: Path) -> None:
    """Each unknown field got its own 'did you mean' search: 200,000 of them took 17 s."""
    path = tmp_path / "p.json"
    path.write_text(json.dumps([{**REC, **{f"x{k}": 1 for k in range(200_000)}}]))
    started = time.perf_counter()
    with pytest.raises(InputError) as exc:
        read_participants(path)
    assert time.perf_counter() - started < 8
    assert exc.value.count == 200_000 and len(exc.value.problems) == 1001
    assert str(exc.value.problems[-1]) == "... and 199,000 more problems"


# -- values from a file are quoted cut, never whole ------------------------------------------

PAYLOADS = {
    "letters": "x" * 100_000,
    "digits": "1" * 100_000,
    "number with unit": "45" + " yrs" * 25_000,
    "many values": "zz;" * 30_000,
    "many pairs": "sex:must;" + "foo:bar;" * 10_000,
    "many ids": "P 1;" * 20_000,
}


@pytest.mark.parametrize("payload", list(PAYLOADS), ids=list(PAYLOADS))
def test_no_message_copies_a_long_cell(payload: str, tmp_path: Path) -> None:
    """A 100,000-character cell once gave a 100 kB message line (notes copied into logs)."""
    value = PAYLOADS[payload]
    for kind, fields in (("participant", PARTICIPANT_FIELDS), ("peer", PEER_FIELDS)):
        for name in fields:
            row = {"id": "P1", "age": "40", "languages": "en", name: value}
            path = tmp_path / f"{kind}-{name}.csv"
            path.write_text(p_csv(",".join(row), ",".join(f'"{v}"' for v in row.values())))
            try:
                read_table(path, kind)
            except InputError as exc:
                for line in str(exc).splitlines():
                    assert len(line) < 600, (name, line[:200])
                    assert value[:200] not in line


def test_no_message_copies_a_long_value_of_a_match_or_endings_file(tmp_path: Path) -> None:
    long = "n" * 100_000
    previous, ended = tmp_path / "m.csv", tmp_path / "ended.csv"
    previous.write_text(f"participant_id,peer_id,status\nP1,{long},unmatched\nP2,L1,{long}\n")
    ended.write_text(f"participant_id,peer_id,reason,note\nP1,L1,{long},{long}\n{long},L1,moved,\n")
    for read in (lambda: read_previous(previous), lambda: read_endings(ended)):
        with pytest.raises(InputError) as exc:
            read()
        assert all(len(line) < 600 for line in str(exc.value).splitlines()), str(exc.value)[:300]
