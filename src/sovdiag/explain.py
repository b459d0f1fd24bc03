"""Explanations: for one service, every number with the answers and rules that produced it.

The same structure feeds ``sovdiag score --explain`` and the report's service sheets, so that what
the terminal says and what the PDF says cannot drift apart. Texts are in the language asked.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from typing import Any

from sovdiag.catalog import Catalog, describe_alternative
from sovdiag.errors import SovdiagError
from sovdiag.framework import LoadedFramework
from sovdiag.messages import translate as t
from sovdiag.models import Inventory, MeasureLibrary, ObligationLibrary, RiskModel
from sovdiag.scoring import ANSWERED, Results, RiskRating, ServiceResult


@dataclass(slots=True)
class CriterionLine:
    id: str
    question: str
    status: str  # answered | unknown | unanswered | not_applicable | excluded
    answer: str  # the option's label, or what the status means
    comment: str | None
    evidence: str | None
    value: float | None
    cap: int | None
    binding: bool
    prudent_binding: bool
    origin: str = "inventory"  # "catalog": the answer comes from catalog facts
    facts: list[str] = field(default_factory=list)  # "value — source (checked date)[, à revérifier]"


@dataclass(slots=True)
class AxisExplanation:
    id: str
    name: str
    objective: str
    weight: float
    score: float | None
    prudent_score: float | None
    level: int | None
    prudent_level: int | None
    target: int | None
    target_rules: list[str]
    criteria: list[CriterionLine]


@dataclass(slots=True)
class ActionLine:
    rank: int
    measure: str
    title: str
    triggers: list[str]
    deadline: str | None
    deadline_basis: str


@dataclass(slots=True)
class Explanation:
    service: ServiceResult
    profile_id: str
    axes: list[AxisExplanation]
    level_code: str
    binding: str | None  # "A2.2 — question"
    target_rules: list[str]  # names of the matching target rules
    gravity: str | None  # "G4 Critique — reason"
    likelihood: str | None  # "V3 Très vraisemblable — exposure 67 % from A1.1, …"
    risk: str | None  # "R4 Critique"
    actions: list[ActionLine] = field(default_factory=list)
    obligations: list[str] = field(default_factory=list)
    catalog_entry: str | None = None  # "Microsoft 365 (Microsoft)" when matched
    alternatives: list[str] = field(default_factory=list)  # "name — reason (source, checked on)"


def describe_facts(catalog_answer: dict[str, Any], lang: str) -> list[str]:
    """The facts behind a catalog answer, each with its source and the date it was checked."""
    from sovdiag import formatting as fmt

    lines = []
    for fact in catalog_answer["facts"]:
        checked = fmt.long_date(dt.date.fromisoformat(fact["checked"]), lang)
        line = t("explain.fact", value=fact["value"], source=fact["source"] or "—", checked=checked)
        if fact.get("as_of"):  # results written before as_of existed have no such key
            line += " " + t("explain.fact_as_of", as_of=fmt.long_date(dt.date.fromisoformat(fact["as_of"]), lang))
        if fact["origin"] != "builtin":
            line += " " + t("explain.fact_local", origin=fact["origin"].removeprefix("local:"))
        if fact["stale"]:
            line += " " + t("explain.fact_stale")
        lines.append(line)
    return lines


def _catalog_entry(
    results: Results, catalog: Catalog | None, service_id: str, lang: str
) -> tuple[str | None, list[str]]:
    """The catalog entry the service was matched to, and the alternatives the catalog lists for it."""
    if catalog is None or results.catalog is None:
        return None, []
    match = next((m for m in results.catalog["matches"] if m["service"] == service_id), None)
    if match is None or match["supplier"] not in catalog.suppliers:
        return None, []
    supplier = catalog.suppliers[match["supplier"]]
    offer = catalog.offers[match["offer"]][1] if match["offer"] in catalog.offers else None
    entry = f"{offer.name} ({supplier.display_name})" if offer else supplier.display_name
    day = dt.date.fromisoformat(str(results.diagnostic["date"]))
    max_age = int(results.catalog.get("stale_after_days", catalog.index.stale_after_days))
    alternatives = [
        describe_alternative(alt, catalog, lang, day, max_age) for alt in (offer.alternatives if offer else [])
    ]
    return entry, alternatives


def find_service(results: Results, service_id: str) -> ServiceResult:
    for service in results.services:
        if service.id == service_id:
            return service
    ids = [s.id for s in results.services]
    close = difflib.get_close_matches(service_id, ids, n=3, cutoff=0.5)
    raise SovdiagError("error.unknown_service", service=service_id, choices=", ".join(close or ids[:5]))


def explain_service(
    results: Results,
    inventory: Inventory,
    framework: LoadedFramework,
    service_id: str,
    lang: str,
    measures: MeasureLibrary | None = None,
    obligations: ObligationLibrary | None = None,
    catalog: Catalog | None = None,
) -> Explanation:
    result = find_service(results, service_id)
    service = next(s for s in inventory.services if s.id == service_id)
    fw = framework.model
    levels = {lvl.value: lvl for lvl in fw.levels}
    targets = {x.axis: x for x in result.targets}
    from_catalog = {a["criterion"]: a for a in (results.catalog or {}).get("answers", {}).get(service_id, [])}
    axes: list[AxisExplanation] = []
    for axis_model, axis in zip(fw.axes, result.axes, strict=True):
        lines = []
        for criterion, outcome in zip(axis_model.criteria, axis.outcomes, strict=True):
            given = service.answers.get(criterion.id)
            option = next((o for o in criterion.options if o.id == outcome.answer), None)
            if outcome.status == ANSWERED and option is not None:
                answer = option.label.get(lang)
            else:
                answer = t(f"explain.status.{outcome.status}")
            catalog_answer = from_catalog.get(criterion.id) if outcome.origin == "catalog" else None
            lines.append(
                CriterionLine(
                    id=criterion.id,
                    question=criterion.question.get(lang),
                    status=outcome.status,
                    answer=answer,
                    comment=given.comment if given else None,
                    evidence=given.evidence if given else None,
                    value=outcome.value,
                    cap=option.cap if outcome.status == ANSWERED and option is not None else None,
                    binding=axis.binding == criterion.id,
                    prudent_binding=axis.prudent_binding == criterion.id,
                    origin=outcome.origin,
                    facts=describe_facts(catalog_answer, lang) if catalog_answer else [],
                )
            )
            if catalog_answer:
                lines[-1].comment = catalog_answer["explanation_en" if lang == "en" else "explanation_fr"]
        target = targets.get(axis.axis)
        axes.append(
            AxisExplanation(
                id=axis.axis,
                name=axis_model.name.get(lang),
                objective=axis_model.objective,
                weight=results.weights.get(axis.axis, 0.0),
                score=axis.score,
                prudent_score=axis.prudent_score,
                level=axis.level,
                prudent_level=axis.prudent_level,
                target=target.target if target else None,
                target_rules=target.rules if target else [],
                criteria=lines,
            )
        )
    binding = None
    if result.binding_criterion:
        binding = f"{result.binding_criterion} — {framework.criteria[result.binding_criterion].question.get(lang)}"
    rule_names = {r.id: r.name.get(lang) for r in fw.targets}
    gravity = likelihood = risk = None
    if result.risk is not None and fw.risk is not None:
        model = fw.risk
        g = next(x for x in model.gravity_levels if x.value == result.risk.gravity)
        gravity = f"{g.code} {g.name.get(lang)} — {gravity_reason(model, result.risk, lang)}"
        v = next(x for x in model.likelihood_levels if x.value == result.risk.likelihood)
        likelihood = t(
            "explain.likelihood",
            code=f"{v.code} {v.name.get(lang)}",
            exposure=round(100 * result.risk.exposure),
            criteria=", ".join(result.risk.exposure_criteria) or "—",
        )
        r = next(x for x in model.risk_levels if x.value == result.risk.level)
        risk = f"{r.code} {r.name.get(lang)}"
    titles = {m.id: m.title.get(lang) for m in measures.measures} if measures else {}
    actions = [
        ActionLine(a.rank, a.measure, titles.get(a.measure, a.measure), x.triggers, x.deadline, x.deadline_basis)
        for a in results.actions
        for x in a.services
        if x.service == service_id
    ]
    names = {o.id: o.title.get(lang) for o in obligations.obligations} if obligations else {}
    concerned = [names.get(o.id, o.id) for o in results.obligations if service_id in o.services]
    entry, alternatives = _catalog_entry(results, catalog, service_id, lang)
    return Explanation(
        catalog_entry=entry,
        alternatives=alternatives,
        service=result,
        profile_id=results.profile_id,
        axes=axes,
        level_code=levels[result.level].code if result.level is not None else t("table.no_level"),
        binding=binding,
        target_rules=[rule_names.get(r, r) for r in result.target_rules],
        gravity=gravity,
        likelihood=likelihood,
        risk=risk,
        actions=actions,
        obligations=concerned,
    )


def gravity_reason(model: RiskModel, risk: RiskRating, lang: str) -> str:
    """Why a service has its gravity: the reason of the framework's rule that gave it."""
    reason = risk.gravity_reason  # "risk.gravity_rules[i]", or empty when no rule matched
    if "[" not in reason:
        return ""
    return model.gravity_rules[int(reason.split("[")[1].rstrip("]"))].reason.get(lang)
