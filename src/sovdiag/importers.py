"""Create or complete an inventory from a spreadsheet: CSV, XLSX and GLPI's CSV exports.

Why: the IT manager of a collectivité already has a list of software, contracts or suppliers,
usually in GLPI or in a spreadsheet; retyping it is where diagnostics stall. The columns are
recognised from a table of header spellings kept as data (``questionnaires/import-columns.yaml``),
the cells are converted the way French spreadsheets write them (« 12 345,50 € », 31/12/2026,
Excel serial dates, « 36 mois »), and every row that cannot be read is reported with its line and
the reason, without stopping the import.

Merging never destroys anything: an existing service (same id, the slug of its name) only gets
the fields that are empty in the file; a different value is reported as a conflict and the file's
value stays; answers are never touched. A re-import of the same source changes nothing and does
not rewrite the file. New services are written in the layout of the other inventories; when the
file's ``services`` list ends it, they are appended to its text (the existing bytes stay as they
are); otherwise the file goes through the round-trip writer (``yamlrt``), which keeps comments.

Nothing here prints: the command line (``cli/importer.py``) shows the ``ImportReport``.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import itertools
import math
import re
import unicodedata
import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import IO, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from sovdiag import portfolio
from sovdiag.errors import ExitCode, InputFileError, Problem, SovdiagError, ValidationFailed
from sovdiag.messages import translate as t
from sovdiag.models import (
    COUNTRY,
    CollectiviteKind,
    Contract,
    Criticality,
    DataCategory,
    Deployment,
    DomainChecklist,
    EpciKind,
    Renewal,
    Service,
)

MAX_SOURCE_BYTES = 50 * 1024 * 1024
MAX_SERVICES = 20_000  # the inventory model's limit
HEADER_SCAN_ROWS = 10  # a title or blank rows may sit above the headers

SOURCE_KINDS = ("software", "contracts", "suppliers", "generic")

# The fields a column can give. ``publisher`` and ``supplier`` both exist in sources; the
# inventory's supplier takes the one the kind of source prefers. ``contract.duration`` (months)
# gives the end date from the start date.
FIELDS = (
    "name",
    "publisher",
    "supplier",
    "product",
    "domain",
    "deployment",
    "hosted_by",
    "supplier_country",
    "criticality",
    "data_categories",
    "users",
    "notes",
    "contract.reference",
    "contract.start",
    "contract.end",
    "contract.duration",
    "contract.notice_months",
    "contract.renewal",
    "contract.annual_cost",
)
DEFAULTED = ("domain", "deployment", "criticality")  # required by the model: filled when missing

SERVICE_ORDER = tuple(Service.model_fields)
CONTRACT_ORDER = tuple(Contract.model_fields)
FORMULA_START = ("=", "+", "-", "@")


# ----------------------------------------------------------------------------------- errors


class ImportUsageError(SovdiagError):
    """A bad option of the import (``--map``, ``--kind``, ``--sheet``, missing ``--name``…): exit 2."""

    exit_code = ExitCode.USAGE


@dataclass(frozen=True)
class RejectedRow:
    line: int  # CSV line where the record starts, or XLSX row number
    reasons: tuple[str, ...]

    def render(self) -> str:
        return t("import.rejected.line", line=self.line, reason=" ; ".join(self.reasons))


class NothingImported(SovdiagError):
    """No row of the source could be read: nothing is written."""

    def __init__(self, file: str, rejected: list[RejectedRow]) -> None:
        self.file = file
        self.rejected = rejected
        super().__init__("import.error.nothing_imported", file=file, rejected=len(rejected))

    def __str__(self) -> str:
        head = t("import.error.nothing_imported", file=self.file, rejected=len(self.rejected))
        return "\n".join([head, *(row.render() for row in self.rejected)])


# ----------------------------------------------------------------------------------- report


@dataclass(frozen=True)
class ColumnMapping:
    index: int
    column: str
    field: str | None
    origin: Literal["synonym", "map", "none", "duplicate"]


@dataclass(frozen=True)
class Conflict:
    service: str
    field: str
    current: str
    imported: str
    line: int


@dataclass(frozen=True)
class SupplierMatch:
    name: str
    status: str  # ambiguous | unmatched
    candidates: tuple[str, ...]
    suggestions: tuple[str, ...]
    services: int


@dataclass
class ImportReport:
    source: str
    output: str
    format: str  # csv | xlsx
    encoding: str | None
    delimiter: str | None
    sheet: str | None
    kind: str
    kind_detected: bool
    mapping: list[ColumnMapping]
    rows: int = 0  # data rows seen
    added: list[str] = field(default_factory=list)
    updated: dict[str, list[str]] = field(default_factory=dict)  # service id -> fields filled
    unchanged: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)
    defaults: dict[str, int] = field(default_factory=dict)  # field -> services given the default
    unknown_categories: dict[str, int] = field(default_factory=dict)
    matched_suppliers: int = 0
    suppliers: list[SupplierMatch] = field(default_factory=list)  # unmatched and ambiguous
    created: bool = False
    written: bool = False
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated)


@dataclass
class ImportRequest:
    source: Path
    output: Path
    sheet: str | None = None
    kinds: Sequence[str] = ()  # --kind values: a source kind and/or a collectivité kind
    overrides: Sequence[str] = ()  # --map "Colonne=champ"
    name: str | None = None  # collectivité name, for a new inventory
    conducted_by: str | None = None
    today: dt.date | None = None
    catalog: Path | None = None
    schema_hint: str | None = None
    dry_run: bool = False


# ----------------------------------------------------------------------------------- the rules


_SUPPLIER_FROM: list[Literal["supplier", "publisher", "name"]] = ["supplier", "publisher"]


class _KindRules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    markers: list[str] = Field(default_factory=list)
    supplier_from: list[Literal["supplier", "publisher", "name"]] = Field(default_factory=lambda: _SUPPLIER_FROM.copy())
    defaults: dict[Literal["deployment", "criticality"], str] = Field(default_factory=dict)


class _Defaults(BaseModel):
    model_config = ConfigDict(extra="forbid")
    deployment: Deployment
    criticality: Criticality


class _Values(BaseModel):
    model_config = ConfigDict(extra="forbid")
    deployment: dict[Deployment, list[str]]
    criticality: dict[Criticality, list[str]]
    data_categories: dict[DataCategory, list[str]]
    renewal: dict[Renewal, list[str]]
    domain: dict[str, list[str]]
    country: dict[str, list[str]]


class ImportRules(BaseModel):
    """The file ``questionnaires/import-columns.yaml``."""

    model_config = ConfigDict(extra="forbid")
    version: str
    ignore_prefixes: list[str] = Field(default_factory=list)
    columns: dict[str, list[str]]
    kinds: dict[Literal["software", "contracts", "suppliers", "generic"], _KindRules]
    defaults: _Defaults
    values: _Values


def key(text: str) -> str:
    """Header and value matching key: « Durée (en mois) » -> « duree en mois »."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = text.replace("œ", "oe").replace("æ", "ae")
    return " ".join("".join(c if c.isalnum() else " " for c in text).split())


@dataclass
class Vocabulary:
    """The rules compiled for lookups."""

    columns: dict[str, str]  # header key -> field
    prefixes: frozenset[str]
    markers: dict[str, frozenset[str]]
    supplier_from: dict[str, list[str]]
    defaults: dict[str, dict[str, str]]  # kind -> field -> value
    values: dict[str, dict[str, str]]  # table -> value key -> id
    choices: dict[str, list[str]]  # table -> ids, for messages

    def field_of(self, header: str) -> str | None:
        found = self.columns.get(key(header))
        if found is None and " - " in header:
            prefix, _, rest = header.partition(" - ")
            if key(prefix) in self.prefixes:
                found = self.columns.get(key(rest))
        return found

    def is_marker(self, kind: str, header: str) -> bool:
        if key(header) in self.markers[kind]:
            return True
        prefix, sep, rest = header.partition(" - ")
        return bool(sep) and key(prefix) in self.prefixes and key(rest) in self.markers[kind]

    def lookup(self, table: str, value: str) -> str | None:
        return self.values[table].get(key(value))


def rules_path() -> Path:
    from sovdiag.resources import questionnaires_dir

    return questionnaires_dir() / "import-columns.yaml"


def load_vocabulary(domains: DomainChecklist, path: Path | None = None) -> Vocabulary:
    """Load and check the import rules: every field and value known, every spelling used once."""
    from sovdiag.validation import validate_model
    from sovdiag.yamlio import LineLocator, load_yaml, read_text

    path = path or rules_path()
    text = read_text(path)
    rules = validate_model(ImportRules, load_yaml(text, str(path), "import-columns"), text, str(path), "import-columns")
    locator = LineLocator(text)
    problems: list[Problem] = []

    def problem(where: list[str | int], message: str) -> None:
        from sovdiag.validation import render_path

        problems.append(Problem(str(path), message, path=render_path(where), line=locator.line_of(where)))

    def index(table: dict[str, list[str]], where: list[str | int], extra: dict[str, str]) -> dict[str, str]:
        out = dict(extra)
        for target, spellings in table.items():
            for i, spelling in enumerate(spellings):
                k = key(spelling)
                previous = out.get(k)
                if previous is not None and (previous != target or k not in extra):
                    problem(
                        [*where, target, i], t("import.problem.duplicate_spelling", spelling=spelling, other=previous)
                    )
                out[k] = target
        return out

    for name in rules.columns:
        if name not in FIELDS:
            problem(["columns", name], t("import.problem.unknown_field", field=name, choices=", ".join(FIELDS)))
    columns = index(rules.columns, ["columns"], {})
    for kind in SOURCE_KINDS:
        if kind not in rules.kinds:
            problem(["kinds"], t("problem.missing") + f" ({kind})")

    domain_ids = [d.id for d in domains.domains]
    for domain in rules.values.domain:
        if domain not in domain_ids:
            problem(["values", "domain", domain], t("problem.unknown_domain", domain=domain, hint=""))
    for country in rules.values.country:
        if not re.fullmatch(COUNTRY, country):
            problem(["values", "country", country], t("expected.country"))

    def ids(enum: type[Enum]) -> dict[str, str]:
        return {key(str(m.value)): str(m.value) for m in enum}

    domain_extra = {key(d.id): d.id for d in domains.domains}
    for d in domains.domains:
        domain_extra.setdefault(key(d.label.fr), d.id)
        domain_extra.setdefault(key(d.label.en), d.id)
    tables: dict[str, tuple[dict[Any, list[str]], dict[str, str]]] = {
        "deployment": (rules.values.deployment, ids(Deployment)),
        "criticality": (rules.values.criticality, ids(Criticality)),
        "data_categories": (rules.values.data_categories, ids(DataCategory)),
        "renewal": (rules.values.renewal, ids(Renewal)),
        "domain": (rules.values.domain, {}),
        "country": (rules.values.country, {}),
    }
    values: dict[str, dict[str, str]] = {}
    for table, (spellings, extra) in tables.items():
        plain = {str(getattr(k, "value", k)): v for k, v in spellings.items()}
        values[table] = index(plain, ["values", table], extra)
    # Domain labels come after the file's own spellings, which may reuse a label on purpose.
    for k, v in domain_extra.items():
        values["domain"].setdefault(k, v)
    if problems:
        raise ValidationFailed(str(path), problems, "import-columns")
    choices = {
        "deployment": [m.value for m in Deployment],
        "criticality": [m.value for m in Criticality],
        "data_categories": [m.value for m in DataCategory],
        "renewal": [m.value for m in Renewal],
        "domain": domain_ids,
        "country": sorted(rules.values.country),
    }
    base_defaults = {"deployment": rules.defaults.deployment.value, "criticality": rules.defaults.criticality.value}
    return Vocabulary(
        columns=columns,
        prefixes=frozenset(key(p) for p in rules.ignore_prefixes),
        markers={k: frozenset(key(m) for m in r.markers) for k, r in rules.kinds.items()},
        supplier_from={k: list(r.supplier_from) for k, r in rules.kinds.items()},
        defaults={k: {**base_defaults, **{str(f): v for f, v in r.defaults.items()}} for k, r in rules.kinds.items()},
        values=values,
        choices=choices,
    )


# ----------------------------------------------------------------------------------- reading


@dataclass
class Table:
    """The rows of a source, read lazily: (line, cells) for every non-blank row."""

    format: str
    rows: Iterator[tuple[int, list[Any]]]
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    errors: list[RejectedRow] = field(default_factory=list)  # lines the CSV reader could not parse

    def close(self) -> None:
        """Release the source (an XLSX workbook stays open while its rows are read)."""
        close = getattr(self.rows, "close", None)
        if close is not None:
            close()


def _read_bytes(path: Path) -> bytes:
    from sovdiag.yamlio import read_bytes

    data = read_bytes(path, MAX_SOURCE_BYTES)
    if not data.strip():
        raise InputFileError("error.empty_file", file=str(path))
    return data


def read_table(path: Path, sheet: str | None = None) -> Table:
    """Open a CSV or XLSX source (recognised by its content, not its name)."""
    data = _read_bytes(path)
    if data.startswith(b"PK\x03\x04"):
        if b"mimetypeapplication/vnd.oasis.opendocument" in data[:200]:
            raise InputFileError("import.error.unsupported_format", file=str(path), what="ODS (LibreOffice)")
        return _xlsx_table(path, sheet)
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise InputFileError("import.error.unsupported_format", file=str(path), what="XLS (Excel 97-2003)")
    if sheet is not None:
        raise ImportUsageError("import.error.sheet_not_xlsx", file=str(path))
    return _csv_table(data, str(path))


def decode(data: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252 as Excel writes it in France.

    cp1252 leaves five bytes undefined: they become U+FFFD rather than an error."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "UTF-16"
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "Windows-1252"


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first records into the most consistent number (> 1) of cells
    (a title line above the headers has one cell whatever the delimiter)."""
    sample = text[:65536]
    best, best_score = ";", (False, 0, 0)
    for delimiter in (";", ",", "\t"):
        try:
            reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
            rows = [r for r in itertools.islice(reader, 20) if r]
        except csv.Error:
            continue
        if not rows:
            continue
        widths = Counter(len(r) for r in rows)
        width, count = max(widths.items(), key=lambda item: (item[1], item[0]))
        score = (width > 1, count, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _csv_table(data: bytes, name: str) -> Table:
    text, encoding = decode(data)
    if "\x00" in text:
        raise InputFileError("error.binary_file", file=name)
    offset = 0
    declared = re.match(r"sep=(.)\r?\n", text)  # Excel's hint line
    if declared:
        delimiter = declared.group(1)
        text = text[declared.end() :]
        offset = 1
    else:
        delimiter = sniff_delimiter(text)
    table = Table("csv", iter(()), encoding=encoding, delimiter=delimiter)
    table.rows = _csv_rows(text, delimiter, offset, table.errors)
    return table


def _csv_rows(text: str, delimiter: str, offset: int, errors: list[RejectedRow]) -> Iterator[tuple[int, list[Any]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    while True:
        before = reader.line_num
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            errors.append(RejectedRow(before + 1 + offset, (t("import.reason.unreadable_line", detail=str(err)),)))
            if reader.line_num == before:
                return
            continue
        if any(cell.strip() for cell in row):
            yield before + 1 + offset, list(row)


def _xlsx_table(path: Path, sheet: str | None) -> Table:
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it skips
        try:
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as err:
            raise InputFileError(
                "import.error.xlsx_unreadable", file=str(path), reason=str(err) or type(err).__name__
            ) from err
    names = [ws.title for ws in workbook.worksheets]
    if not names:
        workbook.close()
        raise InputFileError("import.error.no_header", file=str(path))
    if sheet is None:
        chosen = names[0]
    else:
        matches = [n for n in names if n == sheet] or [n for n in names if key(n) == key(sheet)]
        if not matches:
            workbook.close()
            raise ImportUsageError("import.error.unknown_sheet", sheet=sheet, file=str(path), choices=", ".join(names))
        chosen = matches[0]
    return Table("xlsx", _xlsx_rows(workbook, chosen, str(path)), sheet=chosen)


def _xlsx_rows(workbook: Any, sheet: str, file: str) -> Iterator[tuple[int, list[Any]]]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            worksheet = workbook[sheet]
            for number, values in enumerate(worksheet.iter_rows(min_row=1, values_only=True), start=1):
                cells = ["" if v is None else v for v in values]
                if any(not _blank(c) for c in cells):
                    yield number, cells
    except InputFileError:
        raise
    except Exception as err:
        raise InputFileError("import.error.xlsx_unreadable", file=file, reason=str(err) or type(err).__name__) from err
    finally:
        workbook.close()


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


# ----------------------------------------------------------------------------------- mapping


def _label(cell: Any, index: int) -> str:
    text = " ".join(_as_text(cell).split()) if not _blank(cell) else ""
    return text or t("import.column_number", number=index + 1)


def resolve_field(name: str, vocab: Vocabulary) -> str | None:
    """A field id given by the user: the id itself or any header spelling of the field."""
    name = name.strip()
    if name in FIELDS:
        return name
    return vocab.columns.get(key(name))


def build_mapping(headers: list[Any], vocab: Vocabulary, overrides: Sequence[str], file: str) -> list[ColumnMapping]:
    labels = [_label(cell, i) for i, cell in enumerate(headers)]
    forced: dict[int, str | None] = {}
    for value in overrides:
        column, sep, target = value.rpartition("=")
        if not sep or not column.strip():
            raise ImportUsageError("import.error.bad_map", value=value)
        found = [i for i, label in enumerate(labels) if label == column.strip()]
        found = found or [i for i, label in enumerate(labels) if key(label) == key(column)]
        if not found:
            raise ImportUsageError(
                "import.error.unknown_column", column=column.strip(), file=file, choices=", ".join(labels)
            )
        if target.strip() in ("", "-"):
            forced[found[0]] = None
            continue
        resolved = resolve_field(target, vocab)
        if resolved is None:
            raise ImportUsageError("import.error.unknown_field", field=target.strip(), choices=", ".join(FIELDS))
        forced[found[0]] = resolved
    taken = {f for f in forced.values() if f is not None}
    mapping: list[ColumnMapping] = []
    for i, label in enumerate(labels):
        if i in forced:
            chosen = forced[i]
            mapping.append(ColumnMapping(i, label, chosen, "map" if chosen else "none"))
            continue
        synonym = vocab.field_of(label) if not _blank(headers[i]) else None
        if synonym is None:
            mapping.append(ColumnMapping(i, label, None, "none"))
        elif synonym in taken:
            mapping.append(ColumnMapping(i, label, None, "duplicate"))
        else:
            taken.add(synonym)
            mapping.append(ColumnMapping(i, label, synonym, "synonym"))
    return mapping


def detect_kind(headers: list[Any], vocab: Vocabulary) -> str:
    """The GLPI export the headers look like, or ``generic``."""
    labels = [_as_text(h).strip() for h in headers if not _blank(h)]
    scores = {kind: sum(1 for h in labels if vocab.is_marker(kind, h)) for kind in SOURCE_KINDS if kind != "generic"}
    best = max(scores.values(), default=0)
    winners = [k for k, s in scores.items() if s == best]
    return winners[0] if best >= 2 and len(winners) == 1 else "generic"


def _find_header(
    rows: Iterator[tuple[int, list[Any]]], vocab: Vocabulary
) -> tuple[list[Any], list[tuple[int, list[Any]]]]:
    """The header row: the first of the first rows with two known headers, else the first row."""
    buffered: list[tuple[int, list[Any]]] = []
    for item in rows:
        buffered.append(item)
        if len(buffered) >= HEADER_SCAN_ROWS:
            break
    if not buffered:
        return [], []
    chosen = 0
    for i, (_, cells) in enumerate(buffered):
        known = sum(1 for c in cells if not _blank(c) and vocab.field_of(_as_text(c).strip()) is not None)
        if known >= 2:
            chosen = i
            break
    return buffered[chosen][1], buffered[chosen + 1 :]


# ----------------------------------------------------------------------------------- values

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CURRENCY = re.compile(r"(?i)\b(?:eur|euros?|ttc|ht|hors taxes?|usd)\b|[€$£]")
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009'’]")
_MONTHS = {
    **dict.fromkeys(("janvier", "janv", "jan", "january"), 1),
    **dict.fromkeys(("fevrier", "fevr", "fev", "february", "feb"), 2),
    **dict.fromkeys(("mars", "mar", "march"), 3),
    **dict.fromkeys(("avril", "avr", "april", "apr"), 4),
    **dict.fromkeys(("mai", "may"), 5),
    **dict.fromkeys(("juin", "june", "jun"), 6),
    **dict.fromkeys(("juillet", "juil", "july", "jul"), 7),
    **dict.fromkeys(("aout", "august", "aug"), 8),
    **dict.fromkeys(("septembre", "sept", "sep", "september"), 9),
    **dict.fromkeys(("octobre", "oct", "october"), 10),
    **dict.fromkeys(("novembre", "nov", "november"), 11),
    **dict.fromkeys(("decembre", "dec", "december"), 12),
}
_EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 = 1900-01-01 counting Excel's 29 February 1900


def _as_text(cell: Any) -> str:
    if isinstance(cell, str):
        return _CONTROL.sub("", cell.replace("\r\n", "\n").replace("\r", "\n"))
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat() if cell.time() == dt.time() else cell.isoformat(sep=" ")
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return str(cell)


def one_line(cell: Any) -> str:
    return " ".join(_as_text(cell).split())


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).casefold().strip()


def _excel_date(serial: float) -> dt.date:
    if not 20_000 <= serial <= 80_000:  # 1954 to 2119: beyond, a number is not a date
        raise ValueError(serial)
    return _EXCEL_EPOCH + dt.timedelta(days=int(serial))


def parse_date(cell: Any) -> dt.date:
    """31/12/2026, 31-12-2026, 2026-12-31, 31 déc. 2026, Excel serial numbers, spreadsheet dates."""
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return _excel_date(float(cell))
    text = one_line(cell)
    text = re.sub(r"[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$", "", text).strip()  # GLPI's « 2024-01-15 00:00 »
    if m := re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", text):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif m := re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})", text):
        day, month, year = int(m[1]), int(m[2]), int(m[3])
        if len(m[3]) == 2:
            year += 2000
        if month > 12 and day <= 12:  # 12/31/2026 can only be American
            day, month = month, day
    elif re.fullmatch(r"\d{5}(?:[.,]\d+)?", text):
        return _excel_date(float(text.replace(",", ".")))
    else:
        words = key(text)
        if m := re.fullmatch(r"(\d{1,2})(?:er)? ([a-z]+) (\d{4})", words):
            day, month, year = int(m[1]), _MONTHS.get(m[2], 0), int(m[3])
        elif m := re.fullmatch(r"([a-z]+) (\d{1,2}) (\d{4})", words):
            day, month, year = int(m[2]), _MONTHS.get(m[1], 0), int(m[3])
        else:
            raise ValueError(text)
    if not 1900 <= year <= 2200:
        raise ValueError(text)
    return dt.date(year, month, day)


def parse_number(cell: Any) -> float:
    """12 345,50 €, 1 234,5, 1,234.56, 1.234,56, 1234.5; spreadsheet numbers as they are."""
    if isinstance(cell, bool):
        raise ValueError(cell)
    if isinstance(cell, int | float):
        value = float(cell)
    else:
        text = _SPACES.sub("", _CURRENCY.sub("", one_line(cell)))
        if not re.fullmatch(r"-?[\d.,]*\d[\d.,]*", text):
            raise ValueError(text)
        commas, dots = text.count(","), text.count(".")
        if commas and dots:
            if text.rfind(",") > text.rfind("."):
                text = text.replace(".", "").replace(",", ".")
            else:
                text = text.replace(",", "")
        elif commas:
            text = text.replace(",", ".") if commas == 1 else text.replace(",", "")
        elif dots > 1:
            text = text.replace(".", "")
        value = float(text)
    if not math.isfinite(value):
        raise ValueError(cell)
    return value


def parse_months(cell: Any) -> int:
    """36, « 36 mois », « 3 ans », « 36 months », « 90 jours » (rounded up to whole months)."""
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        amount, unit = float(cell), ""
    else:
        m = re.fullmatch(r"(\d+(?:[.,]\d+)?)\s*([a-z()]*)\.?", _fold(one_line(cell)))
        if not m:
            raise ValueError(cell)
        amount, unit = float(m[1].replace(",", ".")), m[2].strip("()")
    if unit in ("", "m", "mois", "month", "months", "mo"):
        months = amount
    elif unit in ("an", "ans", "annee", "annees", "a", "year", "years", "y", "yr", "yrs"):
        months = amount * 12
    elif unit in ("j", "jour", "jours", "d", "day", "days"):
        months = math.ceil(amount / 30)
    elif unit in ("semaine", "semaines", "sem", "week", "weeks", "w"):
        months = math.ceil(amount * 7 / 30)
    else:
        raise ValueError(cell)
    if not float(months).is_integer():
        raise ValueError(cell)
    return int(months)


def add_months(start: dt.date, months: int) -> dt.date:
    """The end of a contract of ``months`` months starting on ``start`` (GLPI: start + months − 1 day)."""
    return portfolio.add_months(start, months) - dt.timedelta(days=1)


def split_values(text: str) -> list[str]:
    """A multi-valued cell of categories: « personnelles, internes », « santé / sociales »…"""
    return [v.strip() for v in re.split(r"[,;/+|\n]|\bet\b|\band\b", text) if v.strip()]


def split_names(text: str) -> list[str]:
    """A multi-valued cell of names as GLPI exports it (one per line; « <br> » or « $$##$$ » in old versions)."""
    return [" ".join(v.split()) for v in re.split(r"\n|<br\s*/?>|\$\$##\$\$", text) if v.strip()]


def slug(name: str) -> str:
    """A service id from its name: « Logiciel de l'état civil » -> « logiciel-de-l-etat-civil »."""
    text = re.sub(r"[^a-z0-9]+", "-", key(name)).strip("-")
    if not text:
        text = "service-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    return text[:72].rstrip("-")


# ----------------------------------------------------------------------------------- rows


@dataclass
class Candidate:
    """One row read: the service it gives and where each value comes from."""

    line: int
    data: dict[str, Any]  # the service as plain data (nested contract), without id
    given: list[str]  # dotted paths whose value the source gives
    defaulted: list[str]  # top-level fields that took a default
    columns: dict[str, str]  # dotted path -> source column
    category: str | None = None  # a category that matched no domain
    id: str = ""


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    head, _, tail = path.partition(".")
    if tail:
        data.setdefault(head, {})[tail] = value
    else:
        data[head] = value


def convert_row(
    line: int, cells: list[Any], mapping: list[ColumnMapping], kind: str, vocab: Vocabulary
) -> Candidate | RejectedRow:
    raw: dict[str, tuple[str, Any]] = {}
    for col in mapping:
        if col.field is not None and col.index < len(cells) and not _blank(cells[col.index]):
            raw[col.field] = (col.column, cells[col.index])
    reasons: list[str] = []
    candidate = Candidate(line, {}, [], [], {})

    def give(path: str, value: Any, column: str) -> None:
        _set(candidate.data, path, value)
        candidate.given.append(path)
        candidate.columns[path] = column

    def text(name: str) -> str | None:
        return one_line(raw[name][1]) or None if name in raw else None

    def word(name: str, table: str) -> str | None:
        if name not in raw:
            return None
        column, cell = raw[name]
        found = vocab.lookup(table, one_line(cell))
        if found is None:
            reasons.append(_unknown(cell, column, table, vocab))
        return found

    def converted(name: str, parse: Callable[[Any], Any], reason: str) -> Any:
        if name not in raw:
            return None
        column, cell = raw[name]
        try:
            return parse(cell)
        except (ValueError, TypeError, OverflowError):
            value = one_line(cell)
            reasons.append(
                t("import.reason.formula", value=value, column=column)
                if value.startswith(FORMULA_START)
                else t(reason, value=value, column=column)
            )
            return None

    name = text("name") or text("product")
    if name is None:
        reasons.append(t("import.reason.no_name"))
    else:
        give("name", name, raw["name"][0] if "name" in raw else raw["product"][0])

    supplier, others = None, []
    for source in vocab.supplier_from[kind]:
        if source == "name" and name is not None:
            supplier = name
            candidate.columns["supplier"] = candidate.columns["name"]
            break
        if source in raw:
            names = split_names(_as_text(raw[source][1]))
            if names:
                supplier, others = names[0], names[1:]
                candidate.columns["supplier"] = raw[source][0]
                break
    if supplier is None:
        reasons.append(t("import.reason.no_supplier"))
    else:
        _set(candidate.data, "supplier", supplier)
        candidate.given.append("supplier")

    if text("product"):
        give("product", text("product"), raw["product"][0])
    if "domain" in raw:
        category = one_line(raw["domain"][1])
        domain = vocab.lookup("domain", category)
        if domain is None and "\n" in _as_text(raw["domain"][1]):
            domain = vocab.lookup("domain", split_names(_as_text(raw["domain"][1]))[0])
        if domain is not None:
            give("domain", domain, raw["domain"][0])
        else:
            candidate.category = category
    for name_, table in (("deployment", "deployment"), ("criticality", "criticality")):
        found = word(name_, table)
        if found is not None:
            give(name_, found, raw[name_][0])
    if "data_categories" in raw:
        column, cell = raw["data_categories"]
        categories: list[str] = []
        for value in split_values(_as_text(cell)):
            found = vocab.lookup("data_categories", value)
            if found is None:
                reasons.append(_unknown(value, column, "data_categories", vocab))
            elif found not in categories:
                categories.append(found)
        if categories:
            give("data_categories", categories, column)
    for name_ in ("hosted_by", "contract.reference"):
        plain = text(name_)
        if plain:
            give(name_, plain, raw[name_][0])
    if "supplier_country" in raw:
        column, cell = raw["supplier_country"]
        value = one_line(cell)
        country = value.upper() if re.fullmatch(r"[A-Za-z]{2}", value) else vocab.lookup("country", value)
        if country is None:
            reasons.append(_unknown(value, column, "country", vocab))
        else:
            give("supplier_country", country, column)
    users = converted("users", parse_number, "import.reason.bad_number")
    if users is not None:
        if float(users).is_integer():
            give("users", int(users), raw["users"][0])
        else:
            reasons.append(t("import.reason.bad_number", value=one_line(raw["users"][1]), column=raw["users"][0]))
    start = converted("contract.start", parse_date, "import.reason.bad_date")
    end = converted("contract.end", parse_date, "import.reason.bad_date")
    duration = converted("contract.duration", parse_months, "import.reason.bad_duration")
    notice = converted("contract.notice_months", parse_months, "import.reason.bad_duration")
    renewal = word("contract.renewal", "renewal")
    cost = converted("contract.annual_cost", parse_number, "import.reason.bad_number")
    if start is not None:
        give("contract.start", start, raw["contract.start"][0])
    if end is not None:
        give("contract.end", end, raw["contract.end"][0])
    elif start is not None and duration is not None and duration > 0:
        give("contract.end", add_months(start, duration), raw["contract.duration"][0])
    if start is not None and end is not None and end < start:
        reasons.append(t("import.reason.end_before_start", start=start.isoformat(), end=end.isoformat()))
    if notice is not None:
        give("contract.notice_months", notice, raw["contract.notice_months"][0])
    if renewal is not None:
        give("contract.renewal", renewal, raw["contract.renewal"][0])
    if cost is not None:
        give("contract.annual_cost", int(cost) if cost.is_integer() else cost, raw["contract.annual_cost"][0])

    notes = [_as_text(raw["notes"][1]).strip()] if "notes" in raw else []
    publisher = text("publisher")
    from_publisher = candidate.columns.get("supplier") == raw["publisher"][0] if publisher else True
    if publisher and supplier and not from_publisher and key(publisher) != key(supplier):
        notes.append(t("import.note.publisher", name=publisher))
    if others:
        notes.append(t("import.note.other_suppliers", names=", ".join(others)))
    notes = [n for n in notes if n]
    if notes:
        give("notes", "\n".join(notes), raw["notes"][0] if "notes" in raw else candidate.columns.get("supplier", ""))

    if reasons:
        return RejectedRow(line, tuple(reasons))
    defaults = vocab.defaults[kind]
    for name_ in DEFAULTED:
        if name_ not in candidate.data:
            candidate.data[name_] = "autre" if name_ == "domain" else defaults[name_]
            candidate.defaulted.append(name_)
    problems = _model_problems({"id": "x", **candidate.data})
    if problems:
        return RejectedRow(line, tuple(_reason(p, candidate.columns) for p in problems))
    return candidate


def _unknown(cell: Any, column: str, table: str, vocab: Vocabulary) -> str:
    return t(
        "import.reason.unknown_value",
        value=one_line(cell),
        column=column,
        choices=", ".join(vocab.choices[table]),
    )


def _model_problems(data: dict[str, Any]) -> list[Problem]:
    from sovdiag.validation import collect_model_problems
    from sovdiag.yamlio import LineLocator

    return collect_model_problems(Service, data, "", LineLocator(""))[1]


def _reason(problem: Problem, columns: dict[str, str]) -> str:
    column = columns.get(problem.path) or columns.get(problem.path.split("[")[0]) or problem.path
    return t("import.reason.field", column=column, message=problem.message)


# ----------------------------------------------------------------------------------- merging


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, list | tuple):
        return tuple(sorted(str(_plain(v)) for v in value))
    if isinstance(value, str):
        return " ".join(value.split())
    return value


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | dict) and not value)


def display(value: Any) -> str:
    value = _plain(value)
    if isinstance(value, tuple):
        return ", ".join(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    return str(value)


def _current(service: Service, path: str) -> Any:
    value: Any = service
    for part in path.split("."):
        value = getattr(value, part, None) if value is not None else None
    return value


@dataclass
class Plan:
    added: list[Candidate] = field(default_factory=list)
    fills: dict[str, list[tuple[str, Any]]] = field(default_factory=dict)
    unchanged: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)


def plan_merge(candidates: list[Candidate], existing: dict[str, Service]) -> Plan:
    """What the import adds, fills and reports, given the services already in the file."""
    plan = Plan()
    for candidate in candidates:
        current = existing.get(candidate.id)
        if current is None:
            plan.added.append(candidate)
            continue
        fills: list[tuple[str, Any]] = []
        conflicts: list[Conflict] = []
        for path in candidate.given:
            new = _get(candidate.data, path)
            old = _current(current, path)
            if _empty(old):
                fills.append((path, new))
            elif _plain(old) != _plain(new):
                conflicts.append(Conflict(candidate.id, path, display(old), display(new), candidate.line))
        plan.conflicts += conflicts
        if not fills:
            plan.unchanged.append(candidate.id)
            continue
        merged = current.model_dump(mode="python", exclude_none=True)
        for path, value in fills:
            _set(merged, path, value)
        problems = _model_problems(merged)
        contract = merged.get("contract") or {}
        if not problems and contract.get("start") and contract.get("end") and contract["end"] < contract["start"]:
            problems = [
                Problem(
                    "",
                    t(
                        "import.reason.end_before_start",
                        start=contract["start"].isoformat(),
                        end=contract["end"].isoformat(),
                    ),
                    path="contract.end",
                )
            ]
        if problems:
            reasons = tuple(
                t("import.reason.merge_invalid", service=candidate.id, message=_reason(p, candidate.columns))
                for p in problems
            )
            plan.rejected.append(RejectedRow(candidate.line, reasons))
            continue
        plan.fills[candidate.id] = fills
    return plan


def _get(data: dict[str, Any], path: str) -> Any:
    head, _, tail = path.partition(".")
    value = data.get(head)
    return value.get(tail) if tail and isinstance(value, dict) else value


# ----------------------------------------------------------------------------------- writing


def _dumper() -> type[yaml.SafeDumper]:
    base: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

    class Dumper(base):  # type: ignore[valid-type,misc]
        pass

    def represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
        return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)

    def represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
        # Multi-line and odd strings in double quotes: one line, escapes, nothing for indentation to break.
        style = '"' if any(c in data for c in "\n\r\t") or not data.isprintable() else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)

    Dumper.add_representer(list, represent_list)
    Dumper.add_representer(str, represent_str)
    return Dumper


_DUMPER: type[yaml.SafeDumper] | None = None


def _dump(data: dict[str, Any]) -> str:
    global _DUMPER
    if _DUMPER is None:
        _DUMPER = _dumper()
    return yaml.dump(data, Dumper=_DUMPER, sort_keys=False, allow_unicode=True, width=4096, default_flow_style=False)


def service_data(candidate: Candidate) -> dict[str, Any]:
    """The service in the model's key order."""
    data = {"id": candidate.id, **candidate.data}
    ordered = {k: data[k] for k in SERVICE_ORDER if k in data}
    if "contract" in ordered:
        ordered["contract"] = {k: ordered["contract"][k] for k in CONTRACT_ORDER if k in ordered["contract"]}
    return ordered


def render_services(candidates: list[Candidate], dash: int = 2) -> str:
    """The YAML of new services as items of the ``services`` list, defaults marked « à vérifier »."""
    comment = "  # " + t("import.comment.default")
    out: list[str] = []
    for candidate in candidates:
        lines = _dump(service_data(candidate)).splitlines()
        for name in candidate.defaulted:
            prefix = f"{name}: "
            for i, line in enumerate(lines):
                if line.startswith(prefix):
                    lines[i] = line + comment
                    break
        out.append(" " * dash + "- " + lines[0])
        out += [(" " * (dash + 2) + line) if line else line for line in lines[1:]]
    return "\n".join(out) + "\n"


def _append_column(text: str) -> int | None:
    """Where new items go when the file ends with a non-empty block list ``services``: the column
    of its dashes. None when the file's layout needs the round-trip writer."""
    from sovdiag.yamlio import _Loader

    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return None
    if not isinstance(root, yaml.MappingNode) or not root.value:
        return None
    key_node, seq = root.value[-1]
    if getattr(key_node, "value", None) != "services" or not isinstance(seq, yaml.SequenceNode):
        return None
    if seq.flow_style or not seq.value:
        return None
    first = seq.value[0]
    line = text.splitlines()[first.start_mark.line]
    dash = line.find("-")
    if (
        dash < 0
        or dash >= first.start_mark.column
        or line[:dash].strip()
        or line[dash + 1 : first.start_mark.column].strip()
    ):
        return None
    rest = text[seq.end_mark.index :]
    if any(part.strip() and not part.strip().startswith("#") for part in rest.splitlines()):
        return None
    return int(dash)


def _roundtrip(current: str, plan: Plan, comment: str) -> str:
    """Apply fills and additions to ``current`` (checked already) through the comment-keeping writer."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    from sovdiag.yamlrt import dump_document, parse_checked

    document = parse_checked(current)
    services = document.get("services")
    if not isinstance(services, CommentedSeq):
        services = CommentedSeq(services or [])
        document["services"] = services
    if services.fa.flow_style():
        services.fa.set_block_style()
    by_id = {item.get("id"): item for item in services if isinstance(item, dict)}

    def insert(mapping: Any, name: str, value: Any, order: tuple[str, ...]) -> None:
        if isinstance(value, list):
            value = CommentedSeq(value)
            value.fa.set_flow_style()
        if name in mapping:
            mapping[name] = value
            return
        rank = order.index(name)
        position = len(mapping)
        for i, existing in enumerate(mapping):
            if existing in order and order.index(existing) > rank:
                position = i
                break
        mapping.insert(position, name, value)

    for service_id, fills in plan.fills.items():
        item = by_id[service_id]
        for path, value in fills:
            head, _, tail = path.partition(".")
            if not tail:
                insert(item, head, value, SERVICE_ORDER)
                continue
            contract = item.get("contract")
            if not isinstance(contract, dict):
                contract = CommentedMap()
                insert(item, "contract", contract, SERVICE_ORDER)
            insert(contract, tail, value, CONTRACT_ORDER)
    for candidate in plan.added:
        item = CommentedMap()
        for name, value in service_data(candidate).items():
            if isinstance(value, dict):
                value = CommentedMap(value)
            insert(item, name, value, SERVICE_ORDER)
            if name in candidate.defaulted:
                # yamlrt writes items' keys at column 4; two spaces before « # », as in render_services
                item.yaml_add_eol_comment("# " + comment, name, column=4 + len(f"{name}: {value}") + 2)
        services.append(item)
    return str(dump_document(document))


def new_inventory_text(
    request: ImportRequest, collectivite: dict[str, Any], candidates: list[Candidate], today: dt.date
) -> str:
    from sovdiag.yamlrt import SCHEMA_LINE

    head = ""
    if request.schema_hint:
        head += SCHEMA_LINE.format(schema=request.schema_hint)
    head += "# " + t("import.comment.created", source=request.source.name, date=today.isoformat()) + "\n"
    header = {
        "format_version": 1,
        "collectivite": collectivite,
        "diagnostic": {"conducted_by": request.conducted_by, "date": today},
    }
    return head + _dump(header) + "services:\n" + render_services(candidates)


def _validate_text(text: str, output: Path, domains: DomainChecklist) -> None:
    """The file about to be written must be a valid inventory (as ``sovdiag validate`` reads it)."""
    from sovdiag.inventory import check_inventory_text

    check_inventory_text(text, str(output), None, domains)


@contextmanager
def _audit_lock(output: Path) -> Iterator[None]:
    """Refuse to write while a guided audit holds the inventory (its journal is locked)."""
    import fcntl

    from sovdiag.store import InventoryStore

    journal = InventoryStore(output).journal_path
    handle: IO[str] | None = None
    if journal.exists():
        try:
            handle = open(journal, "a", encoding="utf-8")  # noqa: SIM115 - held for the import
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as err:
            if handle is not None:
                handle.close()
            raise SovdiagError("error.inventory_locked", file=str(output)) from err
        except OSError:
            handle = None
    try:
        yield
    finally:
        if handle is not None:
            handle.close()


# ----------------------------------------------------------------------------------- options


def resolve_kinds(values: Sequence[str]) -> tuple[str | None, str | None, str | None]:
    """``--kind`` takes a source kind and/or a collectivité kind (or an EPCI's form, which implies
    ``epci``): the vocabularies do not overlap. Returns (source kind, collectivité kind, EPCI kind)."""
    source = kind = epci = None
    for raw in values:
        value = raw.strip().lower()
        if value in SOURCE_KINDS:
            if source is not None and source != value:
                raise ImportUsageError("import.error.kind_twice", first=source, second=value)
            source = value
            continue
        if value in {m.value for m in EpciKind}:
            value, epci = CollectiviteKind.epci.value, value
        if value in {m.value for m in CollectiviteKind}:
            if kind is not None and kind != value:
                raise ImportUsageError("import.error.kind_twice", first=kind, second=value)
            kind = value
            continue
        raise ImportUsageError(
            "import.error.bad_kind",
            value=raw,
            sources=", ".join(SOURCE_KINDS),
            kinds=", ".join(m.value for m in CollectiviteKind),
            epci=", ".join(m.value for m in EpciKind),
        )
    if kind == CollectiviteKind.epci.value and epci is None:
        raise ImportUsageError("import.error.epci_needs_form", choices=", ".join(m.value for m in EpciKind))
    return source, kind, epci


# ----------------------------------------------------------------------------------- the import


def run_import(request: ImportRequest) -> ImportReport:
    """Read the source, merge it into the inventory file (or create it) and say what happened."""
    from sovdiag.framework import load_domains
    from sovdiag.output import check_not_input

    check_not_input(request.output, [request.source, *([request.catalog] if request.catalog else [])])
    forced_kind, collectivite_kind, epci_kind = resolve_kinds(request.kinds)
    creating = not request.output.exists()
    if creating:
        missing = [
            t(f"import.missing.{name}")
            for name, value in (("name", request.name), ("kind", collectivite_kind), ("by", request.conducted_by))
            if not (value and value.strip())
        ]
        if missing:
            raise ImportUsageError("import.error.new_inventory", file=str(request.output), missing=", ".join(missing))

    domains = load_domains()
    vocab = load_vocabulary(domains)
    table = read_table(request.source, request.sheet)
    try:
        return _import(request, table, domains, vocab, forced_kind, collectivite_kind, epci_kind, creating)
    finally:
        table.close()


def _import(
    request: ImportRequest,
    table: Table,
    domains: DomainChecklist,
    vocab: Vocabulary,
    forced_kind: str | None,
    collectivite_kind: str | None,
    epci_kind: str | None,
    creating: bool,
) -> ImportReport:
    from sovdiag.catalog import load_catalog
    from sovdiag.inventory import check_inventory_text
    from sovdiag.output import write_atomic
    from sovdiag.yamlio import read_text

    headers, first_rows = _find_header(table.rows, vocab)
    file = str(request.source)
    if not headers:
        raise InputFileError("import.error.no_header", file=file)
    mapping = build_mapping(headers, vocab, request.overrides, file)
    kind = forced_kind or detect_kind(headers, vocab)
    report = ImportReport(
        source=file,
        output=str(request.output),
        format=table.format,
        encoding=table.encoding,
        delimiter=table.delimiter,
        sheet=table.sheet,
        kind=kind,
        kind_detected=forced_kind is None,
        mapping=mapping,
        created=creating,
        dry_run=request.dry_run,
    )
    mapped = {m.field for m in mapping if m.field}
    if not mapped & {"name", "product"} and not (kind == "suppliers" and "name" in mapped):
        raise InputFileError(
            "import.error.no_name_column", file=file, headers=", ".join(f"« {m.column} »" for m in mapping)
        )

    candidates: list[Candidate] = []
    rejected: list[RejectedRow] = []

    def rows() -> Iterator[tuple[int, list[Any]]]:
        yield from first_rows
        yield from table.rows

    for line, cells in rows():
        report.rows += 1
        if len(candidates) >= MAX_SERVICES:
            rejected.append(RejectedRow(line, (t("import.reason.too_many", limit=MAX_SERVICES),)))
            break
        result = convert_row(line, cells, mapping, kind, vocab)
        if isinstance(result, RejectedRow):
            rejected.append(result)
        else:
            candidates.append(result)
    rejected += table.errors
    if not candidates:
        rejected.sort(key=lambda r: r.line)
        if not rejected:
            raise InputFileError("import.error.no_rows", file=file)
        raise NothingImported(file, rejected)

    used: set[str] = set()
    for candidate in candidates:
        base = slug(candidate.data["name"])
        service_id, n = base, 2
        while service_id in used:
            service_id, n = f"{base}-{n}", n + 1
        used.add(service_id)
        candidate.id = service_id
        if candidate.category is not None:
            report.unknown_categories[candidate.category] = report.unknown_categories.get(candidate.category, 0) + 1

    with _audit_lock(request.output):
        existing: dict[str, Service] = {}
        current = ""  # the existing inventory's text, read once
        if not creating:
            current = read_text(request.output)
            inventory = check_inventory_text(current, str(request.output), None, domains)
            existing = {s.id: s for s in inventory.services}
        plan = plan_merge(candidates, existing)
        report.added = [c.id for c in plan.added]
        report.updated = {k: [p for p, _ in v] for k, v in plan.fills.items()}
        report.unchanged = plan.unchanged
        report.conflicts = plan.conflicts
        report.rejected = sorted(rejected + plan.rejected, key=lambda r: r.line)
        for candidate in plan.added:
            for name in candidate.defaulted:
                report.defaults[name] = report.defaults.get(name, 0) + 1
        refused = {row.line for row in plan.rejected}
        accepted = [c for c in candidates if c.line not in refused]
        catalog = load_catalog(request.catalog, {d.id for d in domains.domains})
        report.matched_suppliers, report.suppliers = match_suppliers(accepted, catalog)

        if not report.changed:
            return report
        today = request.today or dt.date.today()
        if creating:
            collectivite: dict[str, Any] = {"name": (request.name or "").strip(), "kind": collectivite_kind}
            if epci_kind:
                collectivite["epci_kind"] = epci_kind
            text = new_inventory_text(request, collectivite, plan.added, today)
        else:
            dash = _append_column(current) if not plan.fills else None
            if dash is not None:
                text = current + ("" if current.endswith("\n") else "\n") + render_services(plan.added, dash)
            else:
                text = _roundtrip(current, plan, t("import.comment.default"))
        _validate_text(text, request.output, domains)
        if not request.dry_run:
            write_atomic(request.output, text)
            report.written = True
    return report


def match_suppliers(candidates: list[Candidate], catalog: Any) -> tuple[int, list[SupplierMatch]]:
    """Catalog matching of the imported suppliers (as ``catalog.match_service`` does it: the supplier's
    name, else one of its products, else the name taken as an offer). Never a guess."""
    by_name: dict[str, list[Candidate]] = {}
    for candidate in candidates:
        by_name.setdefault(candidate.data["supplier"], []).append(candidate)
    matched: set[str] = set()
    report: list[SupplierMatch] = []
    for name, rows in by_name.items():
        found = catalog.match_supplier(name)
        if found.status == "matched":
            matched.add(found.id)
            continue
        if found.status == "unmatched":
            products = list(dict.fromkeys(c.data["product"] for c in rows if c.data.get("product")))[:20]
            owner = None
            for product in [*products, name]:
                offer = catalog.match_offer(product)
                if offer.status == "matched" and offer.id is not None:
                    owner = catalog.offers[offer.id][0]
                    break
            if owner is not None:
                matched.add(owner)
                continue
        report.append(SupplierMatch(name, found.status, found.candidates, found.suggestions, len(rows)))
    report.sort(key=lambda s: (s.status, key(s.name)))
    return len(matched), report
