"""Privacy: errors and logs carry ids, rows and field names, never other profile contents.

Every profile below carries distinctive marker values in its free-text and numeric fields. One
field of one row is bad; the error text may show that offending value, and must show none of
the other markers.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import logging
import re
import subprocess
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest
from pydantic import ValidationError

import peermatch
from peermatch import InputError, Participant, match, read_participants, read_peers
from peermatch.cli._main import main
from peermatch.io._profiles import check_references, read_table

HEADER = (
    "id,age,sex,languages,region,interests,diabetes_years,hba1c,life_stage,diet,importance,"
    "vetoes,preferred"
)


def row(k: int, **over: str) -> dict[str, str]:
    values = {
        "id": f"P{k}",
        "age": str(80 + k),
        "sex": "female",
        "languages": "en",
        "region": f"MARKREGION{k}",
        "interests": f"markinterest{k};marktag{k}",
        "diabetes_years": f"1{k}.37",
        "hba1c": f"9.3{k}",
        "life_stage": "retired",
        "diet": "vegan",
        "importance": "age:high",
        "vetoes": "",
        "preferred": "L1",
    }
    values.update(over)
    return values


def markers(k: int) -> set[str]:
    return {
        f"MARKREGION{k}",
        f"markinterest{k}",
        f"marktag{k}",
        f"1{k}.37",
        f"9.3{k}",
        str(80 + k),
    }


ALL_MARKERS = set().union(*(markers(k) for k in (1, 2, 3)))


def csv_text(rows: list[dict[str, str]]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=HEADER.split(","), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


@dataclass(frozen=True)
class Bad:
    id: str
    over: dict[str, str]  # the bad field(s) of row 2 (participant P2)
    shown: str  # the offending value, which may appear
    allowed: frozenset[str] = frozenset()  # markers that are the offending value


BAD = [
    Bad("age", {"age": "eighty"}, "'eighty'"),
    Bad("age out of range", {"age": "200"}, "'200'"),
    Bad("sex", {"sex": "femal"}, "'femal'"),
    Bad("diet", {"diet": "meat"}, "'meat'"),
    Bad("languages", {"languages": "englsh"}, "'englsh'"),
    Bad("hba1c", {"hba1c": "NaN"}, "'NaN'"),
    Bad("diabetes_years", {"diabetes_years": "7,5"}, "'7,5'"),
    Bad(
        "importance must on an empty field", {"importance": "activity_level:must"}, "activity_level"
    ),
    Bad("importance unknown criterion", {"importance": "agee:high"}, "'agee'"),
    Bad("preferred also vetoed", {"vetoes": "L1"}, "'L1'"),
    Bad("duplicate id", {"id": "P1"}, "'P1'"),
    Bad("id with a space", {"id": "P 2"}, "'P 2'"),
    Bad(
        "region too long",
        {"region": "MARKREGION2" + "x" * 40},
        "MARKREGION2",
        frozenset({"MARKREGION2"}),
    ),
    Bad("interest tag with a colon", {"interests": "a:b;marktag2"}, "'a:b'"),
]


def _leaked(text: str, markers: set[str] = ALL_MARKERS) -> set[str]:
    # file names are not profile contents (a temporary folder may be called pytest-82)
    text = re.sub(r"/[^\s:'\"]+", "FILE", text)
    return {m for m in markers if m in text}


def _expect_clean(text: str, bad: Bad) -> None:
    assert bad.shown in text, text
    leaked = _leaked(text, ALL_MARKERS - bad.allowed)
    assert not leaked, f"profile contents in the error text: {leaked}\n{text}"


def _files(tmp_path: Path, bad: Bad) -> tuple[Path, Path]:
    p = tmp_path / "p.csv"
    p.write_text(csv_text([row(1), row(2, **bad.over), row(3)]), encoding="utf-8")
    leaders = tmp_path / "l.csv"
    leaders.write_text("id,age,languages,region\nL1,60,en,LEADERREGION\n")
    return p, leaders


@pytest.mark.parametrize("bad", BAD, ids=[b.id for b in BAD])
def test_reader_errors_show_only_the_offending_value(bad: Bad, tmp_path: Path) -> None:
    p, _ = _files(tmp_path, bad)
    with pytest.raises(InputError) as exc:
        read_participants(p)
    _expect_clean(str(exc.value), bad)
    assert all(pr.row in (1, 2, 3) for pr in exc.value.problems)


@pytest.mark.parametrize("bad", BAD, ids=[b.id for b in BAD])
def test_model_errors_show_only_the_offending_value(bad: Bad) -> None:
    record = {k: v for k, v in row(2, **bad.over).items() if v}
    if bad.id == "duplicate id":
        pytest.skip("a single record has no duplicate")
    with pytest.raises(ValidationError) as exc:
        Participant.model_validate(record)
    text = str(exc.value)
    assert "input_value" not in text
    leaked = {m for m in markers(2) - bad.allowed if m in text}
    assert not leaked, text


@pytest.mark.parametrize("bad", BAD, ids=[b.id for b in BAD])
def test_cli_errors_show_only_the_offending_value(bad: Bad, tmp_path: Path) -> None:
    p, leaders = _files(tmp_path, bad)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["match", str(p), str(leaders)])
    assert code == 2 and out.getvalue() == ""
    _expect_clean(err.getvalue(), bad)
    assert "LEADERREGION" not in err.getvalue()


def test_cli_subprocess_error_shows_no_profile_contents(tmp_path: Path) -> None:
    bad = BAD[0]
    p, leaders = _files(tmp_path, bad)
    res = subprocess.run(
        [sys.executable, "-m", "peermatch", "validate", str(p), str(leaders)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 2
    _expect_clean(res.stderr, bad)
    assert res.stdout == ""


def test_json_and_reference_errors_show_no_profile_contents(tmp_path: Path) -> None:
    records = [{k: v for k, v in row(k).items() if v} for k in (1, 2, 3)]
    records[1]["hba1c"] = float("nan")
    p = tmp_path / "p.json"
    p.write_text(json.dumps(records))
    with pytest.raises(InputError) as exc:
        read_participants(p)
    text = str(exc.value)
    assert "NaN is not allowed" in text and not _leaked(text)
    # cross-file references: ids only
    good = tmp_path / "good.csv"
    good.write_text(csv_text([row(1, vetoes="L7"), row(2, preferred="P1"), row(3)]))
    leaders = tmp_path / "l.csv"
    leaders.write_text("id,age,languages\nL1,60,en\n")
    problems = check_references(read_table(good, "participant"), read_table(leaders, "peer"))
    text = "\n".join(map(str, problems))
    assert "'L7'" in text and "'P1'" in text and not _leaked(text)


def test_no_logging_and_no_warnings_carry_profile_contents(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    handlers = list(logging.getLogger().handlers)
    good = tmp_path / "p.csv"
    good.write_text(csv_text([row(1), row(2), row(3)]))
    (tmp_path / "bad").mkdir()
    bad, leaders = _files(tmp_path / "bad", BAD[0])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ps = read_participants(good)
        ls = read_peers(leaders)
        result = match(ps, ls)
        result.explain("P1")
        peermatch.score(ps, ls)
        with pytest.raises(InputError):
            read_participants(bad)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main(["match", str(good), str(leaders)])
            main(["validate", str(bad), str(leaders)])
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert not _leaked(logged), logged
    assert not [r for r in caplog.records if r.name.startswith("peermatch")]
    assert not _leaked("\n".join(str(w.message) for w in caught))
    assert logging.getLogger().handlers == handlers
    assert logging.getLogger("peermatch").handlers == []


def test_the_package_never_configures_logging() -> None:
    sources = Path(peermatch.__file__).parent.rglob("*.py")
    for path in sources:
        text = path.read_text(encoding="utf-8")
        for call in ("basicConfig", "addHandler", "FileHandler", "logging.config"):
            assert call not in text, f"{path.name} uses {call}"
