"""Run history and replay: the library API and the ``rematch`` / ``replay`` commands."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from pathlib import Path
from typing import Any

import pytest
from cli_runner import run_peermatch as run_cli

from peermatch import InputError, MatchConfig, Participant, PeerLeader, match
from peermatch.io._profiles import write_profiles
from peermatch.programme._history import History
from peermatch.programme._rematch import write_endings


def person(pid: str, **kw: Any) -> Participant:
    return Participant(id=pid, languages="en", age=kw.pop("age", 50), **kw)


def leader(lid: str, **kw: Any) -> PeerLeader:
    return PeerLeader(id=lid, languages="en", age=kw.pop("age", 50), **kw)


PS = [
    person("P1", age=30, region="V5K", interests="birdwatching"),
    person("P2", age=50, region="V5K"),
    person("P3", age=70, region="V6B"),
]
LS = [leader("L1", age=30, capacity=1), leader("L2", age=50), leader("L3", age=70)]


# -- library ----------------------------------------------------------------------------------


def test_history_is_created_on_first_save_and_only_extended(tmp_path: Path) -> None:
    path = tmp_path / "h.json"
    with pytest.raises(InputError, match="no such history file"):
        History.load(path)
    h = History.load(path, new=True)
    assert len(h) == 0 and not path.exists()
    first = h.rematch(PS, LS)
    assert first.pairs == match(PS, LS).pairs
    h.save()
    assert path.exists()
    h = History.load(path)
    h.rematch(PS, LS, ended=[("P1", "L1", "safety")])
    h.save()
    h = History.load(path)
    assert [(r.run, r.kind) for r in h.runs] == [(1, "match"), (2, "rematch")]
    assert h.runs[1].previous == {"source": "history", "run": 1}
    assert [(b.pair, b.safety) for b in h.blocks()] == [(("P1", "L1"), True)]
    third = h.rematch(PS, LS, stay_bonus=0)
    assert third.pairs.get("P1") != "L1"
    assert [b.pair for b in third.blocks] == [("P1", "L1")]


def test_history_stores_ids_and_hashes_never_profile_contents(tmp_path: Path) -> None:
    path = tmp_path / "h.json"
    h = History.load(path, new=True)
    h.rematch(PS, LS)
    h.rematch(PS, LS, ended=[("P2", "L2", "poor_fit", "said something private")])
    h.save()
    text = path.read_text()
    for secret in ("birdwatching", "V5K", "V6B", "said something private"):
        assert secret not in text
    data = json.loads(text)
    run = data["runs"][1]
    assert set(run) == {
        "run",
        "kind",
        "timestamp",
        "peermatch_version",
        "solver",
        "config_hash",
        "input_hash",
        "participants_hash",
        "peers_hash",
        "stay_bonus",
        "previous",
        "ended",
        "pairs",
        "unmatched",
        "config",
        "decisions",
        "prev",
        "digests",
        "hash",
    }
    assert run["decisions"] == [] and run["prev"] == data["runs"][0]["hash"]
    assert data["head"] == run["hash"] and data["run_count"] == 2
    assert run["ended"] == [
        {"participant_id": "P2", "peer_id": "L2", "reason": "poor_fit", "safety": False}
    ]
    assert run["timestamp"].endswith("Z")
    assert MatchConfig.model_validate(run["config"]).config_hash() == run["config_hash"]


def test_endings_need_a_previous_run(tmp_path: Path) -> None:
    h = History.load(tmp_path / "h.json", new=True)
    with pytest.raises(InputError, match="no previous run"):
        h.rematch(PS, LS, ended=[("P1", "L1", "schedule")])
    assert len(h) == 0


def test_config_and_solver_carry_over_from_the_last_run(tmp_path: Path) -> None:
    h = History.load(tmp_path / "h.json", new=True)
    cfg = MatchConfig(min_score=0.1, preference_bonus=0.2)
    h.rematch(PS, LS, cfg)
    assert h.rematch(PS, LS).config == cfg
    assert h.rematch(PS, LS, MatchConfig()).config == MatchConfig()


def test_replay_reproduces_every_run(tmp_path: Path) -> None:
    path = tmp_path / "h.json"
    h = History.load(path, new=True)
    h.rematch(PS, LS)
    h.rematch(PS, LS, ended=[("P1", "L1", "schedule")])
    ls2 = [leader("L1", age=30, capacity=1), leader("L2", age=50, active=False), LS[2]]
    ps2 = [*PS, person("P4", age=31)]
    h.rematch(ps2, ls2, stay_bonus=0.05)
    h.save()
    h = History.load(path)
    for run, (ps, ls) in enumerate([(PS, LS), (PS, LS), (ps2, ls2)], start=1):
        rep = h.replay(list(reversed(ps)), ls, run=run)  # row order does not matter
        assert rep.reproduced and rep.differences == () and rep.run == run
    assert h.replay(ps2, ls2).run == 3


def test_replay_checks_the_inputs_and_config(tmp_path: Path) -> None:
    h = History.load(tmp_path / "h.json", new=True)
    h.rematch(PS, LS)
    with pytest.raises(InputError, match="the participants given differ from those of run 1"):
        h.replay([*PS, person("P9")], LS)
    with pytest.raises(InputError, match="the peer leaders given differ"):
        h.replay(PS, LS[:2])
    with pytest.raises(InputError, match="the configuration given differs"):
        h.replay(PS, LS, config=MatchConfig(min_score=0.5))
    assert h.replay(PS, LS, config=MatchConfig()).reproduced
    with pytest.raises(InputError, match="no run 4; it holds runs 1 to 1"):
        h.replay(PS, LS, run=4)


def test_replay_reports_what_differs(tmp_path: Path) -> None:
    h = History.load(tmp_path / "h.json", new=True)
    h.rematch(PS, LS)
    h.runs[0] = dataclasses.replace(h.runs[0], pairs={**h.runs[0].pairs, "P3": "L2"})
    rep = h.replay(PS, LS)
    assert not rep.reproduced
    assert rep.differences == ("P3: recorded L2, replayed L3",)


def test_previous_file_joins_the_history(tmp_path: Path) -> None:
    h = History.load(tmp_path / "h.json", new=True)
    h.rematch(PS, LS)
    h.rematch(PS, LS, ended=[("P3", "L3", "safety")])
    edited = tmp_path / "edited.csv"
    edited.write_text(
        "participant_id,peer_id,status\nP1,L2,matched\nP2,L2,matched\nP3,,unmatched\n"
    )
    result = h.rematch(PS, LS, previous=edited, ended=[("P1", "L2", "poor_fit")])
    assert {b.pair for b in result.blocks} == {("P3", "L3"), ("P1", "L2")}
    rec = h.runs[-1]
    assert rec.previous is not None and rec.previous["source"] == "given"
    assert rec.previous["pairs"] == {"P1": "L2", "P2": "L2"}
    h.save()
    assert History.load(tmp_path / "h.json").replay(PS, LS).reproduced


def test_save_refuses_when_the_file_changed_meanwhile(tmp_path: Path) -> None:
    path = tmp_path / "h.json"
    a = History.load(path, new=True)
    b = History.load(path, new=True)
    a.rematch(PS, LS)
    a.save()
    b.rematch(PS, LS)
    with pytest.raises(InputError, match="changed since it was read"):
        b.save()
    assert len(History.load(path)) == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "not valid JSON"),
        ("[]", "not a peermatch history"),
        ('{"format": "peermatch-history", "format_version": 9, "runs": []}', "expected 2"),
        ('{"format": "peermatch-history", "format_version": 1, "runs": {}}', "runs: expected"),
        (
            '{"format": "peermatch-history", "format_version": 1, "runs": [{"run": 2}]}',
            "runs[0].run: expected 1, found 2",
        ),
    ],
)
def test_malformed_history_is_an_input_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "h.json"
    path.write_text(content)
    with pytest.raises(InputError, match=message.replace("[", r"\[").replace("]", r"\]")):
        History.load(path)


def test_malformed_run_fields_are_all_named(tmp_path: Path) -> None:
    path = tmp_path / "h.json"
    h = History.load(path, new=True)
    h.rematch(PS, LS)
    h.rematch(PS, LS, ended=[("P1", "L1", "moved")])
    h.save()
    data = json.loads(path.read_text())
    data["runs"][1]["ended"][0]["reason"] = "bored"
    data["runs"][1]["pairs"] = ["P1"]
    data["runs"][1]["previous"] = {"source": "history", "run": 5}
    path.write_text(json.dumps(data))
    with pytest.raises(InputError) as exc:
        History.load(path)
    text = str(exc.value)
    assert "runs[1].ended[0]: unknown end reason 'bored'" in text
    assert "runs[1].pairs: expected an object" in text
    assert "runs[1].previous.run: expected the number of an earlier run (1..1)" in text


# -- command line -----------------------------------------------------------------------------


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    out = {
        "p": tmp_path / "participants.csv",
        "l": tmp_path / "peers.csv",
        "h": tmp_path / "history.json",
    }
    write_profiles(out["p"], PS)
    write_profiles(out["l"], LS)
    return out


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_cli_rematch_runs_a_year_and_replay_confirms(
    files: dict[str, Path], tmp_path: Path
) -> None:
    p, ls, h = (str(files[k]) for k in "plh")
    res = run_cli("rematch", p, ls, "--history", h, "--new-history")
    assert res.returncode == 0, res.stderr
    first = rows(res.stdout)
    assert [r["change"] for r in first] == ["new"] * 3
    assert "run 1 (match" in res.stderr
    ended = tmp_path / "ended.csv"
    ended.write_text("participant_id,peer_id,reason\nP1,L1,safety\n")
    out = tmp_path / "run2.json"
    res = run_cli("rematch", p, ls, "--history", h, "--ended", str(ended), "-o", str(out))
    assert res.returncode == 0, res.stderr
    assert "safety blocks in force: P1-L1" in res.stderr
    data = json.loads(out.read_text())
    assert data["rematch"]["blocks"][0]["safety"] is True
    res = run_cli("rematch", p, ls, "--history", h, "--stay-bonus", "0")
    assert res.returncode == 0, res.stderr
    third = {r["participant_id"]: r for r in rows(res.stdout)}
    assert third["P1"]["peer_id"] != "L1" and third["P1"]["safety_blocked"] == "L1"
    assert "safety blocks in force: P1-L1" in res.stderr
    for run in ("1", "2", "3"):
        res = run_cli("replay", p, ls, "--history", h, "--run", run)
        assert res.returncode == 0, res.stderr
        assert res.stdout.startswith(f"run {run} reproduced")


def test_cli_replay_exit_codes(files: dict[str, Path], tmp_path: Path) -> None:
    p, ls, h = (str(files[k]) for k in "plh")
    assert run_cli("rematch", p, ls, "--history", h, "--new-history").returncode == 0
    # a run that no longer gives its recorded pairs (re-sealed, so not reported as an edit)
    history = History.load(h)
    history.runs[0] = dataclasses.replace(
        history.runs[0], pairs={**history.runs[0].pairs, "P3": "L2"}
    ).sealed(1, None)
    tampered = tmp_path / "tampered.json"
    history.save(tampered)
    res = run_cli("replay", p, ls, "--history", str(tampered))
    assert res.returncode == 3
    assert "run 1 NOT reproduced" in res.stdout and "P3: recorded L2, replayed L3" in res.stdout
    other = tmp_path / "other.csv"
    write_profiles(other, [*PS, person("P9")])
    res = run_cli("replay", str(other), ls, "--history", h)
    assert res.returncode == 2 and "the participants given differ" in res.stderr
    res = run_cli("replay", p, ls, "--history", str(tmp_path / "none.json"))
    assert res.returncode == 2 and "no such history file" in res.stderr
    res = run_cli("replay", p, ls, "--history", h, "--run", "7")
    assert res.returncode == 2 and "no run 7" in res.stderr


def test_cli_rematch_bad_input_exits_2_listing_every_problem(
    files: dict[str, Path], tmp_path: Path
) -> None:
    p, ls, h = (str(files[k]) for k in "plh")
    ended = tmp_path / "ended.csv"
    ended.write_text("participant_id,peer_id,reason\nP1,L1,shedule\n")
    res = run_cli("rematch", p, ls, "--history", h, "--ended", str(ended))
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert f"{ended}:2: reason: unknown end reason 'shedule'" in res.stderr
    assert not files["h"].exists()
    ended.write_text("participant_id,peer_id,reason\nP1,L1,schedule\n")
    res = run_cli("rematch", p, ls, "--history", h, "--new-history", "--ended", str(ended))
    assert res.returncode == 2 and "no previous run" in res.stderr
    assert not files["h"].exists()
    assert run_cli("rematch", p, ls, "--history", h, "--new-history").returncode == 0
    ended.write_text("participant_id,peer_id,reason\nP1,L3,schedule\n")
    res = run_cli("rematch", p, ls, "--history", h, "--ended", str(ended))
    assert res.returncode == 2
    assert f"{ended}:2: peer_id: P1 was matched with L1, not L3" in res.stderr
    assert len(History.load(h)) == 1
    bad_hist = tmp_path / "bad.json"
    bad_hist.write_text("[]")
    res = run_cli("rematch", p, ls, "--history", str(bad_hist), "--ended", str(ended))
    assert res.returncode == 2 and "not a peermatch history" in res.stderr
    res = run_cli("rematch", p, ls, "--history", h, "--stay-bonus", "-1")
    assert res.returncode == 2 and "--stay-bonus" in res.stderr


def test_cli_rematch_never_writes_over_an_input_or_the_history(files: dict[str, Path]) -> None:
    p, ls, h = (str(files[k]) for k in "plh")
    before = files["p"].read_bytes()
    res = run_cli("rematch", p, ls, "--history", h, "-o", p)
    assert res.returncode == 2 and "is one of the input files" in res.stderr
    res = run_cli("rematch", p, ls, "--history", h, "-o", h)
    assert res.returncode == 2 and "is one of the input files" in res.stderr
    res = run_cli("rematch", p, ls, "--history", p)
    assert res.returncode == 2 and "the history" in res.stderr
    assert files["p"].read_bytes() == before and not files["h"].exists()


def test_cli_rematch_from_a_previous_file(files: dict[str, Path], tmp_path: Path) -> None:
    p, ls, h = (str(files[k]) for k in "plh")
    prev = tmp_path / "approved.csv"
    res = run_cli("match", p, ls, "-o", str(prev))
    assert res.returncode == 0, res.stderr
    ended = tmp_path / "ended.csv"
    write_endings(ended, [])
    res = run_cli(
        "rematch",
        p,
        ls,
        "--history",
        h,
        "--new-history",
        "--previous",
        str(prev),
        "--ended",
        str(ended),
    )
    assert res.returncode == 0, res.stderr
    assert {r["change"] for r in rows(res.stdout)} == {"kept"}
    assert run_cli("replay", p, ls, "--history", h).returncode == 0


def test_cli_rematch_dry_run_shows_the_run_and_records_nothing(
    files: dict[str, Path], tmp_path: Path
) -> None:
    p, ls, h = (str(files[k]) for k in "plh")
    res = run_cli("rematch", p, ls, "--history", h, "--new-history", "--dry-run")
    assert res.returncode == 0, res.stderr
    assert "dry run" in res.stderr and not files["h"].exists()
    assert not (files["h"].parent / "history.json.lock").exists()
    assert [r["change"] for r in rows(res.stdout)] == ["new"] * 3
    assert run_cli("rematch", p, ls, "--history", h, "--new-history").returncode == 0
    recorded = files["h"].read_bytes()
    ended = tmp_path / "ended.csv"
    ended.write_text("participant_id,peer_id,reason\nP1,L1,poor_fit\n")
    res = run_cli("rematch", p, ls, "--history", h, "--ended", str(ended), "--dry-run")
    assert res.returncode == 0, res.stderr
    preview = {r["participant_id"]: r for r in rows(res.stdout)}
    assert preview["P1"]["change"] != "kept" and preview["P1"]["peer_id"] != "L1"
    assert files["h"].read_bytes() == recorded
    # the same run for real gives what the preview showed
    res = run_cli("rematch", p, ls, "--history", h, "--ended", str(ended))
    assert res.returncode == 0, res.stderr
    assert {r["participant_id"]: r for r in rows(res.stdout)} == preview
    assert files["h"].read_bytes() != recorded


@pytest.mark.parametrize("command", ["rematch", "replay"])
def test_rematch_and_replay_help_have_an_example(command: str) -> None:
    res = run_cli(command, "--help")
    assert res.returncode == 0 and "example:" in res.stdout and "peermatch " in res.stdout
    if command == "replay":
        assert "3 ran but gave other pairs" in res.stdout
