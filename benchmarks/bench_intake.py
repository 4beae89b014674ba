"""Time the import of each export format against the canonical CSV reader.

Draws a synthetic cohort of N participants, writes it as a canonical CSV file and as each
export of ``tests/intake_exports.py`` (REDCap raw export with its dictionary, Qualtrics, Google
Forms, a coordinator's workbook), reads each back REPEAT times in one process, checks that the
profiles are the ones written, and prints the median time of each (and the DataFrame reader's).

    python benchmarks/bench_intake.py [--participants 20000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from peermatch import generate_cohort, read_participants, write_profiles  # noqa: E402
from tests import intake_exports as ex  # noqa: E402


def median_time(read: Callable[[], Any], repeat: int, want: Any) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        got = read()
        times.append(time.perf_counter() - start)
        assert got == want
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--participants", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    n = args.participants
    ps, ls = generate_cohort(n, max(1, n // 5), seed=1)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_profiles(folder / "canonical.csv", ps)
        base = median_time(lambda: read_participants(folder / "canonical.csv"), args.repeat, ps)
        rows = [("canonical CSV", base)]
        exports = {
            "REDCap raw export": ex.redcap_export(ps),
            "Qualtrics": ex.qualtrics_export(ps),
            "Google Forms": ex.google_forms_export(ps),
            "coordinator's workbook": ex.excel_export(ps, ls),
        }
        for name, export in exports.items():
            sub = folder / name.split()[0].strip("'s").lower()
            ex.write(export, sub)
            sheet = "Participants" if export.source.endswith(".xlsx") else None

            def read(sub: Path = sub, export: ex.Export = export, sheet: Any = sheet) -> Any:
                return read_participants(
                    sub / export.source, mapping=sub / export.mapping, sheet=sheet
                )

            rows.append((name, median_time(read, args.repeat, ps)))
        import pandas as pd

        frame = pd.read_csv(folder / "canonical.csv", dtype=str)
        rows.append(("DataFrame", median_time(lambda: read_participants(frame), args.repeat, ps)))
    print(f"{n} participants, median of {args.repeat} reads:")
    for name, took in rows:
        print(f"  {name:24s} {took:6.2f} s  ({took / base:.1f}x the canonical CSV)")


if __name__ == "__main__":
    main()
