"""explain(): why a participant did not get a leader it ranked above its outcome."""

from __future__ import annotations

import pytest
from budget import at_least
from hypothesis import given
from strategies import cohorts

from peermatch import Participant, PeerLeader, match, score


def ranked_cohort() -> tuple[list[Participant], list[PeerLeader]]:
    """P1 ranks six leaders; only the last two are open to it."""
    ps = [
        Participant(
            id="P1", age=40, languages="en", life_stage="retired", preferred="LV;LX;LP;LF;LR;LG"
        ),
        Participant(id="P2", age=60, languages="en", life_stage="student", vetoes="LG;LR"),
    ]
    ls = [
        PeerLeader(id="LV", age=40, languages="en", vetoes="P1"),
        PeerLeader(id="LX", age=40, languages="fr"),
        PeerLeader(id="LP", age=40, languages="en", active=False),
        PeerLeader(id="LF", age=60, languages="en", life_stage="student", capacity=1),
        PeerLeader(id="LR", age=80, languages="en", life_stage="working_full_time"),
        PeerLeader(id="LG", age=40, languages="en", life_stage="retired"),
    ]
    return ps, ls


def section(text: str, title: str) -> list[str]:
    lines = text.splitlines()
    if f"  {title}" not in lines:
        return []
    out = []
    for line in lines[lines.index(f"  {title}") + 1 :]:
        if not line.startswith("    "):
            break
        out.append(line.strip())
    return out


ABOVE = "Preferred leaders ranked above this outcome:"
EXCLUDED = [
    "LV: excluded — vetoed by the leader (vetoed_by_leader)",
    "LX: excluded — fails the hard rule on languages (hard_criterion:languages)",
    "LP: excluded — leader paused or inactive (leader_inactive)",
    "LF: full (1 place); it ranks P2 higher",
]


def test_stable_explains_every_leader_ranked_above() -> None:
    ps, ls = ranked_cohort()
    r = match(ps, ls, solver="stable")
    assert r.pairs == {"P1": "LR", "P2": "LF"}
    text = r.explain("P1")
    assert "5th on the participant's preferred list" in text
    assert section(text, ABOVE) == EXCLUDED
    # the better-scoring LG was not given because the participant ranked LR above it
    assert "LG (score 1.000) — scores higher, but the participant ranked LR above it" in text


@pytest.mark.parametrize("solver", ["hungarian", "maximin", "greedy"])
def test_score_based_solvers_explain_every_leader_ranked_above(solver: str) -> None:
    ps, ls = ranked_cohort()
    r = match(ps, ls, solver=solver)
    assert r.pairs == {"P1": "LG", "P2": "LF"}
    lines = section(r.explain("P1"), ABOVE)
    assert lines[:4] == EXCLUDED
    assert lines[4].startswith("LR: had room, but ")
    assert "placed the participant with LG (score 1.000 against 0.200 here" in lines[4]
    assert "a ranking adds at most 0.05" in lines[4]
    assert len(lines) == 5


def test_full_leader_that_went_to_someone_it_ranks_lower() -> None:
    # L1 ranks P1 (same age) above P2, but the best overall matching gives L1 to P2, who has
    # no other option
    ps = [
        Participant(id="P1", age=40, languages="en", preferred="L1"),
        Participant(id="P2", age=70, languages="en", vetoes="L2"),
    ]
    ls = [
        PeerLeader(id="L1", age=40, languages="en", capacity=1),
        PeerLeader(id="L2", age=45, languages="en", capacity=1),
    ]
    h = match(ps, ls)
    assert h.pairs == {"P1": "L2", "P2": "L1"}
    assert section(h.explain("P1"), ABOVE) == [
        "L1: full (1 place); P2 got a place there in the best overall matching"
    ]
    s = match(ps, ls, solver="stable")
    assert s.pairs == {"P1": "L1"}
    assert section(s.explain("P1"), ABOVE) == []
    un = s.explain("P2")
    assert "unmatched (capacity)" in un


@given(cohort=cohorts(max_participants=7, max_peers=5))
@at_least(120)
def test_every_leader_ranked_above_the_outcome_is_explained(cohort) -> None:  # type: ignore[no-untyped-def]
    ps, ls = cohort
    sm = score(ps, ls)
    ids = set(sm.peer_ids)
    for solver in ("stable", "hungarian"):
        r = match(ps, ls, solver=solver)
        pairs = r.pairs
        for p in ps:
            ranked = list(p.preferred or ())
            got = pairs.get(p.id)
            above = ranked[: ranked.index(got)] if got in ranked else ranked
            lines = section(r.explain(p.id), ABOVE)
            assert [line.split(":", 1)[0] for line in lines] == above
            for lid, line in zip(above, lines, strict=True):
                if lid not in ids:
                    assert "not among the peer leaders" in line
                    continue
                rule = sm.reason(p.id, lid)
                if rule != "feasible":
                    assert line.endswith(f"({rule})"), line
                    continue
                assert ": full (" in line or ": had room, but " in line, line
                if solver == "stable":
                    # no blocking pair: the leader is full of participants it ranks higher
                    assert ": full (" in line and "it ranks " in line, line
                    assert "got a place there" not in line, line
