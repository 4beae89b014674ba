"""Participants' choices from a phone script, as a compact file (``docs/coordinators.md``).

A phone script offers each participant their shortlist as *Option A, B, C*. Their answers come
back in a small CSV file, one row per participant, written by :func:`choices_template` when the
script is made and filled in by the coordinator:

``participant_id, choice_1, choice_2, choice_3, options, inputs``

- ``choice_1`` ... ``choice_k`` (one per place on the list): the options the participant
  chose, most wanted first, each as its letter (``B``) or a leader id (a participant may name a
  leader who was not offered); ``none`` in ``choice_1`` alone when they wanted none of them.
  Empty cells: not answered yet.
- ``options``: what each letter stood for on the script (``A=L012 B=L007 C=L019``), written
  with the template and not to be edited.
- ``inputs``: the first 16 hexadecimal digits of the input hash (``docs/results.md``) of the
  participants and peer leaders files the shortlist was made from, the same on every row.

:func:`apply_choices` checks that the file belongs to the profiles given (same ``inputs``),
resolves the letters, and returns the participants with their ``preferred`` lists set —
in memory: no copy of the profiles is written. A participant who chose:

- options: ``preferred`` becomes those leaders, in that order (replacing any earlier list);
- ``none``: the offered leaders are added to the participant's vetoes *for this run* (and
  removed from ``preferred``), so no solver proposes a leader they turned down;
- nothing yet: unchanged.

Examples
--------
>>> from peermatch import Participant, PeerLeader, shortlist
>>> ps = [Participant(id="P1", age=60, languages="en")]
>>> ls = [PeerLeader(id="L1", age=62, languages="en"), PeerLeader(id="L2", age=40, languages="en")]
>>> text = choices_template(shortlist(ps, ls, k=2), ps, ls)
>>> print(text.splitlines()[1])  # doctest: +ELLIPSIS
P1,,,A=L1 B=L2,...
>>> filled = text.replace("P1,,,", "P1,B,A,")
>>> chosen = apply_choices(ps, ls, parse_choices(filled, "choices.csv"))
>>> chosen.participants[0].preferred, chosen.chose
(('L2', 'L1'), 1)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from os import PathLike
from typing import Any

from peermatch._core.files import (
    csv_text,
    normal_column,
    problem_limit,
    read_csv_table,
    read_text_file,
)
from peermatch._core.text import did_you_mean, shown
from peermatch.errors import InputError, Problem
from peermatch.matching._match import input_hash
from peermatch.profiles._models import ID_PATTERN, Participant, PeerLeader
from peermatch.programme._shortlist import Shortlists

__all__ = [
    "CHOICE_NONE",
    "AppliedChoices",
    "ChoiceRow",
    "Choices",
    "answered",
    "apply_choices",
    "choices_template",
    "inputs_key",
    "option_letter",
    "parse_choices",
    "read_choices",
]

#: What ``choice_1`` holds when the participant wanted none of the options.
CHOICE_NONE = "none"
#: Most options a script offers (one letter each).
MAX_OPTIONS = 26
_KEY_DIGITS = 16
_OPTION = re.compile(r"([A-Z])=(\S+)")


def option_letter(rank: int) -> str:
    """The letter of the option at position ``rank`` (1 = ``A``)."""
    if not 1 <= rank <= MAX_OPTIONS:
        raise ValueError(f"an option is numbered 1 to {MAX_OPTIONS}, found {rank}")
    return chr(ord("A") + rank - 1)


def inputs_key(participants: Sequence[Participant], peers: Sequence[PeerLeader]) -> str:
    """The ``inputs`` value of a choices file made from these profiles."""
    return input_hash(participants, peers)[:_KEY_DIGITS]


@dataclass(frozen=True, slots=True)
class ChoiceRow:
    """One participant's row of a choices file.

    Attributes
    ----------
    participant_id : str
    choices : tuple of str
        The non-empty ``choice_N`` cells in order, as written (stripped).
    options : mapping of str to str
        Letter -> leader id, as offered on the script.
    row : int
        The row of the file (header = 1).
    """

    participant_id: str
    choices: tuple[str, ...]
    options: Mapping[str, str]
    row: int


@dataclass(frozen=True, slots=True)
class Choices:
    """A choices file: its rows and the inputs it belongs to."""

    rows: tuple[ChoiceRow, ...]
    inputs: str
    source: str


@dataclass(frozen=True, slots=True)
class AppliedChoices:
    """Participants with their choices applied, and how many of each kind.

    Attributes
    ----------
    participants : list of Participant
        In the order given; those without an answer are the same objects.
    chose : int
        Participants whose ``preferred`` list now holds their choices.
    declined : int
        Participants who wanted none of their options.
    unanswered : int
        Rows with no choice yet.
    """

    participants: list[Participant]
    chose: int
    declined: int
    unanswered: int


def choices_template(
    lists: Shortlists, participants: Sequence[Participant], peers: Sequence[PeerLeader]
) -> str:
    """The empty choices file of a phone script: one row per participant of ``lists``.

    Parameters
    ----------
    lists : Shortlists
        The shortlists the script offers (each list's order gives the letters).
    participants, peers : sequence of Participant, PeerLeader
        The whole files the shortlist was made from (for the ``inputs`` key), including
        participants already matched and not listed.

    Returns
    -------
    str
        CSV text (``choice_1`` ... ``choice_k`` for ``k = lists.k``, at most 26).
    """
    k = min(lists.k, MAX_OPTIONS)
    key = inputs_key(list(participants), list(peers))
    header = ["participant_id", *(f"choice_{n}" for n in range(1, k + 1)), "options", "inputs"]
    rows = []
    for pid, cands in lists.items():
        options = " ".join(f"{option_letter(c.rank)}={c.peer_id}" for c in cands)
        rows.append([pid, *([""] * k), options, key])
    return csv_text(header, rows)


def read_choices(path: str | PathLike[str]) -> Choices:
    """Read a choices file (CSV).

    Raises
    ------
    InputError
        Every problem of the file, each with its row and column.
    """
    return parse_choices(read_text_file(path), str(path))


def parse_choices(text: str, label: str) -> Choices:
    """Read the text of a choices file named ``label`` (see :func:`read_choices`)."""
    problems: list[Problem] = []
    known = ["participant_id", "options", "inputs"]

    def map_header(cells: list[str], row: int, found: list[Problem]) -> list[str | None]:
        header: list[str | None] = []
        for raw in cells:
            name = normal_column(raw)
            ok = name in known or re.fullmatch(r"choice_[1-9][0-9]?", name) is not None
            if ok and name not in header:
                header.append(name)
                continue
            if name in header:
                found.append(Problem(label, row, name, "duplicate column"))
            elif name:
                found.append(
                    Problem(
                        label,
                        row,
                        name,
                        "unknown column" + did_you_mean(name, [*known, "choice_1"]) + "; a "
                        "choices file has participant_id, choice_1, choice_2, ..., options and "
                        "inputs",
                    )
                )
            header.append(None)
        for name in ("participant_id", "choice_1", "options", "inputs"):
            if name not in header:
                found.append(Problem(label, row, name, "required column is missing"))
        return header

    table = read_csv_table(
        text,
        label,
        known=[*known, "choice_1"],
        map_header=map_header,
        problems=problems,
        short_rows=True,
    )
    if problems:
        problem_limit(problems)
        raise InputError(problems)
    choice_cols = sorted(
        (c for c in table.columns if c and c.startswith("choice_")),
        key=lambda c: int(c.split("_")[1]),
    )
    rows: list[ChoiceRow] = []
    keys: dict[str, int] = {}
    seen: dict[str, int] = {}
    for row, cells in table.rows:
        pid = cells.get("participant_id", "")
        if not ID_PATTERN.fullmatch(pid):
            what = "required, but empty" if not pid else f"expected an id, found {shown(pid)}"
            problems.append(Problem(label, row, "participant_id", what))
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
        key = cells.get("inputs", "")
        keys.setdefault(key, row)
        options: dict[str, str] = {}
        raw = cells.get("options", "")
        for part in raw.split():
            m = _OPTION.fullmatch(part)
            if m is None or not ID_PATTERN.fullmatch(m.group(2)) or m.group(1) in options:
                problems.append(
                    Problem(
                        label,
                        row,
                        "options",
                        f"expected letter=leader pairs as written with the script "
                        f"(A=L012 B=L007), found {shown(raw)}; restore the column",
                    )
                )
                break
            options[m.group(1)] = m.group(2)
        # choices in column order, gaps closed (a participant may give a 1st and a 3rd)
        choices = tuple(cells[c] for c in choice_cols if cells.get(c))
        rows.append(ChoiceRow(pid, choices, options, row))
    if len(keys) > 1:
        first, second = list(keys.items())[:2]
        problems.append(
            Problem(
                label,
                second[1],
                "inputs",
                f"rows come from different shortlists ({shown(first[0])} on row {first[1]}, "
                f"{shown(second[0])} here): keep the rows of one phone script per file",
            )
        )
    if not rows and not problems:
        problems.append(Problem(label, table.header_row, None, "the file has a header but no rows"))
    if problems:
        problem_limit(problems)
        raise InputError(problems)
    return Choices(tuple(rows), next(iter(keys)), label)


def answered(path: str | PathLike[str]) -> bool:
    """Whether an existing file holds any answer (or is not an empty choices file at all)."""
    try:
        found = read_choices(path)
    except InputError:
        return True
    return any(r.choices for r in found.rows)


def _resolve(
    r: ChoiceRow, peers: Mapping[str, PeerLeader], label: str, problems: list[Problem]
) -> tuple[str, ...] | None:
    """The leader ids a row chose; None for ``none``."""
    out: list[str] = []
    for pos, cell in enumerate(r.choices, start=1):
        where = f"choice_{pos}"
        letter = cell.upper()
        if cell.lower() == CHOICE_NONE:
            if len(r.choices) > 1:
                problems.append(
                    Problem(
                        label,
                        r.row,
                        where,
                        "'none' means none of the options: leave the other choices empty",
                    )
                )
            return None
        if letter in r.options:
            lid = r.options[letter]
            if cell in peers and cell != lid:
                problems.append(
                    Problem(
                        label,
                        r.row,
                        where,
                        f"{cell!r} is both option {letter} ({lid}) and another leader's id; "
                        f"write {lid} or the other id",
                    )
                )
                continue
        elif cell in peers:
            lid = cell
        else:
            letters = ", ".join(r.options) or "none were offered"
            hint = did_you_mean(cell, list(peers))
            problems.append(
                Problem(
                    label,
                    r.row,
                    where,
                    f"{shown(cell)} is neither an option letter ({letters}) nor a peer leader "
                    f"id{hint}",
                )
            )
            continue
        if lid in out:
            problems.append(Problem(label, r.row, where, f"{lid} is chosen twice"))
            continue
        out.append(lid)
    return tuple(out)


def apply_choices(
    participants: Iterable[Participant], peers: Iterable[PeerLeader], choices: Choices
) -> AppliedChoices:
    """Set each participant's ``preferred`` list from a choices file (in memory).

    Parameters
    ----------
    participants, peers : iterable of Participant, PeerLeader
        The profiles the shortlist behind the file was made from.
    choices : Choices
        From :func:`read_choices`.

    Returns
    -------
    AppliedChoices

    Raises
    ------
    InputError
        When the file belongs to other profiles (its ``inputs`` differ), names an unknown
        participant or leader, holds a letter that was not offered, repeats a leader, chooses
        a leader the participant vetoes, or mixes ``none`` with choices.
    """
    ps = list(participants)
    ls = list(peers)
    label = choices.source
    key = inputs_key(ps, ls)
    if choices.inputs != key:
        raise InputError(
            [
                Problem(
                    label,
                    None,
                    "inputs",
                    f"this choices file belongs to a shortlist of other profiles (inputs "
                    f"{shown(choices.inputs)}; these files give {key!r}): give the "
                    "participants and peer leaders files the phone script was made from, or "
                    "make a new script from these files",
                )
            ]
        )
    by_id = {p.id: p for p in ps}
    leaders = {x.id: x for x in ls}
    problems: list[Problem] = []
    updates: dict[str, dict[str, Any]] = {}
    declined = unanswered = 0
    for r in choices.rows:
        p = by_id.get(r.participant_id)
        if p is None:
            hint = did_you_mean(r.participant_id, list(by_id))
            problems.append(
                Problem(
                    label, r.row, "participant_id", f"no participant {r.participant_id!r}{hint}"
                )
            )
            continue
        unknown = [lid for lid in r.options.values() if lid not in leaders]
        if unknown:
            problems.append(
                Problem(label, r.row, "options", f"no peer leader {', '.join(map(repr, unknown))}")
            )
            continue
        if not r.choices:
            unanswered += 1
            continue
        before = len(problems)
        chosen = _resolve(r, leaders, label, problems)
        if len(problems) > before:
            continue
        vetoes = set(p.vetoes or ())
        if chosen is None:
            offered = set(r.options.values())
            kept = tuple(x for x in (p.preferred or ()) if x not in offered)
            updates[p.id] = {"vetoes": sorted(vetoes | offered), "preferred": kept or None}
            declined += 1
            continue
        vetoed = [lid for lid in chosen if lid in vetoes]
        if vetoed:
            problems.append(
                Problem(
                    label,
                    r.row,
                    "choice_1",
                    f"chooses {', '.join(vetoed)}, whom the participant's vetoes exclude",
                )
            )
            continue
        updates[p.id] = {"preferred": list(chosen)}
    if problems:
        problem_limit(problems)
        raise InputError(problems)
    out = []
    for p in ps:
        change = updates.get(p.id)
        if change is None:
            out.append(p)
            continue
        data = p.model_dump(mode="json")
        data.update(change)
        out.append(Participant.model_validate(data))
    return AppliedChoices(out, len(updates) - declined, declined, unanswered)
