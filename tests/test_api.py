"""The public API surface."""

from __future__ import annotations

import subprocess
import sys

import peermatch


def test_every_public_name_imports() -> None:
    for name in peermatch.__all__:
        assert hasattr(peermatch, name), name
    namespace: dict[str, object] = {}
    exec("from peermatch import *", namespace)
    assert set(peermatch.__all__) <= set(namespace)


def test_import_has_no_side_effects() -> None:
    code = (
        "import logging, warnings, sys;"
        "import numpy, scipy.optimize, scipy.sparse.csgraph, pydantic, networkx;"
        "before = list(logging.root.handlers);"
        "f = list(warnings.filters); import peermatch;"
        "assert logging.root.handlers == before; assert warnings.filters == f;"
        "assert 'matplotlib' not in sys.modules and 'pandas' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_solvers_registry_has_guarantees() -> None:
    assert "hungarian" in peermatch.SOLVERS
    for spec in peermatch.SOLVERS.values():
        assert spec.guarantee and callable(spec.function)
