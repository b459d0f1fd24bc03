"""Group comparison at national scale: time and peak memory for 10, 1,000 and 10,000 results files.

    python benchmarks/compare_bench.py              # 10, 1,000 and 10,000 files
    python benchmarks/compare_bench.py --sizes 10 1000

Each size is a folder of results files as ``sovdiag score --json`` writes them (communes of 12 to
40 services, some EPCI and départements); the figure is the whole ``sovdiag compare --group DIR
--focus FILE`` process: wall time and its peak resident memory.
`benchmarks/run.py` prints the same figures for 10 and 1,000 files (10,000 with --full).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from harness import SOVDIAG, timed  # noqa: E402
from synthetic import write_group  # noqa: E402


def measure(n: int, folder: Path, runs: int) -> tuple[float, float, float]:
    """(median wall seconds, peak MiB, total MB of input) for a group of ``n`` files."""
    paths = write_group(folder, n)
    size = sum(p.stat().st_size for p in paths) / 1e6
    timing = timed([*SOVDIAG, "compare", "--group", str(folder), "--focus", str(paths[0])], runs)
    return timing.wall, timing.peak_mib, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 1_000, 10_000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"{'files':>7}  {'input':>9}  {'median':>9}  {'per file':>9}  {'peak':>8}")
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            wall, peak, size = measure(n, Path(tmp) / "groupe", 1 if n >= 10_000 else args.runs)
            print(f"{n:>7,}  {size:>6.0f} MB  {wall:>7.2f} s  {1000 * wall / n:>6.1f} ms  {peak:>4.0f} MiB", flush=True)


if __name__ == "__main__":
    main()
