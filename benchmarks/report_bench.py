"""Report rendering time: our own work against WeasyPrint's layout, by inventory size.

    python benchmarks/report_bench.py [--sizes 50 500 2000] [--audience complet]

For each size: the whole `sovdiag report` process (median of runs, peak memory of the child),
then, in one process, the time to produce the final HTML (loading, scoring, context, Jinja2: our
work) and the time WeasyPrint alone takes to lay out and write that same HTML.
Targets: 500 services under 10 s; our work under 20 % of the total; growth no faster than linear.
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

IN_PROCESS = """
import sys, time, datetime as dt
from pathlib import Path
from sovdiag.pipeline import open_diagnostic, diagnose
from sovdiag.plan import load_measures, load_obligations
from sovdiag.report.context import build_context
from sovdiag.report.html import render_html
from sovdiag.report.pdf import html_to_pdf
from sovdiag.resources import templates_dir
t0 = time.perf_counter()
diag = open_diagnostic(Path(sys.argv[1]))
results = diagnose(diag)
context = build_context(results, diag, lang="fr", report_date=dt.date(2026, 11, 23), measures=load_measures(),
                        obligations=load_obligations(), audience=sys.argv[2])
html = render_html(context, templates_dir())
t1 = time.perf_counter()
pdf, pages = html_to_pdf(html, templates_dir())
t2 = time.perf_counter()
print(f"{t1 - t0:.3f} {t2 - t1:.3f} {pages}")
"""


def whole_process(cmd: list[str], runs: int) -> tuple[float, float]:
    times, peaks = [], []
    for _ in range(runs):
        start = time.perf_counter()
        child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, _, usage = os.wait4(child.pid, 0)
        child.returncode = 0
        times.append(time.perf_counter() - start)
        peaks.append(usage.ru_maxrss / 1024)
    return statistics.median(times), max(peaks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 500])
    parser.add_argument("--audience", default="complet", choices=["elus", "complet"])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"{'services':>8}  {'pages':>5}  {'wall s':>7}  {'peak MiB':>8}  {'ours s':>7}  {'WeasyPrint s':>12}  ours %")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            path = write_inventory(Path(tmp) / f"inv-{n}.yaml", n)
            out = Path(tmp) / f"r-{n}.pdf"
            runs = 1 if n >= 2000 else args.runs
            wall, peak = whole_process(
                [
                    sys.executable,
                    "-m",
                    "sovdiag",
                    "report",
                    str(path),
                    "-o",
                    str(out),
                    "--audience",
                    args.audience,
                    "--date",
                    "2026-11-23",
                ],
                runs,
            )
            done = subprocess.run(
                [sys.executable, "-c", IN_PROCESS, str(path), args.audience], capture_output=True, text=True, check=True
            )
            ours, weasy, pages = done.stdout.split()
            share = 100 * float(ours) / (float(ours) + float(weasy))
            row = f"{n:>8}  {pages:>5}  {wall:>7.2f}  {peak:>8.0f}  {float(ours):>7.2f}  {float(weasy):>12.2f}"
            print(f"{row}  {share:.0f} %")


if __name__ == "__main__":
    main()
