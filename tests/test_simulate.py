"""Programme simulations: deterministic for a seed, bands with known answers, plug-in models."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

import peermatch
from peermatch import (
    DemoCohorts,
    InputError,
    LogitChoice,
    MatchConfig,
    Participant,
    PeerLeader,
    ScoreDropout,
    simulate,
)

ROOT = Path(__file__).resolve().parents[1]
QUICK = {"dropout": None, "leaders_needed": False}


def same_people(n: int, langs: str = "en", prefix: str = "P") -> list[Participant]:
    return [
        Participant(id=f"{prefix}{k:03d}", age=60, languages=langs, life_stage="retired")
        for k in range(n)
    ]


def leaders(capacities: list[int], langs: str = "en") -> list[PeerLeader]:
    return [
        PeerLeader(id=f"L{k:03d}", age=62, languages=langs, life_stage="retired", capacity=c)
        for k, c in enumerate(capacities)
    ]


def test_same_seed_same_report_and_row_order_changes_nothing() -> None:
    ps, ls = peermatch.generate_cohort(30, 6, seed=4)
    a = simulate(ps, ls, reps=3, seed=11)
    b = simulate(ps[::-1], ls[::-1], reps=3, seed=11)
    assert a.to_json() == b.to_json()
    c = simulate(ps, ls, reps=3, seed=12)
    assert c.to_json() != a.to_json()


def test_a_replicate_does_not_depend_on_which_policies_run() -> None:
    ps, ls = peermatch.generate_cohort(30, 6, seed=4)
    both = simulate(ps, ls, reps=2, seed=3, solvers=["hungarian", "stable"], **QUICK)
    one = simulate(ps, ls, reps=2, seed=3, solvers=["hungarian"], **QUICK)
    key = "participant_centred / hungarian"
    rows_both = [r for r in both.replicates if r["policy"] == key]
    rows_one = [r for r in one.replicates if r["policy"] == key]
    assert json.dumps(rows_both) == json.dumps(rows_one)


def test_deterministic_cohort_has_a_band_of_zero_width() -> None:
    # ten identical participants, five identical leaders of capacity 2: every bootstrap
    # draw matches everyone, and 95% of 10 needs all 10 placed, so 5 leaders
    ps, ls = same_people(10), leaders([2] * 5)
    sim = simulate(
        ps, ls, reps=8, seed=1, solvers=["hungarian"], configs=[MatchConfig()], dropout=None
    )
    policy = sim.policies[0]
    rate = sim.band(policy, "match_rate")
    assert (rate.low, rate.median, rate.high, rate.n) == (1.0, 1.0, 1.0, 8)
    need = sim.band(policy, "leaders_needed")
    assert (need.low, need.high) == (5.0, 5.0)
    assert sim.band(policy, "stated_met").n == 0  # nobody marks must or high
    assert math.isnan(sim.band(policy, "first_choice").mean)


def test_bootstrap_band_of_the_match_rate_follows_the_binomial() -> None:
    # 12 of 40 participants speak only French and no leader does: a bootstrap draw of 40
    # holds Binomial(40, 0.3) of them, all unmatched; the others are all matched
    ps = same_people(28) + same_people(12, "fr", prefix="F")
    ls = leaders([50])
    reps = 200
    sim = simulate(
        ps, ls, reps=reps, seed=5, solvers=["hungarian"], configs=[MatchConfig()], **QUICK
    )
    band = sim.band(sim.policies[0], "match_rate")
    dist = stats.binom(40, 0.3)
    # the 5th percentile of the match rate is 1 - (95th percentile of French speakers) / 40
    assert band.low * 40 == pytest.approx(40 - dist.ppf(0.95), abs=1.5)
    assert band.high * 40 == pytest.approx(40 - dist.ppf(0.05), abs=1.5)
    se = math.sqrt(0.3 * 0.7 / 40 / reps)
    assert band.mean == pytest.approx(0.7, abs=4 * se)


def test_logit_choice_follows_plackett_luce() -> None:
    rng = np.random.default_rng(0)
    scores = np.tile([0.8, 0.6, np.nan], (20000, 1))
    order = LogitChoice(temperature=0.1)(scores, rng)
    assert set(map(tuple, order.tolist())) == {(0, 1, -1), (1, 0, -1)}
    first = float(np.mean(order[:, 0] == 0))
    expected = math.exp(8) / (math.exp(8) + math.exp(6))
    assert first == pytest.approx(expected, abs=4 * math.sqrt(expected * (1 - expected) / 20000))
    # near zero temperature: by score; very high: about even
    assert (LogitChoice(temperature=1e-9)(scores[:50], rng)[:, 0] == 0).all()
    even = LogitChoice(temperature=1e5)(scores, rng)
    assert float(np.mean(even[:, 0] == 0)) == pytest.approx(0.5, abs=0.02)


def test_score_dropout_probability() -> None:
    rng = np.random.default_rng(1)
    ends = ScoreDropout(base=0.1, per_point=0.5)(np.full(40000, 0.6), rng)
    assert float(ends.mean()) == pytest.approx(0.3, abs=0.01)
    assert ScoreDropout(base=0, per_point=0)(np.zeros(5), rng).sum() == 0


def test_models_are_plug_ins_and_the_report_states_them() -> None:
    def worst_first(scores: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Everyone ranks their shortlist worst first."""
        order = np.argsort(np.where(np.isnan(scores), np.inf, scores), axis=1, kind="stable")
        return np.where(np.isnan(np.take_along_axis(scores, order, axis=1)), -1, order)

    def everyone_leaves(scores: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Every pair ends."""
        return np.ones(scores.shape, dtype=bool)

    ps, ls = peermatch.generate_cohort(24, 5, seed=2)
    sim = simulate(
        ps,
        ls,
        reps=2,
        seed=1,
        solvers=["choice"],
        configs=[MatchConfig()],
        choice=worst_first,
        dropout=everyone_leaves,
        leaders_needed=False,
    )
    assert (
        sim.settings["choice_model"] == "worst_first: Everyone ranks their shortlist worst first."
    )
    assert sim.settings["dropout_model"] == "everyone_leaves: Every pair ends."
    assert sim.band(sim.policies[0], "ended").mean == 1.0
    text = sim.to_text()
    assert "Choice model: worst_first" in text and "Drop-out model: everyone_leaves" in text
    default = simulate(ps, ls, reps=1, seed=1, **QUICK)
    assert "temperature 0.1" in default.settings["choice_model"]
    assert "none" in default.settings["dropout_model"]
    csv = default.to_csv()
    assert "setting_choice_model" in csv.splitlines()[0]


def test_a_choice_model_returning_the_wrong_shape_is_an_input_error() -> None:
    ps, ls = peermatch.generate_cohort(10, 3, seed=2)
    with pytest.raises(InputError, match="choice model"):
        simulate(ps, ls, reps=1, solvers=["choice"], choice=lambda s, r: np.zeros(3), **QUICK)


def test_leaders_needed_equals_a_linear_scan() -> None:
    from peermatch.programme._simulate import Policy, _leaders_needed
    from peermatch.scoring._scorer import build_scorer

    ps = same_people(9)
    pool = leaders([1, 3, 1, 2, 4, 1, 1, 2])
    policy = Policy("x", "x", MatchConfig(), "hungarian")
    scorer = build_scorer(ps, pool, MatchConfig())
    order = np.array([scorer.cohort.l_index[x.id] for x in pool], dtype=np.int64)
    for target in (0.3, 0.5, 0.95, 1.0):
        got = _leaders_needed(
            policy, scorer, order, target, LogitChoice(), np.random.SeedSequence(0)
        )
        scan = (
            next(
                m
                for m in range(len(pool) + 1)
                if peermatch.match(ps, pool[:m]).metrics["match_rate"] >= target
            )
            if len(ps)
            else 0
        )
        assert got == scan
    assert math.isnan(
        _leaders_needed(policy, scorer, order[:2], 0.95, LogitChoice(), np.random.SeedSequence(0))
    )


def test_demo_cohorts_keep_the_stated_mix() -> None:
    from peermatch.programme._simulate import _Demo

    spec = DemoCohorts(50, 10, {"languages=pa": 0.3, "support_goals=starting_insulin": 0.1})
    for seed in range(3):
        ps, ls = _Demo(spec).draw(np.random.default_rng(seed))
        assert len(ps) == 50 and len(ls) == 10
        pa = [p for p in ps if "pa" in p.languages]
        pump = [
            p
            for p in ps
            if "pa" not in p.languages
            and p.support_goals
            and "starting_insulin" in {t.value for t in p.support_goals}
        ]
        assert len(pa) == 15 and len(pump) == 5
        assert len({p.id for p in ps}) == 50
    sim = simulate(demo=spec, reps=2, seed=3, **QUICK)
    assert "30% with languages=pa" in sim.settings["cohorts"]


def test_balance_lowers_the_spread_in_simulation() -> None:
    ps = peermatch.read_participants(ROOT / "examples" / "participants.csv")
    ls = peermatch.read_peers(ROOT / "examples" / "peers.csv")
    sim = simulate(
        ps,
        ls,
        reps=3,
        seed=2,
        solvers=["hungarian"],
        configs={"plain": MatchConfig(), "balanced": MatchConfig(balance=0.5)},
        **QUICK,
    )
    plain = [r["load_spread"] for r in sim.replicates if r["policy"] == "plain / hungarian"]
    even = [r["load_spread"] for r in sim.replicates if r["policy"] == "balanced / hungarian"]
    assert all(b <= a + 1e-12 for a, b in zip(plain, even, strict=True))
    rates = {r["policy"]: r["match_rate"] for r in sim.replicates if r["rep"] == 1}
    assert rates["balanced / hungarian"] >= rates["plain / hungarian"]


def test_report_forms() -> None:
    ps, ls = peermatch.generate_cohort(20, 4, seed=6)
    sim = simulate(ps, ls, reps=2, seed=1)
    assert len(sim.policies) == 4
    assert sim.policies[2] == "c2c_baseline / hungarian"
    data = json.loads(sim.to_json())
    assert set(data["policies"]) == set(sim.policies)
    assert len(data["replicates"]) == 8
    lines = sim.to_csv().splitlines()
    assert len(lines) == 1 + 4 * len(peermatch.programme._simulate.METRICS)
    assert "leaders needed" in sim.to_text()


@pytest.mark.parametrize(
    ("kwargs", "text"),
    [
        ({"reps": 0}, "reps"),
        ({"seed": -1}, "seed"),
        ({"solvers": ["fastest"]}, "unknown policy solver"),
        ({"configs": [MatchConfig(balance=0.5)]}, "only 'hungarian' uses"),
        ({"target": 0}, "target"),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], text: str) -> None:
    ps, ls = same_people(3), leaders([2])
    with pytest.raises(InputError, match=text):
        simulate(ps, ls, **kwargs)  # type: ignore[arg-type]


def test_cohort_arguments() -> None:
    with pytest.raises(InputError, match="give participants and peers"):
        simulate()
    with pytest.raises(InputError, match="not both"):
        simulate(same_people(2), leaders([1]), demo=DemoCohorts())
    with pytest.raises(InputError, match="mix"):
        DemoCohorts(mix={"langauges=pa": 0.2})
    with pytest.raises(InputError, match="more than 1"):
        DemoCohorts(mix={"languages=pa": 0.7, "languages=zh": 0.6})
