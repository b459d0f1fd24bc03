"""Read an inventory file and check it against the domain checklist and the framework.

All problems of a file are collected and reported together, each with its line, so that a
person fixing a spreadsheet export does it in one pass rather than one error at a time.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import Path

from sovdiag.errors import Problem, ValidationFailed
from sovdiag.framework import LoadedFramework
from sovdiag.messages import translate as t
from sovdiag.models import RESERVED_ANSWERS, CollectiviteKind, DomainChecklist, Inventory
from sovdiag.validation import PathPart, render_path, validate_model
from sovdiag.yamlio import LineLocator, load_yaml, read_text


def siren_is_valid(siren: str) -> bool:
    """Luhn check of a SIREN (La Poste's 356000000 is the one documented exception)."""
    if len(siren) != 9 or not siren.isdigit():
        return False
    if siren == "356000000":
        return True
    total = 0
    for i, char in enumerate(reversed(siren)):
        digit = int(char)
        if i % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def load_inventory(
    path: Path, framework: LoadedFramework | None = None, domains: DomainChecklist | None = None
) -> Inventory:
    """Load and fully check an inventory; raise ValidationFailed listing every problem."""
    text = read_text(path)
    file = str(path)
    data = load_yaml(text, file)
    inventory = validate_model(Inventory, data, text, file, "inventory")
    locator = LineLocator(text)
    problems = check_inventory(inventory, framework, domains, locator)
    if problems:
        raise ValidationFailed(
            file,
            [
                Problem(file, message, path=render_path(where), line=locator.line_of(where))
                for where, message in problems
            ],
        )
    return inventory


def check_inventory(
    inventory: Inventory,
    framework: LoadedFramework | None,
    domains: DomainChecklist | None,
    locator: LineLocator | None = None,
) -> list[tuple[Sequence[PathPart], str]]:
    """Every cross-field problem of an inventory, as (key path, message) pairs."""
    problems: list[tuple[Sequence[PathPart], str]] = []
    profile = inventory.collectivite
    if profile.siren is not None and not siren_is_valid(profile.siren):
        problems.append((["collectivite", "siren"], t("problem.siren_checksum", siren=profile.siren)))
    if profile.kind == CollectiviteKind.epci and profile.epci_kind is None:
        problems.append((["collectivite", "kind"], t("problem.epci_kind_missing")))
    if profile.kind != CollectiviteKind.epci and profile.epci_kind is not None:
        problems.append((["collectivite", "epci_kind"], t("problem.epci_kind_not_epci")))

    domain_ids = [d.id for d in domains.domains] if domains else None
    criteria = framework.criteria if framework else None
    first_index: dict[str, int] = {}
    for i, service in enumerate(inventory.services):
        where: list[PathPart] = ["services", i]
        if service.id in first_index:
            first = locator.line_of(["services", first_index[service.id]]) if locator else None
            problems.append(([*where, "id"], t("problem.duplicate_service", id=service.id, first=first or "?")))
        else:
            first_index[service.id] = i
        if domain_ids is not None and service.domain not in domain_ids:
            close = difflib.get_close_matches(service.domain, domain_ids, n=1, cutoff=0.6)
            hint = t("problem.extra_hint", suggestion=close[0]) if close else ""
            problems.append(([*where, "domain"], t("problem.unknown_domain", domain=service.domain, hint=hint)))
        contract = service.contract
        if contract and contract.start and contract.end and contract.end < contract.start:
            problems.append(
                (
                    [*where, "contract", "end"],
                    t("problem.contract_dates", start=contract.start.isoformat(), end=contract.end.isoformat()),
                )
            )
        if criteria is None or framework is None:
            continue
        for criterion_id, answer in service.answers.items():
            criterion = criteria.get(criterion_id)
            if criterion is None:
                close = difflib.get_close_matches(criterion_id, list(criteria), n=1, cutoff=0.6)
                hint = t("problem.extra_hint", suggestion=close[0]) if close else ""
                problems.append(
                    (
                        [*where, "answers", criterion_id],
                        t("problem.unknown_criterion", criterion=criterion_id, framework=framework.model.id, hint=hint),
                    )
                )
                continue
            valid = [o.id for o in criterion.options]
            if answer.answer not in valid and answer.answer not in RESERVED_ANSWERS:
                problems.append(
                    (
                        [*where, "answers", criterion_id],
                        t(
                            "problem.unknown_option",
                            answer=answer.answer,
                            criterion=criterion_id,
                            choices=", ".join([*valid, *RESERVED_ANSWERS]),
                        ),
                    )
                )
    return problems
