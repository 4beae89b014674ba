"""Call sheets for peer leaders (``docs/coordinators.md``).

One sheet per leader with participants: for each participant, the languages they share, the
ways of keeping in touch they share, the times both are free (the intersection of the two
availabilities, in words), how often the participant would like to talk, what they would like
support with, and what the two have in common in a sentence. Ages are bands; nothing else of
the participant's profile is shown — never HbA1c, complications, region, vetoes, importance or
preferences.

Names and phone numbers come only from a contacts file (``id,name,phone``) given for the
occasion: they are joined into the sheets and kept nowhere else.

Examples
--------
>>> from peermatch import Participant, PeerLeader
>>> ps = [Participant(id="P1", age=58, languages="en;fr", availability="mon_evening;sat_morning",
...                   contact_modes="phone;text", hba1c=8.2)]
>>> ls = [PeerLeader(id="L1", age=63, languages="fr", availability="sat_morning;sun_morning",
...                  contact_modes="phone")]
>>> sheet = call_sheet_rows({"P1": "L1"}, ps, ls)[0]
>>> sheet["times_both_free"], sheet["languages_shared"], sheet["age_band"]
('Saturday morning', 'French', '50s')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from os import PathLike
from typing import Any, Literal

from peermatch._core.files import (
    csv_text,
    normal_column,
    problem_limit,
    read_csv_table,
    read_text_file,
)
from peermatch._core.html import escape
from peermatch._core.text import counted, did_you_mean, listing, shown
from peermatch.display._page import page
from peermatch.display._words import (
    age_band,
    capital,
    in_common,
    label_list,
    labels,
    lower_first,
    slots_in_words,
)
from peermatch.errors import InputError, Problem
from peermatch.profiles._models import ID_PATTERN, Participant, PeerLeader

__all__ = [
    "CALLSHEET_COLUMNS",
    "CALLSHEET_FORMATS",
    "Contact",
    "call_sheet_rows",
    "call_sheets",
    "read_contacts",
]

#: Formats of :func:`call_sheets`.
CALLSHEET_FORMATS = ("html", "csv")

#: Columns of the call-sheet CSV; the name and phone columns are added only with contacts.
CALLSHEET_COLUMNS = (
    "leader_id",
    "participant_id",
    "age_band",
    "languages_shared",
    "contact_modes_shared",
    "times_both_free",
    "contact_frequency",
    "support_wanted",
    "in_common",
)
_CONTACT_COLUMNS = ("leader_name", "leader_phone", "participant_name", "participant_phone")

#: Fields the "in common" sentence looks at (the others have their own column).
_COMMON_FIELDS = (
    "life_stage",
    "interests",
    "diabetes_years",
    "treatments",
    "glucose_monitoring",
    "diet",
    "activity_level",
    "communication_style",
    "sex",
    "age",
)
_MOST_IN_COMMON = 4
_MAX_CONTACT = 100


@dataclass(frozen=True, slots=True)
class Contact:
    """A person's name and phone number, from a contacts file."""

    name: str
    phone: str


def read_contacts(path: str | PathLike[str]) -> dict[str, Contact]:
    """Read a contacts file: ``id,name,phone`` (other columns, such as notes, are not read).

    Raises
    ------
    InputError
        A missing column, a bad or repeated id, or a name or phone that is not one line of at
        most 100 printable characters; every problem with its row.
    """
    label = str(path)
    text = read_text_file(path)
    problems: list[Problem] = []
    known = ("id", "name", "phone")

    def map_header(cells: list[str], row: int, found: list[Problem]) -> list[str | None]:
        header: list[str | None] = []
        for raw in cells:
            name = normal_column(raw)
            if name in known and name not in header:
                header.append(name)
            else:
                if name in header:
                    found.append(Problem(label, row, name, "duplicate column"))
                header.append(None)
        for name in known:
            if name not in header:
                hint = did_you_mean(name, [normal_column(c) for c in cells])
                found.append(Problem(label, row, name, f"required column is missing{hint}"))
        return header

    table = read_csv_table(
        text, label, known=known, map_header=map_header, problems=problems, short_rows=True
    )
    out: dict[str, Contact] = {}
    first: dict[str, int] = {}
    for row, cells in table.rows:
        pid = cells.get("id", "")
        if not ID_PATTERN.fullmatch(pid):
            what = "required, but empty" if not pid else f"expected an id, found {shown(pid)}"
            problems.append(Problem(label, row, "id", what))
            continue
        if pid in first:
            problems.append(
                Problem(label, row, "id", f"{pid!r} appears twice (first on row {first[pid]})")
            )
            continue
        first[pid] = row
        values = []
        for name in ("name", "phone"):
            value = cells.get(name, "")
            if len(value) > _MAX_CONTACT or not value.isprintable():
                problems.append(
                    Problem(
                        label,
                        row,
                        name,
                        f"expected one line of at most {_MAX_CONTACT} printable characters",
                    )
                )
            values.append(value)
        out[pid] = Contact(values[0], values[1])
    if problems:
        problem_limit(problems)
        raise InputError(problems)
    return out


def _check(
    pairs: Mapping[str, str],
    participants: Sequence[Participant],
    peers: Sequence[PeerLeader],
    contacts: Mapping[str, Contact],
    source: str | None,
) -> None:
    pids = {p.id for p in participants}
    lids = {x.id for x in peers}
    problems = []
    for pid, lid in sorted(pairs.items()):
        if pid not in pids:
            msg = f"participant {pid!r} is not in the participants file{did_you_mean(pid, pids)}"
            problems.append(Problem(source, None, "participant_id", msg))
        if lid not in lids:
            msg = f"peer leader {lid!r} is not in the peer leaders file{did_you_mean(lid, lids)}"
            problems.append(Problem(source, None, "peer_id", msg))
    both = sorted(i for i in contacts if i in pids and i in lids)
    if both:
        problems.append(
            Problem(
                None,
                None,
                "contacts",
                f"{listing(both)} {'is' if len(both) == 1 else 'are'} both a participant's and "
                "a peer leader's id, so a contact cannot say whose it is",
            )
        )
    if problems:
        problem_limit(problems)
        raise InputError(problems)


def call_sheet_rows(
    pairs: Mapping[str, str],
    participants: Iterable[Participant],
    peers: Iterable[PeerLeader],
    *,
    contacts: Mapping[str, Contact] | None = None,
    source: str | None = None,
) -> list[dict[str, str]]:
    """One row per pair, by leader then participant id: what a leader's call sheet shows.

    Parameters
    ----------
    pairs : mapping of str to str
        ``participant_id -> peer_id`` (``MatchResult.pairs``, or a match file's pairs).
    participants, peers : iterable of Participant, PeerLeader
    contacts : mapping of str to Contact, keyword-only, optional
        Names and phones by id; adds the ``leader_name``, ``leader_phone``,
        ``participant_name`` and ``participant_phone`` values.
    source : str, keyword-only, optional
        Where the pairs come from, for messages.

    Raises
    ------
    InputError
        A pair naming a participant or leader that is not given, or a contact id that is both
        a participant's and a leader's.
    """
    ps, ls = list(participants), list(peers)
    book = dict(contacts or {})
    _check(pairs, ps, ls, book, source)
    p_by = {p.id: p.model_dump(mode="json") for p in ps}
    l_by = {x.id: x.model_dump(mode="json") for x in ls}
    rows: list[dict[str, str]] = []
    for pid, lid in sorted(pairs.items(), key=lambda kv: (kv[1], kv[0])):
        p, leader = p_by[pid], l_by[lid]
        langs = _both(p, leader, "languages")
        modes = _both(p, leader, "contact_modes")
        slots = _both(p, leader, "availability")
        common = in_common(leader, p, _COMMON_FIELDS, audience="leader", most=_MOST_IN_COMMON)
        row = {
            "leader_id": lid,
            "participant_id": pid,
            "age_band": age_band(p["age"]),
            "languages_shared": "; ".join(labels("languages", langs)),
            "contact_modes_shared": "; ".join(labels("contact_modes", modes)),
            "times_both_free": "; ".join(slots_in_words(slots)),
            "contact_frequency": label_list("contact_frequency", p.get("contact_frequency")),
            "support_wanted": "; ".join(
                x.replace("my way", "their way")
                for x in labels("support_goals", p["support_goals"])
            ),
            "in_common": (capital(listing(common)) + ".") if common else "",
        }
        if contacts is not None:
            for who, key in (("leader", lid), ("participant", pid)):
                c = book.get(key)
                row[f"{who}_name"] = c.name if c else ""
                row[f"{who}_phone"] = c.phone if c else ""
        rows.append(row)
    return rows


def _both(a: Mapping[str, Any], b: Mapping[str, Any], field: str) -> list[str]:
    mine, theirs = a.get(field) or [], set(b.get(field) or [])
    return [x for x in mine if x in theirs]


def call_sheets(
    pairs: Mapping[str, str],
    participants: Iterable[Participant],
    peers: Iterable[PeerLeader],
    *,
    contacts: Mapping[str, Contact] | None = None,
    format: Literal["html", "csv"] = "html",
    source: str | None = None,
) -> str:
    """Every leader's call sheet: a printable HTML page per leader, or one CSV.

    Parameters are those of :func:`call_sheet_rows`; ``format`` is ``"html"`` (one sheet per
    leader, each starting a new printed page) or ``"csv"`` (:data:`CALLSHEET_COLUMNS`, then
    the contact columns when ``contacts`` is given).

    Returns
    -------
    str
    """
    if format not in CALLSHEET_FORMATS:
        raise InputError(
            [
                Problem(
                    None,
                    None,
                    "format",
                    f"unknown format {format!r}; expected one of: {', '.join(CALLSHEET_FORMATS)}",
                )
            ]
        )
    rows = call_sheet_rows(pairs, participants, peers, contacts=contacts, source=source)
    if format == "csv":
        columns = [*CALLSHEET_COLUMNS, *(_CONTACT_COLUMNS if contacts is not None else ())]
        return csv_text(columns, [[r[c] for c in columns] for r in rows])
    return _html(rows, contacts is not None)


def _words(cell: str, *, lower: bool = False) -> str:
    """A ``;``-separated cell as a list in a sentence."""
    items = [x for x in cell.split("; ") if x]
    if lower:
        items = [lower_first(x) for x in items]
    return listing(items)


def _none(text: str, what: str) -> str:
    return text or f"none in common: agree {what} on the first call"


def _html(rows: list[dict[str, str]], with_contacts: bool) -> str:
    by_leader: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        by_leader.setdefault(r["leader_id"], []).append(r)
    parts = [
        "<header><h1>Call sheets</h1>",
        f'<p class="meta">{escape(counted(len(by_leader), "peer leader"))}, '
        f"{escape(counted(len(rows), 'participant'))}. One sheet per peer leader; keep it "
        "private: it holds the participants' details for the calls.</p></header>",
    ]
    for k, (lid, items) in enumerate(by_leader.items()):
        who = f"Peer leader {lid}"
        if with_contacts and items[0].get("leader_name"):
            who += f" — {items[0]['leader_name']}"
        parts.append(
            f'<section class="leader{" new-page" if k else ""}" data-leader="{escape(lid)}">'
            f"<h2>{escape(who)}</h2>"
            f'<p class="meta">{escape(counted(len(items), "participant"))} to call.</p>'
        )
        for r in items:
            title = f"Participant {r['participant_id']}"
            if with_contacts:
                extra = ", ".join(x for x in (r["participant_name"], r["participant_phone"]) if x)
                title += f" — {extra}" if extra else " — no contact details given"
            facts = [
                ("Age", r["age_band"]),
                ("Languages you share", _none(_words(r["languages_shared"]), "a language")),
                (
                    "Ways to keep in touch you share",
                    _none(_words(r["contact_modes_shared"], lower=True), "a way"),
                ),
                ("Times you are both free", _none(_words(r["times_both_free"]), "a time")),
                ("How often they would like to talk", r["contact_frequency"] or "not said"),
                (
                    "They would like support with",
                    _words(r["support_wanted"], lower=True) or "not said",
                ),
                ("In common", r["in_common"] or "—"),
            ]
            cells = "".join(f"<tr><th>{escape(a)}</th><td>{escape(b)}</td></tr>" for a, b in facts)
            parts.append(
                f'<div class="card" data-participant="{escape(r["participant_id"])}">'
                f"<h3>{escape(title)}</h3><table>{cells}</table></div>"
            )
        parts.append("</section>")
    return page("Call sheets", "\n".join(parts))
