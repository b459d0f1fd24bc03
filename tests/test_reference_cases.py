"""Cases computed by hand from the Commission's method on the shipped framework.

The CSF score of an objective is the sum of the values of its answers over the criteria (here:
normalised over the criteria that apply); the Sovereignty Score weights the objectives (v1.2.1
§5: 15/10/10/15/20/15/10/5); the SEAL is the minimum over the answers' levels.
"""

from __future__ import annotations

import pytest

from sovdiag.framework import LoadedFramework, load_framework
from sovdiag.models import Inventory
from sovdiag.scoring import score_inventory


@pytest.fixture(scope="module")
def framework() -> LoadedFramework:
    return load_framework()


def one_service(framework: LoadedFramework, pick: str, deployment: str = "saas") -> Inventory:
    """A service answering every criterion with its first (worst), last (best) or middle option."""
    answers = {}
    for crit in framework.criteria.values():
        index = {"worst": 0, "best": len(crit.options) - 1, "middle": (len(crit.options) - 1) // 2}[pick]
        answers[crit.id] = crit.options[index].id
    return Inventory.model_validate(
        {
            "collectivite": {"name": "C", "kind": "commune"},
            "diagnostic": {"conducted_by": "X", "date": "2026-11-23"},
            "services": [
                {
                    "id": "s",
                    "name": "S",
                    "domain": "messagerie",
                    "supplier": "X",
                    "deployment": deployment,
                    "data_categories": ["personal"],
                    "criticality": "high",
                    "answers": answers,
                }
            ],
        }
    )


def test_best_answers_everywhere_give_100_and_seal_4(framework: LoadedFramework) -> None:
    result = score_inventory(one_service(framework, "best"), framework, "csf-1.2.1").services[0]
    assert result.score == pytest.approx(100.0)
    assert result.level == 4
    assert result.unknown == 0


def test_worst_answers_give_0_and_seal_0(framework: LoadedFramework) -> None:
    result = score_inventory(one_service(framework, "worst"), framework, "csf-1.2.1").services[0]
    assert result.score == pytest.approx(0.0)
    assert result.level == 0
    assert result.binding_criterion == "A1.3"  # the first criterion whose worst answer is capped at SEAL-0


def test_middle_answers_hand_computed_with_the_commission_weights(framework: LoadedFramework) -> None:
    inventory = one_service(framework, "middle")
    result = score_inventory(inventory, framework, "csf-1.2.1").services[0]
    service = inventory.services[0]
    # By hand: for each axis, the mean value of the middle options of the criteria asked of a SaaS
    # service handling personal data with high criticality; then the CSF v1.2.1 weights.
    weights = {"A1": 15, "A2": 10, "A3": 10, "A4": 15, "A5": 20, "A6": 15, "A7": 10, "A8": 5}
    asked = {o.criterion for a in result.axes for o in a.outcomes if o.status == "answered"}
    expected_axes = {}
    for axis in framework.model.axes:
        values = [
            next(o.value for o in c.options if o.id == service.answers[c.id].answer) * c.weight
            for c in axis.criteria
            if c.id in asked
        ]
        total = sum(c.weight for c in axis.criteria if c.id in asked)
        expected_axes[axis.id] = 100 * sum(values) / total
    assert {a.axis: a.score for a in result.axes} == pytest.approx(expected_axes)
    expected = sum(weights[a] * s for a, s in expected_axes.items()) / sum(weights.values())
    assert result.score == pytest.approx(expected)
    # SEAL: minimum of the middle options' caps over the answered criteria.
    caps = [
        next(o for o in c.options if o.id == service.answers[c.id].answer).cap
        for c in framework.criteria.values()
        if c.id in asked
    ]
    assert result.level == min(cap if cap is not None else 4 for cap in caps)


def test_key_custody_does_not_apply_on_premises(framework: LoadedFramework) -> None:
    result = score_inventory(one_service(framework, "worst", "on_premises"), framework).services[0]
    statuses = {o.criterion: o.status for a in result.axes for o in a.outcomes}
    assert statuses["A3.1"] == "excluded"
    assert statuses["A3.2"] == "excluded"
