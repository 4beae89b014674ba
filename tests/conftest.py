"""Shared test set-up: hypothesis profiles and cohort strategies."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from hypothesis import HealthCheck, settings

sys.path.insert(0, str(Path(__file__).parent))

# The default profile is derandomized, so a run of the suite is reproducible (CI never fails on
# an example it did not see before); the "thorough" profile explores ten times as many new random
# examples. No test fixes its own example count below the active profile's: budget.py gives the
# counts and test_hypothesis_profiles.py checks them.
settings.register_profile(
    "default",
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "thorough",
    deadline=None,
    max_examples=1000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
