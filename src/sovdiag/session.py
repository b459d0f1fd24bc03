"""The guided audit, without any terminal: what to ask next, and what to record.

The session walks the domain checklist (``questionnaires/domains.yaml``), creates services from what
the user names (completed from the catalog), then asks the framework's questions that apply to each
service, in order, skipping those whose conditions do not hold given earlier answers. It talks to
the user only through an ``Asker`` (the command line implements it with prompts; tests with a list
of replies) and records every confirmed answer at once through an ``InventoryStore``.

Replies are plain strings; a few are commands the Asker passes through unchanged:
``<`` back to the previous question, ``?`` « je ne sais pas », ``-`` « non applicable »,
the empty reply « later » (skip), ``q`` quit (everything confirmed is already saved).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sovdiag.catalog import Catalog, fact_text
from sovdiag.errors import SovdiagError
from sovdiag.framework import LoadedFramework
from sovdiag.messages import translate as t
from sovdiag.models import (
    NOT_APPLICABLE,
    UNKNOWN,
    CollectiviteKind,
    Criticality,
    DataCategory,
    Deployment,
    Domain,
    DomainChecklist,
    EpciKind,
    Service,
)
from sovdiag.scoring import compile_condition, facts_of, holds
from sovdiag.store import InventoryStore

BACK = "<"
DONT_KNOW = "?"
NOT_APPL = "-"
QUIT = "q"
LATER = ""


class Quit(Exception):
    """The user asked to stop; everything confirmed is already saved."""


@dataclass(frozen=True)
class Option:
    key: str  # what the user types: "1", "2"… or a word
    value: str
    label: str


@dataclass(frozen=True)
class Question:
    """One thing to ask. ``options`` empty means free text (with optional completions)."""

    title: str
    help: str = ""
    options: tuple[Option, ...] = ()
    default: str | None = None  # a value (not a key)
    default_note: str = ""  # why the default (« le catalogue indique … »)
    completions: tuple[str, ...] = ()
    allow_unknown: bool = False
    allow_not_applicable: bool = False
    allow_back: bool = False
    multiple: bool = False


@dataclass(frozen=True)
class Progress:
    domains_done: int
    domains: int
    services: int
    services_complete: int
    questions_left: int
    unknown: int
    where: str = ""


class Asker(Protocol):
    def show(self, text: str) -> None: ...
    def header(self, progress: Progress) -> None: ...
    def ask(self, question: Question) -> str: ...


def slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:60] or "service"


@dataclass
class AuditSession:
    store: InventoryStore
    framework: LoadedFramework
    domains: DomainChecklist
    catalog: Catalog | None
    asker: Asker
    lang: str = "fr"
    today: dt.date = field(default_factory=dt.date.today)
    # Per-service counts for the header, recomputed only for the service an edit touches: the header
    # is shown before every question, and a 500-service inventory must not be re-read each time.
    _stats: dict[str, tuple[int, int, bool]] = field(default_factory=dict, repr=False)
    _conditions: dict[str, list[Any]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._conditions = {
            c.id: [compile_condition(x) for x in c.applies_when] for c in self.framework.criteria.values()
        }

    def _record(self, operation: dict[str, Any]) -> None:
        self.store.record(operation)
        service_id = operation.get("service") or operation.get("id")
        if operation.get("op") in ("answer", "service") and service_id:
            self._stats.pop(service_id, None)
        else:
            self._stats.clear()

    # ------------------------------------------------------------------ helpers

    def _ask(self, question: Question) -> str:
        reply = self.asker.ask(question)
        if reply.strip().lower() == QUIT:
            raise Quit
        return reply.strip()

    def _choice(
        self,
        title: str,
        values: Sequence[tuple[str, str]],
        default: str | None = None,
        help: str = "",
        allow_back: bool = False,
        **extra: Any,
    ) -> str:
        options = tuple(Option(str(i), value, label) for i, (value, label) in enumerate(values, start=1))
        while True:
            reply = self._ask(Question(title, help, options, default, allow_back=allow_back, **extra))
            if reply == LATER and default is not None:
                return default
            if reply in (LATER, BACK, DONT_KNOW, NOT_APPL):
                return reply
            for option in options:
                if reply in (option.key, option.value):
                    return option.value
            self.asker.show(t("audit.invalid_choice", reply=reply, max=len(options)))

    def _text(
        self,
        title: str,
        default: str | None = None,
        help: str = "",
        completions: Sequence[str] = (),
        pattern: str | None = None,
        expected: str = "",
    ) -> str:
        while True:
            reply = self._ask(Question(title, help, default=default, completions=tuple(completions)))
            if reply == LATER and default is not None:
                return default
            if reply == LATER or pattern is None or re.fullmatch(pattern, reply):
                return reply
            self.asker.show(t("audit.invalid_text", expected=expected))

    def progress(self, where: str = "") -> Progress:
        data = self.store.document
        services = [s for s in (data.get("services") or [])]
        unused = set(data.get("domains_not_used") or [])
        used = {s.get("domain") for s in services}
        checklist = self.checklist()
        done = sum(1 for d in checklist if d.id in used or d.id in unused)
        left = unknown = complete = 0
        for raw in services:
            key = str(raw.get("id"))
            stats = self._stats.get(key)
            if stats is None:
                service = self._model(raw)
                if service is None:
                    continue
                open_, unknowns = self.open_questions(service)
                stats = self._stats[key] = (len(open_), unknowns, not open_)
            left += stats[0]
            unknown += stats[1]
            complete += stats[2]
        return Progress(done, len(checklist), len(services), complete, left, unknown, where)

    def checklist(self) -> list[Domain]:
        kind = (self.store.document.get("collectivite") or {}).get("kind")
        return [d for d in self.domains.domains if d.id != "autre" and (d.kinds is None or kind in d.kinds)]

    @staticmethod
    def _model(raw: Any) -> Service | None:
        try:
            return Service.model_validate(dict(raw))
        except ValueError:
            return None

    def applicable(self, service: Service) -> list[str]:
        """The criteria whose conditions hold for the service, given its current answers."""
        facts = facts_of(service)
        return [cid for cid, conditions in self._conditions.items() if all(holds(c, facts) for c in conditions)]

    def open_questions(self, service: Service) -> tuple[list[str], int]:
        """The applicable criteria without an answer, and how many answers are « je ne sais pas »."""
        answers = service.answers
        open_ = [c for c in self.applicable(service) if c not in answers]
        unknowns = sum(1 for a in answers.values() if a.answer == UNKNOWN)
        return open_, unknowns

    # ------------------------------------------------------------------ the walk

    def run(self, domain: str | None = None, service_id: str | None = None) -> Progress:
        try:
            if not self._profile_complete():
                self.ask_profile()
            if service_id is not None:
                if self.store.service(service_id) is None:
                    raise SovdiagError(
                        "error.unknown_service",
                        service=service_id,
                        choices=", ".join(s.get("id") for s in self.store.services()[:5]),
                    )
                self.ask_questions(service_id, revisit=True)
                return self.progress()
            chosen = [d for d in self.checklist() if domain is None or d.id == domain]
            if domain is not None and not chosen:
                chosen = [d for d in self.domains.domains if d.id == domain]
                if not chosen:
                    raise SovdiagError("problem.unknown_domain", domain=domain, hint="")
            # Resume where the user stopped: first the questions left open on services already named.
            for raw in self.store.services():
                if domain is None or raw.get("domain") == domain:
                    self.ask_questions(raw["id"], revisit=False)
            for item in chosen:
                self.ask_domain(item, revisit=domain is not None)
        except Quit:
            pass
        return self.progress()

    # ------------------------------------------------------------------ profile

    def _profile_complete(self) -> bool:
        data = self.store.document
        profile = data.get("collectivite") or {}
        diag = data.get("diagnostic") or {}
        return bool(profile.get("name") and profile.get("kind") and diag.get("conducted_by") and diag.get("date"))

    def ask_profile(self) -> None:
        self.asker.show(t("audit.profile_intro"))
        profile = dict(self.store.document.get("collectivite") or {})
        name = self._text(t("audit.q.name"), default=profile.get("name"))
        while not name:
            name = self._text(t("audit.q.name"))
        kinds = [(k.value, t(f"kind.{k.value}")) for k in CollectiviteKind]
        kind = self._choice(t("audit.q.kind"), kinds, default=profile.get("kind"))
        while kind not in {k.value for k in CollectiviteKind}:
            kind = self._choice(t("audit.q.kind"), kinds)
        values: dict[str, Any] = {"name": name, "kind": kind}
        if kind == CollectiviteKind.epci.value:
            epci = [(k.value, t(f"epci.{k.value}")) for k in EpciKind]
            chosen = self._choice(t("audit.q.epci_kind"), epci, default=profile.get("epci_kind"))
            values["epci_kind"] = chosen if chosen in {k.value for k in EpciKind} else None
        siren = self._text(
            t("audit.q.siren"), default=profile.get("siren"), pattern=r"\d{9}", expected=t("expected.siren")
        )
        values["siren"] = siren or None
        departement = self._text(
            t("audit.q.departement"),
            default=profile.get("departement"),
            pattern=r"(0[1-9]|[1-8]\d|9[0-5]|2[AB]|97[1-6])",
            expected=t("expected.departement"),
        )
        values["departement"] = departement or None
        for key in ("population", "agents"):
            current = profile.get(key)
            reply = self._text(
                t(f"audit.q.{key}"),
                default=str(current) if current is not None else None,
                pattern=r"\d{1,9}",
                expected=t("expected.integer"),
            )
            values[key] = int(reply) if reply else None
        self._record({"op": "set", "key": "collectivite", "value": values})
        diag = dict(self.store.document.get("diagnostic") or {})
        by = self._text(t("audit.q.conducted_by"), default=diag.get("conducted_by"))
        while not by:
            by = self._text(t("audit.q.conducted_by"))
        organisation = self._text(t("audit.q.organisation"), default=diag.get("organisation"))
        self._record(
            {
                "op": "set",
                "key": "diagnostic",
                "value": {
                    "conducted_by": by,
                    "organisation": organisation or None,
                    "date": diag.get("date") or self.today,
                },
            }
        )

    # ------------------------------------------------------------------ domains and services

    def _domain_question(self, domain: Domain) -> str:
        if domain.question is not None:
            return domain.question.get(self.lang)
        return t("audit.q.domain", label=domain.label.get(self.lang))

    def _completions(self, domain: Domain) -> list[str]:
        if self.catalog is None:
            return []
        first: list[str] = []
        rest: list[str] = []
        for supplier in self.catalog.suppliers.values():
            for offer in supplier.offers:
                (first if domain.id in offer.domains else rest).append(offer.name)
            rest.append(supplier.display_name)
        return sorted(set(first)) + sorted(set(rest) - set(first))

    def ask_domain(self, domain: Domain, revisit: bool = False) -> None:
        data = self.store.document
        existing = [s for s in self.store.services() if s.get("domain") == domain.id]
        unused = domain.id in (data.get("domains_not_used") or [])
        if (existing or unused) and not revisit:
            return
        self.asker.header(self.progress(domain.label.get(self.lang)))
        if existing:
            self.asker.show(t("audit.domain_has", services=", ".join(str(s.get("name")) for s in existing)))
        while True:
            reply = self._ask(
                Question(
                    self._domain_question(domain),
                    help=t("audit.help.domain", examples=domain.examples.get(self.lang) if domain.examples else "—"),
                    completions=tuple(self._completions(domain)),
                )
            )
            if reply == LATER:
                return
            if reply.lower() in ("aucun", "none", "0"):
                self._record({"op": "domain_unused", "domain": domain.id, "unused": True})
                return
            if unused:
                self._record({"op": "domain_unused", "domain": domain.id, "unused": False})
                unused = False
            service_id = self.add_service(domain, reply)
            self.ask_questions(service_id, revisit=False)
            more = self._choice(t("audit.q.another"), [("yes", t("audit.yes")), ("no", t("audit.no"))], default="no")
            if more != "yes":
                return

    def _resolve(self, typed: str) -> tuple[str, str | None, dict[str, Any]]:
        """Supplier, product and catalog fields from what the user typed, confirmed with them."""
        if self.catalog is None:
            return typed, None, {}
        offer = self.catalog.match_offer(typed)
        supplier = self.catalog.match_supplier(typed)
        candidates: list[tuple[str, str]] = []
        for match, kind in ((offer, "offer"), (supplier, "supplier")):
            ids = [match.id] if match.status == "matched" and match.id else list(match.candidates)
            for entry in ids:
                candidates.append((f"{kind}:{entry}", self._label(kind, entry)))
        if not candidates:
            self.asker.show(t("audit.not_in_catalog", name=typed))
            return typed, None, {}
        candidates.append(("none", t("audit.none_of_these")))
        chosen = self._choice(t("audit.q.which", name=typed), candidates, default=candidates[0][0])
        if chosen in ("none", LATER, BACK, DONT_KNOW, NOT_APPL):
            return typed, None, {}
        kind, entry = chosen.split(":", 1)
        if kind == "offer":
            owner = self.catalog.supplier_of(entry)
            offer_model = self.catalog.offers[entry][1]
            self._show_facts(owner.id, entry)
            return owner.display_name, offer_model.name, {"catalog": {"supplier": owner.id, "offer": entry}}
        owner = self.catalog.suppliers[entry]
        self._show_facts(owner.id, None)
        return owner.display_name, None, {"catalog": {"supplier": owner.id}}

    def _label(self, kind: str, entry: str) -> str:
        if self.catalog is None:
            return entry
        if kind == "offer":
            return f"{self.catalog.offers[entry][1].name} ({self.catalog.supplier_of(entry).display_name})"
        return self.catalog.suppliers[entry].display_name

    def _show_facts(self, supplier_id: str, offer_id: str | None) -> None:
        """What the catalog knows, with sources and dates, before the user relies on it."""
        from sovdiag import formatting as fmt

        if self.catalog is None:
            return
        supplier = self.catalog.suppliers[supplier_id]
        offer = self.catalog.offers[offer_id][1] if offer_id else None
        for name, fact in self.catalog.facts(supplier, offer):
            if fact.unknown or name.startswith("supplier.identifiers"):
                continue
            value = fact_text(fact.value)
            self.asker.show(
                "  "
                + t(
                    "audit.fact",
                    name=t(f"fact.{name.split('.', 1)[1]}"),
                    value=value,
                    source=fact.source,
                    checked=fmt.long_date(fact.checked, self.lang),
                )
            )

    def add_service(self, domain: Domain, typed: str) -> str:
        supplier, product, extra = self._resolve(typed)
        if not extra:
            supplier = self._text(t("audit.q.supplier"), default=supplier)
            product = self._text(t("audit.q.product"), default=typed if typed != supplier else None) or None
            extra.update(self.ask_supplier_facts(supplier))
        taken = {s.get("id") for s in self.store.services()}
        base = slug(f"{domain.id}-{product or supplier}")
        service_id, n = base, 2
        while service_id in taken:
            service_id, n = f"{base}-{n}", n + 1
        name = self._text(t("audit.q.service_name"), default=f"{domain.label.get(self.lang)} — {product or supplier}")
        deployments = [(d.value, t(f"deployment.{d.value}")) for d in Deployment]
        default_deployment = None
        offer_id = (extra.get("catalog") or {}).get("offer")
        if self.catalog is not None and offer_id:
            modes = self.catalog.offers[offer_id][1].deployment
            default_deployment = modes[0].value if len(modes) == 1 else None
        deployment = None
        while deployment not in {d.value for d in Deployment}:
            deployment = self._choice(t("audit.q.deployment"), deployments, default=default_deployment)
        data = self._choice(
            t("audit.q.data"), [(c.value, t(f"data.{c.value}")) for c in DataCategory], default="", multiple=True
        )
        categories = [c for c in data.replace(",", " ").split() if c in {x.value for x in DataCategory}] if data else []
        criticality = None
        while criticality not in {c.value for c in Criticality}:
            criticality = self._choice(
                t("audit.q.criticality"),
                [(c.value, t(f"criticality.{c.value}")) for c in Criticality],
                help=t("audit.help.criticality"),
            )
        fields: dict[str, Any] = {
            "name": name,
            "domain": domain.id,
            "supplier": supplier,
            "product": product,
            "deployment": deployment,
            "data_categories": categories,
            "criticality": criticality,
            **extra,
        }
        end = self._text(t("audit.q.contract_end"), pattern=r"\d{4}-\d{2}-\d{2}", expected=t("expected.date"))
        if end:
            contract: dict[str, Any] = {"end": dt.date.fromisoformat(end)}
            notice = self._text(t("audit.q.notice"), pattern=r"\d{1,3}", expected=t("expected.integer"))
            cost = self._text(t("audit.q.cost"), pattern=r"\d+([.,]\d+)?", expected=t("expected.number"))
            if notice:
                contract["notice_months"] = int(notice)
            if cost:
                contract["annual_cost"] = float(cost.replace(",", "."))
            fields["contract"] = contract
        self._record({"op": "service", "id": service_id, "fields": fields})
        self.asker.show(t("audit.service_added", id=service_id))
        return service_id

    def ask_supplier_facts(self, supplier: str) -> dict[str, Any]:
        """Once per unknown supplier: the facts the catalog would have given, reused for its other services."""
        for raw in self.store.services():
            if raw.get("supplier") == supplier and (raw.get("supplier_country") or raw.get("ultimate_parent_country")):
                return {
                    k: raw.get(k)
                    for k in ("supplier_country", "ultimate_parent", "ultimate_parent_country")
                    if raw.get(k)
                }
        self.asker.show(t("audit.new_supplier", supplier=supplier))
        country = self._text(
            t("audit.q.supplier_country"), pattern=r"[A-Za-z]{2}", expected=t("audit.expected.country")
        )
        parent = self._text(t("audit.q.parent"))
        parent_country = ""
        if parent:
            parent_country = self._text(
                t("audit.q.parent_country"), pattern=r"[A-Za-z]{2}", expected=t("audit.expected.country")
            )
        facts = {
            "supplier_country": country.upper() or None,
            "ultimate_parent": parent or None,
            "ultimate_parent_country": parent_country.upper() or None,
        }
        return {k: v for k, v in facts.items() if v}

    # ------------------------------------------------------------------ framework questions

    def _catalog_suggestion(self, service: Service, criterion_id: str) -> tuple[str, str] | None:
        """(answer, note) the catalog's facts give for this question, if any."""
        if self.catalog is None:
            return None
        from sovdiag.enrich import enrich
        from sovdiag.models import Collectivite, Diagnostic, Inventory

        probe = Inventory(
            collectivite=Collectivite(name="x", kind=CollectiviteKind.commune),
            diagnostic=Diagnostic(conducted_by="x", date=self.today),
            services=[service.model_copy(update={"answers": {}})],
        )
        _, record = enrich(probe, self.framework, self.catalog)
        found = record.answers.get(service.id, {}).get(criterion_id)
        if found is None:
            return None
        fact = found.facts[0] if found.facts else None
        note = found.explanation_en if self.lang == "en" else found.explanation_fr
        if fact is not None:
            note += " " + t("audit.source", source=fact.source or "—", checked=fact.checked)
        return found.answer, note

    def ask_questions(self, service_id: str, revisit: bool) -> None:
        history: list[str] = []
        asked: set[str] = set()
        while True:
            raw = self.store.service(service_id)
            service = self._model(raw) if raw is not None else None
            if service is None:
                return
            pending = [c for c in self.applicable(service) if c not in asked and (revisit or c not in service.answers)]
            if not pending:
                return
            criterion_id = pending[0]
            criterion = self.framework.criteria[criterion_id]
            current = service.answers.get(criterion_id)
            suggestion = None if current else self._catalog_suggestion(service, criterion_id)
            default = current.answer if current else (suggestion[0] if suggestion else None)
            self.asker.header(self.progress(f"{service.name} — {criterion_id}"))
            reply = self._choice(
                f"{criterion_id} {criterion.question.get(self.lang)}",
                [(o.id, o.label.get(self.lang)) for o in criterion.options],
                default=default,
                help=criterion.help.get(self.lang),
                allow_back=bool(history),
                allow_unknown=True,
                allow_not_applicable=True,
                default_note=suggestion[1] if suggestion else "",
            )
            if reply == BACK:
                if history:
                    previous = history.pop()
                    asked.discard(previous)
                    self._record({"op": "answer", "service": service_id, "criterion": previous, "answer": None})
                continue
            asked.add(criterion_id)
            if reply == LATER:
                continue
            answer = {DONT_KNOW: UNKNOWN, NOT_APPL: NOT_APPLICABLE}.get(reply, reply)
            operation: dict[str, Any] = {
                "op": "answer",
                "service": service_id,
                "criterion": criterion_id,
                "answer": answer,
            }
            if suggestion and answer == suggestion[0]:
                operation["evidence"] = t("audit.catalog_evidence", note=suggestion[1])
            elif current is not None and answer == current.answer:
                operation.update({"comment": current.comment, "evidence": current.evidence})
            self._record(operation)
            history.append(criterion_id)


def missing_report(session: AuditSession) -> list[str]:
    """What an audit without a terminal could not complete: one line per gap."""
    lines = []
    data = session.store.document
    if not session._profile_complete():
        lines.append(t("audit.missing.profile"))
    used = {s.get("domain") for s in session.store.services()}
    unused = set(data.get("domains_not_used") or [])
    for domain in session.checklist():
        if domain.id not in used and domain.id not in unused:
            lines.append(t("audit.missing.domain", domain=domain.label.get(session.lang), id=domain.id))
    for raw in session.store.services():
        service = session._model(raw)
        if service is None:
            continue
        open_, _ = session.open_questions(service)
        if open_:
            lines.append(t("audit.missing.questions", service=service.id, count=len(open_), ids=", ".join(open_)))
    return lines


def infer_catalog_refs(session: AuditSession) -> int:
    """Record the catalog entry of services whose names match exactly one entry (no question asked)."""
    if session.catalog is None:
        return 0
    from sovdiag.catalog import match_service

    recorded = 0
    for raw in session.store.services():
        service = session._model(raw)
        if service is None or service.catalog is not None:
            continue
        match = match_service(service, session.catalog)
        if match.status == "matched" and match.supplier:
            ref = {"supplier": match.supplier, **({"offer": match.offer} if match.offer else {})}
            session._record({"op": "service", "id": service.id, "fields": {"catalog": ref}})
            recorded += 1
    return recorded


__all__ = ["AuditSession"]
