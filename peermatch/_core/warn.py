"""Issuing warnings at the caller's line, written once (internal)."""

from __future__ import annotations

import sys
import warnings

__all__ = ["warn"]


def warn(warning: Warning) -> None:
    """Issue ``warning`` as if from the first caller outside peermatch.

    The same warning can come from different depths of the library (``match``, ``compare``,
    ``rematch``); pointing at the caller's own line tells the user which call it is about.
    """
    level = 1
    frame = sys._getframe(1)
    while frame.f_back is not None and frame.f_globals.get("__name__", "").partition(".")[0] == (
        "peermatch"
    ):
        frame = frame.f_back
        level += 1
    warnings.warn(warning, stacklevel=level + 1)
