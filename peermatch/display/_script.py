"""The phone script for shortlists (``docs/coordinators.md``).

Per participant: the words to open the call, *Option A, B, C* with each leader described in
plain words from the card's fields only (never the leader's id), why each could suit them in
one sentence, the line to read if they want none of them, and where to note the answer. The
letters are what the coordinator writes in the choices file
(:func:`~peermatch.programme.choices_template`).

Examples
--------
>>> from peermatch import Participant, PeerLeader, shortlist
>>> ps = [Participant(id="P1", age=61, sex="female", languages="en", life_stage="retired")]
>>> ls = [PeerLeader(id="L1", age=66, sex="female", languages="en;fr", life_stage="retired",
...                  hba1c=6.9, region="V5R")]
>>> text = phone_script(shortlist(ps, ls), ps, format="text")
>>> print(text[text.index("Option A"):].split("Read if")[0].strip())
Option A
  A woman in her 60s. Speaks English and French. Retired.
  Why they could suit you: you share a stage of life (retired), you both speak English and
  you are both women.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any, Literal

from peermatch._core.html import escape
from peermatch._core.text import counted, listing
from peermatch.display._page import page
from peermatch.display._words import describe_leader, in_common
from peermatch.errors import InputError, Problem
from peermatch.profiles._models import Participant
from peermatch.programme._choices import MAX_OPTIONS, option_letter
from peermatch.programme._shortlist import Candidate, Shortlists

__all__ = ["SCRIPT_FORMATS", "SCRIPT_SUFFIXES", "phone_script", "script_format"]

#: Formats of :func:`phone_script`.
SCRIPT_FORMATS = ("html", "text")
#: File extensions of a phone script and the format each gets.
SCRIPT_SUFFIXES = {".html": "html", ".htm": "html", ".txt": "text"}


def script_format(path: str) -> Literal["html", "text"]:
    """The format of a script file, from its extension (``.txt``: text, else HTML)."""
    return "text" if path.lower().endswith(".txt") else "html"


_WIDTH = 92


def _opening(n: int) -> str:
    if n == 1:
        return (
            "We have found a peer leader with a free place who could suit you. I will describe "
            "them, and then you can tell me if you would like them as your peer leader."
        )
    return (
        f"We have found {counted(n, 'peer leader', words=True)} with a free place who could "
        "suit you. I will describe each one. Then tell me which you would like most, and "
        "which next."
    )


def _none_line(n: int) -> str:
    who = "they do not feel right" if n == 1 else "none of them feels right"
    return (
        f"If {who}, that is fine: we will note it, look again, and call you back. Nobody will "
        "be matched with you that you turned down."
    )


_EMPTY_LINE = (
    "We do not have a peer leader with a free place who suits you yet. We will call you as "
    "soon as we do."
)


def _why(cand: Candidate, me: dict[str, Any]) -> str:
    shared = in_common(me, dict(cand.card), cand.criteria, audience="participant")
    if not shared:
        return "They are among the best fits with a free place."
    text = listing(shared)
    return f"Why they could suit you: {text}."


def _record(n: int) -> str:
    places = ["1st", "2nd", "3rd"] + [f"{k}th" for k in range(4, n + 1)]
    blanks = "   ".join(f"{w} ____" for w in places[:n])
    return f"Their choice: {blanks}   (letters, or 'none')"


def _check(lists: Shortlists, participants: Sequence[Participant]) -> dict[str, Participant]:
    if lists.k > MAX_OPTIONS:
        raise InputError(
            [Problem(None, None, "k", f"a phone script offers at most {MAX_OPTIONS} options")]
        )
    by_id = {p.id: p for p in participants}
    missing = [pid for pid in lists if pid not in by_id]
    if missing:
        raise InputError(
            [
                Problem(
                    None,
                    None,
                    "participants",
                    f"the shortlists name participants that were not given: {listing(missing)}",
                )
            ]
        )
    return by_id


def phone_script(
    lists: Shortlists,
    participants: Sequence[Participant],
    *,
    format: Literal["html", "text"] = "html",
    inputs: str | None = None,
) -> str:
    """The phone script of a set of shortlists.

    Parameters
    ----------
    lists : Shortlists
        From :func:`~peermatch.shortlist`; the card fields chosen there are the only leader
        fields described.
    participants : sequence of Participant
        The participants of the lists (their own values say what they share with each leader;
        only fields on the cards are compared).
    format : {"html", "text"}, keyword-only
        A self-contained HTML page (print stylesheet, one participant per block) or plain text.
    inputs : str, keyword-only, optional
        The ``inputs`` key of the choices file made with the script, printed in its header so
        that paper and file can be matched.

    Returns
    -------
    str

    Raises
    ------
    InputError
        An unknown format, more than 26 options per list, or a listed participant missing
        from ``participants``.
    """
    if format not in SCRIPT_FORMATS:
        raise InputError(
            [
                Problem(
                    None,
                    None,
                    "format",
                    f"unknown format {format!r}; expected one of: {', '.join(SCRIPT_FORMATS)}",
                )
            ]
        )
    by_id = _check(lists, participants)
    blocks = []
    for pid, cands in lists.items():
        me = by_id[pid].model_dump(mode="json")
        options = [
            (option_letter(c.rank), " ".join(describe_leader(c.card)), _why(c, me)) for c in cands
        ]
        empty = lists.empty.get(pid)
        note = None if empty is None else f"For you, not to read: {empty.text}."
        blocks.append((pid, options, note))
    listed = sum(1 for _, options, _ in blocks if options)
    meta = (
        f"{counted(len(blocks), 'participant')}, {listed} with options. Write each answer in "
        "the choices file made with this script (the letters as they are, or a leader's id), "
        "then run: peermatch match PARTICIPANTS PEERS --choices CHOICES.csv"
        + (f". Shortlist inputs: {inputs}." if inputs else ".")
    )
    if format == "text":
        return _text(blocks, meta)
    return _html(blocks, meta)


Block = tuple[str, list[tuple[str, str, str]], str | None]


def _wrap(text: str, indent: str = "  ") -> str:
    return textwrap.fill(text, _WIDTH, initial_indent=indent, subsequent_indent=indent)


def _text(blocks: list[Block], meta: str) -> str:
    out = ["PHONE SCRIPT: CHOOSING A PEER LEADER", "", textwrap.fill(meta, _WIDTH), ""]
    for pid, options, note in blocks:
        out += ["=" * _WIDTH, f"Participant {pid}", ""]
        if not options:
            out += [_wrap(f'Read: "{_EMPTY_LINE}"', "")]
            if note:
                out += [_wrap(note, "")]
            out.append("")
            continue
        out += [_wrap(f'Read: "{_opening(len(options))}"', ""), ""]
        for letter, desc, why in options:
            out += [f"Option {letter}", _wrap(desc), _wrap(why), ""]
        out += [_wrap(f'Read if they want none: "{_none_line(len(options))}"', ""), ""]
        out += [_record(len(options)), ""]
    return "\n".join(out).rstrip() + "\n"


def _html(blocks: list[Block], meta: str) -> str:
    parts = [
        "<header><h1>Phone script: choosing a peer leader</h1>",
        f'<p class="meta">{escape(meta)}</p></header>',
    ]
    for pid, options, note in blocks:
        parts.append(
            f'<section class="card participant" data-participant="{escape(pid)}">'
            f"<h2>Participant {escape(pid)}</h2>"
        )
        if not options:
            parts.append(f'<p class="say">{escape(_EMPTY_LINE)}</p>')
            if note:
                parts.append(f'<p class="note">{escape(note)}</p>')
            parts.append("</section>")
            continue
        parts.append(f'<p class="say">{escape(_opening(len(options)))}</p>')
        for letter, desc, why in options:
            parts.append(
                f'<div class="option" data-option="{letter}"><h3>Option {letter}</h3>'
                f"<p>{escape(desc)}</p><p><em>{escape(why)}</em></p></div>"
            )
        parts.append(f'<p class="say">{escape(_none_line(len(options)))}</p>')
        parts.append(f'<p class="record">{escape(_record(len(options)))}</p></section>')
    return page("Phone script: choosing a peer leader", "\n".join(parts))
