"""The steps every command shares: load the framework, the checklist, the catalog and the
inventory; then the whole diagnostic."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sovdiag.errors import Problem, SovdiagError, ValidationFailed
from sovdiag.framework import LoadedFramework, load_domains, load_framework
from sovdiag.inventory import load_inventory
from sovdiag.messages import translate as t
from sovdiag.models import DomainChecklist, Inventory

if TYPE_CHECKING:
    from sovdiag.catalog import Catalog
    from sovdiag.scoring import Results


@dataclass(frozen=True)
class OpenDiagnostic:
    inventory: Inventory
    framework: LoadedFramework
    domains: DomainChecklist
    path: Path
    catalog: Catalog | None = None
    catalog_file: Path | None = None


class References:
    """The framework, checklist and catalog a diagnostic is read against, each loaded on first use
    and kept: a command that opens several inventories (compare, a group) parses them once."""

    def __init__(
        self,
        framework_path: Path | None = None,
        catalog_path: Path | None = None,
        use_catalog: bool = True,
        *,
        framework: LoadedFramework | None = None,
        domains: DomainChecklist | None = None,
        catalog: Catalog | None = None,
    ) -> None:
        self.framework_path = framework_path
        self.catalog_path = catalog_path
        self.use_catalog = use_catalog
        self._framework = framework
        self._domains = domains
        self._catalog = catalog

    @property
    def framework(self) -> LoadedFramework:
        if self._framework is None:
            self._framework = load_framework(self.framework_path)
        return self._framework

    @property
    def domains(self) -> DomainChecklist:
        if self._domains is None:
            self._domains = load_domains()
        return self._domains

    @property
    def catalog(self) -> Catalog | None:
        if self._catalog is None and self.use_catalog:
            from sovdiag.catalog import load_catalog

            self._catalog = load_catalog(self.catalog_path, {d.id for d in self.domains.domains})
        return self._catalog


def references_of(diag: OpenDiagnostic) -> References:
    """The references a diagnostic was opened with, to open another one against them."""
    return References(
        diag.framework.path,
        diag.catalog_file,
        diag.catalog is not None,
        framework=diag.framework,
        domains=diag.domains,
        catalog=diag.catalog,
    )


def open_diagnostic(
    inventory_path: Path,
    framework_path: Path | None = None,
    catalog_path: Path | None = None,
    use_catalog: bool = True,
    references: References | None = None,
) -> OpenDiagnostic:
    """Load and check everything a diagnostic needs; raise SovdiagError on any problem.
    ``references`` (already loaded) replaces the three paths and flag."""
    from sovdiag.scoring import allocation_phase

    refs = references or References(framework_path, catalog_path, use_catalog)
    framework, domains = refs.framework, refs.domains
    with allocation_phase():
        inventory = load_inventory(inventory_path, framework, domains)
    wanted = inventory.diagnostic.framework
    if wanted is not None and wanted != framework.model.id:
        raise SovdiagError("error.framework_mismatch", wanted=wanted, loaded=framework.model.id)
    catalog = refs.catalog
    if catalog is not None:
        _check_catalog_refs(inventory, inventory_path, catalog)
    return OpenDiagnostic(inventory, framework, domains, inventory_path, catalog, refs.catalog_path)


def _check_catalog_refs(inventory: Inventory, path: Path, catalog: Catalog) -> None:
    """Catalog ids written in the inventory must exist in the catalog in use."""
    from sovdiag.yamlio import LineLocator, read_text

    problems = []
    locator: LineLocator | None = None
    for i, service in enumerate(inventory.services):
        ref = service.catalog
        if ref is None:
            continue
        for key, known in (("supplier", catalog.suppliers), ("offer", catalog.offers)):
            value = getattr(ref, key)
            if value is not None and value not in known:
                locator = locator or LineLocator(read_text(path))
                where: list[str | int] = ["services", i, "catalog", key]
                problems.append(
                    Problem(
                        str(path),
                        t("problem.unknown_catalog_id", kind=key, id=value),
                        path=f"services[{i}].catalog.{key}",
                        line=locator.line_of(where),
                    )
                )
    if problems:
        raise ValidationFailed(str(path), problems)


def diagnose(diag: OpenDiagnostic, profile_id: str | None = None, max_age_days: int | None = None) -> Results:
    """The whole diagnostic: catalog facts added, scores, targets and risks per service, the supplier
    portfolio, headline indicators, the obligations that apply and the action plan."""
    from sovdiag.scoring import allocation_phase

    with allocation_phase():
        return _diagnose(diag, profile_id, max_age_days)


def _diagnose(diag: OpenDiagnostic, profile_id: str | None, max_age_days: int | None) -> Results:
    from sovdiag.enrich import enrich
    from sovdiag.plan import assess_obligations, load_measures, load_obligations, plan_actions
    from sovdiag.portfolio import analyse_suppliers, compute_indicators
    from sovdiag.scoring import score_inventory

    inventory, framework = diag.inventory, diag.framework
    record = None
    if diag.catalog is not None:
        local = diag.catalog_file.name if diag.catalog_file else None
        inventory, record = enrich(inventory, framework, diag.catalog, local, max_age_days)
    results = score_inventory(inventory, framework, profile_id)
    if record is not None:
        for service in results.services:
            from_catalog = record.answers.get(service.id, {})
            for axis in service.axes:
                for outcome in axis.outcomes:
                    if outcome.criterion in from_catalog:
                        outcome.origin = "catalog"
        results.catalog = _catalog_summary(record, diag.catalog)
    results.suppliers, results.concentration = analyse_suppliers(inventory, results.services, framework)
    results.indicators = compute_indicators(inventory, results.services, framework)
    obligations = load_obligations()
    results.obligations = assess_obligations(inventory, obligations, framework)
    results.obligations_version = obligations.version
    measures = load_measures()
    results.actions = plan_actions(inventory, results.services, measures, framework, results.weights)
    results.measures_version = measures.version
    return results


def _catalog_summary(record: Any, catalog: Catalog | None) -> dict[str, Any]:
    """The catalog's contribution, as plain data for the results file and the report."""
    overridden = sorted(k for k, v in (catalog.origins.items() if catalog else []) if v != "builtin")
    return {
        "version": record.catalog_version,
        "date": record.catalog_date,
        "local_file": record.local_file,
        "overridden": overridden,
        "stale_after_days": record.stale_after_days,
        "matches": [asdict(m) for m in record.matches.values()],
        "answers": {
            service: [asdict(a) for a in answers.values()] for service, answers in sorted(record.answers.items())
        },
        "fields": {service: {k: asdict(v) for k, v in used.items()} for service, used in sorted(record.fields.items())},
        "stale": [{"service": s, **asdict(f)} for s, f in record.stale_facts()],
    }
