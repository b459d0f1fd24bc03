"""What the benchmark scripts share: timing whole processes, in-process snippets, the machine.

Whole-process figures start a fresh interpreter for every run and keep the median wall time, the
highest peak resident memory (RSS) of that child and, on Linux, the peak of the memory of the
whole process tree (PSS: pages shared by forked workers counted once, shared out). ``os.wait4``
reports the peak of the child itself and of the processes it waited for (the workers of a batch,
say): the largest single process, never a sum. The process tree (a large report's chunk workers,
forked from a server the command starts) is sampled every 0.25 s from /proc (sampling more often
slows a two-core machine down).

In-process figures run a snippet once in a fresh interpreter and time steps inside it.
"""

from __future__ import annotations

import contextlib
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

SOVDIAG = [sys.executable, "-m", "sovdiag"]
# The synthetic inventories' diagnostic date: reports do not depend on the day they are measured.
REPORT_DATE = "2026-11-23"


class CommandFailed(RuntimeError):
    """A measured command exited with an error: its figures would mean nothing."""


@dataclass(frozen=True)
class Timing:
    wall: float  # median seconds over the runs
    peak_mib: float  # highest peak RSS of the child over the runs
    runs: int
    tree_mib: float | None = None  # highest sampled PSS of the child and all its descendants


# Linux keeps a process's peak RSS across fork and exec: a command started straight from this
# script (which grows while it generates inventories) would report this script's peak as its own.
# A small launcher, started fresh, starts the command and reports the command's own figures.
LAUNCHER = """
import os, subprocess, sys, threading, time
def tree(pid):
    found, i = [pid], 0
    while i < len(found):
        try:
            for task in os.listdir(f"/proc/{found[i]}/task"):
                with open(f"/proc/{found[i]}/task/{task}/children") as f:
                    found += [int(x) for x in f.read().split()]
        except OSError:
            pass
        i += 1
    return found
def pss(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            return next((int(l.split()[1]) for l in f if l.startswith("Pss:")), 0)
    except OSError:
        return 0
peak = [0]
def sample(pid, done):
    while not done.wait(0.25):
        peak[0] = max(peak[0], sum(pss(p) for p in tree(pid)))
start = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
done = threading.Event()
sampler = threading.Thread(target=sample, args=(child.pid, done), daemon=True)
if os.path.exists("/proc/self/smaps_rollup"):
    sampler.start()
_, status, usage = os.wait4(child.pid, 0)
elapsed = time.perf_counter() - start
done.set()
print(elapsed, usage.ru_maxrss, os.waitstatus_to_exitcode(status), peak[0])
"""


def timed(cmd: list[str], runs: int, before: Callable[[], object] | None = None) -> Timing:
    """Run ``cmd`` ``runs`` times, each a fresh process (``before`` is called ahead of each run,
    outside the timing); raise :class:`CommandFailed` with its error output if a run fails."""
    times, peaks, trees = [], [], []
    for _ in range(max(1, runs)):
        if before is not None:
            before()
        # A file rather than a pipe: a child with a lot to say cannot block while we wait for it.
        with tempfile.TemporaryFile() as errors:
            done = subprocess.run(
                [sys.executable, "-c", LAUNCHER, *cmd],
                stdout=subprocess.PIPE,
                stderr=errors,
                env={**os.environ, "NO_COLOR": "1"},
                check=False,
            )
            words = done.stdout.split()
            code = int(words[2]) if len(words) == 4 else done.returncode or 1
            if code != 0:
                errors.seek(0)
                message = errors.read().decode(errors="replace").strip()
                raise CommandFailed(f"{' '.join(cmd)} failed ({code}): {message[-2000:]}")
        times.append(float(words[0]))
        peaks.append(int(words[1]) / 1024)  # KiB on Linux
        trees.append(int(words[3]) / 1024)
    return Timing(statistics.median(times), max(peaks), len(times), max(trees) or None)


def in_process(code: str, *args: str) -> list[str]:
    """Run ``code`` in a fresh interpreter with ``args`` in ``sys.argv[1:]``; the words it prints."""
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )
    if done.returncode != 0:
        raise CommandFailed(f"in-process snippet failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    return done.stdout.split()


LOAD_SPLIT = """
import sys, time, yaml
from pathlib import Path
from sovdiag.pipeline import open_diagnostic
from sovdiag.scoring import score_inventory
p = Path(sys.argv[1])
t = time.perf_counter(); yaml.load(p.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
bare = time.perf_counter() - t
t = time.perf_counter(); d = open_diagnostic(p); load = time.perf_counter() - t
t = time.perf_counter(); score_inventory(d.inventory, d.framework); sc = time.perf_counter() - t
print(f"{bare:.4f} {load:.4f} {sc:.4f}")
"""


@dataclass(frozen=True)
class LoadSplit:
    bare: float  # yaml.CSafeLoader on the file's text, nothing else
    load: float  # open_diagnostic: parse, check and build the inventory (framework, catalog)
    scoring: float  # score_inventory on the loaded inventory


def load_split(inventory: Path) -> LoadSplit:
    bare, load, scoring = (float(word) for word in in_process(LOAD_SPLIT, str(inventory)))
    return LoadSplit(bare, load, scoring)


# The steps of `sovdiag report` up to the final HTML (our work), then WeasyPrint alone on that HTML.
REPORT_SPLIT = """
import sys, time, datetime as dt
from pathlib import Path
from sovdiag.messages import get_language
from sovdiag.pipeline import open_diagnostic, diagnose
from sovdiag.plan import load_measures, load_obligations
from sovdiag.report.context import build_context
from sovdiag.report.html import render_html
from sovdiag.report.pdf import html_to_pdf
from sovdiag.resources import templates_dir
t0 = time.perf_counter()
diag = open_diagnostic(Path(sys.argv[1]))
results = diagnose(diag)
context = build_context(results, diag, lang=get_language(), report_date=dt.date.fromisoformat(sys.argv[3]),
                        measures=load_measures(), obligations=load_obligations(), audience=sys.argv[2])
html = render_html(context, templates_dir())
t1 = time.perf_counter()
pdf, pages = html_to_pdf(html, templates_dir())
t2 = time.perf_counter()
print(f"{t1 - t0:.4f} {t2 - t1:.4f} {pages}")
"""


@dataclass(frozen=True)
class ReportSplit:
    ours: float  # load, score, context, Jinja2: the final HTML
    weasyprint: float  # WeasyPrint alone: layout and PDF of that same HTML
    pages: int

    @property
    def share(self) -> float:
        """Our part of the two, in per cent."""
        return 100 * self.ours / (self.ours + self.weasyprint)


def report_split(inventory: Path, audience: str = "complet") -> ReportSplit:
    ours, weasyprint, pages = in_process(REPORT_SPLIT, str(inventory), audience, REPORT_DATE)
    return ReportSplit(float(ours), float(weasyprint), int(pages))


def report_command(inventory: Path, output: Path, audience: str = "complet") -> list[str]:
    """`sovdiag report` of a file or a folder, dated like the synthetic inventories."""
    return [*SOVDIAG, "report", str(inventory), "-o", str(output), "--audience", audience, "--date", REPORT_DATE]


def usable_cores() -> int:
    """The cores this process may run on (what `sovdiag report FOLDER` uses by default)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def machine_description() -> str:
    """One line: processor, cores, memory, system, Python, versions that matter, current load."""
    parts = [platform.machine()]
    cpu = _cpu_model()
    if cpu:
        parts[0] += f" ({cpu})"
    cores, usable = os.cpu_count() or 1, usable_cores()
    parts.append(f"{cores} cores" + (f" ({usable} usable)" if usable != cores else ""))
    with contextlib.suppress(ValueError, OSError, AttributeError):  # not every system reports its memory
        parts.append(f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.1f} GiB RAM")
    parts.append(f"{platform.system()} {platform.release()}")
    parts.append(f"Python {platform.python_version()}")
    parts.extend(f"{name} {_version(name)}" for name in ("sovdiag", "weasyprint", "pyyaml", "pydantic"))
    if hasattr(os, "getloadavg"):
        parts.append("load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    return ", ".join(parts)


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as lines:
            for line in lines:
                if line.startswith("model name"):
                    return " ".join(line.partition(":")[2].split())
    except OSError:
        pass
    return platform.processor()


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "?"
