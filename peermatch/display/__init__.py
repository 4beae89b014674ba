"""Figures of scores and match results (the ``plot`` extra: matplotlib).

Every function returns a :class:`matplotlib.figure.Figure`. matplotlib is imported when a
function is first called, not when peermatch is imported; without it the call raises an
:class:`ImportError` that gives the install command.
"""

from peermatch.display._plots import (
    plot_contributions,
    plot_leader_load,
    plot_match_graph,
    plot_score_distribution,
    plot_score_heatmap,
    plot_summary,
    save_figure,
)

__all__ = [
    "plot_contributions",
    "plot_leader_load",
    "plot_match_graph",
    "plot_score_distribution",
    "plot_score_heatmap",
    "plot_summary",
    "save_figure",
]
