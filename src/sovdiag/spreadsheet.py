"""Tables written for spreadsheets: CSV the way French users' Excel opens it, cells made safe."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """Keep a spreadsheet from running a cell as a formula (CSV/XLSX injection)."""
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def to_csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """« ; »-separated, CRLF, with a BOM so that Excel opens it as UTF-8; every cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return "\ufeff" + buffer.getvalue()
