"""The steps every command shares: load the framework, the checklist and the inventory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sovdiag.errors import SovdiagError
from sovdiag.framework import LoadedFramework, load_domains, load_framework
from sovdiag.inventory import load_inventory
from sovdiag.models import DomainChecklist, Inventory

if TYPE_CHECKING:
    from sovdiag.scoring import Results


@dataclass(frozen=True)
class OpenDiagnostic:
    inventory: Inventory
    framework: LoadedFramework
    domains: DomainChecklist
    path: Path


def open_diagnostic(inventory_path: Path, framework_path: Path | None = None) -> OpenDiagnostic:
    """Load and check everything a diagnostic needs; raise SovdiagError on any problem."""
    from sovdiag.scoring import allocation_phase

    framework = load_framework(framework_path)
    domains = load_domains()
    with allocation_phase():
        inventory = load_inventory(inventory_path, framework, domains)
    wanted = inventory.diagnostic.framework
    if wanted is not None and wanted != framework.model.id:
        raise SovdiagError("error.framework_mismatch", wanted=wanted, loaded=framework.model.id)
    return OpenDiagnostic(inventory, framework, domains, inventory_path)


def diagnose(diag: OpenDiagnostic, profile_id: str | None = None) -> Results:
    """The whole diagnostic: scores, targets and risks per service, the supplier portfolio,
    headline indicators, the obligations that apply and the action plan."""
    from sovdiag.scoring import allocation_phase

    with allocation_phase():
        return _diagnose(diag, profile_id)


def _diagnose(diag: OpenDiagnostic, profile_id: str | None) -> Results:
    from sovdiag.plan import assess_obligations, load_measures, load_obligations, plan_actions
    from sovdiag.portfolio import analyse_suppliers, compute_indicators
    from sovdiag.scoring import score_inventory

    inventory, framework = diag.inventory, diag.framework
    results = score_inventory(inventory, framework, profile_id)
    results.suppliers, results.concentration = analyse_suppliers(inventory, results.services, framework)
    results.indicators = compute_indicators(inventory, results.services, framework)
    obligations = load_obligations()
    results.obligations = assess_obligations(inventory, obligations, framework)
    results.obligations_version = obligations.version
    measures = load_measures()
    results.actions = plan_actions(inventory, results.services, measures, framework, results.weights)
    results.measures_version = measures.version
    return results
