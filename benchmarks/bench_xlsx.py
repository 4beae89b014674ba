"""Choose the workbook reader by measurement: openpyxl (read-only) against python-calamine.

Writes a coordinator-like workbook (profile columns with labels, numbers, dates and free-text
columns) of ROWS x COLS cells, then reads every cell with each reader, REPEAT times, in one
process, and prints the median time of each and their ratio. Each reader runs in a fresh
child process as well, to report its peak memory (Linux: VmHWM, the peak resident set size).

    python benchmarks/bench_xlsx.py [--rows 20000] [--cols 25] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np


def write_workbook(path: Path, rows: int, cols: int, seed: int = 0) -> None:
    import openpyxl

    rng = np.random.default_rng(seed)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Participants")
    ws.append([f"Column {c}" for c in range(cols)])
    words = ["Working full time", "Retired", "English", "Metformin;Basal insulin", "Punjabi"]
    for r in range(rows):
        row: list[Any] = []
        for c in range(cols):
            kind = c % 5
            if kind == 0:
                row.append(f"P{r:06d}" if c == 0 else words[int(rng.integers(len(words)))])
            elif kind == 1:
                row.append(int(rng.integers(18, 90)))
            elif kind == 2:
                row.append(round(float(rng.uniform(4, 14)), 1))
            elif kind == 3:
                row.append(dt.date(1950, 1, 1) + dt.timedelta(days=int(rng.integers(20000))))
            else:
                row.append(None if rng.random() < 0.3 else f"note {r} " * 3)
        ws.append(row)
    wb.save(path)


def read_openpyxl(path: Path) -> int:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return sum(1 for _ in wb["Participants"].iter_rows(values_only=True))
    finally:
        wb.close()


def read_calamine(path: Path) -> int:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    return len(wb.get_sheet_by_name("Participants").to_python(skip_empty_area=False))


READERS = {"openpyxl": read_openpyxl, "calamine": read_calamine}


def child(name: str, path: str) -> None:
    start = time.perf_counter()
    READERS[name](Path(path))
    took = time.perf_counter() - start
    # VmHWM: this process's peak resident memory (ru_maxrss would carry the parent's over exec)
    status = Path("/proc/self/status").read_text().splitlines()
    peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    print(json.dumps({"seconds": took, "peak_mb": peak_kb / 1024}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=20_000)
    ap.add_argument("--cols", type=int, default=25)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sheet.xlsx"
        start = time.perf_counter()
        write_workbook(path, args.rows, args.cols)
        print(
            f"workbook: {args.rows} rows x {args.cols} columns, "
            f"{path.stat().st_size / 1e6:.1f} MB, written in {time.perf_counter() - start:.1f} s"
        )
        times: dict[str, list[float]] = {n: [] for n in READERS}
        for _ in range(args.repeat):
            for name, read in READERS.items():
                start = time.perf_counter()
                n = read(path)
                times[name].append(time.perf_counter() - start)
                assert n == args.rows + 1, (name, n)
        medians = {n: statistics.median(t) for n, t in times.items()}
        for name, med in medians.items():
            res = subprocess.run(
                [sys.executable, __file__, "--child", name, str(path)],
                capture_output=True,
                text=True,
                check=True,
            )
            peak = json.loads(res.stdout)["peak_mb"]
            print(f"{name:9s} median {med:6.2f} s over {args.repeat} runs, peak RSS {peak:5.0f} MB")
        print(f"openpyxl / calamine time ratio: {medians['openpyxl'] / medians['calamine']:.1f}")


if __name__ == "__main__":
    main()
