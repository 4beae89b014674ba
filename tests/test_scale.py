"""Large-cohort path: hungarian from row blocks equals the dense solver, and the result is
built from what the first pass kept exactly as from the full matrix."""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest
from budget import at_least, examples
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import cohorts

from peermatch import MatchConfig, OptimalityWarning, match
from peermatch.matching import _scale
from peermatch.matching._match import analyse, analyse_from_stats
from peermatch.matching._verify import assignment_objective, check_result
from peermatch.profiles._demo import generate_cohort
from peermatch.scoring._scorer import build_scorer
from peermatch.solvers._blocks import ortools_available

pytestmark = pytest.mark.skipif(not ortools_available(), reason="needs the 'scale' extra")


def _objective(result, ps, ls, cfg):  # type: ignore[no-untyped-def]
    scorer = build_scorer(ps, ls, cfg)
    values, _ = scorer.dense()
    col = {lid: j for j, lid in enumerate(scorer.cohort.l.ids)}
    pairs = result.pairs
    assignment = [col[pairs[pid]] if pid in pairs else -1 for pid in scorer.cohort.p.ids]
    return assignment_objective(
        values,
        assignment,
        preferences=scorer.cohort.preferences.lists(),
        preference_bonus=cfg.preference_bonus,
    )


@given(cohort=cohorts(max_participants=8, max_peers=5))
@at_least(120)
def test_sparse_hungarian_equals_dense(cohort) -> None:  # type: ignore[no-untyped-def]
    ps, ls = cohort
    cfg = MatchConfig()
    dense = match(ps, ls, cfg)
    with mock.patch.object(_scale, "SPARSE_MIN_PAIRS", 0):
        sparse = match(ps, ls, cfg)
    assert check_result(sparse, ps, ls) == []
    if ps and ls:
        assert sparse.metrics["certified"] == 1
    (c1, t1), (c2, t2) = _objective(dense, ps, ls, cfg), _objective(sparse, ps, ls, cfg)
    assert c1 == c2
    assert t2 == pytest.approx(t1, abs=1e-6 * max(len(ps), 1))
    assert [u.reason for u in dense.unmatched if u.reason == "no_feasible_leader"] == [
        u.reason for u in sparse.unmatched if u.reason == "no_feasible_leader"
    ]


@given(cohort=cohorts(min_participants=1, min_peers=1, max_participants=8), keep=st.integers(1, 5))
@at_least(120)
def test_result_from_kept_leaders_equals_full_analysis(cohort, keep) -> None:  # type: ignore[no-untyped-def]
    ps, ls = cohort
    scorer = build_scorer(ps, ls)
    cap = scorer.cohort.capacity
    prefs = scorer.cohort.preferences
    bonus = (prefs.rows, prefs.cols, prefs.bonus(0.05))
    assignment, stats, res = _scale.solve_sparse(scorer, cap, bonus, k=keep)
    assert res.certified
    full = analyse(scorer, assignment)
    fast = analyse_from_stats(scorer, assignment, stats, cap)
    assert np.array_equal(full.rank, fast.rank)
    assert np.array_equal(full.n_feasible, fast.n_feasible)
    assert full.exclusions == fast.exclusions
    assert full.blocking_pairs == fast.blocking_pairs
    assert np.array_equal(np.isnan(full.score), np.isnan(fast.score))


def test_demo_cohort_sparse_equals_dense() -> None:
    ps, ls = generate_cohort(400, 60, seed=11)
    dense = match(ps, ls)
    with mock.patch.object(_scale, "SPARSE_MIN_PAIRS", 0):
        sparse = match(ps, ls)
    assert sparse.metrics["certified"] == 1 and sparse.metrics["gap_bound"] == 0.0
    assert check_result(sparse, ps, ls) == []
    cfg = MatchConfig()
    (c1, t1), (c2, t2) = _objective(dense, ps, ls, cfg), _objective(sparse, ps, ls, cfg)
    assert c1 == c2 and t2 == pytest.approx(t1, abs=1e-6 * len(ps))
    for key in ("n_matched", "rank1_share", "blocking_pairs", "unmatched_no_feasible_leader"):
        if key != "blocking_pairs":
            assert sparse.metrics[key] == pytest.approx(dense.metrics[key], abs=0.02)


def _alike_cohort():  # type: ignore[no-untyped-def]
    """Sixty copies of one participant and thirty single-place leaders: every row keeps the
    same candidates, so the first restricted problem leaves leaders unused and the
    certificate needs a second round."""
    ps, ls = generate_cohort(60, 30, seed=5)
    same = [
        ps[0].model_copy(update={"id": f"P{i:03d}", "preferred": [], "vetoes": []})
        for i in range(60)
    ]
    single = [
        leader.model_copy(update={"capacity": 1, "active": True, "vetoes": []}) for leader in ls
    ]
    return same, single


def test_stopped_certificate_warns_and_the_result_says_so() -> None:
    ps, ls = _alike_cohort()
    dense = match(ps, ls)
    with mock.patch.object(_scale, "SPARSE_MIN_PAIRS", 0):
        full = match(ps, ls)
    assert full.metrics["certified"] == 1
    assert full.metrics["certificate_rounds"] >= 2  # the case needs more than one round
    assert full.metrics["n_matched"] == dense.metrics["n_matched"]
    with (
        mock.patch.object(_scale, "SPARSE_MIN_PAIRS", 0),
        mock.patch.object(_scale, "MAX_ROUNDS", 0),
        pytest.warns(OptimalityWarning, match="valid but not proven optimal") as caught,
    ):
        stopped = match(ps, ls)
    assert len(caught) == 1
    assert caught[0].filename == __file__  # it points at the caller's line
    gap = stopped.metrics["gap_bound"]
    assert f"{gap:.3g}" in str(caught[0].message)
    assert stopped.metrics["certified"] == 0
    assert stopped.metrics["certificate_rounds"] == 1
    assert gap > 0
    assert stopped.manifest.solver == "hungarian"
    assert check_result(stopped, ps, ls) == []  # still a valid matching
    assert stopped.metrics["n_matched"] < full.metrics["n_matched"]


def test_size_threshold() -> None:
    cap = np.full(10, 5)
    assert not _scale.use_sparse(100, 10, cap)
    assert _scale.use_sparse(5000, 1000, np.full(1000, 5)) == ortools_available()


def test_solvers_needing_the_full_matrix_refuse_huge_cohorts_clearly() -> None:
    from peermatch import InputError
    from peermatch.matching import _match as matching

    ps, ls = generate_cohort(30, 6, seed=1)
    with (
        mock.patch.object(matching, "DENSE_MAX_PAIRS", 100),
        pytest.raises(InputError, match="needs the full score matrix"),
    ):
        match(ps, ls, solver="stable")


# -- re-matching on the large-cohort path ------------------------------------------------------


def _same_optimum(dense, sparse, ps, ls, cfg) -> None:  # type: ignore[no-untyped-def]
    """Both results are valid, equally good, and their reported numbers are exact."""
    from peermatch.matching._match import build_result

    assert check_result(sparse, ps, ls, blocked=[b.pair for b in sparse.blocks]) == []
    (c1, t1), (c2, t2) = _objective(dense, ps, ls, cfg), _objective(sparse, ps, ls, cfg)
    assert c1 == c2 and t2 == pytest.approx(t1, abs=1e-6 * max(len(ps), 1))
    # ranks and blocking pairs of the large-cohort result equal a full-matrix analysis of the
    # same assignment (the rows kept in place are scored again for them)
    scorer = build_scorer(ps, ls, cfg, blocked=[b.pair for b in sparse.blocks])
    col = {lid: j for j, lid in enumerate(scorer.cohort.l.ids)}
    pairs = sparse.pairs
    assignment = np.array(
        [col[pairs[pid]] if pid in pairs else -1 for pid in scorer.cohort.p.ids], dtype=np.int64
    )
    full = build_result(scorer, assignment, "hungarian")
    assert [(m.participant_id, m.rank) for m in sparse.matches] == [
        (m.participant_id, m.rank) for m in full.matches
    ]
    assert [(u.participant_id, u.reason) for u in sparse.unmatched] == [
        (u.participant_id, u.reason) for u in full.unmatched
    ]
    assert sparse.metrics["blocking_pairs"] == full.metrics["blocking_pairs"]


@given(
    cohort=cohorts(min_participants=1, min_peers=1, max_participants=9, max_peers=5),
    ends=st.integers(0, 3),
    bonus=st.sampled_from([None, 0.0, 0.3, "first run"]),
)
@settings(max_examples=examples(120), deadline=None)
def test_sparse_rematch_equals_dense(cohort, ends, bonus) -> None:  # type: ignore[no-untyped-def]
    """``rematch`` of a large cohort once built the full score matrix (10k x 2k: 48 s and
    3.6 GB against 4.6 s and 0.36 GB for ``match``; 20k x 4k: ``std::bad_alloc``)."""
    from peermatch import rematch
    from peermatch.programme._rematch import PreviousRun

    ps, ls = cohort
    cfg = MatchConfig()
    first = match(ps, ls, cfg)
    if bonus == "first run":
        previous, ended, stay = PreviousRun.empty(), [], None
    else:
        previous, stay = first, bonus
        ended = [(p, x, "schedule") for p, x in sorted(first.pairs.items())[:ends]]
    dense = rematch(previous, ps, ls, cfg, ended=ended, stay_bonus=stay)
    with mock.patch.object(_scale, "SPARSE_MIN_PAIRS", 0):
        sparse = rematch(previous, ps, ls, cfg, ended=ended, stay_bonus=stay)
    if stay is None:
        kept = {c.participant_id for c in dense.changes if c.change == "kept"}
        assert kept == {c.participant_id for c in sparse.changes if c.change == "kept"}
    if ps and ls and sparse.metrics.get("certified") is not None:
        assert sparse.metrics["certified"] == 1
    _same_optimum(dense, sparse, ps, ls, cfg)


def test_demo_cohort_first_run_and_rematch_sparse_equal_dense() -> None:
    from peermatch import rematch
    from peermatch.programme._rematch import PreviousRun

    ps, ls = generate_cohort(400, 60, seed=12)
    cfg = MatchConfig()
    first = match(ps, ls, cfg)
    ended = [(p, x, "poor_fit") for p, x in sorted(first.pairs.items())[::9]]
    for previous, kw in (
        (PreviousRun.empty(), {}),
        (first, {"ended": ended}),
        (first, {"ended": ended, "stay_bonus": 0.2}),
    ):
        dense = rematch(previous, ps, ls, cfg, **kw)  # type: ignore[arg-type]
        with mock.patch.object(_scale, "SPARSE_MIN_PAIRS", 0):
            sparse = rematch(previous, ps, ls, cfg, **kw)  # type: ignore[arg-type]
        assert sparse.metrics["certified"] == 1 and "certified" not in dense.metrics
        _same_optimum(dense, sparse, ps, ls, cfg)
        assert sparse.metrics["n_kept"] == dense.metrics["n_kept"]
