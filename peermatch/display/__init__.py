"""Figures of scores and match results, and documents for people (``docs/coordinators.md``).

The ``plot_*`` functions return a :class:`matplotlib.figure.Figure` (the ``plot`` extra).
matplotlib is imported when a function is first called, not when peermatch is imported;
without it the call raises an :class:`ImportError` that gives the install command.

:func:`phone_script`, :func:`call_sheets` and :func:`coordinator_report` write documents for
people in plain words — self-contained HTML (or plain text and CSV) that needs nothing
beyond peermatch's core dependencies.
"""

from peermatch.display._callsheet import call_sheets, read_contacts
from peermatch.display._plots import (
    plot_contributions,
    plot_leader_load,
    plot_match_graph,
    plot_score_distribution,
    plot_score_heatmap,
    plot_summary,
    save_figure,
)
from peermatch.display._report import coordinator_report, report_result
from peermatch.display._script import phone_script

__all__ = [
    "call_sheets",
    "coordinator_report",
    "phone_script",
    "plot_contributions",
    "plot_leader_load",
    "plot_match_graph",
    "plot_score_distribution",
    "plot_score_heatmap",
    "plot_summary",
    "read_contacts",
    "report_result",
    "save_figure",
]
