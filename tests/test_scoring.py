"""Vectorised scoring and feasibility equal the naive per-pair reference."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from budget import at_least, slow
from hypothesis import given
from hypothesis import strategies as st
from reference import criteria_of, pair
from strategies import cohorts

from peermatch import MatchConfig, Participant, PeerLeader, score
from peermatch.scoring._config import KINDS_FOR_FIELD, Criterion
from peermatch.scoring._scorer import build_scorer


@st.composite
def configs(draw: st.DrawFn) -> MatchConfig:
    base = draw(st.sampled_from(["participant_centred", "c2c_baseline"]))
    cfg = MatchConfig.from_preset(base)
    criteria = {}
    for name, crit in cfg.criteria.items():
        if draw(st.booleans()):
            criteria[name] = crit
            continue
        kind = draw(st.sampled_from(KINDS_FOR_FIELD[name]))
        params: dict[str, object] = {}
        if kind in ("numeric", "experience"):
            params["scale"] = draw(st.sampled_from([5.0, 10.0, 20.0]))
        if kind == "experience":
            params["margin"] = draw(st.sampled_from([0.0, 2.0, 5.0]))
        if kind == "overlap":
            params["min_shared"] = draw(st.integers(1, 2))
            params["full_at"] = params["min_shared"] + draw(st.integers(0, 2))
        criteria[name] = Criterion(
            kind=kind,
            weight=draw(st.sampled_from([0.0, 0.5, 1.0, 3.0])),
            hard=draw(st.booleans()),
            pass_at=draw(st.sampled_from([None, 0.25, 0.5, 1.0])),
            invert=draw(st.booleans()),
            **params,  # type: ignore[arg-type]
        )
    if not any(c.weight > 0 for c in criteria.values()):
        criteria["age"] = Criterion(kind="numeric", weight=1.0)
    return MatchConfig(criteria=criteria, min_score=draw(st.sampled_from([0.0, 0.0, 0.3, 0.6])))


def _check_against_reference(
    ps: list[Participant],
    ls: list[PeerLeader],
    cfg: MatchConfig,
    blocked: frozenset[tuple[str, str]] = frozenset(),
) -> None:
    scorer = build_scorer(ps, ls, cfg, blocked=blocked)
    blk = scorer.block(0, len(ps))
    sm = score(ps, ls, cfg)
    if blocked:
        sm = dataclasses.replace(
            sm, values=blk.values, reasons=blk.reasons, feasible=blk.reasons == 0
        )
    crits = criteria_of(cfg, [*ps, *ls])
    by_id_p = {p.id: p for p in ps}
    by_id_l = {x.id: x for x in ls}
    assert list(sm.participant_ids) == sorted(by_id_p)
    assert list(sm.peer_ids) == sorted(by_id_l)
    for i, pid in enumerate(sm.participant_ids):
        for j, lid in enumerate(sm.peer_ids):
            value, reason = pair(by_id_p[pid], by_id_l[lid], cfg, crits, blocked)
            assert sm.values[i, j] == pytest.approx(value, abs=1e-12), (pid, lid)
            assert sm.reason(pid, lid) == reason, (pid, lid)
            assert sm.feasible[i, j] == (reason == "feasible")


@given(cohorts(max_participants=5, max_peers=4))
def test_default_config_matches_reference(
    cohort: tuple[list[Participant], list[PeerLeader]],
) -> None:
    _check_against_reference(*cohort, MatchConfig())


@given(cohorts(max_participants=4, max_peers=3), configs())
@at_least(150)
def test_random_configs_match_reference(
    cohort: tuple[list[Participant], list[PeerLeader]], cfg: MatchConfig
) -> None:
    _check_against_reference(*cohort, cfg)


@given(cohorts(min_participants=1, min_peers=1), st.data())
def test_explicit_pairs_equal_blocks(cohort, data) -> None:  # type: ignore[no-untyped-def]
    ps, ls = cohort
    scorer = build_scorer(ps, ls)
    blk = scorer.block(0, len(ps))
    rows = np.array(data.draw(st.lists(st.integers(0, len(ps) - 1), min_size=1, max_size=10)))
    cols = np.array(
        data.draw(st.lists(st.integers(0, len(ls) - 1), min_size=rows.size, max_size=rows.size))
    )
    values, reasons = scorer.pairs(rows, cols)
    assert np.array_equal(values, blk.values[rows, cols])  # bit-for-bit, not approximately
    assert np.array_equal(reasons, blk.reasons[rows, cols])


@given(cohorts(min_participants=1, min_peers=1), st.randoms())
def test_row_order_and_blocking_do_not_change_scores(cohort, rnd) -> None:  # type: ignore[no-untyped-def]
    ps, ls = cohort
    a = score(ps, ls)
    ps2, ls2 = ps[:], ls[:]
    rnd.shuffle(ps2)
    rnd.shuffle(ls2)
    b = score(ps2, ls2)
    assert np.array_equal(a.values, b.values)
    assert np.array_equal(a.reasons, b.reasons)
    scorer = build_scorer(ps, ls)
    stitched = np.concatenate([blk.values for blk in scorer.blocks(block_rows=2)])
    assert np.array_equal(stitched, a.values)


@given(cohorts(min_participants=1, min_peers=1))
def test_contributions_sum_to_score(cohort) -> None:  # type: ignore[no-untyped-def]
    ps, ls = cohort
    scorer = build_scorer(ps, ls)
    sm = score(ps, ls)
    for i in range(len(ps)):
        total = sum(scorer.contributions(i).values())
        np.testing.assert_allclose(total, sm.values[i], atol=1e-12)


def test_scores_lie_in_unit_interval_and_scaling_weights_changes_nothing() -> None:
    from peermatch.profiles._demo import generate_cohort

    ps, ls = generate_cohort(60, 12, seed=3)
    cfg = MatchConfig()
    doubled = MatchConfig(
        criteria={k: c.model_copy(update={"weight": 2 * c.weight}) for k, c in cfg.criteria.items()}
    )
    a, b = score(ps, ls, cfg), score(ps, ls, doubled)
    assert np.all((a.values >= 0) & (a.values <= 1))
    np.testing.assert_allclose(a.values, b.values, atol=1e-12)
    assert np.array_equal(a.feasible, b.feasible)


def test_components_are_nan_where_not_given() -> None:
    p = Participant(id="P1", age=50, languages="en", sex="female")
    leader = PeerLeader(id="L1", age=50, languages="en")
    sm = score([p], [leader], components=True)
    assert sm.components is not None
    assert np.isnan(sm.components["sex"][0, 0])
    assert sm.components["age"][0, 0] == 1.0
    assert sm.values[0, 0] == 1.0  # sex is left out, not counted as a mismatch


def test_no_comparable_criterion_scores_zero() -> None:
    cfg = MatchConfig(criteria={"sex": Criterion(kind="exact")})
    sm = score(
        [Participant(id="P", age=30, languages="en")],
        [PeerLeader(id="L", age=30, languages="en")],
        cfg,
    )
    assert sm.values[0, 0] == 0.0


def test_must_from_either_side_and_missing_value_fails() -> None:
    p = Participant(id="P", age=30, languages="en", sex="female", importance="sex:must")
    same = PeerLeader(id="L1", age=30, languages="en", sex="female")
    other = PeerLeader(id="L2", age=30, languages="en", sex="male")
    missing = PeerLeader(id="L3", age=30, languages="en")
    leader_must = PeerLeader(id="L4", age=30, languages="en", sex="male", importance="sex:must")
    q = Participant(id="Q", age=30, languages="en", sex="male")
    sm = score([p, q], [same, other, missing, leader_must])
    assert sm.reason("P", "L1") == "feasible"
    assert sm.reason("P", "L2") == "hard_criterion:sex"
    assert sm.reason("P", "L3") == "hard_criterion:sex"
    assert sm.reason("P", "L4") == "hard_criterion:sex"
    assert sm.reason("Q", "L4") == "feasible"
    assert sm.reason("Q", "L3") == "feasible"


def test_ignore_never_removes_a_hard_rule() -> None:
    p = Participant(id="P", age=30, languages="fr", importance="languages:ignore")
    sm = score([p], [PeerLeader(id="L", age=30, languages="en")])
    assert sm.reason("P", "L") == "hard_criterion:languages"


def test_reason_order_first_rule_wins() -> None:
    p = Participant(id="P", age=30, languages="fr", vetoes="L")
    leader = PeerLeader(id="L", age=30, languages="en", active=False, vetoes="P", capacity=0)
    sm = score([p], [leader])
    assert sm.reason("P", "L") == "vetoed_by_participant"
    assert sm.exclusion_counts("P") == {"vetoed_by_participant": 1}


@pytest.mark.parametrize("budget", [0, 6, 40])
@given(cohort=cohorts(max_participants=6, max_peers=5), data=st.data())
@slow(60)
def test_every_evaluation_path_matches_reference(budget: int, cohort, data) -> None:  # type: ignore[no-untyped-def]
    """Direct kernels, one- and two-sided lookup tables and joint tables give the same scores."""
    from unittest import mock

    from peermatch.scoring import _scorer as scoring

    ps, ls = cohort
    cfg = data.draw(configs())
    with mock.patch.object(scoring, "TABLE_BUDGET", budget):
        _check_against_reference(ps, ls, cfg)
        if ps and ls:
            scorer = build_scorer(ps, ls, cfg)
            blk = scorer.block(0, len(ps))
            rows = np.repeat(np.arange(len(ps)), len(ls))
            cols = np.tile(np.arange(len(ls)), len(ps))
            values, reasons = scorer.pairs(rows, cols)
            assert np.array_equal(values, blk.values.reshape(-1))
            assert np.array_equal(reasons, blk.reasons.reshape(-1))
            approx, allowed = scorer.approx_block(0, len(ps))
            assert np.all(np.abs(approx - blk.values) <= scoring.APPROX_ERROR)
            if cfg.min_score == 0:
                assert np.array_equal(allowed, blk.feasible)
            else:
                assert np.all(allowed | ~blk.feasible)


@given(cohort=cohorts(min_participants=1, min_peers=1), data=st.data())
def test_selected_rows_equal_blocks(cohort, data) -> None:  # type: ignore[no-untyped-def]
    ps, ls = cohort
    scorer = build_scorer(ps, ls)
    blk = scorer.block(0, len(ps))
    rows = np.array(sorted(data.draw(st.sets(st.integers(0, len(ps) - 1), min_size=1))))
    values, reasons = scorer.rows(rows)
    assert np.array_equal(values, blk.values[rows])
    assert np.array_equal(reasons, blk.reasons[rows])
