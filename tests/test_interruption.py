"""Interruptions and failed writes: a run is recorded whole, with its output, or not at all.

Signals are sent to real processes at a named point of the commit (the test hook
``PEERMATCH_TEST_PAUSE=POINT:MARKER`` makes the command wait there while MARKER exists). Full
disks, unwritable folders and failing renames are simulated in-process by making ``os``
calls fail, so the tests need no special file system or privileges.
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from peermatch import Participant, PeerLeader
from peermatch.cli._main import main
from peermatch.io._profiles import write_profiles
from peermatch.programme._history import History

PS = [Participant(id=f"P{k}", age=30 + 10 * k, languages="en") for k in (1, 2, 3)]
LS = [PeerLeader(id=f"L{k}", age=30 + 10 * k, languages="en") for k in (1, 2, 3)]


@pytest.fixture
def year(tmp_path: Path) -> dict[str, Path]:
    """Inputs and a history of two runs (run 2 ends P1-L1 for safety)."""
    files = {"p": tmp_path / "p.csv", "l": tmp_path / "l.csv", "h": tmp_path / "year.json"}
    write_profiles(files["p"], PS)
    write_profiles(files["l"], LS)
    with History.locked(files["h"], new=True) as h:
        h.rematch(PS, LS)
        h.save()
    with History.locked(files["h"]) as h:
        h.rematch(PS, LS, ended=[("P1", "L1", "safety")])
        h.save()
    return files


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


INPUTS = ["l.csv", "p.csv", "year.json"]


def run_main(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


# -- signals at a named point, in real processes ---------------------------------------------


@contextlib.contextmanager
def paused(
    point: str, argv: list[str], folder: Path
) -> Iterator[tuple[subprocess.Popen[str], Path]]:
    """Start ``peermatch ARGV`` and yield once it waits at ``point``."""
    marker = folder.parent / f"{folder.name}-marker"
    proc = subprocess.Popen(
        [sys.executable, "-m", "peermatch", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PEERMATCH_TEST_PAUSE": f"{point}:{marker}"},
    )
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                _, err = proc.communicate()
                pytest.fail(f"never reached {point!r}: {err}")
            time.sleep(0.01)
        yield proc, marker
    finally:
        marker.unlink(missing_ok=True)
        if proc.poll() is None:
            proc.wait(timeout=120)


def rematch_argv(year: dict[str, Path], out: str = "run3.csv") -> list[str]:
    p, ls, h = (str(year[k]) for k in "plh")
    return ["rematch", p, ls, "--history", h, "-o", str(year["h"].parent / out)]


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_before_the_commit_leaves_everything_as_it_was(
    sig: signal.Signals, code: int, year: dict[str, Path]
) -> None:
    folder = year["h"].parent
    before = year["h"].read_bytes()
    with paused("staged", rematch_argv(year), folder) as (proc, _):
        assert [n for n in names(folder) if n.startswith(".pm-")]  # staged: temporary files
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=120)
    assert proc.returncode == code, err
    assert "interrupted" in err and "the run was not recorded and nothing was written" in err
    assert "Traceback" not in err
    assert year["h"].read_bytes() == before
    assert names(folder) == INPUTS  # no output, no temporary file, no lock file


def test_a_signal_during_the_renames_waits_until_both_files_are_written(
    year: dict[str, Path],
) -> None:
    folder = year["h"].parent
    with paused("renamed", rematch_argv(year), folder) as (proc, marker):
        proc.send_signal(signal.SIGTERM)  # held: the history is renamed, the output not yet
        time.sleep(0.2)
        marker.unlink()
        _, err = proc.communicate(timeout=120)
    assert proc.returncode == 143, err
    assert f"run 3 was recorded in {year['h']} and {folder / 'run3.csv'} written" in err
    assert "Traceback" not in err
    h = History.load(year["h"])
    assert len(h) == 3
    rows = (folder / "run3.csv").read_text(encoding="utf-8")
    assert all(f"P{k}," in rows for k in (1, 2, 3))
    assert names(folder) == sorted([*INPUTS, "run3.csv"])


def test_sigterm_while_writing_preferred_leaves_no_partial_copy_of_the_profiles(
    year: dict[str, Path],
) -> None:
    folder = year["h"].parent
    argv = ["shortlist", str(year["p"]), str(year["l"]), "-o", str(folder / "lists.csv")]
    argv += ["--write-preferred", str(folder / "preferred.csv")]
    with paused("staged", argv, folder) as (proc, _):
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=120)
    assert proc.returncode == 143 and "interrupted (SIGTERM)" in err and "Traceback" not in err
    assert names(folder) == INPUTS


def test_ctrl_c_just_after_match_has_written_prints_no_traceback(year: dict[str, Path]) -> None:
    folder = year["h"].parent
    argv = ["match", str(year["p"]), str(year["l"]), "-o", str(folder / "m.csv")]
    with paused("exit", argv, folder) as (proc, marker):
        proc.send_signal(signal.SIGINT)
        time.sleep(0.2)
        marker.unlink()
        _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert (folder / "m.csv").read_text(encoding="utf-8").startswith("participant_id,")


# -- failed writes, in-process ---------------------------------------------------------------


def fail_on(monkeypatch: pytest.MonkeyPatch, name: str, call: int, err: int) -> None:
    """Make ``os.<name>`` fail with ``err`` on its ``call``-th use (1-based), then work."""
    real = getattr(os, name)
    count = [0]

    def failing(*args: object, **kwargs: object) -> object:
        count[0] += 1
        if count[0] == call:
            raise OSError(err, os.strerror(err))
        return real(*args, **kwargs)

    monkeypatch.setattr(os, name, failing)


@pytest.mark.parametrize(
    ("call", "failing"), [(1, "year.json"), (2, "run3.csv")], ids=["history", "output"]
)
def test_a_full_disk_records_nothing_and_leaves_nothing(
    call: int, failing: str, year: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = year["h"].parent
    before = year["h"].read_bytes()
    fail_on(monkeypatch, "fsync", call, errno.ENOSPC)
    code, out, err = run_main(*rematch_argv(year))
    assert code == 2, err
    assert f"cannot write '{folder / failing}': No space left on device" in err
    assert "run 3 was not recorded and nothing was written" in err
    assert year["h"].read_bytes() == before and names(folder) == INPUTS and out == ""


@pytest.mark.parametrize("new", [False, True], ids=["existing history", "new history"])
def test_a_failed_rename_of_the_output_puts_the_history_back(
    new: bool, year: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = year["h"].parent
    if new:
        year["h"].unlink()
    before = year["h"].read_bytes() if not new else None
    fail_on(monkeypatch, "replace", 2, errno.EIO)  # the history is renamed, then the output
    argv = rematch_argv(year) + (["--new-history"] if new else [])
    code, _, err = run_main(*argv)
    assert code == 2 and f"cannot write '{folder / 'run3.csv'}'" in err, err
    if new:
        assert not year["h"].exists()
        assert names(folder) == ["l.csv", "p.csv"]
    else:
        assert year["h"].read_bytes() == before
        assert names(folder) == INPUTS


def test_an_unwritable_folder_is_refused_before_anything_is_written(
    year: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Simulated (the tests may run as root): creating a file in the folder is not allowed."""
    folder = year["h"].parent
    before = year["h"].read_bytes()
    real_open = os.open

    def no_new_files(path: object, flags: int, *args: object, **kwargs: object) -> int:
        if flags & os.O_CREAT:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", no_new_files)
    code, _, err = run_main(*rematch_argv(year))
    assert code == 2 and "cannot lock the history" in err and "Permission denied" in err
    assert year["h"].read_bytes() == before and names(folder) == INPUTS


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only folder")
def test_a_read_only_folder_for_the_output(year: dict[str, Path], tmp_path: Path) -> None:
    folder = year["h"].parent
    locked = tmp_path / "read-only"
    locked.mkdir()
    locked.chmod(0o555)
    before = year["h"].read_bytes()
    try:
        p, ls, h = (str(year[k]) for k in "plh")
        code, _, err = run_main("rematch", p, ls, "--history", h, "-o", str(locked / "o.csv"))
    finally:
        locked.chmod(0o755)
    assert code == 2 and "Permission denied" in err, err
    assert year["h"].read_bytes() == before and names(locked) == []
    assert names(folder) == sorted([*INPUTS, "read-only"])


def other_commands(year: dict[str, Path]) -> dict[str, list[str]]:
    folder = year["h"].parent
    p, ls = str(year["p"]), str(year["l"])
    return {
        "match -o": ["match", p, ls, "-o", str(folder / "m.csv")],
        "match --plot": [
            "match",
            p,
            ls,
            "-o",
            str(folder / "m.csv"),
            "--plot",
            str(folder / "f.png"),
        ],
        "shortlist --write-preferred": [
            "shortlist",
            p,
            ls,
            "-o",
            str(folder / "s.csv"),
            "--write-preferred",
            str(folder / "pref.csv"),
        ],
        "compare -o": ["compare", p, ls, "--solver", "greedy", "-o", str(folder / "c.csv")],
        "deidentify": ["deidentify", p, ls, "--out", str(folder / "shared")],
        "new key file": [
            "match",
            p,
            ls,
            "--deidentify",
            "--key-file",
            str(folder / "k.key"),
            "-o",
            str(folder / "m.csv"),
        ],
        "rematch to standard output": ["rematch", p, ls, "--history", str(year["h"])],
        "demo": ["demo", "--participants", "5", "--peers", "2", "--out", str(folder / "d" / "e")],
    }


@pytest.mark.parametrize(
    "command",
    [
        "match -o",
        "match --plot",
        "shortlist --write-preferred",
        "compare -o",
        "deidentify",
        "new key file",
        "rematch to standard output",
        "demo",
    ],
)
def test_every_failed_write_exits_2_naming_the_file_and_leaves_nothing(
    command: str, year: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    if command == "match --plot":
        pytest.importorskip("matplotlib")
    folder = year["h"].parent
    before = year["h"].read_bytes()
    fail_on(monkeypatch, "fsync", 1, errno.ENOSPC)
    code, out, err = run_main(*other_commands(year)[command])
    assert code == 2, err
    assert "cannot write '" in err and "No space left on device" in err, err
    assert "internal error" not in err and "Traceback" not in err
    assert names(folder) == INPUTS and year["h"].read_bytes() == before
    if command != "compare -o":
        assert out == ""


# -- names -----------------------------------------------------------------------------------


def test_a_legal_250_character_name_is_written(year: dict[str, Path]) -> None:
    folder = year["h"].parent
    long_out = folder / ("o" * 246 + ".csv")
    long_history = folder / ("h" * 245 + ".json")
    p, ls = str(year["p"]), str(year["l"])
    code, _, err = run_main("rematch", p, ls, "--history", str(long_history), "--new-history")
    assert code == 0, err
    code, _, err = run_main("rematch", p, ls, "--history", str(long_history), "-o", str(long_out))
    assert code == 0, err
    assert long_out.exists() and len(History.load(long_history)) == 2
    assert names(folder) == sorted([*INPUTS, long_out.name, long_history.name])


@pytest.mark.parametrize(
    "option",
    ["-o", "--plot", "--write-preferred", "compare -o", "--history", "--key-file", "é -o"],
)
def test_a_name_over_255_bytes_is_a_usage_error(option: str, year: dict[str, Path]) -> None:
    folder = year["h"].parent
    p, ls, h = (str(year[k]) for k in "plh")
    too_long = str(folder / ("x" * 252 + ".csv"))
    argv = {
        "-o": ["match", p, ls, "-o", too_long],
        "--plot": ["match", p, ls, "--plot", too_long[:-4] + ".png"],
        "--write-preferred": ["shortlist", p, ls, "--write-preferred", too_long],
        "compare -o": ["compare", p, ls, "-o", too_long],
        "--history": ["rematch", p, ls, "--history", too_long[:-4] + ".json", "--new-history"],
        "--key-file": ["match", p, ls, "--deidentify", "--key-file", too_long],
        "é -o": ["rematch", p, ls, "--history", h, "-o", str(folder / ("é" * 127 + ".csv"))],
    }[option]
    before = year["h"].read_bytes()
    code, out, err = run_main(*argv)
    assert code == 2, err
    assert "a file name may have at most 255 bytes" in err and out == ""
    assert names(folder) == INPUTS and year["h"].read_bytes() == before


# -- descriptors, pipes and devices ----------------------------------------------------------


@pytest.mark.parametrize("command", ["match", "rematch"])
def test_dev_stdout_appends_to_a_redirected_log(command: str, year: dict[str, Path]) -> None:
    folder = year["h"].parent
    log = folder / "log.txt"
    log.write_text("earlier lines\n", encoding="utf-8")
    argv = [command, str(year["p"]), str(year["l"]), "-o", "/dev/stdout"]
    if command == "rematch":
        argv += ["--history", str(year["h"])]
    with log.open("ab") as fh:  # the shell's >> log
        res = subprocess.run(
            [sys.executable, "-m", "peermatch", *argv],
            stdout=fh,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    assert res.returncode == 0, res.stderr
    text = log.read_text(encoding="utf-8")
    assert text.startswith("earlier lines\nparticipant_id,")
    assert stat.S_ISREG(log.lstat().st_mode)


@pytest.mark.parametrize("target", ["/dev/stdout", "-"])
def test_the_output_can_go_to_a_pipe(target: str, year: dict[str, Path]) -> None:
    res = subprocess.run(
        [sys.executable, "-m", "peermatch", "match", str(year["p"]), str(year["l"]), "-o", target],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("participant_id,") and "Traceback" not in res.stderr


def test_a_descriptor_not_open_for_writing_is_refused_before_the_run_is_recorded(
    year: dict[str, Path],
) -> None:
    before = year["h"].read_bytes()
    p, ls, h = (str(year[k]) for k in "plh")
    code, _, err = run_main("rematch", p, ls, "--history", h, "-o", "/dev/fd/987")
    assert code == 2 and "cannot write '/dev/fd/987'" in err and "not recorded" in err
    assert year["h"].read_bytes() == before


def test_plot_onto_a_named_pipe_streams_into_it(year: dict[str, Path]) -> None:
    pytest.importorskip("matplotlib")
    folder = year["h"].parent
    fifo = folder / "figure.png"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    code, _, err = run_main(
        "match", str(year["p"]), str(year["l"]), "-o", str(folder / "m.csv"), "--plot", str(fifo)
    )
    reader.join(timeout=60)
    assert code == 0, err
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert got and got[0].startswith(b"\x89PNG")


def test_plot_onto_a_device_is_written_in_place(year: dict[str, Path]) -> None:
    pytest.importorskip("matplotlib")
    folder = year["h"].parent
    link = folder / "figure.png"
    link.symlink_to(os.devnull)
    code, _, err = run_main(
        "match", str(year["p"]), str(year["l"]), "-o", str(folder / "m.csv"), "--plot", str(link)
    )
    assert code == 0, err
    assert link.is_symlink() and stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_dry_run_writes_no_history_and_takes_no_lock(year: dict[str, Path]) -> None:
    before = year["h"].read_bytes()
    p, ls, h = (str(year[k]) for k in "plh")
    code, out, err = run_main("rematch", p, ls, "--history", h, "--dry-run")
    assert code == 0 and "dry run" in err and out.startswith("participant_id,")
    assert year["h"].read_bytes() == before and names(year["h"].parent) == INPUTS
    assert json.loads(before)["run_count"] == 2
