"""Match the example cohort with a programme's own configuration and compare.

Loads config.toml (beside this script), matches with it and with the default, and shows
what changed. Run it from any folder:

    python examples/custom_config.py
"""

from pathlib import Path

import peermatch

HERE = Path(__file__).resolve().parent

participants = peermatch.read_participants(HERE / "participants.csv")
peers = peermatch.read_peers(HERE / "peers.csv")

default = peermatch.MatchConfig()  # the participant_centred preset
custom = peermatch.MatchConfig.from_file(HERE / "config.toml")
baseline = peermatch.MatchConfig.from_preset("c2c_baseline")  # sex, region, availability

# A configuration can also be changed in Python: here, age counts for nothing.
no_age = peermatch.MatchConfig.from_mapping({"criteria": {"age": {"weight": 0}}})

for name, cfg in [
    ("default", default),
    ("config.toml", custom),
    ("c2c_baseline", baseline),
    ("no age", no_age),
]:
    r = peermatch.match(participants, peers, cfg)
    mt = r.metrics
    print(
        f"{name:>12}: solver {r.solver:<9} matched {mt['n_matched']:>3} of "
        f"{mt['n_participants']}, mean score {mt['mean_score']:.3f}, "
        f"lowest {mt['min_score']:.3f}, config {r.manifest.config_hash[:8]}"
    )

# Who got a different leader under config.toml, and who is now unmatched?
before = peermatch.match(participants, peers, default)
after = peermatch.match(participants, peers, custom)
moved = [pid for pid, lid in before.pairs.items() if after.pairs.get(pid, lid) != lid]
print(f"\n{len(moved)} participants get another leader with config.toml")
for u in after.unmatched:
    print()
    print(after.explain(u.participant_id))

# The full configuration, every parameter resolved, as TOML.
print("\nconfig.toml in full (first lines):")
print("\n".join(custom.to_toml().splitlines()[:12]))
