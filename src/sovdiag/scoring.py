"""The scoring engine: (framework, inventory, weight profile) -> results, every number explained.

Pure functions, no I/O. The method follows the European Commission's Cloud Sovereignty Framework
(two separate readings of one answer sheet):

- a **score** per axis: the weighted mean of the values (0 to 1) of the answered options, over the
  criteria that apply to the service, shown on 0–100; the service's score is the weighted mean of
  its axis scores with the weights of the chosen profile;
- a **level** per axis: the lowest level cap among its answers ("weakest link"), and the service's
  level: the lowest axis level, with the criterion that binds it.

Each is given in two views: *declared* (unknown answers left out) and *prudent* (unknown or missing
answers counted as the worst option). A criterion whose conditions do not hold for the service, or
answered "not applicable", never counts.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from sovdiag import __version__
from sovdiag.framework import LoadedFramework
from sovdiag.models import NOT_APPLICABLE, UNKNOWN, Condition, Criterion, Inventory, Service

if TYPE_CHECKING:
    from sovdiag.plan import Action, ObligationResult
    from sovdiag.portfolio import Concentration, Indicators, SupplierResult

RESULTS_FORMAT_VERSION = 1

# Status of one criterion for one service.
ANSWERED = "answered"
UNKNOWN_STATUS = "unknown"  # answered "je ne sais pas"
UNANSWERED = "unanswered"  # applies but no answer yet
DECLARED_NA = "not_applicable"  # the user said it does not apply
EXCLUDED = "excluded"  # the framework's conditions say it does not apply


@dataclass(slots=True)
class CriterionOutcome:
    criterion: str
    status: str
    answer: str | None
    value: float | None
    cap: int | None


@dataclass(slots=True)
class AxisResult:
    axis: str
    score: float | None
    prudent_score: float | None
    level: int | None
    prudent_level: int | None
    binding: str | None
    prudent_binding: str | None
    applicable: int
    answered: int
    unknown: int
    outcomes: list[CriterionOutcome]


@dataclass(slots=True)
class AxisTarget:
    """The level an axis should reach, the rules that ask for it, and the gap to it."""

    axis: str
    target: int
    rules: list[str]
    level: int | None
    prudent_level: int | None
    gap: int | None  # target - declared level; None when the axis has no answer yet
    prudent_gap: int


@dataclass(slots=True)
class RiskRating:
    """EBIOS RM gravity × likelihood, with what produced each."""

    gravity: int
    gravity_reason: str  # id of the rule: "risk.gravity_rules[i]"
    exposure: float  # 0 (none) to 1 (fully exposed), prudent view
    exposure_criteria: list[str]
    likelihood: int
    level: int


@dataclass(slots=True)
class ServiceResult:
    id: str
    name: str
    domain: str
    supplier: str
    product: str | None
    deployment: str
    criticality: str
    score: float | None
    prudent_score: float | None
    level: int | None
    prudent_level: int | None
    binding_axis: str | None
    binding_criterion: str | None
    prudent_binding_axis: str | None
    prudent_binding_criterion: str | None
    applicable: int
    answered: int
    unknown: int
    axes: list[AxisResult]
    targets: list[AxisTarget] = field(default_factory=list)
    target_level: int | None = None
    target_rules: list[str] = field(default_factory=list)
    below_target: bool = False
    prudent_below_target: bool = False
    risk: RiskRating | None = None

    @property
    def coverage(self) -> float | None:
        return self.answered / self.applicable if self.applicable else None


@dataclass(slots=True)
class Summary:
    services: int
    mean_score: float | None
    mean_prudent_score: float | None
    applicable: int
    answered: int
    unknown: int
    levels: dict[str, int]
    prudent_levels: dict[str, int]

    @property
    def coverage(self) -> float | None:
        return self.answered / self.applicable if self.applicable else None


@dataclass(slots=True)
class Results:
    framework_id: str
    framework_version: str
    framework_sha256: str
    profile_id: str
    weights: dict[str, float]
    collectivite: dict[str, Any]
    diagnostic: dict[str, Any]
    services: list[ServiceResult]
    summary: Summary
    format_version: int = RESULTS_FORMAT_VERSION
    sovdiag_version: str = __version__
    axis_ids: list[str] = field(default_factory=list)
    # Portfolio and plan, filled by sovdiag.pipeline.diagnose.
    suppliers: list[SupplierResult] = field(default_factory=list)
    concentration: Concentration | None = None
    indicators: Indicators | None = None
    obligations: list[ObligationResult] = field(default_factory=list)
    obligations_version: str | None = None
    actions: list[Action] = field(default_factory=list)
    measures_version: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (dates as ISO strings), with coverage figures included."""
        data = asdict(self)
        for service, result in zip(data["services"], self.services, strict=True):
            service["coverage"] = result.coverage
        data["summary"]["coverage"] = self.summary.coverage
        jsonable: dict[str, Any] = _jsonable(data)
        return jsonable


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


# --------------------------------------------------------------------------- compiled framework


@dataclass(frozen=True, slots=True)
class _CompiledCriterion:
    id: str
    weight: float
    options: dict[str, tuple[float, int]]
    worst: tuple[float, int]
    conditions: tuple[Condition, ...]


def _compile(framework: LoadedFramework) -> list[tuple[str, list[_CompiledCriterion]]]:
    top = framework.max_level
    compiled = []
    for axis in framework.model.axes:
        crits = []
        for crit in axis.criteria:
            options = {o.id: (o.value, top if o.cap is None else o.cap) for o in crit.options}
            crits.append(_CompiledCriterion(crit.id, crit.weight, options, _worst(crit, top), tuple(crit.applies_when)))
        compiled.append((axis.id, crits))
    return compiled


def _worst(crit: Criterion, top: int) -> tuple[float, int]:
    first = crit.options[0]  # options are ordered worst first (checked when loading)
    return first.value, top if first.cap is None else first.cap


def condition_holds(cond: Condition, service: Service) -> bool:
    if cond.deployment is not None and service.deployment not in cond.deployment:
        return False
    if cond.data_any is not None and not any(c in cond.data_any for c in service.data_categories):
        return False
    if cond.criticality is not None and service.criticality not in cond.criticality:
        return False
    if cond.answer is not None:
        given = service.answers.get(cond.answer.criterion)
        # An unanswered gate counts as "unknown": list "unknown" in the condition to ask anyway.
        if (given.answer if given else UNKNOWN) not in cond.answer.in_:
            return False
    return True


# --------------------------------------------------------------------------- scoring


def score_inventory(inventory: Inventory, framework: LoadedFramework, profile_id: str | None = None) -> Results:
    profile, weights = framework.profile(profile_id)
    compiled = _compile(framework)
    services = [_score_service(s, compiled, weights) for s in inventory.services]
    for service, result in zip(inventory.services, services, strict=True):
        _apply_targets(result, service, framework)
        result.risk = _rate_risk(result, service, framework)
    return Results(
        framework_id=framework.model.id,
        framework_version=framework.model.version,
        framework_sha256=framework.sha256,
        profile_id=profile,
        weights=weights,
        collectivite=inventory.collectivite.model_dump(mode="json"),
        diagnostic=inventory.diagnostic.model_dump(mode="json"),
        services=services,
        summary=_summarise(services),
        axis_ids=[axis_id for axis_id, _ in compiled],
    )


def _score_service(
    service: Service, compiled: list[tuple[str, list[_CompiledCriterion]]], weights: dict[str, float]
) -> ServiceResult:
    axes = [_score_axis(axis_id, crits, service) for axis_id, crits in compiled]
    score = _weighted((a.score, weights[a.axis]) for a in axes)
    prudent = _weighted((a.prudent_score, weights[a.axis]) for a in axes)
    level, binding_axis, binding_criterion = _weakest((a.level, a.axis, a.binding) for a in axes)
    p_level, p_axis, p_criterion = _weakest((a.prudent_level, a.axis, a.prudent_binding) for a in axes)
    return ServiceResult(
        id=service.id,
        name=service.name,
        domain=service.domain,
        supplier=service.supplier,
        product=service.product,
        deployment=service.deployment.value,
        criticality=service.criticality.value,
        score=score,
        prudent_score=prudent,
        level=level,
        prudent_level=p_level,
        binding_axis=binding_axis,
        binding_criterion=binding_criterion,
        prudent_binding_axis=p_axis,
        prudent_binding_criterion=p_criterion,
        applicable=sum(a.applicable for a in axes),
        answered=sum(a.answered for a in axes),
        unknown=sum(a.unknown for a in axes),
        axes=axes,
    )


def _score_axis(axis_id: str, crits: list[_CompiledCriterion], service: Service) -> AxisResult:
    answers = service.answers
    outcomes: list[CriterionOutcome] = []
    points = weight_sum = p_points = p_weight_sum = 0.0
    level: int | None = None
    p_level: int | None = None
    binding = p_binding = None
    applicable = answered = unknown = 0
    for crit in crits:
        given = answers.get(crit.id)
        if not all(condition_holds(c, service) for c in crit.conditions):
            outcomes.append(CriterionOutcome(crit.id, EXCLUDED, given.answer if given else None, None, None))
            continue
        if given is not None and given.answer == NOT_APPLICABLE:
            outcomes.append(CriterionOutcome(crit.id, DECLARED_NA, NOT_APPLICABLE, None, None))
            continue
        applicable += 1
        option = crit.options.get(given.answer) if given is not None else None
        if option is None:
            unknown += 1
            status = UNKNOWN_STATUS if given is not None else UNANSWERED
            outcomes.append(CriterionOutcome(crit.id, status, given.answer if given else None, None, None))
            value, cap = crit.worst
        else:
            answered += 1
            value, cap = option
            outcomes.append(CriterionOutcome(crit.id, ANSWERED, given.answer if given else None, value, cap))
            points += value * crit.weight
            weight_sum += crit.weight
            if level is None or cap < level:
                level, binding = cap, crit.id
        p_points += value * crit.weight
        p_weight_sum += crit.weight
        if p_level is None or cap < p_level:
            p_level, p_binding = cap, crit.id
    return AxisResult(
        axis=axis_id,
        score=100.0 * points / weight_sum if weight_sum else None,
        prudent_score=100.0 * p_points / p_weight_sum if p_weight_sum else None,
        level=level,
        prudent_level=p_level,
        binding=binding,
        prudent_binding=p_binding,
        applicable=applicable,
        answered=answered,
        unknown=unknown,
        outcomes=outcomes,
    )


def _apply_targets(result: ServiceResult, service: Service, framework: LoadedFramework) -> None:
    """The highest target each axis is asked for by the rules the service matches, and the gaps."""
    wanted: dict[str, tuple[int, list[str]]] = {}
    for rule in framework.model.targets:
        if not condition_holds(rule.when, service):
            continue
        result.target_rules.append(rule.id)
        for axis in rule.axes:
            level, rules = wanted.get(axis, (-1, []))
            if rule.level > level:
                wanted[axis] = (rule.level, [rule.id])
            elif rule.level == level:
                rules.append(rule.id)
    for axis_result in result.axes:
        if axis_result.axis not in wanted or axis_result.applicable == 0:
            continue
        target, rules = wanted[axis_result.axis]
        gap = None if axis_result.level is None else max(0, target - axis_result.level)
        prudent = axis_result.prudent_level if axis_result.prudent_level is not None else 0
        result.targets.append(
            AxisTarget(
                axis_result.axis,
                target,
                rules,
                axis_result.level,
                axis_result.prudent_level,
                gap,
                max(0, target - prudent),
            )
        )
    if result.targets:
        result.target_level = max(t.target for t in result.targets)
        result.below_target = any(t.gap for t in result.targets)
        result.prudent_below_target = any(t.prudent_gap for t in result.targets)


def _rate_risk(result: ServiceResult, service: Service, framework: LoadedFramework) -> RiskRating | None:
    """EBIOS RM rating: gravity from the first matching rule, likelihood from prudent exposure."""
    model = framework.model.risk
    if model is None:
        return None
    gravity, reason = 1, ""
    for i, rule in enumerate(model.gravity_rules):
        if condition_holds(rule.when, service):
            gravity, reason = rule.level, f"risk.gravity_rules[{i}]"
            break
    outcomes = {o.criterion: o for a in result.axes for o in a.outcomes}
    values: list[float] = []
    used: list[str] = []
    for criterion_id in model.likelihood_criteria:
        outcome = outcomes.get(criterion_id)
        if outcome is None or outcome.status in (EXCLUDED, DECLARED_NA):
            continue
        used.append(criterion_id)
        values.append(outcome.value if outcome.value is not None else framework.worst_value(criterion_id))
    exposure = 1.0 - sum(values) / len(values) if values else 1.0
    likelihood = 1 + sum(exposure >= threshold for threshold in model.likelihood_thresholds)
    return RiskRating(gravity, reason, exposure, used, likelihood, model.matrix[gravity - 1][likelihood - 1])


def _weighted(pairs: Iterable[tuple[float | None, float]]) -> float | None:
    total = weight_sum = 0.0
    for value, weight in pairs:
        if value is not None and weight > 0:
            total += value * weight
            weight_sum += weight
    return total / weight_sum if weight_sum else None


def _weakest(items: Iterable[tuple[int | None, str, str | None]]) -> tuple[int | None, str | None, str | None]:
    best: tuple[int | None, str | None, str | None] = (None, None, None)
    for level, axis, criterion in items:
        if level is not None and (best[0] is None or level < best[0]):
            best = (level, axis, criterion)
    return best


def _summarise(services: list[ServiceResult]) -> Summary:
    scores = [s.score for s in services if s.score is not None]
    prudent = [s.prudent_score for s in services if s.prudent_score is not None]
    levels = Counter("none" if s.level is None else str(s.level) for s in services)
    p_levels = Counter("none" if s.prudent_level is None else str(s.prudent_level) for s in services)
    return Summary(
        services=len(services),
        mean_score=sum(scores) / len(scores) if scores else None,
        mean_prudent_score=sum(prudent) / len(prudent) if prudent else None,
        applicable=sum(s.applicable for s in services),
        answered=sum(s.answered for s in services),
        unknown=sum(s.unknown for s in services),
        levels=dict(sorted(levels.items())),
        prudent_levels=dict(sorted(p_levels.items())),
    )
