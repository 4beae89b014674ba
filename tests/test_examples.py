"""The example scripts and the walkthrough notebook run, and say what the docs say they do."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
NOTEBOOK = EXAMPLES / "walkthrough.ipynb"


def run_script(name: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    res = subprocess.run(
        [sys.executable, "-W", "error", str(EXAMPLES / name)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr
    return res


def test_quickstart(tmp_path: Path) -> None:
    res = run_script("quickstart.py", tmp_path)
    assert res.stdout.startswith("120 participants, 24 peer leaders\n")
    assert "Participant P0001 is matched with peer leader" in res.stdout
    lines = (tmp_path / "matches.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("participant_id,peer_id,status,score,rank,reason")
    assert len(lines) == 121


def test_plot_summary(tmp_path: Path) -> None:
    run_script("plot_summary.py", tmp_path)
    for name in ("summary.png", "P0001.png"):
        assert (tmp_path / name).read_bytes().startswith(b"\x89PNG")


def test_custom_config(tmp_path: Path) -> None:
    res = run_script("custom_config.py", tmp_path)
    rows = [line.split(":")[0].strip() for line in res.stdout.splitlines()[:4]]
    assert rows == ["default", "config.toml", "c2c_baseline", "no age"]
    assert "solver maximin" in res.stdout.splitlines()[1]
    assert "get another leader with config.toml" in res.stdout
    assert list(tmp_path.iterdir()) == []


# -- the notebook -----------------------------------------------------------------------------


def test_notebook_is_stored_without_outputs() -> None:
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code
    for cell in code:
        assert cell["outputs"] == [], cell["source"]
        assert cell["execution_count"] is None
    nbformat.validate(nbformat.reads(NOTEBOOK.read_text(encoding="utf-8"), as_version=4))


@pytest.fixture
def kernel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A kernel spec that runs this very interpreter, found before any user-level spec."""
    name = "peermatch-tests"
    spec = tmp_path / "jupyter" / "kernels" / name
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "peermatch tests",
                "language": "python",
                "env": {"PYDEVD_DISABLE_FILE_VALIDATION": "1"},
            }
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    monkeypatch.delenv("MPLBACKEND", raising=False)
    return name


def outputs(cell: Any) -> list[Any]:
    return list(cell.get("outputs", []))


def test_walkthrough_notebook_runs(kernel: str) -> None:
    before = sorted(p.name for p in EXAMPLES.iterdir())
    nb = nbformat.reads(NOTEBOOK.read_text(encoding="utf-8"), as_version=4)
    probe = nbformat.v4.new_code_cell("import os, sys; print(sys.executable); print(os.getcwd())")
    nb.cells.insert(0, probe)
    client = NotebookClient(
        nb,
        kernel_name=kernel,
        timeout=300,
        startup_timeout=180,
        resources={"metadata": {"path": str(EXAMPLES)}},
    )
    client.execute()  # raises CellExecutionError on the first failing cell

    # the kernel is this environment's interpreter, in examples/
    printed = outputs(nb.cells[0])[0]["text"].splitlines()
    assert printed == [sys.executable, str(EXAMPLES)]

    code = [c for c in nb.cells[1:] if c.cell_type == "code"]
    for cell in code:
        for out in outputs(cell):
            assert out["output_type"] != "error", cell.source
            assert out.get("name") != "stderr", (cell.source, out.get("text"))

    def data_of(fragment: str) -> dict[str, Any]:
        (cell,) = [c for c in code if c.source.strip().endswith(fragment)]
        (out,) = [o for o in outputs(cell) if o["output_type"] == "execute_result"]
        return dict(out["data"])

    # rich display: results, scores and explanations as HTML, figures once as PNG
    assert (
        "MatchResult"
        in data_of("result = peermatch.match(participants, peers)\nresult")["text/html"]
    )
    assert (
        "ScoreMatrix"
        in data_of("scores = peermatch.score(participants, peers)\nscores")["text/html"]
    )
    assert "peermatch-explanation" in data_of('result.explanation("P0001")')["text/html"]
    assert "is unmatched" in data_of('with_newcomer.explanation("P9001")')["text/html"]
    for cell in code:
        if cell.source.startswith("plots."):
            images = [o for o in outputs(cell) if "image/png" in o.get("data", {})]
            assert len(images) == 1, cell.source

    # nothing was written next to the example files
    assert sorted(p.name for p in EXAMPLES.iterdir()) == before
    assert not any(name.startswith(".") and name.endswith(".tmp") for name in os.listdir(EXAMPLES))
