"""Turn results into the plain data the templates print: sorted, formatted, translated.

Templates loop and branch; they never compute a score. Everything here is deterministic for the
same inputs and the same report date, so the same diagnostic gives byte-identical HTML.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from sovdiag import __version__
from sovdiag import formatting as fmt
from sovdiag.messages import get_language, set_language
from sovdiag.messages import translate as t
from sovdiag.models import Inventory
from sovdiag.pipeline import OpenDiagnostic
from sovdiag.scoring import Results, ServiceResult


def build_context(results: Results, diag: OpenDiagnostic, *, lang: str, report_date: dt.date) -> dict[str, Any]:
    previous = get_language()
    set_language(lang)
    try:
        return _build(results, diag, lang, report_date)
    finally:
        set_language(previous)


def _build(results: Results, diag: OpenDiagnostic, lang: str, report_date: dt.date) -> dict[str, Any]:
    framework = diag.framework.model
    inventory: Inventory = diag.inventory
    levels = {lvl.value: lvl for lvl in framework.levels}
    domains = {d.id: d.label.get(lang) for d in diag.domains.domains}
    axes = {a.id: a for a in framework.axes}
    criteria = diag.framework.criteria
    profile = next(p for p in framework.weight_profiles if p.id == results.profile_id)
    total_weight = sum(results.weights.values()) or 1.0

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
            "answered": s.answered,
            "applicable": s.applicable,
            "coverage": fmt.percent(s.coverage, lang),
        }

    ordered = sorted(
        results.services,
        key=lambda s: (-1 if s.level is None else s.level, s.score if s.score is not None else -1.0, s.name, s.id),
    )
    level_counts = Counter(s.level for s in results.services)
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
    for axis_id in results.axis_ids:
        values = [a.score for s in results.services for a in s.axes if a.axis == axis_id and a.score is not None]
        mean = sum(values) / len(values) if values else None
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
            "profile_id": profile.id,
            "profile_name": profile.name.get(lang),
            "profile_rationale": profile.rationale.get(lang),
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
