"""The steps every command shares: load the framework, the checklist and the inventory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sovdiag.errors import SovdiagError
from sovdiag.framework import LoadedFramework, load_domains, load_framework
from sovdiag.inventory import load_inventory
from sovdiag.models import DomainChecklist, Inventory


@dataclass(frozen=True)
class OpenDiagnostic:
    inventory: Inventory
    framework: LoadedFramework
    domains: DomainChecklist
    path: Path


def open_diagnostic(inventory_path: Path, framework_path: Path | None = None) -> OpenDiagnostic:
    """Load and check everything a diagnostic needs; raise SovdiagError on any problem."""
    framework = load_framework(framework_path)
    domains = load_domains()
    inventory = load_inventory(inventory_path, framework, domains)
    wanted = inventory.diagnostic.framework
    if wanted is not None and wanted != framework.model.id:
        raise SovdiagError("error.framework_mismatch", wanted=wanted, loaded=framework.model.id)
    return OpenDiagnostic(inventory, framework, domains, inventory_path)
