"""Print the performance figures of sovdiag on this machine, as one table.

    python benchmarks/run.py                # quick: about 5 minutes on a quiet 2-core machine
    python benchmarks/run.py --full         # adds report 2,000, compare 10,000 and the batch: ~15 min
    python benchmarks/run.py --runs 3       # fresh processes per whole-process figure (default 5)
    python benchmarks/run.py --full --batch-audience elus   # a batch of short reports (~1 min)

The machine comes first (processor, cores, memory, system, versions, load), then one row per figure
with its target where there is one:

- start-up: `sovdiag --help` against `--help` of a minimal two-command Typer app (target ≤ 1.5×);
- `validate` and `score` of 10, 100, 1,000 and 10,000 services, each followed by an in-process row:
  loading against a bare CSafeLoader parse of the same file, and the scoring (targets at 10,000:
  load ≤ 1.5× the bare parse, scoring < 1 s);
- `report` (PDF, `--audience complet`, the default) of 50 and 500 services (2,000 with --full),
  each followed by an in-process row: our work (up to the final HTML) against WeasyPrint alone on
  that same HTML (targets: 500 services < 10 s; our share < 20 %);
- `import` of a 5,000-row GLPI CSV export: new inventory, same file again, another file appended;
- `compare --group` of 10 and 1,000 results files (10,000 with --full);
- with --full only (several minutes): `report FOLDER` of 50 inventories of 20 services (full
  reports unless --batch-audience elus), with `--jobs 1` and then one worker per core (target:
  speed-up ≥ 1.7× on 2 cores).

Whole-process rows: median wall time over --runs fresh interpreters (at most 3 for validate and
score at 10,000, the reports and compare 1,000; one for 2,000 services, 10,000 files and the batch)
and the highest peak RSS of the child (for the batch, of its largest process). In-process rows
(runs: "in-proc") time steps once inside a fresh interpreter; their time is the load, or our work
up to the final HTML, the rest is in the notes. Rows are printed as they are measured; a failing
command marks its section FAILED and the script goes on, then exits with status 1. The detailed
scripts beside this one (report_bench.py, import_bench.py, compare_bench.py, batch_bench.py,
audit_bench.py) take other sizes and options; harness.py holds what they share.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import batch_bench  # noqa: E402
import compare_bench  # noqa: E402
import import_bench  # noqa: E402
import report_bench  # noqa: E402
from harness import SOVDIAG, CommandFailed, Timing, load_split, machine_description, timed  # noqa: E402
from synthetic import write_inventory  # noqa: E402

MINIMAL_TYPER = """
import typer
app = typer.Typer()
@app.command()
def first(name: str) -> None: pass
@app.command()
def second(name: str) -> None: pass
app()
"""

# The sizes of the rows: (quick, added by --full).
INVENTORY_SIZES = (10, 100, 1_000, 10_000)
REPORT_SIZES = ((50, 500), (2_000,))
IMPORT_ROWS = 5_000
GROUP_SIZES = ((10, 1_000), (10_000,))
BATCH = (50, 20)  # inventories, services in each

Row = tuple[str, str, str, str, str]  # measure, time, runs, peak, notes / target
COLUMNS: Row = ("measure", "time", "runs", "peak", "notes / target")
WIDTH = 56
IN_PROCESS = "in-proc"


def show(row: Row) -> None:
    name, wall, runs, peak, note = row
    print(f"{name.ljust(WIDTH)}  {wall:>9}  {runs:>7}  {peak:>8}  {note}".rstrip(), flush=True)


def whole(name: str, timing: Timing, note: str = "") -> Row:
    return (name, f"{timing.wall:.3f} s", str(timing.runs), f"{timing.peak_mib:.0f} MiB", note)


def target(text: str, met: bool) -> str:
    return f"target {text}: {'met' if met else 'NOT MET'}"


def capped(runs: int, cap: int) -> int:
    return max(1, min(runs, cap))


def startup(tmp: Path, args: argparse.Namespace) -> Iterator[Row]:
    minimal = tmp / "minimal_typer.py"
    minimal.write_text(MINIMAL_TYPER, encoding="utf-8")
    ours = timed([*SOVDIAG, "--help"], args.runs)
    floor = timed([sys.executable, str(minimal), "--help"], args.runs)
    ratio = ours.wall / floor.wall
    note = f"{ratio:.2f}× a minimal two-command Typer app ({floor.wall:.3f} s, {floor.peak_mib:.0f} MiB); "
    yield whole("start-up: sovdiag --help", ours, note + target("≤ 1.5×", ratio <= 1.5))


def validate_and_score(tmp: Path, args: argparse.Namespace) -> Iterator[Row]:
    for n in INVENTORY_SIZES:
        path = write_inventory(tmp / f"inv-{n}.yaml", n)
        size = path.stat().st_size / 1e6
        runs = capped(args.runs, 3) if n >= 10_000 else args.runs
        for command in ("validate", "score"):
            timing = timed([*SOVDIAG, command, str(path)], runs)
            yield whole(f"{command} {n:,} services ({size:.1f} MB)", timing)
        split = load_split(path)
        ratio = split.load / split.bare
        note = f"load {ratio:.2f}× bare CSafeLoader parse ({split.bare:.3f} s); scoring {split.scoring:.3f} s"
        if n == 10_000:
            note += f"; {target('load ≤ 1.5× bare', ratio <= 1.5)}, {target('scoring < 1 s', split.scoring < 1)}"
        yield (f"  in-process {n:,}: load", f"{split.load:.3f} s", IN_PROCESS, "", note)


def reports(tmp: Path, args: argparse.Namespace) -> Iterator[Row]:
    quick, full = REPORT_SIZES
    for n in (*quick, *(full if args.full else ())):
        figures = report_bench.measure(n, tmp, 1 if n >= 2_000 else capped(args.runs, 3))
        split = figures.split
        timing = figures.whole
        note = f"{split.pages} pages; peak: largest process"
        if timing.tree_mib is not None:
            note += f", all processes {timing.tree_mib:.0f} MiB (PSS)"
        if n == 500:
            note += f"; {target('< 10 s', timing.wall < 10)}"
        if n == 2_000:
            whole_tree = timing.tree_mib if timing.tree_mib is not None else timing.peak_mib
            note += f"; {target('< 600 MiB', whole_tree < 600)}"
        yield whole(f"report {n:,} services (PDF, complet)", timing, note)
        note = f"WeasyPrint alone {split.weasyprint:.3f} s; our share {split.share:.0f} %, "
        yield (
            f"  in-process {n:,}: our work up to the final HTML",
            f"{split.ours:.3f} s",
            IN_PROCESS,
            "",
            note + target("< 20 %", split.share < 20),
        )


def imports(tmp: Path, args: argparse.Namespace) -> Iterator[Row]:
    figures = import_bench.measure(tmp, IMPORT_ROWS, args.runs)
    label = f"import {figures.rows:,}-row GLPI CSV ({figures.source_kib:.0f} KiB): new inventory"
    yield whole(label, figures.created, f"{figures.services:,} services")
    yield whole("  same file again (nothing changes)", figures.again)
    yield whole(f"  another {figures.rows:,}-row file appended", figures.appended)


def group_compare(tmp: Path, args: argparse.Namespace) -> Iterator[Row]:
    quick, full = GROUP_SIZES
    for n in (*quick, *(full if args.full else ())):
        runs = 1 if n >= 10_000 else capped(args.runs, 3 if n >= 1_000 else args.runs)
        wall, peak, size = compare_bench.measure(n, tmp / f"groupe-{n}", runs)
        note = f"{size:.1f} MB of results files, {1000 * wall / n:.2f} ms per file"
        yield whole(f"compare --group {n:,} results files", Timing(wall, peak, runs), note)


def batch(tmp: Path, args: argparse.Namespace) -> Iterator[Row]:
    count, services = BATCH
    figures = batch_bench.measure(tmp / "batch", count, services, args.batch_audience, runs=1)
    label = f"batch of {count} reports ({args.batch_audience}, {services} services)"
    yield whole(f"{label}: --jobs 1", figures.sequential, "report FOLDER; peak: largest process")
    if figures.jobs > 1:
        note = f"speed-up {figures.speedup:.2f}× over --jobs 1; " + target("≥ 1.7×", figures.speedup >= 1.7)
    else:
        note = "one usable core: no speed-up to measure"
    yield whole(f"  same batch: --jobs {figures.jobs} (one worker per core)", figures.parallel, note)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="add report 2,000, compare 10,000 and the 50-report batch")
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per whole-process figure (default 5)")
    parser.add_argument(
        "--batch-audience", default="complet", choices=["elus", "complet"], help="audience of the batch (--full)"
    )
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    sections: list[tuple[str, Callable[[Path, argparse.Namespace], Iterator[Row]]]] = [
        ("start-up", startup),
        ("validate and score", validate_and_score),
        ("report", reports),
        ("import", imports),
        ("compare --group", group_compare),
    ]
    if args.full:
        sections.append(("batch", batch))

    started = time.perf_counter()
    print(f"machine: {machine_description()}")
    print(f"mode: {'full' if args.full else 'quick'}, --runs {args.runs}\n")
    show(COLUMNS)
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        for number, (title, section) in enumerate(sections):
            folder = Path(tmp) / str(number)
            folder.mkdir()
            try:
                for row in section(folder, args):
                    show(row)
            except CommandFailed as error:
                failed = True
                show((f"{title}: FAILED", "", "", "", str(error).replace("\n", " ")[:400]))
    print(f"\nmeasured in {(time.perf_counter() - started) / 60:.1f} min")
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
