"""sovdiag import: GLPI exports and spreadsheets into inventories, merged without overwriting."""

from __future__ import annotations

import datetime as dt
import fcntl
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sovdiag.errors import InputFileError
from sovdiag.framework import load_domains
from sovdiag.importers import (
    FIELDS,
    Candidate,
    ImportReport,
    ImportRequest,
    ImportUsageError,
    NothingImported,
    add_months,
    decode,
    load_vocabulary,
    parse_date,
    parse_months,
    parse_number,
    render_services,
    run_import,
    slug,
)
from sovdiag.pipeline import open_diagnostic
from tests.conftest import DATA

IMPORTS = DATA / "imports"
GLPI_SOFTWARE = IMPORTS / "glpi-logiciels-fr.csv"
GLPI_CONTRACTS = IMPORTS / "glpi-contracts-en.csv"
HANDMADE = IMPORTS / "inventaire-tableur.csv"
TODAY = dt.date(2026, 11, 23)
NEW = ("--name", "Commune de X", "--kind", "commune", "--by", "Y")  # what a new inventory needs


def run(source: Path, output: Path, **options: Any) -> ImportReport:
    new = {"name": "Commune de Saint-Aubin", "kinds": ["commune"], "conducted_by": "Claire Moreau, DGS"}
    if output.exists():
        new = {}
    return run_import(ImportRequest(source=source, output=output, today=TODAY, **{**new, **options}))


def services(path: Path) -> dict[str, Any]:
    """The written inventory as sovdiag validate reads it (framework, checklist, catalog)."""
    diag = open_diagnostic(path)
    return {s.id: s for s in diag.inventory.services}


def mapping_of(report: ImportReport) -> dict[str, str | None]:
    return {m.column: m.field for m in report.mapping}


@pytest.fixture(scope="module")
def vocab():  # type: ignore[no-untyped-def]
    return load_vocabulary(load_domains())


# ------------------------------------------------------------------------------- the rules file


def test_rules_file_is_consistent_and_covers_every_field(vocab) -> None:  # type: ignore[no-untyped-def]
    assert set(vocab.columns.values()) == set(FIELDS)
    assert vocab.field_of("Durée (en mois)") == vocab.field_of("DUREE EN MOIS") == "contract.duration"
    assert vocab.field_of("Caractéristiques - Éditeur") == "publisher"  # GLPI's group prefix
    assert vocab.field_of("Versions - Nom") is None  # another object's name, not the service's
    assert vocab.lookup("deployment", "On premise") == "on_premises"
    assert vocab.lookup("deployment", "hébergé") == "hosted"
    assert vocab.lookup("deployment", "Cloud") == "saas"
    assert vocab.lookup("criticality", "Élevée") == "high"
    assert vocab.lookup("domain", "Finances et comptabilité") == "finances"  # a label of domains.yaml
    assert vocab.lookup("domain", "rh_paie") == "rh_paie"  # an id


def test_rules_file_refuses_a_spelling_given_twice(tmp_path: Path) -> None:
    from sovdiag.errors import ValidationFailed
    from sovdiag.importers import rules_path

    text = rules_path().read_text(encoding="utf-8").replace("    - Fabricant\n", "    - Fabricant\n    - Fournisseur\n")
    bad = tmp_path / "import-columns.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationFailed) as caught:
        load_vocabulary(load_domains(), bad)
    assert "« Fournisseur » est déjà donné pour publisher" in str(caught.value)


# ------------------------------------------------------------------------------- detection and mapping


def test_glpi_software_export_in_french_cp1252(tmp_path: Path) -> None:
    report = run(GLPI_SOFTWARE, tmp_path / "inv.yaml")
    assert (report.format, report.encoding, report.delimiter) == ("csv", "Windows-1252", ";")
    assert (report.kind, report.kind_detected) == ("software", True)
    assert mapping_of(report) == {
        "Nom": "name",
        "Entité": None,
        "Éditeur": "publisher",
        "Catégorie": "domain",
        "Versions - Nom": None,
        "Nombre d'installations": None,
        "Commentaires": "notes",
    }
    found = services(tmp_path / "inv.yaml")
    civil = found["logiciel-de-l-etat-civil"]
    assert civil.name == "Logiciel de l’état civil"  # cp1252's 0x92 quote, not latin-1
    assert (civil.supplier, civil.domain) == ("JVS-Mairistem", "etat_civil")
    assert found["e-magnus-gestion-financiere"].notes == "Budget et comptabilité M57 – coût annuel 4 200 €"
    office = found["microsoft-office-professionnel-plus-2019"]
    assert (office.supplier, office.domain, office.deployment.value) == (
        "Microsoft Corporation",
        "bureautique",
        "on_premises",
    )
    assert found["7-zip"].domain == "autre"
    assert report.unknown_categories == {"Compression": 1}


def test_glpi_contracts_export_in_english_utf8_bom(tmp_path: Path) -> None:
    report = run(GLPI_CONTRACTS, tmp_path / "inv.yaml")
    assert (report.encoding, report.delimiter, report.kind) == ("UTF-8", ",", "contracts")
    mapping = mapping_of(report)
    assert mapping["Name"] == "name"  # the BOM is not part of the first header
    assert mapping["Associated suppliers"] == "supplier"
    assert mapping["Initial contract period"] == "contract.duration"
    assert mapping["Number"] == "contract.reference"
    found = services(tmp_path / "inv.yaml")
    telephony = found["telephony-and-internet-access"]
    # Several associated suppliers in one cell (one per line): the first is the supplier.
    assert telephony.supplier == "Orange Business"
    assert telephony.notes == "Lot 2 of the joint purchase\nAutres fournisseurs associés : Orange"
    contract = telephony.contract
    assert (contract.reference, contract.start, contract.notice_months, contract.renewal.value) == (
        "M2023-014",
        dt.date(2023, 7, 1),
        6,
        "express",
    )
    assert contract.end == dt.date(2027, 6, 30)  # start + 48 months − 1 day, as GLPI computes it
    assert found["microsoft-365-business-standard"].contract.end == dt.date(2026, 12, 31)  # given, kept


def test_kind_can_be_forced_and_changes_where_the_supplier_comes_from(tmp_path: Path) -> None:
    source = tmp_path / "fournisseurs.csv"
    source.write_text(
        "Nom;Ville;Pays;Site web\nBerger-Levrault;Boulogne-Billancourt;France;https://www.berger-levrault.com\n",
        encoding="utf-8",
    )
    report = run(source, tmp_path / "inv.yaml")
    assert report.kind == "suppliers"
    service = services(tmp_path / "inv.yaml")["berger-levrault"]
    assert (service.supplier, service.supplier_country) == ("Berger-Levrault", "FR")

    forced = run(GLPI_SOFTWARE, tmp_path / "other.yaml", kinds=["generic", "commune"])
    assert (forced.kind, forced.kind_detected) == ("generic", False)


def test_header_row_below_a_title_and_prefixed_headers(tmp_path: Path) -> None:
    source = tmp_path / "export.csv"
    source.write_text(
        "Inventaire des logiciels au 1er octobre 2026\n\n"
        "Caractéristiques - Nom;Caractéristiques - Éditeur;Caractéristiques - Catégorie\n"
        "Mozilla Thunderbird;Mozilla;Messagerie\n",
        encoding="utf-8",
    )
    report = run(source, tmp_path / "inv.yaml")
    assert [m.field for m in report.mapping] == ["name", "publisher", "domain"]
    assert services(tmp_path / "inv.yaml")["mozilla-thunderbird"].domain == "messagerie"


# ------------------------------------------------------------------------------- conversions


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("31/12/2026", dt.date(2026, 12, 31)),
        ("31-12-2026", dt.date(2026, 12, 31)),
        ("31.12.26", dt.date(2026, 12, 31)),
        ("2026-12-31", dt.date(2026, 12, 31)),
        ("2026-12-31 00:00", dt.date(2026, 12, 31)),
        ("12/31/2026", dt.date(2026, 12, 31)),  # only American can read this one
        ("1er mars 2024", dt.date(2024, 3, 1)),
        ("15 janv. 2024", dt.date(2024, 1, 15)),
        ("15 août 2025", dt.date(2025, 8, 15)),
        ("45306", dt.date(2024, 1, 15)),  # an Excel serial date written as text
        (45306, dt.date(2024, 1, 15)),
        (dt.datetime(2024, 1, 15, 0, 0), dt.date(2024, 1, 15)),
    ],
)
def test_dates(cell: Any, expected: dt.date) -> None:
    assert parse_date(cell) == expected


@pytest.mark.parametrize("cell", ["31/02/2024", "2024", "demain", "13/13/2024", "=TODAY()", "12", ""])
def test_bad_dates(cell: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the importer turns any ValueError into a reason
        parse_date(cell)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("12 345,50 €", 12345.5),
        ("12\u202f345,50\u00a0€", 12345.5),  # Excel's narrow no-break spaces
        ("1 234", 1234.0),
        ("8 400 € TTC", 8400.0),
        ("1,5", 1.5),
        ("1,234.56", 1234.56),
        ("1.234,56", 1234.56),
        ("1234.5", 1234.5),
        ("EUR 900", 900.0),
        (4500.5, 4500.5),
        (12, 12.0),
    ],
)
def test_numbers(cell: Any, expected: float) -> None:
    assert parse_number(cell) == expected


@pytest.mark.parametrize("cell", ["douze", "=A1*12", "12 ans", "", "nan", True])
def test_bad_numbers(cell: Any) -> None:
    with pytest.raises(ValueError):  # noqa: PT011
        parse_number(cell)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("36", 36),
        (36, 36),
        ("36 mois", 36),
        ("3 ans", 36),
        ("1 an", 12),
        ("36 months", 36),
        ("1,5 an", 18),
        ("90 jours", 3),
        ("45 days", 2),
    ],
)
def test_durations_in_months(cell: Any, expected: int) -> None:
    assert parse_months(cell) == expected


def test_end_date_from_start_and_duration() -> None:
    assert add_months(dt.date(2024, 1, 1), 36) == dt.date(2026, 12, 31)
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 28)  # 29 February, minus one day
    assert add_months(dt.date(2023, 11, 15), 2) == dt.date(2024, 1, 14)


def test_decoding_never_fails_on_odd_bytes() -> None:
    assert decode("Éditeur".encode("utf-8-sig")) == ("Éditeur", "UTF-8")
    assert decode("Éditeur".encode("cp1252")) == ("Éditeur", "Windows-1252")
    text, encoding = decode(b"Nom;\x81\x8d\x9d\xff")  # bytes cp1252 leaves undefined
    assert encoding == "Windows-1252"
    assert text.startswith("Nom;")
    assert decode("Nom\tÉditeur".encode("utf-16")) == ("Nom\tÉditeur", "UTF-16")


def test_excel_separator_line_and_unicode_text(tmp_path: Path) -> None:
    declared = tmp_path / "excel.csv"
    declared.write_text('sep=,\nNom,Éditeur,Coût annuel\nPastell,Libriciel SCOP,"1 500,00"\n', encoding="utf-8")
    report = run(declared, tmp_path / "a.yaml")
    assert report.delimiter == ","
    assert services(tmp_path / "a.yaml")["pastell"].contract.annual_cost == 1500
    unicode_text = tmp_path / "excel.txt"  # Excel's « Texte Unicode »: UTF-16, tabs
    unicode_text.write_bytes("Nom\tÉditeur\r\nPastell\tLibriciel SCOP\r\n".encode("utf-16"))
    report = run(unicode_text, tmp_path / "b.yaml")
    assert (report.encoding, report.delimiter, report.added) == ("UTF-16", "\t", ["pastell"])


def test_stable_unique_ids() -> None:
    assert slug("Logiciel de l'état civil (v2)") == "logiciel-de-l-etat-civil-v2"
    assert slug("日本語") == slug("日本語")
    assert slug("日本語").startswith("service-")
    assert len(slug("x" * 300)) <= 80


# ------------------------------------------------------------------------------- rejected rows, formulas


def test_rejected_rows_have_their_line_and_reason_and_do_not_stop_the_import(tmp_path: Path) -> None:
    report = run(HANDMADE, tmp_path / "inv.yaml")
    rejected = {row.line: " ; ".join(row.reasons) for row in report.rejected}
    assert rejected == {
        3: "date illisible « 31/02/2024 » (colonne « Début du contrat ») ; attendu : JJ/MM/AAAA ou AAAA-MM-JJ",
        4: "nom du service manquant",
        6: "valeur « nuage privé » non reconnue (colonne « Déploiement ») ; "
        "valeurs possibles : saas, hosted, on_premises, iaas_paas",
    }
    assert report.rows == 6
    assert len(report.added) == 3
    found = services(tmp_path / "inv.yaml")
    mail = found["messagerie-des-agents"]
    assert (mail.deployment.value, mail.criticality.value) == ("saas", "critical")
    assert [c.value for c in mail.data_categories] == ["personal", "internal"]
    assert mail.contract.annual_cost == 12345.5
    assert mail.contract.notice_months == 3
    directory = found["annuaire-des-agents"]
    assert (directory.deployment.value, directory.criticality.value) == ("saas", "high")  # « cloud », « High »
    assert directory.contract.annual_cost == 1234.56


def test_line_numbers_follow_multiline_cells(tmp_path: Path) -> None:
    """GLPI writes several values in one quoted cell over several lines: later rows keep their real line."""
    report = run(GLPI_SOFTWARE, tmp_path / "inv.yaml")
    assert [(row.line, row.reasons) for row in report.rejected] == [(7, ("fournisseur ou éditeur manquant",))]


def test_formula_cells_are_kept_as_text_never_evaluated(tmp_path: Path) -> None:
    run(HANDMADE, tmp_path / "inv.yaml")
    site = services(tmp_path / "inv.yaml")["hyperlink-http-x-y"]
    assert site.name == '=HYPERLINK("http://x","y")'
    assert site.product == "Site de la commune"

    source = tmp_path / "formules.csv"
    source.write_text(
        "Nom;Éditeur;Coût annuel;Date de fin\nParapheur;Libriciel SCOP;=SOMME(A1:A3);@NOW()\n", encoding="utf-8"
    )
    with pytest.raises(NothingImported) as caught:
        run(source, tmp_path / "other.yaml")
    [row] = caught.value.rejected
    assert sorted(row.reasons) == [
        "« =SOMME(A1:A3) » (colonne « Coût annuel ») est une formule, gardée comme texte : une valeur est attendue",
        "« @NOW() » (colonne « Date de fin ») est une formule, gardée comme texte : une valeur est attendue",
    ]


def test_values_the_model_refuses_are_reasons_too(tmp_path: Path) -> None:
    source = tmp_path / "limites.csv"
    source.write_text(
        "Nom;Éditeur;Préavis;Utilisateurs;Début;Fin\n"
        "Paie;Ciril Group;200 mois;12;;\n"
        "Courrier;Docaposte;;12,5;;\n"
        "Parapheur;Libriciel SCOP;;;2026-01-01;2025-01-01\n"
        "GED;Libriciel SCOP;;30;;\n",
        encoding="utf-8",
    )
    report = run(source, tmp_path / "inv.yaml")
    rejected = {row.line: row.reasons for row in report.rejected}
    assert rejected[2] == ("colonne « Préavis » : attendu : un nombre inférieur ou égal à 120 ; trouvé : 200",)
    assert rejected[3] == ("nombre illisible « 12,5 » (colonne « Utilisateurs »)",)
    assert rejected[4] == ("la date de fin (2025-01-01) précède la date de début (2026-01-01)",)
    assert report.added == ["ged"]


# ------------------------------------------------------------------------------- new inventories


def test_created_inventory_is_valid_and_marks_defaults(tmp_path: Path) -> None:
    output = tmp_path / "inventaire.yaml"
    report = run(GLPI_SOFTWARE, output, schema_hint="../schemas/inventory.schema.json")
    assert report.created
    assert report.written
    diag = open_diagnostic(output)
    assert diag.inventory.collectivite.name == "Commune de Saint-Aubin"
    assert diag.inventory.collectivite.kind.value == "commune"
    assert (diag.inventory.diagnostic.conducted_by, diag.inventory.diagnostic.date) == ("Claire Moreau, DGS", TODAY)
    assert len(diag.inventory.services) == 7
    text = output.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../schemas/inventory.schema.json\n")
    assert "    deployment: on_premises  # à vérifier : valeur par défaut de l'import\n" in text
    assert report.defaults == {"deployment": 7, "criticality": 7, "domain": 1}


def test_epci_form_given_to_kind(tmp_path: Path) -> None:
    run(GLPI_SOFTWARE, tmp_path / "inv.yaml", kinds=["communaute_communes"])
    profile = open_diagnostic(tmp_path / "inv.yaml").inventory.collectivite
    assert (profile.kind.value, profile.epci_kind.value) == ("epci", "communaute_communes")
    with pytest.raises(ImportUsageError):
        run(GLPI_SOFTWARE, tmp_path / "other.yaml", kinds=["epci"])


def test_new_inventory_needs_name_kind_and_author(tmp_path: Path) -> None:
    request = ImportRequest(source=GLPI_SOFTWARE, output=tmp_path / "inv.yaml", name="Commune de X")
    with pytest.raises(ImportUsageError) as caught:
        run_import(request)
    assert str(caught.value) == (
        f"{tmp_path / 'inv.yaml'} n'existe pas encore ; pour le créer, indiquez "
        "--kind (catégorie de la collectivité : commune, departement…), --by (qui conduit le diagnostic)."
    )
    assert not (tmp_path / "inv.yaml").exists()


# ------------------------------------------------------------------------------- merging


@pytest.fixture
def existing(tmp_path: Path, mini_inventory: Path) -> Path:
    path = tmp_path / "inventaire.yaml"
    text = mini_inventory.read_text(encoding="utf-8").replace(
        "  - id: site\n", "  # le site de la commune\n  - id: site\n"
    )
    path.write_text(text, encoding="utf-8")
    return path


def test_merge_fills_empty_fields_reports_conflicts_and_never_overwrites(tmp_path: Path, existing: Path) -> None:
    source = tmp_path / "complements.csv"
    source.write_text(
        "Nom;Fournisseur;Produit;Coût annuel;Date de fin;Hébergeur\n"
        "Messagerie;Google;Microsoft 365;2000;2027-12-31;\n"
        "Site web;Agence Web;WordPress;900;;OVHcloud\n"
        "Parapheur;Libriciel SCOP;iParapheur;;;\n",
        encoding="utf-8",
    )
    before = open_diagnostic(existing, DATA / "framework-mini.yaml").inventory
    report = run(source, existing)
    # « Site web » is not the service « site »: ids come from names, nothing is matched by guess.
    assert report.added == ["site-web", "parapheur"]
    assert report.updated == {}
    assert report.unchanged == ["messagerie"]  # its conflicts change nothing
    conflicts = {(c.service, c.field): (c.current, c.imported, c.line) for c in report.conflicts}
    assert conflicts == {
        ("messagerie", "supplier"): ("Microsoft", "Google", 2),
        ("messagerie", "contract.annual_cost"): ("1800", "2000", 2),
    }
    after = open_diagnostic(existing, DATA / "framework-mini.yaml").inventory
    by_id = {s.id: s for s in after.services}
    assert by_id["messagerie"].supplier == "Microsoft"
    assert by_id["messagerie"].contract.annual_cost == 1800
    for service in before.services:
        assert by_id[service.id].answers == service.answers  # answers never touched
    assert "  # le site de la commune\n" in existing.read_text(encoding="utf-8")


def test_merge_into_existing_services_keeps_comments(tmp_path: Path, existing: Path) -> None:
    source = tmp_path / "complements.csv"
    source.write_text(
        "Identifiant;Nom;Fournisseur;Produit;Coût annuel;Hébergeur;Déploiement\n"
        ";Site;Agence Web;WordPress;900;OVHcloud;SaaS\n"
        ";Comptabilité;Éditeur Local SAS;Gestion financière;3 000;;\n",
        encoding="utf-8",
    )
    report = run(source, existing)
    assert report.updated == {"site": ["product", "hosted_by", "contract.annual_cost"]}
    assert report.added == ["comptabilite"]
    # The row « Site » went into the service « site », named « Site web »: said, not hidden.
    assert [(c.service, c.field, c.current, c.imported) for c in report.conflicts] == [
        ("site", "name", "Site web", "Site"),
        ("site", "deployment", "hosted", "saas"),
    ]
    text = existing.read_text(encoding="utf-8")
    assert "  # le site de la commune\n" in text
    assert "# yaml-language-server: $schema=../../schemas/inventory.schema.json\n" in text
    site = {s.id: s for s in open_diagnostic(existing, DATA / "framework-mini.yaml").inventory.services}["site"]
    assert (site.product, site.hosted_by, site.contract.annual_cost, site.deployment.value) == (
        "WordPress",
        "OVHcloud",
        900,
        "hosted",
    )


def test_appending_keeps_every_existing_byte(tmp_path: Path) -> None:
    output = tmp_path / "inv.yaml"
    run(GLPI_SOFTWARE, output)
    first = output.read_bytes()
    report = run(GLPI_CONTRACTS, output)
    assert len(report.added) == 4
    assert not report.updated
    assert output.read_bytes().startswith(first)
    assert len(services(output)) == 11


@pytest.mark.parametrize(
    "layout",
    [
        "services:\n- id: messagerie\n  name: Messagerie\n  domain: messagerie\n  supplier: Microsoft\n"
        "  deployment: saas\n  criticality: high\n# fin de la liste\n",
        "services:\n  - id: messagerie\n    name: Messagerie\n    domain: messagerie\n    supplier: Microsoft\n"
        "    deployment: saas\n    criticality: high\ndomains_not_used: [elections]\n",
        "services: []\n",
    ],
    ids=["dashes-at-column-0", "services-not-last", "empty-flow-list"],
)
def test_new_services_fit_any_layout(tmp_path: Path, layout: str) -> None:
    output = tmp_path / "inv.yaml"
    head = "collectivite:\n  name: Commune de X\n  kind: commune\ndiagnostic:\n  conducted_by: Y\n  date: 2026-10-01\n"
    output.write_text(head + layout, encoding="utf-8")
    report = run(GLPI_SOFTWARE, output)
    assert len(report.added) == 7
    found = services(output)
    assert len(found) == 7 + (0 if "[]" in layout else 1)
    text = output.read_text(encoding="utf-8")
    if "dashes" in layout:
        assert text.startswith(head + layout)  # appended: the existing bytes are untouched
    assert run(GLPI_SOFTWARE, output).written is False


@pytest.mark.parametrize("source", [GLPI_SOFTWARE, GLPI_CONTRACTS, HANDMADE])
def test_importing_twice_changes_nothing(tmp_path: Path, source: Path) -> None:
    output = tmp_path / "inv.yaml"
    run(source, output)
    first = output.read_bytes()
    again = run(source, output)
    assert (again.added, again.updated, again.conflicts, again.written) == ([], {}, [], False)
    assert output.read_bytes() == first


def test_importing_twice_after_a_merge_changes_nothing(tmp_path: Path, existing: Path) -> None:
    source = tmp_path / "complements.csv"
    source.write_text(
        "Nom;Fournisseur;Produit;Hébergeur\nSite;Agence Web;WordPress;OVHcloud\nNouveau;Docaposte;;\n", encoding="utf-8"
    )
    first = run(source, existing)
    assert first.added == ["nouveau"]
    assert first.updated == {"site": ["product", "hosted_by"]}
    written = existing.read_bytes()
    again = run(source, existing)
    assert (len(again.added), len(again.updated), again.written) == (0, 0, False)
    assert existing.read_bytes() == written


def test_same_names_get_distinct_ids_that_stay_the_same(tmp_path: Path) -> None:
    source = tmp_path / "doublons.csv"
    source.write_text(
        "Nom;Éditeur;Entité\nFirefox;Mozilla;Mairie\nFirefox;Mozilla;CCAS\nFirefox 2;Mozilla;École\n", encoding="utf-8"
    )
    output = tmp_path / "inv.yaml"
    assert run(source, output).added == ["firefox", "firefox-2", "firefox-2-2"]
    assert run(source, output).unchanged == ["firefox", "firefox-2", "firefox-2-2"]


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    report = run(GLPI_SOFTWARE, tmp_path / "inv.yaml", dry_run=True)
    assert len(report.added) == 7
    assert not report.written
    assert not (tmp_path / "inv.yaml").exists()


def test_an_invalid_inventory_is_not_merged_into(tmp_path: Path) -> None:
    from sovdiag.errors import ValidationFailed

    output = tmp_path / "inv.yaml"
    output.write_text("collectivite:\n  name: X\n  kind: village\n", encoding="utf-8")
    with pytest.raises(ValidationFailed):
        run(GLPI_SOFTWARE, output)
    assert output.read_text(encoding="utf-8") == "collectivite:\n  name: X\n  kind: village\n"


def test_refuses_while_an_audit_holds_the_inventory(tmp_path: Path) -> None:
    from sovdiag.errors import SovdiagError

    output = tmp_path / "inv.yaml"
    run(GLPI_SOFTWARE, output)
    journal = tmp_path / ".inv.yaml.journal"
    with open(journal, "a", encoding="utf-8") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(SovdiagError) as caught:
            run(GLPI_CONTRACTS, output)
    assert caught.value.key == "error.inventory_locked"


# ------------------------------------------------------------------------------- catalog


def test_catalog_matching_reports_unmatched_suppliers(tmp_path: Path) -> None:
    report = run(GLPI_SOFTWARE, tmp_path / "inv.yaml")
    assert report.matched_suppliers == 5  # Microsoft, Mozilla, Berger-Levrault, JVS-Mairistem, Veeam
    assert [(s.name, s.status, s.services) for s in report.suppliers] == [
        ("Igor Pavlov", "unmatched", 1),
        ("Segilog", "unmatched", 1),
    ]


def test_catalog_matching_reports_ambiguous_suppliers(tmp_path: Path) -> None:
    local = tmp_path / "catalogue-local.yaml"
    local.write_text(
        "format_version: 1\nsuppliers:\n"
        "  - {id: segilog, name: Segilog, display_name: Segilog, aliases: [SGL]}\n"
        "  - {id: sgl-conseil, name: SGL Conseil, display_name: SGL Conseil, aliases: [SGL]}\n",
        encoding="utf-8",
    )
    source = tmp_path / "s.csv"
    source.write_text("Nom;Fournisseur\nGestion du CCAS;SGL\nCimetières;Segilog\n", encoding="utf-8")
    report = run(source, tmp_path / "inv.yaml", catalog=local)
    assert [(s.name, s.status, s.candidates) for s in report.suppliers] == [
        ("SGL", "ambiguous", ("segilog", "sgl-conseil"))
    ]
    assert report.matched_suppliers == 1


# ------------------------------------------------------------------------------- XLSX


def make_workbook(path: Path) -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    notes = workbook.active
    notes.title = "Lisez-moi"
    notes["A1"] = "Inventaire exporté le 1er octobre 2026"
    sheet = workbook.create_sheet("Logiciels")
    sheet["A1"] = "Inventaire des logiciels de la commune"
    sheet.append([])
    sheet.append(["Nom du service", "Éditeur", "Date de début", "Durée (en mois)", "Coût annuel", "Criticité"])
    sheet.append(["Paie", "Ciril Group", dt.datetime(2024, 1, 15), 36, 4500.5, "Élevée"])
    sheet.append(["Cadastre", "Esri France", 45306, "3 ans", "1 200,00 €", "moyenne"])
    sheet.append(["Courrier", "Docaposte", "31/02/2024", 12, 100, "faible"])
    sheet.append(["Calcul", "Libriciel SCOP", None, None, "=1+1", "faible"])  # a formula: no value was computed
    text = sheet.cell(row=8, column=1, value='=HYPERLINK("http://x","y")')
    text.data_type = "s"  # a text cell that looks like a formula
    sheet.cell(row=8, column=2, value="Agence Web")
    workbook.save(path)


def test_xlsx_with_a_date_cell_and_a_number_cell(tmp_path: Path) -> None:
    workbook = tmp_path / "logiciels.xlsx"
    make_workbook(workbook)
    report = run(workbook, tmp_path / "inv.yaml", sheet="Logiciels")
    assert (report.format, report.sheet, report.encoding) == ("xlsx", "Logiciels", None)
    assert mapping_of(report) == {
        "Nom du service": "name",
        "Éditeur": "publisher",
        "Date de début": "contract.start",
        "Durée (en mois)": "contract.duration",
        "Coût annuel": "contract.annual_cost",
        "Criticité": "criticality",
    }
    assert [row.line for row in report.rejected] == [6]
    assert report.rejected[0].reasons[0].startswith("date illisible « 31/02/2024 » (colonne « Date de début »)")
    found = services(tmp_path / "inv.yaml")
    pay = found["paie"]
    assert (pay.contract.start, pay.contract.end, pay.contract.annual_cost, pay.criticality.value) == (
        dt.date(2024, 1, 15),
        dt.date(2027, 1, 14),
        4500.5,
        "high",
    )
    assert found["cadastre"].contract.start == dt.date(2024, 1, 15)  # an Excel serial number
    assert found["cadastre"].contract.annual_cost == 1200
    assert found["calcul"].contract is None  # the formula had no cached value: the cell is empty
    assert found["hyperlink-http-x-y"].name == '=HYPERLINK("http://x","y")'
    before = (tmp_path / "inv.yaml").read_bytes()
    assert not run(workbook, tmp_path / "inv.yaml", sheet="logiciels").written  # sheet names match loosely
    assert (tmp_path / "inv.yaml").read_bytes() == before


def test_xlsx_first_sheet_by_default_and_unknown_sheet(tmp_path: Path) -> None:
    workbook = tmp_path / "logiciels.xlsx"
    make_workbook(workbook)
    with pytest.raises(InputFileError):  # the first sheet has no column with services' names
        run(workbook, tmp_path / "inv.yaml")
    with pytest.raises(ImportUsageError) as caught:
        run(workbook, tmp_path / "inv.yaml", sheet="Contrats")
    assert "feuilles : Lisez-moi, Logiciels" in str(caught.value)


# ------------------------------------------------------------------------------- --map


def test_map_overrides_and_completes_the_synonyms(tmp_path: Path) -> None:
    source = tmp_path / "marches.csv"
    source.write_text(
        "Objet;Attributaire;Montant total;Commentaires\nMaintenance du SIG;Esri France;12 000;Marché 2024-07\n",
        encoding="utf-8",
    )
    output = tmp_path / "inv.yaml"
    with pytest.raises(NothingImported):  # « Attributaire » is no known spelling: no supplier
        run(source, output)
    report = run(
        source, output, overrides=["Attributaire=fournisseur", "Montant total=contract.annual_cost", "Commentaires="]
    )
    assert [(m.column, m.field, m.origin) for m in report.mapping] == [
        ("Objet", "name", "synonym"),
        ("Attributaire", "supplier", "map"),
        ("Montant total", "contract.annual_cost", "map"),
        ("Commentaires", None, "none"),
    ]
    service = services(output)["maintenance-du-sig"]
    assert (service.supplier, service.contract.annual_cost, service.notes) == ("Esri France", 12000, None)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("Attributaire", "--map « Attributaire » : écrivez « Colonne=champ »."),
        ("Inconnue=supplier", "--map : pas de colonne « Inconnue »"),
        ("Attributaire=couleur", "--map : champ « couleur » inconnu"),
    ],
)
def test_bad_map_values_are_usage_errors(tmp_path: Path, value: str, message: str) -> None:
    source = tmp_path / "marches.csv"
    source.write_text("Objet;Attributaire\nMaintenance;Esri France\n", encoding="utf-8")
    with pytest.raises(ImportUsageError) as caught:
        run(source, tmp_path / "inv.yaml", overrides=[value])
    assert str(caught.value).startswith(message)


# ------------------------------------------------------------------------------- writing


names = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=60).filter(
    lambda s: s.strip() and s == s.strip()
)


@settings(max_examples=150, deadline=None)
@given(name=names, notes=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200))
def test_rendered_services_read_back_as_written(name: str, notes: str) -> None:
    data = {"name": name, "domain": "autre", "supplier": name, "deployment": "saas", "criticality": "low"}
    if notes:
        data["notes"] = notes
    data["contract"] = {"start": dt.date(2024, 1, 1), "annual_cost": 12.5}
    candidate = Candidate(1, data, list(data), ["domain"], {}, id="x-1")
    text = "services:\n" + render_services([candidate])
    [loaded] = yaml.safe_load(text)["services"]
    assert loaded == {"id": "x-1", **data}


# ------------------------------------------------------------------------------- command line


def test_cli_prints_mapping_rejections_and_catalog(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    output = tmp_path / "inv.yaml"
    out = cli(
        "import", HANDMADE, "-o", output, "--name", "Commune de Saint-Aubin", "--kind", "commune", "--by", "Claire"
    )
    assert out.exit_code == 0, out.stderr
    assert "  « Coût annuel (€ TTC) » → contract.annual_cost (coût annuel)\n" in out.stdout
    assert (
        "6 ligne(s) lue(s) : 3 service(s) ajouté(s), 0 complété(s), 0 inchangé(s) ; 3 ligne(s) rejetée(s)" in out.stdout
    )
    assert "  ligne 4 : nom du service manquant\n" in out.stdout
    assert "Fournisseurs absents du catalogue :\n  Agence Web (1 service(s))\n" in out.stdout
    assert f"Inventaire créé : {output} (3 services)." in out.stdout
    assert cli("validate", output).exit_code == 0

    again = cli("--lang", "en", "import", HANDMADE, "-o", output, lang="en")
    assert again.exit_code == 0
    assert "0 service(s) added, 0 completed, 3 unchanged" in again.stdout
    assert f"No change: {output} was not rewritten." in again.stdout


def test_cli_exit_1_when_the_source_is_unreadable(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    output = tmp_path / "inv.yaml"
    new = ["-o", output, *NEW]
    missing = cli("import", tmp_path / "absent.csv", *new)
    assert (missing.exit_code, missing.stderr.strip()) == (
        1,
        f"Erreur : {tmp_path / 'absent.csv'} : fichier introuvable.",
    )
    binary = tmp_path / "export.csv"
    binary.write_bytes(b"Nom;Editeur\x00\x01\x02")
    assert cli("import", binary, *new).exit_code == 1
    broken = tmp_path / "classeur.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    out = cli("import", broken, *new)
    assert out.exit_code == 1
    assert "classeur XLSX illisible" in out.stderr
    old = tmp_path / "ancien.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    assert "format XLS (Excel 97-2003) non pris en charge" in cli("import", old, *new).stderr
    assert not output.exists()


def test_cli_exit_1_when_no_row_can_be_read(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "vide.csv"
    source.write_text("Nom;Éditeur\n;Microsoft\nWord;\n", encoding="utf-8")
    out = cli("import", source, "-o", tmp_path / "inv.yaml", *NEW)
    assert out.exit_code == 1
    assert out.stderr.startswith(f"Erreur : {source} : aucune ligne n'a pu être lue (2 ligne(s) rejetée(s)) :")
    assert "  ligne 2 : nom du service manquant" in out.stderr
    assert "  ligne 3 : fournisseur ou éditeur manquant" in out.stderr
    headers_only = tmp_path / "entetes.csv"
    headers_only.write_text("Nom;Éditeur\n", encoding="utf-8")
    assert cli("import", headers_only, "-o", tmp_path / "inv.yaml", *NEW).exit_code == 1
    assert not (tmp_path / "inv.yaml").exists()


def test_cli_usage_errors_exit_2(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    output = tmp_path / "inv.yaml"
    assert cli("import", GLPI_SOFTWARE).exit_code == 2  # -o is required
    out = cli("import", GLPI_SOFTWARE, "-o", output)
    assert out.exit_code == 2
    assert "pour le créer, indiquez --name" in out.stderr
    assert cli("import", GLPI_SOFTWARE, "-o", output, "--kind", "village", "--name", "X", "--by", "Y").exit_code == 2
    assert cli("import", GLPI_SOFTWARE, "-o", output, *NEW, "--kind", "region").exit_code == 2
    bad_map = cli("import", GLPI_SOFTWARE, "-o", output, *NEW, "--map", "Nom")
    assert bad_map.exit_code == 2
    assert "--map « Nom » : écrivez « Colonne=champ »." in bad_map.stderr
    assert cli("import", GLPI_SOFTWARE, "-o", output, *NEW, "--sheet", "Feuil1").exit_code == 2
    assert not output.exists()
    assert cli("import", "--help").exit_code == 0


def test_cli_never_writes_over_the_source(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "logiciels.csv"
    shutil.copy(GLPI_SOFTWARE, source)
    before = source.read_bytes()
    out = cli("import", source, "-o", source, *NEW)
    assert out.exit_code == 1
    assert "est le fichier d'entrée" in out.stderr
    assert source.read_bytes() == before
