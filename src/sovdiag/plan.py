"""What the diagnostic asks of the collectivité: the obligations that apply and the action plan.

Both libraries are data (``questionnaires/obligations.yaml``, ``questionnaires/measures.yaml``).
An obligation applies from the collectivité's profile and, when it concerns some services only,
to the services that match it. A measure becomes an action for a service when one of its triggers
matches an answer (or a "je ne sais pas"); actions are dated by the service's contract (end minus
notice) and ranked by the service's risk, then by urgency.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path

from sovdiag.errors import Problem, ValidationFailed
from sovdiag.framework import LoadedFramework
from sovdiag.messages import translate as t
from sovdiag.models import (
    EU_EEA,
    RESERVED_ANSWERS,
    CollectiviteKind,
    Inventory,
    MeasureLibrary,
    Obligation,
    ObligationLibrary,
    Service,
    ServiceFilter,
)
from sovdiag.portfolio import add_months, controller_of
from sovdiag.resources import measures_path, obligations_path
from sovdiag.scoring import DECLARED_NA, EXCLUDED, ServiceResult, compile_condition, facts_of, holds
from sovdiag.validation import validate_model
from sovdiag.yamlio import load_yaml, read_text


def load_measures(path: Path | None = None) -> MeasureLibrary:
    """The measures library (the shipped one by default); read once per process and file version."""
    path = path or measures_path()
    # A copy: a caller that edits its library (a test, a future editor) must not edit everyone's.
    return _load_measures(path, *_version(path)).model_copy(deep=True)


def _version(path: Path) -> tuple[int, int]:
    try:
        stat = path.stat()
    except OSError:
        return (0, 0)  # read_text says what is wrong with it
    return stat.st_mtime_ns, stat.st_size


@functools.lru_cache(maxsize=8)
def _load_measures(path: Path, _mtime: int, _size: int) -> MeasureLibrary:
    text = read_text(path)
    return validate_model(MeasureLibrary, load_yaml(text, str(path), "measures"), text, str(path), "measures")


def check_measures(library: MeasureLibrary, framework: LoadedFramework, file: str = "measures.yaml") -> None:
    """Every trigger must name a criterion and an answer the framework knows."""
    problems = []
    criteria = framework.criteria
    for m, measure in enumerate(library.measures):
        for k, trigger in enumerate(measure.triggers):
            criterion = criteria.get(trigger.criterion)
            valid = {o.id for o in criterion.options} | set(RESERVED_ANSWERS) if criterion else set()
            for answer in trigger.answers:
                if answer not in valid:
                    message = t(
                        "problem.measure_trigger", measure=measure.id, criterion=trigger.criterion, answer=answer
                    )
                    problems.append(Problem(file, message, path=f"measures[{m}].triggers[{k}]"))
    if problems:
        raise ValidationFailed(file, problems, "measures")


def load_obligations(path: Path | None = None) -> ObligationLibrary:
    """The obligations library (the shipped one by default); read once per process and file version."""
    path = path or obligations_path()
    return _load_obligations(path, *_version(path)).model_copy(deep=True)


@functools.lru_cache(maxsize=8)
def _load_obligations(path: Path, _mtime: int, _size: int) -> ObligationLibrary:
    text = read_text(path)
    data = load_yaml(text, str(path), "obligations")
    return validate_model(ObligationLibrary, data, text, str(path), "obligations")


# --------------------------------------------------------------------------- obligations


@dataclass(slots=True)
class ObligationResult:
    id: str
    status: str
    services: list[str]  # the services concerned; empty when the obligation concerns the whole collectivité
    uncertain: bool  # a threshold could not be checked (population unknown)


def data_may_leave_eu(service: Service, framework: LoadedFramework) -> bool:
    """Whether the service's data may be processed or reached from outside the EU/EEA."""
    if controller_of(service, framework).outside_eu:
        return True
    if service.hosted_by_country and service.hosted_by_country not in EU_EEA:
        return True
    rule = framework.model.indicators.data_outside_eu if framework.model.indicators else None
    given = service.answers.get(rule.criterion) if rule else None
    return bool(rule and given and given.answer in rule.in_)


def _service_matches(service: Service, wanted: ServiceFilter, framework: LoadedFramework) -> bool:
    if wanted.data_any is not None and not any(c in wanted.data_any for c in service.data_categories):
        return False
    if wanted.deployment is not None and service.deployment not in wanted.deployment:
        return False
    if wanted.criticality is not None and service.criticality not in wanted.criticality:
        return False
    return wanted.hosted_outside_eu is None or data_may_leave_eu(service, framework) == wanted.hosted_outside_eu


def assess_obligations(
    inventory: Inventory, library: ObligationLibrary, framework: LoadedFramework
) -> list[ObligationResult]:
    """The obligations that apply, with the services they concern."""
    applicable: list[ObligationResult] = []
    for obligation in library.obligations:
        result = _assess(obligation, inventory, framework)
        if result is not None:
            applicable.append(result)
    return applicable


def _assess(obligation: Obligation, inventory: Inventory, framework: LoadedFramework) -> ObligationResult | None:
    rule = obligation.applies_to
    profile = inventory.collectivite
    if rule.kinds is not None and profile.kind not in rule.kinds:
        return None
    if (
        rule.epci_kinds is not None
        and profile.kind == CollectiviteKind.epci
        and profile.epci_kind not in rule.epci_kinds
    ):
        return None
    uncertain = False
    if rule.population_min is not None or rule.population_max is not None:
        if profile.population is None:
            uncertain = True
        elif (rule.population_min is not None and profile.population < rule.population_min) or (
            rule.population_max is not None and profile.population > rule.population_max
        ):
            return None
    services: list[str] = []
    if rule.services is not None:
        services = [s.id for s in inventory.services if _service_matches(s, rule.services, framework)]
        if not services:
            return None
    return ObligationResult(obligation.id, obligation.status, services, uncertain)


# --------------------------------------------------------------------------- action plan


@dataclass(slots=True)
class ActionTarget:
    """One service an action concerns, why, and by when."""

    service: str
    triggers: list[str]  # "A4.1=best_effort"
    deadline: str | None  # ISO date
    deadline_basis: str  # "notice" | "contract_end" | "horizon" | "passed" | "unknown"
    risk_level: int
    gravity: int


@dataclass(slots=True)
class Action:
    """A measure of the library applied to the services whose answers call for it."""

    measure: str
    carried_by: str
    effort: str
    horizon: str
    services: list[ActionTarget]
    deadline: str | None  # the earliest of its services' deadlines
    risk_level: int  # the highest risk among its services
    gravity: int
    rank: int = 0


HORIZON_MONTHS = {"immediate": 3, "long": 24}


def _deadline(service: Service, horizon: str, day: dt.date) -> tuple[dt.date | None, str]:
    if horizon == "immediate":
        return add_months(day, HORIZON_MONTHS["immediate"]), "horizon"
    contract = service.contract
    end = contract.end if contract else None
    if end is None:
        return (add_months(day, HORIZON_MONTHS["long"]), "horizon") if horizon == "long" else (None, "unknown")
    decision = add_months(end, -(contract.notice_months or 0)) if contract else end
    if decision < day:
        # The window has passed (or the contract was renewed tacitly): act at once on the next one.
        return day, "passed"
    return decision, "notice" if contract and contract.notice_months else "contract_end"


def plan_actions(
    inventory: Inventory,
    results: list[ServiceResult],
    library: MeasureLibrary,
    framework: LoadedFramework,
    weights: dict[str, float],
    reference: dt.date | None = None,
) -> list[Action]:
    """One action per measure, with every service whose answers trigger it.

    Ranked by the highest risk among its services, then by the weight (in the profile used) of the
    axes whose answers trigger it, then by how many services carry that risk, then by urgency.
    """
    day = reference or inventory.diagnostic.date
    criteria = framework.criteria
    axis_of = {c.id: a.id for a in framework.model.axes for c in a.criteria}
    conditions = {m.id: [compile_condition(c) for c in m.applies_when] for m in library.measures}
    horizons = {m.id: m.horizon for m in library.measures}
    # criterion -> [(measure id, answers that trigger it)], so each service looks up only its own answers.
    triggers: dict[str, list[tuple[str, frozenset[str]]]] = {}
    for measure in library.measures:
        for trigger in measure.triggers:
            if trigger.criterion in criteria:
                triggers.setdefault(trigger.criterion, []).append((measure.id, frozenset(trigger.answers)))
    by_measure: dict[str, list[ActionTarget]] = {}
    for service, result in zip(inventory.services, results, strict=True):
        facts = facts_of(service)
        asked = {o.criterion for a in result.axes for o in a.outcomes if o.status not in (EXCLUDED, DECLARED_NA)}
        fired: dict[str, list[str]] = {}
        # Only answers given trigger a measure; questions not yet asked are listed apart.
        for criterion_id, answer in facts.answers.items():
            if criterion_id not in asked:
                continue
            for measure_id, answers in triggers.get(criterion_id, ()):
                if answer in answers:
                    fired.setdefault(measure_id, []).append(f"{criterion_id}={answer}")
        for measure_id, reasons in fired.items():
            if not all(holds(c, facts) for c in conditions[measure_id]):
                continue
            horizon = horizons[measure_id]
            deadline, basis = _deadline(service, horizon, day)
            risk = result.risk
            by_measure.setdefault(measure_id, []).append(
                ActionTarget(
                    service=service.id,
                    triggers=sorted(reasons),
                    deadline=deadline.isoformat() if deadline else None,
                    deadline_basis=basis,
                    risk_level=risk.level if risk else 0,
                    gravity=risk.gravity if risk else 0,
                )
            )
    actions: list[Action] = []
    for measure in library.measures:
        targets = by_measure.get(measure.id)
        if not targets:
            continue
        targets.sort(key=lambda x: (-x.risk_level, -x.gravity, x.deadline or "9999", x.service))
        deadlines = [x.deadline for x in targets if x.deadline]
        actions.append(
            Action(
                measure=measure.id,
                carried_by=measure.carried_by,
                effort=measure.effort,
                horizon=measure.horizon,
                services=targets,
                deadline=min(deadlines) if deadlines else None,
                risk_level=targets[0].risk_level,
                gravity=targets[0].gravity,
            )
        )

    def priority(action: Action) -> tuple[int, float, int, str, str]:
        at_top = sum(1 for x in action.services if x.risk_level == action.risk_level)
        axes = {axis_of[t.split("=", 1)[0]] for x in action.services for t in x.triggers}
        weight = max((weights.get(a, 0.0) for a in axes), default=0.0)
        return (-action.risk_level, -weight, -at_top, action.deadline or "9999", action.measure)

    actions.sort(key=priority)
    for rank, action in enumerate(actions, start=1):
        action.rank = rank
    return actions
