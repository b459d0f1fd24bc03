"""What the catalog adds to an inventory before scoring, and where each addition comes from.

For every service matched to the catalog: the answers its facts settle (for the questions the
user has not answered) and the controlling group, its country and the hosting provider (when the
inventory does not give them). The user's answers and fields always win. The result is an
*effective* inventory for the engine and a record of provenance (fact, source, date, built-in or
local catalog, stale or not) for the results, the explanations and the report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sovdiag.catalog import (
    BUILTIN,
    Catalog,
    Controller,
    ServiceMatch,
    catalog_controller,
    fact_text,
    fact_value,
    is_stale,
    match_service,
)
from sovdiag.framework import LoadedFramework
from sovdiag.models import (
    EU_EEA,
    Answer,
    CatalogCondition,
    Deployment,
    Fact,
    Inventory,
    Licence,
    Offer,
    Service,
)


@dataclass(frozen=True)
class FactUse:
    """One catalog fact behind a result: what it says, where it was read, when, and whether it is old."""

    name: str  # "supplier.ultimate_parent_country", "offer.certifications.secnumcloud"…
    value: str
    source: str | None
    checked: str  # ISO date
    origin: str  # builtin | local:<file>
    stale: bool
    as_of: str | None = None  # ISO date of the information, when older than the reading


@dataclass(frozen=True)
class CatalogAnswer:
    criterion: str
    answer: str
    explanation_fr: str
    explanation_en: str
    facts: tuple[FactUse, ...]


@dataclass
class Enrichment:
    catalog_version: str
    catalog_date: str
    local_file: str | None
    stale_after_days: int
    matches: dict[str, ServiceMatch] = field(default_factory=dict)
    answers: dict[str, dict[str, CatalogAnswer]] = field(default_factory=dict)
    fields: dict[str, dict[str, FactUse]] = field(default_factory=dict)

    def stale_facts(self) -> list[tuple[str, FactUse]]:
        """(service id, fact) for every old fact used, once per service and fact."""
        seen: set[tuple[str, str]] = set()
        out = []
        for service_id, answers in self.answers.items():
            for answer in answers.values():
                for fact in answer.facts:
                    if fact.stale and (service_id, fact.name) not in seen:
                        seen.add((service_id, fact.name))
                        out.append((service_id, fact))
        for service_id, used in self.fields.items():
            for fact in used.values():
                if fact.stale and (service_id, fact.name) not in seen:
                    seen.add((service_id, fact.name))
                    out.append((service_id, fact))
        return out


def _use(name: str, fact: Fact[Any], origin: str, day: dt.date, max_age: int) -> FactUse:
    return FactUse(
        name,
        fact_text(fact.value),
        fact.source,
        fact.checked.isoformat(),
        origin,
        is_stale(fact.dated, day, max_age),
        fact.as_of.isoformat() if fact.as_of else None,
    )


def runs_itself(service: Service, offer: Offer | None) -> bool:
    """Free software the collectivité runs on its own servers: its publisher supplies neither the
    service nor access to the data, so the publisher's control says nothing of who controls it."""
    return (
        service.deployment == Deployment.on_premises
        and offer is not None
        and fact_value(offer.licence) == Licence.open_source
    )


def _conditions(
    controller: Controller | None, offer: Offer | None, origin: str, day: dt.date, max_age: int
) -> dict[str, Any]:
    """What the rules can test, each with the facts that establish it (``controller``: who supplies
    the service, None when the catalog's supplier does not)."""
    found: dict[str, Any] = {}
    if controller is not None and controller.country is not None and controller.fact is not None:
        found["controller_outside_eu"] = (
            controller.country not in EU_EEA,
            [_use("supplier.controller_country", controller.fact, origin, day, max_age)],
        )
    if offer is not None:
        certified = {}
        for cert in offer.certifications:
            certified[cert.scheme.value] = FactUse(
                f"offer.certifications.{cert.scheme.value}",
                cert.scope,
                cert.source,
                cert.checked.isoformat(),
                origin,
                is_stale(cert.checked, day, max_age),
            )
        if certified:
            found["certification"] = certified
        licence = fact_value(offer.licence)
        if licence is not None and offer.licence is not None:
            found["licence"] = (str(licence), [_use("offer.licence", offer.licence, origin, day, max_age)])
        locations = fact_value(offer.hosting_locations)
        if locations and offer.hosting_locations is not None:
            where = "eu_only" if all(c in EU_EEA for c in locations) else "outside_eu"
            found["hosting"] = (where, [_use("offer.hosting_locations", offer.hosting_locations, origin, day, max_age)])
    return found


def _rule_matches(when: CatalogCondition, known: dict[str, Any]) -> list[FactUse] | None:
    """The facts that make ``when`` true, or None when it is false or cannot be decided."""
    used: list[FactUse] = []
    if when.controller_outside_eu is not None:
        if "controller_outside_eu" not in known or known["controller_outside_eu"][0] != when.controller_outside_eu:
            return None
        used += known["controller_outside_eu"][1]
    if when.certification is not None:
        held = [known.get("certification", {}).get(s) for s in when.certification]
        held = [h for h in held if h is not None]
        if not held:
            return None
        used += held[:1]
    if when.licence is not None:
        if "licence" not in known or known["licence"][0] not in when.licence:
            return None
        used += known["licence"][1]
    if when.hosting is not None:
        if "hosting" not in known or known["hosting"][0] != when.hosting:
            return None
        used += known["hosting"][1]
    return used


def enrich(
    inventory: Inventory,
    framework: LoadedFramework,
    catalog: Catalog,
    local_file: str | None = None,
    max_age_days: int | None = None,
) -> tuple[Inventory, Enrichment]:
    """The inventory as the engine should see it, and what the catalog contributed."""
    day = inventory.diagnostic.date
    max_age = max_age_days if max_age_days is not None else catalog.index.stale_after_days
    record = Enrichment(catalog.index.version, catalog.index.date.isoformat(), local_file, max_age)
    criteria = framework.criteria
    services: list[Service] = []
    for service in inventory.services:
        match = match_service(service, catalog)
        record.matches[service.id] = match
        if match.supplier is None or match.supplier not in catalog.suppliers:
            services.append(service)
            continue
        supplier = catalog.suppliers[match.supplier]
        offer = catalog.offers[match.offer][1] if match.offer in catalog.offers else None
        origin = catalog.origin("offer", offer.id) if offer else catalog.origin("supplier", supplier.id)
        origin = origin if origin != BUILTIN else catalog.origin("supplier", supplier.id)
        controller = None if runs_itself(service, offer) else catalog_controller(supplier)
        known = _conditions(controller, offer, origin, day, max_age)
        added: dict[str, CatalogAnswer] = {}
        for rule in framework.model.catalog_rules:
            if rule.criterion in service.answers or rule.criterion in added or rule.criterion not in criteria:
                continue
            used = _rule_matches(rule.when, known)
            if used is not None:
                added[rule.criterion] = CatalogAnswer(
                    rule.criterion, rule.answer, rule.explanation.fr, rule.explanation.en, tuple(used)
                )
        updates: dict[str, Any] = {}
        fields: dict[str, FactUse] = {}
        if added:
            answers = dict(service.answers)
            for criterion_id, answer in added.items():
                answers[criterion_id] = Answer(answer=answer.answer)
            updates["answers"] = answers
        if (
            controller is not None
            and controller.country is not None
            and controller.fact is not None
            and service.ultimate_parent is None
            and service.ultimate_parent_country is None
        ):
            updates["ultimate_parent"] = controller.name
            updates["ultimate_parent_country"] = controller.country
            fields["ultimate_parent_country"] = _use(
                "supplier.controller_country", controller.fact, origin, day, max_age
            )
        if offer is not None and service.hosted_by is None and offer.hosting_provider is not None:
            host = fact_value(offer.hosting_provider)
            if host is not None:
                host_supplier = catalog.suppliers.get(str(host))
                updates["hosted_by"] = host_supplier.display_name if host_supplier else str(host)
                fields["hosted_by"] = _use("offer.hosting_provider", offer.hosting_provider, origin, day, max_age)
                if host_supplier is not None and service.hosted_by_country is None:
                    host_controller = catalog_controller(host_supplier)
                    if host_controller.country is not None:
                        updates["hosted_by_country"] = host_controller.country
        if added:
            record.answers[service.id] = added
        if fields:
            record.fields[service.id] = fields
        services.append(service.model_copy(update=updates) if updates else service)
    return inventory.model_copy(update={"services": services}), record
