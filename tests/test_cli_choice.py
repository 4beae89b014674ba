"""The shortlist -> preferred -> stable flow and compare, through a real subprocess."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from cli_runner import run_peermatch as run

from peermatch import read_participants, read_peers
from peermatch.programme._shortlist import DEFAULT_CARD_FIELDS, SHORTLIST_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
P_CSV = str(EXAMPLES / "participants.csv")
L_CSV = str(EXAMPLES / "peers.csv")


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def example_ids() -> list[str]:
    with open(P_CSV, encoding="utf-8") as fh:
        return sorted(r["id"] for r in csv.DictReader(fh))


def test_shortlist_example_cohort_to_stdout_is_deterministic() -> None:
    res = run("shortlist", P_CSV, L_CSV, "-k", "2")
    assert res.returncode == 0, res.stderr
    rows = rows_of(res.stdout)
    assert tuple(rows[0]) == (*SHORTLIST_COLUMNS, *DEFAULT_CARD_FIELDS)
    assert sorted({r["participant_id"] for r in rows}) == example_ids()
    by_p: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        by_p.setdefault(r["participant_id"], []).append(r)
    for cands in by_p.values():
        assert [c["rank"] for c in cands] == [str(k) for k in range(1, len(cands) + 1)]
        assert len(cands) <= 2
        scores = [float(c["score"]) for c in cands]
        assert scores == sorted(scores, reverse=True)
    assert "hba1c" not in rows[0] and "complications" not in rows[0]
    assert "shortlisted up to 2 leaders for 120 of 120 participants" in res.stderr
    assert run("shortlist", P_CSV, L_CSV, "-k", "2").stdout == res.stdout


def test_shortlist_json_and_card_option(tmp_path: Path) -> None:
    out = tmp_path / "s.json"
    res = run("shortlist", P_CSV, L_CSV, "-o", str(out), "--card", "age,region", "--exposure", "1")
    assert res.returncode == 0, res.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["k"] == 3 and data["exposure"] == 1.0 and data["card_fields"] == ["age", "region"]
    first = data["shortlists"][0]["candidates"][0]
    assert set(first["card"]) == {"age", "region"} and first["rank"] == 1
    res = run("shortlist", P_CSV, L_CSV, "--format", "json", "--exposure", "none")
    assert json.loads(res.stdout)["exposure"] is None


def test_empty_list_row_says_why(tmp_path: Path) -> None:
    p = tmp_path / "p.csv"
    leaders = tmp_path / "l.csv"
    p.write_text("id,age,languages\nP1,40,de\nP2,50,en\n", encoding="utf-8")
    leaders.write_text("id,age,languages,capacity\nL1,45,en,2\nL2,45,fr,0\n", encoding="utf-8")
    res = run("shortlist", str(p), str(leaders), "-k", "1")
    assert res.returncode == 0, res.stderr
    rows = rows_of(res.stdout)
    assert [r["participant_id"] for r in rows] == ["P1", "P2"]
    assert rows[0]["peer_id"] == rows[0]["rank"] == rows[0]["score"] == ""
    assert rows[0]["reasons"].startswith("no_feasible_leader: no feasible leader: ")
    assert "1 leader has no capacity" in rows[0]["reasons"]
    assert "1 fails the hard rule on languages" in rows[0]["reasons"]
    assert rows[1]["peer_id"] == "L1"
    assert "1 with no feasible leader" in res.stderr


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["-k", "0"], "expected a whole number >= 1"),
        (["--exposure", "0"], "expected a number > 0 or 'none'"),
        (["--card", "age,vetoes"], "card_fields: 'vetoes' names other people"),
        (["-o", P_CSV], "is one of the input files"),
        (["--write-preferred", P_CSV], "is one of the input files"),
        (["--write-preferred", "choices.txt"], "name a .csv or .json file"),
    ],
)
def test_shortlist_bad_usage_exits_2(extra: list[str], message: str) -> None:
    before = Path(P_CSV).read_bytes()
    res = run("shortlist", P_CSV, L_CSV, *extra)
    assert res.returncode == 2, res.stderr
    assert message in res.stderr and "Traceback" not in res.stderr
    assert Path(P_CSV).read_bytes() == before


def test_shortlist_then_choices_then_stable_match(tmp_path: Path) -> None:
    """The documented flow, end to end on the example cohort."""
    shortlist_csv = tmp_path / "shortlist.csv"
    choices = tmp_path / "choices.csv"
    res = run(
        "shortlist",
        P_CSV,
        L_CSV,
        "-k",
        "3",
        "-o",
        str(shortlist_csv),
        "--write-preferred",
        str(choices),
    )
    assert res.returncode == 0, res.stderr
    assert f"wrote {choices}" in res.stderr
    listed: dict[str, list[str]] = {}
    for r in rows_of(shortlist_csv.read_text(encoding="utf-8")):
        listed.setdefault(r["participant_id"], []).append(r["peer_id"])
    original = {p.id: p for p in read_participants(P_CSV)}
    filled = {p.id: p for p in read_participants(choices)}
    assert list(filled) == list(original)  # same rows, same order
    for pid, p in filled.items():
        if original[pid].preferred:
            assert p.preferred == original[pid].preferred  # choices already entered are kept
        else:
            assert list(p.preferred or ()) == listed[pid]
        assert p.model_dump(exclude={"preferred"}) == original[pid].model_dump(
            exclude={"preferred"}
        )
    # the coordinator enters choices: two participants put their third candidate first
    rows = rows_of(choices.read_text(encoding="utf-8"))
    edited = [
        pid for pid in sorted(listed) if len(listed[pid]) == 3 and not original[pid].preferred
    ]
    edited = edited[:2]
    for r in rows:
        if r["id"] in edited:
            ids = listed[r["id"]]
            r["preferred"] = ";".join([ids[2], ids[0]])
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    choices.write_text(buf.getvalue(), encoding="utf-8")
    assert run("validate", str(choices), L_CSV).returncode == 0
    out = tmp_path / "matches.csv"
    res = run("match", str(choices), L_CSV, "--solver", "stable", "-o", str(out))
    assert res.returncode == 0, res.stderr
    matches = {r["participant_id"]: r for r in rows_of(out.read_text(encoding="utf-8"))}
    assert list(matches) == example_ids()
    matched = [r for r in matches.values() if r["status"] == "matched"]
    on_list = [r for r in matched if r["preferred_rank"]]
    assert len(on_list) >= 0.8 * len(matched)
    firsts = sum(r["preferred_rank"] == "1" for r in matched)
    assert firsts >= len(matched) // 2
    # a preferred leader ranked above the outcome is explained
    for pid in edited:
        text = run("explain", str(choices), L_CSV, "--solver", "stable", "--participant", pid)
        assert text.returncode == 0, text.stderr
        if matches[pid]["preferred_rank"] != "1":
            assert "Preferred leaders ranked above this outcome:" in text.stdout


def _csv_rows(path: str | Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_shortlist_mid_programme_lists_only_open_places(tmp_path: Path) -> None:
    # the first 100 participants were matched; 20 more joined since
    first = tmp_path / "first.csv"
    people = _csv_rows(P_CSV)
    with open(first, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(people[0]))
        w.writeheader()
        w.writerows(people[:100])
    current = tmp_path / "current.csv"
    assert run("match", str(first), L_CSV, "-o", str(current)).returncode == 0
    res = run("shortlist", P_CSV, L_CSV, "--current", str(current), "-k", "3")
    assert res.returncode == 0, res.stderr
    assert "100 already matched in" in res.stderr
    load: dict[str, int] = {}
    for r in _csv_rows(current):
        if r["status"] == "matched":
            load[r["peer_id"]] = load.get(r["peer_id"], 0) + 1
    spare = {r["id"]: int(r["capacity"]) - load.get(r["id"], 0) for r in _csv_rows(L_CSV)}
    listed = rows_of(res.stdout)
    new_ids = {r["id"] for r in people[100:]}
    assert {r["participant_id"] for r in listed} == new_ids
    chosen = [r["peer_id"] for r in listed if r["peer_id"]]
    assert chosen and all(spare[lid] > 0 for lid in chosen)
    full = {lid for lid, s in spare.items() if s <= 0}
    assert full, "the example should leave some leaders full"


def test_shortlist_from_history_never_lists_an_ended_pair(tmp_path: Path) -> None:
    p = tmp_path / "p.csv"
    p.write_text("id,age,languages\nP1,40,en\nP2,50,en\nP3,60,en\n", encoding="utf-8")
    ls = tmp_path / "l.csv"
    ls.write_text(
        "id,age,languages,capacity\nL1,40,en,1\nL2,50,en,1\nL3,60,en,1\n", encoding="utf-8"
    )
    h = str(tmp_path / "h.json")
    res = run(
        "rematch", str(p), str(ls), "--history", h, "--new-history", "-o", str(tmp_path / "1.csv")
    )
    assert res.returncode == 0, res.stderr
    pairs = {r["participant_id"]: r["peer_id"] for r in _csv_rows(tmp_path / "1.csv")}
    lead = pairs["P1"]
    ended = tmp_path / "ended.csv"
    ended.write_text(f"participant_id,peer_id,reason\nP1,{lead},safety\n", encoding="utf-8")
    res = run("rematch", str(p), str(ls), "--history", h, "--ended", str(ended))
    assert res.returncode == 0, res.stderr
    # the only place left is the ended pair's leader: P1 waits, with nothing to choose from
    res = run("shortlist", str(p), str(ls), "--history", h)
    assert res.returncode == 0, res.stderr
    rows = rows_of(res.stdout)
    assert [r["participant_id"] for r in rows] == ["P1"] and rows[0]["peer_id"] == ""
    # a new leader joins: P1 may choose them, never the ended pair's leader
    ls.write_text(ls.read_text(encoding="utf-8") + "L4,45,en,1\n", encoding="utf-8")
    res = run("shortlist", str(p), str(ls), "--history", h)
    assert res.returncode == 0, res.stderr
    assert [(r["participant_id"], r["peer_id"]) for r in rows_of(res.stdout)] == [("P1", "L4")]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--history", "missing.json"], "no such history file"),
        (["--current", "missing.csv"], "missing.csv"),
        (["--current", "a.csv", "--history", "b.json"], "not allowed with"),
    ],
)
def test_shortlist_current_options_bad_input(
    extra: list[str], message: str, tmp_path: Path
) -> None:
    res = run("shortlist", P_CSV, L_CSV, *extra, cwd=tmp_path)
    assert res.returncode == 2 and message in res.stderr and "Traceback" not in res.stderr


def test_compare_default_prints_every_solver(tmp_path: Path) -> None:
    res = run("compare", P_CSV, L_CSV)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0].split() == ["greedy", "hungarian", "maximin", "stable"]
    assert any(line.startswith("blocking pairs") for line in lines)
    out = tmp_path / "cmp.csv"
    res = run(
        "compare", P_CSV, L_CSV, "--solver", "stable", "--solver", "hungarian", "-o", str(out)
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines()[0].split() == ["stable", "hungarian"]
    rows = rows_of(out.read_text(encoding="utf-8"))
    assert [r["solver"] for r in rows] == ["stable", "hungarian"]
    assert rows[0]["blocking_pairs"] == "0"


def test_compare_configs_named_after_their_files(tmp_path: Path) -> None:
    (tmp_path / "trial.toml").write_text('preset = "c2c_baseline"\n', encoding="utf-8")
    (tmp_path / "centred.toml").write_text('solver = "stable"\n', encoding="utf-8")
    out = tmp_path / "cmp.json"
    res = run(
        "compare",
        P_CSV,
        L_CSV,
        "--config",
        str(tmp_path / "centred.toml"),
        "--config",
        str(tmp_path / "trial.toml"),
        "-o",
        str(out),
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines()[0].split() == ["centred", "trial"]
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [(r["label"], r["solver"]) for r in data["runs"]] == [
        ("centred", "stable"),
        ("trial", "hungarian"),
    ]
    (tmp_path / "bad.toml").write_text("min_scor = 1\n", encoding="utf-8")
    res = run("compare", P_CSV, L_CSV, "--config", str(tmp_path / "bad.toml"))
    assert res.returncode == 2 and "min_scor" in res.stderr and "Traceback" not in res.stderr
    assert run("compare", P_CSV, L_CSV, "--solver", "magic").returncode == 2


@pytest.mark.parametrize("command", ["shortlist", "compare"])
def test_help_has_an_example(command: str) -> None:
    res = run(command, "--help")
    assert res.returncode == 0 and "example:" in res.stdout
    assert f"peermatch {command} examples/participants.csv examples/peers.csv" in res.stdout


def _limited(gigabytes: int) -> None:  # pragma: no cover - runs in the child process
    import resource

    size = gigabytes << 30
    resource.setrlimit(resource.RLIMIT_AS, (size, size))


def test_huge_k_and_exposure_from_the_command_line_stay_small() -> None:
    """``-k 1000000000`` once allocated 15 GB; ``--exposure 1e300`` marked everyone relaxed
    and, with a huge ``k``, raised numpy's 'invalid value' warning (inf * 0)."""
    import subprocess
    import sys

    args = [sys.executable, "-m", "peermatch", "shortlist", P_CSV, L_CSV]
    huge = subprocess.run(
        [*args, "-k", "1000000000", "--exposure", "1e300"],
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=lambda: _limited(3),
    )
    assert huge.returncode == 0, huge.stderr
    assert "Warning" not in huge.stderr and "0 relaxed" in huge.stderr
    n_leaders = len(read_peers(L_CSV))
    plain = run("shortlist", P_CSV, L_CSV, "-k", str(n_leaders), "--exposure", "none")
    assert huge.stdout == plain.stdout
