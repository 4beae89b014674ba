"""``peermatch gaps`` and ``peermatch simulate`` through a real process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_runner import run_peermatch

import peermatch

ROOT = Path(__file__).resolve().parents[1]
P_CSV = str(ROOT / "examples" / "participants.csv")
L_CSV = str(ROOT / "examples" / "peers.csv")


def test_gaps_prints_the_report_and_writes_json(tmp_path: Path) -> None:
    out = tmp_path / "gaps.json"
    res = run_peermatch("gaps", P_CSV, L_CSV, "--targets", "2", "-o", str(out))
    assert res.returncode == 0, res.stderr
    library = peermatch.gaps(
        peermatch.read_participants(P_CSV), peermatch.read_peers(L_CSV), max_targets=2
    )
    assert res.stdout == library.to_text()
    assert json.loads(out.read_text(encoding="utf-8"))["targets"] == library.to_dict()["targets"]
    assert f"wrote {out}" in res.stderr


def test_gaps_csv_to_a_file_and_a_config(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('preset = "c2c_baseline"\n', encoding="utf-8")
    out = tmp_path / "gaps.csv"
    res = run_peermatch("gaps", P_CSV, L_CSV, "--config", str(cfg), "-o", str(out))
    assert res.returncode == 0, res.stderr
    header = out.read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("row,kind,field,need,words,participants,leaders,places")
    # the trial's baseline does not score treatments: no treatment needs
    assert "\r\nneed,treatment," not in out.read_text(encoding="utf-8")


def test_simulate_is_deterministic_for_a_seed(tmp_path: Path) -> None:
    args = ["simulate", P_CSV, L_CSV, "--reps", "2", "--seed", "4", "--solver", "hungarian"]
    a = run_peermatch(*args, "--config", "c2c_baseline", "-o", str(tmp_path / "a.json"))
    b = run_peermatch(*args, "--config", "c2c_baseline", "-o", str(tmp_path / "b.json"))
    assert a.returncode == 0, a.stderr
    assert a.stdout == b.stdout
    data = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    assert data == json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))
    assert data["settings"]["seed"] == 4 and data["settings"]["reps"] == 2
    assert list(data["policies"]) == ["c2c_baseline / hungarian"]
    assert "Drop-out model:" in a.stdout and "Cohorts: bootstrap" in a.stdout


def test_simulate_demo_with_a_mix(tmp_path: Path) -> None:
    out = tmp_path / "sim.csv"
    res = run_peermatch(
        "simulate",
        "--demo",
        "30,6",
        "--mix",
        "languages=pa:0.2",
        "--reps",
        "2",
        "--seed",
        "1",
        "--no-search",
        "--dropout",
        "none",
        "-o",
        str(out),
    )
    assert res.returncode == 0, res.stderr
    assert "20% with languages=pa" in res.stdout
    assert "setting_cohorts" in out.read_text(encoding="utf-8").splitlines()[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["simulate", "--reps", "2", "--seed", "1"], "give PARTICIPANTS and PEERS"),
        (["simulate", P_CSV, L_CSV, "--demo", "10,2", "--reps", "1", "--seed", "1"], "not both"),
        (["simulate", P_CSV, L_CSV, "--reps", "1", "--seed", "-3"], "seed"),
        (["simulate", P_CSV, L_CSV, "--reps", "1", "--seed", "1", "--config", "nope"], "nope"),
        (
            ["simulate", P_CSV, L_CSV, "--reps", "1", "--seed", "1", "--mix", "languages=pa:0.2"],
            "--mix applies to --demo",
        ),
        (["simulate", P_CSV, L_CSV, "--reps", "1"], "--seed"),
        (["simulate", "--demo", "10", "--reps", "1", "--seed", "1"], "PARTICIPANTS,LEADERS"),
        (["gaps", P_CSV, L_CSV, "--targets", "-1"], "max_targets"),
        (["gaps", P_CSV, L_CSV, "-o", P_CSV], "one of the input files"),
    ],
)
def test_bad_usage_exits_2(args: list[str], message: str) -> None:
    res = run_peermatch(*args)
    assert res.returncode == 2
    assert message in res.stderr
    assert "Traceback" not in res.stderr


def test_a_balanced_config_with_choice_is_explained(tmp_path: Path) -> None:
    cfg = tmp_path / "even.toml"
    cfg.write_text("balance = 0.5\n", encoding="utf-8")
    res = run_peermatch(
        "simulate", P_CSV, L_CSV, "--reps", "1", "--seed", "1", "--config", str(cfg)
    )
    assert res.returncode == 2
    assert "only 'hungarian' uses" in res.stderr
    ok = run_peermatch(
        "simulate",
        P_CSV,
        L_CSV,
        "--reps",
        "1",
        "--seed",
        "1",
        "--config",
        str(cfg),
        "--solver",
        "hungarian",
        "--no-search",
        "--dropout",
        "none",
    )
    assert ok.returncode == 0, ok.stderr
    assert "even / hungarian" in ok.stdout
