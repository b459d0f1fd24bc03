"""Targets, risk, suppliers, concentration, indicators, obligations and actions, hand-computed on
the mini framework and inventory (see tests/data)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sovdiag.errors import SovdiagError, ValidationFailed
from sovdiag.explain import explain_service
from sovdiag.framework import load_framework
from sovdiag.models import ObligationLibrary
from sovdiag.pipeline import OpenDiagnostic, diagnose, open_diagnostic
from sovdiag.plan import assess_obligations, check_measures, load_measures
from sovdiag.portfolio import add_months, controller_of
from sovdiag.scoring import Results
from tests.conftest import DATA, edited_copy


@pytest.fixture(scope="module")
def diag() -> OpenDiagnostic:
    return open_diagnostic(DATA / "inventory-mini.yaml", DATA / "framework-mini.yaml")


@pytest.fixture(scope="module")
def results(diag: OpenDiagnostic) -> Results:
    return diagnose(diag)


def service(results: Results, service_id: str):  # type: ignore[no-untyped-def]
    return next(s for s in results.services if s.id == service_id)


def test_targets_and_gaps(results: Results) -> None:
    # messagerie is critical (A1, A2 -> 2) and handles personal data (A1 -> 1): the highest wins.
    m = service(results, "messagerie")
    assert [(x.axis, x.target, x.rules, x.level, x.gap) for x in m.targets] == [
        ("A1", 2, ["critical"], 0, 2),
        ("A2", 2, ["critical"], 0, 2),
    ]
    assert (m.target_level, m.below_target, m.prudent_below_target) == (2, True, True)
    assert m.target_rules == ["critical", "personal"]
    # compta: personal data -> A1 at 1; A1 reaches 2 declared and prudent (A1.2 has no cap): no gap.
    c = service(results, "compta")
    assert [(x.axis, x.target, x.gap, x.prudent_gap) for x in c.targets] == [("A1", 1, 0, 0)]
    assert (c.below_target, c.prudent_below_target) == (False, False)
    # site: no rule matches.
    assert service(results, "site").targets == []


def test_risk_ratings(results: Results) -> None:
    # messagerie: critical -> G4; A1.1 non_eu (0) and A2.1 provider (0): exposure 1 -> V4; matrix[G4][V4] = 4.
    m = service(results, "messagerie").risk
    assert (m.gravity, m.likelihood, m.level, m.exposure, m.exposure_criteria) == (4, 4, 4, 1.0, ["A1.1", "A2.1"])
    # compta: high -> G3; A1.1 eu (1), A2.1 excluded on premises: exposure 0 -> V1; matrix[G3][V1] = 2.
    c = service(results, "compta").risk
    assert (c.gravity, c.likelihood, c.level, c.exposure_criteria) == (3, 1, 2, ["A1.1"])
    # site: low -> G1; nothing answered, prudent view: exposure 1 -> V4; matrix[G1][V4] = 2.
    s = service(results, "site").risk
    assert (s.gravity, s.likelihood, s.level) == (1, 4, 2)


def test_supplier_threat_index_and_concentration(results: Results) -> None:
    microsoft = next(x for x in results.suppliers if x.name == "Microsoft")
    # dependency 1 + critical + 100 % of spend + hard to replace (A2.1 provider) = 4; penetration SaaS = 3;
    # maturity: no SOV-7 axis -> 1; trust: A1 (SOV-2 here) prudent score 75 -> 4. 4 * 3 / (1 * 4) = 3.
    assert (microsoft.dependency, microsoft.penetration, microsoft.maturity, microsoft.trust) == (4, 3, 1, 4)
    assert microsoft.threat == 3.0
    assert microsoft.zone == "control"
    assert microsoft.spend_share == 1.0
    assert results.concentration is not None
    assert results.concentration.hhi_spend == 10_000.0
    assert results.concentration.hhi_critical == 10_000.0
    # The web agency: nothing answered, so (prudent) maturity 1 and trust 1; no spend given, so its share
    # of services (1/3) counts: dependency 2, hosted 3 -> 6, the highest threat. Ties go by spend.
    assert [(x.name, x.threat, x.zone) for x in results.suppliers] == [
        ("Agence Web", 6.0, "danger"),
        ("Microsoft", 3.0, "control"),
        ("Éditeur Local SAS", 3.0, "control"),
    ]


def test_headline_indicators(results: Results) -> None:
    ind = results.indicators
    assert ind is not None
    assert (ind.annual_cost, ind.spend_outside_eu, ind.spend_share_outside_eu) == (1800.0, 1800.0, 1.0)
    assert (ind.services_outside_eu, ind.services_controller_unknown) == (1, 1)
    assert (ind.critical_services, ind.critical_outside_eu) == (1, 1)
    assert (ind.below_target, ind.prudent_below_target, ind.with_target) == (1, 1, 2)
    assert ind.critical_without_alternative_or_exit == []  # A1.2 yes, A2.2 no: both satisfied
    # messagerie ends 2027-12-31; diagnostic 2026-10-01: outside 12 months, inside 24 and 36.
    assert [(w.months, w.services) for w in ind.contract_windows] == [
        (12, []),
        (24, ["messagerie"]),
        (36, ["messagerie"]),
    ]


def test_controller_prefers_declared_countries(diag: OpenDiagnostic) -> None:
    fw = diag.framework
    s = diag.inventory.services[0].model_copy(update={"ultimate_parent": "Groupe X", "ultimate_parent_country": "FR"})
    ctrl = controller_of(s, fw)
    assert (ctrl.name, ctrl.country, ctrl.outside_eu, ctrl.basis) == ("Groupe X", "FR", False, "inventory")
    s = diag.inventory.services[0].model_copy(update={"supplier_country": "US"})
    assert controller_of(s, fw).outside_eu is True
    ctrl = controller_of(diag.inventory.services[2], fw)
    assert (ctrl.outside_eu, ctrl.basis) == (None, "unknown")


def test_obligations_follow_profile_and_services(diag: OpenDiagnostic) -> None:
    library = ObligationLibrary.model_validate(
        {
            "version": "t",
            "date": "2026-01-01",
            "sources": [],
            "obligations": [
                {
                    "id": "all",
                    "title": {"fr": "a", "en": "a"},
                    "summary": {"fr": "a", "en": "a"},
                    "status": "in_force",
                    "references": [{"source": "ours", "note": "t"}],
                },
                {
                    "id": "big",
                    "title": {"fr": "b", "en": "b"},
                    "summary": {"fr": "b", "en": "b"},
                    "status": "pending",
                    "applies_to": {"population_min": 30001},
                    "references": [{"source": "ours", "note": "t"}],
                },
                {
                    "id": "regions",
                    "title": {"fr": "r", "en": "r"},
                    "summary": {"fr": "r", "en": "r"},
                    "status": "in_force",
                    "applies_to": {"kinds": ["region"]},
                    "references": [{"source": "ours", "note": "t"}],
                },
                {
                    "id": "transfer",
                    "title": {"fr": "t", "en": "t"},
                    "summary": {"fr": "t", "en": "t"},
                    "status": "in_force",
                    "applies_to": {"services": {"data_any": ["personal"], "hosted_outside_eu": True}},
                    "references": [{"source": "ours", "note": "t"}],
                },
            ],
        }
    )
    found = {o.id: o for o in assess_obligations(diag.inventory, library, diag.framework)}
    assert sorted(found) == ["all", "transfer"]  # 1,200 inhabitants, a commune
    assert found["transfer"].services == ["messagerie"]  # the only personal-data service controlled outside the EU


def test_action_plan_groups_services_by_measure(results: Results) -> None:
    assert results.actions, "the mini inventory has gaps"
    ranks = [a.rank for a in results.actions]
    assert ranks == list(range(1, len(ranks) + 1))
    risks = [a.risk_level for a in results.actions]
    assert risks == sorted(risks, reverse=True)
    for action in results.actions:
        assert len({x.service for x in action.services}) == len(action.services)
        assert action.deadline == min((x.deadline for x in action.services if x.deadline), default=None)


def test_builtin_measures_trigger_known_answers() -> None:
    check_measures(load_measures(), load_framework())


def test_measure_with_an_unknown_answer_is_refused() -> None:
    library = load_measures()
    library.measures[0].triggers[0].answers.append("does-not-exist")
    with pytest.raises(ValidationFailed, match="does-not-exist"):
        check_measures(library, load_framework())


def test_explanation_names_every_number(diag: OpenDiagnostic, results: Results) -> None:
    e = explain_service(results, diag.inventory, diag.framework, "messagerie", "fr", load_measures())
    assert e.level_code == "L0"
    assert e.binding == "A1.1 — Droit du fournisseur ?"
    assert e.gravity == "G4 Critique — critique"
    assert e.risk == "R4 Critique"
    a1 = e.axes[0]
    assert [(x.id, x.answer, x.value, x.cap, x.binding) for x in a1.criteria] == [
        ("A1.1", "Hors UE", 0.0, 0, True),
        ("A1.2", "Oui", 1.0, None, False),
    ]
    assert a1.criteria[1].comment == "Clause 12 du contrat"
    assert (a1.target, a1.target_rules) == (2, ["critical"])
    assert e.axes[1].criteria[2].answer == "ne s'applique pas à ce service"


def test_unknown_service_suggests_close_ids(diag: OpenDiagnostic, results: Results) -> None:
    with pytest.raises(SovdiagError, match="messagerie"):
        explain_service(results, diag.inventory, diag.framework, "mesagerie", "fr")


def test_weight_profile_from_a_file(tmp_path: Path) -> None:
    fw = load_framework(DATA / "framework-mini.yaml")
    good = tmp_path / "w.yaml"
    good.write_text(
        "id: local\nname: {fr: Local, en: Local}\nweights: {A1: 2, A2: 1}\n"
        "rationale: {fr: Essai, en: Test}\nreferences: [{source: ours, note: test}]\n",
        encoding="utf-8",
    )
    assert fw.profile(str(good)) == ("local", {"A1": 2.0, "A2": 1.0})
    bad = tmp_path / "bad.yaml"
    bad.write_text(good.read_text(encoding="utf-8").replace("A2: 1", "A9: 1"), encoding="utf-8")
    with pytest.raises(ValidationFailed) as info:
        fw.profile(str(bad))
    assert info.value.problems[0].line == 3
    assert "manquants : A2 ; en trop : A9" in info.value.problems[0].message


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),
        (dt.date(2026, 11, 23), 14, dt.date(2028, 1, 23)),
        (dt.date(2026, 3, 31), -1, dt.date(2026, 2, 28)),
    ],
)
def test_add_months(day: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(day, months) == expected


def test_a_group_written_two_ways_is_one_group(tmp_path: Path) -> None:
    # The web site is hosted by « MICROSOFT CORPORATION »: the same group as « Microsoft », not a second one.
    inventory = edited_copy(
        tmp_path,
        "inventory-mini.yaml",
        "    supplier: Agence Web\n",
        "    supplier: Agence Web\n    hosted_by: MICROSOFT CORPORATION\n",
    )
    results = diagnose(open_diagnostic(inventory, DATA / "framework-mini.yaml"))
    microsoft = [x for x in results.suppliers if "microsoft" in x.name.casefold()]
    assert len(microsoft) == 1
    assert (microsoft[0].services, microsoft[0].hosted_services) == (["messagerie"], ["site"])
