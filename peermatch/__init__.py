"""peermatch: pair peer support participants with trained peer leaders.

Validated profiles, a weighted and explainable similarity score, exact assignment with
capacities, vetoes and preferences.

Examples
--------
>>> import peermatch
>>> ps = [peermatch.Participant(id="P1", age=52, languages="en", life_stage="retired")]
>>> ls = [peermatch.PeerLeader(id="L1", age=60, languages="en", life_stage="retired")]
>>> peermatch.match(ps, ls).pairs
{'P1': 'L1'}
"""

from peermatch._display import Explanation
from peermatch._version import __version__
from peermatch.changes import Change, Ending, RematchReport
from peermatch.compare import Comparison, compare
from peermatch.config import Criterion, MatchConfig
from peermatch.errors import InputError, PeermatchError, Problem, SolverError
from peermatch.io import read_participants, read_peers
from peermatch.matching import match
from peermatch.models import Participant, PeerLeader
from peermatch.rematch import read_endings, rematch
from peermatch.results import Manifest, Match, MatchResult, PeerLoad, Unmatched
from peermatch.scoring import ScoreMatrix, score
from peermatch.shortlist import Candidate, Shortlists, shortlist
from peermatch.solvers import SOLVERS, solve

__all__ = [
    "SOLVERS",
    "Candidate",
    "Change",
    "Comparison",
    "Criterion",
    "Ending",
    "Explanation",
    "InputError",
    "Manifest",
    "Match",
    "MatchConfig",
    "MatchResult",
    "Participant",
    "PeerLeader",
    "PeerLoad",
    "PeermatchError",
    "Problem",
    "RematchReport",
    "ScoreMatrix",
    "Shortlists",
    "SolverError",
    "Unmatched",
    "__version__",
    "compare",
    "match",
    "read_endings",
    "read_participants",
    "read_peers",
    "rematch",
    "score",
    "shortlist",
    "solve",
]
