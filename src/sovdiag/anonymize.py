"""Make a results file fit to share with a group: ``sovdiag anonymize RESULTS -o SHAREABLE``.

Removed: the names of people (who conducted the diagnostic), the author's organisation, free text
(notes on services, comments and evidence beside answers), contract references, the local catalog's
file name, and everything about a service marked ``confidential`` but what the group comparison
needs (its domain, deployment, criticality, scores and levels): its name, id, supplier, product,
host, cost, contract and catalog match are replaced or dropped everywhere they appear, and a
supplier that serves only confidential services leaves the supplier list.

Kept: the collectivité's identity (name, SIREN, kind, population), which the group comparison uses
to count each member once and to form strata (``hide_collectivite`` replaces it with a random name,
drops the SIREN and rounds the population: the group can then no longer tell two diagnostics of the
same member apart), and the names
of the other services, which describe functions; the report of what was removed says so.
"""

from __future__ import annotations

import copy
import secrets
from collections import Counter
from dataclasses import dataclass, field

from sovdiag.scoring import Results

CONFIDENTIAL_SUPPLIER = "—"
REMOVAL_ORDER = (
    "diagnostic.conducted_by",
    "diagnostic.organisation",
    "collectivite.name",
    "collectivite.siren",
    "collectivite.departement",
    "service.notes",
    "answer.comments",
    "service.contract_reference",
    "confidential_services",
    "suppliers_of_confidential_services",
    "catalog.local_file",
)


@dataclass(slots=True)
class Removal:
    """What anonymisation removed, by kind, and what it deliberately kept."""

    removed: Counter[str] = field(default_factory=Counter)
    kept: list[str] = field(default_factory=list)

    def items(self) -> list[tuple[str, int]]:
        """What was removed, in the order a reader expects (people first)."""
        return sorted(self.removed.items(), key=lambda kv: REMOVAL_ORDER.index(kv[0]))

    def as_record(self) -> dict[str, object]:
        return {"removed": dict(self.items()), "kept": list(self.kept)}


def anonymize(results: Results, *, hide_collectivite: bool = False) -> tuple[Results, Removal]:
    """A copy of ``results`` without what must not be shared, and the record of what was removed."""
    out = copy.deepcopy(results)
    removal = Removal()

    for key in ("conducted_by", "organisation"):
        if out.diagnostic.get(key):
            out.diagnostic[key] = None
            removal.removed[f"diagnostic.{key}"] += 1

    pseudonyms: dict[str, str] = {}
    for service in out.services:
        if service.notes:
            service.notes = None
            removal.removed["service.notes"] += 1
        if service.notes_on_answers:
            removal.removed["answer.comments"] += len(service.notes_on_answers)
            service.notes_on_answers = {}
        if service.contract_reference:
            service.contract_reference = None
            removal.removed["service.contract_reference"] += 1
        if service.confidential:
            pseudonym = f"confidentiel-{len(pseudonyms) + 1}"
            pseudonyms[service.id] = pseudonym
            service.id = service.name = pseudonym
            service.supplier = CONFIDENTIAL_SUPPLIER
            service.product = service.hosted_by = None
            service.annual_cost = None
            service.contract_end = None
            removal.removed["confidential_services"] += 1
    if pseudonyms:
        _rename_services(out, pseudonyms, removal)
    if out.catalog and out.catalog.get("local_file"):
        out.catalog["local_file"] = None
        removal.removed["catalog.local_file"] += 1
    if hide_collectivite:
        _hide_collectivite(out, removal)
    else:
        removal.kept.append("collectivite")
    removal.kept.append("service_names")
    out.anonymized = removal.as_record()
    return out, removal


def _rename_services(out: Results, pseudonyms: dict[str, str], removal: Removal) -> None:
    """Replace the ids of confidential services wherever the results name a service."""

    def rename(ids: list[str]) -> list[str]:
        return [pseudonyms.get(i, i) for i in ids]

    if out.indicators is not None:
        ind = out.indicators
        ind.critical_without_alternative_or_exit = rename(ind.critical_without_alternative_or_exit)
        ind.contracts_expired = rename(ind.contracts_expired)
        for window in ind.contract_windows:
            window.services = rename(window.services)
    for action in out.actions:
        for target in action.services:
            target.service = pseudonyms.get(target.service, target.service)
    for obligation in out.obligations:
        obligation.services = rename(obligation.services)
    kept = []
    for supplier in out.suppliers:
        hidden = [s for s in supplier.services if s in pseudonyms]
        supplier.services = [s for s in supplier.services if s not in pseudonyms]
        supplier.hosted_services = [s for s in supplier.hosted_services if s not in pseudonyms]
        if supplier.services or supplier.hosted_services:
            kept.append(supplier)
        elif hidden:
            removal.removed["suppliers_of_confidential_services"] += 1
    out.suppliers = kept
    catalog = out.catalog
    if catalog:
        catalog["matches"] = [m for m in catalog.get("matches", []) if m.get("service") not in pseudonyms]
        for key in ("answers", "fields"):
            catalog[key] = {k: v for k, v in (catalog.get(key) or {}).items() if k not in pseudonyms}
        catalog["stale"] = [s for s in catalog.get("stale", []) if s.get("service") not in pseudonyms]


def _hide_collectivite(out: Results, removal: Removal) -> None:
    c = out.collectivite
    # Random, not a hash of the SIREN: the list of SIRENs is public, a hash would be reversed.
    c["name"] = f"Collectivité {secrets.token_hex(5)}"
    for key in ("siren", "departement"):
        if c.get(key):
            c[key] = None
            removal.removed[f"collectivite.{key}"] += 1
    population = c.get("population")
    if isinstance(population, int) and population >= 100:
        # Two significant figures: enough for the size strata, too coarse to find the commune.
        unit = 10 ** (len(str(population)) - 2)
        c["population"] = (population + unit // 2) // unit * unit  # half up: 3,050 -> 3,100
    removal.removed["collectivite.name"] += 1
