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
from peermatch.config import Criterion, MatchConfig
from peermatch.errors import InputError, PeermatchError, Problem, SolverError
from peermatch.io import read_participants, read_peers
from peermatch.matching import match
from peermatch.models import Participant, PeerLeader
from peermatch.results import Manifest, Match, MatchResult, PeerLoad, Unmatched
from peermatch.scoring import ScoreMatrix, score
from peermatch.solvers import SOLVERS, solve

__all__ = [
    "SOLVERS",
    "Criterion",
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
    "ScoreMatrix",
    "SolverError",
    "Unmatched",
    "__version__",
    "match",
    "read_participants",
    "read_peers",
    "score",
    "solve",
]
