"""De-identified exports of profiles and match results for research sharing.

Profiles are health data. A research export keeps what analyses of matching need and removes
or coarsens what identifies a person:

=====================  =======================================================================
field                  in the export
=====================  =======================================================================
``id``                 replaced by a keyed pseudonym (``P-`` or ``L-`` and 16 hex digits)
``age``                ten-year band ``age_band`` (``18-29`` ... ``80-89``), top band ``90+``
``diabetes_years``     band ``diabetes_years_band`` (``<1``, ``1-4``, ``5-9``, ``10-19``,
                       ``20+``)
``hba1c``              band ``hba1c_band`` (``<7.0``, ``7.0-7.9``, ``8.0-8.9``, ``9.0+``)
``region``             dropped (free text, often a postal prefix: a location)
``interests``          dropped (free text)
``vetoes``,            ids replaced by the same pseudonyms
``preferred``
everything else        kept: closed vocabularies (sex, languages, life stage, treatments, ...),
                       ``importance``, ``capacity`` and ``active``
=====================  =======================================================================

Pseudonyms are ``HMAC-SHA256(key, side + ":" + id)``, truncated to 64 bits. Without the key a
pseudonym cannot be traced back to an id, even when ids are guessable (``P0001``, ``P0002``, ...,
which a plain hash would not protect). With the same key, the same id always gets the same
pseudonym, so several exports (profiles, matches, later runs) can be joined. The key is never
written into an export; keep it apart from the data (or let :class:`Pseudonymiser` draw a
random one, which makes the pseudonyms of that export unlinkable to any other). Rows are sorted
by pseudonym, so the export does not reveal the order of the original ids.

A de-identified *match* export carries nothing computed from a dropped or banded field: no
score, rank, per-criterion contribution or score metric, since with the de-identified profiles
each would give that field back (see :func:`deidentify_result`).

The result is pseudonymised, not anonymous: while the key exists it is personal data under the
GDPR, and rare combinations of the kept fields may still single out a person in a small
cohort. See ``docs/privacy.md``.

Examples
--------
>>> from peermatch import Participant
>>> pseudo = Pseudonymiser("a secret key of at least sixteen characters")
>>> rec = deidentify_profiles(
...     [Participant(id="P1", age=93, languages="en", region="V5K", hba1c=7.4,
...                  interests="chess")], "participant", pseudo)[0]
>>> rec["id"] == pseudo("participant", "P1"), rec["age_band"], rec["hba1c_band"]
(True, '90+', '7.0-7.9')
>>> "region" in rec or "interests" in rec
False
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from peermatch.errors import InputError, PeermatchError, Problem
from peermatch.profiles._models import Participant, PeerLeader

if TYPE_CHECKING:
    from peermatch.matching._results import MatchResult

__all__ = [
    "DEIDENTIFIED_MATCH_COLUMNS",
    "DROPPED_FIELDS",
    "HIDDEN_FIELDS",
    "MAX_KEY_BYTES",
    "MIN_KEY_LENGTH",
    "SHAREABLE_METRICS",
    "WITHHELD",
    "Pseudonymiser",
    "age_band",
    "deidentified_match_csv",
    "deidentified_match_json",
    "deidentified_match_records",
    "deidentified_profiles_csv",
    "deidentify_profiles",
    "deidentify_result",
    "diabetes_years_band",
    "hba1c_band",
    "new_key",
    "read_key",
    "read_or_create_key",
]

Side = Literal["participant", "peer"]

#: Free-text or location fields left out of every export.
DROPPED_FIELDS: tuple[str, ...] = ("region", "interests")
#: The shortest key accepted (characters).
MIN_KEY_LENGTH = 16
#: The largest key file read (bytes).
MAX_KEY_BYTES = 4096

_PREFIX = {"participant": "P-", "peer": "L-"}
_BANDED = {"age": "age_band", "diabetes_years": "diabetes_years_band", "hba1c": "hba1c_band"}


def age_band(age: int) -> str:
    """Ten-year age band; everyone 90 or older shares the top band ``90+``.

    Examples
    --------
    >>> age_band(18), age_band(45), age_band(89), age_band(90), age_band(104)
    ('18-29', '40-49', '80-89', '90+', '90+')
    """
    if age >= 90:
        return "90+"
    if age < 30:
        return "18-29"
    low = age // 10 * 10
    return f"{low}-{low + 9}"


def hba1c_band(value: float | None) -> str | None:
    """HbA1c band (%): ``<7.0``, ``7.0-7.9``, ``8.0-8.9``, ``9.0+`` (None stays None).

    Examples
    --------
    >>> hba1c_band(6.9), hba1c_band(7.0), hba1c_band(8.95), hba1c_band(12.5)
    ('<7.0', '7.0-7.9', '8.0-8.9', '9.0+')
    """
    if value is None:
        return None
    if value < 7.0:
        return "<7.0"
    if value < 8.0:
        return "7.0-7.9"
    if value < 9.0:
        return "8.0-8.9"
    return "9.0+"


def diabetes_years_band(value: float | None) -> str | None:
    """Years since diagnosis in bands: ``<1``, ``1-4``, ``5-9``, ``10-19``, ``20+``.

    Examples
    --------
    >>> diabetes_years_band(0.5), diabetes_years_band(4.9), diabetes_years_band(31)
    ('<1', '1-4', '20+')
    """
    if value is None:
        return None
    for upper, label in ((1, "<1"), (5, "1-4"), (10, "5-9"), (20, "10-19")):
        if value < upper:
            return label
    return "20+"


def new_key() -> str:
    """A fresh random key (64 hex digits, 256 bits) for :class:`Pseudonymiser`."""
    return secrets.token_hex(32)


def read_or_create_key(path: str | Path) -> tuple[str, bool]:
    """The key in ``path``, created with :func:`new_key` if the file does not exist.

    Returns the key and whether this call created the file. Creating is safe when several
    exports start at once: the file is created whole (readable only by its owner) by exactly
    one of them, and the others read that key, so their pseudonyms can be joined.

    Raises
    ------
    InputError
        As :func:`read_key`.
    OSError
        If the file cannot be created.
    """
    from peermatch._core.commit import create_exclusive

    key = new_key()
    if create_exclusive(path, key + "\n"):
        return key, True
    deadline = time.monotonic() + 2.0
    while True:  # where the file system has no hard links, a new key may still be being written
        try:
            return read_key(path), False
        except InputError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.05)


def read_key(path: str | Path) -> str:
    """Read a pseudonymisation key from a text file (surrounding whitespace ignored).

    The file gets the checks of every text input (a regular file, UTF-8 text) and may hold at
    most :data:`MAX_KEY_BYTES` bytes, so a device such as ``/dev/zero`` or a named pipe is
    refused at once instead of being read without end.

    Raises
    ------
    InputError
        If the file cannot be read, is not a small UTF-8 text file, or holds fewer than
        :data:`MIN_KEY_LENGTH` characters.
    """
    from peermatch._core.files import read_text_file

    label = str(path)
    key = read_text_file(
        path,
        max_bytes=MAX_KEY_BYTES,
        advice="a key file holds one short secret (a new one is 64 hex digits)",
    ).strip()
    if len(key) < MIN_KEY_LENGTH:
        raise InputError(
            [
                Problem(
                    label,
                    None,
                    None,
                    f"the key is too short ({len(key)} characters; at least {MIN_KEY_LENGTH})",
                )
            ]
        )
    return key


class Pseudonymiser:
    """Keyed, stable pseudonyms for ids.

    Parameters
    ----------
    key : str or bytes, optional
        The secret (at least :data:`MIN_KEY_LENGTH` characters). Default: a random key held
        only by this object, so its pseudonyms cannot be linked to any other export.

    Notes
    -----
    ``pseudonym = prefix + HMAC-SHA256(key, side + ":" + id)[:16 hex digits]``: 64 bits, so
    two ids of a cohort of a million share a pseudonym with probability below 1e-7 (checked
    for every export all the same). The key is not stored in any output, and ``repr`` does
    not show it.

    Examples
    --------
    >>> a, b = Pseudonymiser("0123456789abcdef"), Pseudonymiser("0123456789abcdef")
    >>> a("participant", "P1") == b("participant", "P1") != a("peer", "P1")
    True
    >>> a("participant", "P1")[:2], len(a("participant", "P1"))
    ('P-', 18)
    """

    def __init__(self, key: str | bytes | None = None) -> None:
        raw = new_key() if key is None else key
        data = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)
        if len(data) < MIN_KEY_LENGTH:
            raise InputError(
                [f"the pseudonymisation key is too short (at least {MIN_KEY_LENGTH} characters)"]
            )
        self._key = data
        self.random = key is None

    def __call__(self, side: Side, ident: str) -> str:
        """The pseudonym of ``ident`` on ``side`` (``"participant"`` or ``"peer"``)."""
        digest = hmac.new(self._key, f"{side}:{ident}".encode(), hashlib.sha256).hexdigest()
        return _PREFIX[side] + digest[:16]

    def mapping(self, side: Side, ids: Iterable[str]) -> dict[str, str]:
        """``id -> pseudonym`` for distinct ids, checked to be one-to-one."""
        out = {i: self(side, i) for i in ids}
        if len(set(out.values())) != len(out):  # pragma: no cover - probability < 1e-7
            raise PeermatchError("two ids received the same pseudonym; use another key")
        return out

    def __repr__(self) -> str:
        return f"<Pseudonymiser ({'random' if self.random else 'given'} key)>"


def _other(side: Side) -> Side:
    return "peer" if side == "participant" else "participant"


def deidentify_profiles(
    profiles: Sequence[Participant] | Sequence[PeerLeader],
    side: Side,
    pseudonymiser: Pseudonymiser,
) -> list[dict[str, Any]]:
    """De-identified records of profiles, sorted by pseudonym.

    Parameters
    ----------
    profiles : sequence of Participant or PeerLeader
    side : {"participant", "peer"}
        Which side the profiles are (decides the pseudonym prefix and what ``vetoes`` names).
    pseudonymiser : Pseudonymiser

    Returns
    -------
    list of dict
        One JSON-ready record per profile: ``id`` is the pseudonym; ``age``, ``diabetes_years``
        and ``hba1c`` become ``age_band``, ``diabetes_years_band`` and ``hba1c_band``;
        ``region`` and ``interests`` are left out; ``vetoes`` and ``preferred`` hold
        pseudonyms; sets are sorted lists and absent values ``None``.
    """
    if side not in _PREFIX:
        raise ValueError(f"side must be 'participant' or 'peer', not {side!r}")
    other = _other(side)
    records = []
    for prof in profiles:
        data = prof.model_dump(mode="json")
        rec: dict[str, Any] = {}
        for name, value in data.items():
            if name in DROPPED_FIELDS:
                continue
            if name == "id":
                rec["id"] = pseudonymiser(side, value)
            elif name == "age":
                rec["age_band"] = age_band(int(value))
            elif name == "diabetes_years":
                rec["diabetes_years_band"] = diabetes_years_band(value)
            elif name == "hba1c":
                rec["hba1c_band"] = hba1c_band(value)
            elif name == "vetoes":
                rec[name] = (
                    None if value is None else sorted(pseudonymiser(other, i) for i in value)
                )
            elif name == "preferred":
                rec[name] = None if value is None else [pseudonymiser(other, i) for i in value]
            else:
                rec[name] = value
        records.append(rec)
    ids = [r["id"] for r in records]
    if len(set(ids)) != len(ids):
        raise InputError([f"{side} ids repeat: each profile needs a unique id"])
    return sorted(records, key=lambda r: str(r["id"]))


def _cell(value: object) -> object:
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    if isinstance(value, dict):
        return ";".join(f"{k}:{v}" for k, v in value.items())
    return value


def deidentified_profiles_csv(records: Sequence[Mapping[str, Any]]) -> str:
    """CSV text of :func:`deidentify_profiles` records (sets joined with ``;``).

    Cells are neutralised against spreadsheet formulas and quoted per RFC 4180.
    """
    from peermatch._core.files import csv_text

    if not records:
        return ""
    header = list(records[0])
    return csv_text(header, [[_cell(r.get(h)) for h in header] for r in records])


#: Fields whose exact values a de-identified export must not let anyone recompute.
HIDDEN_FIELDS: tuple[str, ...] = (*DROPPED_FIELDS, *_BANDED)

#: Run metrics a de-identified match export keeps: counts and shares that depend only on the
#: pairs and on kept fields. Every metric computed from scores (mean, quartiles, total,
#: ranks, blocking pairs, the solver's gap) is left out: each is a function of the dropped
#: and banded fields.
SHAREABLE_METRICS: tuple[str, ...] = (
    "n_participants",
    "n_peers",
    "n_matched",
    "n_unmatched",
    "match_rate",
    "n_with_preferences",
    "first_choice_share",
    "top3_choice_share",
    "unmatched_no_feasible_leader",
    "unmatched_capacity",
    "leader_utilisation",
    "leaders_used",
    "certified",
    "n_kept",
    "n_moved",
    "n_new",
    "n_ended",
    "n_removed",
    "n_endings",
    "n_blocks",
    "n_safety_blocks",
)

#: What a de-identified match export leaves out, as listed in the export itself.
WITHHELD: tuple[str, ...] = (
    "score",
    "rank",
    "contributions",
    "unmatched detail",
    "score metrics",
    "similarity of criteria on dropped or banded fields",
    "notes",
)


def _kept_similarities(result: MatchResult) -> list[dict[str, float]]:
    """Per match, the similarity of each criterion on a kept field that both sides give.

    These are recomputable from the de-identified profiles and the configuration, so they
    add nothing that the export does not already hold; criteria on dropped or banded fields
    are left out.
    """
    ctx = result._context
    if ctx is None or not result.matches:
        return [{} for _ in result.matches]
    import numpy as np

    from peermatch.scoring._criteria import both_given, similarity

    co = ctx.scorer.cohort
    rows = np.array([co.p_index[m.participant_id] for m in result.matches], dtype=np.int64)
    cols = np.array([co.l_index[m.peer_id] for m in result.matches], dtype=np.int64)
    out: list[dict[str, float]] = [{} for _ in result.matches]
    for name, crit in co.criteria:
        if name in HIDDEN_FIELDS or crit.weight <= 0:
            continue
        a, b = co.p.fields[name].take(rows), co.l.fields[name].take(cols)
        given = both_given(a, b, outer=False)
        sim = similarity(crit, a, b, outer=False)
        for k in np.flatnonzero(given).tolist():
            out[k][name] = float(sim[k])
    return out


def _cause(cause: str | None) -> str | None:
    """A change's cause, with the name of a criterion on a dropped or banded field withheld."""
    if cause is not None and cause.startswith("infeasible:hard_criterion:"):
        name = cause.rsplit(":", 1)[1]
        if name in HIDDEN_FIELDS:
            return "infeasible:hard_criterion"
    return cause


def _rematch_part(
    result: MatchResult, p_map: Mapping[str, str], l_map: Mapping[str, str], pseudo: Pseudonymiser
) -> dict[str, Any] | None:
    report = result.rematch_report
    if report is None:
        return None

    def pid(i: str) -> str:
        return p_map.get(i) or pseudo("participant", i)

    def lid(i: str | None) -> str | None:
        return None if i is None else (l_map.get(i) or pseudo("peer", i))

    def ending(e: Any) -> dict[str, Any]:
        return {
            "participant_id": pid(e.participant_id),
            "peer_id": lid(e.peer_id),
            "reason": e.reason.value,
            "safety": e.safety,
        }

    changes = [
        {
            "participant_id": pid(c.participant_id),
            "change": c.change,
            "peer_id": lid(c.peer_id),
            "previous_peer_id": lid(c.previous_peer_id),
            "cause": _cause(c.cause),
        }
        for c in report.changes
    ]
    return {
        "stay_bonus": report.stay_bonus,
        "counts": report.counts(),
        "changes": sorted(changes, key=lambda c: str(c["participant_id"])),
        "ended": sorted((ending(e) for e in report.ended), key=lambda e: str(e["participant_id"])),
        "blocks": sorted(
            (ending(e) for e in report.blocks), key=lambda e: str(e["participant_id"])
        ),
    }


def _maps(result: MatchResult, pseudonymiser: Pseudonymiser) -> tuple[dict[str, str], ...]:
    p_map = pseudonymiser.mapping("participant", result.participant_ids())
    l_map = pseudonymiser.mapping("peer", [x.peer_id for x in result.peer_load.values()])
    return p_map, l_map


def deidentify_result(result: MatchResult, pseudonymiser: Pseudonymiser) -> dict[str, Any]:
    """A match result in JSON-ready form for research sharing: pseudonyms, nothing recomputable.

    Every number of :meth:`MatchResult.to_dict <peermatch.MatchResult.to_dict>` that is
    computed from a dropped or banded field (``age``, ``diabetes_years``, ``hba1c``,
    ``region``, ``interests``) is left out, because together with the de-identified profiles
    it would give that field back: a pair's per-criterion contributions give its exact age
    difference (which with the age bands pins exact ages), whether two regions are equal,
    how many interests two people share; the total score minus the recomputable part gives
    the same. So the export holds, per match, the pseudonymous pair, ``preferred_rank`` and
    ``similarities``: the similarity of each criterion on a kept field that both sides give
    (recomputable from the de-identified profiles, so it adds nothing). Unmatched
    participants carry their reason code only; metrics are the counts and shares of
    :data:`SHAREABLE_METRICS`; the configuration, leader loads and manifest are kept. A
    re-matching result keeps its changes and blocks with pseudonymous ids, without notes,
    and with the names of criteria on dropped or banded fields withheld from causes.
    ``withheld`` lists what was left out.

    Matches, unmatched participants, leader loads and changes are sorted by pseudonym.
    """
    full = result.to_dict()
    p_map, l_map = _maps(result, pseudonymiser)
    sims = _kept_similarities(result)
    matches = [
        {
            "participant_id": p_map[m.participant_id],
            "peer_id": l_map[m.peer_id],
            "preferred_rank": m.preferred_rank,
            "similarities": sim,
        }
        for m, sim in zip(result.matches, sims, strict=True)
    ]
    data: dict[str, Any] = {
        "manifest": full["manifest"],
        "metrics": {k: full["metrics"][k] for k in SHAREABLE_METRICS if k in full["metrics"]},
        "matches": sorted(matches, key=lambda r: str(r["participant_id"])),
        "unmatched": sorted(
            (
                {"participant_id": p_map[u.participant_id], "reason": u.reason}
                for u in result.unmatched
            ),
            key=lambda r: str(r["participant_id"]),
        ),
        "peer_load": sorted(
            ({**load, "peer_id": l_map[load["peer_id"]]} for load in full["peer_load"]),
            key=lambda r: str(r["peer_id"]),
        ),
        "config": full["config"],
    }
    rematch_part = _rematch_part(result, p_map, l_map, pseudonymiser)
    if rematch_part is not None:
        data["rematch"] = rematch_part
    data["deidentified"] = True
    data["withheld"] = list(WITHHELD)
    return data


#: Columns of the de-identified match CSV.
DEIDENTIFIED_MATCH_COLUMNS = ("participant_id", "peer_id", "status", "reason", "preferred_rank")


def deidentified_match_records(
    result: MatchResult, pseudonymiser: Pseudonymiser
) -> list[dict[str, Any]]:
    """The de-identified match CSV's records, in pseudonym order.

    One per participant with :data:`DEIDENTIFIED_MATCH_COLUMNS`: the pseudonymous pair, the
    status, the reason code of an unmatched participant and ``preferred_rank``; no score and
    no rank, for the reasons given in :func:`deidentify_result`.
    """
    p_map, l_map = _maps(result, pseudonymiser)
    rows: list[dict[str, Any]] = [
        {
            "participant_id": p_map[m.participant_id],
            "peer_id": l_map[m.peer_id],
            "status": "matched",
            "reason": "",
            "preferred_rank": m.preferred_rank,
        }
        for m in result.matches
    ]
    rows += [
        {
            "participant_id": p_map[u.participant_id],
            "peer_id": None,
            "status": "unmatched",
            "reason": u.reason,
            "preferred_rank": None,
        }
        for u in result.unmatched
    ]
    return sorted(rows, key=lambda r: str(r["participant_id"]))


def deidentified_match_csv(result: MatchResult, pseudonymiser: Pseudonymiser) -> str:
    """The de-identified match CSV (:func:`deidentified_match_records`) as text."""
    from peermatch._core.files import csv_text

    rows = deidentified_match_records(result, pseudonymiser)
    return csv_text(
        DEIDENTIFIED_MATCH_COLUMNS, [[r[c] for c in DEIDENTIFIED_MATCH_COLUMNS] for r in rows]
    )


def deidentified_match_json(result: MatchResult, pseudonymiser: Pseudonymiser) -> str:
    """:func:`deidentify_result` as JSON text."""
    return json.dumps(deidentify_result(result, pseudonymiser), indent=2, ensure_ascii=False) + "\n"
