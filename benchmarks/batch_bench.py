"""A consultant's batch: `sovdiag report FOLDER` over 50 inventories, both cores against one.

    python benchmarks/batch_bench.py [--count 50] [--services 20] [--audience elus] [--runs 1]

Both runs are whole `sovdiag report FOLDER` processes on the same synthetic inventories: `--jobs 1`
(one report after the other) and `--jobs N` (one worker per core, the default).
Target: the parallel batch at least 1.7 times faster on a 2-core machine.
`benchmarks/run.py --full` prints the same figures for 50 full reports (`--audience complet`).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from harness import Timing, report_command, timed, usable_cores  # noqa: E402
from synthetic import write_inventory  # noqa: E402


@dataclass(frozen=True)
class BatchFigures:
    count: int
    jobs: int  # workers of the parallel run
    sequential: Timing  # --jobs 1
    parallel: Timing  # --jobs <jobs>

    @property
    def speedup(self) -> float:
        return self.sequential.wall / self.parallel.wall


def measure(folder: Path, count: int, services: int, audience: str, runs: int, jobs: int | None = None) -> BatchFigures:
    """``count`` inventories of ``services`` services in ``folder``, reported with one worker, then
    with ``jobs`` (by default one per usable core). Peak memory is the largest single process's."""
    inventories = folder / "inventaires"
    inventories.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        write_inventory(inventories / f"collectivite-{i:03d}.yaml", services, seed=i + 1)
    jobs = jobs or usable_cores()
    sequential = timed([*report_command(inventories, folder / "seq", audience), "--jobs", "1"], runs)
    parallel = timed([*report_command(inventories, folder / "par", audience), "--jobs", str(jobs)], runs)
    return BatchFigures(count, jobs, sequential, parallel)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=50)
    parser.add_argument("--services", type=int, default=20)
    parser.add_argument("--audience", default="elus", choices=["elus", "complet"])
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        figures = measure(Path(tmp), args.count, args.services, args.audience, args.runs)
    print(f"{args.count} reports ({args.audience}, {args.services} services each), {figures.jobs} cores")
    print(
        f"one after the other: {figures.sequential.wall:.1f} s   parallel: {figures.parallel.wall:.1f} s   "
        f"speed-up {figures.speedup:.2f}x   peak {figures.parallel.peak_mib:.0f} MiB (largest process)"
    )


if __name__ == "__main__":
    main()
