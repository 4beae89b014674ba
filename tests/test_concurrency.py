"""Concurrent runs on one history, and concurrent first uses of one key file, in real processes.

Worker processes import peermatch once and then run the command line's ``main`` round after
round, meeting at a file barrier before each round so that their runs really overlap; one more
test starts whole ``python -m peermatch`` processes. Every round checks that no run was lost,
that the runs form one chain, and that the safety ending is never undone.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from peermatch import Participant, PeerLeader
from peermatch.io._profiles import write_profiles
from peermatch.programme._history import History

PS = [Participant(id=f"P{k}", age=30 + 5 * k, languages="en") for k in range(1, 7)]
LS = [PeerLeader(id=f"L{k}", age=30 + 10 * k, languages="en", capacity=2) for k in range(1, 5)]
SAFETY = ("P1", "L1")

WORKER = textwrap.dedent(
    """
    import contextlib, io, json, os, sys, time
    from pathlib import Path
    from peermatch.cli._main import main

    folder, me, workers, rounds, command = sys.argv[1:6]
    me, workers, rounds = int(me), int(workers), int(rounds)
    folder = Path(folder)

    def barrier(r):
        (folder / f"ready-{r}-{me}").touch()
        deadline = time.monotonic() + 60
        while len(list(folder.glob(f"ready-{r}-*"))) < workers:
            if time.monotonic() > deadline:
                raise SystemExit("barrier timed out")
            time.sleep(0.001)

    for r in range(rounds):
        if command != "continuous":
            barrier(r)
        if command == "key":
            from peermatch.io._deidentify import read_or_create_key
            key, created = read_or_create_key(folder / f"key-{r}")
            print(json.dumps({"round": r, "key": key, "created": created}), flush=True)
            continue
        h = folder / ("h.json" if command == "continuous" else f"h-{r}.json")
        out = folder / f"out-{r}-{me}.csv"
        argv = ["rematch", str(folder / "p.csv"), str(folder / "l.csv"), "--history", str(h),
                "-o", str(out)]
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            code = main(argv)
        print(json.dumps({"round": r, "code": code, "err": err.getvalue()}), flush=True)
    """
)


def start_year(path: Path) -> None:
    """Run 1, then run 2 ending P1-L1 for safety."""
    with History.locked(path, new=True) as h:
        first = h.rematch(PS, LS)
        h.save()
    assert first.pairs["P1"] == "L1"
    with History.locked(path) as h:
        h.rematch(PS, LS, ended=[("P1", "L1", "safety")])
        h.save()


def workers(folder: Path, n: int, rounds: int, command: str) -> list[list[dict[str, object]]]:
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(folder), str(w), str(n), str(rounds), command],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(n)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=240)
        assert proc.returncode == 0, err
        results.append([json.loads(line) for line in out.splitlines()])
    return results


def check_chain(path: Path, runs: int) -> History:
    """The history holds ``runs`` runs, each continuing from the one before; safety holds."""
    h = History.load(path)  # verifies the hash chain
    assert len(h) == runs
    for rec in h.runs[1:]:
        assert rec.previous == {"source": "history", "run": rec.run - 1}
    for rec in h.runs[2:]:
        assert rec.pairs.get(SAFETY[0]) != SAFETY[1], f"run {rec.run} re-paired the safety pair"
        assert [b.pair for b in h.blocks(before=rec.run) if b.safety] == [SAFETY]
    return h


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    write_profiles(tmp_path / "p.csv", PS)
    write_profiles(tmp_path / "l.csv", LS)
    return tmp_path


def test_concurrent_rematch_runs_serialise_and_none_is_lost(folder: Path) -> None:
    """Two runs at once, 20 rounds: both recorded, one after the other, both outputs written."""
    rounds, n = 20, 2
    for r in range(rounds):
        start_year(folder / f"h-{r}.json")
    started = time.monotonic()
    results = workers(folder, n, rounds, "rematch")
    elapsed = time.monotonic() - started
    for r in range(rounds):
        outcomes = [results[w][r] for w in range(n)]
        assert [o["code"] for o in outcomes] == [0] * n, outcomes
        reported = sorted(int(str(o["err"]).split()[1]) for o in outcomes)  # "run N (...)"
        assert reported == [3, 4], outcomes
        check_chain(folder / f"h-{r}.json", 4)
        for w in range(n):
            assert (folder / f"out-{r}-{w}.csv").exists()
    leftovers = [p.name for p in folder.iterdir() if p.name.endswith((".tmp", ".lock", ".bak"))]
    assert leftovers == []
    assert elapsed < 120


def test_many_runs_from_three_processes_form_one_chain(folder: Path) -> None:
    start_year(folder / "h.json")
    results = workers(folder, 3, 8, "continuous")
    assert all(o["code"] == 0 for rs in results for o in rs), results
    numbers = sorted(int(str(o["err"]).split()[1]) for rs in results for o in rs)
    assert numbers == list(range(3, 3 + 24))  # every run reported with its own number
    check_chain(folder / "h.json", 2 + 24)


def test_concurrent_whole_processes_both_recorded(folder: Path) -> None:
    """The same through ``python -m peermatch``, as a coordinator would start it."""
    h = folder / "h.json"
    start_year(h)
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "peermatch",
                "rematch",
                str(folder / "p.csv"),
                str(folder / "l.csv"),
                "--history",
                str(h),
                "-o",
                str(folder / f"{name}.csv"),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("a", "b")
    ]
    errs = []
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        errs.append(err)
    assert sorted(e.split()[1] for e in errs) == ["3", "4"]
    check_chain(h, 4)
    assert (folder / "a.csv").exists() and (folder / "b.csv").exists()


def test_a_run_that_cannot_get_the_lock_is_refused_before_writing(folder: Path) -> None:
    h = folder / "h.json"
    start_year(h)
    marker = folder / "holding"
    base = [sys.executable, "-m", "peermatch", "rematch", str(folder / "p.csv")]
    base += [str(folder / "l.csv"), "--history", str(h)]
    holder = subprocess.Popen(
        [*base, "-o", str(folder / "first.csv")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PEERMATCH_TEST_PAUSE": f"locked:{marker}"},
    )
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert holder.poll() is None and time.monotonic() < deadline, holder.stderr
            time.sleep(0.01)
        before = h.read_bytes()
        second = subprocess.run(
            [*base, "-o", str(folder / "second.csv"), "--wait", "0.5"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert second.returncode == 2, second.stderr
        assert "another peermatch run is recording in this history" in second.stderr
        assert f"process {holder.pid}" in second.stderr
        assert "nothing was read or written" in second.stderr
        assert not (folder / "second.csv").exists() and h.read_bytes() == before
    finally:
        marker.unlink(missing_ok=True)
    _, err = holder.communicate(timeout=120)
    assert holder.returncode == 0, err
    check_chain(h, 3)
    assert [p.name for p in folder.iterdir() if p.name.startswith(".pm-")] == []


def test_concurrent_first_uses_of_a_key_file_share_one_key(folder: Path) -> None:
    rounds, n = 20, 3
    results = workers(folder, n, rounds, "key")
    for r in range(rounds):
        outcomes = [results[w][r] for w in range(n)]
        assert len({o["key"] for o in outcomes}) == 1, outcomes
        assert sum(bool(o["created"]) for o in outcomes) == 1, outcomes
        path = folder / f"key-{r}"
        assert path.read_text().strip() == outcomes[0]["key"]
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in folder.iterdir() if p.name.startswith(".pm-")] == []


def test_two_exports_started_together_with_a_new_key_can_be_joined(folder: Path) -> None:
    key = folder / "keys" / "programme.key"
    key.parent.mkdir()
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "peermatch",
                "deidentify",
                str(folder / "p.csv"),
                str(folder / "l.csv"),
                "--out",
                str(folder / name),
                "--key-file",
                str(key),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("a", "b")
    ]
    errs = []
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        errs.append(err)
    assert sum("created a new key" in e for e in errs) == 1
    for name in ("participants.csv", "peers.csv"):
        assert (folder / "a" / name).read_bytes() == (folder / "b" / name).read_bytes()
