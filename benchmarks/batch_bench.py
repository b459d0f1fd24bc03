"""A consultant's batch: `sovdiag report FOLDER` over 50 inventories, both cores against one.

    python benchmarks/batch_bench.py [--count 50] [--services 20] [--audience elus] [--runs 1]

Both runs are whole `sovdiag report FOLDER` processes on the same synthetic inventories: `--jobs 1`
(one report after the other) and `--jobs N` (one worker per core, the default).
Target: the parallel batch at least 1.7 times faster on a 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from synthetic import write_inventory  # noqa: E402


def timed(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=50)
    parser.add_argument("--services", type=int, default=20)
    parser.add_argument("--audience", default="elus", choices=["elus", "complet"])
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "inventaires"
        folder.mkdir()
        for i in range(args.count):
            write_inventory(folder / f"collectivite-{i:03d}.yaml", args.services, seed=i + 1)
        base = [sys.executable, "-m", "sovdiag", "report", str(folder), "--audience", args.audience]
        base += ["--date", "2026-11-23", "-o"]
        sequential = timed([*base, str(Path(tmp) / "seq"), "--jobs", "1"], args.runs)
        parallel = timed([*base, str(Path(tmp) / "par"), "--jobs", str(cores)], args.runs)
    print(f"{args.count} reports ({args.audience}, {args.services} services each), {cores} cores")
    print(
        f"one after the other: {sequential:.1f} s   parallel: {parallel:.1f} s   speed-up {sequential / parallel:.2f}x"
    )


if __name__ == "__main__":
    main()
