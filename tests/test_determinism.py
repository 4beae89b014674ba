"""Determinism and integrity: same input, same bytes; order and normalisation change nothing."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import cohorts, random_fields

from peermatch import MatchResult, Participant, PeerLeader, match, read_participants, read_peers
from peermatch.cli._main import main
from peermatch.io._deidentify import Pseudonymiser, deidentified_match_csv, deidentify_result
from peermatch.io._profiles import write_profiles
from peermatch.matching._match import input_hash
from peermatch.solvers import SOLVERS

Cohort = tuple[list[Participant], list[PeerLeader]]


def make_cohort(seed: int, n: int = 30, m: int = 8) -> Cohort:
    rnd = random.Random(seed)
    peers = [
        PeerLeader(
            id=f"L{j:02d}", capacity=rnd.randint(0, 4), **random_fields(rnd, 0.3, leader=True)
        )
        for j in range(m)
    ]
    ps = []
    for i in range(n):
        preferred = tuple(rnd.sample([x.id for x in peers], rnd.randint(0, 2))) or None
        ps.append(
            Participant(
                id=f"P{i:03d}", preferred=preferred, **random_fields(rnd, 0.3, leader=False)
            )
        )
    return ps, peers


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("cohort")
    ps, ls = make_cohort(7)
    write_profiles(folder / "participants.csv", ps)
    write_profiles(folder / "peers.csv", ls)
    return folder / "participants.csv", folder / "peers.csv"


def outputs(result: MatchResult) -> tuple[str, str]:
    return result.to_csv(), result.to_json()


# -- identical inputs, identical bytes -------------------------------------------------------


@pytest.mark.parametrize("solver", sorted(SOLVERS))
def test_library_outputs_are_byte_identical(files: tuple[Path, Path], solver: str) -> None:
    runs = [
        outputs(match(read_participants(files[0]), read_peers(files[1]), solver=solver))
        for _ in range(2)
    ]
    assert runs[0] == runs[1]
    assert "time" not in json.loads(runs[0][1])["manifest"]


def run_cli(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "peermatch", *args], capture_output=True, timeout=120
    )


def test_cli_outputs_are_byte_identical(files: tuple[Path, Path], tmp_path: Path) -> None:
    p, leaders = map(str, files)
    first = run_cli("match", p, leaders)
    assert first.returncode == 0, first.stderr
    assert run_cli("match", p, leaders).stdout == first.stdout
    for k in range(2):
        res = run_cli("match", p, leaders, "-o", str(tmp_path / f"m{k}.json"))
        assert res.returncode == 0, res.stderr
    assert (tmp_path / "m0.json").read_bytes() == (tmp_path / "m1.json").read_bytes()
    # the command line writes what the library returns
    lib = match(read_participants(p), read_peers(leaders))
    assert first.stdout == lib.to_csv().encode()
    assert (tmp_path / "m0.json").read_bytes() == lib.to_json().encode()


# -- permuting rows --------------------------------------------------------------------------


@given(
    cohort=cohorts(max_participants=8, max_peers=5),
    seed=st.integers(0, 2**16),
    solver=st.sampled_from(sorted(SOLVERS)),
)
def test_permuting_rows_changes_nothing(cohort: Cohort, seed: int, solver: str) -> None:
    ps, ls = cohort
    rnd = random.Random(seed)
    ps2, ls2 = ps[:], ls[:]
    rnd.shuffle(ps2)
    rnd.shuffle(ls2)
    a, b = match(ps, ls, solver=solver), match(ps2, ls2, solver=solver)
    assert a.pairs == b.pairs
    assert outputs(a) == outputs(b)
    assert a.manifest.input_hash == b.manifest.input_hash


def test_permuting_file_rows_gives_the_same_cli_output(tmp_path: Path) -> None:
    ps, ls = make_cohort(11)
    rnd = random.Random(3)
    texts = []
    for k in range(2):
        folder = tmp_path / str(k)
        folder.mkdir()
        if k:
            rnd.shuffle(ps)
            rnd.shuffle(ls)
        write_profiles(folder / "p.csv", ps)
        write_profiles(folder / "l.json", ls)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            assert (
                main(["match", str(folder / "p.csv"), str(folder / "l.json"), "--format", "json"])
                == 0
            )
        texts.append(out.getvalue())
    assert (tmp_path / "0" / "p.csv").read_bytes() != (tmp_path / "1" / "p.csv").read_bytes()
    assert texts[0] == texts[1]


# -- the input hash --------------------------------------------------------------------------

CANONICAL = (
    "id,age,sex,languages,life_stage,importance\nP1,40,female,en;fr,retired,sex:must;age:high\n"
)
SAME_AFTER_NORMALISATION = [
    "\ufeffid,age,sex,languages,life_stage,importance\r\nP1,40,female,en;fr,retired,sex:must;age:high\r\n",
    "ID, Age ,SEX,Languages,Life Stage,Importance\n P1 , 40 , Female , FR ; EN , RETIRED , age:HIGH ; sex:Must \n",
    "\nid,age,sex,languages,life_stage,importance\n\nP1,40.0,female,en;fr;en,retired,sex:must;age:high\n\n",
    "languages,id,importance,age,life_stage,sex\nen;fr,P1,age:high;sex:must,40,retired,female\n",
]
LEADERS = "id,age,languages\nL1,50,en\n"


def _hash_of(tmp_path: Path, participants: str, name: str = "p.csv") -> str:
    p, leaders = tmp_path / name, tmp_path / "l.csv"
    p.write_text(participants, encoding="utf-8")
    leaders.write_text(LEADERS)
    h = input_hash(read_participants(p), read_peers(leaders))
    assert match(read_participants(p), read_peers(leaders)).manifest.input_hash == h
    return h


@pytest.mark.parametrize("variant", SAME_AFTER_NORMALISATION)
def test_input_hash_ignores_what_normalises_away(variant: str, tmp_path: Path) -> None:
    assert _hash_of(tmp_path, variant) == _hash_of(tmp_path, CANONICAL)


def test_input_hash_is_the_same_for_csv_and_json(tmp_path: Path) -> None:
    record = {
        "id": "P1",
        "age": 40,
        "sex": "female",
        "languages": ["fr", "en"],
        "life_stage": ["retired"],
        "importance": {"age": "high", "sex": "must"},
    }
    assert _hash_of(tmp_path, json.dumps([record]), "p.json") == _hash_of(tmp_path, CANONICAL)


CHANGES: dict[str, Any] = {
    "id": "P2",
    "age": 41,
    "sex": "male",
    "languages": "en",
    "region": "V5K",
    "life_stage": "student",
    "activity_level": "light",
    "diet": "vegan",
    "interests": "chess",
    "diabetes_years": 2.5,
    "treatments": "metformin",
    "glucose_monitoring": "cgm",
    "complications": "foot",
    "hba1c": 7.1,
    "support_goals": "stress",
    "contact_modes": "phone",
    "contact_frequency": "weekly",
    "communication_style": "listener",
    "availability": "mon_morning",
    "importance": "sex:must",
    "vetoes": "L9",
    "preferred": "L2;L1",
}


@pytest.mark.parametrize("field", sorted(CHANGES))
def test_input_hash_changes_with_any_participant_field(field: str) -> None:
    base = {
        "id": "P1",
        "age": 40,
        "sex": "female",
        "languages": "en;fr",
        "importance": "sex:high",
        "preferred": "L1;L2",
    }
    leaders = [PeerLeader(id="L1", age=50, languages="en")]
    changed = {**base, field: CHANGES[field]}
    assert changed != base
    assert input_hash([Participant(**base)], leaders) != input_hash(
        [Participant(**changed)], leaders
    )


@pytest.mark.parametrize(
    "change", [{"capacity": 4}, {"active": False}, {"vetoes": "P1"}, {"age": 51}]
)
def test_input_hash_changes_with_leader_fields_and_cohort(change: dict[str, Any]) -> None:
    ps = [Participant(id="P1", age=40, languages="en")]
    base = input_hash(ps, [PeerLeader(id="L1", age=50, languages="en")])
    assert (
        input_hash(ps, [PeerLeader(**{"id": "L1", "age": 50, "languages": "en", **change})]) != base
    )
    more = [
        PeerLeader(id="L1", age=50, languages="en"),
        PeerLeader(id="L2", age=50, languages="en"),
    ]
    assert input_hash(ps, more) != base
    assert input_hash([], [PeerLeader(id="L1", age=50, languages="en")]) != base
    # the same profile on the other side is a different input
    assert input_hash([], [PeerLeader(id="P1", age=40, languages="en")]) != input_hash(
        [Participant(id="P1", age=40, languages="en")], []
    )


# -- every participant exactly once ----------------------------------------------------------


@given(cohort=cohorts(max_participants=9, max_peers=4), solver=st.sampled_from(sorted(SOLVERS)))
def test_every_participant_appears_exactly_once_in_every_output(
    cohort: Cohort, solver: str
) -> None:
    ps, ls = cohort
    ids = sorted(p.id for p in ps)
    result = match(ps, ls, solver=solver)
    rows = list(csv.DictReader(io.StringIO(result.to_csv(), newline="")))
    assert [r["participant_id"] for r in rows] == ids
    for r in rows:
        assert r["status"] in {"matched", "unmatched"}
        assert (r["status"] == "matched") == bool(r["peer_id"])
        assert r["status"] == "matched" or r["reason"]
    data = json.loads(result.to_json())
    in_json = [m["participant_id"] for m in data["matches"]] + [
        u["participant_id"] for u in data["unmatched"]
    ]
    assert sorted(in_json) == ids
    assert [r["participant_id"] for r in result.to_records()] == ids
    pseudo = Pseudonymiser("0123456789abcdef")
    expected = sorted(pseudo("participant", i) for i in ids)
    de_rows = list(csv.DictReader(io.StringIO(deidentified_match_csv(result, pseudo), newline="")))
    assert [r["participant_id"] for r in de_rows] == expected
    de = deidentify_result(result, pseudo)
    assert (
        sorted(
            [m["participant_id"] for m in de["matches"]]
            + [u["participant_id"] for u in de["unmatched"]]
        )
        == expected
    )
    assert sum(load.assigned for load in result.peer_load.values()) == len(result.matches)
