"""The results file: what a diagnostic leaves behind, to keep, compare and share.

A results file is JSON (``sovdiag score FILE --json OUT``, and attached to every PDF report). Its
format is documented in ``schemas/results.md`` with a JSON Schema (``sovdiag schema results``).

Format versions:

1. the first one (sovdiag 0.1): scores, levels, targets, risks, suppliers, indicators, plan;
2. adds the ``format`` marker, the criteria's fingerprints (to compare diagnostics made with
   different framework versions), a per-axis summary, the fingerprints of the framework's target,
   risk and indicator sections, what the inventory says of each service beyond its answers
   (contract, notes, comments on answers, confidentiality) and what ``sovdiag anonymize`` removed.

A file of an older version is upgraded when read (the missing pieces are computed from what it holds
or left empty, and comparisons say what they could not do without them); a file of a newer version
is refused with the version it needs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sovdiag.errors import InputFileError, Problem, SovdiagError, ValidationFailed
from sovdiag.messages import translate as t
from sovdiag.scoring import RESULTS_FORMAT, RESULTS_FORMAT_VERSION, Results

if TYPE_CHECKING:
    from pydantic import TypeAdapter

    from sovdiag.pipeline import References

READABLE_VERSIONS = (1, RESULTS_FORMAT_VERSION)
MAX_RESULTS_BYTES = 200 * 1024 * 1024  # 20,000 services with every answer stays well below
RESULTS_ATTACHMENT = "resultats-sovdiag.json"  # its name inside a PDF report
INVENTORY_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class LoadedResults:
    """Results read from a file, with where they came from."""

    results: Results
    path: Path
    source: str  # "json", "pdf" or "inventory"
    upgraded_from: int | None = None  # the format version of the file when it was older


def results_json(results: Results, *, compact: bool = False) -> str:
    """The results as the text of a results file (sorted keys: the same results, the same bytes)."""
    if compact:
        return json.dumps(results.to_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
    return json.dumps(results.to_dict(), ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def load_results(
    path: Path,
    *,
    framework: Path | None = None,
    catalog: Path | None = None,
    weights: str | None = None,
    max_age_days: int | None = None,
    references: References | None = None,
) -> LoadedResults:
    """Read results from a results file, a PDF report (its attachment) or an inventory (scored now,
    with ``framework``, ``catalog`` and ``weights``, or the ``references`` already loaded)."""
    from sovdiag.yamlio import read_bytes

    if path.suffix.lower() in INVENTORY_SUFFIXES:
        from sovdiag.pipeline import diagnose, open_diagnostic

        diag = open_diagnostic(path, framework, catalog, references=references)
        return LoadedResults(diagnose(diag, weights, max_age_days), path, "inventory")
    raw = read_bytes(path, MAX_RESULTS_BYTES)
    file = str(path)
    source = "json"
    if raw.startswith(b"%PDF"):
        raw = pdf_attachment(raw, file)
        file = f"{path} ({RESULTS_ATTACHMENT})"
        source = "pdf"
    data = parse_json(raw, file)
    version = check_version(data, file)
    if version < RESULTS_FORMAT_VERSION:
        data = upgrade(data, version)
    results = validate_results(data, raw, file)
    if version < RESULTS_FORMAT_VERSION:
        from sovdiag.scoring import summarise_axes

        results.axes = summarise_axes(results.services, results.axis_ids)
        return LoadedResults(results, path, source, version)
    return LoadedResults(results, path, source)


def parse_json(raw: bytes, file: str) -> Any:
    """Parse JSON with pydantic's parser (twice as fast as the standard library's on results files,
    and bounded in depth); errors name the file and the line."""
    import re

    from pydantic_core import from_json

    try:
        return from_json(raw)
    except ValueError as err:
        message = str(err)
        if "invalid unicode" in message.lower() or "utf-8" in message.lower():
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as bad:
                line = raw[: bad.start].count(b"\n") + 1
                raise InputFileError("error.not_utf8", file=file, line=line, byte=f"0x{raw[bad.start]:02x}") from None
        found = re.search(r"line (\d+)", message)
        where = int(found.group(1)) if found else None
        detail = t("results.bad_json", detail=message)
        raise ValidationFailed(file, [Problem(file, detail, line=where)], "results") from None


def check_version(data: Any, file: str) -> int:
    """The file's format version, or an error that says what this file is or which version it needs."""
    if not isinstance(data, dict) or "format_version" not in data or "services" not in data:
        raise SovdiagError("results.not_results", file=file)
    if data.get("format", RESULTS_FORMAT) != RESULTS_FORMAT:
        raise SovdiagError("results.not_results", file=file)
    version = data["format_version"]
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise SovdiagError("results.bad_version", file=file, version=str(version)[:20])
    if version > RESULTS_FORMAT_VERSION:
        raise SovdiagError(
            "results.newer",
            file=file,
            version=version,
            writer=str(data.get("sovdiag_version", "?"))[:20],
            readable=", ".join(map(str, READABLE_VERSIONS)),
        )
    return version


def upgrade(data: dict[str, Any], version: int) -> dict[str, Any]:
    """Bring a format-1 file to the current format. What format 1 did not record stays empty
    (criteria fingerprints, framework parts, contracts, notes); the per-axis summary is computed
    from its services once they are read (``load_results``)."""
    upgraded = dict(data)
    if version == 1:
        upgraded["format"] = RESULTS_FORMAT
        upgraded["format_version"] = RESULTS_FORMAT_VERSION
        upgraded.setdefault("criteria", {})
        upgraded.setdefault("framework_parts", {})
        upgraded["axes"] = []
    return upgraded


@cache
def results_adapter() -> TypeAdapter[Results]:
    """A pydantic adapter over the engine's own dataclasses: one definition of the format, used to
    validate files and to export the JSON Schema."""
    from pydantic import TypeAdapter

    # The dataclasses name these types only for type checkers; pydantic resolves them here.
    from sovdiag.plan import Action, ActionTarget, ObligationResult  # noqa: F401
    from sovdiag.portfolio import (  # noqa: F401
        Concentration,
        ContractWindow,
        CountryShare,
        Indicators,
        SupplierResult,
    )

    return TypeAdapter(Results)


def validate_results(data: dict[str, Any], raw: bytes, file: str) -> Results:
    from pydantic import ValidationError

    from sovdiag.validation import problems_from_errors
    from sovdiag.yamlio import LineLocator

    try:
        return results_adapter().validate_python(data)
    except ValidationError as err:
        # JSON is YAML: the YAML locator finds the line of a key path in the file's text.
        text = raw.decode("utf-8", errors="replace")
        locator = LineLocator(text) if len(raw) < 5_000_000 else None
        raise ValidationFailed(file, problems_from_errors(err, [], file, locator), "results") from None


def pdf_attachment(raw: bytes, file: str, name: str = RESULTS_ATTACHMENT) -> bytes:
    """The results attached to a sovdiag PDF report."""
    import io
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings are about the PDF, not for users
    try:
        reader = PdfReader(io.BytesIO(raw))
        attachments = reader.attachments
        contents = attachments.get(name)
    except (PdfReadError, ValueError, KeyError, TypeError, RecursionError, AssertionError) as err:
        raise SovdiagError("results.pdf_unreadable", file=file, reason=f"{type(err).__name__}: {err}") from None
    if not contents:
        raise SovdiagError("results.pdf_without_results", file=file, name=name)
    return bytes(contents[0])


def schema_dict() -> dict[str, Any]:
    schema: dict[str, Any] = results_adapter().json_schema()
    schema["title"] = "Résultats sovdiag"
    schema["description"] = (
        f"Résultats d'un diagnostic sovdiag, format {RESULTS_FORMAT_VERSION} (documenté dans schemas/results.md)."
    )
    return schema


def iter_results_paths(inputs: list[Path]) -> list[Path]:
    """The results files named, or found (one level) in the folders given, in a stable order."""
    kinds = (".json", ".pdf", *INVENTORY_SUFFIXES)
    out: list[Path] = []
    for item in inputs:
        if item.is_dir():
            out.extend(sorted(p for p in item.iterdir() if p.is_file() and p.suffix.lower() in kinds))
        else:
            out.append(item)
    return out
