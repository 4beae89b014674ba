"""De-identified exports: bands, pseudonyms, dropped fields, keys kept apart."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from peermatch import InputError, Participant, PeerLeader, match
from peermatch.cli._main import main
from peermatch.io._deidentify import (
    DROPPED_FIELDS,
    MAX_KEY_BYTES,
    Pseudonymiser,
    age_band,
    deidentified_match_csv,
    deidentified_profiles_csv,
    deidentify_profiles,
    deidentify_result,
    diabetes_years_band,
    hba1c_band,
    read_key,
)

KEY = "correct horse battery staple"
PSEUDONYM = re.compile(r"\b[PL]-[0-9a-f]{16}\b")


def without_pseudonyms(text: str) -> str:
    """The text with pseudonyms blanked (their hex digits may contain any number)."""
    return PSEUDONYM.sub("<id>", text)


@pytest.mark.parametrize(
    ("age", "band"),
    [
        (18, "18-29"),
        (29, "18-29"),
        (30, "30-39"),
        (59, "50-59"),
        (89, "80-89"),
        (90, "90+"),
        (110, "90+"),
    ],
)
def test_age_bands_with_a_90_plus_top_band(age: int, band: str) -> None:
    assert age_band(age) == band


@pytest.mark.parametrize(
    ("value", "band"),
    [
        (None, None),
        (3.0, "<7.0"),
        (6.99, "<7.0"),
        (7.0, "7.0-7.9"),
        (7.99, "7.0-7.9"),
        (8.0, "8.0-8.9"),
        (9.0, "9.0+"),
        (20.0, "9.0+"),
    ],
)
def test_hba1c_bands(value: float | None, band: str | None) -> None:
    assert hba1c_band(value) == band


@pytest.mark.parametrize(
    ("value", "band"),
    [
        (None, None),
        (0.0, "<1"),
        (0.99, "<1"),
        (1.0, "1-4"),
        (4.99, "1-4"),
        (5, "5-9"),
        (19.9, "10-19"),
        (20, "20+"),
        (80, "20+"),
    ],
)
def test_diabetes_years_bands(value: float | None, band: str | None) -> None:
    assert diabetes_years_band(value) == band


@given(age=st.integers(18, 110))
def test_every_age_has_a_band_that_contains_it(age: int) -> None:
    band = age_band(age)
    if band == "90+":
        assert age >= 90
    else:
        low, high = map(int, band.split("-"))
        assert low <= age <= high and (high - low in (9, 11))


def test_pseudonyms_are_stable_keyed_and_opaque() -> None:
    a, b, other = Pseudonymiser(KEY), Pseudonymiser(KEY.encode()), Pseudonymiser(KEY + "!")
    assert a("participant", "P0001") == b("participant", "P0001")
    assert a("participant", "P0001") != other("participant", "P0001")
    assert a("participant", "P0001") != a("peer", "P0001")
    assert a("participant", "P0001") != a("participant", "P0002")
    pseudo = a("participant", "P0001")
    assert pseudo.startswith("P-") and len(pseudo) == 18 and "0001" not in pseudo[2:6]
    assert Pseudonymiser()("participant", "P1") != Pseudonymiser()("participant", "P1")
    assert KEY not in repr(a) and "given" in repr(a)
    with pytest.raises(InputError, match="too short"):
        Pseudonymiser("short")


def _cohort() -> tuple[list[Participant], list[PeerLeader]]:
    ps = [
        Participant(
            id="P0001",
            age=93,
            sex="female",
            languages="en;pa",
            region="V5K 0A1",
            interests="birdwatching;curling",
            diabetes_years=12.5,
            hba1c=8.4,
            treatments="basal_insulin",
            importance="sex:must;age:high",
            vetoes="L02",
            preferred="L01",
        ),
        Participant(id="P0002", age=41, languages="en", hba1c=6.2),
    ]
    ls = [
        PeerLeader(id="L01", age=67, sex="female", languages="en", region="V6B", capacity=1),
        PeerLeader(id="L02", age=58, languages="en", interests="fishing", vetoes="P0002"),
    ]
    return ps, ls


def test_profiles_export_keeps_bands_and_vocabularies_only() -> None:
    ps, ls = _cohort()
    pseudo = Pseudonymiser(KEY)
    recs = deidentify_profiles(ps, "participant", pseudo)
    assert [r["id"] for r in recs] == sorted(pseudo("participant", i) for i in ("P0001", "P0002"))
    first = next(r for r in recs if r["id"] == pseudo("participant", "P0001"))
    assert first["age_band"] == "90+" and first["hba1c_band"] == "8.0-8.9"
    assert first["diabetes_years_band"] == "10-19"
    assert first["sex"] == "female" and first["languages"] == ["en", "pa"]
    assert first["treatments"] == ["basal_insulin"]
    assert first["importance"] == {"sex": "must", "age": "high"}
    assert first["vetoes"] == [pseudo("peer", "L02")] and first["preferred"] == [
        pseudo("peer", "L01")
    ]
    for field in (*DROPPED_FIELDS, "age", "hba1c", "diabetes_years"):
        assert field not in first
    leaders = deidentify_profiles(ls, "peer", pseudo)
    assert {r["id"] for r in leaders} == {pseudo("peer", "L01"), pseudo("peer", "L02")}
    assert any(r["vetoes"] == [pseudo("participant", "P0002")] for r in leaders)
    assert {r["capacity"] for r in leaders} == {1, 5}
    text = without_pseudonyms(deidentified_profiles_csv(recs) + deidentified_profiles_csv(leaders))
    for secret in (
        "P0001",
        "P0002",
        "L01",
        "L02",
        "V5K",
        "V6B",
        "birdwatching",
        "fishing",
        "93",
        "12.5",
        "8.4",
        "6.2",
        KEY,
    ):
        assert secret not in text, secret


def test_result_export_has_pseudonyms_only() -> None:
    ps, ls = _cohort()
    result = match(ps, ls)
    pseudo = Pseudonymiser(KEY)
    data = deidentify_result(result, pseudo)
    text = without_pseudonyms(json.dumps(data) + deidentified_match_csv(result, pseudo))
    for secret in ("P0001", "P0002", "L01", "L02", KEY):
        assert secret not in text, secret
    assert data["deidentified"] is True
    assert data["manifest"] == result.to_dict()["manifest"]
    by_pseudo = {m["participant_id"]: m["peer_id"] for m in data["matches"]}
    assert by_pseudo == {
        pseudo("participant", p): pseudo("peer", x) for p, x in result.pairs.items()
    }
    rows = list(csv.DictReader(io.StringIO(deidentified_match_csv(result, pseudo), newline="")))
    assert [r["participant_id"] for r in rows] == sorted(r["participant_id"] for r in rows)
    assert {(r["participant_id"], r["peer_id"]) for r in rows if r["peer_id"]} == set(
        by_pseudo.items()
    )
    # no number computed from a dropped or banded field (see test_deidentify_attack.py)
    assert "score" not in rows[0] and "rank" not in rows[0]
    for m in data["matches"]:
        assert set(m) == {"participant_id", "peer_id", "preferred_rank", "similarities"}
        assert not set(m["similarities"]) & {*DROPPED_FIELDS, "age", "diabetes_years", "hba1c"}
    assert "mean_score" not in data["metrics"] and "n_matched" in data["metrics"]
    assert all(set(u) == {"participant_id", "reason"} for u in data["unmatched"])


def test_a_rematch_export_has_pseudonyms_and_no_notes() -> None:
    """A de-identified re-match result once kept the real ids and the notes of its changes."""
    from peermatch import Ending, rematch

    ps, ls = _cohort()
    first = match(ps, ls)
    pid, lid = next(iter(first.pairs.items()))
    again = rematch(first, ps, ls, ended=[Ending(pid, lid, "safety", "private words")])
    pseudo = Pseudonymiser(KEY)
    data = deidentify_result(again, pseudo)
    text = without_pseudonyms(json.dumps(data) + deidentified_match_csv(again, pseudo))
    for secret in ("P0001", "P0002", "L01", "L02", "private words"):
        assert secret not in text, secret
    assert data["rematch"]["blocks"] == [
        {
            "participant_id": pseudo("participant", pid),
            "peer_id": pseudo("peer", lid),
            "reason": "safety",
            "safety": True,
        }
    ]
    assert "n_endings" in data["metrics"]


def test_read_key(tmp_path: Path) -> None:
    (tmp_path / "k").write_text(f"  {KEY}\n")
    assert read_key(tmp_path / "k") == KEY
    (tmp_path / "short").write_text("abc\n")
    with pytest.raises(InputError, match="too short"):
        read_key(tmp_path / "short")
    with pytest.raises(InputError, match="cannot read: No such file"):
        read_key(tmp_path / "missing")


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("/dev/zero", "is not a regular file"),  # once read until memory ran out
        ("fifo", "is not a regular file"),  # once waited for a writer forever
        ("big", "the file is too large"),
        ("folder", "is a folder"),
        ("binary", "binary content"),
    ],
)
def test_read_key_refuses_devices_pipes_and_large_files(
    tmp_path: Path, name: str, fragment: str
) -> None:
    path = Path(name) if name.startswith("/") else tmp_path / name
    if name == "fifo":
        os.mkfifo(path)
    elif name == "big":
        path.write_text("k" * (MAX_KEY_BYTES + 1))
    elif name == "folder":
        path.mkdir()
    elif name == "binary":
        path.write_bytes(b"0123456789abcdef\x00")
    with pytest.raises(InputError, match=fragment):
        read_key(path)


# -- command line ----------------------------------------------------------------------------


def run_main(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def cohort_files(tmp_path: Path) -> tuple[Path, Path]:
    p, leaders = tmp_path / "p.csv", tmp_path / "l.csv"
    p.write_text(
        "id,age,sex,languages,region,interests,hba1c,vetoes\n"
        "P0001,93,female,en,V5K,birdwatching,8.4,L02\n"
        "P0002,41,male,en,V6B,,6.2,\n"
    )
    leaders.write_text("id,age,languages,capacity\nL01,67,en,1\nL02,58,en,2\n")
    return p, leaders


def test_cli_deidentify_and_match_share_pseudonyms_through_the_key(
    cohort_files: tuple[Path, Path], tmp_path: Path
) -> None:
    p, leaders = cohort_files
    key = tmp_path / "secret" / "peermatch.key"
    key.parent.mkdir()
    out = tmp_path / "shared"
    code, _, err = run_main(
        ["deidentify", str(p), str(leaders), "--out", str(out), "--key-file", str(key)]
    )
    assert code == 0, err
    assert "created a new key" in err
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    secret = key.read_text().strip()
    assert len(secret) == 64
    exported = {f.name: f.read_text() for f in out.iterdir()}
    assert sorted(exported) == ["participants.csv", "peers.csv"]
    everything = without_pseudonyms("".join(exported.values()))
    for s in (secret, "P0001", "L01", "V5K", "birdwatching", "93", "8.4"):
        assert s not in everything, s
    code, stdout, err = run_main(
        ["match", str(p), str(leaders), "--deidentify", "--key-file", str(key)]
    )
    assert code == 0, err
    ids_in_profiles = {r["id"] for r in csv.DictReader(io.StringIO(exported["participants.csv"]))}
    rows = list(csv.DictReader(io.StringIO(stdout)))
    assert {r["participant_id"] for r in rows} == ids_in_profiles
    peer_ids = {r["id"] for r in csv.DictReader(io.StringIO(exported["peers.csv"]))}
    assert {r["peer_id"] for r in rows if r["peer_id"]} <= peer_ids
    assert "P0001" not in stdout and secret not in stdout
    # the same key again gives the same export
    code, _, _ = run_main(
        ["deidentify", str(p), str(leaders), "--out", str(out), "--key-file", str(key), "--force"]
    )
    assert code == 0 and {f.name: f.read_text() for f in out.iterdir()} == exported


def test_cli_without_key_uses_a_random_key_each_time(cohort_files: tuple[Path, Path]) -> None:
    p, leaders = cohort_files
    first = run_main(["match", str(p), str(leaders), "--deidentify", "--format", "json"])
    second = run_main(["match", str(p), str(leaders), "--deidentify", "--format", "json"])
    assert first[0] == second[0] == 0
    assert "cannot be linked to any other export" in first[2]
    a, b = json.loads(first[1]), json.loads(second[1])
    assert a["manifest"] == b["manifest"]
    assert {m["participant_id"] for m in a["matches"]}.isdisjoint(
        {m["participant_id"] for m in b["matches"]}
    )


def test_cli_deidentify_usage_errors(cohort_files: tuple[Path, Path], tmp_path: Path) -> None:
    p, leaders = cohort_files
    code, _, err = run_main(["match", str(p), str(leaders), "--key-file", str(tmp_path / "k")])
    assert code == 2 and "only with --deidentify" in err
    (tmp_path / "short.key").write_text("abc")
    code, _, err = run_main(
        ["match", str(p), str(leaders), "--deidentify", "--key-file", str(tmp_path / "short.key")]
    )
    assert code == 2 and "too short" in err
    (tmp_path / "file").write_text("x")
    code, _, err = run_main(["deidentify", str(p), str(leaders), "--out", str(tmp_path / "file")])
    assert code == 2 and "is a file, not a folder" in err
    bad = tmp_path / "bad.csv"
    bad.write_text("id,age,languages\nP1,forty,en\n")
    code, _, err = run_main(["deidentify", str(bad), str(leaders), "--out", str(tmp_path / "o")])
    assert code == 2 and "found 'forty'" in err and not (tmp_path / "o").exists()


def test_cli_deidentify_in_a_subprocess(cohort_files: tuple[Path, Path], tmp_path: Path) -> None:
    p, leaders = cohort_files
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "peermatch",
            "deidentify",
            str(p),
            str(leaders),
            "--out",
            str(tmp_path / "o"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    assert "P0001" not in (tmp_path / "o" / "participants.csv").read_text()
