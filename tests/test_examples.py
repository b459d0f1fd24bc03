"""The shipped examples: valid, of the promised sizes, editor-friendly, and rendered for real."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from sovdiag import formatting as fmt
from sovdiag.models import CollectiviteKind
from sovdiag.pipeline import open_diagnostic
from sovdiag.report import build_report
from sovdiag.scoring import score_inventory
from tests.conftest import EXAMPLES

FILES = sorted(EXAMPLES.glob("*.yaml"))


def test_there_are_three_examples_of_increasing_size() -> None:
    sizes = {}
    for path in FILES:
        inventory = open_diagnostic(path).inventory
        sizes[inventory.collectivite.kind] = len(inventory.services)
    assert 10 <= sizes[CollectiviteKind.commune] <= 15
    assert 40 <= sizes[CollectiviteKind.epci] <= 60
    assert sizes[CollectiviteKind.region] >= 150


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_example_is_valid_and_points_at_its_schema(path: Path) -> None:
    first_line = path.read_text(encoding="utf-8").splitlines()[0]
    assert first_line == "# yaml-language-server: $schema=../schemas/inventory.schema.json"
    diag = open_diagnostic(path)
    assert diag.inventory.services
    results = score_inventory(diag.inventory, diag.framework)
    assert results.summary.answered > 0, "an example should show answered questions"
    assert results.summary.unknown > 0, "an example should show questions still to answer"


def test_commune_report_reads_back(tmp_path: Path) -> None:
    path = EXAMPLES / "commune-saint-aubin.yaml"
    diag = open_diagnostic(path)
    results = score_inventory(diag.inventory, diag.framework)
    out = tmp_path / "rapport.pdf"
    build_report(diag, fmt="pdf", lang="fr", output=out)
    text = "\n".join(page.extract_text() or "" for page in PdfReader(out).pages)
    assert diag.inventory.collectivite.name in text
    for service in diag.inventory.services:
        assert service.name[:20] in text.replace("\n", " ")
    assert fmt.score(results.summary.mean_score, "fr") in text
