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
import gc
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from sovdiag import __version__
from sovdiag.framework import LoadedFramework
from sovdiag.models import NOT_APPLICABLE, UNKNOWN, Condition, Criterion, Inventory, Service, TargetRule

if TYPE_CHECKING:
    from sovdiag.plan import Action, ObligationResult
    from sovdiag.portfolio import Concentration, Indicators, SupplierResult

RESULTS_FORMAT = "sovdiag-results"  # the marker that tells a results file from any other JSON
RESULTS_FORMAT_VERSION = 2  # see sovdiag.results for what changed and how older files are read

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
    origin: str = "inventory"  # "catalog" when a catalog fact gave the answer


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
class AnswerNote:
    """What the user wrote beside an answer (free text: removed by ``sovdiag anonymize``)."""

    comment: str | None = None
    evidence: str | None = None


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
    # What the inventory says of the service beyond its answers: for comparisons over time.
    data_categories: list[str] = field(default_factory=list)
    hosted_by: str | None = None
    annual_cost: float | None = None
    contract_end: dt.date | None = None
    contract_reference: str | None = None
    notes: str | None = None
    notes_on_answers: dict[str, AnswerNote] = field(default_factory=dict)
    confidential: bool = False

    @property
    def coverage(self) -> float | None:
        return self.answered / self.applicable if self.applicable else None


@dataclass(slots=True)
class CriterionInfo:
    """A criterion as the results file records it: enough to tell whether two diagnostics made with
    different framework versions can be compared on it (same fingerprint) and to recompute scores
    over the criteria they share."""

    axis: str
    weight: float
    fingerprint: str
    worst_value: float
    worst_cap: int


@dataclass(slots=True)
class AxisSummary:
    """One axis over all the services: mean scores and the distribution of levels."""

    axis: str
    services: int  # services with at least one criterion that applies on this axis
    mean_score: float | None
    mean_prudent_score: float | None
    levels: dict[str, int]
    prudent_levels: dict[str, int]


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
    format: str = RESULTS_FORMAT
    format_version: int = RESULTS_FORMAT_VERSION
    sovdiag_version: str = __version__
    axis_ids: list[str] = field(default_factory=list)
    axes: list[AxisSummary] = field(default_factory=list)
    criteria: dict[str, CriterionInfo] = field(default_factory=dict)
    framework_parts: dict[str, str] = field(default_factory=dict)  # fingerprints: targets, risk, indicators
    # Portfolio and plan, filled by sovdiag.pipeline.diagnose.
    suppliers: list[SupplierResult] = field(default_factory=list)
    concentration: Concentration | None = None
    indicators: Indicators | None = None
    obligations: list[ObligationResult] = field(default_factory=list)
    obligations_version: str | None = None
    actions: list[Action] = field(default_factory=list)
    measures_version: str | None = None
    catalog: dict[str, Any] | None = None  # what the catalog contributed (pipeline.diagnose)
    anonymized: dict[str, Any] | None = None  # what sovdiag anonymize removed, when it did

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
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


# --------------------------------------------------------------------------- compiled framework


class Facts(NamedTuple):
    """What conditions test, taken from a service once (plain strings and sets: fast to test)."""

    deployment: str
    data: frozenset[str]
    criticality: str
    answers: dict[str, str]


def facts_of(service: Service) -> Facts:
    # The vocabularies are StrEnums: their members are the strings themselves.
    return Facts(
        service.deployment,
        frozenset(service.data_categories),
        service.criticality,
        {k: a.answer for k, a in service.answers.items()},
    )


class CompiledCondition(NamedTuple):
    deployment: frozenset[str] | None
    data_any: frozenset[str] | None
    criticality: frozenset[str] | None
    answer: tuple[str, frozenset[str]] | None


def compile_condition(cond: Condition) -> CompiledCondition:
    return CompiledCondition(
        frozenset(d.value for d in cond.deployment) if cond.deployment is not None else None,
        frozenset(d.value for d in cond.data_any) if cond.data_any is not None else None,
        frozenset(c.value for c in cond.criticality) if cond.criticality is not None else None,
        (cond.answer.criterion, frozenset(cond.answer.in_)) if cond.answer is not None else None,
    )


def holds(cond: CompiledCondition, facts: Facts) -> bool:
    if cond.deployment is not None and facts.deployment not in cond.deployment:
        return False
    if cond.data_any is not None and cond.data_any.isdisjoint(facts.data):
        return False
    if cond.criticality is not None and facts.criticality not in cond.criticality:
        return False
    if cond.answer is not None:
        # An unanswered gate counts as "unknown": list "unknown" in the condition to ask anyway.
        criterion, wanted = cond.answer
        if facts.answers.get(criterion, UNKNOWN) not in wanted:
            return False
    return True


@dataclass(frozen=True, slots=True)
class _CompiledCriterion:
    id: str
    weight: float
    options: dict[str, tuple[float, int]]
    worst: tuple[float, int]
    conditions: tuple[CompiledCondition, ...]
    answer_gated: bool


def _compile(framework: LoadedFramework) -> list[tuple[str, list[_CompiledCriterion]]]:
    top = framework.max_level
    compiled = []
    for axis in framework.model.axes:
        crits = []
        for crit in axis.criteria:
            options = {o.id: (o.value, top if o.cap is None else o.cap) for o in crit.options}
            conditions = tuple(compile_condition(c) for c in crit.applies_when)
            gated = any(c.answer is not None for c in conditions)
            crits.append(_CompiledCriterion(crit.id, crit.weight, options, _worst(crit, top), conditions, gated))
        compiled.append((axis.id, crits))
    return compiled


def _worst(crit: Criterion, top: int) -> tuple[float, int]:
    first = crit.options[0]  # options are ordered worst first (checked when loading)
    return first.value, top if first.cap is None else first.cap


# --------------------------------------------------------------------------- scoring


@contextmanager
def allocation_phase() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small objects.

    Scoring creates hundreds of thousands of result objects and no reference cycles; each automatic
    collection would rescan every object already alive (the whole inventory), which measured at
    60 % of the scoring time for 10,000 services. Reference counting still frees everything.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def score_inventory(inventory: Inventory, framework: LoadedFramework, profile_id: str | None = None) -> Results:
    with allocation_phase():
        return _score_inventory(inventory, framework, profile_id)


def _score_inventory(inventory: Inventory, framework: LoadedFramework, profile_id: str | None) -> Results:
    profile, weights = framework.profile(profile_id)
    compiled = _compile(framework)
    cache: dict[tuple[str, frozenset[str], str], frozenset[str]] = {}
    services = [_score_service(s, compiled, weights, cache) for s in inventory.services]
    targets = [(rule, compile_condition(rule.when)) for rule in framework.model.targets]
    gravity = (
        [(i, rule.level, compile_condition(rule.when)) for i, rule in enumerate(framework.model.risk.gravity_rules)]
        if framework.model.risk
        else []
    )
    for service, result in zip(inventory.services, services, strict=True):
        facts = facts_of(service)
        _apply_targets(result, facts, targets)
        result.risk = _rate_risk(result, facts, gravity, framework)
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
        axes=summarise_axes(services, [axis_id for axis_id, _ in compiled]),
        criteria={
            cid: CriterionInfo(
                str(info["axis"]),
                float(info["weight"]),  # type: ignore[arg-type]
                str(info["fingerprint"]),
                *_worst(framework.criteria[cid], framework.max_level),
            )
            for cid, info in framework.fingerprints.items()
        },
        framework_parts=dict(framework.part_fingerprints),
    )


def _score_service(
    service: Service,
    compiled: list[tuple[str, list[_CompiledCriterion]]],
    weights: dict[str, float],
    static_cache: dict[tuple[str, frozenset[str], str], frozenset[str]],
) -> ServiceResult:
    facts = facts_of(service)
    key = (facts.deployment, facts.data, facts.criticality)
    excluded = static_cache.get(key)
    if excluded is None:
        # Conditions on deployment, data and criticality give the same answer for every service with
        # the same profile: evaluate them once per profile, not once per service.
        excluded = frozenset(
            crit.id
            for _, crits in compiled
            for crit in crits
            if any(not holds(c._replace(answer=None), facts) for c in crit.conditions)
        )
        static_cache[key] = excluded
    axes = [_score_axis(axis_id, crits, facts, excluded) for axis_id, crits in compiled]
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
        data_categories=sorted(facts.data),
        hosted_by=service.hosted_by,
        annual_cost=service.contract.annual_cost if service.contract else None,
        contract_end=service.contract.end if service.contract else None,
        contract_reference=service.contract.reference if service.contract else None,
        notes=service.notes,
        notes_on_answers={
            k: AnswerNote(a.comment, a.evidence) for k, a in service.answers.items() if a.comment or a.evidence
        },
        confidential=service.confidential,
    )


def _score_axis(axis_id: str, crits: list[_CompiledCriterion], facts: Facts, excluded: frozenset[str]) -> AxisResult:
    answers = facts.answers
    outcomes: list[CriterionOutcome] = []
    append = outcomes.append
    points = weight_sum = p_points = p_weight_sum = 0.0
    level: int | None = None
    p_level: int | None = None
    binding = p_binding = None
    applicable = answered = unknown = 0
    for crit in crits:
        cid = crit.id
        given = answers.get(cid)
        if cid in excluded or (crit.answer_gated and not _gates_open(crit, answers)):
            append(CriterionOutcome(cid, EXCLUDED, given, None, None))
            continue
        if given == NOT_APPLICABLE:
            append(CriterionOutcome(cid, DECLARED_NA, NOT_APPLICABLE, None, None))
            continue
        applicable += 1
        weight = crit.weight
        option = crit.options.get(given) if given is not None else None
        if option is None:
            unknown += 1
            append(CriterionOutcome(cid, UNKNOWN_STATUS if given is not None else UNANSWERED, given, None, None))
            value, cap = crit.worst
        else:
            answered += 1
            value, cap = option
            append(CriterionOutcome(cid, ANSWERED, given, value, cap))
            points += value * weight
            weight_sum += weight
            if level is None or cap < level:
                level, binding = cap, cid
        p_points += value * weight
        p_weight_sum += weight
        if p_level is None or cap < p_level:
            p_level, p_binding = cap, cid
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


def _gates_open(crit: _CompiledCriterion, answers: dict[str, str]) -> bool:
    """The answer part of the criterion's conditions (its static part is cached per profile)."""
    for condition in crit.conditions:
        if condition.answer is not None:
            criterion, wanted = condition.answer
            if answers.get(criterion, UNKNOWN) not in wanted:
                return False
    return True


def _apply_targets(result: ServiceResult, facts: Facts, targets: list[tuple[TargetRule, CompiledCondition]]) -> None:
    """The highest target each axis is asked for by the rules the service matches, and the gaps."""
    wanted: dict[str, tuple[int, list[str]]] = {}
    for rule, condition in targets:
        if not holds(condition, facts):
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


def _rate_risk(
    result: ServiceResult, facts: Facts, rules: list[tuple[int, int, CompiledCondition]], framework: LoadedFramework
) -> RiskRating | None:
    """EBIOS RM rating: gravity from the first matching rule, likelihood from prudent exposure."""
    model = framework.model.risk
    if model is None:
        return None
    gravity, reason = 1, ""
    for i, level, condition in rules:
        if holds(condition, facts):
            gravity, reason = level, f"risk.gravity_rules[{i}]"
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


def summarise_axes(services: list[ServiceResult], axis_ids: list[str]) -> list[AxisSummary]:
    """Per axis over the services: mean declared and prudent scores, levels (a service counts on an
    axis when at least one criterion of the axis applies to it)."""
    out = []
    for i, axis_id in enumerate(axis_ids):
        rows = [s.axes[i] for s in services if len(s.axes) > i and s.axes[i].applicable]
        scores = [a.score for a in rows if a.score is not None]
        prudent = [a.prudent_score for a in rows if a.prudent_score is not None]
        out.append(
            AxisSummary(
                axis=axis_id,
                services=len(rows),
                mean_score=sum(scores) / len(scores) if scores else None,
                mean_prudent_score=sum(prudent) / len(prudent) if prudent else None,
                levels=_count_levels(a.level for a in rows),
                prudent_levels=_count_levels(a.prudent_level for a in rows),
            )
        )
    return out


def _count_levels(levels: Iterable[int | None]) -> dict[str, int]:
    counts = Counter("none" if level is None else str(level) for level in levels)
    return dict(sorted(counts.items()))


def _summarise(services: list[ServiceResult]) -> Summary:
    scores = [s.score for s in services if s.score is not None]
    prudent = [s.prudent_score for s in services if s.prudent_score is not None]
    return Summary(
        services=len(services),
        mean_score=sum(scores) / len(scores) if scores else None,
        mean_prudent_score=sum(prudent) / len(prudent) if prudent else None,
        applicable=sum(s.applicable for s in services),
        answered=sum(s.answered for s in services),
        unknown=sum(s.unknown for s in services),
        levels=_count_levels(s.level for s in services),
        prudent_levels=_count_levels(s.prudent_level for s in services),
    )
