"""``balance``: configuration, profile-level matching and the example cohort's caseloads."""

from __future__ import annotations

import itertools
import tomllib
from pathlib import Path

import numpy as np
import pytest

import peermatch
from peermatch import InputError, MatchConfig, generate_cohort, match

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def spread(result: peermatch.MatchResult) -> float:
    """Standard deviation of assigned / capacity over active leaders with a capacity."""
    shares = [
        load.assigned / load.capacity
        for load in result.peer_load.values()
        if load.active and load.capacity > 0
    ]
    return float(np.std(shares))


def test_zero_balance_keeps_the_configuration_hash_and_its_recorded_form() -> None:
    assert MatchConfig(balance=0).config_hash() == MatchConfig().config_hash()
    assert "balance" not in MatchConfig().canonical_json()
    assert "balance" not in MatchConfig().to_toml()
    assert "balance" not in MatchConfig().model_dump(mode="json")
    assert MatchConfig(balance=0.5).config_hash() != MatchConfig().config_hash()
    assert '"balance":0.5' in MatchConfig(balance=0.5).canonical_json()


def test_balance_in_toml_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("balance = 0.5\n", encoding="utf-8")
    cfg = MatchConfig.from_file(path)
    assert cfg.balance == 0.5
    again = MatchConfig.from_mapping(tomllib.loads(cfg.to_toml()))
    assert again.balance == 0.5 and again.config_hash() == cfg.config_hash()
    assert MatchConfig.from_mapping({"balance": 1}).balance == 1.0
    assert MatchConfig.model_validate(cfg.model_dump()).balance == 0.5


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ({"balance": -1}, "balance: expected a number at least 0"),
        ({"balance": 10.5}, "balance: expected a number at most 10"),
        ({"balance": "high"}, "balance: expected a number"),
        ({"balance": True}, "balance"),
        ({"balance": 0.5, "solver": "stable"}, "'hungarian' solver only"),
    ],
)
def test_bad_balance_in_a_configuration(data: dict[str, object], text: str) -> None:
    with pytest.raises(InputError, match=text):
        MatchConfig.from_mapping(data)


def test_another_solver_with_a_balanced_configuration_is_an_error() -> None:
    ps, ls = generate_cohort(10, 3, seed=1)
    with pytest.raises(InputError, match="'hungarian' solver only"):
        match(ps, ls, MatchConfig(balance=0.5), solver="stable")


def test_example_cohort_spread_drops_and_nobody_loses_a_place() -> None:
    ps = peermatch.read_participants(EXAMPLES / "participants.csv")
    ls = peermatch.read_peers(EXAMPLES / "peers.csv")
    plain = match(ps, ls)
    balanced = match(ps, ls, MatchConfig(balance=0.5))
    assert balanced.metrics["n_matched"] >= plain.metrics["n_matched"]
    assert spread(balanced) < spread(plain)
    peermatch.check_result(balanced, ps, ls)
    assert balanced.manifest.config_hash == MatchConfig(balance=0.5).config_hash()


@pytest.mark.parametrize("seed", range(3))
def test_profile_level_balance_equals_brute_force(seed: int) -> None:
    ps, ls = generate_cohort(6, 3, seed=seed)
    ls = [
        x.model_copy(update={"capacity": c, "active": True})
        for x, c in zip(ls, (1, 3, 4), strict=True)
    ]
    cfg = MatchConfig(balance=0.3)
    got = match(ps, ls, cfg)
    sm = peermatch.score(ps, ls)
    cap = np.array([x.capacity for x in sorted(ls, key=lambda x: x.id)])

    def net(assignment: tuple[int, ...]) -> tuple[int, float]:
        load = np.bincount([j for j in assignment if j >= 0], minlength=3)
        total = sum(sm.values[i, j] for i, j in enumerate(assignment) if j >= 0)
        return sum(j >= 0 for j in assignment), total - 0.3 * float(np.sum(load**2 / (2 * cap)))

    best = max(
        net(a)
        for a in itertools.product(range(-1, 3), repeat=6)
        if all(j < 0 or sm.feasible[i, j] for i, j in enumerate(a))
        and all(a.count(j) <= cap[j] for j in range(3))
    )
    index = {pid: k for k, pid in enumerate(sm.peer_ids)}
    row = tuple(index[got.pairs[p]] if p in got.pairs else -1 for p in sm.participant_ids)
    count, value = net(row)
    assert count == best[0]
    assert value == pytest.approx(best[1], abs=1e-9)


def test_balance_beyond_the_expanded_matrix_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import peermatch.matching._match as m

    monkeypatch.setattr(m, "DENSE_MAX_ENTRIES", 50)
    ps, ls = generate_cohort(10, 3, seed=2)
    with pytest.raises(InputError, match="capacity-expanded matrix of 10 participants"):
        match(ps, ls, MatchConfig(balance=0.5))
    match(ps, ls)  # without balance the same cohort matches
