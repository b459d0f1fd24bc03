"""Framework loading: an inconsistent framework is refused with every problem located."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sovdiag.errors import FrameworkError, SovdiagError, ValidationFailed
from sovdiag.framework import load_framework
from tests.conftest import DATA


def mutated(tmp_path: Path, change: str, new: str) -> Path:
    text = (DATA / "framework-mini.yaml").read_text(encoding="utf-8")
    assert change in text, change
    path = tmp_path / "fw.yaml"
    path.write_text(text.replace(change, new, 1), encoding="utf-8")
    return path


def problems_of(path: Path) -> list[tuple[int | None, str, str]]:
    with pytest.raises(ValidationFailed) as info:
        load_framework(path)
    return [(p.line, p.path, p.message) for p in info.value.problems]


def test_mini_framework_loads() -> None:
    fw = load_framework(DATA / "framework-mini.yaml")
    assert list(fw.criteria) == ["A1.1", "A1.2", "A2.1", "A2.2", "A2.3"]
    assert fw.max_level == 2
    assert fw.profile(None) == ("equal", {"A1": 1.0, "A2": 1.0})
    assert len(fw.sha256) == 64


def test_unknown_profile_lists_the_choices() -> None:
    with pytest.raises(SovdiagError) as info:
        load_framework(DATA / "framework-mini.yaml").profile("nope")
    assert str(info.value) == "Profil de pondération inconnu « nope » : profils disponibles : equal, legal."


def test_cap_out_of_range(tmp_path: Path) -> None:
    path = mutated(tmp_path, "value: 1, cap: 2}\n      - id: A1.2", "value: 1, cap: 7}\n      - id: A1.2")
    assert problems_of(path) == [
        (31, "axes[0].criteria[0].options[2].cap", "plafond 7 hors des niveaux définis (0 à 2)")
    ]


def test_options_must_go_from_worst_to_best(tmp_path: Path) -> None:
    path = mutated(
        tmp_path,
        "{id: mixed, label: {fr: Mixte, en: Mixed}, value: 0.5, cap: 1}",
        "{id: mixed, label: {fr: Mixte, en: Mixed}, value: 0.5, cap: 3}",
    )
    found = problems_of(path)
    assert (
        31,
        "axes[0].criteria[0].options[2]",
        "les options doivent aller de la pire à la meilleure : la valeur ou le plafond de « eu » est inférieur "
        "à celui de l'option précédente",
    ) in found


def test_unknown_source_and_ours_without_note(tmp_path: Path) -> None:
    path = mutated(tmp_path, 'references: [{source: csf-1.2.1, ref: "SOV-2 #1"}]', "references: [{source: csf-9}]")
    path.write_text(
        path.read_text(encoding="utf-8").replace("[{source: ours, note: Test criterion.}]", "[{source: ours}]"),
        encoding="utf-8",
    )
    assert problems_of(path) == [
        (
            27,
            "axes[0].criteria[0].references[0].source",
            "source « csf-9 » inconnue (ni déclarée dans sources, ni « ours »)",
        ),
        (35, "axes[0].criteria[1].references[0].note", "une référence « ours » doit expliquer son choix (note)"),
    ]


def test_condition_on_an_unknown_or_later_criterion(tmp_path: Path) -> None:
    path = mutated(
        tmp_path,
        'applies_when: [{answer: {criterion: A2.2, in: ["yes"]}}]',
        'applies_when: [{answer: {criterion: A2.9, in: ["yes"]}}, {}]',
    )
    found = problems_of(path)
    assert (
        64,
        "axes[1].criteria[2].applies_when[0].answer.criterion",
        "la condition vise le critère « A2.9 », inconnu ou placé après ce critère",
    ) in found
    assert (
        64,
        "axes[1].criteria[2].applies_when[1]",
        "une condition doit porter sur deployment, data_any, criticality ou answer",
    ) in found


def test_condition_on_an_unknown_option(tmp_path: Path) -> None:
    path = mutated(tmp_path, 'in: ["yes"]', 'in: ["oui"]')
    assert problems_of(path) == [
        (
            64,
            "axes[1].criteria[2].applies_when[0].answer.in",
            "la condition vise l'option « oui », inconnue du critère A2.2",
        )
    ]


def test_weights_must_cover_the_axes(tmp_path: Path) -> None:
    path = mutated(tmp_path, "weights: {A1: 3, A2: 1}", "weights: {A1: 3, A3: 1}")
    path.write_text(
        path.read_text(encoding="utf-8").replace("default_profile: equal", "default_profile: nope"), encoding="utf-8"
    )
    assert problems_of(path) == [
        (
            76,
            "weight_profiles[1].weights",
            "les poids doivent couvrir exactement les axes A1, A2 (manquants : A2 ; en trop : A3)",
        ),
        (79, "default_profile", "profil par défaut « nope » inconnu"),
    ]


def test_duplicate_ids(tmp_path: Path) -> None:
    path = mutated(tmp_path, "- id: A1.2", "- id: A1.1")
    found = problems_of(path)
    assert (32, "axes[0].criteria[1].id", "identifiant « A1.1 » déjà utilisé") in found


def test_reserved_option_ids(tmp_path: Path) -> None:
    path = mutated(
        tmp_path,
        '{id: "no", label: {fr: Non, en: "No"}, value: 0}',
        '{id: unknown, label: {fr: Non, en: "No"}, value: 0}',
    )
    assert problems_of(path) == [
        (38, "axes[0].criteria[1].options[0].id", "« unknown » est réservé (je ne sais pas / non applicable)")
    ]


def test_model_errors_are_located_too(tmp_path: Path) -> None:
    path = mutated(tmp_path, "value: 0.5, cap: 1", "value: 1.5, cap: 1")
    assert problems_of(path) == [
        (30, "axes[0].criteria[0].options[1].value", "attendu : un nombre inférieur ou égal à 1 ; trouvé : 1.5")
    ]


def test_framework_error_is_a_validation_failure() -> None:
    assert issubclass(FrameworkError, ValidationFailed)


def test_every_mini_option_is_ordered() -> None:
    data = yaml.safe_load((DATA / "framework-mini.yaml").read_text(encoding="utf-8"))
    for axis in data["axes"]:
        for crit in axis["criteria"]:
            values = [o["value"] for o in crit["options"]]
            assert values == sorted(values)
