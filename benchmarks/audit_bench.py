"""How long one confirmed answer costs in the guided audit, on a 500-service inventory.

    python benchmarks/audit_bench.py [--services 500] [--answers 1000]

Prints the median and 95th percentile per answer (journal write + fsync + the session's own work:
header, next question, catalog suggestion), the one-off cost of opening and of folding the journal
into the YAML file, next to rewriting the whole YAML file after each answer (the simple design).
Target: well under 50 ms per confirmed answer.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from synthetic import write_inventory  # noqa: E402

from sovdiag.catalog import load_catalog  # noqa: E402
from sovdiag.framework import load_domains, load_framework  # noqa: E402
from sovdiag.session import AuditSession, Progress, Question, Quit  # noqa: E402
from sovdiag.store import InventoryStore  # noqa: E402
from sovdiag.yamlrt import load_document, save_document  # noqa: E402


class TimedUser:
    """Answers « 2 » to every question and records when each answer was asked for."""

    def __init__(self, answers: int) -> None:
        self.left = answers
        self.stamps: list[float] = []

    def show(self, text: str) -> None:
        pass

    def header(self, progress: Progress) -> None:
        pass

    def ask(self, question: Question) -> str:
        self.stamps.append(time.perf_counter())
        self.left -= 1
        return "2" if self.left >= 0 else "q"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=500)
    parser.add_argument("--answers", type=int, default=1000)
    args = parser.parse_args()
    framework, domains = load_framework(), load_domains()
    catalog = load_catalog(domains={d.id for d in domains.domains})
    with tempfile.TemporaryDirectory() as tmp:
        path = write_inventory(Path(tmp) / "inv.yaml", args.services)
        start = time.perf_counter()
        store = InventoryStore(path)
        store.open()
        opened = time.perf_counter() - start
        user = TimedUser(args.answers)
        session = AuditSession(store, framework, domains, catalog, user)
        ids = [s["id"] for s in store.services()]
        try:
            for service_id in ids:
                session.ask_questions(service_id, revisit=True)
        except Quit:
            pass
        gaps = [b - a for a, b in zip(user.stamps, user.stamps[1:], strict=False)][: args.answers]
        start = time.perf_counter()
        store.close()
        folded = time.perf_counter() - start
        document = load_document(path)
        rewrites = []
        for _ in range(5):
            start = time.perf_counter()
            save_document(path, document)
            rewrites.append(time.perf_counter() - start)
    gaps.sort()
    print(f"inventory: {args.services} services; answers timed: {len(gaps)}")
    print(
        f"per confirmed answer: median {1000 * statistics.median(gaps):.1f} ms, "
        f"p95 {1000 * gaps[int(0.95 * len(gaps))]:.1f} ms (target: well under 50 ms)"
    )
    print(f"open (load + replay): {opened:.2f} s; fold at the end: {folded:.2f} s")
    print(f"rewriting the whole YAML file instead, per answer: {statistics.median(rewrites):.2f} s")


if __name__ == "__main__":
    main()
