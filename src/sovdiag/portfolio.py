"""Portfolio view: who the collectivité depends on, how concentrated it is, the headline figures.

Pure functions over the inventory and the per-service results. The controller of a service is its
supplier's ultimate parent (``ultimate_parent`` / ``ultimate_parent_country`` in the inventory,
else the supplier itself and ``supplier_country``); when no country is given, the answer to the
framework's "foreign control" question (``indicators.foreign_control``) says whether it is outside
the EU/EEA. A SaaS or hosted service also depends on its hosting provider (``hosted_by``): that
dependency counts in the concentration of services and of critical services, not of spend.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sovdiag.catalog import normalise
from sovdiag.framework import LoadedFramework
from sovdiag.models import EU_EEA, NOT_APPLICABLE, UNKNOWN, AnswerCondition, Criticality, Deployment, Inventory, Service
from sovdiag.scoring import ServiceResult

CRITICAL = Criticality.critical
SENSITIVE_DATA = {"health", "sensitive_personal", "particular_sensitivity"}


@dataclass(slots=True)
class Controller:
    name: str
    country: str | None
    outside_eu: bool | None  # None: not known
    basis: str  # "inventory" (countries given), "answer" (foreign-control answer), "unknown"


@dataclass(slots=True)
class SupplierResult:
    """One controlling group, its weight in the portfolio and its EBIOS RM threat index."""

    name: str
    country: str | None
    outside_eu: bool | None
    services: list[str]
    hosted_services: list[str]
    critical_services: int
    annual_cost: float
    spend_share: float | None
    dependency: int
    penetration: int
    maturity: int
    trust: int
    threat: float
    zone: str  # "danger" | "control" | "watch"


@dataclass(slots=True)
class CountryShare:
    country: str  # ISO code, or "??" when unknown
    outside_eu: bool | None
    services: int
    critical_services: int
    annual_cost: float
    spend_share: float | None


@dataclass(slots=True)
class Concentration:
    hhi_spend: float | None  # Herfindahl–Hirschman index over controlling groups' spend shares, 0–10,000
    hhi_critical: float | None  # same over critical services, hosting dependencies included
    top_spend_share: float | None
    countries: list[CountryShare]


@dataclass(slots=True)
class ContractWindow:
    months: int
    services: list[str]
    annual_cost: float


@dataclass(slots=True)
class Indicators:
    reference_date: str
    services: int
    annual_cost: float
    services_outside_eu: int
    services_controller_unknown: int
    spend_outside_eu: float
    spend_controller_unknown: float
    spend_share_outside_eu: float | None
    critical_services: int
    critical_outside_eu: int
    critical_spend_share_outside_eu: float | None
    below_target: int
    prudent_below_target: int
    with_target: int
    critical_without_alternative_or_exit: list[str]
    contracts_expired: list[str]
    contract_windows: list[ContractWindow] = field(default_factory=list)


@dataclass(slots=True)
class _Group:
    name: str
    country: str | None
    outside_eu: bool | None


def controller_of(service: Service, framework: LoadedFramework) -> Controller:
    name = service.ultimate_parent or service.supplier
    country = service.ultimate_parent_country or (None if service.ultimate_parent else service.supplier_country)
    if country is not None:
        return Controller(name, country, country not in EU_EEA, "inventory")
    rule = framework.model.indicators.foreign_control if framework.model.indicators else None
    given = service.answers.get(rule.criterion) if rule else None
    if rule is None or given is None or given.answer in (UNKNOWN, NOT_APPLICABLE):
        return Controller(name, None, None, "unknown")
    return Controller(name, None, given.answer in rule.in_, "answer")


def _answered(service: Service, rule: AnswerCondition | None) -> bool | None:
    """Whether the service's answer to ``rule.criterion`` is one of ``rule.in_`` (None: not known)."""
    if rule is None:
        return None
    given = service.answers.get(rule.criterion)
    if given is None or given.answer == UNKNOWN:
        return None
    return given.answer in rule.in_


def _key(name: str) -> str:
    """One group however its name is written: « Microsoft Corporation », « MICROSOFT », « Microsoft »."""
    return normalise(name) or " ".join(name.casefold().split())


def _scale(score: float | None) -> int:
    """0–100 score -> 1–4 (0–24, 25–49, 50–74, 75–100); no score counts as the lowest."""
    if score is None:
        return 1
    return 1 + min(3, int(score // 25))


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def analyse_suppliers(
    inventory: Inventory, results: list[ServiceResult], framework: LoadedFramework
) -> tuple[list[SupplierResult], Concentration]:
    """Group services by controlling group (and hosting provider), rate each group, measure concentration."""
    indicators = framework.model.indicators
    hard_rule = indicators.hard_to_replace if indicators else None
    maturity_axis = framework.axis_for_objective("SOV-7")
    trust_axes = [a for a in (framework.axis_for_objective("SOV-1"), framework.axis_for_objective("SOV-2")) if a]
    zones = framework.model.risk.threat_zones if framework.model.risk else {"danger": 2.0, "control": 1.0}

    total_cost = sum((s.contract.annual_cost or 0.0) for s in inventory.services if s.contract)
    groups: dict[str, _Group] = {}
    members: dict[str, list[tuple[Service, ServiceResult]]] = defaultdict(list)
    hosted: dict[str, list[tuple[Service, ServiceResult]]] = defaultdict(list)
    for service, result in zip(inventory.services, results, strict=True):
        ctrl = controller_of(service, framework)
        key = _key(ctrl.name)
        group = groups.setdefault(key, _Group(ctrl.name, ctrl.country, ctrl.outside_eu))
        if group.country is None and ctrl.country is not None:
            group.country, group.outside_eu = ctrl.country, ctrl.outside_eu
        if group.outside_eu is None and ctrl.outside_eu is not None:
            group.outside_eu = ctrl.outside_eu
        members[key].append((service, result))
        if service.hosted_by and service.deployment != Deployment.on_premises:
            host_key = _key(service.hosted_by)
            if host_key != key:
                host_country = service.hosted_by_country
                groups.setdefault(
                    host_key,
                    _Group(
                        service.hosted_by, host_country, None if host_country is None else host_country not in EU_EEA
                    ),
                )
                hosted[host_key].append((service, result))

    suppliers: list[SupplierResult] = []
    for key, info in groups.items():
        own, via = members.get(key, []), hosted.get(key, [])
        both = own + via
        cost = sum((s.contract.annual_cost or 0.0) for s, _ in own if s.contract)
        share = cost / total_cost if total_cost else None
        critical = sum(1 for s, _ in both if s.criticality == CRITICAL)
        dependency = (
            1
            + (critical > 0)
            + ((share or len(own) / max(1, len(results))) >= 0.10)
            + any(_answered(s, hard_rule) is True for s, _ in own)
        )
        penetration = max((_penetration(s) for s, _ in both), default=1)
        maturity = _scale(_axis_mean(own, {maturity_axis}))
        trust = _scale(_axis_mean(own, set(trust_axes)))
        threat = dependency * penetration / (maturity * trust)
        zone = "danger" if threat >= zones["danger"] else "control" if threat >= zones["control"] else "watch"
        suppliers.append(
            SupplierResult(
                name=info.name,
                country=info.country,
                outside_eu=info.outside_eu,
                services=[s.id for s, _ in own],
                hosted_services=[s.id for s, _ in via],
                critical_services=critical,
                annual_cost=cost,
                spend_share=share,
                dependency=dependency,
                penetration=penetration,
                maturity=maturity,
                trust=trust,
                threat=threat,
                zone=zone,
            )
        )
    suppliers.sort(key=lambda x: (-x.threat, -x.annual_cost, x.name))
    return suppliers, _concentration(suppliers, total_cost)


def _axis_mean(rows: list[tuple[Service, ServiceResult]], axes: set[str | None]) -> float | None:
    """Mean prudent score of the given axes over a group's services."""
    return _mean([a.prudent_score for _, r in rows for a in r.axes if a.axis in axes and a.prudent_score is not None])


def _penetration(service: Service) -> int:
    """How deep the supplier reaches: 2 for software we run, 3 when it holds our data; +1 for
    health or sensitive data; -1 when only public data is handled."""
    level = 2 if service.deployment == Deployment.on_premises else 3
    categories = {c.value for c in service.data_categories}
    if categories & SENSITIVE_DATA:
        level += 1
    elif categories and categories <= {"public"}:
        level -= 1
    return max(1, min(4, level))


def _concentration(suppliers: list[SupplierResult], total_cost: float) -> Concentration:
    shares = [s.spend_share for s in suppliers if s.spend_share]
    hhi_spend = sum((100 * x) ** 2 for x in shares) if total_cost else None
    critical_total = sum(s.critical_services for s in suppliers)
    hhi_critical = sum((100 * s.critical_services / critical_total) ** 2 for s in suppliers) if critical_total else None
    by_country: dict[str, CountryShare] = {}
    for s in suppliers:
        code = s.country or "??"
        entry = by_country.setdefault(code, CountryShare(code, s.outside_eu if s.country else None, 0, 0, 0.0, None))
        entry.services += len(s.services) + len(s.hosted_services)
        entry.critical_services += s.critical_services
        entry.annual_cost += s.annual_cost
    for entry in by_country.values():
        entry.spend_share = entry.annual_cost / total_cost if total_cost else None
    countries = sorted(by_country.values(), key=lambda c: (-c.annual_cost, -c.services, c.country))
    return Concentration(hhi_spend, hhi_critical, max(shares) if shares else None, countries)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (or earlier), on the month's last day when it is shorter."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def compute_indicators(
    inventory: Inventory,
    results: list[ServiceResult],
    framework: LoadedFramework,
    reference: dt.date | None = None,
) -> Indicators:
    """The figures an elected official reads first."""
    day = reference or inventory.diagnostic.date
    rules = framework.model.indicators
    total = outside = unknown_spend = 0.0
    n_outside = n_unknown = critical = critical_outside = 0
    critical_cost = critical_outside_cost = 0.0
    missing_exit: list[str] = []
    expired: list[str] = []
    windows = {m: ContractWindow(m, [], 0.0) for m in (12, 24, 36)}
    for service in inventory.services:
        cost = service.contract.annual_cost or 0.0 if service.contract else 0.0
        total += cost
        ctrl = controller_of(service, framework)
        if ctrl.outside_eu:
            outside += cost
            n_outside += 1
        elif ctrl.outside_eu is None:
            unknown_spend += cost
            n_unknown += 1
        if service.criticality == CRITICAL:
            critical += 1
            critical_cost += cost
            if ctrl.outside_eu:
                critical_outside += 1
                critical_outside_cost += cost
            has_alternative = _answered(service, rules.alternative_identified if rules else None)
            has_exit = _answered(service, rules.exit_plan if rules else None)
            if not has_alternative or not has_exit:
                missing_exit.append(service.id)
        end = service.contract.end if service.contract else None
        if end is None:
            continue
        if end < day:
            expired.append(service.id)
            continue
        for months, window in windows.items():
            if end <= add_months(day, months):
                window.services.append(service.id)
                window.annual_cost += cost
    return Indicators(
        reference_date=day.isoformat(),
        services=len(inventory.services),
        annual_cost=total,
        services_outside_eu=n_outside,
        services_controller_unknown=n_unknown,
        spend_outside_eu=outside,
        spend_controller_unknown=unknown_spend,
        spend_share_outside_eu=outside / total if total else None,
        critical_services=critical,
        critical_outside_eu=critical_outside,
        critical_spend_share_outside_eu=critical_outside_cost / critical_cost if critical_cost else None,
        below_target=sum(r.below_target for r in results),
        prudent_below_target=sum(r.prudent_below_target for r in results),
        with_target=sum(1 for r in results if r.targets),
        critical_without_alternative_or_exit=missing_exit,
        contracts_expired=expired,
        contract_windows=list(windows.values()),
    )
