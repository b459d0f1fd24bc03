"""Fuzzing the importers: generated and mutated CSV, XLSX and GLPI exports.

Every input ends in an import report (and, when something was written, an inventory that
validates) or in a SovdiagError with a message, never in another exception; a second import into
the same file never loses what the first one wrote.
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given
from hypothesis import strategies as st

from sovdiag.errors import SovdiagError
from sovdiag.framework import load_domains
from sovdiag.importers import ImportReport, ImportRequest, rules_path, run_import
from sovdiag.inventory import load_inventory
from tests.test_fuzz import HOSTILE_VALUES, fuzz, time_limit

TODAY = dt.date(2026, 11, 23)


@functools.cache
def header_pool() -> list[str]:
    """Real spellings of every field (so that rows get mapped and converted), and noise."""
    rules = yaml.safe_load(rules_path().read_text(encoding="utf-8"))
    spellings = [s for values in rules["columns"].values() for s in values]
    return [*sorted(set(spellings)), "", "Colonne inconnue", "=A1", "Nom", "Nom", "\ufeffNom", "x" * 300]


CELLS = st.one_of(
    st.sampled_from(HOSTILE_VALUES),
    st.sampled_from(
        [
            "",
            " ",
            "Microsoft 365",
            "O365",
            "Berger-Levrault",
            "saas",
            "Critique",
            "critique",
            "31/12/2026",
            "2026-12-31",
            "12/31/2026",
            "31/02/2026",
            "12 400,50 €",
            "1.234,5",
            "-5",
            "36 mois",
            "trois ans",
            "FR",
            "Etats-Unis",
            '=HYPERLINK("http://127.0.0.1:9/x","clic")',
            "@SUM(1)",
            "\u202e\u2066abc",
            "\x07",
            "é" * 5000,
        ]
    ),
    st.text(max_size=40),
)

XLSX_CELLS = st.one_of(
    CELLS,
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=False),
    st.booleans(),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2100, 1, 1)),
    st.none(),
)


@functools.cache
def spellings(field: str) -> list[str]:
    rules = yaml.safe_load(rules_path().read_text(encoding="utf-8"))
    return list(rules["columns"][field])


@st.composite
def tables(draw: st.DrawFn, cells: st.SearchStrategy[Any]) -> list[list[Any]]:
    """Mostly tables an import can read (a name and a supplier column, rows of plausible and
    hostile cells), sometimes not (no name column, no rows): both must end well."""
    width = draw(st.integers(1, 8))
    header = [draw(st.sampled_from(header_pool())) for _ in range(width)]
    if draw(st.integers(0, 9)) < 8:
        header[:2] = [draw(st.sampled_from(spellings("name"))), draw(st.sampled_from(spellings("supplier")))]
    plausible = st.sampled_from(["Microsoft 365", "Berger-Levrault", "OVHcloud", "Publik", "Horizon", "x"])
    row = st.lists(st.one_of(plausible, cells), min_size=2, max_size=len(header) + 2)
    rows = draw(st.lists(row, min_size=draw(st.integers(0, 1)), max_size=8))
    blank_lines = [[] for _ in range(draw(st.integers(0, 2)))]
    return [*blank_lines, header, *rows]


def csv_bytes(table: list[list[Any]], delimiter: str, encoding: str) -> bytes:
    def cell(value: Any) -> str:
        text = str(value)
        if any(c in text for c in (delimiter, '"', "\n", "\r")):
            text = '"' + text.replace('"', '""') + '"'
        return text

    text = "\r\n".join(delimiter.join(cell(v) for v in row) for row in table)
    return text.encode(encoding, errors="replace")


def run(source: Path, output: Path, new: bool) -> ImportReport | SovdiagError:
    request = ImportRequest(
        source=source,
        output=output,
        today=TODAY,
        name="Commune de Test" if new else None,
        kinds=["commune"] if new else [],
        conducted_by="Test" if new else None,
    )
    with time_limit(20):
        try:
            return run_import(request)
        except SovdiagError as error:
            message = str(error)
            assert message.strip()
            assert "Traceback" not in message
            return error


def check_round(source: Path, output: Path) -> None:
    """Import into a new inventory, then again into it: both end well, nothing written is lost."""
    first = run(source, output, new=True)
    if not output.exists():
        return
    inventory = load_inventory(output, None, load_domains())  # what was written validates
    before = {s.id: s for s in inventory.services}
    assert isinstance(first, ImportReport)
    second = run(source, output, new=False)
    assert isinstance(second, ImportReport | SovdiagError)
    after = {s.id: s for s in load_inventory(output, None, load_domains()).services}
    assert before.keys() <= after.keys()
    for service_id, service in before.items():
        assert after[service_id] == service  # a second import of the same rows changes nothing


@fuzz(60)
@given(
    table=tables(CELLS),
    delimiter=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "latin-1"]),
    noise=st.lists(st.tuples(st.integers(0, 10_000), st.binary(min_size=1, max_size=4)), max_size=3),
)
def test_csv_imports(
    tmp_path: Path, table: list[list[Any]], delimiter: str, encoding: str, noise: list[tuple[int, bytes]]
) -> None:
    data = bytearray(csv_bytes(table, delimiter, encoding))
    for at, chunk in noise:
        data[min(at, len(data)) : min(at, len(data))] = chunk
    source = tmp_path / "export.csv"
    source.write_bytes(bytes(data))
    output = tmp_path / "inventaire.yaml"
    output.unlink(missing_ok=True)
    check_round(source, output)


@fuzz(30)
@given(table=tables(XLSX_CELLS), sheet_title=st.sampled_from(["Logiciels", "Feuil1", "=x", "é" * 31]))
def test_xlsx_imports(tmp_path: Path, table: list[list[Any]], sheet_title: str) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title
    for row in table:
        clean = []
        for value in row:
            if isinstance(value, str):
                # openpyxl refuses control characters in cells: a spreadsheet cannot hold them.
                value = "".join(c for c in value if c >= " " or c in "\t\n\r")[:32_000]
            clean.append(value)
        sheet.append(clean)
    source = tmp_path / "export.xlsx"
    workbook.save(source)
    output = tmp_path / "inventaire.yaml"
    output.unlink(missing_ok=True)
    check_round(source, output)


GLPI_SOFTWARE = ["Nom", "Éditeur", "Versions", "Nombre d'installations", "Licences", "Entité"]
GLPI_CONTRACTS = ["Name", "Number", "Contract type", "Start date", "Initial contract period", "Associated suppliers"]


@fuzz(40)
@given(
    header=st.sampled_from([GLPI_SOFTWARE, GLPI_CONTRACTS]),
    rows=st.lists(st.lists(CELLS, min_size=0, max_size=8), max_size=6),
    drop=st.integers(0, 5),
    extra=st.booleans(),
)
def test_glpi_exports_with_missing_and_extra_columns(
    tmp_path: Path, header: list[str], rows: list[list[Any]], drop: int, extra: bool
) -> None:
    columns = [h for i, h in enumerate(header) if i != drop] + (["Colonne ajoutée"] if extra else [])
    source = tmp_path / "glpi.csv"
    source.write_bytes(csv_bytes([columns, *rows], ";", "utf-8-sig"))
    output = tmp_path / "inventaire.yaml"
    output.unlink(missing_ok=True)
    check_round(source, output)
