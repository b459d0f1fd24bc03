"""Durable edits of an inventory file: an fsync'd journal, replayed on open and folded into the YAML.

Why a journal: rewriting a 500-service YAML file after every answer costs about half a second;
appending one line to a journal and calling fsync costs a few milliseconds. Every confirmed answer
is durable at once; the YAML file (the one source of truth people read, diff and edit) is rewritten
atomically when the session ends, and on the next open if a session was killed. Replaying is
idempotent (each operation *sets* a value), so a journal replayed twice does no harm, and a torn
last line (the process died while writing it) is the one answer that was never confirmed.

A lock on the journal keeps two audits from editing the same inventory at once.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
from pathlib import Path
from typing import Any, BinaryIO

from sovdiag.errors import SovdiagError

JOURNAL_VERSION = 1


class InventoryStore:
    """An inventory file open for editing by operations (see ``apply``)."""

    def __init__(self, path: Path, schema_hint: str | None = None) -> None:
        self.path = path
        self.journal_path = path.with_name(f".{path.name}.journal")
        self.schema_hint = schema_hint
        self.document: Any = None
        self._journal: BinaryIO | None = None
        self.replayed = 0

    # ------------------------------------------------------------------ life cycle

    def open(self, initial: dict[str, Any] | None = None) -> None:
        """Lock, load the file (or start from ``initial``), replay and fold any leftover journal."""
        from sovdiag.yamlrt import load_document, new_document

        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # Unbuffered: a failed write (disk full) leaves nothing behind to be flushed later.
            self._journal = open(self.journal_path, "ab+", buffering=0)  # noqa: SIM115 - held open for the session
        except OSError as err:
            raise SovdiagError(
                "error.write_failed", file=str(self.journal_path), reason=err.strerror or str(err)
            ) from err
        try:
            fcntl.flock(self._journal.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as err:
            self._journal.close()
            self._journal = None
            raise SovdiagError("error.inventory_locked", file=str(self.path)) from err
        self._remove_stale_rewrites()
        if self.path.exists():
            self.document = load_document(self.path)
        else:
            self.document = new_document(initial or {})
        self._journal.seek(0)
        lines = self._journal.read().decode("utf-8", errors="replace").splitlines()
        for line in lines:
            try:
                operation = json.loads(line)
            except json.JSONDecodeError:
                continue  # a torn last line: that answer was never confirmed
            apply(self.document, operation)
            self.replayed += 1
        if self.replayed or not self.path.exists():
            self.fold()

    def _remove_stale_rewrites(self) -> None:
        """A rewrite killed before its rename leaves its temporary file (``output.write_atomic``);
        the lock we hold says no other session is writing one, so it can go."""
        for leftover in self.path.parent.glob(f".{self.path.name}.*.tmp"):
            leftover.unlink(missing_ok=True)

    def record(self, operation: dict[str, Any]) -> None:
        """Make one edit durable (journal line + fsync), then apply it in memory."""
        if self._journal is None:
            raise RuntimeError("store not open")
        line = json.dumps({"v": JOURNAL_VERSION, **operation}, ensure_ascii=False, default=_json_default)
        data = (line + "\n").encode("utf-8")
        try:
            written = 0
            while written < len(data):
                written += os.write(self._journal.fileno(), data[written:])
            os.fsync(self._journal.fileno())
        except OSError as err:
            raise SovdiagError(
                "error.write_failed", file=str(self.journal_path), reason=err.strerror or str(err)
            ) from err
        apply(self.document, operation)

    def fold(self) -> None:
        """Rewrite the YAML file atomically with every edit, then empty the journal."""
        from sovdiag.yamlrt import save_document

        save_document(self.path, self.document, self.schema_hint)
        _fsync_dir(self.path.parent)
        if self._journal is not None:
            self._journal.truncate(0)
            os.fsync(self._journal.fileno())

    def close(self, fold: bool = True) -> None:
        """Fold and release. If folding fails (disk full), the journal stays: nothing is lost."""
        if self._journal is None:
            return
        folded = False
        try:
            if fold:
                self.fold()
                folded = True
        finally:
            fcntl.flock(self._journal.fileno(), fcntl.LOCK_UN)
            self._journal.close()
            self._journal = None
            if folded:
                self.journal_path.unlink(missing_ok=True)

    def __enter__(self) -> InventoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        # A crash or Ctrl-C: the journal keeps every confirmed edit; fold what we can.
        self.close(fold=True)

    # ------------------------------------------------------------------ reading

    def services(self) -> list[Any]:
        return list(self.document.get("services") or [])

    def service(self, service_id: str) -> Any:
        return _find(self.document, service_id)


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    raise TypeError(type(value).__name__)


def _plain(value: Any) -> Any:
    """Journal values back to Python: dates were stored as {"$date": "..."}."""
    if isinstance(value, dict):
        if set(value) == {"$date"}:
            return dt.date.fromisoformat(value["$date"])
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def apply(document: Any, operation: dict[str, Any]) -> None:
    """Apply one edit to the round-trip document. Every operation sets a value (idempotent)."""
    op = operation.get("op")
    values = _plain(operation)
    if op == "set":  # a top-level block: collectivite, diagnostic
        block = document.get(values["key"])
        if block is None:
            document[values["key"]] = {k: v for k, v in values["value"].items() if v is not None}
        else:
            for key, value in values["value"].items():
                _set(block, key, value)
    elif op == "service":
        if document.get("services") is None:
            document["services"] = []
        found = _find(document, values["id"])
        if found is not None:
            for key, value in values["fields"].items():
                _set(found, key, value)
        else:
            new = {"id": values["id"], **{k: v for k, v in values["fields"].items() if v is not None}}
            document["services"].append(new)
    elif op == "answer":
        item = _find(document, values["service"])
        if item is None:
            return
        answers = item.get("answers")
        if values.get("answer") is None:
            if answers is not None and values["criterion"] in answers:
                del answers[values["criterion"]]
            return
        if answers is None:
            item["answers"] = answers = {}
        extra = {k: values[k] for k in ("comment", "evidence") if values.get(k)}
        answers[values["criterion"]] = {"answer": values["answer"], **extra} if extra else values["answer"]
    elif op == "domain_unused":
        unused = document.get("domains_not_used")
        if values["unused"]:
            if unused is None:
                document["domains_not_used"] = unused = []
            if values["domain"] not in unused:
                unused.append(values["domain"])
        elif unused is not None and values["domain"] in unused:
            unused.remove(values["domain"])


def _find(document: Any, service_id: str) -> Any:
    for item in document.get("services") or []:
        if item.get("id") == service_id:
            return item
    return None


def _set(mapping: Any, key: str, value: Any) -> None:
    if value is None:
        if key in mapping:
            del mapping[key]
    else:
        mapping[key] = value
