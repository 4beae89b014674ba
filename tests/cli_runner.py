"""Run the ``peermatch`` command line in a real subprocess (shared by the CLI tests)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def run_peermatch(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m peermatch ARGS`` with captured text output."""
    return subprocess.run(
        [sys.executable, "-m", "peermatch", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )
