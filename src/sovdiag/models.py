"""The data model: inventory, framework and domain checklist, validated by pydantic.

Why pydantic: one declaration gives validation with key paths, defaults and the JSON Schema that
editors use to validate and autocomplete the YAML files. Unknown keys are errors everywhere
(``extra="forbid"``): a misspelt key must not be silently ignored.

Checks that need more than one field or another file (duplicate ids, domains known to the
checklist, answers known to the framework) live in ``inventory.py`` and ``framework.py``, where
they can report every problem with its line.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

IDENTIFIER = r"^[a-z0-9][a-z0-9_.\-]*$"
MAX_ID_LENGTH = 80  # service and domain identifiers
# ISO 3166-1 alpha-2. « EU », « UK » and « EL » look like country codes but are not: « EU » would
# be counted as outside the EU/EEA, so the countries must be named.
COUNTRY = r"^(?:[A-DF-TV-Z][A-Z]|E[A-KM-TV-Z]|U[A-JL-Z])$"  # two letters, but not EU, EL or UK

# EU member states and the other EEA states: "EU" in the Commission's framework means EU/EEA.
EU_EEA = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
        "IS",
        "LI",
        "NO",
    ]
)
CRITERION_ID = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"

# Answer values every criterion accepts besides its own options.
UNKNOWN = "unknown"
NOT_APPLICABLE = "not_applicable"
RESERVED_ANSWERS = (UNKNOWN, NOT_APPLICABLE)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=False)


# --------------------------------------------------------------------------- vocabularies


class CollectiviteKind(StrEnum):
    commune = "commune"
    epci = "epci"
    departement = "departement"
    region = "region"
    collectivite_unique = "collectivite_unique"  # Corse, Guyane, Martinique, Paris...
    syndicat = "syndicat"
    etablissement_public = "etablissement_public"  # CCAS, CDG, SDIS, office de tourisme...


class EpciKind(StrEnum):
    metropole = "metropole"
    communaute_urbaine = "communaute_urbaine"
    communaute_agglomeration = "communaute_agglomeration"
    communaute_communes = "communaute_communes"
    etablissement_public_territorial = "etablissement_public_territorial"


class Deployment(StrEnum):
    saas = "saas"  # software used as a service from the supplier's platform
    hosted = "hosted"  # the collectivité's software run by a third party (infogérance, hébergeur)
    on_premises = "on_premises"  # run on the collectivité's own servers or workstations
    iaas_paas = "iaas_paas"  # infrastructure or platform rented from a cloud provider


class DataCategory(StrEnum):
    public = "public"  # open or published data
    internal = "internal"  # internal documents without personal data
    personal = "personal"  # personal data (GDPR)
    sensitive_personal = "sensitive_personal"  # GDPR art. 9 and 10 categories, social data
    health = "health"  # health data: hosting needs HDS certification (CSP L.1111-8)
    particular_sensitivity = "particular_sensitivity"  # "sensibilité particulière" (SREN art. 31)
    archives = "archives"  # public archives (Code du patrimoine)


class Criticality(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"


class Renewal(StrEnum):
    tacit = "tacit"
    express = "express"
    none = "none"


# --------------------------------------------------------------------------- inventory


class Collectivite(Strict):
    name: Annotated[str, Field(min_length=1, max_length=200, description="Nom officiel de la collectivité.")]
    kind: Annotated[CollectiviteKind, Field(description="Catégorie de la collectivité.")]
    epci_kind: Annotated[
        EpciKind | None,
        Field(description="Pour un EPCI : métropole, communauté urbaine, d'agglomération, de communes, EPT."),
    ] = None
    siren: Annotated[
        str | None, Field(pattern=r"^[0-9]{9}$", description="Numéro SIREN (9 chiffres, entre guillemets).")
    ] = None
    departement: Annotated[
        str | None,
        Field(
            pattern=r"^(0[1-9]|[1-8]\d|9[0-5]|2[AB]|97[1-6])$",
            description="Code du département (« 35 », « 2A », « 974 »), entre guillemets.",
        ),
    ] = None
    population: Annotated[int | None, Field(ge=0, le=100_000_000, description="Population municipale.")] = None
    agents: Annotated[int | None, Field(ge=0, le=1_000_000, description="Nombre d'agents.")] = None


class Diagnostic(Strict):
    conducted_by: Annotated[
        str, Field(min_length=1, max_length=200, description="Qui a mené le diagnostic (nom, fonction).")
    ]
    organisation: Annotated[
        str | None,
        Field(max_length=200, description="Organisation de l'auteur (service, cabinet de conseil…)."),
    ] = None
    date: Annotated[dt.date, Field(description="Date du diagnostic (AAAA-MM-JJ).")]
    framework: Annotated[
        str | None, Field(description="Identifiant du référentiel utilisé (par défaut celui livré).")
    ] = None


class Contract(Strict):
    reference: Annotated[str | None, Field(max_length=200, description="Référence du marché ou du contrat.")] = None
    start: Annotated[dt.date | None, Field(description="Date de début (AAAA-MM-JJ).")] = None
    end: Annotated[dt.date | None, Field(description="Date de fin ou d'échéance (AAAA-MM-JJ).")] = None
    notice_months: Annotated[
        int | None, Field(ge=0, le=120, description="Préavis de résiliation ou de non-reconduction, en mois.")
    ] = None
    renewal: Annotated[Renewal | None, Field(description="Reconduction : tacite, expresse ou aucune.")] = None
    annual_cost: Annotated[float | None, Field(ge=0, le=1e10, description="Coût annuel en euros TTC.")] = None


def _answer_shorthand(value: Any) -> Any:
    """Accept ``A1.1: entirely_eu`` as well as ``A1.1: {answer: entirely_eu, comment: …}``."""
    if isinstance(value, str):
        return {"answer": value}
    return value


class Answer(Strict):
    answer: Annotated[
        str,
        Field(
            min_length=1,
            max_length=100,
            description="Identifiant de l'option choisie, « unknown » (je ne sais pas) ou « not_applicable ».",
        ),
    ]
    comment: Annotated[str | None, Field(max_length=5000, description="Commentaire libre.")] = None
    evidence: Annotated[
        str | None, Field(max_length=1000, description="Référence de la preuve (document, article du contrat…).")
    ] = None


AnswerField = Annotated[Answer, BeforeValidator(_answer_shorthand, json_schema_input_type=str | Answer)]


class CatalogRef(Strict):
    """Which catalog entry the service is (set by the audit once the user has confirmed it)."""

    supplier: Annotated[str | None, Field(description="Identifiant du fournisseur dans le catalogue.")] = None
    offer: Annotated[str | None, Field(description="Identifiant de l'offre dans le catalogue.")] = None
    unlisted: Annotated[
        bool, Field(description="Vrai si le service n'est pas au catalogue (pas de rapprochement).")
    ] = False


class Service(Strict):
    id: Annotated[
        str,
        Field(
            pattern=IDENTIFIER,
            max_length=MAX_ID_LENGTH,
            description="Identifiant stable du service (minuscules, chiffres, « - », « _ », « . »).",
        ),
    ]
    name: Annotated[str, Field(min_length=1, max_length=200, description="Nom du service tel qu'il est connu.")]
    domain: Annotated[
        str, Field(min_length=1, max_length=MAX_ID_LENGTH, description="Domaine (voir questionnaires/domains.yaml).")
    ]
    supplier: Annotated[str, Field(min_length=1, max_length=200, description="Fournisseur ou éditeur.")]
    product: Annotated[str | None, Field(max_length=200, description="Produit ou offre.")] = None
    hosted_by: Annotated[
        str | None, Field(max_length=200, description="Hébergeur sous-jacent (pour un SaaS ou un hébergement).")
    ] = None
    supplier_country: Annotated[
        str | None, Field(pattern=COUNTRY, description="Pays du siège du fournisseur (code ISO à 2 lettres : FR, US…).")
    ] = None
    ultimate_parent: Annotated[
        str | None,
        Field(max_length=200, description="Société qui contrôle en dernier ressort le fournisseur (groupe, fonds)."),
    ] = None
    ultimate_parent_country: Annotated[
        str | None, Field(pattern=COUNTRY, description="Pays de cette société de contrôle (code ISO à 2 lettres).")
    ] = None
    hosted_by_country: Annotated[
        str | None,
        Field(pattern=COUNTRY, description="Pays de la société qui contrôle l'hébergeur (code ISO à 2 lettres)."),
    ] = None
    deployment: Annotated[Deployment, Field(description="Mode de déploiement.")]
    data_categories: Annotated[list[DataCategory], Field(description="Catégories de données traitées.")] = Field(
        default_factory=list
    )
    criticality: Annotated[Criticality, Field(description="Criticité pour la continuité du service public.")]
    users: Annotated[int | None, Field(ge=0, le=10_000_000, description="Nombre d'utilisateurs.")] = None
    contract: Contract | None = None
    catalog: Annotated[
        CatalogRef | None, Field(description="Rapprochement confirmé avec le catalogue (sinon : par les noms).")
    ] = None
    answers: Annotated[
        dict[Annotated[str, Field(pattern=CRITERION_ID)], AnswerField],
        Field(description="Réponses aux questions du référentiel, par identifiant de critère."),
    ] = Field(default_factory=dict)
    notes: Annotated[str | None, Field(max_length=20_000, description="Notes libres.")] = None
    confidential: Annotated[
        bool,
        Field(
            description="Vrai si ce service ne doit pas être partagé : « sovdiag anonymize » retire son nom, "
            "son fournisseur, son produit, son hébergeur et son contrat (le domaine et les scores restent)."
        ),
    ] = False


class Inventory(Strict):
    """A collectivité's inventory: its profile and its digital services."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        title="Inventaire sovdiag",
        json_schema_extra={"description": "Inventaire des services numériques d'une collectivité (sovdiag)."},
    )

    format_version: Annotated[Literal[1], Field(description="Version du format de fichier.")] = 1
    collectivite: Collectivite
    diagnostic: Diagnostic
    services: Annotated[list[Service], Field(max_length=20_000)] = Field(default_factory=list)
    domains_not_used: Annotated[
        list[str], Field(description="Domaines que la collectivité n'utilise pas (réponse « aucun » de l'audit).")
    ] = Field(default_factory=list)


# --------------------------------------------------------------------------- framework


class Text(Strict):
    fr: Annotated[str, Field(min_length=1)]
    en: Annotated[str, Field(min_length=1)]

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.fr


class Source(Strict):
    id: Annotated[str, Field(pattern=IDENTIFIER)]
    title: Annotated[str, Field(min_length=1)]
    publisher: str | None = None
    url: str | None = None
    document: str | None = None
    date: Annotated[dt.date | None, Field(description="Date of the document.")] = None
    checked: Annotated[dt.date, Field(description="Date the source was last checked.")]


class Reference(Strict):
    source: Annotated[str, Field(description="A source id, or « ours » for our own choice.")]
    ref: str | None = None
    note: str | None = None


class Option(Strict):
    id: Annotated[str, Field(pattern=IDENTIFIER)]
    label: Text
    value: Annotated[float, Field(ge=0, le=1, description="Share of the criterion's points (0 to 1).")]
    cap: Annotated[int | None, Field(ge=0, description="Highest level this answer allows; none = no cap.")] = None


class AnswerCondition(Strict):
    criterion: str
    in_: Annotated[list[str], Field(alias="in", min_length=1)]


class Condition(Strict):
    """One applicability test; a criterion applies when all its conditions hold."""

    deployment: list[Deployment] | None = None
    data_any: list[DataCategory] | None = None
    criticality: list[Criticality] | None = None
    answer: AnswerCondition | None = None


class Criterion(Strict):
    id: Annotated[str, Field(pattern=CRITERION_ID)]
    question: Text
    help: Text
    references: Annotated[list[Reference], Field(min_length=1)]
    layer: Literal["core", "expert"] = "core"
    weight: Annotated[float, Field(gt=0)] = 1.0
    applies_when: list[Condition] = Field(default_factory=list)
    catalog_fact: str | None = None
    options: Annotated[list[Option], Field(min_length=2)]


class Axis(Strict):
    id: Annotated[str, Field(pattern=CRITERION_ID)]
    objective: Annotated[str, Field(description="The Commission's sovereignty objective, e.g. SOV-1.")]
    name: Text
    description: Text
    criteria: Annotated[list[Criterion], Field(min_length=1)]


class Level(Strict):
    value: Annotated[int, Field(ge=0)]
    code: str
    name: Text
    description: Text


class WeightProfile(Strict):
    id: Annotated[str, Field(pattern=IDENTIFIER)]
    name: Text
    weights: dict[str, Annotated[float, Field(ge=0)]]
    rationale: Text
    references: Annotated[list[Reference], Field(min_length=1)]


class TargetRule(Strict):
    """Demand side: the level the listed axes should reach when the service matches ``when``."""

    id: Annotated[str, Field(pattern=IDENTIFIER)]
    name: Text
    reason: Text
    when: Condition
    level: Annotated[int, Field(ge=0)]
    axes: Annotated[list[str], Field(min_length=1)]
    references: Annotated[list[Reference], Field(min_length=1)]


class ScaleLevel(Strict):
    value: Annotated[int, Field(ge=1)]
    code: str
    name: Text


class GravityRule(Strict):
    level: Annotated[int, Field(ge=1)]
    when: Condition
    reason: Text


class RiskModel(Strict):
    """How answers become an EBIOS RM gravity × likelihood rating and a supplier threat index."""

    gravity_levels: Annotated[list[ScaleLevel], Field(min_length=2)]
    gravity_rules: Annotated[list[GravityRule], Field(min_length=1)]
    likelihood_levels: Annotated[list[ScaleLevel], Field(min_length=2)]
    likelihood_criteria: Annotated[list[str], Field(min_length=1)]
    likelihood_thresholds: Annotated[list[Annotated[float, Field(ge=0, le=1)]], Field(min_length=1)]
    risk_levels: Annotated[list[ScaleLevel], Field(min_length=2)]
    matrix: Annotated[
        list[list[int]], Field(min_length=2, description="Risk level per gravity row, likelihood column.")
    ]
    threat_zones: Annotated[dict[Literal["danger", "control"], float], Field(description="Lower bounds of the zones.")]
    references: Annotated[list[Reference], Field(min_length=1)]


class IndicatorCriteria(Strict):
    """Which answers the headline indicators read (so that they follow the framework's options)."""

    foreign_control: AnswerCondition
    alternative_identified: AnswerCondition
    exit_plan: AnswerCondition
    hard_to_replace: AnswerCondition
    data_outside_eu: AnswerCondition | None = None


class CatalogCondition(Strict):
    """A test on what the catalog knows of a service's supplier and offer; all given keys must hold."""

    controller_outside_eu: bool | None = None
    certification: list[str] | None = None  # any of these schemes held by the offer
    licence: list[str] | None = None
    hosting: Literal["eu_only", "outside_eu"] | None = None


class CatalogRule(Strict):
    """When the catalog's facts settle a criterion, the answer they give (first matching rule wins)."""

    criterion: str
    when: CatalogCondition
    answer: str
    explanation: Text


class Framework(Strict):
    id: Annotated[str, Field(pattern=IDENTIFIER)]
    version: Annotated[str, Field(min_length=1)]
    date: dt.date
    title: Text
    description: Text
    sources: Annotated[list[Source], Field(min_length=1)]
    levels: Annotated[list[Level], Field(min_length=2)]
    axes: Annotated[list[Axis], Field(min_length=1)]
    weight_profiles: Annotated[list[WeightProfile], Field(min_length=1)]
    default_profile: str
    targets: list[TargetRule] = Field(default_factory=list)
    risk: RiskModel | None = None
    indicators: IndicatorCriteria | None = None
    catalog_rules: list[CatalogRule] = Field(default_factory=list)


# --------------------------------------------------------------------------- measures and obligations


class MeasureTrigger(Strict):
    criterion: str
    answers: Annotated[list[str], Field(min_length=1)]


class Measure(Strict):
    """A measure of the action plan, proposed for a service when one of its triggers matches."""

    id: Annotated[str, Field(pattern=IDENTIFIER)]
    title: Text
    why: Text
    how: Text
    carried_by: Literal["collectivite", "supplier", "both"]
    effort: Literal["low", "medium", "high"]
    cost: Text | None = None
    horizon: Literal["immediate", "contract", "long"]
    effect: Text
    clause: Text | None = None
    triggers: Annotated[list[MeasureTrigger], Field(min_length=1)]
    applies_when: list[Condition] = Field(default_factory=list)
    references: Annotated[list[Reference], Field(min_length=1)]


class MeasureLibrary(Strict):
    version: str
    date: dt.date
    sources: list[Source]
    measures: Annotated[list[Measure], Field(min_length=1)]


class ServiceFilter(Strict):
    data_any: list[DataCategory] | None = None
    deployment: list[Deployment] | None = None
    criticality: list[Criticality] | None = None
    hosted_outside_eu: bool | None = None


class Applicability(Strict):
    kinds: list[CollectiviteKind] | None = None
    epci_kinds: list[EpciKind] | None = None
    population_min: Annotated[int | None, Field(ge=0)] = None
    population_max: Annotated[int | None, Field(ge=0)] = None
    services: ServiceFilter | None = None


class Obligation(Strict):
    id: Annotated[str, Field(pattern=IDENTIFIER)]
    title: Text
    summary: Text
    status: Literal["in_force", "adopted", "pending", "proposal", "guidance"]
    status_note: Text | None = None
    in_force_from: dt.date | None = None
    applies_to: Applicability = Field(default_factory=Applicability)
    services_note: Text | None = None
    references: Annotated[list[Reference], Field(min_length=1)]


class ObligationLibrary(Strict):
    version: str
    date: dt.date
    sources: list[Source]
    obligations: Annotated[list[Obligation], Field(min_length=1)]


# --------------------------------------------------------------------------- catalog

T = TypeVar("T")


AS_OF = (
    "Date of the information itself when the source is older than the day it was read (an archived "
    "dataset, an old article): the age of the fact counts from this date."
)


def _as_of_not_after_checked(as_of: dt.date | None, checked: dt.date) -> None:
    if as_of is not None and as_of > checked:
        raise ValueError("as_of (the date of the information) cannot be after checked (the day it was read)")


class Fact(Strict, Generic[T]):
    """A fact of the catalog: a value with the source it was read in and the date it was checked,
    or ``unknown: true`` with what was looked for. Never a value without a source."""

    value: T | None = None
    unknown: bool = False
    source: str | None = None
    checked: dt.date
    as_of: dt.date | None = Field(default=None, description=AS_OF)
    note: str | None = None

    @model_validator(mode="after")
    def _sourced(self) -> Fact[T]:
        if self.unknown:
            if self.value is not None:
                raise ValueError("an unknown fact has no value")
        elif self.value is None or not self.source:
            raise ValueError("a fact needs a value and its source, or unknown: true")
        _as_of_not_after_checked(self.as_of, self.checked)
        return self

    @property
    def dated(self) -> dt.date:
        """The date the fact's age counts from."""
        return self.as_of or self.checked


class CertificationScheme(StrEnum):
    secnumcloud = "secnumcloud"
    hds = "hds"
    iso27001 = "iso27001"
    iso27017 = "iso27017"
    iso27018 = "iso27018"
    c5 = "c5"
    eucs = "eucs"
    soc2 = "soc2"
    gaia_x = "gaia-x"
    pdis = "pdis"
    cspn = "cspn"
    other = "other"


class Certification(Strict):
    scheme: CertificationScheme
    scope: str
    date: dt.date | None = None
    source: Annotated[str, Field(min_length=1)]
    checked: dt.date
    note: str | None = None


class Alternative(Strict):
    offer: Annotated[str, Field(min_length=1, description="An offer id of the catalog, or a plain name.")]
    reason: Text
    source: Annotated[str, Field(min_length=1)]
    checked: dt.date
    as_of: dt.date | None = Field(default=None, description=AS_OF)
    note: str | None = None

    @model_validator(mode="after")
    def _dated(self) -> Alternative:
        _as_of_not_after_checked(self.as_of, self.checked)
        return self

    @property
    def dated(self) -> dt.date:
        return self.as_of or self.checked


class Licence(StrEnum):
    proprietary = "proprietary"
    open_source = "open_source"
    source_available = "source_available"


class Offer(Strict):
    id: Annotated[str, Field(pattern=IDENTIFIER)]
    name: Annotated[str, Field(min_length=1)]
    aliases: list[str] = Field(default_factory=list)
    domains: list[str] = Field(default_factory=list)
    deployment: list[Deployment] = Field(default_factory=list)
    hosting_locations: Fact[list[Annotated[str, Field(pattern=COUNTRY)]]] | None = None
    hosting_provider: Fact[str] | None = None
    certifications: list[Certification] = Field(default_factory=list)
    licence: Fact[Licence] | None = None
    self_hostable: Fact[bool] | None = None
    export_formats: Fact[list[str]] | None = None
    apis: Fact[str] | None = None
    in_sill: Fact[bool] | None = None
    alternatives: list[Alternative] = Field(default_factory=list)
    note: str | None = None


class SupplierRole(StrEnum):
    provider = "provider"
    steward = "steward"


class Supplier(Strict):
    id: Annotated[str, Field(pattern=IDENTIFIER)]
    name: Annotated[str, Field(min_length=1)]
    display_name: Annotated[str, Field(min_length=1)]
    aliases: list[str] = Field(default_factory=list)
    role: SupplierRole = Field(
        default=SupplierRole.provider,
        description=(
            "provider: sells the software or runs the service. steward: governs a free-software project "
            "(foundation, association, community) without supplying the service; whoever runs the software "
            "supplies it, so the steward's controller is shown but never answers the control questions."
        ),
    )
    identifiers: dict[str, Fact[str]] = Field(default_factory=dict)
    head_office_country: Fact[Annotated[str, Field(pattern=COUNTRY)]] | None = None
    ultimate_parent: Fact[str] | None = None
    ultimate_parent_country: Fact[Annotated[str, Field(pattern=COUNTRY)]] | None = None
    listed: Fact[bool] | None = None
    offers: list[Offer] = Field(default_factory=list)
    note: str | None = None


class CatalogFile(Strict):
    """One file of the catalog (the built-in one is split by area; a local one may be a single file)."""

    format_version: Literal[1] = 1
    suppliers: list[Supplier]


class CatalogIndex(Strict):
    version: str
    date: dt.date
    title: Text
    stale_after_days: Annotated[int, Field(ge=1)] = 365


# --------------------------------------------------------------------------- domain checklist


class Domain(Strict):
    id: Annotated[str, Field(pattern=IDENTIFIER)]
    label: Text
    layer: Literal["infrastructure", "software", "workstation", "network", "services", "ai"]
    examples: Text | None = None
    question: Text | None = None  # what the audit asks; default: « {label} : quel service utilisez-vous ? »
    kinds: list[CollectiviteKind] | None = None  # the collectivités that run this domain; none = all


class DomainChecklist(Strict):
    version: str
    domains: Annotated[list[Domain], Field(min_length=1)]
