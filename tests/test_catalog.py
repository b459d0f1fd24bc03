"""The built-in catalog: valid, sourced, unique; matching on real-world spellings; local overrides;
facts that settle answers; freshness; the catalog commands."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from sovdiag.catalog import Catalog, fact_rows, load_catalog, match_service, normalise
from sovdiag.errors import ValidationFailed
from sovdiag.explain import describe_facts
from sovdiag.framework import load_domains, load_framework
from sovdiag.models import Service
from sovdiag.pipeline import diagnose, open_diagnostic
from tests.conftest import DATA, edited_copy


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(domains={d.id for d in load_domains().domains})


def test_catalog_size_and_identity(catalog: Catalog) -> None:
    assert len(catalog.suppliers) >= 100
    assert len(catalog.offers) >= 150
    assert catalog.index.version
    assert catalog.index.date <= dt.date.today()


def test_every_fact_has_a_source_and_a_date_or_says_it_is_unknown(catalog: Catalog) -> None:
    for supplier, offer, name, value, unknown, source, checked, as_of, _origin, note in fact_rows(catalog):
        where = f"{supplier}/{offer}/{name}"
        assert dt.date.fromisoformat(checked) <= dt.date.today(), where
        assert not as_of or dt.date.fromisoformat(as_of) <= dt.date.fromisoformat(checked), where
        if unknown:
            assert not value, where
            assert note, f"{where}: an unknown fact must say what was looked for"
        else:
            assert value, where
            assert source.startswith(("http://", "https://")) or len(source) > 10, where


# A reader must be able to open a source: no private address, no file inside an archive, no mirror
# or proxy of an article in place of the article itself.
NOT_A_PUBLIC_SOURCE = re.compile(
    r"://(\d+\.){3}\d+|://localhost|/tmp/|\.zip:|wikiless|wikizero|wikiwand|wikipredia|qaz\.wiki|liquisearch"
)


def test_sources_are_public_addresses(catalog: Catalog) -> None:
    for supplier, offer, name, _value, _unknown, source, *_ in fact_rows(catalog):
        assert not NOT_A_PUBLIC_SOURCE.search(source), f"{supplier}/{offer}/{name}: {source}"


def test_ultimate_parents_are_names(catalog: Catalog) -> None:
    # The parent names the group in the report and joins suppliers of the same group: the shares,
    # holdings and dates belong in the note.
    for supplier in catalog.suppliers.values():
        parent = supplier.ultimate_parent
        if parent is not None and not parent.unknown:
            assert parent.value
            assert "%" not in parent.value, supplier.id
            assert " via " not in parent.value, supplier.id
            assert len(parent.value) <= 80, supplier.id


def test_every_domain_of_the_checklist_has_an_offer(catalog: Catalog) -> None:
    covered = {d for _, offer in catalog.offers.values() for d in offer.domains}
    missing = {d.id for d in load_domains().domains} - covered - {"autre"}
    assert missing == set()


def test_no_two_suppliers_share_a_name(catalog: Catalog) -> None:
    seen: dict[str, str] = {}
    for supplier in catalog.suppliers.values():
        for name in {normalise(supplier.name), normalise(supplier.display_name)}:
            assert seen.setdefault(name, supplier.id) == supplier.id, f"{name}: {seen[name]} and {supplier.id}"


def test_alternatives_point_at_existing_offers_or_are_plain_names(catalog: Catalog) -> None:
    for _, offer in catalog.offers.values():
        for alternative in offer.alternatives:
            assert alternative.offer in catalog.offers or " " in alternative.offer or alternative.offer[0].isupper(), (
                offer.id,
                alternative.offer,
            )


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Microsoft", "microsoft"),
        ("MICROSOFT CORPORATION", "microsoft"),
        ("Microsoft France", "microsoft"),
        ("Berger Levrault SA", "berger-levrault"),
        ("BERGER-LEVRAULT", "berger-levrault"),
        ("Berger-Levrault S.A.", "berger-levrault"),
        ("OVH", "ovhcloud"),
        ("Ovh Cloud SAS", "ovhcloud"),
        ("Amazon Web Services", "amazon-web-services"),
        ("JVS Mairistem", "jvs-mairistem"),
        ("jvs-mairistem", "jvs-mairistem"),
        ("Libriciel", "libriciel-scop"),
        ("Libriciel SCOP", "libriciel-scop"),
        ("Orange Business Services", "orange"),
        ("Docaposte", "docaposte"),
        ("Hyland (Alfresco)", "hyland"),
        ("DINUM (État)", "dinum"),
        ("Ciril GROUP", "ciril-group"),
        ("OVH Groupe SA", "ovhcloud"),  # legal names as they appear on invoices
        ("Société Française du Radiotéléphone", "sfr"),
        ("Zoom Video Communications, Inc.", "zoom"),  # Zoom's name until 2024
        ("Zoom Communications", "zoom"),
        ("Veeam Software", "veeam"),
    ],
)
def test_supplier_spellings(catalog: Catalog, typed: str, expected: str) -> None:
    match = catalog.match_supplier(typed)
    assert (match.status, match.id) == ("matched", expected)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Office 365", "microsoft-365"),
        ("O365", "microsoft-365"),
        ("Moodle 4.5", "moodle-lms"),  # a version at the end
        ("Drupal 10", "drupal-community-drupal"),
        ("QGIS 3.34", "qgis-qgis"),
        ("Bareos v23", "bareos-bareos"),
        ("M365", "microsoft-365"),
        ("office365", None),
        ("GCP", "google-cloud-platform"),
        ("G Suite", "google-workspace"),
        ("Azure", "microsoft-azure"),
        ("Teams", "microsoft-teams"),
        ("iParapheur", "libriciel-scop-iparapheur"),
        ("Pronote", "index-education-pronote"),
        ("ChatGPT", "openai-chatgpt"),
        ("Le Chat", "mistral-ai-le-chat"),
        ("LibreOffice", "the-document-foundation-libreoffice"),
    ],
)
def test_offer_spellings(catalog: Catalog, typed: str, expected: str | None) -> None:
    match = catalog.match_offer(typed)
    if expected is None:
        assert match.status == "unmatched"  # never a silent guess on a spelling that matches nothing exactly
    else:
        assert (match.status, match.id) == ("matched", expected)


def test_ambiguous_and_unmatched_names_are_reported(catalog: Catalog) -> None:
    fast = catalog.match_offer("FAST")
    assert fast.status == "ambiguous"
    assert len(fast.candidates) == 2
    zoom = catalog.match_supplier("Zooom")  # a typo: suggested, never matched
    assert zoom.status == "unmatched"
    assert zoom.id is None
    assert "zoom" in zoom.suggestions
    assert catalog.match_supplier("Oracle").status == "unmatched"


def service(**fields: object) -> Service:
    base = {"id": "s", "name": "S", "domain": "messagerie", "deployment": "saas", "criticality": "high"}
    return Service.model_validate({**base, **fields})


def test_service_matching(catalog: Catalog) -> None:
    m = match_service(service(supplier="Microsoft", product="Office 365"), catalog)
    assert (m.status, m.supplier, m.offer) == ("matched", "microsoft", "microsoft-365")
    m = match_service(service(supplier="Office 365"), catalog)  # the product typed as supplier
    assert (m.supplier, m.offer) == ("microsoft", "microsoft-365")
    m = match_service(service(supplier="Google", product="Office 365"), catalog)  # another supplier's product
    assert (m.supplier, m.offer) == ("google", None)
    m = match_service(service(supplier="Éditeur inconnu SARL"), catalog)
    assert (m.status, m.supplier) == ("unmatched", None)
    m = match_service(service(supplier="Whatever", catalog={"supplier": "bleu", "offer": "bleu-cloud"}), catalog)
    assert (m.status, m.supplier, m.offer) == ("pinned", "bleu", "bleu-cloud")
    m = match_service(service(supplier="Microsoft", catalog={"unlisted": True}), catalog)
    assert (m.status, m.supplier) == ("unlisted", None)


LOCAL = """format_version: 1
suppliers:
  - id: microsoft
    name: Microsoft Corporation
    display_name: Microsoft
    ultimate_parent: {value: Microsoft Corporation, source: "https://www.sec.gov/example-10-k", checked: 2026-11-20}
    ultimate_parent_country: {value: US, source: "https://www.sec.gov/example-10-k", checked: 2026-11-20}
  - id: editeur-local
    name: Éditeur Local SAS
    display_name: Éditeur Local
    head_office_country: {value: FR, source: "https://annuaire-entreprises.data.gouv.fr/exemple", checked: 2026-11-20}
    offers:
      - id: editeur-local-compta
        name: Compta Locale
        domains: [finances]
        deployment: [on_premises]
        licence: {value: open_source, source: "https://exemple.org/licence", checked: 2026-11-20, note: AGPL-3.0}
"""


def test_local_catalog_adds_and_corrects_with_provenance(tmp_path: Path) -> None:
    local = tmp_path / "local.yaml"
    local.write_text(LOCAL, encoding="utf-8")
    merged = load_catalog(local)
    microsoft = merged.suppliers["microsoft"]
    assert microsoft.ultimate_parent_country is not None
    assert microsoft.ultimate_parent_country.value == "US"
    assert microsoft.head_office_country is not None  # kept from the built-in entry
    assert [o.id for o in microsoft.offers][:1] == ["microsoft-365"]  # built-in offers kept
    assert merged.origin("supplier", "microsoft") == "local:local.yaml"
    assert merged.origin("offer", "microsoft-365") == "builtin"
    assert merged.match_supplier("Editeur Local").id == "editeur-local"
    assert merged.offers["editeur-local-compta"][0] == "editeur-local"


PARENT_COUNTRY = 'ultimate_parent_country: {value: US, source: "https://www.sec.gov/example-10-k", checked: 2026-11-20}'


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("ultimate_parent_country: {value: US, checked: 2026-11-20}", "a fact needs a value and its source"),
        (PARENT_COUNTRY.replace("}", ", as_of: 2026-12-01}"), "as_of"),
        # « EU » is no country: it would be counted as outside the EU/EEA.
        (PARENT_COUNTRY.replace("value: US", "value: EU"), "code pays ISO"),
    ],
)
def test_local_catalog_errors_are_located(tmp_path: Path, written: str, message: str) -> None:
    local = tmp_path / "local.yaml"
    local.write_text(LOCAL.replace(PARENT_COUNTRY, written), encoding="utf-8")
    with pytest.raises(ValidationFailed) as info:
        load_catalog(local)
    [problem] = info.value.problems
    assert problem.line == 7
    assert message in problem.message
    moved = tmp_path / "moved.yaml"
    moved.write_text(LOCAL.replace("editeur-local-compta", "microsoft-365"), encoding="utf-8")
    with pytest.raises(ValidationFailed, match="appartient au fournisseur « microsoft »"):
        load_catalog(moved)


def test_catalog_facts_answer_what_the_user_left_open() -> None:
    results = diagnose(open_diagnostic(DATA / "inventory-catalog.yaml"))
    assert results.catalog is not None
    answers = results.catalog["answers"]
    microsoft = {a["criterion"]: a for a in answers["messagerie"]}
    # Microsoft's head office is outside the EU/EEA: the catalog settles who controls it...
    assert microsoft["A1.1"]["answer"] == "entirely_non_eu"
    assert microsoft["A1.1"]["facts"][0]["source"].startswith("https://")
    # ...but never replaces what the user answered (A2.2 and A1.2 are the user's).
    assert "A2.2" not in microsoft
    assert "A1.2" not in microsoft
    outscale = {a["criterion"]: a["answer"] for a in answers["iaas"]}
    assert outscale["A7.1"] == "secnumcloud"
    assert outscale["A2.2"] == "verified_immunity"
    assert outscale["A3.2"] == "exclusively_eu"
    assert "inconnu" not in answers
    outcomes = {o.criterion: o for a in results.services[0].axes for o in a.outcomes}
    assert (outcomes["A1.1"].origin, outcomes["A1.1"].answer) == ("catalog", "entirely_non_eu")
    assert (outcomes["A2.2"].origin, outcomes["A2.2"].answer) == ("inventory", "eu_subsidiary_contractual")
    matches = {m["service"]: m for m in results.catalog["matches"]}
    assert (matches["messagerie"]["supplier"], matches["messagerie"]["offer"]) == ("microsoft", "microsoft-365")
    assert matches["inconnu"]["status"] == "unmatched"
    # The controller found in the catalog counts in the indicators.
    assert results.indicators is not None
    assert results.indicators.services_outside_eu == 1


def test_without_catalog_rules_nothing_is_filled() -> None:
    results = diagnose(open_diagnostic(DATA / "inventory-mini.yaml", DATA / "framework-mini.yaml"))
    assert results.catalog is not None
    assert results.catalog["answers"] == {}
    assert {m["service"]: m["status"] for m in results.catalog["matches"]}["messagerie"] == "matched"


def test_old_facts_are_flagged(tmp_path: Path) -> None:
    inventory = tmp_path / "inv.yaml"
    inventory.write_text(
        (DATA / "inventory-catalog.yaml")
        .read_text(encoding="utf-8")
        .replace("date: 2026-10-01", "date: 2029-06-01")
        .replace("end: 2027-12-31", "end: 2030-12-31"),
        encoding="utf-8",
    )
    results = diagnose(open_diagnostic(inventory), max_age_days=365)
    assert results.catalog is not None
    stale = results.catalog["stale"]
    assert {f["service"] for f in stale} == {"messagerie", "iaas"}
    assert all(f["stale"] for f in stale)
    fresh = diagnose(open_diagnostic(inventory), max_age_days=5000)
    assert fresh.catalog is not None
    assert fresh.catalog["stale"] == []


def test_a_fact_read_in_an_old_source_is_as_old_as_its_source(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # Read last week in a 2019 document: the fact is seven years old, not one week.
    local = tmp_path / "local.yaml"
    local.write_text(
        LOCAL.replace(
            'ultimate_parent_country: {value: US, source: "https://www.sec.gov/example-10-k", checked: 2026-11-20}',
            'ultimate_parent_country: {value: US, source: "https://www.sec.gov/example-10-k", checked: 2026-11-20, '
            "as_of: 2019-03-01}",
        ),
        encoding="utf-8",
    )
    results = diagnose(open_diagnostic(DATA / "inventory-catalog.yaml", catalog_path=local), max_age_days=365)
    assert results.catalog is not None
    stale = {(f["service"], f["name"]): f for f in results.catalog["stale"]}
    assert stale[("messagerie", "supplier.controller_country")]["as_of"] == "2019-03-01"
    [answer] = [a for a in results.catalog["answers"]["messagerie"] if a["criterion"] == "A1.1"]
    [line] = describe_facts(answer, "fr")
    assert line.endswith(
        "(vérifié le 20 novembre 2026) [information datant du 1 mars 2019] [catalogue local local.yaml] [à revérifier]"
    )
    out = cli("catalog", "show", "microsoft", "--catalog", local)
    assert "[information datant du 1 mars 2019] [à revérifier]" in out.stdout


def test_the_steward_of_a_free_software_project_does_not_answer_for_who_controls_the_service(
    tmp_path: Path,
) -> None:
    # A foundation abroad governs the project; the collectivité, its contractor or its host runs
    # the service: the steward's country must not say who controls the service.
    def control_answers(local_text: str) -> set[str]:
        local = tmp_path / "local.yaml"
        local.write_text(local_text, encoding="utf-8")
        results = diagnose(open_diagnostic(DATA / "inventory-catalog.yaml", catalog_path=local))
        assert results.catalog is not None
        answered = {a["criterion"] for a in results.catalog["answers"]["messagerie"]}
        return answered & {"A1.1", "A2.1", "A2.2"}

    assert control_answers(LOCAL) == {"A1.1", "A2.1"}  # A2.2 is the user's own answer
    steward = LOCAL.replace("    display_name: Microsoft\n", "    display_name: Microsoft\n    role: steward\n")
    assert control_answers(steward) == set()


def test_free_software_run_on_premises_is_not_controlled_by_its_publisher(tmp_path: Path) -> None:
    # Free software on the collectivité's own servers: the publisher supplies neither the service nor
    # access to the data. The same software as SaaS from the publisher: the publisher's control counts.
    local = tmp_path / "local.yaml"
    open_microsoft = """    offers:
      - id: microsoft-365
        name: Microsoft 365
        licence: {value: open_source, source: "https://exemple.org/licence", checked: 2026-11-20}
"""
    local.write_text(
        LOCAL.replace("  - id: editeur-local\n", open_microsoft + "  - id: editeur-local\n"), encoding="utf-8"
    )
    saas = DATA / "inventory-catalog.yaml"
    on_premises = edited_copy(tmp_path, "inventory-catalog.yaml", "deployment: saas", "deployment: on_premises")
    for inventory, expected in ((saas, {"A1.1", "A2.1"}), (on_premises, set())):
        results = diagnose(open_diagnostic(inventory, catalog_path=local))
        assert results.catalog is not None
        answered = {a["criterion"] for a in results.catalog["answers"]["messagerie"]}
        assert answered & {"A1.1", "A2.1", "A2.2"} == expected
        assert "A6.2" in answered  # the licence still answers what it proves


def test_unknown_catalog_id_in_inventory(tmp_path: Path, mini_framework: Path) -> None:
    inventory = edited_copy(
        tmp_path,
        "inventory-mini.yaml",
        "    product: Microsoft 365\n",
        "    product: Microsoft 365\n    catalog: {offer: microsoft-366}\n",
    )
    with pytest.raises(ValidationFailed) as info:
        open_diagnostic(inventory, mini_framework)
    [problem] = info.value.problems
    assert (problem.line, problem.path) == (18, "services[0].catalog.offer")
    assert "microsoft-366" in problem.message


def test_catalog_rules_are_consistent_with_the_framework() -> None:
    fw = load_framework()
    assert fw.model.catalog_rules
    for rule in fw.model.catalog_rules:
        assert rule.answer in {o.id for o in fw.criteria[rule.criterion].options}


def test_catalog_commands(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = cli("catalog", "search", "micro")
    assert out.exit_code == 0
    assert "microsoft-365" in out.stdout
    assert cli("catalog", "search", "zzzz-nothing").exit_code == 1
    out = cli("catalog", "show", "microsoft-365")
    assert out.exit_code == 0
    assert "source :" in out.stdout
    assert "vérifié le" in out.stdout
    out = cli("catalog", "show", "the-document-foundation-libreoffice")
    # A yes/no fact reads as a word; a fact read in the 2022 SILL data is dated and flagged.
    assert "offer.in_sill : oui" in out.stdout
    assert "[information datant du 10 mai 2022] [à revérifier]" in out.stdout
    assert "Gouverne un projet de logiciel libre sans fournir le service" in out.stdout
    out = cli("catalog", "show", "nope-nope")
    assert out.exit_code == 1
    out = cli("catalog", "validate")
    assert out.exit_code == 0
    assert "fournisseurs" in out.stdout
    local = tmp_path / "local.yaml"
    local.write_text(LOCAL, encoding="utf-8")
    out = cli("catalog", "validate", local)
    assert out.exit_code == 0
    assert "supplier:microsoft" in out.stdout
    out = cli("catalog", "export", "-o", tmp_path / "facts.csv")
    assert out.exit_code == 0
    text = (tmp_path / "facts.csv").read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == "supplier;offer;fact;value;unknown;source;checked;as_of;origin;note"
    out = cli("catalog", "export", "-o", tmp_path / "catalog.json", "--catalog", local)
    data = json.loads((tmp_path / "catalog.json").read_text(encoding="utf-8"))
    assert data["origins"]["supplier:microsoft"] == "local:local.yaml"


def test_explanation_lists_the_alternatives_with_source_and_date(cli, catalog: Catalog) -> None:  # type: ignore[no-untyped-def]
    out = cli("score", DATA / "inventory-catalog.yaml", "--explain", "messagerie")
    assert out.exit_code == 0
    listed = out.stdout.split("Solutions de remplacement connues du catalogue")[1].split("Obligations")[0]
    _, microsoft_365 = catalog.offers["microsoft-365"]
    assert microsoft_365.alternatives
    for alternative in microsoft_365.alternatives:
        name = catalog.offers[alternative.offer][1].name if alternative.offer in catalog.offers else alternative.offer
        line = next(line for line in listed.splitlines() if line.strip().startswith(f"• {name} — "))
        assert alternative.source in line
        assert "vérifié le" in line
        # Read in the 2022 SILL snapshot: dated, and too old for a diagnostic of October 2026.
        assert ("[information datant du 10 mai 2022] [à revérifier]" in line) == (alternative.as_of is not None)
    assert any(alternative.as_of for alternative in microsoft_365.alternatives)
