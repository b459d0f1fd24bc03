"""framework validate/show/export and score --explain through the real CLI."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from openpyxl import load_workbook
from pypdf import PdfReader

from sovdiag.framework import load_framework


def test_framework_validate_builtin(cli) -> None:  # type: ignore[no-untyped-def]
    out = cli("framework", "validate")
    assert out.exit_code == 0
    assert "est valide : sovdiag-collectivites 1.0, 8 axes, 33 critères" in out.stdout


def test_framework_validate_rejects_an_inconsistent_file(cli, tmp_path: Path, mini_framework: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "fw.yaml"
    bad.write_text(
        mini_framework.read_text(encoding="utf-8").replace(
            "level: 2\n    axes: [A1, A2]", "level: 2\n    axes: [A1, A9]"
        ),
        encoding="utf-8",
    )
    out = cli("framework", "validate", bad)
    assert out.exit_code == 1
    assert "targets[0].axes: axe « A9 » inconnu du référentiel" in out.stderr


def test_framework_show(cli) -> None:  # type: ignore[no-untyped-def]
    out = cli("framework", "show")
    assert out.exit_code == 0
    assert "A2.2" in out.stdout
    assert "csf-1.2.1" in out.stdout


def test_framework_export_csv_and_xlsx(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    fw = load_framework()
    options = sum(len(c.options) for c in fw.criteria.values())
    out = cli("framework", "export", "-o", tmp_path / "fw.csv")
    assert out.exit_code == 0, out.stderr
    text = (tmp_path / "fw.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:3] == ["axis", "objective", "criterion"]
    assert len(rows) == options + 1
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)
    out = cli("framework", "export", "-o", tmp_path / "fw.xlsx")
    assert out.exit_code == 0, out.stderr
    book = load_workbook(tmp_path / "fw.xlsx", read_only=True)
    assert book.sheetnames == ["criteres", "ponderations", "sources"]
    assert book["criteres"].max_row == options + 1


def test_framework_export_pdf_reads_back(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = cli("framework", "export", "-o", tmp_path / "fw.pdf")
    assert out.exit_code == 0, out.stderr
    text = "".join(page.extract_text() or "" for page in PdfReader(tmp_path / "fw.pdf").pages)
    fw = load_framework()
    for criterion in ("A1.1", "A4.4", "A8.4"):
        assert criterion in text
    assert fw.model.sources[0].id in text


def test_framework_export_unknown_format(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = cli("framework", "export", "-o", tmp_path / "fw.docx")
    assert out.exit_code == 1
    assert "Format d'export inconnu « docx »" in out.stderr


def test_score_explain(cli, mini_inventory: Path, mini_framework: Path) -> None:  # type: ignore[no-untyped-def]
    out = cli("score", mini_inventory, "--framework", mini_framework, "--explain", "messagerie")
    assert out.exit_code == 0, out.stderr
    assert "Critère limitant : A1.1" in out.stdout
    assert "Gravité : G4 Critique" in out.stdout
    assert "Clause 12" in out.stdout
    out = cli("score", mini_inventory, "--framework", mini_framework, "--explain", "nope")
    assert out.exit_code == 1
    assert "Service « nope » introuvable" in out.stderr


def test_score_prints_indicators_and_actions(cli, mini_inventory: Path, mini_framework: Path) -> None:  # type: ignore[no-untyped-def]
    out = cli("score", mini_inventory, "--framework", mini_framework)
    assert "Dépenses sous contrôle d'un groupe hors UE : 100" in out.stdout
    assert "Services sous leur niveau cible : 1 sur 2" in out.stdout
    assert "Actions prioritaires" in out.stdout
