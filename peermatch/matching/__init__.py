"""Matching: one cohort in, one explained result out, and independent checks of a result.

:func:`match` scores a cohort, runs a solver and returns a :class:`MatchResult` (matches,
unmatched participants with reasons, leader load, metrics, a manifest, explanations and
exports). :func:`compare` runs several solvers or configurations on one cohort. The checks
(:func:`check_result`, :func:`check_assignment`, :func:`blocking_pairs`,
:func:`assignment_objective`) are written apart from the solvers, for tests and for anyone
auditing a result.
"""

from peermatch.matching._changes import Change, Ending, RematchReport
from peermatch.matching._compare import Comparison, compare
from peermatch.matching._display import Explanation
from peermatch.matching._match import match
from peermatch.matching._results import Manifest, Match, MatchResult, PeerLoad, Unmatched
from peermatch.matching._verify import (
    assignment_objective,
    blocking_pairs,
    check_assignment,
    check_result,
)

__all__ = [
    "Change",
    "Comparison",
    "Ending",
    "Explanation",
    "Manifest",
    "Match",
    "MatchResult",
    "PeerLoad",
    "RematchReport",
    "Unmatched",
    "assignment_objective",
    "blocking_pairs",
    "check_assignment",
    "check_result",
    "compare",
    "match",
]
