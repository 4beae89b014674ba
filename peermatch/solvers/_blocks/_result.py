"""What the block solver takes (a provider of row blocks) and what it returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from peermatch.solvers._common import BoolArray, FloatArray, IntArray

__all__ = ["BlockProvider", "SparseResult", "uncertified_message"]

#: ``provider(start, stop) -> (values, allowed)`` for rows ``start .. stop - 1``: ``values`` is
#: float64 of shape ``(stop - start, m)`` (finite on allowed pairs), ``allowed`` is bool of the
#: same shape and already includes feasibility and ``capacity > 0``. A row's numbers must not
#: depend on the block it is computed in.
BlockProvider = Callable[[int, int], tuple[FloatArray, BoolArray]]


@dataclass(frozen=True)
class SparseResult:
    """Outcome of :func:`~peermatch.solvers._blocks.solve_blocks`.

    Attributes
    ----------
    assignment : ndarray of int64, shape (n,)
        Matched column per row, ``-1`` when unmatched.
    certified : bool
        True when the dual certificate proves the assignment optimal for the full problem
        (most participants matched, then the highest total), up to ``tolerance`` per
        participant.
    gap_bound : float
        0.0 when certified; otherwise an upper bound on how much the optimum exceeds the
        achieved total of the count-first weights ``count_weight + objective -
        objective_min`` over matched pairs. When ``count_certified`` is True the counts are
        equal and this bounds the gap in the total objective (value + preference bonus).
    rounds : int
        Certificate checks made (each after one exact solve of the restricted problem).
    n_candidates : int
        Candidate pairs in the final restricted problem.
    count_certified : bool
        True when no assignment matches more participants.
    tolerance : float
        Resolution of the integer weights: the proof holds for the objective rounded to
        multiples of ``tolerance``, so a certified result is within ``tolerance`` per
        participant of the float optimum.
    rows_rescored : int
        Rows whose scores were computed again after the first pass (summed over rounds).
    backend : str
        The restricted solver used: ``"ortools"`` or ``"scipy"``.
    timings : dict of str to float
        Seconds spent per phase: ``scan`` (first pass), ``solve``, ``potentials``, ``check``,
        ``rescore``, ``total``.
    round_log : tuple of dict
        Per certificate round: ``candidates`` in the restricted problem, ``matched``,
        ``rows_failing`` the cheap check (re-scored), ``rows_violated`` (given new candidates).
    first_cols, first_obj : ndarray, optional
        The first pass's kept entries of each row (best objective first not guaranteed;
        ``-1`` / ``-inf`` pad rows with fewer allowed pairs): callers use them to rank a
        row's options without scoring it again.
    count_weight, objective_min : float
        The constants of the count-first weights (``count_weight`` exceeds ``n`` times the
        spread of the objective, so one more matched participant outweighs any total).
    """

    assignment: IntArray
    certified: bool
    gap_bound: float
    rounds: int
    n_candidates: int
    count_certified: bool = True
    tolerance: float = 0.0
    rows_rescored: int = 0
    backend: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    round_log: tuple[dict[str, int], ...] = ()
    count_weight: float = 0.0
    objective_min: float = 0.0
    first_cols: IntArray | None = field(default=None, repr=False)
    first_obj: FloatArray | None = field(default=None, repr=False)

    @property
    def n_matched(self) -> int:
        """Number of matched participants."""
        return int(np.count_nonzero(self.assignment >= 0))


def uncertified_message(result: SparseResult) -> str:
    """The text of the :class:`~peermatch.errors.OptimalityWarning` for an uncertified result.

    Examples
    --------
    >>> res = SparseResult(np.zeros(2, dtype=np.int64), False, 0.25, 3, 4)
    >>> print(uncertified_message(res))  # doctest: +NORMALIZE_WHITESPACE
    the matching is valid but not proven optimal: the certificate stopped after 3 rounds
    (its round limit); no matching places more participants, and the best total of score +
    preference bonus is at most 0.25 higher
    """
    rounds = f"{result.rounds} round" + ("" if result.rounds == 1 else "s")
    head = (
        "the matching is valid but not proven optimal: the certificate stopped after "
        f"{rounds} (its round limit); "
    )
    if result.count_certified:
        return head + (
            "no matching places more participants, and the best total of score + preference "
            f"bonus is at most {result.gap_bound:.3g} higher"
        )
    return head + (
        "a matching may place more participants; the gap bound on the count-first objective "
        f"(count weight {result.count_weight:.3g} per participant plus the total) is "
        f"{result.gap_bound:.3g}"
    )
