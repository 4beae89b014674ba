"""A programme year: shortlists to choose from, endings, re-matching and the run history.

:func:`shortlist` gives each participant the best few leaders with room, with a shareable card;
:func:`rematch` re-matches after endings and life changes while keeping working pairs;
:class:`History` is the append-only record of a programme year's runs, from which any run can
be replayed. :func:`choices_template`, :func:`read_choices` and :func:`apply_choices` carry
participants' answers to a phone script into their ``preferred`` lists. For planning,
:func:`gaps` finds the needs that leave participants without a good match and checks
recruitment targets, and :func:`simulate` compares matching policies over many simulated
cohorts.
"""

from peermatch.programme._choices import apply_choices, choices_template, read_choices
from peermatch.programme._gaps import GapReport, Need, Target, gaps
from peermatch.programme._history import History, Replay, RunRecord
from peermatch.programme._rematch import PreviousRun, read_endings, rematch, write_endings
from peermatch.programme._shortlist import (
    DEFAULT_CARD_FIELDS,
    Candidate,
    Shortlists,
    open_places,
    shortlist,
)
from peermatch.programme._simulate import (
    DemoCohorts,
    LogitChoice,
    ScoreDropout,
    Simulation,
    simulate,
)

__all__ = [
    "DEFAULT_CARD_FIELDS",
    "Candidate",
    "DemoCohorts",
    "GapReport",
    "History",
    "LogitChoice",
    "Need",
    "PreviousRun",
    "Replay",
    "RunRecord",
    "ScoreDropout",
    "Shortlists",
    "Simulation",
    "Target",
    "apply_choices",
    "choices_template",
    "gaps",
    "open_places",
    "read_choices",
    "read_endings",
    "rematch",
    "shortlist",
    "simulate",
    "write_endings",
]
