"""An append-only history of matching runs and endings, and replaying a recorded run.

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
- ``pairs`` (participant id -> leader id) and ``unmatched`` (participant id -> reason code).

Every ended pair of every run is blocked in all later runs. The file is JSON, rewritten
atomically on :meth:`History.save`, created on first use, and only ever extended: saving
refuses to drop or change runs already in the file.

Examples
--------
>>> import tempfile, pathlib
>>> from peermatch import Participant, PeerLeader
>>> path = pathlib.Path(tempfile.mkdtemp()) / "history.json"
>>> ps = [Participant(id="P1", age=50, languages="en")]
>>> ls = [PeerLeader(id="L1", age=55, languages="en"), PeerLeader(id="L2", age=60, languages="en")]
>>> h = History.load(path)
>>> h.rematch(ps, ls).pairs
{'P1': 'L1'}
>>> h.save()
>>> h = History.load(path)
>>> h.rematch(ps, ls, ended=[("P1", "L1", "schedule")]).pairs
{'P1': 'L2'}
>>> h.save()
>>> [(r.run, r.kind) for r in History.load(path).runs]
[(1, 'match'), (2, 'rematch')]
>>> History.load(path).replay(ps, ls, run=2).reproduced
True
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from os import PathLike
from pathlib import Path
from typing import Any, Literal

from peermatch._core.files import read_text_file
from peermatch._version import __version__
from peermatch.errors import InputError, Problem
from peermatch.matching._changes import Ending
from peermatch.matching._match import input_hash
from peermatch.matching._results import MatchResult
from peermatch.profiles._models import Participant, PeerLeader
from peermatch.programme._rematch import (
    EndingLike,
    PreviousRun,
    merge_blocks,
    read_previous,
    rematch,
)
from peermatch.scoring._config import MatchConfig

__all__ = ["HISTORY_FORMAT", "HISTORY_VERSION", "History", "Replay", "RunRecord"]

HISTORY_FORMAT = "peermatch-history"
HISTORY_VERSION = 1


def _side_hashes(
    participants: Sequence[Participant], peers: Sequence[PeerLeader]
) -> tuple[str, str]:
    return input_hash(participants, []), input_hash([], peers)


@dataclass(frozen=True)
class RunRecord:
    """One recorded run (see the module documentation for the fields)."""

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

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form (the form stored in the history file)."""
        return {
            "run": self.run,
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
            "pairs": dict(sorted(self.pairs.items())),
            "unmatched": dict(sorted(self.unmatched.items())),
            "config": dict(self.config),
        }


_HASH_KEYS = ("config_hash", "input_hash", "participants_hash", "peers_hash")


def _parse_run(data: object, pos: int, label: str, problems: list[Problem]) -> RunRecord | None:
    where = f"runs[{pos}]"

    def bad(key: str, msg: str) -> None:
        problems.append(Problem(label, None, f"{where}.{key}" if key else where, msg))

    if not isinstance(data, dict):
        bad("", "expected an object")
        return None
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
    for key in ("pairs", "unmatched"):
        value = data.get(key)
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            bad(key, "expected an object of id -> text")
    ended: list[Ending] = []
    raw_ended = data.get("ended")
    if not isinstance(raw_ended, list):
        bad("ended", "expected a list")
        raw_ended = []
    for k, item in enumerate(raw_ended):
        try:
            if not isinstance(item, dict):
                raise InputError(["expected an object"])
            ended.append(Ending.from_dict(item))
        except InputError as exc:
            bad(f"ended[{k}]", "; ".join(p.message for p in exc.problems))
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
                for b in prev.get("blocks", []):
                    try:
                        Ending.from_dict(b if isinstance(b, dict) else {})
                    except InputError as exc:
                        bad("previous.blocks", "; ".join(p.message for p in exc.problems))
                        break
    elif data.get("kind") == "rematch":
        bad("previous", "a rematch run needs a previous run")
    if len(problems) > before:
        return None
    return RunRecord(
        run=pos + 1,
        kind=data["kind"],
        timestamp=data["timestamp"],
        version=data["peermatch_version"],
        solver=data["solver"],
        config=data["config"],
        config_hash=data["config_hash"],
        input_hash=data["input_hash"],
        participants_hash=data["participants_hash"],
        peers_hash=data["peers_hash"],
        stay_bonus=None if bonus is None else float(bonus),
        previous=prev,
        ended=tuple(ended),
        pairs=data["pairs"],
        unmatched=data["unmatched"],
    )


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

    Use :meth:`load` (a missing file gives an empty history), :meth:`rematch` to compute and
    record the next run, :meth:`save` to write it, :meth:`replay` to re-run a recorded run.
    """

    path: Path | None = None
    runs: list[RunRecord] = field(default_factory=list)
    _saved: int = field(default=0, repr=False)

    # reading and writing ----------------------------------------------------------------------
    @classmethod
    def load(cls, path: str | PathLike[str]) -> History:
        """Read a history file; a file that does not exist yet gives an empty history.

        Raises
        ------
        InputError
            If the file is not a peermatch history or a run record is malformed (each problem
            as ``FILE: runs[k].field: message``).
        """
        p = Path(path)
        label = str(path)
        if not p.exists():
            return cls(p)
        if p.is_dir():
            raise InputError([Problem(label, None, None, "is a folder, not a history file")])
        text = read_text_file(p)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(
                [Problem(label, exc.lineno, None, f"not valid JSON: {exc.msg}")]
            ) from None
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
        if data.get("format_version") != HISTORY_VERSION:
            raise InputError(
                [
                    Problem(
                        label,
                        None,
                        "format_version",
                        f"expected {HISTORY_VERSION}, found {data.get('format_version')!r}",
                    )
                ]
            )
        raw = data.get("runs")
        if not isinstance(raw, list):
            raise InputError([Problem(label, None, "runs", "expected a list of runs")])
        problems: list[Problem] = []
        runs = [_parse_run(item, k, label, problems) for k, item in enumerate(raw)]
        if problems:
            raise InputError(problems)
        records = [r for r in runs if r is not None]
        return cls(p, records, len(records))

    def to_dict(self) -> dict[str, Any]:
        """The file's content."""
        return {
            "format": HISTORY_FORMAT,
            "format_version": HISTORY_VERSION,
            "runs": [r.to_dict() for r in self.runs],
        }

    def save(self, path: str | PathLike[str] | None = None) -> None:
        """Write the history atomically (to ``path``, default the one it was loaded from).

        Raises
        ------
        InputError
            If the file on disk changed since it was read (runs would be lost or altered).
        """
        from peermatch._core.files import write_text_atomic

        target = Path(path) if path is not None else self.path
        if target is None:
            raise InputError(["history: no file to save to; pass a path"])
        if target.exists():
            on_disk = History.load(target)
            known = self._saved if target == self.path else 0
            mine = [r.to_dict() for r in self.runs[:known]]
            if len(on_disk.runs) != known or [r.to_dict() for r in on_disk.runs] != mine:
                raise InputError(
                    [
                        Problem(
                            str(target),
                            None,
                            None,
                            "the history on disk changed since it was read; nothing was "
                            "written (run the command again)",
                        )
                    ]
                )
        text = json.dumps(self.to_dict(), indent=1, ensure_ascii=False) + "\n"
        write_text_atomic(target, text)
        self.path = target
        self._saved = len(self.runs)

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
        """Compute the next run and record it (in memory; call :meth:`save` to write it).

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
        self.runs.append(
            RunRecord(
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
        )
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
