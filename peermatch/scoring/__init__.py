"""Scoring: the configuration, and the score and feasibility of every participant–leader pair.

:class:`MatchConfig` holds one :class:`Criterion` per scored field plus the global settings;
:func:`score` returns a :class:`ScoreMatrix` with each pair's weighted similarity, whether the
pair may be matched at all and, when it may not, why. Profiles are encoded into arrays once;
the criteria and the scorer are pure numpy kernels over those arrays.
"""

from peermatch.scoring._config import Criterion, MatchConfig
from peermatch.scoring._scorer import ScoreMatrix, score

__all__ = ["Criterion", "MatchConfig", "ScoreMatrix", "score"]
