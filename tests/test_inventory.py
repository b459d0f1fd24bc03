"""Inventory validation: every problem reported at once, with file, line, key path, expected, found."""

from __future__ import annotations

from pathlib import Path

import pytest

from sovdiag.errors import ValidationFailed
from sovdiag.framework import load_domains, load_framework
from sovdiag.inventory import load_inventory, siren_is_valid
from tests.conftest import DATA

HEADER = """collectivite:
  name: Commune de Test
  kind: commune
diagnostic:
  conducted_by: Alice
  date: 2026-10-01
services:
"""

SERVICE = """  - id: {id}
    name: Service {id}
    domain: {domain}
    supplier: Fournisseur
    deployment: saas
    criticality: high
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "inv.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path, with_framework: bool = True) -> list[tuple[int | None, str, str]]:
    framework = load_framework(DATA / "framework-mini.yaml") if with_framework else None
    with pytest.raises(ValidationFailed) as info:
        load_inventory(path, framework, load_domains())
    assert all(p.file == str(path) for p in info.value.problems)
    return [(p.line, p.path, p.message) for p in info.value.problems]


def test_the_mini_inventory_is_valid() -> None:
    inventory = load_inventory(
        DATA / "inventory-mini.yaml", load_framework(DATA / "framework-mini.yaml"), load_domains()
    )
    assert [s.id for s in inventory.services] == ["messagerie", "compta", "site"]
    assert inventory.services[0].answers["A1.2"].evidence == "CCAP art. 12"
    assert inventory.services[0].answers["A1.1"].answer == "non_eu"


def test_wrong_types_say_what_was_expected_and_found(tmp_path: Path) -> None:
    text = HEADER.replace("kind: commune", "kind: commune\n  population: beaucoup\n  departement: 35") + SERVICE.format(
        id="a", domain="messagerie"
    ).replace("criticality: high", "criticality: high\n    users: -3")
    found = problems(write(tmp_path, text))
    assert (4, "collectivite.population", "attendu : un nombre entier ; trouvé : « beaucoup »") in found
    assert (
        5,
        "collectivite.departement",
        "attendu : un texte (mettez la valeur entre guillemets) ; trouvé : 35",
    ) in found
    assert (16, "services[0].users", "attendu : un nombre supérieur ou égal à 0 ; trouvé : -3") in found


def test_missing_and_unknown_fields(tmp_path: Path) -> None:
    text = HEADER + SERVICE.format(id="a", domain="messagerie").replace(
        "    supplier: Fournisseur\n", "    suplier: X\n"
    )
    found = problems(write(tmp_path, text))
    assert (8, "services[0].supplier", "champ obligatoire manquant") in found
    assert (11, "services[0].suplier", "champ inconnu (vouliez-vous dire « supplier » ?)") in found


def test_enum_values_are_listed(tmp_path: Path) -> None:
    text = HEADER + SERVICE.format(id="a", domain="messagerie").replace("deployment: saas", "deployment: cloud")
    [(line, path, message)] = problems(write(tmp_path, text))
    assert (line, path) == (12, "services[0].deployment")
    assert message.startswith("attendu : une des valeurs saas, hosted, on_premises")
    assert message.endswith("trouvé : « cloud »")


def test_unknown_domain_suggests_the_closest(tmp_path: Path) -> None:
    text = HEADER + SERVICE.format(id="a", domain="messageries")
    assert problems(write(tmp_path, text)) == [
        (
            10,
            "services[0].domain",
            "domaine inconnu « messageries » (vouliez-vous dire « messagerie » ?) ; "
            "voir la liste : sovdiag schema domains",
        )
    ]


def test_an_overlong_domain_is_refused_without_quoting_it_whole(tmp_path: Path) -> None:
    text = HEADER + SERVICE.format(id="a", domain="x" * 5000)
    [(line, path, message)] = problems(write(tmp_path, text))
    assert (line, path) == (10, "services[0].domain")
    assert "80" in message
    assert len(message) < 300


def test_duplicate_service_ids_point_at_both(tmp_path: Path) -> None:
    text = HEADER + SERVICE.format(id="a", domain="messagerie") + SERVICE.format(id="a", domain="finances")
    assert problems(write(tmp_path, text)) == [
        (14, "services[1].id", "identifiant de service « a » déjà utilisé (ligne 8)")
    ]


def test_bad_service_id_is_explained(tmp_path: Path) -> None:
    text = HEADER + SERVICE.format(id="Messagerie Agents", domain="messagerie")
    [(line, _, message)] = problems(write(tmp_path, text))
    assert line == 8
    assert "un identifiant en minuscules" in message


def test_answers_are_checked_against_the_framework(tmp_path: Path) -> None:
    text = (
        HEADER
        + SERVICE.format(id="a", domain="messagerie")
        + ("    answers:\n      A1.1: peut-etre\n      A9.9: eu\n      A1.2: {answer: unknown, comment: à vérifier}\n")
    )
    found = problems(write(tmp_path, text))
    assert found == [
        (
            15,
            "services[0].answers.A1.1",
            "réponse « peut-etre » inconnue pour le critère A1.1 ; réponses possibles : non_eu, mixed, eu, unknown, "
            "not_applicable",
        ),
        (16, "services[0].answers.A9.9", "critère « A9.9 » inconnu du référentiel mini"),
    ]


def test_profile_rules(tmp_path: Path) -> None:
    text = HEADER.replace("kind: commune", 'kind: epci\n  siren: "200000001"') + SERVICE.format(id="a", domain="sig")
    found = problems(write(tmp_path, text))
    assert (
        3,
        "collectivite.kind",
        "un EPCI doit préciser epci_kind (metropole, communaute_urbaine, "
        "communaute_agglomeration, communaute_communes, etablissement_public_territorial)",
    ) in found
    assert (4, "collectivite.siren", "le SIREN « 200000001 » n'a pas une clé de contrôle valide") in found


def test_contract_end_before_start(tmp_path: Path) -> None:
    text = HEADER + SERVICE.format(id="a", domain="sig") + "    contract: {start: 2026-01-01, end: 2025-01-01}\n"
    assert problems(write(tmp_path, text)) == [
        (14, "services[0].contract.end", "la date de fin (2025-01-01) précède la date de début (2026-01-01)")
    ]


def test_a_list_instead_of_a_mapping(tmp_path: Path) -> None:
    [(line, _, message)] = problems(write(tmp_path, "- a\n- b\n"))
    assert line == 1
    assert message.startswith("le document doit être un dictionnaire de clés")


def test_all_problems_are_reported_together(tmp_path: Path) -> None:
    text = HEADER + SERVICE.format(id="a", domain="nope") + SERVICE.format(id="a", domain="nope2")
    assert len(problems(write(tmp_path, text))) == 3


def test_messages_in_english(tmp_path: Path) -> None:
    from sovdiag.messages import set_language

    set_language("en")
    text = HEADER + SERVICE.format(id="a", domain="messagerie").replace("deployment: saas", "deployment: 3")
    [(_, _, message)] = problems(write(tmp_path, text))
    assert message.startswith("expected: one of saas, hosted")
    assert message.endswith("found: 3")


@pytest.mark.parametrize(
    ("siren", "valid"),
    [("213500002", True), ("356000000", True), ("732829320", True), ("732829321", False), ("12345678", False)],
)
def test_siren_check_digit(siren: str, valid: bool) -> None:
    assert siren_is_valid(siren) is valid
