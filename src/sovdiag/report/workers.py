"""Worker processes for report rendering: how many, how they are born, how Ctrl-C stops them.

Two uses: the batch (one report per worker) and the chunked layout of one large report
(:mod:`sovdiag.report.chunks`). Both leave Ctrl-C to the parent, which stops every worker at once.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections.abc import Callable
from types import TracebackType
from typing import Any, Generic, TypeVar

from sovdiag.errors import ReportError

T = TypeVar("T")
R = TypeVar("R")


def default_jobs() -> int:
    """The cores this process may run on."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def hold_interrupts() -> set[int | signal.Signals] | None:
    """Hold Ctrl-C back (while workers are born); returns the mask to restore."""
    if not hasattr(signal, "pthread_sigmask"):
        return None
    return signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})


def release_interrupts(mask: set[int | signal.Signals] | None) -> None:
    if mask is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def ignore_interrupts() -> None:
    """Workers leave Ctrl-C to the parent, which stops them all at once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


class ChunkWorkers:
    """A pool of ``count`` processes, each used for one chunk and then replaced.

    One chunk per process: WeasyPrint's memory is not given back to the system after a render, so a
    fresh process keeps each chunk's peak to its own size. On Linux the processes are forked from a
    server that has imported WeasyPrint once, started as soon as the pool is created so that the
    import overlaps the parent's own work (loading, scoring, the HTML). Use as a context manager.
    """

    def __init__(self, count: int) -> None:
        self.count = count
        self._pool: Any = None
        if count > 1:
            self._start()

    def _start(self) -> None:
        if sys.platform == "linux":
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["weasyprint", "sovdiag.report.chunks", "sovdiag.report.pdf"])
        else:
            context = multiprocessing.get_context()
        mask = hold_interrupts()
        try:
            self._pool = context.Pool(processes=self.count, initializer=ignore_interrupts, maxtasksperchild=1)
        finally:
            release_interrupts(mask)

    def map(self, function: Callable[[T], R], jobs: list[T]) -> list[R]:
        """``function`` over ``jobs`` on the workers, results in the order of ``jobs``."""
        return self.start(function, jobs).get()

    def start(self, function: Callable[[T], R], jobs: list[T]) -> Pending[R]:
        """Start ``function`` over ``jobs``; the caller goes on and collects the results later."""
        if self._pool is None:
            return Pending([function(job) for job in jobs])
        return Pending(self._pool.map_async(_Guarded(function), jobs, chunksize=1))

    def close(self, *, cancel: bool = False) -> None:
        if self._pool is None:
            return
        if cancel:
            self._pool.terminate()
        else:
            self._pool.close()
        self._pool.join()
        self._pool = None

    def __enter__(self) -> ChunkWorkers:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        # Ctrl-C or an error: stop the workers now rather than after the chunks under way.
        self.close(cancel=kind is not None)


class Pending(Generic[R]):
    """Results under way on the workers (or already there)."""

    def __init__(self, source: Any) -> None:
        self._source = source

    def get(self) -> list[R]:
        outcomes: list[Any] = self._source if isinstance(self._source, list) else self._source.get()
        for outcome in outcomes:
            if isinstance(outcome, _Failure):
                raise ReportError("error.render_failed", reason=outcome.reason)
        return outcomes


class _Failure:
    """A worker's error as text: our exceptions carry a message key and may not pickle."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


class _Guarded:
    def __init__(self, function: Callable[[Any], Any]) -> None:
        self.function = function

    def __call__(self, job: Any) -> Any:
        try:
            return self.function(job)
        except ReportError as error:
            return _Failure(str(error.params.get("reason", error)))
