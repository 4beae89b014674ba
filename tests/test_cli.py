"""The command line, through a real subprocess."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from cli_runner import run_peermatch as run

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("cohort")
    res = run("demo", "--participants", "60", "--peers", "12", "--seed", "5", "--out", str(folder))
    assert res.returncode == 0, res.stderr
    return folder / "participants.csv", folder / "peers.csv"


def test_version() -> None:
    res = run("--version")
    assert res.returncode == 0 and res.stdout.startswith("peermatch ")


def test_match_example_cohort_writes_one_row_per_participant(tmp_path: Path) -> None:
    out = tmp_path / "matches.csv"
    res = run(
        "match", str(EXAMPLES / "participants.csv"), str(EXAMPLES / "peers.csv"), "-o", str(out)
    )
    assert res.returncode == 0, res.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    with open(EXAMPLES / "participants.csv", encoding="utf-8") as fh:
        ids = sorted(r["id"] for r in csv.DictReader(fh))
    assert [r["participant_id"] for r in rows] == ids
    assert list(rows[0])[:6] == ["participant_id", "peer_id", "status", "score", "rank", "reason"]
    assert {r["status"] for r in rows} <= {"matched", "unmatched"}
    assert "matched" in res.stderr


def test_match_to_stdout_and_json(cohort: tuple[Path, Path], tmp_path: Path) -> None:
    p, leaders = cohort
    res = run("match", str(p), str(leaders))
    assert res.returncode == 0 and res.stdout.startswith("participant_id,peer_id,status")
    res = run("match", str(p), str(leaders), "-o", str(tmp_path / "m.json"))
    data = json.loads((tmp_path / "m.json").read_text())
    assert data["manifest"]["solver"] == "hungarian" and len(data["matches"]) >= 1
    res2 = run("match", str(p), str(leaders), "--format", "json")
    assert json.loads(res2.stdout)["manifest"] == data["manifest"]


def test_identical_inputs_give_identical_bytes(cohort: tuple[Path, Path]) -> None:
    p, leaders = cohort
    assert run("match", str(p), str(leaders)).stdout == run("match", str(p), str(leaders)).stdout


def test_validate_ok_and_bad(cohort: tuple[Path, Path], tmp_path: Path) -> None:
    p, leaders = cohort
    res = run("validate", str(p), str(leaders))
    assert res.returncode == 0 and "valid" in res.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("id,age,langauges,sex\nP1,forty,en,fem\nP1,50,en,male\n")
    res = run("validate", str(bad), str(leaders))
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    assert (
        f"{bad}:1: langauges: unknown column 'langauges' — did you mean 'languages'?" in res.stderr
    )
    assert f"{bad}:2: age:" in res.stderr and f"{bad}:2: sex:" in res.stderr
    assert f"{bad}:3: id: duplicate id 'P1' (first on row 2)" in res.stderr


def test_problems_in_both_files_reported_together(tmp_path: Path) -> None:
    p = tmp_path / "p.csv"
    leaders = tmp_path / "l.json"
    p.write_text("id,age,languages,vetoes\nP1,40,en,L9\n")
    leaders.write_text('{"not": "a list"}')
    res = run("match", str(p), str(leaders))
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert str(leaders) in res.stderr


def test_cross_file_reference_errors(tmp_path: Path) -> None:
    p = tmp_path / "p.csv"
    leaders = tmp_path / "l.csv"
    p.write_text("id,age,languages,vetoes,preferred\nP1,40,en,L9,P1\n")
    leaders.write_text("id,age,languages\nL1,60,en\n")
    res = run("validate", str(p), str(leaders))
    assert res.returncode == 2
    assert "'L9' is not a peer leader id" in res.stderr
    assert "'P1' is a participant id; preferred lists peer leader ids" in res.stderr


def test_refuses_to_overwrite_an_input(cohort: tuple[Path, Path]) -> None:
    p, leaders = cohort
    before = p.read_bytes()
    res = run("match", str(p), str(leaders), "-o", str(p))
    assert res.returncode == 2 and "is one of the input files" in res.stderr
    assert p.read_bytes() == before


def test_bad_usage_exits_2(cohort: tuple[Path, Path]) -> None:
    p, leaders = cohort
    assert run("match", str(p)).returncode == 2
    assert run("match", str(p), str(leaders), "--solver", "magic").returncode == 2
    assert run("frobnicate").returncode == 2
    res = run("match", str(p), str(leaders), "--config", "/nonexistent.toml")
    assert res.returncode == 2 and "cannot read" in res.stderr


def test_explain(cohort: tuple[Path, Path]) -> None:
    p, leaders = cohort
    res = run("explain", str(p), str(leaders), "--participant", "P0001")
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("Participant P0001 ")
    res = run("explain", str(p), str(leaders), "--participant", "P0X01")
    assert res.returncode == 2 and "no participant 'P0X01'" in res.stderr


def test_demo_refuses_to_replace_files(tmp_path: Path) -> None:
    args = ("demo", "--participants", "5", "--peers", "2", "--out", str(tmp_path))
    assert run(*args).returncode == 0
    res = run(*args)
    assert res.returncode == 2 and "--force" in res.stderr
    assert run(*args, "--force").returncode == 0


@pytest.mark.parametrize("command", ["validate", "match", "explain", "demo"])
def test_every_command_help_has_an_example(command: str) -> None:
    res = run(command, "--help")
    assert res.returncode == 0 and "example:" in res.stdout and "peermatch " in res.stdout


def test_spreadsheet_workbook_output_is_refused(cohort: tuple[Path, Path], tmp_path: Path) -> None:
    p, leaders = cohort
    res = run("match", str(p), str(leaders), "-o", str(tmp_path / "out.xlsx"))
    assert res.returncode == 2 and "spreadsheet workbook" in res.stderr
    assert not (tmp_path / "out.xlsx").exists()


def test_library_warnings_are_one_line_on_stderr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import warnings

    import peermatch
    from peermatch.cli import main
    from peermatch.matching import _match

    real = _match.match

    def uncertified(*args, **kwargs):  # type: ignore[no-untyped-def]
        warnings.warn("not proven optimal (gap at most 0.01)", peermatch.OptimalityWarning, 2)
        return real(*args, **kwargs)

    monkeypatch.setattr(_match, "match", uncertified)
    out = tmp_path / "m.csv"
    code = main(
        ["match", str(EXAMPLES / "participants.csv"), str(EXAMPLES / "peers.csv"), "-o", str(out)]
    )
    err = capsys.readouterr().err
    assert code == 0 and out.exists()
    assert "peermatch: warning: not proven optimal (gap at most 0.01)\n" in err
    assert "Traceback" not in err and "OptimalityWarning" not in err
