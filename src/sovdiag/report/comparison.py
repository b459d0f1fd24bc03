"""A comparison (``sovdiag.compare``) as plain, formatted, translated data: what the terminal
prints and the comparison report's template receives. No Jinja2 here: the terminal uses it too."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path
from typing import Any

from sovdiag import __version__
from sovdiag import formatting as fmt
from sovdiag.compare import NONE, ActionPair, Change, Comparison, FieldChange, ServiceBrief
from sovdiag.framework import LoadedFramework
from sovdiag.group import METRICS, SIZE_BANDS, GroupComparison
from sovdiag.messages import get_language, set_language
from sovdiag.messages import translate as t
from sovdiag.scoring import Results

TREND_MARK = {"better": "▲", "worse": "▼", "same": "", "neutral": "", "nc": "×"}
SHOWN_ANSWERS = 8  # answer changes listed per service; the rest counted


def comparison_view(
    comparison: Comparison,
    framework: LoadedFramework,
    *,
    lang: str,
    files: tuple[Path, Path] | None = None,
    report_date: dt.date | None = None,
) -> dict[str, Any]:
    """Everything a reader sees of ``comparison``, formatted in ``lang``. ``framework`` (the one in
    use) gives names of axes, options and levels for the criteria it shares with the diagnostics."""
    from sovdiag.framework import load_domains
    from sovdiag.plan import load_measures

    previous = get_language()
    set_language(lang)
    try:
        names = _Names(framework, lang, load_domains(), load_measures())
        return _view(comparison, names, lang, files, report_date)
    finally:
        set_language(previous)


class _Names:
    """Labels for ids, taken from the framework, the checklist and the measures in use."""

    def __init__(self, framework: LoadedFramework, lang: str, domains: Any, measures: Any) -> None:
        self.lang = lang
        self.framework = framework
        self.axes = {a.id: a.name.get(lang) for a in framework.model.axes}
        self.levels = {lvl.value: lvl.code for lvl in framework.model.levels}
        risk = framework.model.risk
        self.risks = {r.value: f"{r.code} {r.name.get(lang).lower()}" for r in risk.risk_levels} if risk else {}
        self.domains = {d.id: d.label.get(lang) for d in domains.domains}
        self.measures = {m.id: m.title.get(lang) for m in measures.measures}

    def level(self, value: int | None) -> str:
        return t("compare.no_level") if value is None else self.levels.get(value, str(value))

    def risk(self, value: int | None) -> str:
        return "—" if value is None else self.risks.get(value, str(value))

    def option(self, criterion: str, option: str | None) -> str:
        if option is None:
            return t("compare.no_answer")
        if option == "unknown":
            return t("compare.unknown_answer")
        if option == "not_applicable":
            return t("compare.na_answer")
        crit = self.framework.criteria.get(criterion)
        label = next((o.label.get(self.lang) for o in crit.options if o.id == option), None) if crit else None
        return label or option

    def question(self, criterion: str) -> str:
        crit = self.framework.criteria.get(criterion)
        return crit.question.get(self.lang) if crit else ""


def _trend(better: bool | None, comparable: bool = True, changed: bool = False) -> str:
    if not comparable:
        return "nc"
    if better is None:
        return "same" if not changed else "neutral"
    return "better" if better else "worse"


def by_unit(unit: str, value: float | None, lang: str) -> str:
    """A number as its unit reads: money, share (0–1, as a percentage), score (0–100), else a count."""
    if value is None:
        return "—"
    if unit == "money":
        return fmt.money(value, lang)
    if unit == "share":
        return fmt.percent(value, lang)
    if unit == "score":
        return fmt.score(value, lang)
    return fmt.number(round(value), lang)


def _delta(change: Change, lang: str) -> str:
    delta = change.delta
    if delta is None or not change.comparable:
        return "—"
    sign = "+" if delta > 0 else ("−" if delta < 0 else "±")
    size = abs(delta)
    if change.unit == "share":
        points = fmt.number(round(size * 100), lang)
        return f"{sign}{points} {t('compare.points')}"
    if change.unit == "score":
        return f"{sign}{fmt.score(size, lang)}"
    return f"{sign}{by_unit(change.unit, size, lang)}"


def _side(results: Results, file: Path | None, lang: str) -> dict[str, Any]:
    date = results.diagnostic.get("date")
    catalog = results.catalog or {}
    return {
        "date": fmt.iso_date(date if isinstance(date, str) else None, lang),
        "framework": f"{results.framework_id} {results.framework_version}",
        "profile": results.profile_id,
        "catalog": str(catalog.get("version") or "—"),
        "services": len(results.services),
        "file": file.name if file else "",
    }


def _brief(s: ServiceBrief, names: _Names) -> dict[str, str]:
    return {
        "name": s.name,
        "id": s.id,
        "domain": names.domains.get(s.domain, s.domain),
        "supplier": s.supplier,
        "level": names.level(s.level),
        "risk": names.risk(s.risk),
    }


def _field(change: FieldChange, names: _Names, lang: str) -> dict[str, str]:
    def show(value: Any) -> str:
        if value is None:
            return "—"
        if change.field == "level":
            return names.level(value)
        if change.field == "risk":
            return names.risk(value)
        if change.field == "score":
            return fmt.score(value, lang)
        if change.field == "annual_cost":
            return fmt.money(value, lang)
        if isinstance(value, dt.date):
            return fmt.long_date(value, lang)
        if change.field in ("deployment", "criticality"):
            return t(f"{change.field}.{value}")
        return str(value)

    return {
        "label": t(f"compare.field.{change.field}"),
        "old": show(change.old),
        "new": show(change.new),
        "trend": _trend(change.better, changed=True),
    }


def _actions(pairs: list[ActionPair], names: _Names) -> list[dict[str, Any]]:
    by_measure: dict[str, list[str]] = defaultdict(list)
    for pair in pairs:
        by_measure[pair.measure].append(pair.service_name)
    return [
        {"title": names.measures.get(m, m), "services": sorted(set(services)), "count": len(services)}
        for m, services in sorted(by_measure.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    ]


def _actions_by_service(pairs: list[ActionPair], names: _Names) -> list[dict[str, Any]]:
    """Actions that lost their object, counted by removed service (their titles say nothing more)."""
    counts: dict[str, int] = defaultdict(int)
    for pair in pairs:
        counts[pair.service_name] += 1
    return [
        {"title": t("compare.dropped_line", service=service, count=n), "services": [], "count": n}
        for service, n in sorted(counts.items())
    ]


def _view(
    c: Comparison, names: _Names, lang: str, files: tuple[Path, Path] | None, report_date: dt.date | None
) -> dict[str, Any]:
    compat = c.compatibility
    indicators = []
    for change in c.indicators:
        # A change too small to show (59 % -> 59 %) is no change for the reader.
        visible = by_unit(change.unit, change.old, lang) != by_unit(change.unit, change.new, lang)
        indicators.append(
            {
                "label": t(f"compare.ind.{change.key}"),
                "old": by_unit(change.unit, change.old, lang),
                "new": by_unit(change.unit, change.new, lang),
                "delta": _delta(change, lang) if visible or not change.comparable else "±0",
                "trend": _trend(change.better if visible else None, change.comparable, False),
            }
        )
    axes = []
    for a in c.axes:
        change = Change(a.axis, a.old_score, a.new_score, "score", None, a.basis != NONE)
        prudent = Change(a.axis, a.old_prudent, a.new_prudent, "score", None, a.basis != NONE)
        better = None if a.basis == NONE or change.delta is None or round(change.delta, 1) == 0 else change.delta > 0
        axes.append(
            {
                "id": a.axis,
                "name": names.axes.get(a.axis, a.axis),
                "basis": t(f"compare.basis.{a.basis}", criteria=a.criteria),
                "old": fmt.score(a.old_score, lang),
                "new": fmt.score(a.new_score, lang),
                "delta": _delta(change, lang),
                "old_prudent": fmt.score(a.old_prudent, lang),
                "new_prudent": fmt.score(a.new_prudent, lang),
                "delta_prudent": _delta(prudent, lang),
                "trend": _trend(better, a.basis != NONE),
            }
        )
    changed = []
    for s in c.changed:
        answers = [
            {
                "criterion": cid,
                "question": names.question(cid),
                "old": names.option(cid, old),
                "new": names.option(cid, new),
            }
            for cid, old, new in s.answers
        ]
        changed.append(
            {
                "name": s.name,
                "id": s.id,
                "domain": names.domains.get(s.domain, s.domain),
                "fields": [_field(f, names, lang) for f in s.fields],
                "answers": answers[:SHOWN_ANSWERS],
                "answers_more": max(0, len(answers) - SHOWN_ANSWERS),
            }
        )
    trends = [i["trend"] for i in indicators]
    not_compared = [t(key, **params) for key, params in c.not_compared]
    view: dict[str, Any] = {
        "lang": lang,
        "sovdiag_version": __version__,
        "colon": t("compare.colon"),
        "page_label": t("compare.page"),
        "marks": TREND_MARK,
        "legend": t("compare.legend"),
        "prudent_note": t("compare.prudent_note"),
        "side_labels": {
            k: t(f"compare.side.{k}") for k in ("date", "framework", "profile", "catalog", "services", "file", "edited")
        },
        "report_date": fmt.long_date(report_date, lang) if report_date else "",
        "report_date_iso": report_date.isoformat() if report_date else "",
        "collectivite": {
            "name": str(c.new.collectivite.get("name") or ""),
            "old_name": str(c.old.collectivite.get("name") or ""),
        },
        "old": _side(c.old, files[0] if files else None, lang),
        "new": _side(c.new, files[1] if files else None, lang),
        "same_framework": compat.same_framework,
        "not_compared": not_compared,
        "shared_criteria": len(compat.shared),
        "headline": t(
            "compare.headline",
            old=_side(c.old, None, lang)["date"],
            new=_side(c.new, None, lang)["date"],
            better=trends.count("better"),
            worse=trends.count("worse"),
            replaced=len(c.replaced),
            added=len(c.added) - len(c.replaced),
            removed=len(c.removed) - len(c.replaced),
            done=len(c.actions_done),
        ),
        "indicators": indicators,
        "axes": axes,
        "replaced": [
            {"domain": names.domains.get(r.domain, r.domain), "old": _brief(r.old, names), "new": _brief(r.new, names)}
            for r in c.replaced
        ],
        "added": [_brief(s, names) for s in c.added if s.id not in {r.new.id for r in c.replaced}],
        "removed": [_brief(s, names) for s in c.removed if s.id not in {r.old.id for r in c.replaced}],
        "changed": changed,
        "unchanged": c.unchanged,
        "risks_resolved": [
            {"before": _brief(b, names), "after": _brief(a, names) if a else None} for b, a in c.risks_resolved
        ],
        "risks_new": [{"before": _brief(b, names) if b else None, "after": _brief(a, names)} for b, a in c.risks_new],
        "risk_compared": compat.same_parts["risk"],
        "actions_done": _actions(c.actions_done, names),
        "actions_dropped": _actions_by_service(c.actions_dropped, names),
        "actions_new": _actions(c.actions_new, names),
        "actions_done_count": len(c.actions_done),
        "actions_dropped_count": len(c.actions_dropped),
        "actions_new_count": len(c.actions_new),
        "actions_open": c.actions_open,
        "labels": labels(),
    }
    view["lines"] = _lines(view)
    for s in view["changed"]:
        s["answers_more_line"] = t("compare.answers_more", count=s["answers_more"]) if s["answers_more"] else ""
    return view


def _lines(view: dict[str, Any]) -> dict[str, Any]:
    """The sentences both the terminal and the documents print."""

    def brief(prefix: str, b: dict[str, str]) -> dict[str, str]:
        return {f"{prefix}{k}": v for k, v in b.items()}

    risks = []
    for r in view["risks_resolved"]:
        after = r["after"]["risk"] if r["after"] else t("compare.risk_gone")
        risks.append(t("compare.risk_resolved", name=r["before"]["name"], before=r["before"]["risk"], after=after))
    for r in view["risks_new"]:
        before = r["before"]["risk"] if r["before"] else t("compare.risk_none_before")
        risks.append(t("compare.risk_new", name=r["after"]["name"], before=before, after=r["after"]["risk"]))
    return {
        "replaced": [
            t(
                "compare.replaced",
                **brief("old_", r["old"])
                | brief("new_", r["new"])
                | {"old": r["old"]["name"], "new": r["new"]["name"]},
            )
            for r in view["replaced"]
        ],
        "added": [t("compare.added", **b) for b in view["added"]],
        "removed": [t("compare.removed", **b) for b in view["removed"]],
        "unchanged": t("compare.unchanged", count=view["unchanged"]),
        "risks": risks,
        "actions": [
            {"title": t(f"compare.{key}", count=view[f"{key}_count"]), "entries": view[key]}
            for key in ("actions_done", "actions_dropped", "actions_new")
        ],
        "actions_open": t("compare.actions_open", count=view["actions_open"]),
    }


def labels() -> dict[str, str]:
    """The fixed words of the comparison documents, in the current language."""
    keys = (
        "title",
        "before",
        "after",
        "change",
        "section.not_compared",
        "section.indicators",
        "section.axes",
        "section.services",
        "section.risks",
        "section.actions",
        "no_risk_change",
        "risk_not_compared",
        "risk_gone",
        "risk_none_before",
    )
    return {key.replace(".", "_"): t(f"compare.{key}") for key in keys}


# --------------------------------------------------------------------------- group


def group_view(
    group: GroupComparison,
    framework: LoadedFramework,
    *,
    lang: str,
    min_stratum: int,
    named: bool,
    report_date: dt.date | None = None,
) -> dict[str, Any]:
    """A group comparison (``sovdiag.group``) formatted in ``lang``."""
    previous = get_language()
    set_language(lang)
    try:
        return _group_view(group, framework, lang, min_stratum, named, report_date)
    finally:
        set_language(previous)


def _metric_label(key: str, axes: dict[str, str]) -> str:
    if key.startswith("axis:"):
        axis = key[5:]
        return f"{axis} {axes.get(axis, '')}".strip()
    return t(f"group.metric.{key}")


def _group_view(
    g: GroupComparison,
    framework: LoadedFramework,
    lang: str,
    min_stratum: int,
    named: bool,
    report_date: dt.date | None,
) -> dict[str, Any]:
    axes = {a.id: a.name.get(lang) for a in framework.model.axes}
    level_codes = {str(lvl.value): lvl.code for lvl in framework.model.levels} | {"none": t("compare.no_level")}
    order = [*(k for k in METRICS if k not in ("services",)), *(f"axis:{a}" for a in axes), "services"]
    by_key = {p.key: p for p in g.positions}
    positions: list[dict[str, Any]] = []
    context: list[dict[str, Any]] = []
    for key in order:
        p = by_key.get(key)
        if p is None or p.members == 0:
            continue
        where = ""
        if p.better_than is not None:
            where = fmt.percent(p.better_than, lang)
            if p.equal_to:
                where += " " + t("group.equal_to", share=fmt.percent(p.equal_to, lang))
        # Metrics with no better direction (size, spend per inhabitant) are context, not a ranking.
        (positions if p.higher_is_better is not None else context).append(
            {
                "label": _metric_label(key, axes),
                "median": by_unit(p.unit, p.median, lang),
                "q1": by_unit(p.unit, p.q3 if p.higher_is_better is False else p.q1, lang),
                "q3": by_unit(p.unit, p.q1 if p.higher_is_better is False else p.q3, lang),
                "focus": by_unit(p.unit, p.focus, lang) if g.focus else "",
                "where": where,
                "members": p.members,
                "excluded": t("group.excluded", count=p.excluded) if p.excluded else "",
                "direction": ""
                if p.higher_is_better is None
                else t("group.higher_better" if p.higher_is_better else "group.lower_better"),
                "quartile": _quartile(p),
            }
        )
    total_services = sum(g.levels.values()) or 1
    focus_total = sum(g.focus_levels.values()) or 1
    levels = [
        {
            "level": level_codes.get(k, k),
            "group": fmt.percent(v / total_services, lang),
            "focus": fmt.percent(g.focus_levels.get(k, 0) / focus_total, lang) if g.focus else "",
        }
        for k, v in sorted(g.levels.items(), key=lambda kv: (kv[0] == "none", kv[0]))
    ]
    bands = [t(f"group.band.{i}") for i in range(len(SIZE_BANDS))]
    strata = [
        {
            "kind": t(f"kind.{s.kind}") if s.kind else "—",
            "band": bands[s.band] if s.band is not None else t("group.band.unknown"),
            "members": s.members,
            "median_score": fmt.score(s.median_score, lang),
            "median_spend": fmt.percent(s.median_spend_outside_eu, lang),
            "focus": s.has_focus,
        }
        for s in g.strata
    ]
    suppliers = [
        {
            "name": s.name,
            "outside_eu": t("group.outside_eu") if s.outside_eu else "",
            "members": s.members,
            "share": fmt.percent(s.members / g.members, lang),
            "critical": s.members_critical,
            "focus": s.focus,
        }
        for s in g.suppliers[:20]
    ]
    offers = []
    if g.offers:
        from sovdiag.catalog import load_catalog

        catalog = load_catalog()
        for o in g.offers[:15]:
            supplier_id, offer = catalog.offers.get(o.offer, (None, None))
            supplier = catalog.suppliers.get(supplier_id) if supplier_id else None
            name = offer.name if offer else o.offer
            if supplier is not None:
                name += f" ({supplier.display_name or supplier.name})"
            offers.append(
                {
                    "name": name,
                    "members": o.members,
                    "share": fmt.percent(o.members / g.members, lang),
                    "focus": o.focus,
                }
            )
    rows = [
        {
            "name": d.name,
            "kind": t(f"kind.{d.kind}") if d.kind else "—",
            "date": d.date,
            "score": fmt.score(d.metrics.get("mean_score"), lang),
            "spend": fmt.percent(d.metrics.get("spend_share_outside_eu"), lang),
            "services": int(d.metrics.get("services") or 0),
        }
        for d in g.named_rows
    ]
    notes = []
    if not named:
        notes.append(t("group.anonymous_note", minimum=min_stratum))
    if g.strata_hidden:
        notes.append(t("group.strata_hidden", count=g.strata_hidden, minimum=min_stratum))
    if g.superseded:
        notes.append(t("group.superseded", count=g.superseded))
    if g.frameworks > 1:
        notes.append(t("group.frameworks", count=g.frameworks))
    if g.focus is None:
        notes.append(t("group.no_focus"))
    return {
        "lang": lang,
        "sovdiag_version": __version__,
        "report_date": fmt.long_date(report_date, lang) if report_date else "",
        "report_date_iso": report_date.isoformat() if report_date else "",
        "page_label": t("compare.page"),
        "title": t("group.title"),
        "focus_name": g.focus.name if g.focus else "",
        "headline": t(
            "group.headline",
            members=g.members,
            kinds=", ".join(f"{t(f'kind.{k}') if k else '—'} {n}" for k, n in g.kinds.items()),
        ),
        "positions": positions,
        "context": context,
        "levels": levels,
        "strata": strata,
        "suppliers": suppliers,
        "offers": offers,
        "named": named,
        "rows": rows,
        "notes": notes,
        "labels": {
            k.replace(".", "_"): t(f"group.{k}")
            for k in (
                "section.positions",
                "section.context",
                "section.levels",
                "section.suppliers",
                "section.offers",
                "section.strata",
                "section.members",
                "col.metric",
                "col.median",
                "col.q1",
                "col.q3",
                "col.lower",
                "col.upper",
                "col.focus",
                "col.where",
                "col.level",
                "col.group",
                "col.supplier",
                "col.offer",
                "col.members",
                "col.critical",
                "col.kind",
                "col.band",
                "col.score",
                "col.spend",
                "col.services",
                "col.name",
                "col.date",
                "quartile_note",
                "suppliers_note",
            )
        },
    }


def _quartile(p: Any) -> str:
    """Which quarter of the group the focus is in, best quarter first."""
    if p.focus is None or p.q1 is None or p.q3 is None or p.median is None or p.higher_is_better is None:
        return ""
    value = p.focus if p.higher_is_better else -p.focus
    q1, median, q3 = (p.q1, p.median, p.q3) if p.higher_is_better else (-p.q3, -p.median, -p.q1)
    if value >= q3:
        return "q4"
    if value >= median:
        return "q3"
    if value >= q1:
        return "q2"
    return "q1"
