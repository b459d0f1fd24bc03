"""Report rendering time: our own work against WeasyPrint's layout, by inventory size.

    python benchmarks/report_bench.py [--sizes 50 500 2000] [--audience complet] [--runs 3]

For each size: the whole `sovdiag report` process (median of runs, peak memory of the child),
then, in one process, the time to produce the final HTML (loading, scoring, context, Jinja2: our
work) and the time WeasyPrint alone takes to lay out and write that same HTML.
Peak memory: the largest process, and all processes together (the chunk workers of a large
report; PSS). WeasyPrint alone is one process laying out the whole document.
Targets: 500 services under 10 s; our work under 20 % of the total; growth no faster than linear;
2,000 services under 600 MiB.
`benchmarks/run.py` prints the same figures for 50 and 500 services (2,000 with --full).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from harness import ReportSplit, Timing, report_command, report_split, timed  # noqa: E402
from synthetic import write_inventory  # noqa: E402


@dataclass(frozen=True)
class ReportFigures:
    whole: Timing  # the whole `sovdiag report` process
    split: ReportSplit  # our work and WeasyPrint's, in one process


def measure(n: int, folder: Path, runs: int, audience: str = "complet") -> ReportFigures:
    """The PDF report of a synthetic inventory of ``n`` services, written in ``folder``."""
    path = write_inventory(folder / f"inv-{n}.yaml", n)
    whole = timed(report_command(path, folder / f"rapport-{n}.pdf", audience), runs)
    return ReportFigures(whole, report_split(path, audience))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 500])
    parser.add_argument("--audience", default="complet", choices=["elus", "complet"])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(
        f"{'services':>8}  {'pages':>5}  {'wall s':>7}  {'peak MiB':>8}  {'all MiB':>7}  {'ours s':>7}  "
        f"{'WeasyPrint s':>12}  ours %"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            figures = measure(n, Path(tmp), 1 if n >= 2000 else args.runs, args.audience)
            whole, split = figures.whole, figures.split
            tree = f"{whole.tree_mib:>7.0f}" if whole.tree_mib is not None else f"{'?':>7}"
            row = f"{n:>8}  {split.pages:>5}  {whole.wall:>7.2f}  {whole.peak_mib:>8.0f}  {tree}  {split.ours:>7.2f}"
            print(f"{row}  {split.weasyprint:>12.2f}  {split.share:.0f} %", flush=True)


if __name__ == "__main__":
    main()
