"""The benchmark harness and the command line's progress line."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from unittest import mock

import pytest

from peermatch.cli import _main as cli
from peermatch.cli._bench import run
from peermatch.matching import _scale
from peermatch.solvers._blocks import ortools_available


def test_benchmark_prints_every_figure_beside_its_baseline() -> None:
    lines: list[str] = []
    records = run([300], write=lines.append, quick=True)
    text = "\n".join(lines)
    assert "300 participants x 60 leaders" in text
    assert "scoring:" in text and "plain weighted sum" in text and "ratio" in text
    assert "match (end to end" in text and "ratio match / dense LSA" in text
    assert "stable" in text and "greedy" in text
    (rec,) = records
    assert rec["n"] == 300 and rec["match_s"] > 0 and rec["lsa_s"] > 0
    assert rec["certified"] == 1


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.skipif(not ortools_available(), reason="needs the 'scale' extra")
def test_progress_line_on_a_terminal_only(tmp_path: Path) -> None:
    from peermatch import write_cohort

    p, leaders = write_cohort(tmp_path, 80, 16, seed=3)
    argv = ["match", str(p), str(leaders), "-o", str(tmp_path / "m.csv")]
    for stream, shown in ((_Terminal(), True), (io.StringIO(), False)):
        with (
            mock.patch.object(sys, "stderr", stream),
            mock.patch.object(_scale, "SPARSE_MIN_PAIRS", 0),
        ):
            assert cli.main(argv) == 0
        text = stream.getvalue()
        assert ("scoring: 80 of 80" in text) is shown
        assert text.rstrip().endswith("unmatched; wrote " + str(tmp_path / "m.csv"))
