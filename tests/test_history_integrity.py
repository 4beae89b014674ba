"""The run history's integrity check: every edit is reported as such, by every command.

A history of three runs (run 2 ends P1-L1 for safety) is edited in the ways a person with a
text editor would; each edit must be refused by the library and by ``rematch``, ``replay`` and
``validate``, naming the run and what changed — never accepted, never blamed on the input
files. Also: a new history is explicit, a missing target is named, version 1 files are
upgraded once.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cli_runner import run_peermatch

from peermatch import InputError, Participant, PeerLeader, PeermatchWarning
from peermatch.cli._main import main
from peermatch.io._profiles import write_profiles
from peermatch.programme._history import History, canonical_json

PS = [Participant(id=f"P{k}", age=30 + 10 * k, languages="en") for k in (1, 2, 3)]
LS = [PeerLeader(id=f"L{k}", age=30 + 10 * k, languages="en") for k in (1, 2, 3)]
SAFETY = ("P1", "L1")


def build(path: Path) -> None:
    """Three runs; run 2 ends P1-L1 for safety and P2-L2 for schedule."""
    with History.locked(path, new=True) as h:
        h.rematch(PS, LS)
        h.save()
    with History.locked(path) as h:
        h.rematch(PS, LS, ended=[("P1", "L1", "safety"), ("P2", "L2", "schedule")])
        h.save()
    with History.locked(path) as h:
        h.rematch(PS, LS)
        h.save()


def edit(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def ending(data: dict[str, Any], pid: str) -> dict[str, Any]:
    found: dict[str, Any] = next(e for e in data["runs"][1]["ended"] if e["participant_id"] == pid)
    return found


def delete_safety_ending(data: dict[str, Any]) -> None:
    data["runs"][1]["ended"].remove(ending(data, "P1"))


def relabel_safety_ending(data: dict[str, Any]) -> None:
    e = ending(data, "P1")
    e["reason"], e["safety"] = "poor_fit", False


def delete_schedule_ending(data: dict[str, Any]) -> None:
    data["runs"][1]["ended"].remove(ending(data, "P2"))


def drop_last_run(data: dict[str, Any]) -> None:
    data["runs"].pop()


def drop_last_run_and_fix_the_count(data: dict[str, Any]) -> None:
    data["runs"].pop()
    data["run_count"] = 2


def drop_middle_run(data: dict[str, Any]) -> None:
    del data["runs"][1]
    data["runs"][1]["run"] = 2
    data["runs"][1]["previous"]["run"] = 1
    data["run_count"] = 2


def flip_input_hash(data: dict[str, Any]) -> None:
    h = data["runs"][2]["input_hash"]
    data["runs"][2]["input_hash"] = ("1" if h[0] == "0" else "0") + h[1:]


def move_a_pair(data: dict[str, Any]) -> None:
    pairs = data["runs"][2]["pairs"]
    pairs["P3"] = "L2" if pairs["P3"] != "L2" else "L3"


def add_a_field(data: dict[str, Any]) -> None:
    data["runs"][0]["note"] = "checked by the coordinator"


def add_a_decision(data: dict[str, Any]) -> None:
    data["runs"][2]["decisions"].append(
        {"participant_id": "P1", "peer_id": "L1", "decision": "pin", "override": True}
    )


def downgrade_to_version_1(data: dict[str, Any]) -> None:
    data["format_version"] = 1


EDITS: dict[str, tuple[Callable[[dict[str, Any]], None], str, str]] = {
    # name: (edit, field of the problem, what the message says)
    "delete the safety ending": (
        delete_safety_ending,
        "runs[1].ended",
        "run 2's safety ending P1-L1 was removed",
    ),
    "relabel the safety ending poor_fit": (
        relabel_safety_ending,
        "runs[1].ended",
        "run 2's safety ending P1-L1 was relabelled from safety to poor_fit",
    ),
    "delete another ending": (
        delete_schedule_ending,
        "runs[1].ended",
        "run 2's ending P2-L2 (schedule) was removed",
    ),
    "drop the last run": (drop_last_run, "run_count", "it recorded 3 runs but holds 2"),
    "drop the last run and fix the count": (
        drop_last_run_and_fix_the_count,
        "head",
        "its last run is not the one it recorded last",
    ),
    "drop a run in the middle": (
        drop_middle_run,
        "runs[1].prev",
        "run 2 does not follow the run before it",
    ),
    "flip an input hash": (flip_input_hash, "runs[2].input_hash", "run 3's input_hash"),
    "move a pair": (move_a_pair, "runs[2].pairs", "run 3's pairs were changed"),
    "add a field": (add_a_field, "runs[0].note", "a field 'note' was added to run 1"),
    "add a decision": (add_a_decision, "runs[2].decisions", "run 3's decisions were changed"),
    "say version 1": (downgrade_to_version_1, "format_version", "runs carry integrity hashes"),
}


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pristine") / "year.json"
    build(path)
    return path


@pytest.fixture
def files(tmp_path: Path, pristine: Path) -> dict[str, Path]:
    out = {"p": tmp_path / "p.csv", "l": tmp_path / "l.csv", "h": tmp_path / "year.json"}
    write_profiles(out["p"], PS)
    write_profiles(out["l"], LS)
    out["h"].write_bytes(pristine.read_bytes())
    return out


def run_main(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_a_pristine_history_passes(files: dict[str, Path]) -> None:
    h = History.load(files["h"])
    assert [r.run for r in h.runs] == [1, 2, 3]
    assert [b.pair for b in h.blocks() if b.safety] == [SAFETY]
    for k, r in enumerate(h.runs):
        assert r.prev == (h.runs[k - 1].hash if k else None)
    code, out, err = run_main("validate", "--history", str(files["h"]))
    assert code == 0, err
    assert "3 runs, 2 ended pairs (1 for safety), integrity check passed" in out


def test_the_hash_is_over_the_canonical_record(files: dict[str, Path]) -> None:
    """An independent recomputation: SHA-256 of the record without its hash, keys sorted."""
    import hashlib

    data = json.loads(files["h"].read_text(encoding="utf-8"))
    prev = None
    for record in data["runs"]:
        body = {k: v for k, v in record.items() if k != "hash"}
        text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert hashlib.sha256(text.encode()).hexdigest() == record["hash"]
        assert canonical_json(body) == text.encode()
        assert record["prev"] == prev
        prev = record["hash"]
    assert data["head"] == prev and data["run_count"] == 3


@pytest.mark.parametrize("bonus", [None, 0, 0.0, 0.05, 1])
def test_a_history_written_and_read_again_stays_intact(bonus: float | None, tmp_path: Path) -> None:
    """Every value survives the round trip exactly, so a later save keeps the chain intact."""
    path = tmp_path / "h.json"
    for k in range(3):
        with History.locked(path, new=k == 0) as h:
            h.rematch(PS, LS, stay_bonus=bonus if k else None)
            h.save()
    h = History.load(path)
    assert [r.to_dict() for r in h.runs] == json.loads(path.read_text(encoding="utf-8"))["runs"]
    assert h.replay(PS, LS).reproduced


def test_layout_is_not_an_edit(files: dict[str, Path]) -> None:
    """Re-indenting the file or reordering its keys changes nothing."""
    data = json.loads(files["h"].read_text(encoding="utf-8"))
    data["runs"] = [dict(reversed(list(r.items()))) for r in data["runs"]]
    files["h"].write_text(json.dumps(data, indent=4, ensure_ascii=True), encoding="utf-8")
    assert len(History.load(files["h"])) == 3


@pytest.mark.parametrize("name", sorted(EDITS))
def test_an_edit_is_refused_by_the_library(name: str, files: dict[str, Path]) -> None:
    change, where, message = EDITS[name]
    edit(files["h"], change)
    with pytest.raises(InputError) as exc:
        History.load(files["h"])
    text = str(exc.value)
    assert f"{files['h']}: {where}: edited by hand: " in text, text
    assert message in text, text
    assert "restore it from a backup" in text
    assert "differ from those of run" not in text  # never blamed on the input files


@pytest.mark.parametrize("name", sorted(EDITS))
def test_an_edit_is_reported_by_rematch_replay_and_validate(
    name: str, files: dict[str, Path]
) -> None:
    change, where, message = EDITS[name]
    edit(files["h"], change)
    before = files["h"].read_bytes()
    p, ls, h = (str(files[k]) for k in "plh")
    out = files["h"].parent / "run4.csv"
    for argv in (
        ["rematch", p, ls, "--history", h, "-o", str(out)],
        ["replay", p, ls, "--history", h, "--run", "2"],
        ["validate", "--history", h],
    ):
        code, stdout, err = run_main(*argv)
        assert code == 2, (argv[0], err)
        assert f"{where}: edited by hand: " in err and message in err, (argv[0], err)
        assert "reproduced" not in stdout
    assert files["h"].read_bytes() == before and not out.exists()
    assert sorted(x.name for x in files["h"].parent.iterdir()) == ["l.csv", "p.csv", "year.json"]


def test_an_edit_is_reported_through_a_real_process(files: dict[str, Path]) -> None:
    edit(files["h"], relabel_safety_ending)
    p, ls, h = (str(files[k]) for k in "plh")
    res = run_peermatch("replay", p, ls, "--history", h, "--run", "2")
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "run 2's safety ending P1-L1 was relabelled from safety to poor_fit" in res.stderr


def test_a_relabelled_safety_ending_no_longer_reproduces_as_if_nothing_happened(
    files: dict[str, Path],
) -> None:
    """Before the check, replay recomputed run 2 from the edited ending and said 'reproduced'."""
    edit(files["h"], relabel_safety_ending)
    code, out, err = run_main(
        "replay", str(files["p"]), str(files["l"]), "--history", str(files["h"]), "--run", "2"
    )
    assert code == 2 and out == "" and "edited by hand" in err


def test_a_flipped_input_hash_is_an_edit_not_other_input_files(files: dict[str, Path]) -> None:
    edit(files["h"], flip_input_hash)
    code, _, err = run_main(
        "replay", str(files["p"]), str(files["l"]), "--history", str(files["h"])
    )
    assert code == 2
    assert "run 3's input_hash was changed" in err and "the participants given differ" not in err


@pytest.mark.parametrize(
    ("where", "bad", "message"),
    [
        ("pairs", {"P 1": "L1"}, "'P 1' is not a valid participant id"),
        ("pairs", {"P1": "L1;L2"}, "'L1;L2' is not a valid peer leader id"),
        ("unmatched", {"=cmd()": "capacity"}, "'=cmd()' is not a valid participant id"),
    ],
)
def test_ids_in_a_history_are_validated_even_with_recomputed_hashes(
    where: str, bad: dict[str, str], message: str, tmp_path: Path
) -> None:
    """A forger who recomputes the hashes still cannot slip in an invalid id."""
    path = tmp_path / "h.json"
    build(path)
    h = History.load(path)
    h.runs[:] = [dataclasses.replace(h.runs[0], **{where: bad}).sealed(1, None)]
    path.write_text(json.dumps(h.to_dict()), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        History.load(path)
    assert f"runs[0].{where}: {message}" in str(exc.value)
    assert "edited by hand" not in str(exc.value)


def test_a_determined_forger_is_not_detected(tmp_path: Path) -> None:
    """Documented limit: a re-sealed chain passes (the check detects edits, not forgery)."""
    path = tmp_path / "h.json"
    build(path)
    h = History.load(path)
    runs = [h.runs[0]]
    second = h.runs[1]
    kept = tuple(e for e in second.ended if not e.safety)
    runs.append(dataclasses.replace(second, ended=kept).sealed(2, runs[0].hash))
    runs.append(h.runs[2].sealed(3, runs[1].hash))
    h.runs[:] = runs
    path.write_text(json.dumps(h.to_dict()), encoding="utf-8")
    assert not [b for b in History.load(path).blocks() if b.safety]


# -- a new programme year is explicit --------------------------------------------------------


def test_a_missing_history_is_an_input_error_and_creates_nothing(files: dict[str, Path]) -> None:
    folder = files["h"].parent
    typo = folder / "yaer.json"
    for argv in (
        ["rematch", str(files["p"]), str(files["l"]), "--history", str(typo), "-o", "x.csv"],
        ["replay", str(files["p"]), str(files["l"]), "--history", str(typo)],
        ["validate", "--history", str(typo)],
    ):
        code, _, err = run_main(*argv)
        assert code == 2 and "no such history file" in err and "--new-history" in err, err
    assert sorted(x.name for x in folder.iterdir()) == ["l.csv", "p.csv", "year.json"]
    with pytest.raises(InputError, match="no such history file"):
        History.locked(typo).__enter__()
    assert not list(folder.glob("*.lock"))


def test_new_history_refuses_an_existing_file(files: dict[str, Path]) -> None:
    before = files["h"].read_bytes()
    code, _, err = run_main(
        "rematch", str(files["p"]), str(files["l"]), "--history", str(files["h"]), "--new-history"
    )
    assert code == 2 and "already exists, so it cannot start a new programme year" in err
    assert files["h"].read_bytes() == before
    with pytest.raises(InputError, match="already exists"):
        History.load(files["h"], new=True)


def test_a_dangling_symlink_names_the_missing_target(files: dict[str, Path]) -> None:
    """An unmounted drive must not silently start a new programme year."""
    target = files["h"].parent / "drive" / "year.json"
    link = files["h"].parent / "link.json"
    link.symlink_to(target)
    for new in ([], ["--new-history"]):
        code, _, err = run_main(
            "rematch", str(files["p"]), str(files["l"]), "--history", str(link), *new
        )
        assert code == 2 and f"is a symbolic link to '{target}', which does not exist" in err
    code, _, err = run_main("validate", "--history", str(link))
    assert code == 2 and "which does not exist" in err
    with pytest.raises(InputError, match="unmounted drive"):
        History.load(link)
    assert link.is_symlink() and not (files["h"].parent / "drive").exists()
    assert not list(files["h"].parent.glob("*.lock"))


def test_a_symlink_to_a_history_is_followed_and_kept(files: dict[str, Path]) -> None:
    link = files["h"].parent / "link.json"
    link.symlink_to(files["h"])
    code, _, err = run_main("rematch", str(files["p"]), str(files["l"]), "--history", str(link))
    assert code == 0, err
    assert link.is_symlink() and len(History.load(files["h"])) == 4


# -- version 1 -----------------------------------------------------------------------------


def version_1(path: Path) -> None:
    """What peermatch 0.1 wrote: no integrity fields, no decisions."""
    data = json.loads(path.read_text(encoding="utf-8"))
    data["format_version"] = 1
    del data["head"], data["run_count"]
    for r in data["runs"]:
        for key in ("prev", "digests", "hash", "decisions"):
            del r[key]
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")


def test_a_version_1_history_is_read_with_a_warning_and_upgraded_by_the_next_run(
    files: dict[str, Path],
) -> None:
    version_1(files["h"])
    with pytest.warns(PeermatchWarning, match="has no integrity check"):
        h = History.load(files["h"])
    assert len(h) == 3 and h.format_version == 1
    code, out, err = run_main("validate", "--history", str(files["h"]))
    assert code == 0 and "format version 1: no integrity check yet" in out
    assert "peermatch: warning:" in err
    code, _, err = run_main(
        "rematch", str(files["p"]), str(files["l"]), "--history", str(files["h"])
    )
    assert code == 0, err
    data = json.loads(files["h"].read_text(encoding="utf-8"))
    assert data["format_version"] == 2 and data["run_count"] == 4
    h = History.load(files["h"])  # no warning any more
    assert [b.pair for b in h.blocks() if b.safety] == [SAFETY]
    edit(files["h"], delete_safety_ending)
    with pytest.raises(InputError, match="run 2's safety ending P1-L1 was removed"):
        History.load(files["h"])


def test_saving_refuses_a_history_that_was_edited_meanwhile(files: dict[str, Path]) -> None:
    h = History.load(files["h"])
    h.rematch(PS, LS)
    edit(files["h"], move_a_pair)
    before = files["h"].read_bytes()
    with pytest.raises(InputError, match="edited by hand"):
        h.save()
    assert files["h"].read_bytes() == before


def test_the_lock_file_is_gone_after_a_run(files: dict[str, Path]) -> None:
    with History.locked(files["h"]) as h:
        assert (files["h"].parent / "year.json.lock").exists()
        h.rematch(PS, LS)
        h.save()
    assert not (files["h"].parent / "year.json.lock").exists()
    assert os.listdir(files["h"].parent) and len(History.load(files["h"])) == 4
