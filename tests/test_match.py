"""Profile-level matching: contract for every solver, brute-force optimality, invariances."""

from __future__ import annotations

import numpy as np
import pytest
from budget import at_least
from hypothesis import given
from hypothesis import strategies as st
from strategies import cohorts

from peermatch import SOLVERS, InputError, MatchConfig, Participant, PeerLeader, match, score
from peermatch.matching._verify import blocking_pairs, check_result

from .solvers import brute


def instance_of(ps: list[Participant], ls: list[PeerLeader], cfg: MatchConfig) -> brute.Instance:
    """The array problem a profile-level run must solve, built from the public ScoreMatrix."""
    sm = score(ps, ls, cfg)
    l_index = {lid: j for j, lid in enumerate(sm.peer_ids)}
    by_id = {p.id: p for p in ps}
    prefs = [
        [l_index[x] for x in (by_id[pid].preferred or ()) if x in l_index]
        for pid in sm.participant_ids
    ]
    cap = np.array([{x.id: x for x in ls}[lid].capacity for lid in sm.peer_ids], dtype=np.int64)
    return brute.Instance(sm.values, sm.feasible, cap, prefs, cfg.preference_bonus)


def assignment_of(result, sm_ids: tuple[str, ...], peer_ids: tuple[str, ...]) -> list[int]:  # type: ignore[no-untyped-def]
    col = {lid: j for j, lid in enumerate(peer_ids)}
    pairs = result.pairs
    return [col[pairs[pid]] if pid in pairs else -1 for pid in sm_ids]


@pytest.mark.parametrize("solver", sorted(SOLVERS))
@given(cohort=cohorts())
def test_contract_every_solver(solver: str, cohort) -> None:  # type: ignore[no-untyped-def]
    ps, ls = cohort
    result = match(ps, ls, solver=solver)
    assert check_result(result, ps, ls) == []
    assert result.solver == solver
    ids = sorted(p.id for p in ps)
    assert result.participant_ids() == ids
    assert result.metrics["n_participants"] == len(ps)


@given(cohort=cohorts(max_participants=7, max_peers=4))
@at_least(150)
def test_hungarian_is_optimal_against_brute_force(cohort) -> None:  # type: ignore[no-untyped-def]
    ps, ls = cohort
    cfg = MatchConfig()
    inst = instance_of(ps, ls, cfg)
    sm = score(ps, ls, cfg)
    got = assignment_of(match(ps, ls, cfg), sm.participant_ids, sm.peer_ids)
    best_count, best_total = brute.best_count_total(inst)
    assert brute.count(got) == best_count
    assert brute.total(inst, got) == pytest.approx(best_total, abs=1e-6 * max(1, len(ps)))


@given(cohort=cohorts(max_participants=6, max_peers=4))
def test_maximin_is_optimal_against_brute_force(cohort) -> None:  # type: ignore[no-untyped-def]
    ps, ls = cohort
    cfg = MatchConfig()
    inst = instance_of(ps, ls, cfg)
    sm = score(ps, ls, cfg)
    got = assignment_of(match(ps, ls, cfg, solver="maximin"), sm.participant_ids, sm.peer_ids)
    c, low, tot = brute.best_count_lowest_total(inst)
    assert brute.count(got) == c
    if c:
        assert brute.lowest_value(inst, got) == pytest.approx(low, abs=1e-9)
        assert brute.total(inst, got) == pytest.approx(tot, abs=1e-6 * len(ps))


@given(cohort=cohorts(max_participants=6, max_peers=4))
def test_stable_is_participant_optimal_and_has_no_blocking_pair(cohort) -> None:  # type: ignore[no-untyped-def]
    ps, ls = cohort
    cfg = MatchConfig()
    inst = instance_of(ps, ls, cfg)
    sm = score(ps, ls, cfg)
    result = match(ps, ls, cfg, solver="stable")
    got = assignment_of(result, sm.participant_ids, sm.peer_ids)
    assert result.metrics["blocking_pairs"] == 0
    assert (
        blocking_pairs(inst.values, inst.feasible, inst.capacity, got, preferences=inst.preferences)
        == []
    )
    stable = brute.stable_matchings(inst)
    ranking = [brute.participant_ranking(inst, i) for i in range(inst.n)]

    def pos(i: int, j: int) -> int:
        return ranking[i].index(j) if j >= 0 else len(ranking[i])

    for i in range(inst.n):
        assert pos(i, got[i]) == min(pos(i, int(a[i])) for a in stable)


@given(cohort=cohorts(max_participants=6, max_peers=4))
def test_reported_blocking_pairs_equal_independent_count(cohort) -> None:  # type: ignore[no-untyped-def]
    ps, ls = cohort
    cfg = MatchConfig()
    inst = instance_of(ps, ls, cfg)
    sm = score(ps, ls, cfg)
    for solver in ("hungarian", "greedy"):
        result = match(ps, ls, cfg, solver=solver)
        got = assignment_of(result, sm.participant_ids, sm.peer_ids)
        expected = blocking_pairs(
            inst.values, inst.feasible, inst.capacity, got, preferences=inst.preferences
        )
        assert result.metrics["blocking_pairs"] == len(expected)


@given(cohort=cohorts(min_participants=1, min_peers=1), data=st.data())
def test_adding_a_veto_never_raises_the_optimum(cohort, data) -> None:  # type: ignore[no-untyped-def]
    ps, ls = cohort
    before = match(ps, ls)
    k = data.draw(st.integers(0, len(ps) - 1))
    target = data.draw(st.sampled_from([x.id for x in ls]))
    p = ps[k]
    vetoes = set(p.vetoes or ()) | {target}
    preferred = tuple(x for x in (p.preferred or ()) if x != target) or None
    ps2 = [
        *ps[:k],
        p.model_copy(update={"vetoes": frozenset(vetoes), "preferred": preferred}),
        *ps[k + 1 :],
    ]
    after = match(ps2, ls, MatchConfig(preference_bonus=0.0))
    before0 = match(ps, ls, MatchConfig(preference_bonus=0.0))
    key = (after.metrics["n_matched"], after.metrics["total_score"])
    assert key <= (before0.metrics["n_matched"], before0.metrics["total_score"] + 1e-9)
    assert before.metrics["n_participants"] == after.metrics["n_participants"]


@given(cohort=cohorts(min_participants=1, min_peers=1), data=st.data())
def test_raising_a_capacity_never_lowers_the_optimum(cohort, data) -> None:  # type: ignore[no-untyped-def]
    ps, ls = cohort
    cfg = MatchConfig(preference_bonus=0.0)
    before = match(ps, ls, cfg)
    k = data.draw(st.integers(0, len(ls) - 1))
    ls2 = [*ls[:k], ls[k].model_copy(update={"capacity": ls[k].capacity + 1}), *ls[k + 1 :]]
    after = match(ps, ls2, cfg)
    assert (after.metrics["n_matched"], after.metrics["total_score"] + 1e-9) >= (
        before.metrics["n_matched"],
        before.metrics["total_score"],
    )


def test_explicit_solver_wins_over_config_and_unknown_names_are_listed() -> None:
    ps = [Participant(id="P", age=40, languages="en")]
    ls = [PeerLeader(id="L", age=40, languages="en")]
    assert match(ps, ls, MatchConfig(solver="greedy")).solver == "greedy"
    assert match(ps, ls, MatchConfig(solver="greedy"), solver="stable").solver == "stable"
    with pytest.raises(InputError, match="expected one of: greedy, hungarian, maximin, stable"):
        match(ps, ls, solver="magic")


def test_references_outside_the_lists_are_ignored() -> None:
    ps = [Participant(id="P", age=40, languages="en", vetoes="L9", preferred="L8;L")]
    ls = [PeerLeader(id="L", age=40, languages="en")]
    r = match(ps, ls)
    assert r.pairs == {"P": "L"}
    assert r.match_for("P").preferred_rank == 1  # type: ignore[union-attr]


def test_empty_inputs() -> None:
    r = match([], [PeerLeader(id="L", age=40, languages="en")])
    assert r.metrics["n_participants"] == 0 and r.matches == ()
    r = match([Participant(id="P", age=40, languages="en")], [])
    assert r.unmatched[0].reason == "no_feasible_leader"
    assert "no peer leaders" in r.unmatched[0].text


def test_duplicate_ids_and_wrong_types_are_input_errors() -> None:
    p = Participant(id="P", age=40, languages="en")
    with pytest.raises(InputError, match="appears more than once"):
        match([p, p], [])
    with pytest.raises(InputError, match="expected a PeerLeader"):
        match([p], [p])  # type: ignore[list-item]
