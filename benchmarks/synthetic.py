"""Generate synthetic but realistic inventories for the benchmarks.

Services draw their supplier, product, domain and deployment from a list of real pairings, answer
60 % of the framework's applicable questions (10 % of them "unknown"), and carry contracts.
Deterministic for a given size and seed.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import yaml

from sovdiag.framework import load_framework
from sovdiag.inventory import siren_is_valid

PAIRINGS = [
    ("Microsoft", "Microsoft 365 E3", "messagerie", "saas"),
    ("Google", "Google Workspace", "bureautique", "saas"),
    ("BlueMind", "BlueMind", "messagerie", "on_premises"),
    ("Berger-Levrault", "e.magnus Gestion financière", "finances", "hosted"),
    ("Ciril Group", "Civil Net RH", "rh_paie", "saas"),
    ("JVS-Mairistem", "Horizon Villages", "etat_civil", "saas"),
    ("Libriciel SCOP", "iParapheur", "parapheur_signature", "hosted"),
    ("Libriciel SCOP", "Pastell", "archivage", "hosted"),
    ("Esri France", "ArcGIS Online", "sig", "saas"),
    ("OVHcloud", "Hosted Private Cloud", "hebergement", "iaas_paas"),
    ("Amazon Web Services", "Amazon EC2", "hebergement", "iaas_paas"),
    ("Veeam", "Veeam Backup & Replication", "sauvegarde", "on_premises"),
    ("Fortinet", "FortiGate", "securite", "on_premises"),
    ("Orange Business", "Business Talk", "telephonie", "saas"),
    ("Entr'ouvert", "Publik", "demarches_en_ligne", "saas"),
    ("Operis", "Oxalis", "urbanisme", "hosted"),
    ("OpenAI", "ChatGPT Enterprise", "ia_generative", "saas"),
    ("Mistral AI", "Le Chat Pro", "ia_generative", "saas"),
]
DATA = [
    ["personal"],
    ["internal"],
    ["personal", "internal"],
    ["public"],
    ["sensitive_personal", "personal"],
    ["health"],
]
CRITICALITY = ["low", "medium", "high", "critical"]


def make_inventory(n: int, seed: int = 1) -> dict:
    rng = random.Random(seed)
    framework = load_framework()
    criteria = list(framework.criteria.values())
    services = []
    for i in range(n):
        supplier, product, domain, deployment = rng.choice(PAIRINGS)
        answers: dict[str, object] = {}
        for crit in criteria:
            roll = rng.random()
            if roll < 0.06:
                answers[crit.id] = "unknown"
            elif roll < 0.6:
                option = rng.choice(crit.options).id
                answers[crit.id] = (
                    {"answer": option, "comment": "Réponse de test", "evidence": f"CCTP art. {i % 40}"}
                    if roll < 0.1
                    else option
                )
        start = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(0, 2000))
        services.append(
            {
                "id": f"svc-{i:05d}",
                "name": f"{product} — usage {i}",
                "domain": domain,
                "supplier": supplier,
                "product": product,
                "deployment": deployment,
                "data_categories": list(rng.choice(DATA)),
                "criticality": rng.choice(CRITICALITY),
                "users": rng.randrange(5, 5000),
                "contract": {
                    "reference": f"MAPA-{2020 + i % 7}-{i:04d}",
                    "start": start,
                    "end": start + dt.timedelta(days=365 * rng.randrange(1, 6)),
                    "notice_months": rng.choice([1, 3, 6]),
                    "renewal": rng.choice(["tacit", "express", "none"]),
                    "annual_cost": round(rng.uniform(500, 250_000), 2),
                },
                "answers": answers,
                "notes": "Service généré pour les mesures de performance.",
            }
        )
    siren = next(f"23990000{d}" for d in range(10) if siren_is_valid(f"23990000{d}"))
    return {
        "collectivite": {
            "name": f"Collectivité synthétique ({n} services)",
            "kind": "region",
            "siren": siren,
            "population": 3_000_000,
            "agents": 9000,
        },
        "diagnostic": {"conducted_by": "Banc d'essai", "date": dt.date(2026, 11, 23)},
        "services": services,
    }


def write_inventory(path: Path, n: int, seed: int = 1) -> Path:
    text = yaml.dump(
        make_inventory(n, seed),
        Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper),
        allow_unicode=True,
        sort_keys=False,
        width=120,
    )
    path.write_text("# yaml-language-server: $schema=../schemas/inventory.schema.json\n" + text, encoding="utf-8")
    return path
