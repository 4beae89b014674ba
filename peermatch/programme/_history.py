"""The run history of a programme year: locked, verified, and the single source of truth.

A programme year is a sequence of runs: an initial match, then re-matches after endings and
life changes. :class:`History` keeps, per run, what is needed to continue and to reproduce it —
and nothing from the profiles themselves:

- ``run`` (1, 2, ...), ``kind`` (``match`` for the first run, else ``rematch``) and a UTC
  ``timestamp``;
- the manifest: ``peermatch_version``, ``solver``, ``config_hash``, ``input_hash`` (and one
  hash per input side, to say which file differs on replay);
- ``config``: the resolved configuration (criteria in evaluation order; its canonical JSON
  hashes to ``config_hash``);
- ``stay_bonus`` (``null``: working pairs kept fixed);
- ``previous``: ``null`` for the first run, ``{"source": "history", "run": k}`` when the run
  continued from run ``k``, or ``{"source": "given", "file": ...}`` with the pairs,
  participant ids and blocks of a previous match (file or result) given instead;
- ``ended``: the endings applied in this run (ids and reason; notes are never stored);
- ``decisions``: the coordinator's decisions of this run (ids, ``pin`` or ``forbid``, and
  whether it overrode a rule; no free text); empty so far;
- ``pairs`` (participant id -> leader id) and ``unmatched`` (participant id -> reason code);
- the integrity fields ``prev``, ``digests`` and ``hash`` (below).

Every ended pair of every run is blocked in all later runs.

**Integrity.** The runs form a hash chain. Each run's ``hash`` is the SHA-256 of the canonical
JSON (sorted keys, no spaces, UTF-8) of the run without its ``hash``; ``prev`` is the hash of
the run before (``null`` for run 1); ``digests`` holds a short hash of every field (one per
ending and per decision), which is how a mismatch is traced to what was changed. The file
carries the number of runs (``run_count``) and the last run's hash (``head``). Reading a
history checks all of it: a run deleted, added or reordered, a field or an ending changed or
removed, is reported as *edited by hand*, naming the run and what no longer matches (for
example ``run 2's safety ending P07-L04 was removed``), and the history is refused. Layout and
white space do not matter. The chain detects edits; it does not stop a determined forger who
recomputes the hashes.

**One writer at a time.** :meth:`History.locked` holds an exclusive lock on the history (a
sidecar file ``NAME.lock`` next to it while the lock is held; POSIX ``flock``) from reading it
to writing it, so two
runs on the same history cannot both continue from the same run; the second waits, at most
``wait`` seconds, then is refused with :class:`~peermatch.HistoryBusyError` before reading or
writing anything. :meth:`History.save` writes the history and the run's outputs together:
every file is staged first, then the history is renamed into place before the outputs, with
interruptions held back meanwhile (``peermatch._core.commit``). A failure leaves every file
as it was.

**A new programme year is explicit.** :meth:`History.load` and :meth:`History.locked` refuse a
file that does not exist unless ``new=True`` (and then refuse one that does), and refuse a
symbolic link whose target is missing (an unmounted drive), naming the target.

**Format versions.** Version 2 carries the integrity fields. A version 1 history (written by
peermatch 0.1 before the check existed) is read with a
:class:`~peermatch.PeermatchWarning` that edits made to it cannot be detected, and is written
as version 2 by the next :meth:`History.save`, which seals its runs as they are.

Examples
--------
>>> import tempfile, pathlib
>>> from peermatch import Participant, PeerLeader
>>> path = pathlib.Path(tempfile.mkdtemp()) / "history.json"
>>> ps = [Participant(id="P1", age=50, languages="en")]
>>> ls = [PeerLeader(id="L1", age=55, languages="en"), PeerLeader(id="L2", age=60, languages="en")]
>>> with History.locked(path, new=True) as h:
...     h.rematch(ps, ls).pairs
...     h.save()
{'P1': 'L1'}
>>> with History.locked(path) as h:
...     h.rematch(ps, ls, ended=[("P1", "L1", "schedule")]).pairs
...     h.save()
{'P1': 'L2'}
>>> [(r.run, r.kind) for r in History.load(path).runs]
[(1, 'match'), (2, 'rematch')]
>>> History.load(path).replay(ps, ls, run=2).reproduced
True
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import warnings
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from os import PathLike
from pathlib import Path
from typing import Any, Literal

from peermatch._core.commit import write_files, written_before
from peermatch._core.files import read_text_file
from peermatch._core.lock import FileLock, LockBusy
from peermatch._core.text import shown
from peermatch._version import __version__
from peermatch.errors import HistoryBusyError, InputError, PeermatchWarning, Problem
from peermatch.matching._changes import Ending
from peermatch.matching._match import input_hash
from peermatch.matching._results import MatchResult
from peermatch.profiles._models import ID_PATTERN, Participant, PeerLeader
from peermatch.profiles._vocab import EndReason
from peermatch.programme._rematch import (
    EndingLike,
    PreviousRun,
    merge_blocks,
    read_previous,
    rematch,
)
from peermatch.scoring._config import MatchConfig

__all__ = [
    "DEFAULT_WAIT",
    "HISTORY_FORMAT",
    "HISTORY_VERSION",
    "History",
    "Replay",
    "RunRecord",
    "canonical_json",
]

HISTORY_FORMAT = "peermatch-history"
HISTORY_VERSION = 2
#: Seconds :meth:`History.locked` waits for another run's lock by default.
DEFAULT_WAIT = 60.0

#: The fields of a run record that hold its content, in the order they are written.
_CONTENT = (
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
    "decisions",
    "pairs",
    "unmatched",
    "config",
)
_ITEMISED = ("ended", "decisions")  # digested item by item
_INTEGRITY = ("run", "prev", "digests", "hash")
_DECISION_KEYS = frozenset({"participant_id", "peer_id", "decision", "override"})
_REASONS = tuple(r.value for r in EndReason)


def canonical_json(value: object) -> bytes:
    """The canonical JSON the integrity hashes are computed over (sorted keys, no spaces).

    Examples
    --------
    >>> canonical_json({"b": [1, 2.5], "a": None})
    b'{"a":null,"b":[1,2.5]}'
    """
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def _sha(value: object) -> str:
    try:
        return hashlib.sha256(canonical_json(value)).hexdigest()
    except (TypeError, ValueError):  # NaN or another value JSON cannot hold: never a match
        return ""


def _digest(value: object) -> str:
    return _sha(value)[:16]


def _digests(record: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in _CONTENT:
        value = record.get(key)
        if key in _ITEMISED and isinstance(value, list):
            out[key] = [_digest(item) for item in value]
        else:
            out[key] = _digest(value)
    return out


def _seal(run: int, content: Mapping[str, Any], prev: str | None) -> dict[str, Any]:
    """A run record with its integrity fields."""
    record: dict[str, Any] = {"run": run, **{k: content[k] for k in _CONTENT}, "prev": prev}
    record["digests"] = _digests(record)
    record["hash"] = _sha(record)
    return record


def _side_hashes(
    participants: Sequence[Participant], peers: Sequence[PeerLeader]
) -> tuple[str, str]:
    return input_hash(participants, []), input_hash([], peers)


@dataclass(frozen=True)
class RunRecord:
    """One recorded run (see the module documentation for the fields).

    ``prev`` and ``hash`` chain the runs (see *Integrity* in the module documentation).
    """

    run: int
    kind: Literal["match", "rematch"]
    timestamp: str
    version: str
    solver: str
    config: Mapping[str, Any]
    config_hash: str
    input_hash: str
    participants_hash: str
    peers_hash: str
    stay_bonus: float | None
    previous: Mapping[str, Any] | None
    ended: tuple[Ending, ...]
    pairs: Mapping[str, str]
    unmatched: Mapping[str, str]
    decisions: tuple[Mapping[str, Any], ...] = ()
    prev: str | None = None
    hash: str = ""

    @property
    def participants(self) -> frozenset[str]:
        """Every participant of the run."""
        return frozenset(self.pairs) | frozenset(self.unmatched)

    def imported_blocks(self) -> tuple[Ending, ...]:
        """Blocks brought in by a previous match file given for this run."""
        if self.previous is None or self.previous.get("source") != "given":
            return ()
        return tuple(Ending.from_dict(b) for b in self.previous.get("blocks", ()))

    def match_config(self) -> MatchConfig:
        """The recorded configuration.

        Raises
        ------
        InputError
            If it is not a valid configuration or does not hash to ``config_hash``.
        """
        try:
            cfg = MatchConfig.model_validate(dict(self.config))
        except ValueError as exc:
            raise InputError(
                [f"history run {self.run}: the recorded configuration is invalid: {exc}"]
            ) from None
        if cfg.config_hash() != self.config_hash:
            raise InputError(
                [
                    f"history run {self.run}: the recorded configuration does not match its "
                    "config_hash (was the history edited?)"
                ]
            )
        return cfg

    def content(self) -> dict[str, Any]:
        """The run's fields without the integrity fields, as stored."""
        return {
            "kind": self.kind,
            "timestamp": self.timestamp,
            "peermatch_version": self.version,
            "solver": self.solver,
            "config_hash": self.config_hash,
            "input_hash": self.input_hash,
            "participants_hash": self.participants_hash,
            "peers_hash": self.peers_hash,
            "stay_bonus": self.stay_bonus,
            "previous": None if self.previous is None else dict(self.previous),
            "ended": [e.to_dict(note=False) for e in self.ended],
            "decisions": [dict(d) for d in self.decisions],
            "pairs": dict(sorted(self.pairs.items())),
            "unmatched": dict(sorted(self.unmatched.items())),
            "config": dict(self.config),
        }

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form (the form stored in the history file)."""
        return _seal(self.run, self.content(), self.prev)

    def sealed(self, run: int, prev: str | None) -> RunRecord:
        """The same run as run ``run`` after the run whose hash is ``prev``."""
        record = _seal(run, self.content(), prev)
        return _record(record, run, prev, record["hash"])


def _record(data: Mapping[str, Any], run: int, prev: str | None, digest: str) -> RunRecord:
    return RunRecord(
        run=run,
        kind=data["kind"],
        timestamp=data["timestamp"],
        version=data["peermatch_version"],
        solver=data["solver"],
        config=data["config"],
        config_hash=data["config_hash"],
        input_hash=data["input_hash"],
        participants_hash=data["participants_hash"],
        peers_hash=data["peers_hash"],
        stay_bonus=data["stay_bonus"],  # as stored (0 stays 0): the record must hash the same
        previous=data["previous"],
        ended=tuple(Ending.from_dict(e) for e in data["ended"]),
        pairs=data["pairs"],
        unmatched=data["unmatched"],
        decisions=tuple(data.get("decisions", ())),
        prev=prev,
        hash=digest,
    )


# -- reading ------------------------------------------------------------------------------------

_HASH_KEYS = ("config_hash", "input_hash", "participants_hash", "peers_hash")


def _id_problem(value: object, what: str) -> str | None:
    if isinstance(value, str) and ID_PATTERN.fullmatch(value):
        return None
    return f"{shown(value)} is not a valid {what} id"


def _parse_run(data: object, pos: int, label: str, problems: list[Problem]) -> bool:
    """Check one run record; append its problems and say whether it is usable."""
    where = f"runs[{pos}]"

    def bad(key: str, msg: str) -> None:
        problems.append(Problem(label, None, f"{where}.{key}" if key else where, msg))

    if not isinstance(data, dict):
        bad("", "expected an object")
        return False
    before = len(problems)
    if data.get("run") != pos + 1:
        bad("run", f"expected {pos + 1}, found {data.get('run')!r} (runs are numbered 1, 2, ...)")
    if data.get("kind") not in ("match", "rematch"):
        bad("kind", "expected 'match' or 'rematch'")
    for key in ("timestamp", "peermatch_version", "solver", *_HASH_KEYS):
        if not isinstance(data.get(key), str):
            bad(key, "expected text")
    bonus = data.get("stay_bonus")
    if bonus is not None and (
        isinstance(bonus, bool)
        or not isinstance(bonus, int | float)
        or not math.isfinite(bonus)
        or bonus < 0
    ):
        bad("stay_bonus", "expected null or a number >= 0")
    if not isinstance(data.get("config"), dict):
        bad("config", "expected an object")
    for key, value_what in (("pairs", "peer leader"), ("unmatched", None)):
        value = data.get(key)
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            bad(key, "expected an object of id -> text")
            continue
        for k, v in value.items():
            msg = _id_problem(k, "participant") or (value_what and _id_problem(v, value_what))
            if msg:
                bad(key, msg)
                break
    raw_ended = data.get("ended")
    if not isinstance(raw_ended, list):
        bad("ended", "expected a list")
        raw_ended = []
    for k, item in enumerate(raw_ended):
        try:
            if not isinstance(item, dict):
                raise InputError(["expected an object"])
            Ending.from_dict(item)
        except InputError as exc:
            bad(f"ended[{k}]", "; ".join(p.message for p in exc.problems))
    decisions = data.get("decisions", [])
    if not isinstance(decisions, list):
        bad("decisions", "expected a list")
        decisions = []
    for k, item in enumerate(decisions):
        ok = (
            isinstance(item, dict)
            and set(item) == _DECISION_KEYS
            and item["decision"] in ("pin", "forbid")
            and isinstance(item["override"], bool)
        )
        msg = (
            "expected an object with participant_id, peer_id, decision ('pin' or 'forbid') "
            "and override (true or false)"
            if not ok
            else _id_problem(item["participant_id"], "participant")
            or _id_problem(item["peer_id"], "peer leader")
        )
        if msg:
            bad(f"decisions[{k}]", msg)
    prev = data.get("previous")
    if prev is not None:
        if not isinstance(prev, dict) or prev.get("source") not in ("history", "given"):
            bad("previous", "expected null or an object with source 'history' or 'given'")
        elif prev["source"] == "history":
            ref_run = prev.get("run")
            if not isinstance(ref_run, int) or isinstance(ref_run, bool) or not 1 <= ref_run <= pos:
                bad("previous.run", f"expected the number of an earlier run (1..{pos})")
        else:
            ok = (
                isinstance(prev.get("pairs"), dict)
                and isinstance(prev.get("participants"), list)
                and isinstance(prev.get("blocks", []), list)
            )
            if not ok:
                bad("previous", "a given previous needs 'pairs', 'participants' and 'blocks'")
            else:
                ids = [(k, "participant") for k in prev["participants"]]
                for k, v in prev["pairs"].items():
                    ids += [(k, "participant"), (v, "peer leader")]
                msg = next((m for i, w in ids if (m := _id_problem(i, w))), None)
                if msg:
                    bad("previous", msg)
                for b in prev.get("blocks", []):
                    try:
                        Ending.from_dict(b if isinstance(b, dict) else {})
                    except InputError as exc:
                        bad("previous.blocks", "; ".join(p.message for p in exc.problems))
                        break
    elif data.get("kind") == "rematch":
        bad("previous", "a rematch run needs a previous run")
    return len(problems) == before


# -- integrity ----------------------------------------------------------------------------------


def _ending(pid: object, lid: object, reason: str) -> dict[str, Any]:
    return {"participant_id": pid, "peer_id": lid, "reason": reason, "safety": reason == "safety"}


def _pair_name(item: object) -> tuple[str, str]:
    if isinstance(item, dict):
        return f"{item.get('participant_id')}-{item.get('peer_id')}", str(item.get("reason"))
    return shown(item), ""


def _candidate_pairs(raw: Mapping[str, Any], runs: Sequence[object]) -> Iterator[tuple[str, str]]:
    """Pairs this run could have ended: its previous run's, then every earlier run's."""
    prev = raw.get("previous")
    sources: list[object] = []
    if isinstance(prev, dict):
        if prev.get("source") == "given":
            sources.append(prev.get("pairs"))
        elif isinstance(prev.get("run"), int) and 1 <= prev["run"] <= len(runs):
            ref = runs[prev["run"] - 1]
            sources.append(ref.get("pairs") if isinstance(ref, dict) else None)
    sources += [r.get("pairs") for r in runs if isinstance(r, dict)]
    for pairs in sources:
        if isinstance(pairs, dict):
            yield from ((p, x) for p, x in pairs.items() if isinstance(x, str))


def _ending_changes(
    raw: Mapping[str, Any], stored: object, runs: Sequence[object], n: int
) -> list[str]:
    """What was done to the endings of run ``n`` (their digests no longer match)."""
    items = raw.get("ended")
    if not isinstance(items, list) or not isinstance(stored, list):
        return [f"run {n}'s endings were changed"]
    missing = Counter(stored)
    extra = []
    for item in items:
        d = _digest(item)
        if missing[d] > 0:
            missing[d] -= 1
        else:
            extra.append(item)
    found = []
    for item in extra:
        name, reason = _pair_name(item)
        was = None
        if isinstance(item, dict):
            for r in _REASONS:
                d = _digest(_ending(item.get("participant_id"), item.get("peer_id"), r))
                if missing[d] > 0:
                    missing[d] -= 1
                    was = r
                    break
        if was is None:
            found.append(f"an ending {name} ({reason}) was added to run {n}")
        elif was == reason:
            found.append(f"run {n}'s ending {name} was changed (its safety flag)")
        else:
            kind = "safety ending" if was == "safety" else "ending"
            found.append(f"run {n}'s {kind} {name} was relabelled from {was} to {reason}")
    left = +missing
    seen: set[tuple[str, str]] = set()
    for pid, lid in _candidate_pairs(raw, runs) if left else ():
        if not left:
            break
        if (pid, lid) in seen:
            continue
        seen.add((pid, lid))
        for r in _REASONS:
            d = _digest(_ending(pid, lid, r))
            if left[d] > 0:
                left[d] -= 1
                left = +left
                what = (
                    f"safety ending {pid}-{lid}" if r == "safety" else f"ending {pid}-{lid} ({r})"
                )
                found.append(f"run {n}'s {what} was removed")
    found += [f"an ending of run {n} was removed (it cannot be named)"] * sum(left.values())
    return found or [f"run {n}'s endings were reordered"]


def _run_changes(raw: Mapping[str, Any], k: int, runs: Sequence[object]) -> list[tuple[str, str]]:
    """``(field, what changed)`` for a run whose hash no longer matches."""
    n = k + 1
    digests = raw.get("digests")
    if not isinstance(digests, dict):
        return [("digests", f"run {n}'s integrity fields were changed or removed")]
    found: list[tuple[str, str]] = []
    for key in _CONTENT:
        if key not in raw:
            found.append((key, f"run {n}'s {key} was removed"))
        elif key == "ended":
            if [_digest(e) for e in raw["ended"]] != digests.get("ended"):
                found += [("ended", m) for m in _ending_changes(raw, digests.get("ended"), runs, n)]
        elif key in _ITEMISED:
            value = raw[key]
            mine = [_digest(x) for x in value] if isinstance(value, list) else _digest(value)
            if mine != digests.get(key):
                found.append((key, f"run {n}'s {key} were changed"))
        elif _digest(raw[key]) != digests.get(key):
            verb = "were" if key in ("pairs", "unmatched") else "was"
            found.append((key, f"run {n}'s {key} {verb} changed"))
    added = sorted(set(raw) - set(_CONTENT) - set(_INTEGRITY))
    found += [(key, f"a field {key!r} was added to run {n}") for key in added]
    return found or [("", f"run {n}'s number, prev, digests or hash were changed")]


def _chain_problems(data: Mapping[str, Any], runs: list[object], label: str) -> list[Problem]:
    """Every way the runs fail their integrity check (empty: intact)."""
    found: list[tuple[str | None, str]] = []
    prev_hash: str | None = None
    for k, raw in enumerate(runs):
        if not isinstance(raw, dict):
            continue
        n = k + 1
        stored = raw.get("hash")
        actual = _sha({key: v for key, v in raw.items() if key != "hash"})
        if k > 0 and raw.get("prev") != prev_hash:
            found.append(
                (
                    f"runs[{k}].prev",
                    f"run {n} does not follow the run before it: a run was removed, added or moved",
                )
            )
        if stored != actual:
            for f, m in _run_changes(raw, k, runs):
                found.append((f"runs[{k}].{f}" if f else f"runs[{k}]", m))
        prev_hash = stored if isinstance(stored, str) else actual
    count, head = data.get("run_count"), data.get("head")
    if count != len(runs):
        if isinstance(count, int) and not isinstance(count, bool) and count > len(runs):
            lost = (
                f"run {count} was"
                if count == len(runs) + 1
                else f"runs {len(runs) + 1} to {count} were"
            )
            found.append(
                ("run_count", f"it recorded {count} runs but holds {len(runs)}: {lost} removed")
            )
        else:
            found.append(("run_count", f"it recorded {count!r} runs but holds {len(runs)}"))
    elif head != prev_hash:
        found.append(
            ("head", "its last run is not the one it recorded last: runs were removed or replaced")
        )
    if not found:
        return []
    problems = [Problem(label, None, f, f"edited by hand: {m}") for f, m in found]
    problems.append(
        Problem(
            label,
            None,
            None,
            "the history was changed outside peermatch and fails its integrity check, so it "
            "is not used: restore it from a backup (corrections are recorded as new runs, "
            "never by editing the file)",
        )
    )
    return problems


# -- the file -----------------------------------------------------------------------------------


def _missing_target(path: Path) -> str | None:
    """A message if ``path`` is a symbolic link whose target does not exist."""
    if path.is_symlink() and not path.exists():
        try:
            target = os.readlink(path)
        except OSError:
            target = "?"
        return (
            f"is a symbolic link to {target!r}, which does not exist (an unmounted drive or a "
            "moved folder?)"
        )
    return None


def _read(path: Path, label: str) -> tuple[list[RunRecord], int]:
    """The verified runs of a history file and its format version."""
    if path.is_dir():
        raise InputError([Problem(label, None, None, "is a folder, not a history file")])
    text = read_text_file(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError([Problem(label, exc.lineno, None, f"not valid JSON: {exc.msg}")]) from None
    except RecursionError:
        raise InputError([Problem(label, None, None, "not valid JSON: nested too deep")]) from None
    if not isinstance(data, dict) or data.get("format") != HISTORY_FORMAT:
        raise InputError(
            [
                Problem(
                    label,
                    None,
                    "format",
                    f'not a peermatch history (expected "format": "{HISTORY_FORMAT}"); '
                    "choose another --history file",
                )
            ]
        )
    version = data.get("format_version")
    if version not in (1, HISTORY_VERSION) or isinstance(version, bool):
        raise InputError(
            [
                Problem(
                    label,
                    None,
                    "format_version",
                    f"expected {HISTORY_VERSION} (or 1), found {version!r}",
                )
            ]
        )
    raw = data.get("runs")
    if not isinstance(raw, list):
        raise InputError([Problem(label, None, "runs", "expected a list of runs")])
    problems: list[Problem] = []
    if version == HISTORY_VERSION:
        problems += _chain_problems(data, raw, label)
    elif "head" in data or any(isinstance(r, dict) and "hash" in r for r in raw):
        problems.append(
            Problem(
                label,
                None,
                "format_version",
                "edited by hand: the file says version 1 but its runs carry integrity hashes "
                "(version 2); restore it from a backup",
            )
        )
    usable = [_parse_run(item, k, label, problems) for k, item in enumerate(raw)]
    if problems:
        raise InputError(problems)
    assert all(usable)
    records: list[RunRecord] = []
    for k, item in enumerate(raw):
        prev = records[-1].hash if records else None
        if version == HISTORY_VERSION:
            records.append(_record(item, k + 1, prev, item["hash"]))
        else:  # sealed as read; written as version 2 by the next save
            records.append(_record(item, k + 1, None, "").sealed(k + 1, prev))
    return records, version


@dataclass(frozen=True)
class Replay:
    """The outcome of replaying a recorded run.

    Attributes
    ----------
    run : int
        The run replayed.
    reproduced : bool
        Whether the replay gave exactly the recorded pairs and unmatched participants.
    differences : tuple of str
        One line per participant whose outcome differs (empty when reproduced).
    notes : tuple of str
        Remarks that do not affect the outcome (e.g. another peermatch version).
    result : MatchResult
        The re-computed result.
    """

    run: int
    reproduced: bool
    differences: tuple[str, ...]
    notes: tuple[str, ...]
    result: MatchResult


@dataclass
class History:
    """Runs of a programme, in order; see the module documentation.

    Use :meth:`locked` to hold the history while computing and recording a run (or
    :meth:`load` to read it), :meth:`rematch` to compute and record the next run, :meth:`save`
    to write it (with the run's outputs), :meth:`replay` to re-run a recorded run.
    """

    path: Path | None = None
    runs: list[RunRecord] = field(default_factory=list)
    _saved: int = field(default=0, repr=False)
    _version: int = field(default=HISTORY_VERSION, repr=False)
    _held: bool = field(default=False, repr=False)

    # reading and writing ----------------------------------------------------------------------
    @classmethod
    def load(cls, path: str | PathLike[str], *, new: bool = False) -> History:
        """Read and verify a history file, or start a new one.

        Parameters
        ----------
        path : str or path-like
            The history file.
        new : bool, keyword-only, default False
            Start a new programme year: the file must not exist yet (it is created by
            :meth:`save`). Without it, the file must exist.

        Raises
        ------
        InputError
            If the file is missing (without ``new``), exists (with ``new``), is a symbolic
            link to a missing target, is not a peermatch history, has a malformed run
            (``FILE: runs[k].field: message``), or fails its integrity check (``edited by
            hand: ...``, naming the run and what changed).

        Warns
        -----
        PeermatchWarning
            For a version 1 history, which has no integrity check yet.
        """
        p = Path(path)
        label = str(path)
        dangling = _missing_target(p)
        if dangling:
            raise InputError([Problem(label, None, None, dangling)])
        if new:
            if p.exists():
                raise InputError(
                    [
                        Problem(
                            label,
                            None,
                            None,
                            "already exists, so it cannot start a new programme year: continue "
                            "it (leave out --new-history / new=True) or choose another name",
                        )
                    ]
                )
            return cls(p)
        if not p.exists():
            raise InputError(
                [
                    Problem(
                        label,
                        None,
                        None,
                        "no such history file: check the name; to start a new programme year "
                        "use --new-history (new=True in Python)",
                    )
                ]
            )
        runs, version = _read(p, label)
        if version != HISTORY_VERSION:
            warnings.warn(
                f"{label}: a version {version} history has no integrity check, so edits made "
                "to it cannot be detected; the next recorded run adds the check",
                PeermatchWarning,
                stacklevel=2,
            )
        return cls(p, runs, len(runs), version)

    @classmethod
    @contextlib.contextmanager
    def locked(
        cls, path: str | PathLike[str], *, new: bool = False, wait: float = DEFAULT_WAIT
    ) -> Iterator[History]:
        """Hold the history for a run: lock it, read it, and let :meth:`save` write it.

        Other runs on the same file (in any process) wait until the block ends. Everything
        else is as :meth:`load`.

        Parameters
        ----------
        path : str or path-like
            The history file.
        new : bool, keyword-only, default False
            Start a new programme year (the file must not exist).
        wait : float, keyword-only, default :data:`DEFAULT_WAIT`
            Seconds to wait for another run holding the lock.

        Raises
        ------
        HistoryBusyError
            If another run held the lock for the whole wait (nothing was read).
        InputError
            As :meth:`load`.
        OSError
            If the lock file next to the history cannot be created (e.g. a read-only folder).

        Examples
        --------
        >>> import tempfile, pathlib
        >>> from peermatch import Participant, PeerLeader
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "year.json"
        >>> with History.locked(path, new=True) as h:
        ...     _ = h.rematch([Participant(id="P1", age=40, languages="en")],
        ...                   [PeerLeader(id="L1", age=45, languages="en")])
        ...     h.save(outputs={path.with_name("run1.csv"): "written with the run"})
        >>> len(History.load(path)), path.with_name("run1.csv").read_text()
        (1, 'written with the run')
        """
        p = Path(path)
        if _missing_target(p) or not (new or p.exists()):
            cls.load(p, new=new)  # says why it cannot be used, before any file is created
        lock = FileLock(p, wait=wait)
        try:
            lock.acquire()
        except LockBusy as exc:
            raise HistoryBusyError(
                f"{path}: another peermatch run is recording in this history ({exc.holder}); "
                f"waited {wait:g} s, nothing was read or written: run again when it has finished"
            ) from None
        try:
            history = cls.load(path, new=new)
            history._held = True
            try:
                yield history
            finally:
                history._held = False
        finally:
            lock.release()

    @property
    def format_version(self) -> int:
        """The format version of the file as read (1: no integrity check until saved)."""
        return self._version

    def to_dict(self) -> dict[str, Any]:
        """The file's content."""
        return {
            "format": HISTORY_FORMAT,
            "format_version": HISTORY_VERSION,
            "run_count": len(self.runs),
            "head": self.runs[-1].hash if self.runs else None,
            "runs": [r.to_dict() for r in self.runs],
        }

    def _check_unchanged(self, target: Path) -> None:
        """Refuse to write if the file on disk is not the one this history was read from."""
        label = str(target)
        dangling = _missing_target(target)
        if dangling:
            raise InputError([Problem(label, None, None, dangling)])
        known = self._saved if target == self.path else 0
        if target.exists():
            on_disk, _ = _read(target, label)
            same = [r.hash for r in on_disk] == [r.hash for r in self.runs[:known]]
        else:
            same = known == 0
        if not same:
            raise InputError(
                [
                    Problem(
                        label,
                        None,
                        None,
                        "the history on disk changed since it was read; nothing was "
                        "written (run the command again)",
                    )
                ]
            )

    def save(
        self,
        path: str | PathLike[str] | None = None,
        *,
        outputs: Mapping[str | PathLike[str], str | bytes] | None = None,
    ) -> None:
        """Write the history, and the run's outputs with it, all or nothing.

        Every file is staged first; then the history is renamed into place before the
        outputs, with SIGINT and SIGTERM held back meanwhile. Outside :meth:`locked`, the
        history is locked for the time of the write.

        Parameters
        ----------
        path : str or path-like, optional
            Where to write the history (default: the file it was loaded from).
        outputs : mapping of path to str or bytes, keyword-only, optional
            Files reporting on the run (text is written as UTF-8), written with the history.

        Raises
        ------
        InputError
            If the file on disk changed since it was read (runs would be lost or altered)
            or fails its integrity check.
        HistoryBusyError
            Outside :meth:`locked`: if another run held the history for the whole wait.
        OSError
            If a file cannot be written (disk full, no permission, ...); nothing was written.
        """
        target = Path(path) if path is not None else self.path
        if target is None:
            raise InputError(["history: no file to save to; pass a path"])
        files: list[tuple[str | PathLike[str], str | bytes]] = [
            (target, json.dumps(self.to_dict(), indent=1, ensure_ascii=False) + "\n"),
            *(outputs or {}).items(),
        ]
        with contextlib.ExitStack() as stack:
            if not (self._held and target == self.path):
                try:
                    stack.enter_context(FileLock(target, wait=DEFAULT_WAIT))
                except LockBusy as exc:
                    raise HistoryBusyError(
                        f"{target}: another peermatch run is recording in this history "
                        f"({exc.holder}); nothing was written"
                    ) from None
            self._check_unchanged(target)
            try:
                write_files(files)
            except (KeyboardInterrupt, OSError) as exc:
                if written_before(exc):  # the history was written, an output after it was not
                    self._written(target)
                raise
        self._written(target)

    def _written(self, target: Path) -> None:
        self.path = target
        self._saved = len(self.runs)
        self._version = HISTORY_VERSION

    # queries ----------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.runs)

    def get(self, run: int | None = None) -> RunRecord:
        """A recorded run (default: the last).

        Raises
        ------
        InputError
            If there is no such run.
        """
        if not self.runs:
            raise InputError([f"{self.path or 'history'}: holds no runs yet"])
        if run is None:
            return self.runs[-1]
        if not 1 <= run <= len(self.runs):
            raise InputError(
                [f"{self.path or 'history'}: no run {run}; it holds runs 1 to {len(self.runs)}"]
            )
        return self.runs[run - 1]

    def blocks(self, *, before: int | None = None) -> tuple[Ending, ...]:
        """Every ended pair recorded in runs before ``before`` (default: in every run)."""
        stop = len(self.runs) if before is None else before - 1
        groups: list[Iterable[Ending]] = []
        for r in self.runs[:stop]:
            groups += [r.imported_blocks(), r.ended]
        return merge_blocks(*groups)

    def previous_run(self) -> PreviousRun | None:
        """The last run as the starting point of the next one (None when empty)."""
        if not self.runs:
            return None
        last = self.runs[-1]
        return PreviousRun(dict(last.pairs), last.participants, self.blocks(), None)

    def previous_for(self, run: int) -> PreviousRun:
        """What recorded run ``run`` started from (pairs, participants and blocks)."""
        rec = self.get(run)
        blocks = self.blocks(before=run)
        ref = rec.previous
        if ref is None:
            return PreviousRun({}, frozenset(), blocks)
        if ref["source"] == "history":
            base = self.get(int(ref["run"]))
            return PreviousRun(dict(base.pairs), base.participants, blocks)
        return PreviousRun(
            dict(ref["pairs"]),
            frozenset(ref["participants"]),
            merge_blocks(blocks, rec.imported_blocks()),
            str(ref.get("file")) if ref.get("file") else None,
        )

    # running ----------------------------------------------------------------------------------
    def rematch(
        self,
        participants: Iterable[Participant],
        peers: Iterable[PeerLeader],
        config: MatchConfig | None = None,
        *,
        ended: Iterable[EndingLike] = (),
        previous: MatchResult | PreviousRun | str | PathLike[str] | None = None,
        stay_bonus: float | None = None,
        solver: str | None = None,
    ) -> MatchResult:
        """Compute the next run and record it (in memory; :meth:`save` writes it).

        The run continues from ``previous`` when given (a result or a match file; its blocks
        join those of the history), else from the last recorded run; with neither, it is the
        initial match. ``config`` defaults to the last run's configuration (else the default
        preset) and ``solver`` to the configuration's, else the last run's.

        Raises
        ------
        InputError
            Endings with no previous run, or any error of :func:`~peermatch.rematch`.
        """
        ps = list(participants)
        ls = list(peers)
        last = self.runs[-1] if self.runs else None
        cfg = config
        if cfg is None:
            cfg = last.match_config() if last is not None else MatchConfig()
        name = solver
        if name is None and config is None and last is not None:
            name = last.solver
        kind: Literal["match", "rematch"] = "rematch"
        ref: dict[str, Any] | None
        if previous is not None:
            if isinstance(previous, MatchResult):
                prev = PreviousRun.from_result(previous)
            elif isinstance(previous, PreviousRun):
                prev = previous
            else:
                prev = read_previous(previous)
            ref = {
                "source": "given",
                "file": prev.source,
                "pairs": dict(sorted(prev.pairs.items())),
                "participants": sorted(prev.participants),
                "blocks": [b.to_dict(note=False) for b in prev.blocks],
            }
            prev = PreviousRun(
                prev.pairs, prev.participants, merge_blocks(self.blocks(), prev.blocks), prev.source
            )
        elif last is not None:
            prev_run = self.previous_run()
            assert prev_run is not None
            prev = prev_run
            ref = {"source": "history", "run": last.run}
        else:
            prev = PreviousRun.empty()
            ref = None
            kind = "match"
            ended = list(ended)
            if ended:
                raise InputError(
                    [
                        "ended: there is no previous run to end pairs of — the history is empty "
                        "and no previous match file was given"
                    ]
                )
        result = rematch(prev, ps, ls, cfg, ended=ended, stay_bonus=stay_bonus, solver=name)
        report = result.rematch_report
        assert report is not None
        p_hash, l_hash = _side_hashes(ps, ls)
        record = RunRecord(
            run=len(self.runs) + 1,
            kind=kind,
            timestamp=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            version=__version__,
            solver=result.solver,
            config=cfg.model_dump(mode="json", exclude={"preset"}),
            config_hash=result.manifest.config_hash,
            input_hash=result.manifest.input_hash,
            participants_hash=p_hash,
            peers_hash=l_hash,
            stay_bonus=report.stay_bonus,
            previous=ref,
            ended=report.ended,
            pairs=result.pairs,
            unmatched={u.participant_id: u.reason for u in result.unmatched},
        )
        self.runs.append(record.sealed(record.run, last.hash if last is not None else None))
        return result

    def replay(
        self,
        participants: Iterable[Participant],
        peers: Iterable[PeerLeader],
        *,
        run: int | None = None,
        config: MatchConfig | None = None,
    ) -> Replay:
        """Re-run a recorded run (default: the last) from its inputs and compare.

        The profiles must be those of that run (their hash is checked first); the recorded
        configuration, solver, stay bonus, previous run, blocks and endings are used.

        Raises
        ------
        InputError
            If there is no such run, the profiles differ from the recorded ones (naming which
            side), or ``config`` is given and differs from the recorded configuration.
        """
        rec = self.get(run)
        ps, ls = list(participants), list(peers)
        label = str(self.path) if self.path else "history"
        if input_hash(ps, ls) != rec.input_hash:
            p_hash, l_hash = _side_hashes(ps, ls)
            sides = [
                what
                for what, now, then in (
                    ("participants", p_hash, rec.participants_hash),
                    ("peer leaders", l_hash, rec.peers_hash),
                )
                if now != then
            ] or ["participants or peer leaders"]
            raise InputError(
                [
                    Problem(
                        label,
                        None,
                        f"runs[{rec.run - 1}].input_hash",
                        f"the {' and '.join(sides)} given differ from those of run {rec.run}; "
                        "replay needs the same input files (same profiles, any row order)",
                    )
                ]
            )
        cfg = rec.match_config()
        if config is not None and config.config_hash() != rec.config_hash:
            raise InputError(
                [
                    Problem(
                        label,
                        None,
                        f"runs[{rec.run - 1}].config_hash",
                        f"the configuration given differs from that of run {rec.run}; leave "
                        "it out to use the recorded one",
                    )
                ]
            )
        prev = self.previous_for(rec.run)
        result = rematch(
            prev, ps, ls, cfg, ended=rec.ended, stay_bonus=rec.stay_bonus, solver=rec.solver
        )
        differences: list[str] = []
        now_pairs = result.pairs
        now_unmatched = {u.participant_id: u.reason for u in result.unmatched}
        for pid in sorted(set(rec.participants) | set(now_pairs) | set(now_unmatched)):
            then = rec.pairs.get(pid) or (
                f"unmatched ({rec.unmatched[pid]})" if pid in rec.unmatched else "absent"
            )
            now = now_pairs.get(pid) or (
                f"unmatched ({now_unmatched[pid]})" if pid in now_unmatched else "absent"
            )
            if then != now:
                differences.append(f"{pid}: recorded {then}, replayed {now}")
        notes = []
        if rec.version != __version__:
            notes.append(
                f"run {rec.run} was recorded with peermatch {rec.version}; this is {__version__}"
            )
        return Replay(rec.run, not differences, tuple(differences), tuple(notes), result)
