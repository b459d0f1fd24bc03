"""Read an inventory file and check it against the domain checklist and the framework.

All problems of a file are collected and reported together, each with its line, so that a
person fixing a spreadsheet export does it in one pass rather than one error at a time.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sovdiag.errors import Problem, ValidationFailed
from sovdiag.framework import LoadedFramework
from sovdiag.messages import translate as t
from sovdiag.models import (
    MAX_ID_LENGTH,
    RESERVED_ANSWERS,
    CollectiviteKind,
    Contract,
    DomainChecklist,
    Inventory,
)
from sovdiag.validation import PathPart, collect_model_problems, render_path
from sovdiag.yamlio import LineLocator, load_yaml, read_text, shorten


def siren_is_valid(siren: str) -> bool:
    """Luhn check of a SIREN (La Poste's 356000000 is the one documented exception)."""
    # isdecimal, not isdigit: « ² » is a digit for Python but int() refuses it.
    if len(siren) != 9 or not siren.isdecimal():
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
    """Load and fully check an inventory; raise ValidationFailed listing every problem.

    The cross-field checks run on the parsed data even when the model rejects some fields, so
    that one run reports every problem of the file, in the order of its lines.
    """
    return check_inventory_text(read_text(path), str(path), framework, domains)


def check_inventory_text(
    text: str, file: str, framework: LoadedFramework | None = None, domains: DomainChecklist | None = None
) -> Inventory:
    """The inventory in ``text`` (named ``file`` in messages), checked as :func:`load_inventory` does."""
    data = load_yaml(text, file)
    locator = LineLocator(text)
    inventory, problems = collect_model_problems(Inventory, data, file, locator)
    if isinstance(data, dict):
        problems += [
            Problem(file, message, path=render_path(where), line=locator.line_of(where))
            for where, message in check_inventory(data, framework, domains, locator)
        ]
    if problems or inventory is None:
        problems.sort(key=lambda p: (p.line or 0, p.path))
        raise ValidationFailed(file, problems)
    return inventory


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> Any:
    """A string as the model keeps it (``str_strip_whitespace``): « " 213500001 " » is checked as
    « 213500001 », and « " messagerie" » is the same id as « messagerie »."""
    return value.strip() if isinstance(value, str) else value


def _contract_date(contract: dict[str, Any], key: str) -> dt.date | None:
    """A contract date as the model reads it (a quoted "2024-01-01", a date-time at midnight, a Unix
    timestamp), or None when the model refuses it and reports it."""
    if contract.get(key) is None:
        return None
    try:
        value: dt.date | None = getattr(Contract.model_validate({key: contract[key]}), key)
    except ValidationError:
        return None
    return value


def check_inventory(
    data: dict[str, Any],
    framework: LoadedFramework | None,
    domains: DomainChecklist | None,
    locator: LineLocator | None = None,
) -> list[tuple[Sequence[PathPart], str]]:
    """Every cross-field problem of an inventory, as (key path, message) pairs.

    Works on the parsed YAML rather than on the model, and skips values of the wrong type: the
    model reports those.
    """
    problems: list[tuple[Sequence[PathPart], str]] = []
    profile = _mapping(data.get("collectivite"))
    siren = _text(profile.get("siren"))
    if isinstance(siren, str) and len(siren) == 9 and siren.isdecimal() and not siren_is_valid(siren):
        problems.append((["collectivite", "siren"], t("problem.siren_checksum", siren=siren)))
    kind = profile.get("kind")
    if kind == CollectiviteKind.epci.value and profile.get("epci_kind") is None:
        problems.append((["collectivite", "kind"], t("problem.epci_kind_missing")))
    if isinstance(kind, str) and kind != CollectiviteKind.epci.value and profile.get("epci_kind") is not None:
        problems.append((["collectivite", "epci_kind"], t("problem.epci_kind_not_epci")))

    domain_ids = [d.id for d in domains.domains] if domains else None
    unused = data.get("domains_not_used")
    for i, domain in enumerate(unused if isinstance(unused, list) else []):
        if domain_ids is not None and isinstance(domain, str) and domain not in domain_ids:
            problems.append((["domains_not_used", i], t("problem.unknown_domain", domain=shorten(domain), hint="")))
    criteria = framework.criteria if framework else None
    services = data.get("services")
    first_index: dict[str, int] = {}
    for i, service in enumerate(services if isinstance(services, list) else []):
        if not isinstance(service, dict):
            continue
        where: list[PathPart] = ["services", i]
        service_id = _text(service.get("id"))
        if isinstance(service_id, str):
            if service_id in first_index:
                first = locator.line_of(["services", first_index[service_id]]) if locator else None
                message = t("problem.duplicate_service", id=shorten(service_id), first=first or "?")
                problems.append(([*where, "id"], message))
            else:
                first_index[service_id] = i
        domain = service.get("domain")
        # An overlong value is already refused by the model: one problem per field is enough.
        if (
            domain_ids is not None
            and isinstance(domain, str)
            and len(domain) <= MAX_ID_LENGTH
            and domain not in domain_ids
        ):
            close = difflib.get_close_matches(domain, domain_ids, n=1, cutoff=0.6)
            hint = t("problem.extra_hint", suggestion=close[0]) if close else ""
            problems.append(([*where, "domain"], t("problem.unknown_domain", domain=shorten(domain), hint=hint)))
        contract = _mapping(service.get("contract"))
        start, end = _contract_date(contract, "start"), _contract_date(contract, "end")
        if start is not None and end is not None and end < start:
            problems.append(
                ([*where, "contract", "end"], t("problem.contract_dates", start=start.isoformat(), end=end.isoformat()))
            )
        if criteria is None or framework is None:
            continue
        for criterion_id, given in _mapping(service.get("answers")).items():
            answer = given.get("answer") if isinstance(given, dict) else given
            at = [*where, "answers", criterion_id]
            criterion = criteria.get(str(criterion_id))
            if criterion is None:
                close = difflib.get_close_matches(str(criterion_id), list(criteria), n=1, cutoff=0.6)
                hint = t("problem.extra_hint", suggestion=close[0]) if close else ""
                message = t(
                    "problem.unknown_criterion",
                    criterion=shorten(str(criterion_id)),
                    framework=framework.model.id,
                    hint=hint,
                )
                problems.append((at, message))
                continue
            valid = [o.id for o in criterion.options]
            if isinstance(answer, str) and answer not in valid and answer not in RESERVED_ANSWERS:
                choices = ", ".join([*valid, *RESERVED_ANSWERS])
                problems.append(
                    (at, t("problem.unknown_option", answer=shorten(answer), criterion=criterion_id, choices=choices))
                )
    return problems
