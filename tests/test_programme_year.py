"""The programme-year walk-through of ``docs/programme-year.md``, step by step, via the CLI.

The commands below are exactly the documented ones (a test checks that the document holds
these commands and no others); they run in a scratch copy of the repository layout so that
the outputs land in a temporary ``year/`` folder.
"""

from __future__ import annotations

import csv
import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from peermatch import MatchResult, read_peers

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "programme-year.md"
Y = "examples/year"
H = "--history year/history.json"

JANUARY = (
    f"peermatch rematch {Y}/participants.csv {Y}/peers.csv {H} --new-history -o year/01-january.csv"
)
MARCH = (
    f"peermatch rematch {Y}/participants.csv {Y}/peers.csv {H} "
    f"--ended {Y}/ended-march.csv -o year/03-march.csv"
)
MAY = f"peermatch rematch {Y}/participants.csv {Y}/peers-may.csv {H} -o year/05-may.csv"
JULY = f"peermatch rematch {Y}/participants-july.csv {Y}/peers-may.csv {H} -o year/07-july.csv"
SEPTEMBER = (
    f"peermatch rematch {Y}/participants-september.csv {Y}/peers-may.csv {H} "
    "-o year/09-september.csv"
)
EXPLAIN = (
    f"peermatch explain {Y}/participants-september.csv {Y}/peers-may.csv {H} --participant P02"
)
REPLAY_LAST = f"peermatch replay {Y}/participants-september.csv {Y}/peers-may.csv {H}"
REPLAY_2 = f"peermatch replay {Y}/participants.csv {Y}/peers.csv {H} --run 2"
REPLAY_3_WRONG_FILES = f"peermatch replay {Y}/participants.csv {Y}/peers.csv {H} --run 3"
STEPS = [
    JANUARY,
    MARCH,
    MAY,
    JULY,
    SEPTEMBER,
    EXPLAIN,
    REPLAY_LAST,
    REPLAY_2,
    REPLAY_3_WRONG_FILES,
]
SAFETY_PAIR = ("P07", "L04")
INSULIN = {"basal_insulin", "mdi_insulin", "insulin_pump"}


def doc_commands() -> list[str]:
    return [
        ln for ln in DOC.read_text(encoding="utf-8").splitlines() if ln.startswith("peermatch ")
    ]


def doc_blocks() -> list[str]:
    return re.findall(r"```[a-z]*\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


def run(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    argv = shlex.split(command)
    assert argv[0] == "peermatch"
    return subprocess.run(
        [sys.executable, "-m", "peermatch", *argv[1:]],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


def read_rows(path: Path) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return {r["participant_id"]: r for r in csv.DictReader(fh)}


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Run the documented year once; the tests below check each step's outcome."""
    work = tmp_path_factory.mktemp("programme-year")
    shutil.copytree(ROOT / Y, work / Y)
    (work / "year").mkdir()
    done: dict[str, object] = {"work": work}
    for command in STEPS:
        if command == MARCH:
            # a typo in an ending (a pair that is not current) is refused, nothing recorded
            typo = work / Y / "ended.csv"
            typo.write_text("participant_id,peer_id,reason\nP07,L03,safety\n", encoding="utf-8")
            done["typo"] = run(
                f"peermatch rematch {Y}/participants.csv {Y}/peers.csv {H} --ended {Y}/ended.csv",
                work,
            )
            history = json.loads((work / "year" / "history.json").read_text(encoding="utf-8"))
            done["runs_after_typo"] = len(history["runs"])
        done[command] = run(command, work)
    return done


def out(year: dict[str, object], command: str) -> subprocess.CompletedProcess[str]:
    res = year[command]
    assert isinstance(res, subprocess.CompletedProcess)
    return res


def rows(year: dict[str, object], name: str) -> dict[str, dict[str, str]]:
    work = year["work"]
    assert isinstance(work, Path)
    return read_rows(work / "year" / name)


def test_the_document_holds_exactly_these_commands() -> None:
    assert doc_commands() == STEPS


def test_every_rematch_step_succeeds_with_the_documented_summary(year: dict[str, object]) -> None:
    blocks = doc_blocks()
    for command in (JANUARY, MARCH, MAY, JULY, SEPTEMBER):
        res = out(year, command)
        assert res.returncode == 0, res.stderr
        assert res.stderr in blocks, f"the document does not show: {res.stderr}"


def test_january_everyone_is_new(year: dict[str, object]) -> None:
    january = rows(year, "01-january.csv")
    assert len(january) == 12
    assert {r["status"] for r in january.values()} == {"matched"}
    assert {r["change"] for r in january.values()} == {"new"}


def test_a_typo_in_an_ending_is_refused_and_nothing_is_recorded(year: dict[str, object]) -> None:
    res = year["typo"]
    assert isinstance(res, subprocess.CompletedProcess)
    assert res.returncode == 2
    line = (
        "examples/year/ended.csv:2: peer_id: P07 was matched with L04, not L03; an ending "
        "must name a current pair"
    )
    assert line in res.stderr
    assert line + "\n" in doc_blocks()
    assert year["runs_after_typo"] == 1


def test_march_two_endings_move_only_those_two(year: dict[str, object]) -> None:
    january, march = rows(year, "01-january.csv"), rows(year, "03-march.csv")
    moved = {pid for pid, r in march.items() if r["change"] != "kept"}
    assert moved == {"P04", "P07"}
    assert march["P04"]["change_reason"] == "ended:schedule"
    assert march["P04"]["previous_peer_id"] == "L06" and march["P04"]["peer_id"] != "L06"
    assert march["P07"]["change_reason"] == "ended:safety"
    assert march["P07"]["change"] == "moved" and march["P07"]["safety_blocked"] == "L04"
    for pid, r in march.items():
        if pid not in moved:
            assert r["peer_id"] == january[pid]["peer_id"]


def test_the_safety_pair_never_reappears_and_is_listed_in_every_later_report(
    year: dict[str, object],
) -> None:
    for name in ("03-march.csv", "05-may.csv", "07-july.csv", "09-september.csv"):
        r = rows(year, name)
        assert r["P07"]["peer_id"] != "L04"
        assert r["P07"]["safety_blocked"] == "L04"
    for command in (MARCH, MAY, JULY, SEPTEMBER):
        assert "safety blocks in force: P07-L04" in out(year, command).stderr
    work = year["work"]
    assert isinstance(work, Path)
    history = json.loads((work / "year" / "history.json").read_text(encoding="utf-8"))
    for run_ in history["runs"][1:]:
        assert run_["pairs"].get("P07") != "L04"


def test_may_the_paused_leaders_participants_move(year: dict[str, object]) -> None:
    march, may = rows(year, "03-march.csv"), rows(year, "05-may.csv")
    had_l03 = {pid for pid, r in march.items() if r["peer_id"] == "L03"}
    assert had_l03 == {"P03", "P04", "P09"}
    assert "L03" not in {r["peer_id"] for r in may.values()}
    for pid, r in may.items():
        if pid in had_l03:
            assert (r["change"], r["change_reason"]) == ("moved", "infeasible:leader_inactive")
        else:
            assert (r["change"], r["peer_id"]) == ("kept", march[pid]["peer_id"])


def test_july_three_newcomers_are_matched_or_reported(year: dict[str, object]) -> None:
    july = rows(year, "07-july.csv")
    assert len(july) == 15
    for pid in ("P13", "P14", "P15"):
        r = july[pid]
        assert r["change_reason"] == "newcomer"
        assert (r["status"], r["change"]) == ("matched", "new") or (
            r["status"] == "unmatched" and r["reason"]
        )
    assert {r["change"] for pid, r in july.items() if pid < "P13"} == {"kept"}


def test_september_the_insulin_participant_moves_to_a_leader_with_insulin(
    year: dict[str, object],
) -> None:
    july, september = rows(year, "07-july.csv"), rows(year, "09-september.csv")
    p02 = september["P02"]
    assert (p02["change"], p02["previous_peer_id"]) == ("moved", "L02")
    assert p02["change_reason"] == "infeasible:hard_criterion:treatments"
    peers = {x.id: x for x in read_peers(ROOT / Y / "peers-may.csv")}
    assert {str(t) for t in peers[p02["peer_id"]].treatments or ()} & INSULIN
    assert not {str(t) for t in peers["L02"].treatments or ()} & INSULIN
    others = {pid for pid, r in september.items() if r["change"] != "kept"}
    assert others == {"P02"}
    assert all(september[p]["peer_id"] == july[p]["peer_id"] for p in september if p != "P02")
    res = out(year, EXPLAIN)
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith(f"Participant P02 is matched with peer leader {p02['peer_id']}.")
    assert "Change: moved from L02 to" in res.stdout
    assert "fails the hard rule on treatments" in res.stdout


def test_replay_reproduces_recorded_runs_and_checks_the_files(year: dict[str, object]) -> None:
    blocks = doc_blocks()
    for command in (REPLAY_LAST, REPLAY_2):
        res = out(year, command)
        assert res.returncode == 0, res.stderr
        assert res.stdout in blocks
    res = out(year, REPLAY_3_WRONG_FILES)
    assert res.returncode == 2
    problem = res.stderr.strip().splitlines()[-1]
    assert problem + "\n" in blocks


def test_the_python_version_of_the_year_runs(
    year: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    code = next(b for b in doc_blocks() if b.startswith("import peermatch"))
    namespace: dict[str, object] = {}
    exec(compile(code, str(DOC), "exec"), namespace)  # the document's own example
    may, march = namespace["may"], namespace["march"]
    assert isinstance(may, MatchResult) and isinstance(march, MatchResult)
    assert may.pairs == {k: v["peer_id"] for k, v in rows(year, "05-may.csv").items()}
    assert march.pairs == {k: v["peer_id"] for k, v in rows(year, "03-march.csv").items()}
    assert [b.pair for b in may.blocks] == [("P04", "L06"), SAFETY_PAIR]


def test_outputs_never_replace_inputs(year: dict[str, object]) -> None:
    work = year["work"]
    assert isinstance(work, Path)
    for name in ("participants.csv", "peers.csv", "peers-may.csv", "ended-march.csv"):
        assert (work / Y / name).read_bytes() == (ROOT / Y / name).read_bytes()


def test_the_documented_edit_is_reported_as_documented(
    year: dict[str, object], tmp_path: Path
) -> None:
    """The page's example: the safety ending of March deleted from the history by hand."""
    work = year["work"]
    assert isinstance(work, Path)
    (tmp_path / "year").mkdir()
    data = json.loads((work / "year" / "history.json").read_text(encoding="utf-8"))
    march = data["runs"][1]
    march["ended"] = [e for e in march["ended"] if e["reason"] != "safety"]
    (tmp_path / "year" / "history.json").write_text(json.dumps(data), encoding="utf-8")
    res = run("peermatch validate --history year/history.json", tmp_path)
    assert res.returncode == 2
    assert res.stderr in doc_blocks()
