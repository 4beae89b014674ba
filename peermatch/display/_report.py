"""The coordinator's report of a run, and its aggregate version for a committee.

``docs/coordinators.md`` describes both. :func:`coordinator_report` writes one self-contained
HTML file (inline SVG charts, a print stylesheet, no network, no script) with

- the run summary, every figure taken from the result's ``metrics``;
- the waiting list: every unmatched participant with the reason in words and a suggested
  action (for "all feasible leaders full", the leader whose one extra place would place them,
  checked by matching again);
- each leader's caseload against capacity;
- with a run history: what changed since the previous run, and the year run by run (kept,
  moved, new, ended by reason);
- the outcome of every participant, once, and one explanation card each (a new page each when
  printed).

``audience="committee"`` writes the aggregate version for a steering committee: no ids, no
profile values, no explanation cards, and every count under 5 shown as ``<5`` (with its
complement shown as "more than ..." so it cannot be worked out).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from peermatch._core.html import escape
from peermatch._core.text import counted, listing, plural
from peermatch._version import __version__
from peermatch.display._page import page
from peermatch.display._svg import bars, stacked
from peermatch.display._words import labels
from peermatch.errors import InputError, Problem
from peermatch.matching._explain import LABELS as CRITERION_NAMES
from peermatch.matching._match import match
from peermatch.matching._results import MatchResult, Unmatched
from peermatch.profiles._labels import LABELS
from peermatch.profiles._models import Participant, PeerLeader
from peermatch.programme._history import History, RunRecord
from peermatch.programme._rematch import rematch
from peermatch.scoring._config import MatchConfig
from peermatch.scoring._feasibility import reason_text

__all__ = [
    "AUDIENCES",
    "SMALL_COUNT",
    "ReportData",
    "coordinator_report",
    "one_more_place",
    "report_result",
]

#: Who a report is for.
AUDIENCES = ("coordinator", "committee")
#: Counts below this are shown as ``<5`` in the committee's report.
SMALL_COUNT = 5
#: Largest cohort (participants x leaders) for which suggestions are checked by matching again.
CHECK_MAX_PAIRS = 250_000
#: Most leaders tried per waiting participant, and most re-matchings per report.
CHECK_PER_PARTICIPANT = 3
CHECK_TOTAL = 40
#: Largest capacity a leader's profile accepts.
MAX_CAPACITY = 50

Audience = Literal["coordinator", "committee"]
Resolve = Callable[[list[PeerLeader]], MatchResult]


@dataclass(frozen=True)
class ReportData:
    """What a report shows besides the result: the profiles and, optionally, the history."""

    result: MatchResult
    participants: list[Participant]
    peers: list[PeerLeader]
    history: History | None = None
    resolve: Resolve | None = None


def report_result(
    participants: Sequence[Participant],
    peers: Sequence[PeerLeader],
    config: MatchConfig | None = None,
    *,
    solver: str | None = None,
    history: History | None = None,
) -> ReportData:
    """The run a report describes: a fresh match, or the last run of ``history`` replayed.

    Raises
    ------
    InputError
        With a history: no run yet, or profiles that are not those of its last run.
    """
    ps, ls = list(participants), list(peers)
    if history is None:
        cfg = config or MatchConfig()
        result = match(ps, ls, cfg, solver=solver)

        def again(leaders: list[PeerLeader]) -> MatchResult:
            return match(ps, leaders, cfg, solver=result.solver)

        return ReportData(result, ps, ls, None, again)
    last = history.get()
    rep = history.replay(ps, ls, run=last.run, config=config)
    cfg = last.match_config()
    prev = history.previous_for(last.run)

    def again_year(leaders: list[PeerLeader]) -> MatchResult:
        return rematch(
            prev,
            ps,
            leaders,
            cfg,
            ended=last.ended,
            stay_bonus=last.stay_bonus,
            solver=last.solver,
        )

    return ReportData(rep.result, ps, ls, history, again_year)


# -- suggestions --------------------------------------------------------------------------------


def one_more_place(data: ReportData) -> dict[str, str | None]:
    """Per participant waiting because every leader who fits is full: whose extra place helps.

    For each such participant, a leader whose one extra place places them (checked by
    matching again), or None. Leaders are tried best score first, at most
    :data:`CHECK_PER_PARTICIPANT` per participant and :data:`CHECK_TOTAL` in all, and only
    for cohorts of at most :data:`CHECK_MAX_PAIRS` pairs; a participant not checked maps to
    None.
    """
    result = data.result
    waiting = [u.participant_id for u in result.unmatched if u.reason == "capacity"]
    out: dict[str, str | None] = dict.fromkeys(waiting)
    ctx = result._context
    n, m = len(data.participants), len(data.peers)
    if not waiting or ctx is None or data.resolve is None or n * m > CHECK_MAX_PAIRS:
        return out
    scorer = ctx.scorer
    co = scorer.cohort
    budget = CHECK_TOTAL
    for pid in waiting:
        i = co.p_index[pid]
        blk = scorer.block(i, i + 1)
        cols = [j for j in range(m) if blk.reasons[0][j] == 0]
        cols.sort(key=lambda j: (-float(blk.values[0][j]), co.l.ids[j]))
        for j in cols[:CHECK_PER_PARTICIPANT]:
            if budget <= 0:
                return out
            lid = co.l.ids[j]
            if co.peers[j].capacity >= MAX_CAPACITY:
                continue
            leaders = [
                x.model_copy(update={"capacity": x.capacity + 1}) if x.id == lid else x
                for x in data.peers
            ]
            budget -= 1
            if data.resolve(leaders).pairs.get(pid) is not None:
                out[pid] = lid
                break
    return out


def _top_reason(un: Unmatched) -> str | None:
    detail = {k: v for k, v in un.detail.items() if k != "feasible_leaders"}
    if not detail:
        return None
    return max(detail.items(), key=lambda kv: (kv[1], kv[0]))[0]


def _no_feasible_action(un: Unmatched, p: Participant | None, committee: bool) -> str:
    top = _top_reason(un)
    if top is None:
        return "No peer leaders were given: add the peer leaders file."
    if top == "hard_criterion:languages":
        if p is not None and not committee:
            spoken = listing(labels("languages", sorted(p.languages)), last="or")
            return f"No leader speaks {spoken}: recruit one who does, or relax the rule."
        return "No leader shares a language with them: recruit one who does, or relax the rule."
    if top.startswith("hard_criterion:"):
        name = top.split(":", 1)[1]
        what = CRITERION_NAMES.get(name, name.replace("_", " "))
        return f"Most leaders fail the rule on {what}: recruit a leader who passes it, or relax it."
    return {
        "vetoed_by_participant": "Their own vetoes rule out most leaders: review them together.",
        "vetoed_by_leader": "Most leaders declined them: talk with the leaders, or recruit.",
        "previously_ended": "Pairs with most leaders ended before: recruit, or review the endings.",
        "leader_inactive": "Most leaders are paused: reactivate one who fits.",
        "leader_no_capacity": "Every leader who fits is full: add a place, or recruit.",
        "below_min_score": "Every pair left scores below min_score: lower it, or recruit.",
    }.get(top, f"Most leaders are excluded ({reason_text(top)}): review the rules.")


def _reason_words(un: Unmatched) -> str:
    if un.reason == "capacity":
        k = int(un.detail.get("feasible_leaders", 0))
        if k == 1:
            return "The only leader who fits is full."
        return f"All {counted(k, 'leader')} who fit are full."
    top = _top_reason(un)
    if top is None:
        return "No peer leaders were given."
    total = sum(v for k, v in un.detail.items())
    return f"No leader fits: {total} excluded, most because: {reason_text(top)}."


# -- counts for the committee -------------------------------------------------------------------


def _small(n: int) -> str:
    return f"<{SMALL_COUNT}" if n < SMALL_COUNT else f"{n:,}"


def _pair_counts(part: int, whole: int) -> tuple[str, str]:
    """A count and its complement in ``whole``, suppressed together when either is small."""
    rest = whole - part
    if part < SMALL_COUNT:
        return _small(part), f"more than {whole - SMALL_COUNT:,}"
    if rest < SMALL_COUNT:
        return f"more than {whole - SMALL_COUNT:,}", _small(rest)
    return f"{part:,}", f"{rest:,}"


def _bar_value(n: int, committee: bool) -> float:
    return SMALL_COUNT / 2 if committee and 0 < n < SMALL_COUNT else float(n)


# -- the document -------------------------------------------------------------------------------


def _figure(value: str, what: str, metric: str | None = None, raw: object = None) -> str:
    attrs = ""
    if metric is not None:
        attrs = f' data-metric="{escape(metric)}" data-value="{escape(raw)}"'
    return (
        f'<div class="figure"{attrs}><span class="value">{escape(value)}</span>'
        f'<span class="what">{escape(what)}</span></div>'
    )


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _summary(result: MatchResult, committee: bool) -> str:
    mt = result.metrics
    n = int(mt["n_participants"])
    matched, unmatched = int(mt["n_matched"]), int(mt["n_unmatched"])
    figs = []
    if committee:
        shown_m, shown_u = _pair_counts(matched, n)
        figs += [
            _figure(_small(n), "participants"),
            _figure(shown_m, "matched"),
            _figure(shown_u, "waiting for a leader"),
            _figure(_small(int(mt["n_peers"])), "peer leaders"),
            _figure(f"{float(mt['mean_score']):.2f}", "mean match score (0 to 1)"),
            _figure(_pct(float(mt["leader_utilisation"])), "of leaders' places filled"),
        ]
        return '<div class="figures">' + "".join(figs) + "</div>"
    figs += [
        _figure(f"{n:,}", "participants", "n_participants", n),
        _figure(f"{matched:,}", "matched", "n_matched", matched),
        _figure(f"{unmatched:,}", "waiting for a leader", "n_unmatched", unmatched),
        _figure(
            f"{int(mt['unmatched_capacity']):,}",
            "waiting: leaders who fit are full",
            "unmatched_capacity",
            int(mt["unmatched_capacity"]),
        ),
        _figure(
            f"{int(mt['unmatched_no_feasible_leader']):,}",
            "waiting: no leader fits",
            "unmatched_no_feasible_leader",
            int(mt["unmatched_no_feasible_leader"]),
        ),
        _figure(
            f"{float(mt['mean_score']):.3f}",
            "mean match score (0 to 1)",
            "mean_score",
            float(mt["mean_score"]),
        ),
        _figure(
            f"{float(mt['min_score']):.3f}", "lowest match score", "min_score", mt["min_score"]
        ),
        _figure(
            _pct(float(mt["rank1_share"])),
            "got their best-scoring leader",
            "rank1_share",
            float(mt["rank1_share"]),
        ),
        _figure(
            f"{int(mt['leaders_used'])} of {int(mt['n_peers'])}",
            "peer leaders with participants",
            "leaders_used",
            int(mt["leaders_used"]),
        ),
        _figure(
            _pct(float(mt["leader_utilisation"])),
            "of active leaders' places filled",
            "leader_utilisation",
            float(mt["leader_utilisation"]),
        ),
    ]
    if int(mt["n_with_preferences"]):
        figs.append(
            _figure(
                _pct(float(mt["first_choice_share"])),
                f"got their first choice (of {mt['n_with_preferences']} who chose)",
                "first_choice_share",
                float(mt["first_choice_share"]),
            )
        )
    figs.append(
        _figure(
            f"{int(mt['blocking_pairs']):,}",
            "blocking pairs (0 means stable)",
            "blocking_pairs",
            int(mt["blocking_pairs"]),
        )
    )
    return '<div class="figures">' + "".join(figs) + "</div>"


def _waiting(data: ReportData, committee: bool) -> str:
    result = data.result
    if not result.unmatched:
        return "<p>Nobody is waiting: every participant has a peer leader.</p>"
    places = one_more_place(data)
    by_id = {p.id: p for p in data.participants}
    if committee:
        kinds: Counter[str] = Counter()
        placeable = 0
        for u in result.unmatched:
            if u.reason == "capacity":
                kinds["Every leader who fits is full"] += 1
                placeable += places.get(u.participant_id) is not None
            else:
                top = _top_reason(u) or "none given"
                kinds[f"No leader fits ({reason_text(top)})"] += 1
        cells = "".join(
            f'<tr><td>{escape(k)}</td><td class="num count">{_small(v)}</td></tr>'
            for k, v in sorted(kinds.items())
        )
        text = (
            f"<table><thead><tr><th>Why they are waiting</th>"
            f'<th class="num">Participants</th></tr></thead><tbody>{cells}</tbody></table>'
        )
        if placeable:
            text += (
                f'<p>One more place at a leader would place <span class="count">'
                f"{_small(placeable)}</span> of them.</p>"
            )
        return text
    rows = []
    for u in result.unmatched:
        if u.reason == "capacity":
            lid = places.get(u.participant_id)
            if lid is not None:
                action = f"One more place for {lid} would place them (checked by matching again)."
            else:
                action = (
                    "Add a place at a leader who fits, or recruit; no single extra place was "
                    "found to place them."
                )
        else:
            action = _no_feasible_action(u, by_id.get(u.participant_id), False)
        rows.append(
            f'<tr data-participant="{escape(u.participant_id)}"><td>'
            f"{escape(u.participant_id)}</td><td>{escape(_reason_words(u))}</td>"
            f"<td>{escape(action)}</td></tr>"
        )
    return (
        "<table><thead><tr><th>Participant</th><th>Why waiting</th><th>Suggested action</th>"
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _caseloads(result: MatchResult, committee: bool) -> str:
    loads = list(result.peer_load.values())
    if not loads:
        return "<p>No peer leaders were given.</p>"
    if committee:
        dist: Counter[int] = Counter(x.assigned for x in loads)
        top = max(dist.values())
        rows = [
            (counted(k, "participant"), _bar_value(v, True), 0.0, _small(v))
            for k, v in sorted(dist.items())
        ]
        return "<p>Peer leaders by the number of participants they support:</p>" + bars(
            rows, top=top, title="peer leaders by caseload"
        )
    top = max(max(x.capacity, x.assigned) for x in loads)
    rows = [
        (
            x.peer_id,
            float(x.assigned),
            float(x.capacity),
            f"{x.assigned} of {x.capacity}" + ("" if x.active else " (paused)"),
        )
        for x in loads
    ]
    table = "".join(
        f'<tr data-leader="{escape(x.peer_id)}"><td>{escape(x.peer_id)}</td>'
        f'<td class="num">{x.assigned}</td><td class="num">{x.capacity}</td>'
        f'<td class="num">{x.spare}</td><td>{"active" if x.active else "paused"}</td></tr>'
        for x in loads
    )
    return (
        bars(rows, top=top, title="caseload against capacity")
        + '<table class="keep"><thead><tr><th>Peer leader</th><th class="num">Participants'
        '</th><th class="num">Capacity</th><th class="num">Free places</th><th>Status</th>'
        f"</tr></thead><tbody>{table}</tbody></table>"
    )


_CHANGE_WORDS = {
    "kept": "kept their leader",
    "moved": "moved to another leader",
    "new": "matched for the first time",
    "unmatched": "waiting",
    "ended": "pair ended, waiting",
    "removed": "left the programme",
}


def _changes(result: MatchResult, committee: bool) -> str:
    report = result.rematch_report
    if report is None:
        return ""
    counts = report.counts()
    items = [(k, counts.get(k, 0)) for k in _CHANGE_WORDS if counts.get(k, 0)]
    lis = "".join(
        f'<li><span class="count">{escape(_small(v) if committee else str(v))}</span> '
        f"{escape(_CHANGE_WORDS[k])}</li>"
        for k, v in items
    )
    out = f"<h2>What changed since the last run</h2><ul>{lis}</ul>"
    if committee:
        return out
    rows = [
        f'<tr data-participant="{escape(c.participant_id)}"><td>{escape(c.participant_id)}</td>'
        f"<td>{escape(c.text)}</td></tr>"
        for c in report.changes
        if c.change != "kept"
    ]
    if rows:
        out += (
            "<table><thead><tr><th>Participant</th><th>Change</th></tr></thead><tbody>"
            + "".join(rows)
            + "</tbody></table>"
        )
    return out


def _run_counts(history: History, rec: RunRecord) -> dict[str, Any]:
    prev = history.previous_for(rec.run)
    kept = sum(1 for pid, lid in rec.pairs.items() if prev.pairs.get(pid) == lid)
    moved = sum(1 for pid, lid in rec.pairs.items() if pid in prev.pairs and prev.pairs[pid] != lid)
    ended = Counter(e.reason.value for e in rec.ended)
    return {
        "run": rec.run,
        "date": rec.timestamp[:10],
        "matched": len(rec.pairs),
        "waiting": len(rec.unmatched),
        "kept": kept,
        "moved": moved,
        "new": len(rec.pairs) - kept - moved,
        "left": len(prev.participants - rec.participants),
        "ended": ended,
    }


def _timeline(history: History | None, committee: bool) -> str:
    if history is None or not history.runs:
        return ""
    runs = [_run_counts(history, r) for r in history.runs]
    show = _small if committee else (lambda n: f"{n:,}")
    reasons = [r for r in LABELS["end_reason"] if any(x["ended"].get(r) for x in runs)]
    head = "".join(
        f'<th class="num">Ended: {escape(LABELS["end_reason"][r])}</th>' for r in reasons
    )
    body = []
    for x in runs:
        cells = "".join(
            f'<td class="num count">{show(x[k])}</td>'
            for k in ("matched", "waiting", "kept", "moved", "new", "left")
        )
        cells += "".join(
            f'<td class="num count">{show(x["ended"].get(r, 0))}</td>' for r in reasons
        )
        body.append(f"<tr><td>Run {x['run']} ({escape(x['date'])})</td>{cells}</tr>")
    series = ["kept", "moved", "new", "waiting"]
    chart = stacked(
        [
            (
                f"Run {x['run']} ({x['date']})",
                [(_bar_value(x[s], committee), show(x[s])) for s in series],
            )
            for x in runs
        ],
        series,
        title="participants run by run",
    )
    total_ended = Counter[str]()
    for x in runs:
        total_ended.update(x["ended"])
    ended_text = ""
    if total_ended:
        ended_text = (
            "<p>Pairs ended this year: "
            + escape(
                listing(
                    f"{show(v)} {LABELS['end_reason'][k].lower()}"
                    for k, v in sorted(total_ended.items())
                )
            )
            + ".</p>"
        )
    return (
        f"<h2>The year so far</h2>{chart}"
        '<table class="keep"><thead><tr><th>Run</th><th class="num">Matched</th>'
        '<th class="num">Waiting</th><th class="num">Kept</th><th class="num">Moved</th>'
        f'<th class="num">New</th><th class="num">Left</th>{head}</tr></thead><tbody>'
        + "".join(body)
        + f"</tbody></table>{ended_text}"
    )


def _outcomes(result: MatchResult) -> str:
    rows = []
    for r in result.to_records():
        pid = r["participant_id"]
        status = r["status"]
        score = "" if r["score"] is None else f"{float(r['score']):.3f}"
        pref = "" if r.get("preferred_rank") is None else str(r["preferred_rank"])
        rows.append(
            f'<tr data-participant="{escape(pid)}"><td>{escape(pid)}</td>'
            f'<td><span class="badge {status}">{status}</span></td>'
            f'<td>{escape(r["peer_id"] or "")}</td><td class="num">{score}</td>'
            f'<td class="num">{escape(r["rank"] or "")}</td><td class="num">{pref}</td></tr>'
        )
    return (
        '<table class="outcomes"><thead><tr><th>Participant</th><th>Status</th>'
        '<th>Peer leader</th><th class="num">Score</th><th class="num">Rank by score</th>'
        '<th class="num">Their choice</th></tr></thead><tbody>' + "".join(rows) + "</tbody></table>"
    )


def _cards(result: MatchResult) -> str:
    out = []
    for pid in result.participant_ids():
        m = result.match_for(pid)
        status = "matched" if m is not None else "unmatched"
        head = f"{pid}: matched with {m.peer_id}" if m is not None else f"{pid}: waiting"
        out.append(
            f'<section class="card new-page" data-card="{escape(pid)}">'
            f'<h3>{escape(head)} <span class="badge {status}">{status}</span></h3>'
            f'<div class="explanation">{escape(result.explain(pid))}</div></section>'
        )
    return "".join(out)


def coordinator_report(
    data: ReportData, *, audience: Literal["coordinator", "committee"] = "coordinator"
) -> str:
    """The report of a run as one self-contained HTML page.

    Parameters
    ----------
    data : ReportData
        From :func:`report_result`.
    audience : {"coordinator", "committee"}, keyword-only
        The coordinator's full report, or the committee's aggregate one (no ids, no profile
        values, counts under 5 as ``<5``).

    Returns
    -------
    str
    """
    if audience not in AUDIENCES:
        raise InputError(
            [
                Problem(
                    None,
                    None,
                    "audience",
                    f"unknown audience {audience!r}; expected one of: {', '.join(AUDIENCES)}",
                )
            ]
        )
    committee = audience == "committee"
    result = data.result
    man = result.manifest
    title = "Matching summary for the committee" if committee else "Matching report"
    meta = [f"peermatch {__version__}", f"solver {man.solver}"]
    if data.history is not None and data.history.runs:
        last = data.history.runs[-1]
        meta.insert(0, f"run {last.run} of the programme year, {last.timestamp[:10]}")
    if not committee:
        meta += [f"configuration {man.config_hash[:12]}", f"inputs {man.input_hash[:12]}"]
    parts = [
        f"<header><h1>{escape(title)}</h1>",
        f'<p class="meta">{escape("; ".join(meta))}</p></header>',
        "<h2>Summary</h2>",
        _summary(result, committee),
        "<h2>Waiting for a leader</h2>",
        _waiting(data, committee),
        "<h2>Peer leaders' caseloads</h2>",
        _caseloads(result, committee),
        _changes(result, committee),
        _timeline(data.history, committee),
    ]
    if not committee:
        n = len(result.participant_ids())
        parts += [
            f'<h2 class="new-page">Every participant ({n})</h2>',
            _outcomes(result),
            f"<h2>Explanations</h2><p>One card per {plural(1, 'participant')}.</p>",
            _cards(result),
        ]
    return page(title, "\n".join(p for p in parts if p))
