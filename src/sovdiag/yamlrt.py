"""Round-trip YAML: rewrite an inventory without losing its comments, order or layout.

People read, diff and comment their inventory files; the audit and the imports add to them. The
files are read with the safe scan of ``yamlio`` first (no aliases, bounded depth), then loaded by
ruamel.yaml in round-trip mode, which keeps comments and key order, and written back atomically
in the layout sovdiag uses (mappings indented by 2, list items by 4 with the dash at 2).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from sovdiag.output import write_atomic
from sovdiag.yamlio import load_yaml, read_text

SCHEMA_LINE = "# yaml-language-server: $schema={schema}\n"


def _yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096  # never fold long lines: diffs stay one line per value
    yaml.preserve_quotes = True
    return yaml


def load_document(path: Path) -> Any:
    """The document as an editable, comment-keeping mapping (checked by the safe scan first)."""
    text = read_text(path)
    load_yaml(text, str(path))  # refuses aliases, deep nesting and duplicate keys with their line
    return parse_checked(text)


def parse_checked(text: str) -> Any:
    """An editable document from text that has already passed the safe scan (``yamlio.load_yaml``)."""
    return _yaml().load(text)


def new_document(data: dict[str, Any]) -> Any:
    """A fresh editable document from plain data."""
    buffer = io.StringIO()
    round_trip = _yaml()  # ruamel's round-trip loader builds plain data, never arbitrary objects
    round_trip.dump(data, buffer)
    return round_trip.load(buffer.getvalue())


def dump_document(document: Any) -> str:
    buffer = io.StringIO()
    _yaml().dump(document, buffer)
    return buffer.getvalue()


def save_document(path: Path, document: Any, schema: str | None = None) -> None:
    """Write atomically; a new file starts with the schema line editors use."""
    text = dump_document(document)
    if schema and not path.exists() and not text.startswith("# yaml-language-server"):
        text = SCHEMA_LINE.format(schema=schema) + text
    write_atomic(path, text)
