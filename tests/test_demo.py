from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pydantic import BaseModel

import peermatch
from peermatch import (
    InputError,
    Participant,
    PeerLeader,
    generate_cohort,
    read_participants,
    read_peers,
    write_cohort,
)
from peermatch.profiles._models import PARTICIPANT_FIELDS, PEER_FIELDS
from peermatch.profiles._vocab import GlucoseMonitoring, Importance, LifeStage, Treatment

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
INSULIN = {Treatment.BASAL_INSULIN, Treatment.MDI_INSULIN, Treatment.INSULIN_PUMP}


@pytest.fixture(scope="module")
def small() -> tuple[list[Participant], list[PeerLeader]]:
    return generate_cohort(200, 40, seed=5)


@pytest.fixture(scope="module")
def large() -> tuple[list[Participant], list[PeerLeader]]:
    return generate_cohort(3000, 600, seed=11)


def _same_types(a: Any, b: Any) -> bool:
    """Equal values of identical types, all the way down (``Sex.MALE == "male"`` is not enough)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, frozenset | tuple | list):
        key = repr
        return len(a) == len(b) and all(
            _same_types(x, y) for x, y in zip(sorted(a, key=key), sorted(b, key=key), strict=True)
        )
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same_types(a[k], b[k]) for k in a)
    return bool(a == b)


def _assert_as_validated(profiles: Iterable[BaseModel]) -> None:
    for p in profiles:
        again = type(p).model_validate(p.model_dump())
        assert again == p
        # what a file gives: the values that are not empty
        assert type(p).model_validate(p.model_dump(exclude_none=True)) == p
        given = type(p).model_validate(p.model_dump(exclude_none=True)).model_fields_set
        assert given == p.model_fields_set, p.id
        for name in type(p).model_fields:
            assert _same_types(getattr(p, name), getattr(again, name)), (p.id, name)


# -- determinism -------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_same_seed_writes_identical_bytes(tmp_path: Path, fmt: str) -> None:
    a = write_cohort(tmp_path / "a", 150, 30, seed=42, fmt=fmt)
    b = write_cohort(tmp_path / "b", 150, 30, seed=42, fmt=fmt)
    for x, y in zip(a, b, strict=True):
        assert x.read_bytes() == y.read_bytes()
    assert [p.name for p in a] == [f"participants.{fmt}", f"peers.{fmt}"]


def test_different_seeds_differ(tmp_path: Path) -> None:
    a = write_cohort(tmp_path / "a", 60, 12, seed=1)
    b = write_cohort(tmp_path / "b", 60, 12, seed=2)
    assert a[0].read_bytes() != b[0].read_bytes()
    assert a[1].read_bytes() != b[1].read_bytes()


def test_generator_seed_and_repeat_calls() -> None:
    assert generate_cohort(30, 6, seed=9) == generate_cohort(30, 6, seed=9)
    rng_a, rng_b = np.random.default_rng(9), np.random.default_rng(9)
    assert generate_cohort(30, 6, seed=rng_a) == generate_cohort(30, 6, seed=rng_b)


def test_more_leaders_leave_participants_unchanged_but_references() -> None:
    ps_a, _ = generate_cohort(80, 16, seed=4)
    ps_b, _ = generate_cohort(80, 20, seed=4)
    drop = {"vetoes", "preferred"}
    assert [p.model_dump(exclude=drop) for p in ps_a] == [p.model_dump(exclude=drop) for p in ps_b]


# -- validity ----------------------------------------------------------------------------------


def test_ids_are_zero_padded_and_sorted() -> None:
    ps, ls = generate_cohort(12, 3, seed=0)
    assert [p.id for p in ps][:2] == ["P0001", "P0002"] and ps[-1].id == "P0012"
    assert [x.id for x in ls] == ["L001", "L002", "L003"]
    ps, ls = generate_cohort(10_000, 1_000, seed=0)
    assert (ps[0].id, ps[-1].id, ls[0].id, ls[-1].id) == ("P00001", "P10000", "L0001", "L1000")
    assert [p.id for p in ps] == sorted(p.id for p in ps)


def test_constructed_profiles_equal_validated_ones(
    large: tuple[list[Participant], list[PeerLeader]],
) -> None:
    ps, ls = large
    rng = np.random.default_rng(0)
    sample = [ps[i] for i in rng.choice(len(ps), 400, replace=False)]
    # every special case too: importance maps, vetoes, preferences, paused leaders
    sample += [p for p in ps if p.importance or p.vetoes or p.preferred][:200]
    _assert_as_validated(sample)
    _assert_as_validated(ls)
    assert all(tuple(type(p).model_fields) == PARTICIPANT_FIELDS for p in ps[:1])
    assert all(tuple(type(x).model_fields) == PEER_FIELDS for x in ls[:1])


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_round_trip_through_files(
    tmp_path: Path, small: tuple[list[Participant], list[PeerLeader]], fmt: str
) -> None:
    ps, ls = small
    peermatch.write_profiles(tmp_path / f"p.{fmt}", ps)
    peermatch.write_profiles(tmp_path / f"l.{fmt}", ls)
    back_p = read_participants(tmp_path / f"p.{fmt}")
    back_l = read_peers(tmp_path / f"l.{fmt}")
    assert back_p == ps
    assert back_l == ls
    assert [p.model_fields_set for p in back_p] == [p.model_fields_set for p in ps]
    assert [x.model_fields_set for x in back_l] == [x.model_fields_set for x in ls]


def test_cross_references_are_consistent(
    large: tuple[list[Participant], list[PeerLeader]],
) -> None:
    ps, ls = large
    p_ids, l_ids = {p.id for p in ps}, {x.id for x in ls}
    active = {x.id for x in ls if x.active}
    for p in ps:
        assert not p.vetoes or p.vetoes <= l_ids
        if p.preferred:
            assert set(p.preferred) <= active
            assert not set(p.preferred) & (p.vetoes or frozenset())
            speaks = {x.id for x in ls if x.languages & p.languages}
            assert set(p.preferred) <= speaks
    for x in ls:
        assert not x.vetoes or x.vetoes <= p_ids


# -- realism -----------------------------------------------------------------------------------


def _share(flags: list[bool]) -> float:
    return sum(flags) / len(flags)


def test_age_and_life_stage(large: tuple[list[Participant], list[PeerLeader]]) -> None:
    ps, ls = large
    ages = np.array([p.age for p in ps])
    assert 57 <= ages.mean() <= 63 and ages.min() >= 28 and ages.max() <= 88
    assert np.mean([x.age for x in ls]) > ages.mean() + 1
    staged = [p for p in ps if p.life_stage]
    old = _share([LifeStage.RETIRED in p.life_stage for p in staged if p.age >= 67])
    young = _share([LifeStage.RETIRED in p.life_stage for p in staged if p.age < 50])
    assert old > 0.75 and young < 0.05
    working = {LifeStage.WORKING_FULL_TIME, LifeStage.WORKING_PART_TIME}
    assert _share([bool(p.life_stage & working) for p in staged if p.age < 50]) > 0.6


def test_availability_follows_life_stage(
    large: tuple[list[Participant], list[PeerLeader]],
) -> None:
    ps, _ = large

    def evening_or_weekend(p: Participant) -> float:
        slots = [s.value for s in p.availability or ()]
        return _share([s.endswith("evening") or s.startswith(("sat", "sun")) for s in slots])

    def stage(s: LifeStage) -> list[Participant]:
        return [p for p in ps if p.availability and p.life_stage and p.life_stage == {s}]

    full_time = np.mean([evening_or_weekend(p) for p in stage(LifeStage.WORKING_FULL_TIME)])
    retired = np.mean([evening_or_weekend(p) for p in stage(LifeStage.RETIRED)])
    assert full_time > 0.7 > 0.4 > retired


def test_diabetes_experience(large: tuple[list[Participant], list[PeerLeader]]) -> None:
    ps, ls = large
    known = [p for p in ps if p.diabetes_years is not None and p.treatments]
    years = np.array([p.diabetes_years for p in known])
    tercile = np.searchsorted(np.quantile(years, [1 / 3, 2 / 3]), years, side="right")
    insulin = np.array([bool(p.treatments & INSULIN) for p in known])
    by_tercile = [insulin[tercile == k].mean() for k in range(3)]
    assert by_tercile[0] + 0.05 < by_tercile[1] and by_tercile[1] + 0.1 < by_tercile[2]

    complications = np.array([len(p.complications or ()) for p in known])
    assert complications[tercile == 0].mean() + 0.3 < complications[tercile == 2].mean()

    lifestyle = np.array([Treatment.LIFESTYLE_ONLY in p.treatments for p in known])
    assert lifestyle[years < 2].mean() > 5 * lifestyle[years >= 5].mean()
    assert _share([Treatment.METFORMIN in p.treatments for p in known]) > 0.7

    monitored = [p for p in known if p.glucose_monitoring is not None]
    cgm = GlucoseMonitoring.CGM
    cgm_ins = _share([p.glucose_monitoring is cgm for p in monitored if p.treatments & INSULIN])
    cgm_not = _share([p.glucose_monitoring is cgm for p in monitored if not p.treatments & INSULIN])
    assert cgm_ins > 2 * cgm_not

    leader_years = [x.diabetes_years for x in ls if x.diabetes_years is not None]
    assert np.mean(leader_years) > years.mean() + 4

    hba1c = [p.hba1c for p in ps if p.hba1c is not None]
    assert 0.8 < len(hba1c) / len(ps) < 0.97 and 6.5 < np.mean(hba1c) < 8.5


def test_goals_fit_the_situation(large: tuple[list[Participant], list[PeerLeader]]) -> None:
    ps, ls = large
    starting = [p for p in ps if p.support_goals and "starting_insulin" in p.support_goals]
    assert starting and all(not (p.treatments or frozenset()) & INSULIN for p in starting)
    offering = [x for x in ls if x.support_goals and "starting_insulin" in x.support_goals]
    assert _share([bool((x.treatments or frozenset()) & INSULIN) for x in offering]) > 0.8


def test_languages_and_missing_values(large: tuple[list[Participant], list[PeerLeader]]) -> None:
    ps, ls = large
    languages = {code for p in ps for code in p.languages}
    assert {"en", "fr", "pa", "zh", "es", "tl", "vi"} <= languages
    assert 0.6 < _share([p.languages == {"en"} for p in ps]) < 0.8
    assert _share([len(p.languages) > 1 for p in ps]) > 0.1
    assert languages <= {code for x in ls if x.active for code in x.languages}
    for name in ("sex", "region", "life_stage", "diet", "interests", "availability"):
        assert 0.003 < _share([getattr(p, name) is None for p in ps]) < 0.1, name


def test_special_cases_present(small: tuple[list[Participant], list[PeerLeader]]) -> None:
    ps, ls = small
    assert 2 <= sum(p.vetoes is not None for p in ps) <= 20
    assert 2 <= sum(x.vetoes is not None for x in ls) <= 5
    musts = [p for p in ps if p.importance and Importance.MUST in p.importance.values()]
    assert musts
    for p in musts:
        assert all(p.given(f) for f, lvl in p.importance.items() if lvl is Importance.MUST)
    assert any(x.importance for x in ls)
    assert 1 <= sum(not x.active for x in ls) <= 5
    capacities = {x.capacity for x in ls}
    assert len(capacities) > 1 and capacities <= set(range(1, 7))
    assert sum(x.capacity for x in ls if x.active) >= len(ps)
    assert any(p.preferred for p in ps)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_default_match_places_nearly_everyone(seed: int) -> None:
    ps, ls = generate_cohort(200, 40, seed=seed)
    result = peermatch.match(ps, ls)
    assert result.metrics["match_rate"] >= 0.9


# -- arguments ---------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "10", 1_000_001])
def test_bad_counts_are_input_errors(bad: Any) -> None:
    with pytest.raises(InputError, match="n_participants"):
        generate_cohort(bad, 5)
    with pytest.raises(InputError, match="n_peers"):
        generate_cohort(5, bad)


def test_bad_format_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="csv, json"):
        write_cohort(tmp_path / "out", 5, 2, fmt="xlsx")
    assert not (tmp_path / "out").exists()


def test_write_creates_missing_folders(tmp_path: Path) -> None:
    p_path, l_path = write_cohort(tmp_path / "a" / "b", 5, 2, fmt="json")
    assert p_path == tmp_path / "a" / "b" / "participants.json"
    assert len(read_participants(p_path)) == 5 and len(read_peers(l_path)) == 2


def test_tiny_cohorts_work() -> None:
    ps, ls = generate_cohort(1, 1, seed=0)
    assert len(ps) == 1 and len(ls) == 1 and ls[0].active
    peermatch.match(ps, ls)


# -- the bundled example cohort ----------------------------------------------------------------


def test_bundled_examples_read_and_are_varied() -> None:
    ps = read_participants(EXAMPLES / "participants.csv")
    ls = read_peers(EXAMPLES / "peers.csv")
    assert len(ps) >= 80 and len(ls) >= 16
    assert len({x.capacity for x in ls}) > 1
    assert any(not x.active for x in ls)


def test_bundled_examples_are_reproducible(tmp_path: Path) -> None:
    """examples/README.md names the call that wrote the files; it must still write them."""
    p_path, l_path = write_cohort(tmp_path, 120, 24, seed=2026)
    assert p_path.read_bytes() == (EXAMPLES / "participants.csv").read_bytes()
    assert l_path.read_bytes() == (EXAMPLES / "peers.csv").read_bytes()
