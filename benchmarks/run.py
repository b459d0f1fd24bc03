"""Print the performance figures of sovdiag on this machine.

    python benchmarks/run.py            # quick: sizes 10, 100, 1,000, 10,000; report at 50 and 500
    python benchmarks/run.py --full     # adds the 2,000-service report

Whole-process figures are medians over several runs of a fresh interpreter (wall time, peak RSS of
the child); in-process figures time one step inside a process. Targets are printed beside them.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

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


def run(cmd: list[str], runs: int) -> tuple[float, float]:
    """Median wall seconds and max peak RSS (MiB) of ``cmd`` over ``runs`` fresh processes."""
    times, peaks = [], []
    for _ in range(runs):
        start = time.perf_counter()
        child = subprocess.Popen(
            cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "NO_COLOR": "1"}
        )
        _, _, usage = os.wait4(child.pid, 0)  # this child's own peak, not the maximum of all children
        child.returncode = 0
        times.append(time.perf_counter() - start)
        peaks.append(usage.ru_maxrss / 1024)
    return statistics.median(times), max(peaks)


def in_process(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="include the 2,000-service report")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    sovdiag = [sys.executable, "-m", "sovdiag"]
    rows: list[tuple[str, str, str, str]] = []
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )

    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        minimal = tmpdir / "minimal_typer.py"
        minimal.write_text(MINIMAL_TYPER, encoding="utf-8")
        ours, ours_mem = run([*sovdiag, "--help"], args.runs)
        floor, _ = run([sys.executable, str(minimal), "--help"], args.runs)
        rows.append(
            (
                "sovdiag --help",
                f"{ours:.3f} s",
                f"{ours_mem:.0f} MiB",
                f"{ours / floor:.2f}× minimal Typer app ({floor:.3f} s); target ≤ 1.5×",
            )
        )

        for n in (10, 100, 1_000, 10_000):
            path = write_inventory(tmpdir / f"inv-{n}.yaml", n)
            size = path.stat().st_size / 1e6
            for command in ("validate", "score"):
                wall, mem = run([*sovdiag, command, str(path)], 3 if n >= 10_000 else args.runs)
                rows.append((f"{command} {n:,} services ({size:.1f} MB)", f"{wall:.3f} s", f"{mem:.0f} MiB", ""))
            detail = in_process(
                "import time, yaml\n"
                "from pathlib import Path\n"
                "from sovdiag.pipeline import open_diagnostic\n"
                "from sovdiag.scoring import score_inventory\n"
                f"p = Path({str(path)!r})\n"
                "t = time.perf_counter(); yaml.load(p.read_text(), Loader=yaml.CSafeLoader)\n"
                "bare = time.perf_counter() - t\n"
                "t = time.perf_counter(); d = open_diagnostic(p); load = time.perf_counter() - t\n"
                "t = time.perf_counter(); score_inventory(d.inventory, d.framework); sc = time.perf_counter() - t\n"
                "print(f'{bare:.3f} {load:.3f} {sc:.3f}')\n"
            )
            bare, load, scoring = (float(x) for x in detail.split())
            rows.append(
                (
                    f"  in-process {n:,}: load / bare CSafeLoader / scoring",
                    f"{load:.3f} s",
                    "",
                    f"load {load / bare:.2f}× bare parse ({bare:.3f} s); scoring {scoring:.3f} s"
                    + ("; targets: load ≤ 1.5× bare, scoring < 1 s" if n == 10_000 else ""),
                )
            )

        for n in (50, 500, *((2_000,) if args.full else ())):
            path = write_inventory(tmpdir / f"rep-{n}.yaml", n)
            out = tmpdir / f"rep-{n}.pdf"
            wall, mem = run([*sovdiag, "report", str(path), "-o", str(out)], 3 if n >= 500 else args.runs)
            rows.append(
                (
                    f"report {n:,} services (PDF)",
                    f"{wall:.3f} s",
                    f"{mem:.0f} MiB",
                    "target: 500 services < 10 s" if n == 500 else "",
                )
            )

    width = max(len(r[0]) for r in rows)
    print(f"\n{'measure'.ljust(width)}  {'median':>9}  {'peak':>8}  notes")
    for name, wall, mem, note in rows:
        print(f"{name.ljust(width)}  {wall:>9}  {mem:>8}  {note}")


if __name__ == "__main__":
    main()
