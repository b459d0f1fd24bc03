"""The catalog of suppliers and offers: loading, local overrides, name matching, facts as answers.

Facts are data (``questionnaires/catalog/*.yaml``), each with its source and the date it was
checked. A collectivité or a consultant can add or correct entries in a local file (``--catalog``):
its suppliers and offers replace the built-in ones field by field, and every fact remembers where
it comes from, so results and reports show what was overridden. Names typed by people or found in
imports are matched after normalisation (case, accents, punctuation, legal suffixes) against names
and aliases; several candidates make a match *ambiguous* and none makes it *unmatched*: both are
reported, never resolved by guessing.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sovdiag.errors import Problem, ValidationFailed
from sovdiag.messages import translate as t
from sovdiag.models import (
    EU_EEA,
    Alternative,
    CatalogFile,
    CatalogIndex,
    Fact,
    Offer,
    Service,
    Supplier,
    SupplierRole,
)
from sovdiag.resources import questionnaires_dir
from sovdiag.validation import PathPart, collect_model_problems, render_path, validate_model
from sovdiag.yamlio import LineLocator, load_yaml, read_text

BUILTIN = "builtin"
INDEX_FILE = "index.yaml"

# Legal forms and group words that people add or drop when they type a company name.
LEGAL_WORDS = frozenset(
    {
        "sas",
        "sasu",
        "sa",
        "sarl",
        "eurl",
        "scop",
        "scic",
        "sca",
        "sci",
        "snc",
        "gie",
        "gip",
        "selarl",
        "inc",
        "incorporated",
        "corp",
        "corporation",
        "co",
        "company",
        "ltd",
        "limited",
        "llc",
        "llp",
        "plc",
        "gmbh",
        "ag",
        "kg",
        "se",
        "bv",
        "nv",
        "spa",
        "srl",
        "oy",
        "oyj",
        "ab",
        "kk",
        "groupe",
        "group",
        "holding",
        "holdings",
    }
)


def normalise(name: str) -> str:
    """Lowercase, without accents, punctuation or legal suffixes: « Berger-Levrault S.A. » -> « berger levrault »."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = "".join(c if c.isalnum() else " " for c in text.replace(".", ""))
    words = text.split()
    kept = [w for w in words if w not in LEGAL_WORDS]
    return " ".join(kept or words)


@dataclass(frozen=True)
class Match:
    """How a name was matched: ``matched`` (one entry), ``ambiguous`` or ``unmatched``."""

    status: str
    id: str | None = None
    candidates: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()


@dataclass
class Catalog:
    index: CatalogIndex
    suppliers: dict[str, Supplier]
    offers: dict[str, tuple[str, Offer]]  # offer id -> (supplier id, offer)
    origins: dict[str, str] = field(default_factory=dict)  # "supplier:x" / "offer:y" -> builtin | local file
    _supplier_names: dict[str, set[str]] = field(default_factory=dict)
    _offer_names: dict[str, set[str]] = field(default_factory=dict)
    # Name -> match, per catalog: an inventory names the same few suppliers hundreds of times, and
    # an unmatched name costs a fuzzy search for suggestions.
    _matches: dict[tuple[str, str, str | None], Match] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.reindex()

    def reindex(self) -> None:
        self._supplier_names = {}
        self._offer_names = {}
        self._matches = {}
        for supplier in self.suppliers.values():
            for name in (supplier.name, supplier.display_name, supplier.id.replace("-", " "), *supplier.aliases):
                self._supplier_names.setdefault(normalise(name), set()).add(supplier.id)
            for offer in supplier.offers:
                # « Outscale IaaS (qualifié SecNumCloud) » is also found as « Outscale IaaS ».
                for name in (offer.name, *offer.aliases):
                    for variant in name_variants(name)[:2]:
                        self._offer_names.setdefault(normalise(variant), set()).add(offer.id)

    # ------------------------------------------------------------------ lookups

    def supplier_of(self, offer_id: str) -> Supplier:
        return self.suppliers[self.offers[offer_id][0]]

    def origin(self, kind: str, entry_id: str) -> str:
        return self.origins.get(f"{kind}:{entry_id}", BUILTIN)

    def match_supplier(self, name: str) -> Match:
        key = ("supplier", name, None)
        found = self._matches.get(key)
        if found is None:
            found = _first(_match(normalise(v), self._supplier_names) for v in name_variants(name))
            self._matches[key] = found
        return found

    def match_offer(self, name: str, supplier_id: str | None = None) -> Match:
        key = ("offer", name, supplier_id)
        found = self._matches.get(key)
        if found is None:
            found = self._match_offer(name, supplier_id)
            self._matches[key] = found
        return found

    def _match_offer(self, name: str, supplier_id: str | None) -> Match:
        names = self._offer_names
        if supplier_id is not None:
            own = {o.id for o in self.suppliers[supplier_id].offers}
            restricted = {k: ids & own for k, ids in names.items() if ids & own}
            found = _first(_match(normalise(v), restricted) for v in name_variants(name))
            if found.status != "unmatched":
                return found
        return _first(_match(normalise(v), names) for v in name_variants(name))

    def search(self, text: str, limit: int = 20) -> list[tuple[str, str, str]]:
        """(kind, id, label) of the entries whose names contain the text (normalised), best first."""
        key = normalise(text)
        hits: list[tuple[int, str, str, str]] = []
        for supplier in self.suppliers.values():
            names = [normalise(n) for n in (supplier.name, supplier.display_name, *supplier.aliases)]
            if any(key in n for n in names):
                hits.append((0 if key in names else 1, "supplier", supplier.id, supplier.display_name))
            for offer in supplier.offers:
                names = [normalise(n) for n in (offer.name, *offer.aliases)]
                if any(key in n for n in names):
                    label = f"{offer.name} ({supplier.display_name})"
                    hits.append((0 if key in names else 1, "offer", offer.id, label))
        hits.sort(key=lambda h: (h[0], h[3].casefold()))
        return [(kind, entry_id, label) for _, kind, entry_id, label in hits[:limit]]

    def facts(self, supplier: Supplier, offer: Offer | None = None) -> Iterator[tuple[str, Fact[Any]]]:
        """Every fact of a supplier (and of one offer), with its dotted name."""
        for name in ("head_office_country", "ultimate_parent", "ultimate_parent_country", "listed"):
            fact = getattr(supplier, name)
            if fact is not None:
                yield f"supplier.{name}", fact
        for key, fact in supplier.identifiers.items():
            yield f"supplier.identifiers.{key}", fact
        if offer is not None:
            yield from self.offer_facts(offer)

    def offer_facts(self, offer: Offer) -> Iterator[tuple[str, Fact[Any]]]:
        """Every fact of one offer (not of its supplier), with its dotted name."""
        for name in (
            "hosting_locations",
            "hosting_provider",
            "licence",
            "self_hostable",
            "export_formats",
            "apis",
            "in_sill",
        ):
            fact = getattr(offer, name)
            if fact is not None:
                yield f"offer.{name}", fact


# A version at the end of a product name: « Moodle 4.5 », « Drupal 10 », « Bareos v23 ». Not a
# 3- or 4-digit number, which is part of names like « Microsoft 365 » or « Office 2019 ».
TRAILING_VERSION = re.compile(r"\s+(?:v?\d+(?:\.\d+)+|v\d+|\d{1,2})$", re.IGNORECASE)


def name_variants(name: str) -> list[str]:
    """The name as typed, then without its parenthesis, then what the parenthesis holds:
    « Broadcom (VMware) » is tried as itself, « Broadcom », then « VMware »; last, without a
    trailing version number: « Moodle 4.5 » as « Moodle »."""
    variants = [name]
    if "(" in name and ")" in name:
        head, _, rest = name.partition("(")
        inside = rest.partition(")")[0]
        variants += [v for v in (head.strip(), inside.strip()) if v]
    unversioned = TRAILING_VERSION.sub("", name).strip()
    if unversioned and unversioned != name:
        variants.append(unversioned)
    return variants


def _first(matches: Iterator[Match]) -> Match:
    """The first definite match; else the first ambiguity; else the first (unmatched) answer."""
    seen = list(matches)
    for status in ("matched", "ambiguous"):
        for match in seen:
            if match.status == status:
                return match
    return seen[0]


def _match(key: str, names: dict[str, set[str]]) -> Match:
    ids = names.get(key, set())
    if len(ids) == 1:
        return Match("matched", next(iter(ids)))
    if len(ids) > 1:
        return Match("ambiguous", candidates=tuple(sorted(ids)))
    close = difflib.get_close_matches(key, list(names), n=3, cutoff=0.85)
    suggestions = tuple(sorted({i for c in close for i in names[c]}))
    return Match("unmatched", suggestions=suggestions)


# ---------------------------------------------------------------------------------- loading


def catalog_dir() -> Path:
    return questionnaires_dir() / "catalog"


def _read_file(path: Path) -> tuple[CatalogFile | None, list[Problem], LineLocator]:
    text = read_text(path)
    locator = LineLocator(text)
    data = load_yaml(text, str(path), "catalog")
    model, problems = collect_model_problems(CatalogFile, data, str(path), locator)
    return model, problems, locator


def load_catalog(local: Path | None = None, domains: set[str] | None = None) -> Catalog:
    """The built-in catalog, with a local catalog file merged over it when one is given."""
    folder = catalog_dir()
    index_path = folder / INDEX_FILE
    index_text = read_text(index_path)
    index = validate_model(
        CatalogIndex, load_yaml(index_text, str(index_path), "catalog"), index_text, str(index_path), "catalog"
    )
    suppliers: dict[str, Supplier] = {}
    offers: dict[str, tuple[str, Offer]] = {}
    problems: list[Problem] = []
    for path in sorted(folder.glob("*.yaml")):
        if path.name == INDEX_FILE:
            continue
        model, found, locator = _read_file(path)
        problems += found
        if model is not None:
            problems += _add_entries(model, suppliers, offers, str(path), locator, domains)
    if problems:
        raise ValidationFailed(str(folder), problems, "catalog")
    catalog = Catalog(index, suppliers, offers)
    problems = _check_references(catalog, str(folder))
    if problems:
        raise ValidationFailed(str(folder), problems, "catalog")
    if local is not None:
        merge_local(catalog, local, domains)
    return catalog


def _add_entries(
    model: CatalogFile,
    suppliers: dict[str, Supplier],
    offers: dict[str, tuple[str, Offer]],
    file: str,
    locator: LineLocator,
    domains: set[str] | None,
) -> list[Problem]:
    problems: list[Problem] = []

    def problem(where: list[PathPart], message: str) -> None:
        problems.append(Problem(file, message, path=render_path(where), line=locator.line_of(where)))

    for i, supplier in enumerate(model.suppliers):
        if supplier.id in suppliers:
            problem(["suppliers", i, "id"], t("problem.duplicate_id", id=supplier.id))
            continue
        suppliers[supplier.id] = supplier
        for k, offer in enumerate(supplier.offers):
            if offer.id in offers:
                problem(["suppliers", i, "offers", k, "id"], t("problem.duplicate_id", id=offer.id))
                continue
            offers[offer.id] = (supplier.id, offer)
            for domain in offer.domains:
                if domains is not None and domain not in domains:
                    problem(
                        ["suppliers", i, "offers", k, "domains"], t("problem.unknown_domain", domain=domain, hint="")
                    )
    return problems


def _check_references(catalog: Catalog, file: str) -> list[Problem]:
    """Alternatives written as ids must name offers that exist."""
    problems = []
    for supplier in catalog.suppliers.values():
        for offer in supplier.offers:
            for alternative in offer.alternatives:
                target = alternative.offer
                looks_like_id = target == target.lower() and " " not in target and "-" in target
                if looks_like_id and target not in catalog.offers:
                    problems.append(
                        Problem(file, t("problem.unknown_offer_ref", offer=target), path=f"{offer.id}.alternatives")
                    )
    return problems


def merge_local(catalog: Catalog, path: Path, domains: set[str] | None = None) -> None:
    """Merge a local catalog file over the catalog: fields it gives replace the built-in ones."""
    model, problems, locator = _read_file(path)
    if model is None or problems:
        raise ValidationFailed(str(path), problems, "catalog")
    origin = f"local:{path.name}"
    for i, local in enumerate(model.suppliers):
        base = catalog.suppliers.get(local.id)
        if base is None:
            merged = local
        else:
            given = local.model_dump(exclude_unset=True)
            given.pop("offers", None)
            merged = base.model_copy(update={k: getattr(local, k) for k in given})
            offers = {o.id: o for o in base.offers}
            for offer in local.offers:
                previous = offers.get(offer.id)
                offers[offer.id] = (
                    previous.model_copy(update={k: getattr(offer, k) for k in offer.model_dump(exclude_unset=True)})
                    if previous is not None
                    else offer
                )
            merged = merged.model_copy(update={"offers": list(offers.values())})
        catalog.origins[f"supplier:{local.id}"] = origin
        for offer in local.offers:
            owner = catalog.offers.get(offer.id)
            if owner is not None and owner[0] != local.id:
                where: list[PathPart] = ["suppliers", i, "id"]
                raise ValidationFailed(
                    str(path),
                    [
                        Problem(
                            str(path),
                            t("problem.offer_moved", offer=offer.id, supplier=owner[0]),
                            path=render_path(where),
                            line=locator.line_of(where),
                        )
                    ],
                    "catalog",
                )
            catalog.origins[f"offer:{offer.id}"] = origin
        catalog.suppliers[local.id] = merged
        for offer in merged.offers:
            catalog.offers[offer.id] = (local.id, offer)
            for domain in offer.domains:
                if domains is not None and domain not in domains:
                    raise ValidationFailed(
                        str(path), [Problem(str(path), t("problem.unknown_domain", domain=domain, hint=""))], "catalog"
                    )
    catalog.reindex()


# ---------------------------------------------------------------------------------- services


@dataclass(frozen=True)
class ServiceMatch:
    """What the catalog knows about one service of the inventory."""

    service: str
    status: str  # matched | ambiguous | unmatched | pinned | unlisted
    supplier: str | None
    offer: str | None
    candidates: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()


def match_service(service: Service, catalog: Catalog) -> ServiceMatch:
    """Find the service's supplier and offer: the inventory's explicit ``catalog`` ids first, then names."""
    pinned = service.catalog
    if pinned is not None:
        if pinned.unlisted:
            return ServiceMatch(service.id, "unlisted", None, None)
        supplier = pinned.supplier or (catalog.offers[pinned.offer][0] if pinned.offer in catalog.offers else None)
        return ServiceMatch(service.id, "pinned", supplier, pinned.offer)
    by_supplier = catalog.match_supplier(service.supplier)
    supplier_id = by_supplier.id if by_supplier.status == "matched" else None
    offer_id = None
    if service.product:
        by_offer = catalog.match_offer(service.product, supplier_id)
        if by_offer.status == "matched" and by_offer.id is not None:
            offer_id = by_offer.id
            owner = catalog.offers[offer_id][0]
            if supplier_id is None and by_supplier.status == "unmatched":
                supplier_id = owner
            elif supplier_id is not None and owner != supplier_id:
                offer_id = None  # the product belongs to another supplier: do not mix them up
    if supplier_id is None and by_supplier.status == "unmatched":
        # People sometimes type the product where the supplier goes ("Office 365").
        as_offer = catalog.match_offer(service.supplier)
        if as_offer.status == "matched" and as_offer.id is not None:
            offer_id = as_offer.id
            supplier_id = catalog.offers[offer_id][0]
    if supplier_id is not None:
        return ServiceMatch(service.id, "matched", supplier_id, offer_id)
    return ServiceMatch(service.id, by_supplier.status, None, None, by_supplier.candidates, by_supplier.suggestions)


def fact_value(fact: Fact[Any] | None) -> Any:
    return fact.value if fact is not None and not fact.unknown else None


def fact_text(value: Any) -> str:
    """A fact's value as people read it: « FR, DE » for a list, nothing for no value."""
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return "" if value is None else str(value)


@dataclass(frozen=True)
class Controller:
    """Who controls a catalog supplier, and the fact it rests on."""

    name: str
    country: str | None
    fact: Fact[Any] | None


def catalog_controller(supplier: Supplier) -> Controller:
    """The supplier's ultimate controller per the catalog. A head office outside the EU/EEA is enough
    to say the control is outside; inside, the ultimate parent must be known. The steward of a
    free-software project controls the project, not the service: whoever runs the software does."""
    if supplier.role == SupplierRole.steward:
        return Controller(supplier.display_name, None, None)
    parent = fact_value(supplier.ultimate_parent)
    itself = parent is None or normalise(parent) in {normalise(supplier.name), normalise(supplier.display_name)}
    # A company at the top of its own group is named as people know it (« Microsoft »).
    label = supplier.display_name if itself else parent
    parent_country = fact_value(supplier.ultimate_parent_country)
    if parent_country is not None:
        return Controller(label, parent_country, supplier.ultimate_parent_country)
    head = fact_value(supplier.head_office_country)
    if parent is not None and itself:
        return Controller(label, head, supplier.head_office_country)
    if head is not None and head not in EU_EEA:
        return Controller(label, head, supplier.head_office_country)
    return Controller(label, None, None)


def is_stale(dated: dt.date, day: dt.date, max_age: int) -> bool:
    """Whether an entry whose information dates from ``dated`` is to be checked again on ``day``."""
    return (day - dated).days > max_age


def describe_alternative(alt: Alternative, catalog: Catalog, lang: str, day: dt.date, max_age: int) -> str:
    """« name — reason (source, vérifié le …) [information datant du …] [à revérifier] »."""
    from sovdiag import formatting as fmt

    name = catalog.offers[alt.offer][1].name if alt.offer in catalog.offers else alt.offer
    line = t(
        "explain.alternative",
        name=name,
        reason=alt.reason.get(lang),
        source=alt.source,
        checked=fmt.long_date(alt.checked, lang),
    )
    return line + dating_marks(alt.as_of, alt.checked, day, max_age, lang)


def dating_marks(as_of: dt.date | None, checked: dt.date, day: dt.date, max_age: int, lang: str) -> str:
    """« [information datant du …] [à revérifier] »: the date of a catalog entry read in an older
    source, and the flag of an entry older than ``max_age`` days on ``day``."""
    from sovdiag import formatting as fmt

    marks = [t("explain.fact_as_of", as_of=fmt.long_date(as_of, lang))] if as_of else []
    if is_stale(as_of or checked, day, max_age):
        marks.append(t("explain.fact_stale"))
    return "".join(" " + mark for mark in marks)


# ---------------------------------------------------------------------------------- exports

FACT_COLUMNS = ["supplier", "offer", "fact", "value", "unknown", "source", "checked", "as_of", "origin", "note"]


def fact_rows(catalog: Catalog) -> list[list[str]]:
    """One row per fact (certifications and alternatives included): the spreadsheet view."""
    rows: list[list[str]] = []

    def row(supplier: Supplier, offer: Offer | None, name: str, fact: Fact[Any]) -> None:
        text = fact_text(fact.value)
        origin = catalog.origin("offer", offer.id) if offer else catalog.origin("supplier", supplier.id)
        rows.append(
            [
                supplier.id,
                offer.id if offer else "",
                name,
                text,
                "yes" if fact.unknown else "",
                fact.source or "",
                fact.checked.isoformat(),
                fact.as_of.isoformat() if fact.as_of else "",
                origin,
                fact.note or "",
            ]
        )

    for supplier in sorted(catalog.suppliers.values(), key=lambda s: s.id):
        for name, fact in catalog.facts(supplier):
            row(supplier, None, name, fact)
        for offer in supplier.offers:
            for name, fact in catalog.offer_facts(offer):
                row(supplier, offer, name, fact)
            origin = catalog.origin("offer", offer.id)
            for cert in offer.certifications:
                rows.append(
                    [
                        supplier.id,
                        offer.id,
                        f"offer.certifications.{cert.scheme.value}",
                        cert.scope,
                        "",
                        cert.source,
                        cert.checked.isoformat(),
                        "",
                        origin,
                        cert.note or "",
                    ]
                )
            for alt in offer.alternatives:
                rows.append(
                    [
                        supplier.id,
                        offer.id,
                        "offer.alternative",
                        alt.offer,
                        "",
                        alt.source,
                        alt.checked.isoformat(),
                        alt.as_of.isoformat() if alt.as_of else "",
                        origin,
                        alt.reason.fr,
                    ]
                )
    return rows


def export_csv(catalog: Catalog) -> str:
    from sovdiag.spreadsheet import to_csv

    return to_csv(FACT_COLUMNS, fact_rows(catalog))


def export_json(catalog: Catalog) -> str:
    import json

    data = {
        "version": catalog.index.version,
        "date": catalog.index.date.isoformat(),
        "suppliers": [
            s.model_dump(mode="json", exclude_none=True) for s in sorted(catalog.suppliers.values(), key=lambda s: s.id)
        ],
        "origins": dict(sorted(catalog.origins.items())),
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def fact_counts(catalog: Catalog) -> dict[str, int]:
    rows = fact_rows(catalog)
    return {
        "suppliers": len(catalog.suppliers),
        "offers": len(catalog.offers),
        "facts": sum(1 for r in rows if not r[4]),
        "unknown": sum(1 for r in rows if r[4]),
    }
