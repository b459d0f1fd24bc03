"""Turn results into the plain data the templates print: sorted, formatted, translated.

Templates loop and branch; they never compute a score. Everything here is deterministic for the
same inputs and the same report date, so the same diagnostic gives byte-identical HTML.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sovdiag import __version__
from sovdiag import formatting as fmt
from sovdiag.messages import get_language, set_language
from sovdiag.messages import translate as t
from sovdiag.models import Inventory, MeasureLibrary, ObligationLibrary, Reference
from sovdiag.pipeline import OpenDiagnostic
from sovdiag.scoring import Results, ServiceResult

COMPACT_ABOVE = 100


def build_context(
    results: Results,
    diag: OpenDiagnostic,
    *,
    lang: str,
    report_date: dt.date,
    measures: MeasureLibrary | None = None,
    obligations: ObligationLibrary | None = None,
    audience: str = "complet",
    organisation: str | None = None,
    logo: str | None = None,
    progress: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything the report's templates print; ``progress`` is the comparison view with a previous
    diagnostic (``report.comparison``), if any."""
    from sovdiag.report import sections

    previous = get_language()
    set_language(lang)
    try:
        context = _build(results, diag, lang, report_date)
        context.update(_plan(results, diag, lang, measures, obligations))
        full = audience == "complet"
        # Beyond 100 services, table rows lose their second line: layout time follows the boxes.
        compact = len(results.services) > COMPACT_ABOVE
        sheets = sections.service_sheets(results, diag, lang, measures, obligations, diag.catalog) if full else []
        context.update(
            {
                "audience": audience,
                "progress": progress,
                "compact": compact,
                # Split points for a chunked PDF layout (sovdiag.report.chunks); set by build_report.
                "chunked": False,
                "logo": logo,
                "author_organisation": organisation or diag.inventory.diagnostic.organisation or "",
                "main_risks": sections.main_risks(results, diag, lang),
                "decisions": sections.decisions(results, diag, measures, lang),
                "radar": sections.radar(results, diag, lang),
                "domain_map": sections.domain_map(results, diag, lang, compact) if full else [],
                "unknowns": sections.unknowns(results, diag, lang) if full else [],
                "sheets": sheets,
                "sheets_left": len(results.services) - len(sheets) if full else 0,
                "annex": sections.inventory_annex(diag, lang, compact) if full else [],
            }
        )
        return context
    finally:
        set_language(previous)


def _plan(
    results: Results,
    diag: OpenDiagnostic,
    lang: str,
    measures: MeasureLibrary | None,
    obligations: ObligationLibrary | None,
) -> dict[str, Any]:
    """Indicators, risk matrix, suppliers, obligations and the action plan, ready to print."""
    framework = diag.framework.model
    names = {s.id: s.name for s in diag.inventory.services}
    ind = results.indicators
    indicators: dict[str, Any] = {}
    if ind is not None:
        windows = {w.months: w for w in ind.contract_windows}
        indicators = {
            "spend_share_outside_eu": fmt.percent(ind.spend_share_outside_eu, lang),
            "spend_outside_eu": fmt.money(ind.spend_outside_eu, lang),
            "annual_cost": fmt.money(ind.annual_cost, lang),
            "has_cost": ind.annual_cost > 0,
            "services_outside_eu": ind.services_outside_eu,
            "services_unknown": ind.services_controller_unknown,
            "services": ind.services,
            "critical": ind.critical_services,
            "critical_outside_eu": ind.critical_outside_eu,
            "critical_spend_share_outside_eu": fmt.percent(ind.critical_spend_share_outside_eu, lang),
            "below_target": ind.below_target,
            "prudent_below_target": ind.prudent_below_target,
            "with_target": ind.with_target,
            "no_exit": [names[x] for x in ind.critical_without_alternative_or_exit],
            "windows": [
                {"months": m, "count": len(windows[m].services), "cost": fmt.money(windows[m].annual_cost, lang)}
                for m in sorted(windows)
            ],
            "expired": [names[x] for x in ind.contracts_expired],
            "reference_date": fmt.iso_date(ind.reference_date, lang, ""),
        }
    matrix: list[dict[str, Any]] = []
    risk_model = framework.risk
    if risk_model is not None:
        counts: dict[tuple[int, int], list[str]] = {}
        for s in results.services:
            if s.risk is not None:
                counts.setdefault((s.risk.gravity, s.risk.likelihood), []).append(s.name)
        risk_names = {r.value: r.name.get(lang) for r in risk_model.risk_levels}
        for g in sorted(risk_model.gravity_levels, key=lambda x: -x.value):
            matrix.append(
                {
                    "code": g.code,
                    "name": g.name.get(lang),
                    "cells": [
                        {
                            "count": len(counts.get((g.value, v.value), [])),
                            "level": risk_model.matrix[g.value - 1][v.value - 1],
                            "level_name": risk_names[risk_model.matrix[g.value - 1][v.value - 1]],
                        }
                        for v in risk_model.likelihood_levels
                    ],
                }
            )
    likelihood = (
        [{"code": v.code, "name": v.name.get(lang)} for v in risk_model.likelihood_levels] if risk_model else []
    )
    concentration = results.concentration
    suppliers = [
        {
            "name": x.name,
            "country": x.country or "—",
            "outside_eu": x.outside_eu,
            "services": len(x.services),
            "hosted": len(x.hosted_services),
            "critical": x.critical_services,
            "cost": fmt.money(x.annual_cost, lang),
            "share": fmt.percent(x.spend_share, lang),
            "threat": fmt.number(x.threat, lang, 1),
            "zone": x.zone,
            "factors": f"{x.dependency}×{x.penetration} / ({x.maturity}×{x.trust})",
        }
        for x in results.suppliers[:15]
    ]
    countries = [
        {
            "country": c.country if c.country != "??" else t("report.country_unknown"),
            "services": c.services,
            "critical": c.critical_services,
            "cost": fmt.money(c.annual_cost, lang),
            "share": fmt.percent(c.spend_share, lang),
        }
        for c in (concentration.countries if concentration else [])
    ]
    texts = {o.id: o for o in obligations.obligations} if obligations else {}
    sources = {x.id: x for x in obligations.sources} if obligations else {}

    def cite(ref: Reference) -> str:
        src = sources.get(ref.source)
        if src is None:
            return ref.note or ref.source
        where = src.url or src.document or ""
        return " ".join(x for x in (src.title, ref.ref or "", f"<{where}>" if where else "") if x)

    obligation_rows = [
        {
            "title": texts[o.id].title.get(lang) if o.id in texts else o.id,
            "summary": texts[o.id].summary.get(lang) if o.id in texts else "",
            "status": t(f"status.{o.status}"),
            "status_id": o.status,
            "services": [names[x] for x in o.services],
            "uncertain": o.uncertain,
            "sources": [cite(r) for r in texts[o.id].references] if o.id in texts else [],
        }
        for o in results.obligations
    ]
    library = {m.id: m for m in measures.measures} if measures else {}
    actions = []
    for a in results.actions:
        m = library.get(a.measure)
        actions.append(
            {
                "rank": a.rank,
                "title": m.title.get(lang) if m else a.measure,
                "why": m.why.get(lang) if m else "",
                "how": m.how.get(lang) if m else "",
                "cost": m.cost.get(lang) if m and m.cost else "",
                "clause": m.clause.get(lang) if m and m.clause else "",
                "carried_by": t(f"carried.{a.carried_by}"),
                "effort": t(f"effort.{a.effort}"),
                "horizon": t(f"horizon.{a.horizon}"),
                "deadline": fmt.iso_date(a.deadline, lang, t("actions.no_deadline")),
                "risk": a.risk_level,
                "services": [names[x.service] for x in a.services],
            }
        )
    catalog_view: dict[str, Any] = {}
    if results.catalog is not None:
        from sovdiag.explain import describe_facts
        from sovdiag.report import sections

        cat = results.catalog
        labels = {(c.id, o.id): o.label.get(lang) for c in diag.framework.criteria.values() for o in c.options}
        # Services the same facts answered the same way share one row: with hundreds of services of
        # a few offers, the table stays as long as the list of offers.
        grouped: dict[tuple[Any, ...], dict[str, Any]] = {}
        for service_id, answers in cat["answers"].items():
            for answer in answers:
                facts = describe_facts(answer, lang)
                why = answer["explanation_en" if lang == "en" else "explanation_fr"]
                key = (answer["criterion"], answer["answer"], why, tuple(facts))
                row = grouped.setdefault(
                    key,
                    {
                        "services": [],
                        "criterion": answer["criterion"],
                        "answer": labels.get((answer["criterion"], answer["answer"]), answer["answer"]),
                        "why": why,
                        "facts": facts,
                    },
                )
                row["services"].append(names.get(service_id, service_id))
        rows = [
            {**{k: v for k, v in row.items() if k != "services"}, "service": sections.name_list(row["services"], lang)}
            for row in sorted(grouped.values(), key=lambda r: (r["criterion"], r["services"][0]))
        ]
        suppliers_of = {s.id: s.supplier for s in diag.inventory.services}
        not_found = [
            {
                "service": names.get(m["service"], m["service"]),
                "status": t(f"catalog.status.{m['status']}"),
                "supplier": suppliers_of.get(m["service"], ""),
                "suggestions": ", ".join(m["candidates"] or m["suggestions"]),
            }
            for m in cat["matches"]
            if m["status"] in ("ambiguous", "unmatched")
        ]
        catalog_view = {
            "version": cat["version"],
            "date": fmt.iso_date(cat["date"], lang, cat["date"]),
            "local_file": cat["local_file"] or "",
            "overridden": cat["overridden"],
            "matched": sum(1 for m in cat["matches"] if m["status"] in ("matched", "pinned")),
            "services": len(cat["matches"]),
            "answers": rows,
            "not_found": not_found,
            "stale": len(cat["stale"]),
            "stale_after_days": cat["stale_after_days"],
        }
    return {
        "catalog": catalog_view,
        "indicators": indicators,
        "risk_matrix": matrix,
        "likelihood_levels": likelihood,
        "suppliers": suppliers,
        "countries": countries,
        "hhi_spend": fmt.number(round(concentration.hhi_spend), lang)
        if concentration and concentration.hhi_spend is not None
        else "—",
        "obligations": obligation_rows,
        "actions": actions,
        "actions_by_horizon": [
            {
                "horizon": t(f"horizon.{h}"),
                "actions": [a for a, r in zip(actions, results.actions, strict=True) if r.horizon == h],
            }
            for h in ("immediate", "contract", "long")
            if any(r.horizon == h for r in results.actions)
        ],
        "framework_sources": [
            {"id": x.id, "title": x.title, "where": x.url or x.document or "", "checked": x.checked.isoformat()}
            for x in diag.framework.model.sources
        ],
    }


def _build(results: Results, diag: OpenDiagnostic, lang: str, report_date: dt.date) -> dict[str, Any]:
    framework = diag.framework.model
    inventory: Inventory = diag.inventory
    levels = {lvl.value: lvl for lvl in framework.levels}
    domains = {d.id: d.label.get(lang) for d in diag.domains.domains}
    axes = {a.id: a for a in framework.axes}
    criteria = diag.framework.criteria
    profile = next((p for p in framework.weight_profiles if p.id == results.profile_id), None)
    total_weight = sum(results.weights.values()) or 1.0
    risk_levels = {r.value: r for r in framework.risk.risk_levels} if framework.risk else {}

    def level_view(value: int | None) -> dict[str, Any]:
        if value is None:
            return {"value": None, "code": "—", "name": t("table.no_level"), "css": "none"}
        lvl = levels[value]
        return {"value": value, "code": lvl.code, "name": lvl.name.get(lang), "css": f"l{value}"}

    def service_view(s: ServiceResult) -> dict[str, Any]:
        binding = criteria.get(s.binding_criterion) if s.binding_criterion else None
        return {
            "id": s.id,
            "name": s.name,
            "domain": domains.get(s.domain, s.domain),
            "supplier": s.supplier,
            "product": s.product or "",
            "deployment": t(f"deployment.{s.deployment}"),
            "criticality": t(f"criticality.{s.criticality}"),
            "criticality_id": s.criticality,
            "score": fmt.score(s.score, lang),
            "prudent_score": fmt.score(s.prudent_score, lang),
            "level": level_view(s.level),
            "prudent_level": level_view(s.prudent_level),
            "binding": (
                {
                    "id": binding.id,
                    "axis": axes[s.binding_axis].name.get(lang) if s.binding_axis else "",
                    "question": binding.question.get(lang),
                }
                if binding
                else None
            ),
            "target": level_view(s.target_level) if s.target_level is not None else None,
            "below_target": s.below_target,
            "risk": (
                {
                    "code": risk_levels[s.risk.level].code,
                    "name": risk_levels[s.risk.level].name.get(lang),
                    "gv": f"G{s.risk.gravity}·V{s.risk.likelihood}",
                    "level": s.risk.level,
                }
                if s.risk is not None and risk_levels
                else None
            ),
            "answered": s.answered,
            "applicable": s.applicable,
            "coverage": fmt.percent(s.coverage, lang),
        }

    ordered = sorted(
        results.services,
        key=lambda s: (-1 if s.level is None else s.level, s.score if s.score is not None else -1.0, s.name, s.id),
    )
    counted = results.summary.levels  # services by level, "none" for those without one
    level_counts = {None if k == "none" else int(k): v for k, v in counted.items()}
    n = len(results.services) or 1
    distribution = [
        {
            **level_view(value),
            "count": level_counts.get(value, 0),
            "share": level_counts.get(value, 0) / n,
            "share_text": fmt.percent(level_counts.get(value, 0) / n, lang),
            "description": levels[value].description.get(lang),
        }
        for value in sorted(levels)
    ]
    if level_counts.get(None):
        distribution.append(
            {
                **level_view(None),
                "count": level_counts[None],
                "share": level_counts[None] / n,
                "share_text": fmt.percent(level_counts[None] / n, lang),
                "description": "",
            }
        )
    axis_means = []
    summaries = {a.axis: a for a in results.axes}
    for axis_id in results.axis_ids:
        mean = summaries[axis_id].mean_score if axis_id in summaries else None
        axis_means.append(
            {
                "id": axis_id,
                "name": axes[axis_id].name.get(lang),
                "objective": axes[axis_id].objective,
                "score": fmt.score(mean, lang),
                "score_value": mean if mean is not None else 0.0,
                "weight": fmt.percent(results.weights[axis_id] / total_weight, lang),
            }
        )
    profile_view = inventory.collectivite
    kind = t(f"kind.{profile_view.kind.value}")
    if profile_view.epci_kind is not None:
        kind = t(f"epci.{profile_view.epci_kind.value}")
    summary = results.summary
    return {
        "lang": lang,
        "sovdiag_version": __version__,
        "report_date": fmt.long_date(report_date, lang),
        "report_date_iso": report_date.isoformat(),
        "collectivite": {
            "name": profile_view.name,
            "kind": kind,
            "siren": profile_view.siren or "",
            "departement": profile_view.departement or "",
            "population": fmt.number(profile_view.population, lang) if profile_view.population is not None else "",
            "agents": fmt.number(profile_view.agents, lang) if profile_view.agents is not None else "",
        },
        "diagnostic": {
            "conducted_by": inventory.diagnostic.conducted_by,
            "organisation": inventory.diagnostic.organisation or "",
            "date": fmt.long_date(inventory.diagnostic.date, lang),
        },
        "framework": {
            "id": framework.id,
            "version": framework.version,
            "title": framework.title.get(lang),
            "date": fmt.long_date(framework.date, lang),
            "profile_id": results.profile_id,
            "profile_name": profile.name.get(lang) if profile else results.profile_id,
            "profile_rationale": profile.rationale.get(lang) if profile else "",
            "weights": [{"axis": a, "weight": f"{w:g}"} for a, w in results.weights.items()],
            "sha256": diag.framework.sha256[:12],
        },
        "summary": {
            "services": summary.services,
            "mean_score": fmt.score(summary.mean_score, lang),
            "mean_prudent_score": fmt.score(summary.mean_prudent_score, lang),
            "coverage": fmt.percent(summary.coverage, lang),
            "answered": fmt.number(summary.answered, lang),
            "applicable": fmt.number(summary.applicable, lang),
            "unknown": fmt.number(summary.unknown, lang),
        },
        "levels": distribution,
        "axes": axis_means,
        "services": [service_view(s) for s in ordered],
    }
