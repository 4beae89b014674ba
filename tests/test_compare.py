"""compare: several solvers or configurations on one cohort, metrics side by side."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from budget import slow
from hypothesis import given
from strategies import cohorts

from peermatch import (
    SOLVERS,
    Comparison,
    InputError,
    MatchConfig,
    compare,
    match,
    read_participants,
    read_peers,
)
from peermatch.matching._compare import TABLE_ROWS

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(scope="module")
def example() -> tuple[list, list]:  # type: ignore[type-arg]
    return read_participants(EXAMPLES / "participants.csv"), read_peers(EXAMPLES / "peers.csv")


@given(cohort=cohorts(max_participants=7, max_peers=4))
@slow(40)
def test_numbers_equal_each_solvers_own_match(cohort) -> None:  # type: ignore[no-untyped-def]
    ps, ls = cohort
    cmp = compare(ps, ls)
    assert [run.label for run in cmp.runs] == sorted(SOLVERS)
    for run in cmp.runs:
        alone = match(ps, ls, solver=run.solver)
        assert dict(run.metrics) == dict(alone.metrics)
        assert run.result.pairs == alone.pairs
        assert run.result.manifest == alone.manifest


def test_example_cohort_every_solver(example) -> None:  # type: ignore[no-untyped-def]
    ps, ls = example
    cmp = compare(ps, ls)
    assert isinstance(cmp, Comparison)
    for run in cmp.runs:
        assert dict(run.metrics) == dict(match(ps, ls, solver=run.solver).metrics)
    assert cmp.results["stable"].metrics["blocking_pairs"] == 0
    # hungarian matches at least as many, with at least the total score, as any other solver
    h = cmp.results["hungarian"].metrics
    for run in cmp.runs:
        assert h["n_matched"] >= run.metrics["n_matched"]
    text = str(cmp)
    assert text == cmp.to_text()
    lines = text.splitlines()
    assert lines[0].split() == sorted(SOLVERS)
    for _, label, _ in TABLE_ROWS:
        assert any(line.startswith(label) for line in lines), label
    matched = next(line for line in lines if line.startswith("matched"))
    assert f"{h['n_matched']} of 120" in matched
    blocking = next(line for line in lines if line.startswith("blocking pairs")).split()
    assert blocking[2:] == [str(cmp.results[s].metrics["blocking_pairs"]) for s in sorted(SOLVERS)]


def test_named_configs_with_their_own_solvers(example) -> None:  # type: ignore[no-untyped-def]
    ps, ls = example
    centred = MatchConfig(solver="stable")
    c2c = MatchConfig.from_preset("c2c_baseline")
    cmp = compare(ps, ls, configs={"centred": centred, "trial": c2c})
    assert [(r.label, r.solver, r.config_name) for r in cmp.runs] == [
        ("centred", "stable", "centred"),
        ("trial", "hungarian", "trial"),
    ]
    assert dict(cmp.runs[0].metrics) == dict(match(ps, ls, centred).metrics)
    assert dict(cmp.runs[1].metrics) == dict(match(ps, ls, c2c).metrics)
    lines = cmp.to_text().splitlines()
    assert lines[2].split() == ["solver", "stable", "hungarian"]
    assert lines[3].split() == ["config", "centred", "trial"]


def test_configs_times_solvers_and_sequence_names(example) -> None:  # type: ignore[no-untyped-def]
    ps, ls = example
    ps = ps[:30]
    cmp = compare(
        ps,
        ls,
        solvers=["stable", "hungarian", "stable"],
        configs=[MatchConfig(), MatchConfig(min_score=0.5)],
    )
    assert [r.label for r in cmp.runs] == [
        "participant_centred / stable",
        "participant_centred / hungarian",
        "participant_centred-2 / stable",
        "participant_centred-2 / hungarian",
    ]
    one = compare(ps, ls, solvers=["greedy", "maximin"], configs=MatchConfig())
    assert [r.label for r in one.runs] == ["greedy", "maximin"]
    per_config = compare(
        ps, ls, solvers=["greedy"], configs={"a": MatchConfig(), "b": MatchConfig()}
    )
    assert [r.label for r in per_config.runs] == ["a", "b"]


def test_exports(example, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ps, ls = example
    cmp = compare(ps[:20], ls, solvers=["hungarian", "greedy"])
    records = cmp.to_records()
    assert [r["run"] for r in records] == ["hungarian", "greedy"]
    assert list(records[0])[:4] == ["run", "solver", "config", "config_hash"]
    text = cmp.to_csv(tmp_path / "c.csv")
    assert (tmp_path / "c.csv").read_bytes() == text.encode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["solver"] for r in rows] == ["hungarian", "greedy"]
    assert float(rows[0]["mean_score"]) == records[0]["mean_score"]
    data = json.loads(cmp.to_json(tmp_path / "c.json"))
    assert data["runs"][1]["metrics"]["n_matched"] == records[1]["n_matched"]
    assert data["input_hash"] == cmp.runs[0].result.manifest.input_hash
    assert repr(cmp) == "<Comparison of 2 runs: hungarian, greedy>"


def test_bad_options(example) -> None:  # type: ignore[no-untyped-def]
    ps, ls = example
    with pytest.raises(InputError, match="expected one of: greedy, hungarian, maximin, stable"):
        compare(ps, ls, solvers=["magic"])
    with pytest.raises(InputError, match="at least one solver"):
        compare(ps, ls, solvers=[])
    with pytest.raises(InputError, match="'x' is not a MatchConfig"):
        compare(ps, ls, configs={"x": "nope"})  # type: ignore[dict-item]


def test_empty_cohort() -> None:
    cmp = compare([], [])
    assert all(r.metrics["n_participants"] == 0 for r in cmp.runs)
    assert "0 of 0" in cmp.to_text()
