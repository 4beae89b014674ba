"""Array-level solvers: score arrays in, one leader index (or -1) per participant out.

Solvers know nothing about profiles: :func:`solve` takes an N×M array of values (higher is
better), an N×M mask of the pairs that may be matched and M capacities. The registry
:data:`SOLVERS` maps each solver name to its function and guarantee; the command line's
``--solver`` choices and the documentation are generated from it.
"""

from peermatch.solvers._common import SOLVERS
from peermatch.solvers._solve import solve

__all__ = ["SOLVERS", "solve"]
