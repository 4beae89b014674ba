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

from peermatch import display, errors, io, matching, profiles, programme, scoring, solvers
from peermatch._version import __version__
from peermatch.display import (
    plot_contributions,
    plot_leader_load,
    plot_match_graph,
    plot_score_distribution,
    plot_score_heatmap,
    plot_summary,
    save_figure,
)
from peermatch.errors import (
    InputError,
    OptimalityWarning,
    PeermatchError,
    PeermatchWarning,
    Problem,
    SolverError,
)
from peermatch.io import (
    MAX_FILE_BYTES,
    MAX_ROWS,
    Pseudonymiser,
    deidentified_match_csv,
    deidentified_match_json,
    deidentified_profiles_csv,
    deidentify_profiles,
    deidentify_result,
    read_participants,
    read_peers,
    write_cohort,
    write_profiles,
)
from peermatch.matching import (
    Change,
    Comparison,
    Ending,
    Explanation,
    Manifest,
    Match,
    MatchResult,
    PeerLoad,
    RematchReport,
    Unmatched,
    assignment_objective,
    blocking_pairs,
    check_assignment,
    check_result,
    compare,
    match,
)
from peermatch.profiles import (
    AVAILABILITY_SLOTS,
    LABELS,
    ActivityLevel,
    CommunicationStyle,
    Complication,
    ContactFrequency,
    ContactMode,
    Diet,
    EndReason,
    GlucoseMonitoring,
    Importance,
    LifeStage,
    Participant,
    PeerLeader,
    Sex,
    Slot,
    SupportGoal,
    Treatment,
    generate_cohort,
    label,
)
from peermatch.programme import (
    DEFAULT_CARD_FIELDS,
    Candidate,
    History,
    PreviousRun,
    Replay,
    RunRecord,
    Shortlists,
    open_places,
    read_endings,
    rematch,
    shortlist,
    write_endings,
)
from peermatch.scoring import (
    Criterion,
    MatchConfig,
    ScoreMatrix,
    score,
)
from peermatch.solvers import (
    SOLVERS,
    solve,
)

#: The documented public modules: every public name is importable from ``peermatch`` and from
#: exactly one of them.
PUBLIC_MODULES = (errors, profiles, scoring, solvers, matching, programme, io, display)

__all__ = [
    "AVAILABILITY_SLOTS",
    "DEFAULT_CARD_FIELDS",
    "LABELS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "SOLVERS",
    "ActivityLevel",
    "Candidate",
    "Change",
    "CommunicationStyle",
    "Comparison",
    "Complication",
    "ContactFrequency",
    "ContactMode",
    "Criterion",
    "Diet",
    "EndReason",
    "Ending",
    "Explanation",
    "GlucoseMonitoring",
    "History",
    "Importance",
    "InputError",
    "LifeStage",
    "Manifest",
    "Match",
    "MatchConfig",
    "MatchResult",
    "OptimalityWarning",
    "Participant",
    "PeerLeader",
    "PeerLoad",
    "PeermatchError",
    "PeermatchWarning",
    "PreviousRun",
    "Problem",
    "Pseudonymiser",
    "RematchReport",
    "Replay",
    "RunRecord",
    "ScoreMatrix",
    "Sex",
    "Shortlists",
    "Slot",
    "SolverError",
    "SupportGoal",
    "Treatment",
    "Unmatched",
    "__version__",
    "assignment_objective",
    "blocking_pairs",
    "check_assignment",
    "check_result",
    "compare",
    "deidentified_match_csv",
    "deidentified_match_json",
    "deidentified_profiles_csv",
    "deidentify_profiles",
    "deidentify_result",
    "generate_cohort",
    "label",
    "match",
    "open_places",
    "plot_contributions",
    "plot_leader_load",
    "plot_match_graph",
    "plot_score_distribution",
    "plot_score_heatmap",
    "plot_summary",
    "read_endings",
    "read_participants",
    "read_peers",
    "rematch",
    "save_figure",
    "score",
    "shortlist",
    "solve",
    "write_cohort",
    "write_endings",
    "write_profiles",
]
