"""Exact capacitated assignment from row blocks: candidate sets and a dual certificate.

Internal package. :func:`solve_blocks` matches ``n`` participants (rows) with ``m`` leaders
(columns) without ever holding the ``n x m`` score matrix: a callable produces the scores of a
few rows at a time, each row keeps a short list of candidate leaders, the problem restricted to
those candidates is solved exactly, and LP duality then proves the restricted optimum optimal for
the *full* problem -- or names the pairs that must be added before solving again.
:func:`solve_problem_sparse` runs it on an in-memory ``ArrayProblem``.

One module per job:

- ``_settings``: the arguments, checked once;
- ``_weights``: objective values mapped exactly onto count-first integer weights;
- ``_chunks``: each row's best entries from the maxima of interleaved column chunks;
- ``_scan``: passes over row blocks (on threads if asked), keeping each row's best entries
  and bounds on the others;
- ``_columns``: each leader's best rows over the first pass;
- ``_pairs``: sparse pair lists (candidates, preference bonus);
- ``_restricted``: the exact restricted solvers (OR-Tools min cost flow when the optional
  dependency is installed, extra ``scale``; otherwise scipy's sparse LAPJV);
- ``_certificate``: dual prices of a restricted optimum and the checks that they fit every
  pair;
- ``_driver``: :func:`solve_blocks`, a first pass followed by rounds of solve, check and growth;
- ``_result``: the provider signature and :class:`SparseResult`.
"""

from peermatch.solvers._blocks._driver import solve_blocks, solve_problem_sparse
from peermatch.solvers._blocks._restricted import BACKENDS, Backend, ortools_available
from peermatch.solvers._blocks._result import BlockProvider, SparseResult, uncertified_message

__all__ = [
    "BACKENDS",
    "Backend",
    "BlockProvider",
    "SparseResult",
    "ortools_available",
    "solve_blocks",
    "solve_problem_sparse",
    "uncertified_message",
]
