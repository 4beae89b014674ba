"""peermatch: pair peer support participants with trained peer leaders."""

from peermatch._version import __version__
from peermatch.errors import InputError, PeermatchError, Problem, SolverError
from peermatch.solvers import SOLVERS, solve

__all__ = [
    "SOLVERS",
    "InputError",
    "PeermatchError",
    "Problem",
    "SolverError",
    "__version__",
    "solve",
]
