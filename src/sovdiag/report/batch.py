"""Reports for a folder of inventories, one worker process per core.

A consultant produces the diagnostics of dozens of collectivités at once. Report rendering is
CPU-bound (WeasyPrint's layout) and single-threaded, so the batch spreads the inventories over
worker processes. One inventory's error does not stop the others: each outcome is returned.
"""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sovdiag.errors import SovdiagError
from sovdiag.report.workers import hold_interrupts, ignore_interrupts, release_interrupts

INVENTORY_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class BatchOutcome:
    inventory: Path
    output: Path
    pages: int | None = None
    error: str | None = None


def find_inventories(folder: Path) -> list[Path]:
    """The YAML files directly inside ``folder``, sorted by name (hidden files skipped)."""
    found = sorted(
        path
        for path in folder.iterdir()
        if path.suffix.lower() in INVENTORY_SUFFIXES and not path.name.startswith(".") and path.is_file()
    )
    if not found:
        raise SovdiagError("batch.empty", folder=str(folder))
    return found


def plan_outputs(inventories: list[Path], output_dir: Path, fmt: str) -> list[tuple[Path, Path]]:
    """Pair each inventory with ``output_dir/<name>.<fmt>``; refuse two inventories sharing a name."""
    pairs: list[tuple[Path, Path]] = []
    seen: dict[str, Path] = {}
    inputs = {path.resolve() for path in inventories}
    for inventory in inventories:
        output = output_dir / f"{inventory.stem}.{fmt}"
        key = output.name.casefold()
        if key in seen:
            raise SovdiagError("batch.same_name", first=str(seen[key]), second=str(inventory), output=str(output))
        if output.resolve() in inputs:
            raise SovdiagError("cli.output_is_input", file=str(output))
        seen[key] = inventory
        pairs.append((inventory, output))
    return pairs


def render_batch(
    pairs: list[tuple[Path, Path]],
    *,
    jobs: int,
    lang: str,
    options: dict[str, Any],
    on_done: Callable[[BatchOutcome], None] | None = None,
) -> list[BatchOutcome]:
    """Render every (inventory, output) pair, ``jobs`` at a time; outcomes in the input order."""
    outcomes: dict[Path, BatchOutcome] = {}

    def record(outcome: BatchOutcome) -> None:
        outcomes[outcome.inventory] = outcome
        if on_done is not None:
            on_done(outcome)

    if jobs <= 1 or len(pairs) == 1:
        for inventory, output in pairs:
            record(_render_one(inventory, output, lang, options))
    else:
        for outcome in _parallel(pairs, jobs, lang, options):
            record(outcome)
    return [outcomes[inventory] for inventory, _ in pairs]


def _parallel(pairs: list[tuple[Path, Path]], jobs: int, lang: str, options: dict[str, Any]) -> Iterator[BatchOutcome]:
    # fork shares the already imported modules with the workers (start-up is most of a small
    # report); elsewhere the platform default is used.
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else None)
    # Ctrl-C is held back while the workers are born: a worker forked before it ignores Ctrl-C would
    # die of it, and a Ctrl-C in the parent before the pool is guarded would leave workers behind.
    # Once the pool exists, a held-back Ctrl-C arrives inside the guard and stops everything.
    mask = hold_interrupts()
    pool = None
    try:
        pool = context.Pool(processes=min(jobs, len(pairs)), initializer=ignore_interrupts)
        release_interrupts(mask)
        yield from pool.imap_unordered(
            _render_pair, [(inventory, output, lang, options) for inventory, output in pairs]
        )
        pool.close()
    except BaseException:
        # Ctrl-C or a bug: stop the workers now rather than after the reports under way.
        if pool is not None:
            pool.terminate()
        raise
    finally:
        release_interrupts(mask)
        if pool is not None:
            pool.join()


def _render_pair(job: tuple[Path, Path, str, dict[str, Any]]) -> BatchOutcome:
    return _render_one(*job)


def _render_one(inventory: Path, output: Path, lang: str, options: dict[str, Any]) -> BatchOutcome:
    """Worker: one inventory to one report. User errors come back as text (exceptions may not pickle)."""
    from sovdiag.messages import set_language
    from sovdiag.report import report_file

    set_language(lang)
    try:
        rendered = report_file(inventory, output, lang=lang, **options)
    except SovdiagError as error:
        return BatchOutcome(inventory, output, error=str(error))
    return BatchOutcome(inventory, output, pages=rendered.pages)
