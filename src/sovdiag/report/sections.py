"""Plain data for the report's sections beyond the basic summary: the elected officials' synthesis
(main risks, decisions), charts as coordinates, service sheets, questions left to answer, the
dependency map by domain, the inventory annex. Deterministic and already formatted."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from sovdiag import formatting as fmt
from sovdiag.catalog import Catalog
from sovdiag.explain import explain_service, gravity_reason
from sovdiag.messages import translate as t
from sovdiag.models import MeasureLibrary, ObligationLibrary
from sovdiag.pipeline import OpenDiagnostic
from sovdiag.portfolio import add_months, controller_of
from sovdiag.scoring import Results

RADAR_SIZE = 240  # the chart's viewBox is RADAR_SIZE × RADAR_SIZE
RADAR_RADIUS = 80


def main_risks(results: Results, diag: OpenDiagnostic, lang: str, limit: int = 3) -> list[dict[str, Any]]:
    """The services with the highest risk, each with what makes it grave and likely, in plain words."""
    model = diag.framework.model.risk
    if model is None:
        return []
    rated = [(s, s.risk) for s in results.services if s.risk is not None]
    rated.sort(key=lambda pair: (-pair[1].level, -pair[1].gravity, -pair[1].likelihood, pair[0].name))
    names = {r.value: r.name.get(lang) for r in model.risk_levels}
    out = []
    for s, risk in rated[:limit]:
        why = gravity_reason(model, risk, lang)
        out.append(
            {
                "name": s.name,
                "supplier": s.supplier,
                "level": names[risk.level],
                "level_value": risk.level,
                "gravity_reason": why,
                "exposure": fmt.percent(risk.exposure, lang),
            }
        )
    return out


def decisions(
    results: Results, diag: OpenDiagnostic, measures: MeasureLibrary | None, lang: str, limit: int = 5
) -> list[dict[str, Any]]:
    """The decisions asked of the officials: the first actions, with effort, cost, deadline and the
    contract window they depend on (the earliest contract end among the services concerned)."""
    library = {m.id: m for m in measures.measures} if measures else {}
    services = {s.id: s for s in diag.inventory.services}
    out = []
    for action in results.actions[:limit]:
        measure = library.get(action.measure)
        ends: list[tuple[dt.date, int, str]] = []
        for target in action.services:
            contract = services[target.service].contract
            if contract is not None and contract.end is not None:
                ends.append((contract.end, contract.notice_months or 0, services[target.service].name))
        ends.sort()
        window = ""
        if ends:
            end, notice, name = ends[0]
            window = t(
                "report.window",
                service=name,
                end=fmt.long_date(end, lang),
                notice=fmt.long_date(add_months(end, -notice), lang),
            )
        out.append(
            {
                "rank": action.rank,
                "title": measure.title.get(lang) if measure else action.measure,
                "why": measure.why.get(lang) if measure else "",
                "effort": t(f"effort.{action.effort}"),
                "cost": measure.cost.get(lang) if measure and measure.cost else "",
                "carried_by": t(f"carried.{action.carried_by}"),
                "deadline": fmt.iso_date(action.deadline, lang, t("actions.no_deadline")),
                "window": window,
                "services": len(action.services),
            }
        )
    return out


def radar(results: Results, diag: OpenDiagnostic, lang: str) -> dict[str, Any]:
    """Coordinates of the axis-score radar (declared and prudent means), labels placed outside."""
    axes = diag.framework.model.axes
    n = len(axes)
    centre = RADAR_SIZE / 2

    def point(i: int, value: float, radius: float = RADAR_RADIUS) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / n
        r = radius * value / 100
        return round(centre + r * math.cos(angle), 1), round(centre + r * math.sin(angle), 1)

    means = {a.axis: a for a in results.axes}  # per axis over the services (scoring.summarise_axes)

    def mean(axis_id: str, prudent: bool) -> float:
        summary = means.get(axis_id)
        value = None if summary is None else (summary.mean_prudent_score if prudent else summary.mean_score)
        return value if value is not None else 0.0

    declared = [mean(a.id, False) for a in axes]
    prudent = [mean(a.id, True) for a in axes]
    rings = [" ".join(f"{x},{y}" for x, y in (point(i, level) for i in range(n))) for level in (25, 50, 75, 100)]
    labels = []
    for i, axis in enumerate(axes):
        x, y = point(i, 100, RADAR_RADIUS + 10)
        anchor = "middle" if abs(x - centre) < 5 else ("start" if x > centre else "end")
        labels.append({"x": x, "y": y + 2, "anchor": anchor, "text": axis.id})  # names in the table below
    return {
        "size": RADAR_SIZE,
        "rings": rings,
        "spokes": [point(i, 100) for i in range(n)],
        "centre": centre,
        "declared": " ".join(f"{x},{y}" for x, y in (point(i, v) for i, v in enumerate(declared))),
        "prudent": " ".join(f"{x},{y}" for x, y in (point(i, v) for i, v in enumerate(prudent))),
        "labels": labels,
        "text": "; ".join(
            f"{a.id} {fmt.score(d, lang)} ({fmt.score(p, lang)})"
            for a, d, p in zip(axes, declared, prudent, strict=True)
        ),
    }


def domain_map(results: Results, diag: OpenDiagnostic, lang: str, grouped: bool = False) -> list[dict[str, Any]]:
    """Who provides what, domain by domain, and from which country the provider is controlled.
    ``grouped`` (large inventories): one row per supplier in a domain, with its services counted and
    their spend added, rather than one row per service."""
    labels = {d.id: d.label.get(lang) for d in diag.domains.domains}
    rows: dict[str, dict[tuple[str, ...], dict[str, Any]]] = {}
    for i, service in enumerate(diag.inventory.services):
        ctrl = controller_of(service, diag.framework)
        country = ctrl.country or (t("report.outside_eu") if ctrl.outside_eu else "—")
        key = (service.supplier, ctrl.name, country) if grouped else (str(i),)
        row = rows.setdefault(service.domain, {}).setdefault(
            key,
            {"services": [], "supplier": service.supplier, "controller": ctrl.name, "country": country, "spend": None},
        )
        row["services"].append(service.name)
        cost = service.contract.annual_cost if service.contract else None
        if cost:
            row["spend"] = (row["spend"] or 0.0) + cost
    order = {d.id: i for i, d in enumerate(diag.domains.domains)}
    return [
        {
            "domain": labels.get(d, d),
            "rows": [
                {
                    "service": name_list(r["services"], lang),
                    "supplier": r["supplier"],
                    "controller": r["controller"],
                    "country": r["country"],
                    "cost": fmt.money(r["spend"], lang) if r["spend"] else "—",
                }
                for r in rows[d].values()
            ],
        }
        for d in sorted(rows, key=lambda d: (order.get(d, 999), d))
    ]


SHOWN_NAMES = 3


def name_list(names: list[str], lang: str) -> str:
    """« A » ; « 3 services : A, B, C » ; beyond three: « 12 services : A, B, C et 9 autre(s) »."""
    if len(names) == 1:
        return names[0]
    shown = ", ".join(names[:SHOWN_NAMES])
    if len(names) <= SHOWN_NAMES:
        return t("report.names", count=len(names), names=shown)
    return t("report.names_more", count=len(names), names=shown, more=len(names) - SHOWN_NAMES)


def unknowns(results: Results, diag: OpenDiagnostic, lang: str) -> list[dict[str, Any]]:
    """Per service, the questions still to collect (« je ne sais pas » or not yet answered)."""
    criteria = diag.framework.criteria
    out = []
    for s in results.services:
        open_ = [(o.criterion, o.status) for a in s.axes for o in a.outcomes if o.status in ("unknown", "unanswered")]
        if open_:
            out.append(
                {
                    "service": s.name,
                    "questions": [
                        {"id": c, "question": criteria[c].question.get(lang), "status": t(f"explain.status.{status}")}
                        for c, status in open_
                    ],
                }
            )
    return out


MAX_SHEETS = 40


def sheet_selection(results: Results) -> list[str]:
    """Which services get a sheet: all of them in a small inventory; otherwise the most exposed
    (critical or important, or at high risk), at most MAX_SHEETS, riskiest first. A report of
    hundreds of pages helps nobody, and layout time grows with every page."""
    if len(results.services) <= MAX_SHEETS:
        return [s.id for s in results.services]
    exposed = [
        s
        for s in results.services
        if s.criticality in ("critical", "high") or (s.risk is not None and s.risk.level >= 3)
    ]
    exposed.sort(key=lambda s: (-(s.risk.level if s.risk else 0), -(s.risk.gravity if s.risk else 0), s.name))
    return [s.id for s in exposed[:MAX_SHEETS]]


def service_sheets(
    results: Results,
    diag: OpenDiagnostic,
    lang: str,
    measures: MeasureLibrary | None,
    obligations: ObligationLibrary | None,
    catalog: Catalog | None,
) -> list[dict[str, Any]]:
    """Sheets of the selected services: the explanation the terminal gives with --explain, as plain data."""
    from sovdiag.explain import Explanation

    levels = {lvl.value: lvl.code for lvl in diag.framework.model.levels}
    chosen = set(sheet_selection(results))
    sheets = []
    for s in sorted((x for x in results.services if x.id in chosen), key=lambda x: x.name):
        e: Explanation = explain_service(
            results, diag.inventory, diag.framework, s.id, lang, measures, obligations, catalog
        )
        sheets.append(
            {
                "id": s.id,
                "name": s.name,
                "supplier": s.supplier,
                "product": s.product or "",
                "score": fmt.score(s.score, lang),
                "prudent": fmt.score(s.prudent_score, lang),
                "level": e.level_code,
                "target": str(s.target_level) if s.target_level is not None else "—",
                "binding": e.binding or "—",
                "targets": ", ".join(e.target_rules) or "—",
                "gravity": e.gravity or "—",
                "likelihood": e.likelihood or "—",
                "risk": e.risk or "—",
                "catalog_entry": e.catalog_entry or "",
                "alternatives": e.alternatives,
                "actions": [f"{a.rank}. {a.title}" for a in e.actions],
                "axes": [
                    {
                        "id": a.id,
                        "name": a.name,
                        "score": fmt.score(a.score, lang),
                        "prudent": fmt.score(a.prudent_score, lang),
                        "level": levels.get(a.level, "—") if a.level is not None else "—",
                        "target": str(a.target) if a.target is not None else "—",
                        "lines": [
                            {
                                "id": c.id,
                                "question": c.question,
                                "answer": c.answer,
                                "comment": c.comment or "",
                                "evidence": c.evidence or "",
                                "facts": c.facts,
                                "catalog": c.origin == "catalog",
                                "binding": c.binding,
                                "cap": "—" if c.cap is None else str(c.cap),
                            }
                            for c in a.criteria
                            if c.status != "excluded"
                        ],
                    }
                    for a in e.axes
                    if any(c.status != "excluded" for c in a.criteria)
                ],
            }
        )
    return sheets


def inventory_annex(diag: OpenDiagnostic, lang: str, compact: bool = False) -> list[dict[str, str]]:
    """The inventory as an annex; ``compact`` (large inventories): short labels and numeric dates,
    so that each service holds on one line (layout time follows the lines)."""
    labels = {d.id: d.label.get(lang) for d in diag.domains.domains}
    short = "_short" if compact else ""
    rows = []
    for s in diag.inventory.services:
        contract = s.contract
        end = "—"
        if contract and contract.end:
            end = fmt.short_date(contract.end, lang) if compact else fmt.long_date(contract.end, lang)
        rows.append(
            {
                "id": s.id,
                "name": s.name,
                "domain": labels.get(s.domain, s.domain),
                "supplier": s.supplier,
                "product": s.product or "",
                "deployment": t(f"deployment{short}.{s.deployment.value}"),
                "criticality": t(f"criticality.{s.criticality.value}"),
                "data": ", ".join(t(f"data{short}.{c.value}") for c in s.data_categories) or "—",
                "end": end,
                "cost": fmt.money(contract.annual_cost, lang) if contract and contract.annual_cost else "—",
                "users": fmt.number(s.users, lang) if s.users is not None else "—",
            }
        )
    return rows
