"""The planning page: its generated outputs are what the library gives, and its code runs."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pytest

import peermatch

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGE = (DOCS / "planning.md").read_text(encoding="utf-8")

sys.path.insert(0, str(DOCS / "_ext"))
import peermatch_docs  # noqa: E402


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("generated")
    peermatch_docs.planning(folder, ROOT)
    return folder


@pytest.fixture(scope="module")
def cohort() -> tuple[list[peermatch.Participant], list[peermatch.PeerLeader]]:
    return (
        peermatch.read_participants(ROOT / "examples" / "participants.csv"),
        peermatch.read_peers(ROOT / "examples" / "peers.csv"),
    )


def test_the_page_shows_every_generated_output() -> None:
    for name in ("gaps.txt", "simulate.txt", "balance.md"):
        assert f"_generated/{name}" in PAGE
    shown = " ".join(peermatch_docs.SIMULATE_ARGS)
    assert f"peermatch simulate examples/participants.csv examples/peers.csv {shown}" in PAGE


def test_gaps_output_is_the_library_report(generated: Path, cohort: tuple) -> None:
    assert (generated / "gaps.txt").read_text(encoding="utf-8") == peermatch.gaps(*cohort).to_text()


def test_simulate_output_is_the_library_report(generated: Path, cohort: tuple) -> None:
    flags = peermatch_docs.SIMULATE_ARGS
    args = dict(zip(flags[::2], flags[1::2], strict=True))
    sim = peermatch.simulate(*cohort, reps=int(args["--reps"]), seed=int(args["--seed"]))
    assert (generated / "simulate.txt").read_text(encoding="utf-8") == sim.to_text()


def test_balance_table_figures(generated: Path, cohort: tuple) -> None:
    ps, ls = cohort
    lines = (generated / "balance.md").read_text(encoding="utf-8").splitlines()[2:]
    assert len(lines) == len(peermatch_docs.BALANCES)
    spreads = []
    for b, line in zip(peermatch_docs.BALANCES, lines, strict=True):
        result = peermatch.match(ps, ls, peermatch.MatchConfig(balance=b))
        active = [x for x in result.peer_load.values() if x.active and x.capacity > 0]
        share = [x.assigned / x.capacity for x in active]
        full = sum(x.assigned == x.capacity for x in active)
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert float(cells[0]) == b
        assert cells[1] == f"{len(result.matches)} of {len(ps)}"
        assert float(cells[2]) == pytest.approx(
            np.mean([m.score for m in result.matches]), abs=5e-5
        )
        assert float(cells[3]) == pytest.approx(np.std(share), abs=5e-4)
        assert cells[4] == f"{full} of {len(active)}"
        lightest = sorted(active, key=lambda x: (x.assigned / x.capacity, x.peer_id))[:2]
        assert cells[5] == ", ".join(f"{x.assigned} of {x.capacity}" for x in lightest)
        spreads.append(np.std(share))
    # what the page says of the table: never fewer matched, and a smaller spread
    assert all(line.split("|")[2] == lines[0].split("|")[2] for line in lines)
    assert spreads[-1] < spreads[0]


def test_the_python_example_runs() -> None:
    code = re.search(r"```python\n(.*?)```", PAGE, re.S)
    assert code is not None
    exec(compile(code.group(1), "planning.md", "exec"), {"__name__": "planning_example"})
