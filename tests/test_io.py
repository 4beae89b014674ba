"""Reading profile files: every problem at once, FILE:ROW: FIELD: message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peermatch import InputError, Participant, read_participants, read_peers
from peermatch._core.files import csv_text, neutralise, write_text_atomic
from peermatch.io._profiles import check_references, read_table, write_profiles

HEADER = "id,age,sex,languages,life_stage,vetoes,preferred,importance"


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path, kind: str = "participant") -> list[str]:
    with pytest.raises(InputError) as exc:
        read_table(path, kind)
    return [str(p) for p in exc.value.problems]


def test_reads_csv_with_multi_valued_cells_and_maps(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "p.csv",
        f"{HEADER}\nP1,54,female,en;fr,retired,L2,L1;L3,sex:must;age:high\n\nP2,61,,en,,,,\n",
    )
    ps = read_participants(path)
    assert [p.id for p in ps] == ["P1", "P2"]
    assert ps[0].preferred == ("L1", "L3") and ps[0].vetoes == frozenset({"L2"})
    assert ps[0].importance == {"sex": "must", "age": "high"}
    assert ps[1].sex is None


def test_bom_mixed_case_headers_and_whitespace_are_accepted(tmp_path: Path) -> None:
    text = "\ufeffID , Age,Languages,Life Stage\r\n P1 , 40 , EN ; Fr , RETIRED \r\n"
    ps = read_participants(write(tmp_path, "p.csv", text.encode("utf-8")))
    assert ps[0].id == "P1" and ps[0].languages == frozenset({"en", "fr"})


def test_every_problem_reported_together_with_rows(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "p.csv",
        "id,age,languages,langauge,diet\n"
        "P1,forty,en,,vegan\n"
        "P2,50,xx,,meat\n"
        "P1,30,en,,\n"
        "P4,30,en,,,extra\n",
    )
    got = problems(path)
    assert f"{path}:1: langauge: unknown column 'langauge' — did you mean 'languages'?" in got
    assert any(g.startswith(f"{path}:2: age: expected a whole number") for g in got)
    assert any(g.startswith(f"{path}:3: languages: not an ISO 639-1") for g in got)
    assert any(g.startswith(f"{path}:3: diet: ") and "omnivore" in g for g in got)
    assert f"{path}:4: id: duplicate id 'P1' (first on row 2)" in got
    assert f"{path}:5: row has 6 cells but the header has 5 columns" in got


def test_rows_count_blank_lines_like_a_spreadsheet(tmp_path: Path) -> None:
    path = write(tmp_path, "p.csv", "id,age,languages\n\nP1,200,en\n")
    assert problems(path) == [
        f"{path}:3: age: expected a whole number from 18 to 110, found '200' (out of range)"
    ]


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("", "the file is empty"),
        ("id,age,languages\n", "header but no profiles"),
        ("P1,40,en\nP2,50,fr\n", "no header row"),
        ("id;age;languages\nP1;40;en\n", "semicolon-delimited; save it comma-separated"),
        ("id\tage\tlanguages\nP1\t40\ten\n", "tab-separated"),
        ("id,age,age,languages\nP1,40,40,en\n", "duplicate column (columns 2 and 3)"),
        ("id,languages\nP1,en\n", "age: required column is missing"),
        ("id,age,languages,capacity\nP1,40,en,3\n", "it is a field of peer leaders"),
        ('id,age,languages\nP1,40,"en\n', "malformed CSV"),
    ],
)
def test_malformed_csv(tmp_path: Path, content: str, fragment: str) -> None:
    got = "\n".join(problems(write(tmp_path, "p.csv", content)))
    assert fragment in got


def test_latin1_bytes_are_reported_with_line(tmp_path: Path) -> None:
    path = write(
        tmp_path, "p.csv", "id,age,languages,region\nP1,40,en,Montr\xe9al\n".encode("latin-1")
    )
    got = problems(path)
    assert got[0].startswith(f"{path}:2: not UTF-8 text") and "UTF-8" in got[0]


def test_json_list_of_objects(tmp_path: Path) -> None:
    data = [
        {
            "id": "L1",
            "age": 60,
            "languages": ["en"],
            "capacity": 2,
            "importance": {"sex": "must"},
            "sex": "male",
        },
        {"id": "L2", "age": 50, "languages": "en;fr", "active": False},
    ]
    peers = read_peers(write(tmp_path, "l.json", json.dumps(data)))
    assert peers[0].importance == {"sex": "must"} and peers[1].active is False


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ('{"id": "P1"}', "expected a JSON list of objects, found an object"),
        ("[1, 2]", ":1: expected an object, found a number"),
        ("[]", "holds no profiles"),
        ('[{"id": "P1", "age": NaN, "languages": ["en"]}]', "NaN is not allowed"),
        ('[{"id": "P1", "age": 40, "languages": ["en"], "agee": 3}]', "did you mean 'age'"),
        ("[{", "not valid JSON"),
    ],
)
def test_malformed_json(tmp_path: Path, content: str, fragment: str) -> None:
    got = "\n".join(problems(write(tmp_path, "p.json", content)))
    assert fragment in got


def test_unknown_extension_and_missing_file(tmp_path: Path) -> None:
    assert "unknown file type '.xlsx'" in problems(write(tmp_path, "p.xlsx", "x"))[0]
    assert "cannot read" in problems(tmp_path / "missing.csv")[0]


def test_cross_file_references(tmp_path: Path) -> None:
    p = read_table(
        write(
            tmp_path,
            "p.csv",
            "id,age,languages,vetoes,preferred\nP1,40,en,L9;P2,L1\nP2,40,en,,P1\n",
        ),
        "participant",
    )
    leader = read_table(write(tmp_path, "l.csv", "id,age,languages,vetoes\nL1,60,en,P7\n"), "peer")
    got = sorted(str(x) for x in check_references(p, leader))
    assert got == [
        f"{tmp_path}/l.csv:2: vetoes: 'P7' is not a participant id in {tmp_path}/p.csv",
        f"{tmp_path}/p.csv:2: vetoes: 'L9' is not a peer leader id in {tmp_path}/l.csv",
        f"{tmp_path}/p.csv:2: vetoes: 'P2' is a participant id; vetoes lists peer leader ids",
        f"{tmp_path}/p.csv:3: preferred: 'P1' is a participant id; preferred lists peer leader ids",
    ]


def test_write_and_read_back_profiles(tmp_path: Path) -> None:
    ps = [
        Participant(
            id="P1",
            age=40,
            languages="en;fr",
            importance="sex:low",
            region="=cmd",
            diabetes_years=2.5,
        ),
        Participant(id="P2", age=41, languages="pa", preferred="L2;L1"),
    ]
    for name in ("out.csv", "out.json"):
        write_profiles(tmp_path / name, ps)
        back = read_participants(tmp_path / name)
        assert [b.model_dump(exclude={"region"}) for b in back] == [
            p.model_dump(exclude={"region"}) for p in ps
        ]
    # the formula-like region was neutralised in the CSV
    assert "'=cmd" in (tmp_path / "out.csv").read_text()


def test_neutralise_and_rfc4180() -> None:
    for bad in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(bad) == "'" + bad
    text = csv_text(["a", "b"], [['say "hi", ok', None], ["=x", 1.5]])
    assert text == 'a,b\r\n"say ""hi"", ok",\r\n\'=x,1.5\r\n'


def test_atomic_write_leaves_no_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old")

    class Boom(str):
        def __len__(self) -> int:  # pragma: no cover - not reached
            return 1

    with pytest.raises(TypeError):
        write_text_atomic(target, 123)  # type: ignore[arg-type]
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]
    write_text_atomic(target, "new")
    assert target.read_text() == "new"


def test_excel_sep_line_is_accepted_or_explained(tmp_path: Path) -> None:
    ps = read_participants(write(tmp_path, "p.csv", "sep=,\r\nid,age,languages\r\nP1,40,en\r\n"))
    assert [p.id for p in ps] == ["P1"]
    got = problems(write(tmp_path, "q.csv", "sep=;\nid;age;languages\nP1;40;en\n"))
    assert "delimiter is ';'" in got[0]


FORMULA_TEXT = st.builds(
    lambda lead, rest: lead + rest,
    st.sampled_from(["=", "+", "-", "@"]),
    st.text(st.characters(codec="ascii", categories=["L", "N", "P", "S"]), max_size=20),
)


@given(region=FORMULA_TEXT, tag=FORMULA_TEXT)
@settings(deadline=None)
def test_values_that_look_like_formulas_round_trip(tmp_path_factory, region, tag) -> None:  # type: ignore[no-untyped-def]
    """``--write-preferred`` once gave region ``+44`` back as ``'+44``: the writer defuses a
    formula with a leading ``'`` and the reader now drops it, as a spreadsheet does."""
    tag = tag.replace(";", "").replace(":", "").lower()
    try:
        person = Participant(id="P1", age=40, languages="en", region=region, interests=tag)
    except (ValueError, InputError):
        return  # not a valid value in the first place (too long, only a prefix left, ...)
    path = tmp_path_factory.mktemp("rt") / "p.csv"
    write_profiles(path, [person])
    assert person.region is None or neutralise(person.region) != person.region
    assert read_participants(path) == [person]


def test_write_preferred_round_trips_a_leading_plus(tmp_path: Path) -> None:
    from cli_runner import run_peermatch

    p = write(tmp_path, "p.csv", "id,age,languages,region\nP1,40,en,+44\nP2,41,en,=1+1\n")
    leaders = write(tmp_path, "l.csv", "id,age,languages\nL1,40,en\n")
    out = tmp_path / "filled.csv"
    res = run_peermatch("shortlist", str(p), str(leaders), "--write-preferred", str(out))
    assert res.returncode == 0, res.stderr
    assert "'+44" in out.read_text()  # defused in the file ...
    assert [x.region for x in read_participants(out)] == ["+44", "=1+1"]  # ... read back as is
