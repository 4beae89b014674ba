"""Output safety: CSV injection, RFC 4180 quoting, atomic writes, never over an input."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import stat
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from peermatch import Participant, PeerLeader, match
from peermatch._core.files import csv_text, neutralise, write_text_atomic
from peermatch.cli._main import main
from peermatch.io._deidentify import (
    Pseudonymiser,
    deidentified_match_csv,
    deidentified_profiles_csv,
    deidentify_profiles,
)
from peermatch.io._profiles import write_profiles

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def parse(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def assert_no_live_formula(text: str) -> None:
    for row in parse(text):
        for cell in row:
            assert not cell.startswith(FORMULA_START), cell


def assert_rfc4180(text: str) -> None:
    """CRLF after every record; line breaks and quotes only inside quoted cells."""
    assert text.endswith("\r\n")
    inside = False
    k = 0
    while k < len(text):
        ch = text[k]
        if ch == '"':
            inside = not inside
        elif not inside and ch == "\n":
            assert text[k - 1] == "\r", "bare LF outside quotes"
        elif not inside and ch == "\r":
            assert text[k + 1] == "\n", "bare CR outside quotes"
        k += 1
    assert not inside


cells = st.text(
    alphabet=st.sampled_from(list("=+-@\t\r\n\",; 'aZ09é")) | st.characters(), max_size=12
)


@given(
    rows=st.lists(st.lists(cells, min_size=3, max_size=3), max_size=5),
    header=st.lists(cells, min_size=3, max_size=3),
)
def test_csv_text_neutralises_and_round_trips(rows: list[list[str]], header: list[str]) -> None:
    text = csv_text(header, rows)
    assert_rfc4180(text)
    back = parse(text)
    assert back[0] == [neutralise(h) for h in header]
    assert back[1:] == [[neutralise(c) for c in r] for r in rows]
    assert_no_live_formula(text)


@pytest.mark.parametrize(
    "bad", ["=1+1", "+1", "-1", "@SUM(A1)", "\tcmd", "\rcmd", '=HYPERLINK("x")']
)
def test_every_formula_start_is_neutralised(bad: str) -> None:
    text = csv_text(["value"], [[bad]])
    assert parse(text)[1] == ["'" + bad]


def test_numbers_stay_numbers() -> None:
    text = csv_text(["a", "b", "c", "d", "e"], [[1.5, -0.25, 3, -2, True]])
    assert parse(text)[1] == ["1.5", "-0.25", "3", "-2", "true"]


def test_profile_csv_neutralises_free_text(tmp_path: Path) -> None:
    ps = [
        Participant(id="P1", age=40, languages="en", region="=cmd|' /C calc'!A0"),
        Participant(id="P2", age=41, languages="en", interests="@import;+plus;-minus;=eq"),
    ]
    write_profiles(tmp_path / "p.csv", ps)
    text = (tmp_path / "p.csv").read_bytes().decode("utf-8")
    assert_rfc4180(text)
    assert_no_live_formula(text)
    assert "'=cmd|' /C calc'!A0" in text


def test_match_csv_and_deidentified_csvs_are_safe() -> None:
    result = match(
        [
            Participant(id="P1", age=40, languages="en"),
            Participant(id="P2", age=70, languages="fr"),
        ],
        [PeerLeader(id="L1", age=45, languages="en", capacity=1)],
    )
    pseudo = Pseudonymiser("k" * 16)
    for text in (
        result.to_csv(),
        deidentified_match_csv(result, pseudo),
        deidentified_profiles_csv(
            deidentify_profiles(
                [Participant(id="P1", age=40, languages="en", importance="age:high")],
                "participant",
                pseudo,
            )
        ),
    ):
        assert_rfc4180(text)
        assert_no_live_formula(text)
        rows = parse(text)
        assert len({len(r) for r in rows}) == 1


# -- atomic writes ---------------------------------------------------------------------------


def _fail(*args: object, **kwargs: object) -> None:
    raise OSError(28, "No space left on device")


def _writers() -> dict[str, Callable[[Path], object]]:
    result = match(
        [Participant(id="P1", age=40, languages="en")],
        [PeerLeader(id="L1", age=45, languages="en")],
    )
    return {
        "write_text_atomic": lambda p: write_text_atomic(p, "new text\n"),
        "MatchResult.to_csv": lambda p: result.to_csv(p),
        "MatchResult.to_json": lambda p: result.to_json(p),
        "write_profiles": lambda p: write_profiles(
            p, [Participant(id="P9", age=30, languages="en")]
        ),
    }


@pytest.mark.parametrize(
    "writer", ["write_text_atomic", "MatchResult.to_csv", "MatchResult.to_json", "write_profiles"]
)
@pytest.mark.parametrize("failing", ["replace", "fsync"])
def test_failed_write_keeps_the_old_file_and_leaves_no_temporary(
    writer: str, failing: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old content\n")
    monkeypatch.setattr(f"peermatch._core.files.os.{failing}", _fail)
    with pytest.raises(OSError, match="No space left"):
        _writers()[writer](target)
    assert target.read_text() == "old content\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_interrupted_write_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.csv"

    def interrupt(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("peermatch._core.files.os.fsync", interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_text_atomic(target, "x")
    assert list(tmp_path.iterdir()) == []


def test_a_new_file_appears_whole_or_not_at_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "new.csv"
    seen: list[bool] = []
    real_replace = os.replace

    def spy(src: str, dst: object) -> None:
        seen.append(Path(target).exists())  # the target does not exist before the rename
        real_replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr("peermatch._core.files.os.replace", spy)
    write_text_atomic(target, "a,b\r\n" * 1000)
    assert seen == [False] and target.read_bytes() == b"a,b\r\n" * 1000


def test_write_through_a_symlink_replaces_the_file_and_keeps_the_link(tmp_path: Path) -> None:
    real = tmp_path / "data" / "matches.csv"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "matches.csv"
    link.symlink_to(real)
    write_text_atomic(link, "new")
    assert link.is_symlink() and real.read_text() == "new"
    assert sorted(p.name for p in real.parent.iterdir()) == ["matches.csv"]


def test_write_to_a_pipe_streams_into_it(tmp_path: Path) -> None:
    """Writing to a named pipe (or /dev/stdout) must not replace it with a regular file."""
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    try:
        write_text_atomic(fifo, "a,b\r\n")
    finally:
        reader.join(timeout=10)
        if reader.is_alive():  # the write went elsewhere: unblock the reader without waiting
            with contextlib.suppress(OSError):
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
            reader.join(timeout=10)
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert got == [b"a,b\r\n"]


def test_write_to_a_folder_fails(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError):
        write_text_atomic(tmp_path, "x")


def run_main(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def inputs(tmp_path: Path) -> tuple[Path, Path, Path]:
    p, leaders, cfg = tmp_path / "p.csv", tmp_path / "l.csv", tmp_path / "c.toml"
    p.write_text("id,age,languages\nP1,40,en\nP2,50,en\n")
    leaders.write_text("id,age,languages\nL1,45,en\n")
    cfg.write_text("min_score = 0.1\n")
    return p, leaders, cfg


def test_cli_failed_write_is_exit_2_and_keeps_the_old_output(
    inputs: tuple[Path, Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    p, leaders, _ = inputs
    out = tmp_path / "matches.csv"
    out.write_text("previous run\n")
    monkeypatch.setattr("peermatch._core.files.os.replace", _fail)
    code, _, err = run_main(["match", str(p), str(leaders), "-o", str(out)])
    assert code == 2 and f"cannot write '{out}': No space left on device" in err
    assert out.read_text() == "previous run\n"
    assert "Traceback" not in err
    assert not [x for x in tmp_path.iterdir() if x.name.endswith(".tmp")]


def test_cli_refuses_the_same_file_as_participants_and_peers(
    inputs: tuple[Path, Path, Path],
) -> None:
    p, _, _ = inputs
    for command in (["validate"], ["match"], ["deidentify", "--out", str(p.parent / "x")]):
        code, out, err = run_main([command[0], str(p), str(p), *command[1:]])
        assert code == 2 and "name the same file" in err and out == ""


def test_cli_output_under_a_file_is_exit_2(inputs: tuple[Path, Path, Path]) -> None:
    p, leaders, _ = inputs
    code, _, err = run_main(["match", str(p), str(leaders), "-o", str(p / "out.csv")])
    assert code == 2 and "is a file, not a folder" in err


# -- never over an input ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "spelling",
    ["same", "dot", "dotdot", "absolute", "symlink", "hardlink", "peers", "config"],
)
def test_cli_refuses_to_write_over_an_input(
    spelling: str, inputs: tuple[Path, Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    p, leaders, cfg = inputs
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    before = {x: x.read_bytes() for x in inputs}
    out = {
        "same": str(p),
        "dot": "./p.csv",
        "dotdot": "sub/../p.csv",
        "absolute": str(p.resolve()),
        "symlink": "link.csv",
        "hardlink": "hard.csv",
        "peers": str(leaders),
        "config": str(cfg),
    }[spelling]
    if spelling == "symlink":
        (tmp_path / "link.csv").symlink_to(p)
    if spelling == "hardlink":
        os.link(p, tmp_path / "hard.csv")
    args = ["match", "p.csv", "l.csv", "--config", "c.toml", "-o", out]
    code, stdout, err = run_main(args)
    assert code == 2, err
    assert "is one of the input files" in err and stdout == ""
    assert {x: x.read_bytes() for x in inputs} == before


def test_deidentify_refuses_to_write_over_an_input_or_keep_the_key_in_the_export(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    p = folder / "participants.csv"
    leaders = tmp_path / "l.csv"
    p.write_text("id,age,languages\nP1,40,en\n")
    leaders.write_text("id,age,languages\nL1,45,en\n")
    code, _, err = run_main(["deidentify", str(p), str(leaders), "--out", str(folder), "--force"])
    assert code == 2 and "is one of the input files" in err
    assert p.read_text() == "id,age,languages\nP1,40,en\n"
    out = tmp_path / "export"
    code, _, err = run_main(
        ["deidentify", str(p), str(leaders), "--out", str(out), "--key-file", str(out / "k.key")]
    )
    assert code == 2 and "keep the key apart from the data" in err
    assert not out.exists()
    code, _, err = run_main(
        ["deidentify", str(p), str(leaders), "--out", str(out), "--key-file", str(leaders)]
    )
    assert code == 2 and "is also an input or output file" in err
    assert leaders.read_text() == "id,age,languages\nL1,45,en\n"
