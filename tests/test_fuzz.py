"""Fuzzing: whatever arrives, only success or the documented input error comes out.

Random bytes, random CSV text built from plausible column names and cell values (garbage
included), random JSON values and random profile dictionaries go through the readers, the
models, ``MatchConfig.from_mapping``, ``peermatch.match`` / ``peermatch.score`` and the command
line (in-process through ``peermatch.cli._main.main``, and a few examples in a real subprocess). The
only outcomes allowed are a result or :class:`peermatch.InputError` (pydantic's
``ValidationError`` for the models, exit code 2 for the command line), never another exception
and never a traceback.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from budget import examples, slow
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError
from strategies import cohorts

import peermatch
from peermatch import InputError, MatchConfig, Participant, PeerLeader
from peermatch.cli._main import main
from peermatch.io._profiles import read_table
from peermatch.profiles._models import (
    PARTICIPANT_FIELDS,
    PEER_FIELDS,
    problems_from_validation_error,
)
from peermatch.scoring._config import Criterion
from peermatch.solvers import SOLVERS

# -- value strategies ------------------------------------------------------------------------

VALID_CELLS: dict[str, list[str]] = {
    "id": ["P1", "P2", "L1", "L2", "a.b-c_9"],
    "age": ["18", "40", "110", "65.0"],
    "sex": ["female", "MALE", "Intersex"],
    "languages": ["en", "EN;fr", " pa ; zh "],
    "region": ["V5K", "east", "=cmd"],
    "life_stage": ["retired", "student;caregiver_children"],
    "activity_level": ["sedentary", "Active"],
    "diet": ["vegan;halal", "other"],
    "interests": ["walking", "board games;music"],
    "diabetes_years": ["0", "2.5", "80"],
    "treatments": ["metformin", "glp1;basal_insulin"],
    "glucose_monitoring": ["none", "cgm"],
    "complications": ["foot", "distress;neuropathy"],
    "hba1c": ["7.1", "3", "18"],
    "support_goals": ["stress", "weight;sleep"],
    "contact_modes": ["phone", "text;video"],
    "contact_frequency": ["weekly", "monthly"],
    "communication_style": ["listener", "humour;motivator"],
    "availability": ["mon_morning", "sat_evening;sun_afternoon"],
    "importance": ["age:high", "sex:must", "languages:low;diet:ignore"],
    "vetoes": ["L1", "P2;L2"],
    "preferred": ["L1;L2", "L2"],
    "capacity": ["0", "3", "50"],
    "active": ["yes", "false", "1"],
}
GARBAGE_CELLS = [
    "",
    " ",
    "NaN",
    "inf",
    "-Infinity",
    "1e999",
    "9" * 40,
    "-1",
    "2.5",
    "45 yrs",
    "7,5",
    "=1+1",
    "+1",
    "@SUM(A1)",
    '"',
    '""',
    "a;b;;",
    ";",
    ":",
    "::",
    "sex:must:high",
    "nope:must",
    "P 1",
    "é",
    "\u200b",
    "\x7f",
    "true",
    "None",
    "null",
    "[]",
    "{}",
]
COLUMN_NAMES = [
    *sorted(set(PARTICIPANT_FIELDS) | set(PEER_FIELDS)),
    "ID",
    " Age ",
    "Life Stage",
    "langauges",
    "",
    "unnamed: 0",
    "id",
]


def cell(column: str) -> st.SearchStrategy[str]:
    valid = VALID_CELLS.get(column.strip().lower().replace(" ", "_"), [])
    options: list[st.SearchStrategy[str]] = [st.sampled_from(GARBAGE_CELLS), st.text(max_size=12)]
    if valid:
        options = [st.sampled_from(valid), st.sampled_from(valid), *options]
    return st.one_of(options)


@st.composite
def csv_tables(draw: st.DrawFn) -> tuple[str, int]:
    """CSV text and the number of rows holding any non-blank cell."""
    header = draw(
        st.lists(st.sampled_from(COLUMN_NAMES) | st.text(max_size=8), min_size=0, max_size=8)
    )
    if draw(st.booleans()):
        header = ["id", "age", "languages", *header]
    n_rows = draw(st.integers(0, 5))
    rows = []
    for _ in range(n_rows):
        width = len(header) + draw(st.sampled_from([0, 0, 0, -1, 1]))
        rows.append(
            [draw(cell(header[k] if k < len(header) else "")) for k in range(max(width, 0))]
        )
    style = draw(st.sampled_from(["writer", "writer_all", "raw", "semicolon"]))
    end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    if style.startswith("writer"):
        buf = io.StringIO()
        quoting = csv.QUOTE_ALL if style == "writer_all" else csv.QUOTE_MINIMAL
        writer = csv.writer(buf, lineterminator=end, quoting=quoting)
        writer.writerow(header)
        writer.writerows(rows)
        text = buf.getvalue()
    else:
        sep = ";" if style == "semicolon" else ","
        text = end.join(sep.join(r) for r in [header, *rows]) + end
    if draw(st.booleans()):
        text = "\ufeff" + text
    if draw(st.integers(0, 4)) == 0:
        lines = text.split(end)
        at = draw(st.integers(0, len(lines)))
        text = end.join([*lines[:at], "", *lines[at:]])
    filled = sum(any(c.strip() for c in r) for r in rows)
    return text, filled


json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.sampled_from([10**400, -(10**400), 2**63, 10**16])
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=10)
    | st.sampled_from(GARBAGE_CELLS)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)


def field_value(name: str) -> st.SearchStrategy[Any]:
    valid = VALID_CELLS.get(name, [])
    options: list[st.SearchStrategy[Any]] = [json_values]
    if valid:
        options += [
            st.sampled_from(valid),
            st.lists(st.sampled_from(valid + GARBAGE_CELLS), max_size=3),
        ]
    if name == "importance":
        options.append(
            st.dictionaries(
                st.sampled_from([*VALID_CELLS, "nope", ""]),
                st.sampled_from(["must", "HIGH", "normal", "low", "ignore", "never", 3]),
                max_size=3,
            )
        )
    return st.one_of(options)


@st.composite
def profile_dicts(draw: st.DrawFn, fields: tuple[str, ...]) -> dict[str, Any]:
    names = draw(
        st.lists(st.sampled_from([*fields, "agee", "Age", "kind"]), unique=True, max_size=9)
    )
    out: dict[str, Any] = {}
    if draw(st.booleans()):
        out.update({"id": "P1", "age": 40, "languages": "en"})
    for name in names:
        out[name] = draw(field_value(name))
    return out


# -- readers ---------------------------------------------------------------------------------


def _read(data: bytes, name: str, kind: str) -> Any:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            return read_table(path, kind)
        except InputError as exc:
            assert exc.problems and all(p.file == str(path) for p in exc.problems)
            assert str(exc)
            return None


@given(data=st.binary(max_size=300), ext=st.sampled_from([".csv", ".json"]))
def test_random_bytes(data: bytes, ext: str) -> None:
    _read(data, "f" + ext, "participant")


@given(table=csv_tables(), kind=st.sampled_from(["participant", "peer"]))
def test_random_csv_text(table: tuple[str, int], kind: str) -> None:
    text, filled = table
    got = _read(text.encode("utf-8"), "f.csv", kind)
    if got is not None:
        # accepted: no row was lost on the way
        assert len(got.profiles) == filled
        assert set(got.rows) == {p.id for p in got.profiles}


@given(value=json_values)
def test_random_json_values(value: Any) -> None:
    _read(json.dumps(value).encode(), "f.json", "peer")


@given(records=st.lists(profile_dicts(PARTICIPANT_FIELDS), max_size=4))
def test_random_json_profiles(records: list[dict[str, Any]]) -> None:
    got = _read(json.dumps(records).encode(), "p.json", "participant")
    if got is not None:
        assert len(got.profiles) == len(records)


# -- models ----------------------------------------------------------------------------------


@given(
    data=st.one_of(profile_dicts(PARTICIPANT_FIELDS), json_values),
    model=st.sampled_from([Participant, PeerLeader]),
)
def test_random_profile_dicts(data: Any, model: type[Participant] | type[PeerLeader]) -> None:
    fields = PARTICIPANT_FIELDS if model is Participant else PEER_FIELDS
    try:
        prof = model.model_validate(data)
    except ValidationError as exc:
        problems = problems_from_validation_error(exc, file=None, row=1, fields=fields)
        assert problems and all(p.message for p in problems)
        assert str(exc)
        return
    # a valid profile survives its own JSON form unchanged
    assert model.model_validate(prof.model_dump(mode="json")) == prof
    assert model.model_validate(json.loads(prof.model_dump_json())) == prof


# -- configuration ---------------------------------------------------------------------------

CRITERION_KEYS = [*Criterion.model_fields, "wieght", "kind"]
KINDS = ["exact", "ordinal", "numeric", "experience", "jaccard", "coverage", "overlap", "fuzzy"]
config_values = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-3, 60),
    st.booleans(),
    st.sampled_from(KINDS),
    st.text(max_size=5),
    st.none(),
    st.lists(st.integers(), max_size=2),
)
criterion_tables = st.dictionaries(st.sampled_from(CRITERION_KEYS), config_values, max_size=4)
config_mappings = st.fixed_dictionaries(
    {},
    optional={
        "preset": st.sampled_from(["participant_centred", "c2c_baseline", "none", "x", 3]),
        "min_score": config_values,
        "preference_bonus": config_values,
        "solver": st.sampled_from([*SOLVERS, "magic", 1]),
        "criteria": st.dictionaries(
            st.sampled_from([*VALID_CELLS, "agee", ""]),
            criterion_tables | config_values,
            max_size=4,
        )
        | config_values,
        "min_scor": config_values,
    },
)


@st.composite
def configs(draw: st.DrawFn) -> MatchConfig | None:
    data = draw(config_mappings)
    try:
        return MatchConfig.from_mapping(data, source="c.toml")
    except InputError as exc:
        assert exc.problems and all(p.file == "c.toml" for p in exc.problems)
        return None


@given(
    data=config_mappings
    | json_values
    | st.dictionaries(st.integers() | st.none(), config_values, max_size=2)
)
def test_random_config_mappings(data: Any) -> None:
    try:
        cfg = MatchConfig.from_mapping(data, source="c.toml")
    except InputError as exc:
        assert exc.problems and all(p.file == "c.toml" for p in exc.problems)
        return
    assert any(c.weight > 0 for c in cfg.criteria.values())
    assert MatchConfig.from_mapping(_toml_like(cfg.to_toml())).config_hash() == cfg.config_hash()


def _toml_like(text: str) -> dict[str, Any]:
    import tomllib

    return tomllib.loads(text)


# -- library entry points --------------------------------------------------------------------


@given(
    cohort=cohorts(max_participants=6, max_peers=4),
    cfg=configs(),
    solver=st.sampled_from(sorted(SOLVERS)),
)
def test_match_and_score_on_random_cohorts_and_configs(
    cohort: tuple[list[Participant], list[PeerLeader]], cfg: MatchConfig | None, solver: str
) -> None:
    ps, ls = cohort
    sm = peermatch.score(ps, ls, cfg)
    assert sm.values.shape == (len(ps), len(ls))
    assert np.isfinite(sm.values).all() and ((sm.values >= 0) & (sm.values <= 1)).all()
    result = peermatch.match(ps, ls, cfg, solver=solver)
    assert sorted(result.participant_ids()) == sorted(p.id for p in ps)
    for m in result.matches:
        assert (
            math.isfinite(m.score)
            and sm.feasible[
                sm.participant_ids.index(m.participant_id), sm.peer_ids.index(m.peer_id)
            ]
        )
    json.loads(result.to_json())
    result.to_csv()


@given(
    items=st.lists(json_values | st.just(Participant(id="P1", age=40, languages="en")), max_size=3)
)
def test_match_rejects_items_that_are_not_profiles(items: list[Any]) -> None:
    leaders = [PeerLeader(id="L1", age=50, languages="en")]
    try:
        peermatch.match(items, leaders)
    except InputError as exc:
        assert exc.problems
    with pytest.raises(InputError):
        peermatch.match([*items, "not a profile"], leaders)
    with pytest.raises(InputError):
        peermatch.match([], leaders, solver="magic")


# -- command line ----------------------------------------------------------------------------

GOOD_PEERS = "id,age,languages,capacity\nL1,60,en,2\nL2,50,fr;en,1\n"


def run_main(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse: bad usage
            code = exc.code if isinstance(exc.code, int) else 2
    return code, out.getvalue(), err.getvalue()


def _check(code: int, err: str) -> None:
    assert code in (0, 2), err
    assert "Traceback" not in err and "internal error" not in err


@given(
    table=csv_tables(),
    peers=st.one_of(st.just(GOOD_PEERS), csv_tables().map(lambda t: t[0])),
    command=st.sampled_from(["validate", "match", "explain"]),
    fmt=st.sampled_from(["csv", "json"]),
    solver=st.sampled_from([None, *SOLVERS]),
)
def test_cli_in_process_on_random_files(
    table: tuple[str, int], peers: str, command: str, fmt: str, solver: str | None
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        p, leaders = Path(folder) / "p.csv", Path(folder) / "l.csv"
        p.write_text(table[0], encoding="utf-8")
        leaders.write_text(peers, encoding="utf-8")
        argv = [command, str(p), str(leaders)]
        if command == "match":
            argv += ["--format", fmt, "-o", str(Path(folder) / f"out.{fmt}")]
        if command == "explain":
            argv += ["--participant", "P1"]
        if solver and command != "validate":
            argv += ["--solver", solver]
        code, _, err = run_main(argv)
        _check(code, err)
        if code == 2:
            assert err.startswith("peermatch: ")


@given(data=st.binary(max_size=200), config=st.text(max_size=60))
def test_cli_in_process_on_random_bytes_and_config(data: bytes, config: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        p, leaders, cfg = (Path(folder) / n for n in ("p.json", "l.csv", "c.toml"))
        p.write_bytes(data)
        leaders.write_text(GOOD_PEERS)
        cfg.write_text(config, encoding="utf-8")
        code, out, err = run_main(["match", str(p), str(leaders), "--config", str(cfg)])
        _check(code, err)
        assert code == 2 or out.startswith("participant_id,peer_id,status")


# One Python process per example, about 0.6 s each: a few in the default profile, the profile's
# full count otherwise, with room beyond the suite's 600 s timeout for that many.
@pytest.mark.timeout(max(600, 2 * examples(4, slow=True)))
@slow(4)
@given(table=csv_tables(), data=st.binary(max_size=100))
def test_cli_subprocess_on_random_input(table: tuple[str, int], data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        p, leaders = Path(folder) / "p.csv", Path(folder) / "l.json"
        p.write_text(table[0], encoding="utf-8")
        leaders.write_bytes(data)
        res = subprocess.run(
            [sys.executable, "-m", "peermatch", "match", str(p), str(leaders)],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert res.returncode in (0, 2), res.stderr
    assert "Traceback" not in res.stderr
