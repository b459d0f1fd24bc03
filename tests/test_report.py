"""Real reports: rendered by WeasyPrint, read back with pypdf, checked against the scores."""

from __future__ import annotations

import io
import re
import socket
import threading
from pathlib import Path

import pytest
from pypdf import PdfReader

from sovdiag.pipeline import open_diagnostic
from sovdiag.report import build_report
from sovdiag.report.pdf import make_fetcher
from sovdiag.resources import templates_dir
from tests.conftest import pdf_text


@pytest.fixture(scope="module")
def mini_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.conftest import DATA

    out = tmp_path_factory.mktemp("report") / "rapport.pdf"
    diag = open_diagnostic(DATA / "inventory-mini.yaml", DATA / "framework-mini.yaml")
    build_report(diag, fmt="pdf", lang="fr", output=out)
    return out


def test_pdf_text_matches_the_scores(mini_pdf: Path) -> None:
    text = pdf_text(mini_pdf)
    assert "Diagnostic de dépendance numérique" in text
    assert "Commune de Test" in text
    assert "1 octobre 2026" in text  # French long date of the diagnostic
    assert "56,3" in text
    assert "25,0" in text
    for line in ("Messagerie", "Comptabilité", "Site web", "Microsoft 365"):
        assert line in text
    assert "62,5" in text
    assert "50,0" in text


def test_pdf_is_tagged_with_language_and_title(mini_pdf: Path) -> None:
    reader = PdfReader(mini_pdf)
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "fr"
    assert root["/MarkInfo"]["/Marked"]
    assert reader.metadata is not None
    assert reader.metadata.title == "Diagnostic de dépendance numérique — Commune de Test"
    assert reader.metadata.author == "Alice Martin, DGS"
    assert len(reader.pages) >= 3
    assert list(reader.attachments) == ["resultats-sovdiag.json"]  # the results, for sovdiag compare


def test_page_numbers_in_the_footer(mini_pdf: Path) -> None:
    reader = PdfReader(mini_pdf)
    total = len(reader.pages)
    assert f"Page 2 / {total}" in (reader.pages[1].extract_text() or "")


def test_english_report(tmp_path: Path, mini_inventory: Path, mini_framework: Path) -> None:
    out = tmp_path / "report.html"
    build_report(open_diagnostic(mini_inventory, mini_framework), fmt="html", lang="en", output=out)
    html = out.read_text(encoding="utf-8")
    assert '<html lang="en">' in html
    assert "Digital dependence diagnostic" in html
    assert "1 October 2026" in html
    assert "56.3" in html


def test_same_inputs_give_byte_identical_html(tmp_path: Path, mini_inventory: Path, mini_framework: Path) -> None:
    import datetime as dt

    diag = open_diagnostic(mini_inventory, mini_framework)
    first, second = tmp_path / "a.html", tmp_path / "b.html"
    build_report(diag, fmt="html", lang="fr", output=first, date=dt.date(2026, 11, 23))
    build_report(diag, fmt="html", lang="fr", output=second, date=dt.date(2026, 11, 23))
    assert first.read_bytes() == second.read_bytes()
    assert "23 novembre 2026" in first.read_text(encoding="utf-8")


class Listener:
    """A TCP listener on loopback that records every connection it receives."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.running = False
        self.thread.join(timeout=2)
        self.sock.close()


def test_hostile_text_is_printed_never_fetched(tmp_path: Path, mini_framework: Path) -> None:
    listener = Listener()
    secret = tmp_path / "secret.txt"
    secret.write_text("CONTENU-SECRET-42", encoding="utf-8")
    url = f"http://127.0.0.1:{listener.port}/x"
    payloads = {
        "name": f'<img src="file://{secret}">',
        "supplier": f'<link rel="attachment" href="file://{secret}">',
        "product": f"<style>@import url({url}/i);</style>",
        "notes": f"background: url({url}/n)",
        "domain_name": f'<svg><image href="{url}/s"/><script>alert(1)</script></svg>',
    }
    inventory = tmp_path / "hostile.yaml"
    inventory.write_text(
        "collectivite:\n"
        f"  name: '{payloads['domain_name']}'\n"
        "  kind: commune\n"
        "diagnostic:\n"
        f"  conducted_by: '<iframe src=\"{url}/c\">'\n"
        "  date: 2026-10-01\n"
        "services:\n"
        "  - id: a\n"
        f"    name: '{payloads['name']}'\n"
        "    domain: messagerie\n"
        f"    supplier: '{payloads['supplier']}'\n"
        f"    product: '{payloads['product']}'\n"
        "    deployment: saas\n"
        "    criticality: high\n"
        f"    notes: '{payloads['notes']}'\n"
        "    answers: {A1.1: eu}\n",
        encoding="utf-8",
    )
    out = tmp_path / "r.pdf"
    try:
        build_report(open_diagnostic(inventory, mini_framework), fmt="pdf", lang="fr", output=out)
    finally:
        listener.close()
    assert listener.connections == 0
    reader = PdfReader(out)
    assert list(reader.attachments) == ["resultats-sovdiag.json"]  # nothing else was attached
    assert b"CONTENU-SECRET-42" not in reader.attachments["resultats-sovdiag.json"][0]
    text = "".join(pdf_text(out).split())  # columns wrap lines: compare without whitespace
    assert "CONTENU-SECRET-42" not in text
    assert "<imgsrc=" in text
    assert '<linkrel="attachment"' in text
    assert "@importurl(" in text


def test_fetcher_refuses_outside_files_and_network(tmp_path: Path) -> None:
    fetcher = make_fetcher(templates_dir())
    for url in ("file:///etc/passwd", "http://127.0.0.1:9/x", "https://example.org/a.css", "ftp://x/y"):
        with pytest.raises(ValueError, match="refused"):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 4
    css = (templates_dir() / "report.css").resolve()
    response = fetcher.fetch(css.as_uri())
    assert response is not None


def test_html_output_is_self_contained(tmp_path: Path, mini_inventory: Path, mini_framework: Path) -> None:
    out = tmp_path / "r.html"
    build_report(open_diagnostic(mini_inventory, mini_framework), fmt="html", lang="fr", output=out)
    html = out.read_text(encoding="utf-8")
    assert "<link" not in html
    assert "src=" not in html
    assert "@page" in html


def test_cli_report_writes_pdf(cli, tmp_path: Path, mini_inventory: Path, mini_framework: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "rapport.pdf"
    result = cli("report", mini_inventory, "--framework", mini_framework, "-o", out)
    assert result.exit_code == 0, result.stderr
    pages = len(PdfReader(io.BytesIO(out.read_bytes())).pages)
    assert f"Rapport écrit dans {out} ({pages} pages)." in result.stdout
    assert not list(tmp_path.glob(".*.tmp"))  # no temporary file left behind


def test_report_shows_what_the_catalog_contributed(tmp_path: Path) -> None:
    from tests.conftest import DATA
    from tests.test_catalog import LOCAL

    local = tmp_path / "local.yaml"
    local.write_text(LOCAL, encoding="utf-8")
    out = tmp_path / "r.pdf"
    build_report(open_diagnostic(DATA / "inventory-catalog.yaml", catalog_path=local), fmt="pdf", lang="fr", output=out)
    text = " ".join(pdf_text(out).split())
    assert "Ce que le catalogue a apporté" in text
    assert "Réponses tirées du catalogue" in text
    assert "Qualifié SecNumCloud" in text or "SecNumCloud" in text
    assert "Catalogue : version 2026.11" in text
    assert "catalogue local local.yaml, qui ajoute ou corrige :" in text
    assert "supplier:microsoft" in text
    assert "Fournisseurs non rapprochés" in text
    assert "Prestataire Local SARL" in text


def test_elus_report_is_short_and_complete_report_has_everything(tmp_path: Path) -> None:
    from tests.conftest import EXAMPLES

    diag = open_diagnostic(EXAMPLES / "commune-saint-aubin.yaml")
    elus, full = tmp_path / "elus.pdf", tmp_path / "complet.pdf"
    build_report(diag, fmt="pdf", lang="fr", output=elus, audience="elus", organisation="Cabinet Exemple")
    build_report(diag, fmt="pdf", lang="fr", output=full)
    elus_pages = PdfReader(elus).pages
    assert len(elus_pages) <= 3  # cover + at most two pages of synthesis
    text = " ".join(pdf_text(elus).split())
    for part in (
        "Synthèse pour les élus",
        "Les principaux risques",
        "Les décisions demandées",
        "Nom et qualité du signataire",
        "Réalisé par Cabinet Exemple",
    ):
        assert part in text
    assert "Fiches des services" not in text
    full_text = " ".join(pdf_text(full).split())
    for part in (
        "Sommaire",
        "Qui fournit quoi, domaine par domaine",
        "Fiches des services",
        "Réponses à recueillir",
        "Glossaire",
        "Annexe : l'inventaire",
        "CLOUD Act",
    ):
        assert part in full_text.replace("\u202f", " ").replace("\u00a0", " ")


def test_results_travel_inside_the_pdf(tmp_path: Path) -> None:
    import json

    from sovdiag.pipeline import diagnose
    from tests.conftest import EXAMPLES

    diag = open_diagnostic(EXAMPLES / "commune-saint-aubin.yaml")
    out = tmp_path / "r.pdf"
    build_report(diag, fmt="pdf", lang="fr", output=out)
    [payload] = PdfReader(out).attachments["resultats-sovdiag.json"]
    embedded = json.loads(payload)
    expected = diagnose(diag).to_dict()
    assert embedded["summary"] == json.loads(json.dumps(expected["summary"]))
    assert [s["score"] for s in embedded["services"]] == [s["score"] for s in expected["services"]]


def test_toc_has_page_numbers_and_pdf_has_an_outline(
    tmp_path: Path, mini_inventory: Path, mini_framework: Path
) -> None:
    out = tmp_path / "r.pdf"
    build_report(open_diagnostic(mini_inventory, mini_framework), fmt="pdf", lang="fr", output=out)
    reader = PdfReader(out)
    toc = reader.pages[1].extract_text() or ""
    assert "Sommaire" in toc
    assert re.search(r"Synthèse pour les élus\s*\.*\s*3", toc)
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert "Synthèse pour les élus" in titles
    assert "Glossaire" in titles


def test_pdf_a_on_request(tmp_path: Path, mini_inventory: Path, mini_framework: Path) -> None:
    out = tmp_path / "r.pdf"
    build_report(open_diagnostic(mini_inventory, mini_framework), fmt="pdf", lang="fr", output=out, pdf_a=True)
    reader = PdfReader(out)
    metadata = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b"pdfaid:part" in metadata
    assert b"3" in metadata.split(b"pdfaid:part")[1][:10]


def test_french_typography(tmp_path: Path, mini_inventory: Path, mini_framework: Path) -> None:
    out = tmp_path / "r.html"
    build_report(open_diagnostic(mini_inventory, mini_framework), fmt="html", lang="fr", output=out)
    html = out.read_text(encoding="utf-8")
    assert "\u00a0:" in html  # never « mot : » with a breakable space
    assert " ;" not in html.split("<body>")[1].replace("&#39;", "'")
    assert "«\u202f" in html


def test_logo_bombs_and_bad_templates_are_refused(tmp_path: Path, mini_inventory: Path, mini_framework: Path) -> None:
    from PIL import Image

    from sovdiag.errors import ReportError

    diag = open_diagnostic(mini_inventory, mini_framework)
    bomb = tmp_path / "bomb.png"
    Image.new("1", (20_000, 20_000)).save(bomb)  # a few kilobytes, 400 million pixels
    assert bomb.stat().st_size < 200_000
    with pytest.raises(ReportError, match=r"refusé : > 25 000 000 px"):
        build_report(diag, fmt="pdf", lang="fr", output=tmp_path / "r.pdf", logo=bomb)
    text = tmp_path / "logo.png"
    text.write_text("not an image", encoding="utf-8")
    with pytest.raises(ReportError, match="Logo"):
        build_report(diag, fmt="pdf", lang="fr", output=tmp_path / "r.pdf", logo=text)
    with pytest.raises(ReportError, match=r"il manque : report\.html\.j2"):
        build_report(diag, fmt="pdf", lang="fr", output=tmp_path / "r.pdf", templates=tmp_path)
    logo = tmp_path / "ok.png"
    Image.new("RGB", (300, 100), "white").save(logo)
    out = tmp_path / "r.pdf"
    build_report(diag, fmt="pdf", lang="fr", output=out, logo=logo)
    assert any(page.images for page in PdfReader(out).pages[:1])


def test_acronyms_are_spelt_out_for_elected_officials() -> None:
    from sovdiag.report.html import load_glossary, spell_out

    glossary = load_glossary(templates_dir(), "fr")
    texts = spell_out(["Exiger un hébergeur certifié HDS", "Encore HDS", "Choisir une offre SecNumCloud"], glossary)
    assert texts == [
        "Exiger un hébergeur certifié HDS (hébergement de données de santé)",
        "Encore HDS",
        "Choisir une offre SecNumCloud (qualification de sécurité de l'État pour le cloud)",
    ]


def test_stylesheet_has_nothing_weasyprint_ignores(
    tmp_path: Path, mini_inventory: Path, mini_framework: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """An ignored rule is a pattern or a layout silently missing from the report (WeasyPrint only
    logs it): every rule of the shipped stylesheet must be understood."""
    import logging

    caplog.set_level(logging.WARNING, logger="weasyprint")
    diag = open_diagnostic(mini_inventory, mini_framework)
    build_report(diag, fmt="pdf", lang="fr", output=tmp_path / "r.pdf")
    ignored = [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")]
    assert ignored == []


def test_large_inventories_get_a_denser_report() -> None:
    """Above 100 services, the dependency map has one row per supplier in a domain, the catalog's
    answers one row per set of facts, the annex one line per service; nothing is dropped."""
    import datetime as dt

    from sovdiag.pipeline import diagnose
    from sovdiag.report.context import build_context
    from sovdiag.report.html import render_html
    from tests.conftest import EXAMPLES

    diag = open_diagnostic(EXAMPLES / "region-exemple.yaml")
    results = diagnose(diag)
    assert len(results.services) > 100
    context = build_context(results, diag, lang="fr", report_date=dt.date(2026, 11, 23))
    mapped = [row for domain in context["domain_map"] for row in domain["rows"]]
    assert len(mapped) < len(results.services)
    counted = 0
    for row in mapped:
        match = re.match(r"(\d+) services", row["service"])
        counted += int(match.group(1)) if match else 1
    assert counted == len(results.services)  # every service is in the map, grouped
    answers = context["catalog"]["answers"]
    given = sum(len(a) for a in results.catalog["answers"].values())  # type: ignore[index]
    assert len(answers) <= given
    assert len(context["annex"]) == len(results.services)
    html = render_html(context, templates_dir())
    assert '<table class="compact annex">' in html
    assert "Logiciel en ligne (SaaS)" not in html.split('id="annexe"')[1]  # short labels in the annex


INJECTIONS = [
    "Motsansespaces" * 14,  # 196 characters: the longest name allowed, without a space
    '<img src="file://{secret}">',
    '<link rel="stylesheet" href="http://127.0.0.1:{port}/l.css">',
    "<style>@import url(http://127.0.0.1:{port}/i.css);</style>",
    "background: url(http://127.0.0.1:{port}/b) ; @import 'file://{secret}'",
    '<svg onload="alert(1)"><image href="http://127.0.0.1:{port}/s"/><script>alert(2)</script></svg>',
    '<object data="file://{secret}"></object><iframe src="http://127.0.0.1:{port}/f"></iframe>',
    "{{{{ s.doc_title }}}} {{% include 'report.css' %}} ${{7*7}}",
    "\u202eenilno\u202c \u2067RTL\u2069 \u200f mot",
]


def test_injection_corpus_in_every_text_field(tmp_path: Path, mini_framework: Path) -> None:
    """Every text field of an inventory carries an injection string: the report prints them as
    text, reads no file and opens no connection."""
    import copy

    import yaml as pyyaml

    listener = Listener()
    secret = tmp_path / "secret.txt"
    secret.write_text("CONTENU-SECRET-42", encoding="utf-8")
    corpus = [s.format(secret=secret, port=listener.port) for s in INJECTIONS]
    cycle = iter(corpus * 10)
    service = {
        "id": "a",
        "name": next(cycle),
        "domain": "messagerie",
        "supplier": next(cycle),
        "product": next(cycle),
        "hosted_by": next(cycle),
        "ultimate_parent": next(cycle),
        "deployment": "saas",
        "criticality": "critical",
        "data_categories": ["personal"],
        "contract": {"reference": next(cycle), "end": "2027-06-30", "annual_cost": 1000},
        "answers": {"A1.1": {"answer": "eu", "comment": next(cycle), "evidence": next(cycle)}},
        "notes": next(cycle),
    }
    document = {
        "collectivite": {"name": next(cycle), "kind": "commune"},
        "diagnostic": {"conducted_by": next(cycle), "organisation": next(cycle), "date": "2026-10-01"},
        "services": [service, {**copy.deepcopy(service), "id": "b", "name": next(cycle), "supplier": next(cycle)}],
    }
    inventory = tmp_path / "hostile.yaml"
    inventory.write_text(pyyaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "r.pdf"
    try:
        build_report(
            open_diagnostic(inventory, mini_framework),
            fmt="pdf",
            lang="fr",
            output=out,
            organisation=next(cycle),
        )
    finally:
        listener.close()
    assert listener.connections == 0
    reader = PdfReader(out)
    assert list(reader.attachments) == ["resultats-sovdiag.json"]
    text = "".join(pdf_text(out).split())
    assert "CONTENU-SECRET-42" not in text
    for marker in ("<imgsrc=", '<linkrel="stylesheet"', "@importurl(", "<svgonload=", "<objectdata=", "${7*7}"):
        assert marker in text, marker
    assert "Motsansespaces" * 5 in text  # a very long word is printed (wrapped), not dropped
