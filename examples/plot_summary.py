"""Draw a run's summary figure and one match's criterion contributions.

Needs the plot extra (pip install 'peermatch[plot]'). Writes summary.png and P0001.png into
the current folder:

    python examples/plot_summary.py
"""

from pathlib import Path

import peermatch

HERE = Path(__file__).resolve().parent

participants = peermatch.read_participants(HERE / "participants.csv")
peers = peermatch.read_peers(HERE / "peers.csv")
result = peermatch.match(participants, peers)

# Outcomes, score distribution, leader load and what the matches share, in one figure.
peermatch.save_figure(peermatch.plot_summary(result), "summary.png")

# Each criterion's share of one match's score, beside the leader that scored highest for them.
peermatch.save_figure(peermatch.plot_contributions(result, "P0001", versus="L024"), "P0001.png")
print(f"wrote summary.png and P0001.png (P0001 is matched with {result.pairs['P0001']})")
