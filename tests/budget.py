"""How many examples a hypothesis test runs, always relative to the active profile.

The profiles are registered in ``conftest.py``: ``default`` (derandomized, hypothesis' own count
of 100 examples per test) and ``thorough`` (``HYPOTHESIS_PROFILE=thorough``, 1000 new random
examples per test). No test fixes its own example count below the active profile's, so the
thorough profile explores every test ten times further. A test either takes the profile's count
(no ``max_examples`` of its own), or asks for more with :func:`at_least`, or, when a single
example is slow, runs fewer in the default profile only with :func:`slow`. Every use of
:func:`slow` is listed, with its reason, in ``SLOW_TESTS`` of ``test_hypothesis_profiles.py``,
which checks all of this for every hypothesis test of the suite.
"""

from __future__ import annotations

from hypothesis import settings


def examples(n: int, *, slow: bool = False, profile: settings | None = None) -> int:
    """Example count for a test that asks for ``n`` under ``profile`` (the active one if None).

    Never below the profile's count, except for a slow test in a profile that runs no more
    examples than the default profile: such a test runs its own ``n``.
    """
    active = (profile or settings.default).max_examples
    if slow and active <= settings.get_profile("default").max_examples:
        return n
    return max(n, active)


def at_least(n: int) -> settings:
    """Settings for a test that runs ``n`` examples, or the profile's count when larger."""
    return settings(max_examples=examples(n))


def slow(n: int) -> settings:
    """Settings for a slow test: ``n`` examples in the default profile, the full count above it."""
    return settings(max_examples=examples(n, slow=True))
