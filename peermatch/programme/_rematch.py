"""Re-matching after life changes: keep working pairs, re-match the people affected.

A programme year brings endings (a poor fit, a new work schedule, a safety concern), leaders
pausing or taking fewer participants, profile changes (a participant starts insulin and now
*must* have a leader who covers it), new participants and people leaving.
:func:`rematch` takes the previous run and the current profiles and re-matches only the people
those changes affect.

Which previous pairs continue
-----------------------------
A *working pair* is a pair of the previous run whose participant and leader are both still
given and that did not end in this run. A working pair leaves when

1. it **ended** (``ended=``; cause ``ended:<reason>``);
2. its leader is **no longer given** (``leader_removed``);
3. it became **infeasible** under the current profiles and configuration (cause
   ``infeasible:<rule>`` with the exclusion reason code: a new veto on either side, the leader
   paused, capacity 0, a ``must`` or hard criterion no longer met, a score below ``min_score``);
4. its leader's capacity was **lowered below** the number of its feasible working pairs
   (``capacity_lowered``). With ``stay_bonus=None`` the pairs with the lowest score leave
   first (ties: the larger participant id leaves); with a numeric stay bonus the solver's
   objective decides which ones stay;
5. only with a numeric ``stay_bonus``: moving improves the lexicographic objective (most
   matched first, then the total of score + preference bonus) by more than the bonus
   (``improvement``).

With ``stay_bonus=None`` (the default, equivalent to ``float("inf")``) every other working pair
is kept fixed; the others — newcomers, participants unmatched before and those whose pair left
— are matched on the room that remains (a leader's ``capacity`` is its whole caseload, so it
counts the kept participants). A newcomer who could be placed only by moving someone is
unmatched with reason ``capacity``. With a number, every participant is matched afresh and each
feasible working pair gets that bonus added to its objective value (never to its reported
score); with ``stay_bonus=0`` and no pair ended (in this run or before) this is exactly
:func:`peermatch.match`.

Blocks
------
Every ended pair is blocked in this and all later runs (exclusion reason
``previously_ended``). A result carries every block it knows
(:attr:`~peermatch.MatchResult.blocks`), so ``rematch(rematch(r, ...), ...)`` needs no
history file; ``safety`` blocks are listed in every later report (CSV column
``safety_blocked``, JSON, ``explain``).

Examples
--------
>>> from peermatch import Participant, PeerLeader, match, rematch
>>> ps = [Participant(id="P1", age=50, languages="en", life_stage="retired"),
...       Participant(id="P2", age=30, languages="en", life_stage="student")]
>>> ls = [PeerLeader(id="L1", age=55, languages="en", life_stage="retired", capacity=1),
...       PeerLeader(id="L2", age=32, languages="en", life_stage="student", capacity=1)]
>>> first = match(ps, ls)
>>> first.pairs
{'P1': 'L1', 'P2': 'L2'}
>>> second = rematch(first, ps, ls, ended=[("P1", "L1", "poor_fit")])
>>> second.pairs
{'P2': 'L2'}
>>> [c.text for c in second.changes]
['pair with L1 ended: poor fit; no new leader', 'kept with L2']
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from peermatch._core.checks import number_problem
from peermatch._core.files import normal_column, problem_limit, read_csv_table, read_text_file
from peermatch._core.order import best_first_grouped
from peermatch._core.text import did_you_mean, shown
from peermatch.errors import InputError, Problem
from peermatch.matching._changes import Change, Ending, RematchReport
from peermatch.matching._match import solve_scored
from peermatch.matching._results import MatchResult
from peermatch.profiles._models import ID_PATTERN, Participant, PeerLeader
from peermatch.scoring._config import MatchConfig, as_config
from peermatch.scoring._scorer import Scorer, build_scorer
from peermatch.solvers._solve import check_solver_name

__all__ = [
    "ENDING_COLUMNS",
    "MAX_STAY_BONUS",
    "EndingLike",
    "PreviousRun",
    "merge_blocks",
    "read_endings",
    "read_previous",
    "rematch",
    "write_endings",
]

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

#: Columns of the ended-pairs CSV (``docs/programme-year.md``); an optional ``note`` column
#: may follow.
ENDING_COLUMNS = ("participant_id", "peer_id", "reason")

#: What ``ended=`` accepts per item.
EndingLike = Ending | tuple[str, str, str] | tuple[str, str, str, str | None] | Mapping[str, Any]


# -- the previous run --------------------------------------------------------------------------


@dataclass(frozen=True)
class PreviousRun:
    """What re-matching needs from an earlier run.

    Attributes
    ----------
    pairs : mapping of str to str
        ``participant_id -> peer_id`` of every match of that run.
    participants : frozenset of str
        Every participant of that run (matched or not).
    blocks : tuple of Ending
        The ended pairs known at that run (empty when read from a CSV file).
    source : str or None
        The file it was read from.
    """

    pairs: Mapping[str, str]
    participants: frozenset[str]
    blocks: tuple[Ending, ...] = ()
    source: str | None = None

    @classmethod
    def from_result(cls, result: MatchResult) -> PreviousRun:
        """The previous run as given by a result (its pairs, participants and blocks)."""
        return cls(dict(result.pairs), frozenset(result.participant_ids()), result.blocks)

    @classmethod
    def empty(cls) -> PreviousRun:
        """No previous run: everybody is new (used for the first run of a history)."""
        return cls({}, frozenset())


def _check_id(value: object, label: str, row: int, fld: str, problems: list[Problem]) -> bool:
    if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
        problems.append(Problem(label, row, fld, f"expected an id, found {shown(value)}"))
        return False
    return True


def _read_text(path: str | PathLike[str]) -> tuple[str, str]:
    return str(path), read_text_file(path)


def _csv_rows(
    label: str, text: str, required: Sequence[str], optional: Sequence[str], *, ignore_other: bool
) -> tuple[list[tuple[int, dict[str, str]]], int]:
    """Rows of a small CSV as ``(row, {column: stripped cell})``; problems raise together.

    Columns other than ``required`` and ``optional`` are ignored when ``ignore_other``, else
    reported as unknown.
    """
    known = (*required, *optional)
    problems: list[Problem] = []

    def map_header(cells: list[str], row: int, found: list[Problem]) -> list[str | None]:
        header: list[str | None] = []
        for raw in cells:
            name = normal_column(raw)
            if name in known and name not in header:
                header.append(name)
                continue
            if name in header:
                found.append(Problem(label, row, name, "duplicate column"))
            elif name and not ignore_other:
                found.append(
                    Problem(label, row, name, "unknown column" + did_you_mean(name, known))
                )
            header.append(None)
        for name in required:
            if name not in header:
                found.append(Problem(label, row, name, "required column is missing"))
        return header

    table = read_csv_table(
        text, label, known=known, map_header=map_header, problems=problems, short_rows=True
    )
    if problems:
        problem_limit(problems)
        raise InputError(problems)
    return table.rows, table.header_row


def read_previous(path: str | PathLike[str]) -> PreviousRun:
    """Read a match file written earlier by ``match`` or ``rematch`` (CSV or JSON).

    CSV: the ``participant_id``, ``peer_id`` and ``status`` columns are read (other columns are
    ignored); JSON: the ``matches`` and ``unmatched`` lists and, for a re-match, the blocks
    under ``rematch``.

    Raises
    ------
    InputError
        Every problem, each as ``FILE:ROW: FIELD: message`` (for JSON, ``ROW`` is the position
        of the record in its list).
    """
    label, text = _read_text(path)
    ext = Path(path).suffix.lower()
    if ext == ".csv":
        return _previous_from_csv(label, text)
    if ext == ".json":
        return _previous_from_json(label, text)
    found = ext or "(none)"
    msg = f"unknown file type {found!r}: use .csv or .json"
    raise InputError([Problem(label, None, None, msg)])


def _previous_from_csv(label: str, text: str) -> PreviousRun:
    rows, header_row = _csv_rows(
        label, text, ("participant_id", "peer_id", "status"), (), ignore_other=True
    )
    problems: list[Problem] = []
    pairs: dict[str, str] = {}
    seen: dict[str, int] = {}
    for row, cells in rows:
        pid = cells.get("participant_id", "")
        lid = cells.get("peer_id", "")
        status = cells.get("status", "").lower()
        if not pid:
            problems.append(Problem(label, row, "participant_id", "required, but empty"))
            continue
        if not _check_id(pid, label, row, "participant_id", problems):
            continue
        if pid in seen:
            problems.append(
                Problem(
                    label,
                    row,
                    "participant_id",
                    f"participant {pid!r} appears twice (first on row {seen[pid]})",
                )
            )
            continue
        seen[pid] = row
        if status == "matched":
            if not lid:
                problems.append(Problem(label, row, "peer_id", "a matched row needs a peer_id"))
            elif _check_id(lid, label, row, "peer_id", problems):
                pairs[pid] = lid
        elif status == "unmatched":
            if lid:
                problems.append(
                    Problem(
                        label, row, "peer_id", f"an unmatched row names a leader ({shown(lid)})"
                    )
                )
        else:
            problems.append(
                Problem(
                    label,
                    row,
                    "status",
                    f"expected 'matched' or 'unmatched', found {shown(status)}",
                )
            )
    if not rows and not problems:
        problems.append(Problem(label, header_row, None, "the file has a header but no rows"))
    if problems:
        raise InputError(problems)
    return PreviousRun(pairs, frozenset(seen), (), label)


def _previous_from_json(label: str, text: str) -> PreviousRun:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError([Problem(label, exc.lineno, None, f"not valid JSON: {exc.msg}")]) from None
    except RecursionError:
        raise InputError(
            [Problem(label, None, None, "not valid JSON: lists or objects nested too deep")]
        ) from None
    if not isinstance(data, dict) or "matches" not in data:
        raise InputError(
            [
                Problem(
                    label,
                    None,
                    None,
                    "expected the JSON written by 'peermatch match' or 'rematch' "
                    "(an object with 'matches')",
                )
            ]
        )
    problems: list[Problem] = []
    pairs: dict[str, str] = {}
    seen: dict[str, tuple[str, int]] = {}
    for key in ("matches", "unmatched"):
        items = data.get(key, [])
        if not isinstance(items, list):
            problems.append(Problem(label, None, key, "expected a list"))
            continue
        for pos, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                problems.append(Problem(label, pos, key, "expected an object"))
                continue
            pid = item.get("participant_id")
            if not _check_id(pid, label, pos, f"{key}.participant_id", problems):
                continue
            assert isinstance(pid, str)
            if pid in seen:
                first_key, first_pos = seen[pid]
                problems.append(
                    Problem(
                        label,
                        pos,
                        f"{key}.participant_id",
                        f"participant {pid!r} appears twice (first in {first_key} "
                        f"at position {first_pos})",
                    )
                )
                continue
            seen[pid] = (key, pos)
            if key == "matches":
                lid = item.get("peer_id")
                if _check_id(lid, label, pos, "matches.peer_id", problems):
                    assert isinstance(lid, str)
                    pairs[pid] = lid
    blocks: list[Ending] = []
    raw_blocks = (data.get("rematch") or {}).get("blocks", [])
    if not isinstance(raw_blocks, list):
        problems.append(Problem(label, None, "rematch.blocks", "expected a list"))
        raw_blocks = []
    for pos, item in enumerate(raw_blocks, start=1):
        if not isinstance(item, dict):
            problems.append(Problem(label, pos, "rematch.blocks", "expected an object"))
            continue
        try:
            blocks.append(Ending.from_dict(item, source=(label, pos)))
        except InputError as exc:
            problems += [
                replace(p, field=f"rematch.blocks.{p.field}" if p.field else "rematch.blocks")
                for p in exc.problems
            ]
    if problems:
        raise InputError(problems)
    return PreviousRun(pairs, frozenset(seen), tuple(blocks), label)


# -- endings ------------------------------------------------------------------------------------


def read_endings(path: str | PathLike[str]) -> list[Ending]:
    r"""Read an ended-pairs CSV: ``participant_id, peer_id, reason`` (and an optional ``note``).

    A file with a header and no rows means "no endings". Reasons are case-insensitive.

    Raises
    ------
    InputError
        Every problem, each as ``FILE:ROW: FIELD: message``: missing or unknown columns,
        invalid ids, unknown reasons (with the closest valid one), a pair listed twice.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "ended.csv").write_text("participant_id,peer_id,reason\nP1,L2,Schedule\n")
    >>> [(e.participant_id, e.peer_id, e.reason.value) for e in read_endings(d / "ended.csv")]
    [('P1', 'L2', 'schedule')]
    """
    label, text = _read_text(path)
    if Path(path).suffix.lower() != ".csv":
        raise InputError(
            [Problem(label, None, None, "expected a .csv file: participant_id, peer_id, reason")]
        )
    rows, _ = _csv_rows(label, text, ENDING_COLUMNS, ("note",), ignore_other=False)
    problems: list[Problem] = []
    out: list[Ending] = []
    first: dict[tuple[str, str], int] = {}
    for row, cells in rows:
        missing = [c for c in ENDING_COLUMNS if not cells.get(c)]
        if missing:
            problems += [Problem(label, row, c, "required, but empty") for c in missing]
            continue
        try:
            ending = Ending(
                cells["participant_id"],
                cells["peer_id"],
                cells["reason"],
                cells.get("note") or None,
                source=(label, row),
            )
        except InputError as exc:
            problems += exc.problems
            continue
        if ending.pair in first:
            problems.append(
                Problem(
                    label,
                    row,
                    "peer_id",
                    f"the pair {ending.participant_id}-{ending.peer_id} is listed twice "
                    f"(first on row {first[ending.pair]})",
                )
            )
            continue
        first[ending.pair] = row
        out.append(ending)
    if problems:
        raise InputError(problems)
    return out


def write_endings(path: str | Path, endings: Iterable[Ending]) -> None:
    """Write an ended-pairs CSV (atomically), notes included when any ending has one."""
    from peermatch._core.files import csv_text, write_text_atomic

    items = list(endings)
    cols = [*ENDING_COLUMNS, *(["note"] if any(e.note for e in items) else [])]
    rows = [[e.participant_id, e.peer_id, e.reason.value, e.note][: len(cols)] for e in items]
    write_text_atomic(path, csv_text(cols, rows))


def _as_endings(ended: Iterable[EndingLike]) -> list[Ending]:
    problems: list[Problem] = []
    out: list[Ending] = []
    if isinstance(ended, str | bytes | Mapping):
        raise InputError(["ended: expected a list of endings, e.g. [('P1', 'L2', 'schedule')]"])
    for pos, item in enumerate(ended, start=1):
        try:
            if isinstance(item, Ending):
                out.append(item)
            elif isinstance(item, Mapping):
                out.append(Ending.from_dict(item))
            elif isinstance(item, tuple | list) and len(item) in (3, 4):
                out.append(Ending(*item))
            else:
                problems.append(
                    Problem(
                        None,
                        pos,
                        "ended",
                        "expected (participant_id, peer_id, reason) or an Ending, "
                        f"found {type(item).__name__}",
                    )
                )
        except InputError as exc:
            problems += [replace(p, row=pos) if p.file is None else p for p in exc.problems]
        except TypeError as exc:
            problems.append(Problem(None, pos, "ended", str(exc)))
    if problems:
        raise InputError(problems)
    return out


def _where(e: Ending, pos: int) -> tuple[str | None, int]:
    return e.source if e.source is not None else (None, pos)


def _check_endings(endings: Sequence[Ending], prev: PreviousRun) -> None:
    """Every ending must name a pair matched in the previous run, once."""
    problems: list[Problem] = []
    first: dict[tuple[str, str], int] = {}
    for pos, e in enumerate(endings, start=1):
        file, row = _where(e, pos)
        if e.pair in first:
            problems.append(
                Problem(
                    file,
                    row,
                    "peer_id",
                    f"the pair {e.participant_id}-{e.peer_id} is listed twice "
                    f"(first at {first[e.pair]})",
                )
            )
            continue
        first[e.pair] = row
        current = prev.pairs.get(e.participant_id)
        if current == e.peer_id:
            continue
        src = f" in {prev.source}" if prev.source else ""
        if current is not None:
            msg = (
                f"{e.participant_id} was matched with {current}{src}, not {e.peer_id}; "
                "an ending must name a current pair"
            )
            problems.append(Problem(file, row, "peer_id", msg))
        elif e.participant_id in prev.participants:
            problems.append(
                Problem(
                    file,
                    row,
                    "participant_id",
                    f"{e.participant_id} was unmatched in the previous run{src}, so no pair "
                    "can end",
                )
            )
        else:
            hint = did_you_mean(e.participant_id, sorted(prev.pairs))
            problems.append(
                Problem(
                    file,
                    row,
                    "participant_id",
                    f"{e.participant_id} is not a participant of the previous run{src}{hint}",
                )
            )
    if problems:
        raise InputError(problems)


def merge_blocks(*groups: Iterable[Ending]) -> tuple[Ending, ...]:
    """Union of blocks by pair; a ``safety`` reason wins over any other for the same pair."""
    out: dict[tuple[str, str], Ending] = {}
    for group in groups:
        for e in group:
            old = out.get(e.pair)
            if old is None or (e.safety and not old.safety):
                out[e.pair] = e.located(None)
    return tuple(out[k] for k in sorted(out))


#: Largest numeric stay bonus. Scores lie in [0, 1] and a preference bonus is at most 10, so
#: a bonus of 10 already outweighs any realistic gain from moving a pair; the bound keeps the
#: objective's spread, and so the solvers' resolution of scores, the same as without a stay
#: bonus. ``None`` (or ``inf``) keeps every working pair, whatever the gain.
MAX_STAY_BONUS = 10.0


def _stay_bonus(value: object) -> float | None:
    if value is None or (isinstance(value, float | int) and value == math.inf):
        return None
    if number_problem(value, low=0, high=MAX_STAY_BONUS) is not None:
        plain = isinstance(value, float | int) and not isinstance(value, bool)
        found = f"{float(value):g}" if plain else shown(value)  # type: ignore[arg-type]
        raise InputError(
            [
                Problem(
                    None,
                    None,
                    "stay_bonus",
                    f"expected a number from 0 to {MAX_STAY_BONUS:g}, or None (or inf) to keep "
                    f"every working pair whatever the gain; found {found}",
                )
            ]
        )
    return float(value)  # type: ignore[arg-type]


# -- the re-matching ----------------------------------------------------------------------------


def rematch(
    previous: MatchResult | PreviousRun | str | PathLike[str],
    participants: Iterable[Participant],
    peers: Iterable[PeerLeader],
    config: MatchConfig | None = None,
    *,
    ended: Iterable[EndingLike] = (),
    stay_bonus: float | None = None,
    solver: str | None = None,
) -> MatchResult:
    """Re-match after changes, keeping working pairs and never repeating an ended pair.

    Parameters
    ----------
    previous : MatchResult, PreviousRun, str or path
        The previous run: a result of :func:`~peermatch.match` or :func:`rematch`, or a match
        file one of them wrote (CSV or JSON; a CSV carries no blocks, so pass earlier endings
        again or use a JSON file or a run history).
    participants : iterable of Participant
        Every current participant (newcomers included, people who left removed).
    peers : iterable of PeerLeader
        Every current leader; ``capacity`` is the whole caseload, current participants
        included.
    config : MatchConfig, optional
        Default: the previous result's configuration, else the ``participant_centred`` preset.
    ended : iterable of Ending, tuple or mapping, keyword-only
        Pairs of the previous run that ended: ``(participant_id, peer_id, reason)`` tuples,
        :class:`~peermatch.Ending` records or mappings with those keys. Reasons:
        ``poor_fit``, ``schedule``, ``moved``, ``completed``, ``participant_withdrew``,
        ``leader_withdrew``, ``safety``.
    stay_bonus : float or None, keyword-only
        None (default) or ``inf``: keep every still-feasible working pair fixed. A number
        from 0 to :data:`MAX_STAY_BONUS` (10): add it to each working pair's objective value
        and re-solve everyone.
    solver : str, keyword-only, optional
        Wins over the configuration's solver; when neither ``config`` nor ``solver`` is given
        and ``previous`` is a result, its solver is used.

    Returns
    -------
    MatchResult
        Like :func:`~peermatch.match`'s, plus :attr:`~peermatch.MatchResult.changes`
        (one record per participant, and one per participant who left), every block known
        (:attr:`~peermatch.MatchResult.blocks`) and the metrics ``n_kept``,
        ``n_moved``, ``n_new``, ``n_ended``, ``n_removed`` (participants per kind of change),
        ``n_endings`` (endings applied in this run), ``n_blocks`` and ``n_safety_blocks``.

    Raises
    ------
    InputError
        An unknown end reason, an ending that names a pair not matched in ``previous`` (or
        names it twice), a malformed previous file, a ``stay_bonus`` that is negative, NaN or
        above :data:`MAX_STAY_BONUS` (other than ``inf``), an
        unknown solver, duplicate ids.

    Notes
    -----
    See the module documentation for which pairs continue. With ``stay_bonus=None`` the
    participants to place are solved on the leaders' remaining room
    (``capacity - kept participants``) by the chosen solver; with a number the whole cohort is
    solved once with the bonus in the objective, so ``stay_bonus=0`` with no pair ended (now or
    in earlier runs) gives exactly :func:`~peermatch.match`'s pairs. The work is that of one
    ``match`` run: on a large cohort ``hungarian`` works from blocks of rows in both cases,
    never holding the full score matrix.

    Examples
    --------
    >>> from peermatch import Participant, PeerLeader, match
    >>> ps = [Participant(id="P1", age=40, languages="en")]
    >>> ls = [PeerLeader(id="L1", age=40, languages="en"),
    ...       PeerLeader(id="L2", age=45, languages="en")]
    >>> first = match(ps, ls)
    >>> ps.append(Participant(id="P2", age=44, languages="en"))
    >>> again = rematch(first, ps, ls, ended=[("P1", "L1", "schedule")])
    >>> again.pairs
    {'P1': 'L2', 'P2': 'L2'}
    >>> [c.text for c in again.changes]
    ['moved from L1 to L2 (ended: schedule)', 'newly matched with L2 (new participant)']
    >>> again.blocks[0].pair
    ('P1', 'L1')
    """
    prev_cfg: MatchConfig | None = None
    prev_solver: str | None = None
    if isinstance(previous, MatchResult):
        prev = PreviousRun.from_result(previous)
        prev_cfg, prev_solver = previous.config, previous.solver
    elif isinstance(previous, PreviousRun):
        prev = previous
    elif isinstance(previous, str | PathLike):
        prev = read_previous(previous)
    else:
        raise InputError(
            [
                "previous: expected a MatchResult or the path of a match file, found "
                f"{type(previous).__name__}"
            ]
        )
    if config is not None:
        cfg = as_config(config)
        name = solver if solver is not None else cfg.solver
    else:
        cfg = prev_cfg if prev_cfg is not None else MatchConfig()
        name = solver if solver is not None else (prev_solver or cfg.solver)
    name = check_solver_name(name)
    bonus = _stay_bonus(stay_bonus)
    endings = _as_endings(ended)
    _check_endings(endings, prev)
    return _rematch(prev, participants, peers, cfg, endings, bonus, name)


@dataclass
class _Working:
    """The working pairs of a run (index arrays into the cohort) and their state."""

    rows: IntArray
    cols: IntArray
    values: FloatArray
    feasible: NDArray[np.bool_]
    over: NDArray[np.bool_]  # per leader: capacity below its feasible working pairs
    reasons: dict[int, str] = field(default_factory=dict)  # row -> infeasibility code


def _working_pairs(
    scorer: Scorer, prev: PreviousRun, ended_pairs: set[tuple[str, str]]
) -> _Working:
    co = scorer.cohort
    rows: list[int] = []
    cols: list[int] = []
    for pid, lid in sorted(prev.pairs.items()):
        i, j = co.p_index.get(pid), co.l_index.get(lid)
        if i is None or j is None or (pid, lid) in ended_pairs:
            continue
        rows.append(i)
        cols.append(j)
    r = np.asarray(rows, dtype=np.int64)
    c = np.asarray(cols, dtype=np.int64)
    values, codes = scorer.pairs(r, c)
    feasible = codes == 0
    load = np.bincount(c[feasible], minlength=co.l.n)
    reasons = {
        int(i): scorer.reason_names[int(k)]
        for i, k in zip(r.tolist(), codes.tolist(), strict=True)
        if k
    }
    return _Working(r, c, values, feasible, load > co.capacity, reasons)


def _keep_fixed(scorer: Scorer, w: _Working) -> tuple[IntArray, IntArray]:
    """Working pairs kept with ``stay_bonus=None``: feasible ones, best ``capacity`` per leader.

    When a leader's capacity is below its feasible working pairs, the lowest scores leave first
    (ties: the larger participant id leaves, as rows are in id order).
    """
    cap = scorer.cohort.capacity
    rows, cols, vals = w.rows[w.feasible], w.cols[w.feasible], w.values[w.feasible]
    order = best_first_grouped(cols, vals, rows)  # by leader, then best first
    rows, cols = rows[order], cols[order]
    start = np.searchsorted(cols, cols, side="left")
    position = np.arange(cols.size) - start
    keep = position < cap[cols]
    return rows[keep], cols[keep]


def _rematch(
    prev: PreviousRun,
    participants: Iterable[Participant],
    peers: Iterable[PeerLeader],
    cfg: MatchConfig,
    endings: Sequence[Ending],
    bonus: float | None,
    solver: str,
) -> MatchResult:
    ended_pairs = {e.pair for e in endings}
    blocks = merge_blocks(prev.blocks, endings)
    scorer = build_scorer(participants, peers, cfg, blocked=[b.pair for b in blocks])
    w = _working_pairs(scorer, prev, ended_pairs)
    if bonus is None:
        result = solve_scored(scorer, solver, fixed=_keep_fixed(scorer, w))
    else:
        sel = w.feasible
        fixed = None
        if bonus > 0 and sel.any():
            fixed = (w.rows[sel], w.cols[sel], np.full(int(sel.sum()), bonus))
        result = solve_scored(scorer, solver, fixed_bonus=fixed)
    report = _report(scorer, prev, result, w, endings, blocks, bonus)
    counts = report.counts()
    metrics = dict(result.metrics)
    metrics.update({f"n_{k}": v for k, v in counts.items() if k != "unmatched"})
    metrics["n_endings"] = len(endings)
    metrics["n_blocks"] = len(blocks)
    metrics["n_safety_blocks"] = len(report.safety_blocks)
    return replace(result, metrics=metrics, rematch_report=report)


def _report(
    scorer: Scorer,
    prev: PreviousRun,
    result: MatchResult,
    w: _Working,
    endings: Sequence[Ending],
    blocks: tuple[Ending, ...],
    bonus: float | None,
) -> RematchReport:
    co = scorer.cohort
    ended_by_pair = {e.pair: e for e in endings}
    now = result.pairs
    changes: list[Change] = []
    for pid in co.p.ids:
        peer = now.get(pid)
        before = prev.pairs.get(pid)
        if before is None:
            cause = "previously_unmatched" if pid in prev.participants else "newcomer"
            changes.append(Change(pid, "new" if peer else "unmatched", peer, None, cause))
            continue
        if peer == before:
            changes.append(Change(pid, "kept", peer, before, None))
            continue
        ending = ended_by_pair.get((pid, before))
        if ending is not None:
            cause = f"ended:{ending.reason.value}"
        elif before not in co.l_index:
            cause = "leader_removed"
        elif co.p_index[pid] in w.reasons:
            cause = f"infeasible:{w.reasons[co.p_index[pid]]}"
        elif w.over[co.l_index[before]]:
            cause = "capacity_lowered"
        else:
            cause = "improvement"
        kind = "moved" if peer else ("ended" if ending is not None else "unmatched")
        changes.append(Change(pid, kind, peer, before, cause))
    for pid in sorted(prev.participants - set(co.p.ids)):
        was = prev.pairs.get(pid)
        gone = ended_by_pair.get((pid, was)) if was else None
        changes.append(
            Change(pid, "removed", None, was, f"ended:{gone.reason.value}" if gone else None)
        )
    return RematchReport(
        changes=tuple(changes),
        blocks=blocks,
        ended=tuple(e.located(None) for e in endings),
        stay_bonus=bonus,
    )
