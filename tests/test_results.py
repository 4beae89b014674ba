"""MatchResult: contents, exports and explanations."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import cohorts

from peermatch import MatchConfig, Participant, PeerLeader, match
from peermatch.matching._verify import check_result


def small() -> tuple[list[Participant], list[PeerLeader]]:
    ps = [
        Participant(id="P1", age=30, languages="en", life_stage="student", preferred="L2;L1"),
        Participant(id="P2", age=70, languages="en", life_stage="retired"),
        Participant(id="P3", age=45, languages="fr", life_stage="working_full_time"),
        Participant(id="P4", age=50, languages="en", vetoes="L1;L2"),
    ]
    ls = [
        PeerLeader(id="L1", age=68, languages="en", life_stage="retired", capacity=1),
        PeerLeader(id="L2", age=28, languages="en", life_stage="student", capacity=1),
    ]
    return ps, ls


def test_every_participant_accounted_for_with_reasons() -> None:
    ps, ls = small()
    r = match(ps, ls)
    assert r.pairs == {"P1": "L2", "P2": "L1"}
    un = {u.participant_id: u for u in r.unmatched}
    assert un["P3"].reason == "no_feasible_leader"
    assert un["P3"].detail == {"hard_criterion:languages": 2}
    assert un["P4"].detail == {"vetoed_by_participant": 2}
    assert r.metrics["n_matched"] == 2 and r.metrics["match_rate"] == 0.5
    assert check_result(r, ps, ls) == []
    m = r.match_for("P1")
    assert m is not None and m.rank == 1 and m.preferred_rank == 1
    assert sum(m.contributions.values()) == pytest.approx(m.score)


def test_capacity_reason_when_feasible_leaders_are_full() -> None:
    ps = [Participant(id=f"P{i}", age=40, languages="en") for i in range(3)]
    r = match(ps, [PeerLeader(id="L1", age=40, languages="en", capacity=2)])
    (u,) = r.unmatched
    assert u.reason == "capacity" and u.detail == {"feasible_leaders": 1}
    assert r.peer_load["L1"].assigned == 2 and r.peer_load["L1"].spare == 0


def test_csv_has_one_row_per_participant_in_id_order(tmp_path: Path) -> None:
    ps, ls = small()
    r = match(ps, ls)
    path = tmp_path / "m.csv"
    text = r.to_csv(path)
    assert path.read_bytes() == text.encode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["participant_id"] for row in rows] == ["P1", "P2", "P3", "P4"]
    assert list(rows[0])[:6] == ["participant_id", "peer_id", "status", "score", "rank", "reason"]
    p3 = rows[2]
    assert p3["status"] == "unmatched" and p3["peer_id"] == "" and p3["score"] == ""
    assert p3["reason"].startswith("no_feasible_leader: ")
    assert float(rows[0]["score"]) == r.match_for("P1").score  # type: ignore[union-attr]
    assert "\r\n" in text and not text.startswith("\ufeff")


def test_json_round_trip_and_manifest(tmp_path: Path) -> None:
    ps, ls = small()
    r = match(ps, ls)
    data = json.loads(r.to_json(tmp_path / "m.json"))
    assert data["manifest"]["solver"] == "hungarian"
    assert data["manifest"]["config_hash"] == MatchConfig().config_hash()
    assert len(data["manifest"]["input_hash"]) == 64
    assert {m["participant_id"] for m in data["matches"]} == {"P1", "P2"}
    assert data["metrics"]["n_participants"] == 4


def test_networkx_graph() -> None:
    ps, ls = small()
    g = match(ps, ls).to_networkx()
    assert nx.is_bipartite(g)
    assert g.number_of_nodes() == 6 and g.number_of_edges() == 2
    assert g.edges["p:P1", "l:L2"]["score"] > 0
    assert g.nodes["l:L1"]["capacity"] == 1


def test_explain_matched_and_unmatched() -> None:
    ps, ls = small()
    r = match(ps, ls)
    text = r.explain("P2")
    assert text.startswith("Participant P2 is matched with peer leader L1.")
    assert "life stage: shared retired" in text
    un = r.explain("P3")
    assert "unmatched (no_feasible_leader)" in un and "fails the hard rule on languages" in un
    vetoed = r.explain("P4")
    assert "vetoed by the participant" in vetoed
    with pytest.raises(KeyError):
        r.explain("nobody")


def test_explain_says_why_a_preferred_leader_was_not_given() -> None:
    ps = [
        Participant(id="P1", age=30, languages="en", life_stage="student", preferred="L1;L2"),
        Participant(id="P2", age=30, languages="en", life_stage="student"),
    ]
    ls = [
        PeerLeader(id="L1", age=30, languages="en", life_stage="student", capacity=1),
        PeerLeader(id="L2", age=70, languages="en", life_stage="retired", capacity=1),
    ]
    r = match(ps, ls, MatchConfig(preference_bonus=0.0))
    who = r.pairs
    loser = "P1" if who["P1"] != "L1" else "P2"
    text = r.explain(loser)
    if loser == "P1":
        assert "L1: full (1 place)" in text


def test_repr_is_readable() -> None:
    ps, ls = small()
    assert repr(match(ps, ls)).startswith("<MatchResult solver='hungarian': 2 of 4 matched")


@given(cohorts(), st.randoms())
def test_reordering_rows_changes_no_pair_and_outputs_are_identical(cohort, rnd) -> None:  # type: ignore[no-untyped-def]
    ps, ls = cohort
    a = match(ps, ls)
    ps2, ls2 = ps[:], ls[:]
    rnd.shuffle(ps2)
    rnd.shuffle(ls2)
    b = match(ps2, ls2)
    assert a.pairs == b.pairs
    assert a.to_csv() == b.to_csv()
    assert a.manifest == b.manifest
    assert check_result(a, ps, ls) == []
