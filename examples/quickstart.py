"""Match the example cohort, explain the outcome and save one row per participant.

Run it from any folder (it writes matches.csv into the current folder):

    python examples/quickstart.py
"""

from pathlib import Path

import peermatch

HERE = Path(__file__).resolve().parent

# 1. Read and validate both files; every problem in a file is reported at once.
participants = peermatch.read_participants(HERE / "participants.csv")
peers = peermatch.read_peers(HERE / "peers.csv")
print(f"{len(participants)} participants, {len(peers)} peer leaders")

# 2. Score every pair (rows: participants, columns: leaders, both in id order).
scores = peermatch.score(participants, peers)
print(scores)
print(f"P0001 and L012 score {scores.get('P0001', 'L012'):.3f}")

# 3. Match with the default configuration and solver (participant_centred, hungarian).
result = peermatch.match(participants, peers)
print(result)
for name in ("n_matched", "match_rate", "mean_score", "min_score", "rank1_share"):
    print(f"  {name}: {result.metrics[name]:.3g}")

# 4. Why did this participant get this leader, and what did the alternatives lack?
print(result.explain("P0001"))

# 5. Who is unmatched, and why (a normal outcome, not an error).
for u in result.unmatched:
    print(f"{u.participant_id}: {u.reason} - {u.text}")

# 6. Save the match CSV: one row per participant, in participant-id order.
result.to_csv("matches.csv")
print("wrote matches.csv")
