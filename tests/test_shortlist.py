"""Shortlists: invariants on random cohorts, the exposure cap, cards and exports."""

from __future__ import annotations

import csv
import io
import json
import pickle

import numpy as np
import pytest
from budget import at_least
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from strategies import cohorts

from peermatch import (
    Candidate,
    InputError,
    MatchConfig,
    Participant,
    PeerLeader,
    Shortlists,
    match,
    rematch,
    score,
    shortlist,
)
from peermatch.matching._explain import LABELS
from peermatch.programme._shortlist import (
    DEFAULT_CARD_FIELDS,
    PRIVATE_FIELDS,
    SHORTLIST_COLUMNS,
    allocate,
    exposure_limits,
    open_places,
)

PRIVATE_LABELS = [LABELS[f] for f in ("hba1c", "complications", "region")]


def reference_allocate(
    values: np.ndarray, feasible: np.ndarray, limit: list[int], k: int
) -> tuple[list[list[int]], list[int]]:
    """The documented rule, written plainly: k rounds, fewest options first, relax in round 1."""
    n, m = feasible.shape
    order = sorted(range(n), key=lambda i: (int(feasible[i].sum()), i))
    order = [i for i in order if feasible[i].any()]
    lists: list[list[int]] = [[] for _ in range(n)]
    relaxed: list[int] = []
    used = [0] * m
    for r in range(k):
        for i in order:
            if len(lists[i]) < r:
                continue
            free = [
                j for j in range(m) if feasible[i, j] and j not in lists[i] and used[j] < limit[j]
            ]
            if not free:
                if r:
                    continue
                free = [j for j in range(m) if feasible[i, j]]
                relaxed.append(i)
            j = min(free, key=lambda c: (-values[i, c], c))
            lists[i].append(j)
            used[j] += 1
    return lists, relaxed


@st.composite
def arrays(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    n = draw(st.integers(0, 8))
    m = draw(st.integers(0, 5))
    # few distinct values so that ties are common
    values = draw(hnp.arrays(np.float64, (n, m), elements=st.sampled_from([0.0, 0.25, 0.5, 1.0])))
    feasible = draw(hnp.arrays(np.bool_, (n, m)))
    limit = draw(hnp.arrays(np.int64, (m,), elements=st.integers(0, 4)))
    feasible &= (limit > 0)[None, :]
    k = draw(st.integers(1, 4))
    return values, feasible, limit, k


@given(arrays())
@at_least(300)
def test_allocation_equals_the_documented_rule(case) -> None:  # type: ignore[no-untyped-def]
    values, feasible, limit, k = case
    lists, relaxed = allocate(values, feasible, limit, k)
    ref_lists, ref_relaxed = reference_allocate(values, feasible, limit.tolist(), k)
    assert [[int(j) for j in row if j >= 0] for row in lists] == ref_lists
    assert np.flatnonzero(relaxed[:, 0]).tolist() == sorted(ref_relaxed)
    assert not relaxed[:, 1:].any()


def test_fewest_options_pick_first_and_the_cap_relaxes_only_for_an_empty_list() -> None:
    ps = [
        Participant(id="P1", age=40, languages="en"),
        Participant(id="P2", age=40, languages="fr"),
        Participant(id="P3", age=40, languages="fr"),
    ]
    ls = [
        PeerLeader(id="L1", age=40, languages="en;fr", capacity=1),
        PeerLeader(id="L2", age=60, languages="en", capacity=1),
    ]
    # k=1, exposure 1: each leader appears on at most one list
    sl = shortlist(ps, ls, k=1, exposure=1.0)
    assert sl.limits == {"L1": 1, "L2": 1}
    # P2 and P3 have one option each and pick first; P1 (two options) takes L2
    assert sl.preferred() == {"P1": ("L2",), "P2": ("L1",), "P3": ("L1",)}
    assert sl.relaxed == ("P3",)
    assert sl["P3"][0].relaxed and not sl["P2"][0].relaxed
    assert sl.appearances == {"L1": 2, "L2": 1}
    # without a cap, P1 lists its best leader
    assert shortlist(ps, ls, k=1, exposure=None)["P1"][0].peer_id == "L1"


def test_a_popular_leader_does_not_crowd_every_list() -> None:
    ps = [Participant(id=f"P{i:02d}", age=40, languages="en") for i in range(30)]
    star = PeerLeader(id="L0", age=40, languages="en", capacity=1)
    others = [PeerLeader(id=f"L{j}", age=40 + 4 * j, languages="en", capacity=3) for j in (1, 2)]
    others += [PeerLeader(id=f"L{j}", age=40 + 4 * j, languages="en", capacity=6) for j in (3, 4)]
    uncapped = shortlist(ps, [star, *others], k=3, exposure=None)
    assert uncapped.appearances["L0"] == 30
    sl = shortlist(ps, [star, *others], k=3)
    assert sl.limits["L0"] == 6 and sl.appearances["L0"] == 6
    assert all(sl.appearances[lid] <= sl.limits[lid] for lid in sl.limits)
    assert all(len(c) == 3 for c in sl.values()) and not sl.relaxed


def test_exposure_limits_rule() -> None:
    spare = np.array([0, 1, 2, 5])
    assert exposure_limits(spare, 3, 2.0, 99).tolist() == [0, 6, 12, 30]
    assert exposure_limits(spare, 3, 1.0, 99).tolist() == [0, 3, 6, 15]
    assert exposure_limits(spare, 10, 0.1, 99).tolist() == [0, 1, 2, 5]
    assert exposure_limits(spare, 3, None, 99).tolist() == [0, 99, 99, 99]


def check_invariants(
    sl: Shortlists,
    ps: list[Participant],
    ls: list[PeerLeader],
    k: int,
    spare: dict[str, int] | None = None,
) -> None:
    sm = score(ps, ls)
    room = {x.id: (x.capacity if spare is None else spare.get(x.id, x.capacity)) for x in ls}
    active = {x.id: x.active for x in ls}
    assert list(sl) == sorted(p.id for p in ps)
    over: dict[str, int] = {}
    for pid, cands in sl.items():
        assert len(cands) <= k
        assert [c.rank for c in cands] == list(range(1, len(cands) + 1))
        keys = [(-c.score, c.peer_id) for c in cands]
        assert keys == sorted(keys)
        assert len({c.peer_id for c in cands}) == len(cands)
        for c in cands:
            assert sm.feasible[sm._ij(pid, c.peer_id)], (pid, c.peer_id)
            assert room[c.peer_id] > 0 and active[c.peer_id]
            assert c.score == sm.get(pid, c.peer_id)
            assert tuple(c.card) == DEFAULT_CARD_FIELDS
            assert not set(c.card) & (PRIVATE_FIELDS | {"vetoes", "id"})
            assert not any(r.startswith(label) for r in c.reasons for label in PRIVATE_LABELS)
            # reasons come from shareable fields only: a score earned on a hidden field (the
            # region, say) may leave a candidate with no reason to show
            assert len(c.reasons) <= 3
            if not c.relaxed:
                over[c.peer_id] = over.get(c.peer_id, 0) + 1
        relaxed = [c for c in cands if c.relaxed]
        assert (pid in sl.relaxed) == bool(relaxed)
        if relaxed:
            assert len(cands) == 1
        has_room = [
            lid
            for lid in sm.peer_ids
            if sm.feasible[sm._ij(pid, lid)] and room[lid] > 0 and active[lid]
        ]
        assert bool(cands) == bool(has_room)
        assert (pid in sl.empty) == (not cands)
        if not cands and spare is None:
            assert dict(sl.empty[pid].detail) == sm.exclusion_counts(pid)
    # the cap holds for every entry that was not a relaxation
    for lid, count in over.items():
        assert count <= sl.limits[lid]
    total = dict.fromkeys(sl.limits, 0)
    for cands in sl.values():
        for c in cands:
            total[c.peer_id] += 1
    assert total == sl.appearances
    # a relaxation happens only when every feasible leader of that participant is at its cap
    for pid in sl.relaxed:
        for lid in sm.peer_ids:
            if sm.feasible[sm._ij(pid, lid)]:
                assert sl.appearances[lid] >= sl.limits[lid]


@given(
    cohort=cohorts(max_participants=9, max_peers=5),
    k=st.integers(1, 4),
    exposure=st.sampled_from([None, 0.2, 0.5, 1.0, 2.0]),
)
@at_least(150)
def test_shortlist_invariants(cohort, k: int, exposure: float | None) -> None:  # type: ignore[no-untyped-def]
    ps, ls = cohort
    sl = shortlist(ps, ls, k=k, exposure=exposure)
    check_invariants(sl, ps, ls, k)


@given(cohort=cohorts(max_participants=9, max_peers=5), k=st.integers(1, 4))
def test_without_a_cap_each_list_is_the_k_best_feasible(cohort, k: int) -> None:  # type: ignore[no-untyped-def]
    ps, ls = cohort
    sm = score(ps, ls)
    sl = shortlist(ps, ls, k=k, exposure=None)
    for i, pid in enumerate(sm.participant_ids):
        best = sorted(
            (j for j in range(len(sm.peer_ids)) if sm.feasible[i, j]),
            key=lambda j: (-sm.values[i, j], sm.peer_ids[j]),
        )[:k]
        assert [c.peer_id for c in sl[pid]] == [sm.peer_ids[j] for j in best]


@given(
    cohort=cohorts(max_participants=9, max_peers=5),
    rnd=st.randoms(use_true_random=False),
    exposure=st.sampled_from([None, 0.3, 2.0]),
)
def test_row_order_never_matters(cohort, rnd, exposure: float | None) -> None:  # type: ignore[no-untyped-def]
    ps, ls = cohort
    a = shortlist(ps, ls, k=2, exposure=exposure)
    ps2, ls2 = ps[:], ls[:]
    rnd.shuffle(ps2)
    rnd.shuffle(ls2)
    b = shortlist(ps2, ls2, k=2, exposure=exposure)
    assert a == b
    assert a.to_csv() == b.to_csv()
    assert a.relaxed == b.relaxed and a.appearances == b.appearances


@given(cohort=cohorts(max_participants=8, max_peers=5, min_peers=1), data=st.data())
def test_spare_capacity_for_a_programme_under_way(cohort, data) -> None:  # type: ignore[no-untyped-def]
    ps, ls = cohort
    spare = {
        x.id: data.draw(st.integers(0, x.capacity))
        for x in ls
        if data.draw(st.booleans(), label=f"name {x.id}")
    }
    sl = shortlist(ps, ls, k=3, spare=spare, exposure=1.0)
    check_invariants(sl, ps, ls, 3, spare=spare)
    assert sl.spare == {x.id: spare.get(x.id, x.capacity) for x in sorted(ls, key=lambda x: x.id)}


def test_spare_from_a_previous_match_result() -> None:
    ps = [Participant(id=f"P{i}", age=40, languages="en") for i in range(3)]
    ls = [
        PeerLeader(id="L1", age=40, languages="en", capacity=2),
        PeerLeader(id="L2", age=70, languages="en", capacity=2),
    ]
    current = match(ps[:2], ls[:1])
    assert current.peer_load["L1"].assigned == 2
    newcomer = [Participant(id="P9", age=40, languages="en")]
    sl = shortlist(newcomer, ls, spare=current)
    assert sl.spare == {"L1": 0, "L2": 2}
    assert sl.preferred() == {"P9": ("L2",)}
    assert shortlist(newcomer, ls)["P9"][0].peer_id == "L1"


@given(
    cohort=cohorts(max_participants=8, max_peers=5, min_peers=1),
    data=st.data(),
)
def test_blocked_pairs_are_never_listed(cohort, data) -> None:  # type: ignore[no-untyped-def]
    ps, ls = cohort
    pairs = [(p.id, x.id) for p in ps for x in ls]
    blocked = data.draw(st.lists(st.sampled_from(pairs), unique=True) if pairs else st.just([]))
    sl = shortlist(ps, ls, k=3, exposure=None, blocked=blocked)
    listed = {(pid, c.peer_id) for pid, cands in sl.items() for c in cands}
    assert not listed & set(blocked)
    # every other feasible pair is still available: without a cap each list is the best rest
    sm = score(ps, ls)
    for i, pid in enumerate(sm.participant_ids):
        best = sorted(
            (
                j
                for j in range(len(sm.peer_ids))
                if sm.feasible[i, j] and (pid, sm.peer_ids[j]) not in blocked
            ),
            key=lambda j: (-sm.values[i, j], sm.peer_ids[j]),
        )[:3]
        assert [c.peer_id for c in sl[pid]] == [sm.peer_ids[j] for j in best]


def test_open_places_counts_only_pairs_that_still_hold() -> None:
    ps = [Participant(id=f"P{i}", age=40, languages="en") for i in range(1, 5)]
    ls = [
        PeerLeader(id="L1", age=40, languages="en", capacity=2),
        PeerLeader(id="L2", age=60, languages="en", capacity=1),
    ]
    # P1 stays with L1; P2's leader L9 left; P7 (left the programme) frees a place at L1;
    # P3 and P4 overfill L2 (its capacity was lowered)
    pairs = {"P1": "L1", "P2": "L9", "P7": "L1", "P3": "L2", "P4": "L2"}
    waiting, spare, taken = open_places(ps, ls, pairs)
    assert [p.id for p in waiting] == ["P2"]
    assert spare == {"L1": 1, "L2": 0}
    assert taken == {"P1": "L1", "P3": "L2", "P4": "L2"}


def test_rematch_result_as_spare_keeps_its_ended_pairs_out() -> None:
    ps = [Participant(id=f"P{i}", age=40 + 10 * i, languages="en") for i in (1, 2)]
    ls = [PeerLeader(id=f"L{i}", age=40 + 10 * i, languages="en", capacity=1) for i in (1, 2, 3)]
    first = match(ps, ls)
    assert first.pairs == {"P1": "L1", "P2": "L2"}
    now = rematch(first, ps, ls, ended=[("P1", "L1", "poor_fit")])
    assert now.pairs == {"P1": "L3", "P2": "L2"}
    newcomer = [Participant(id="P1", age=50, languages="en")]  # the same person, on their own
    sl = shortlist(newcomer, ls, spare=now, exposure=None)
    assert sl.spare == {"L1": 1, "L2": 0, "L3": 0}
    assert sl["P1"] == [] and "P1" in sl.empty


def test_empty_lists_say_why() -> None:
    ps = [
        Participant(id="P1", age=40, languages="de"),
        Participant(id="P2", age=40, languages="en", vetoes="L2"),
    ]
    ls = [
        PeerLeader(id="L1", age=40, languages="en", capacity=0),
        PeerLeader(id="L2", age=40, languages="en"),
    ]
    sl = shortlist(ps, ls)
    assert sl == {"P1": [], "P2": []}
    assert dict(sl.empty["P1"].detail) == {
        "leader_no_capacity": 1,
        "hard_criterion:languages": 1,
    }
    assert dict(sl.empty["P2"].detail) == {"vetoed_by_participant": 1, "leader_no_capacity": 1}
    rows = list(csv.DictReader(io.StringIO(sl.to_csv())))
    assert [r["participant_id"] for r in rows] == ["P1", "P2"]
    assert rows[0]["peer_id"] == rows[0]["rank"] == rows[0]["score"] == ""
    assert rows[0]["reasons"].startswith("no_feasible_leader: ")
    assert "fails the hard rule on languages" in rows[0]["reasons"]


def test_no_leaders_and_no_participants() -> None:
    sl = shortlist([Participant(id="P1", age=40, languages="en")], [])
    assert sl == {"P1": []} and sl.empty["P1"].text == "no peer leaders were given"
    assert shortlist([], [PeerLeader(id="L1", age=40, languages="en")]) == {}


def test_card_fields_are_configurable_and_vetoes_never_allowed() -> None:
    ps = [Participant(id="P1", age=40, languages="en", region="V5K")]
    ls = [PeerLeader(id="L1", age=44, languages="en", region="V5K", hba1c=7.0, vetoes="P9")]
    default = shortlist(ps, ls)["P1"][0]
    assert "region" not in default.card and "hba1c" not in default.card
    assert not any("region" in r for r in default.reasons)
    custom = shortlist(ps, ls, card_fields=["age", "region"])["P1"][0]
    assert custom.card == {"age": 44, "region": "V5K"}
    assert any(r.startswith("region") for r in custom.reasons)
    with pytest.raises(InputError, match="names other people"):
        shortlist(ps, ls, card_fields=["age", "vetoes"])
    with pytest.raises(InputError, match="did you mean 'languages'"):
        shortlist(ps, ls, card_fields=["langauges"])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"k": 0}, "k: expected a whole number >= 1"),
        ({"k": True}, "k: expected a whole number >= 1"),
        ({"exposure": 0}, "exposure: expected a number > 0"),
        ({"exposure": float("nan")}, "exposure: expected a number > 0"),
        ({"spare": {"L1": 9}}, "L1: expected a whole number from 0 to its capacity 5"),
        ({"spare": {"L1": -1}}, "L1: expected a whole number from 0 to its capacity 5"),
        ({"spare": [1]}, "expected a mapping peer id -> spare places"),
    ],
)
def test_bad_options_are_input_errors(kwargs: dict[str, object], message: str) -> None:
    ps = [Participant(id="P1", age=40, languages="en")]
    ls = [PeerLeader(id="L1", age=40, languages="en")]
    with pytest.raises(InputError, match=message):
        shortlist(ps, ls, **kwargs)  # type: ignore[arg-type]


def test_spare_ignores_unknown_leaders() -> None:
    ps = [Participant(id="P1", age=40, languages="en")]
    ls = [PeerLeader(id="L1", age=40, languages="en")]
    assert shortlist(ps, ls, spare={"L9": 1}).spare == {"L1": 5}


def test_exports_csv_json_and_preferred(tmp_path) -> None:  # type: ignore[no-untyped-def]
    ps = [
        Participant(id="P2", age=62, languages="en", life_stage="retired"),
        Participant(id="P1", age=35, languages="en", life_stage="student", preferred="L3"),
    ]
    ls = [
        PeerLeader(id="L1", age=65, languages="en", life_stage="retired", interests="=cmd"),
        PeerLeader(id="L2", age=31, languages="en;pa", life_stage="student"),
        PeerLeader(id="L3", age=50, languages="en"),
    ]
    sl = shortlist(ps, ls, k=2, config=MatchConfig())
    text = sl.to_csv(tmp_path / "s.csv")
    assert (tmp_path / "s.csv").read_bytes() == text.encode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0])[:5] == SHORTLIST_COLUMNS
    assert tuple(rows[0])[5:] == DEFAULT_CARD_FIELDS
    assert [(r["participant_id"], r["rank"], r["peer_id"]) for r in rows] == [
        ("P1", "1", "L2"),
        ("P1", "2", "L3"),
        ("P2", "1", "L1"),
        ("P2", "2", "L3"),
    ]
    assert rows[0]["languages"] == "en;pa" and float(rows[0]["score"]) == sl["P1"][0].score
    assert rows[2]["interests"] == "'=cmd"
    data = json.loads(sl.to_json(tmp_path / "s.json"))
    assert data["k"] == 2 and data["exposure"] == 2.0
    assert data["shortlists"][0]["candidates"][0]["card"]["languages"] == ["en", "pa"]
    assert data["input_hash"] == match(ps, ls).manifest.input_hash
    assert sl.preferred() == {"P1": ("L2", "L3"), "P2": ("L1", "L3")}
    kept = {p.id: p.preferred for p in sl.fill_preferred(ps)}
    assert kept == {"P1": ("L3",), "P2": ("L1", "L3")}
    replaced = {p.id: p.preferred for p in sl.fill_preferred(ps, replace=True)}
    assert replaced == {"P1": ("L2", "L3"), "P2": ("L1", "L3")}
    assert repr(sl).startswith("<Shortlists k=2, exposure 2: 2 of 2 participants with a list")
    assert isinstance(sl["P1"][0], Candidate)
    again = pickle.loads(pickle.dumps(sl))
    assert again == sl and again.limits == sl.limits and again.input_hash == sl.input_hash


def test_a_score_from_a_hidden_field_gives_no_reason() -> None:
    # found by the thorough profile: the only thing the pair shares is the region, which is
    # not on the card, so the candidate has a positive score and nothing shareable to say
    cfg = MatchConfig.from_mapping(
        {"preset": "none", "criteria": {"region": {"kind": "exact", "weight": 1.0}}}
    )
    ps = [Participant(id="P1", age=40, languages="en", region="V5K")]
    ls = [PeerLeader(id="L1", age=60, languages="en", region="V5K")]
    (cand,) = shortlist(ps, ls, k=3, config=cfg)["P1"]
    assert cand.score == 1.0 and cand.reasons == ()
