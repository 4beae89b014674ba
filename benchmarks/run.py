"""Benchmark peermatch against baselines measured in the same run.

    python benchmarks/run.py            # 1k, 5k, 20k and 100k participants (under 10 minutes)
    python benchmarks/run.py --quick    # 1k and 5k (under a minute)

Equivalent to ``peermatch bench``; see :mod:`peermatch.cli._bench` for what is measured.
"""

from __future__ import annotations

import sys

from peermatch.cli._bench import main

if __name__ == "__main__":
    sys.exit(main())
