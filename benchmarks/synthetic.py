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


def _siren(number: int) -> str:
    """A valid SIREN (Luhn check digit) from a sequence number."""
    body = f"{200_000_000 + number * 10:09d}"[:8]
    for digit in range(10):
        if siren_is_valid(body + str(digit)):
            return body + str(digit)
    raise AssertionError(body)


def write_group(folder: Path, n: int, bases: int = 20, seed: int = 7) -> list[Path]:
    """``n`` results files of distinct collectivités (communes mostly, some EPCI and départements),
    as ``sovdiag score --json`` writes them, built from ``bases`` scored synthetic inventories of
    12 to 40 services. Deterministic."""
    import json

    from sovdiag.results import load_results, results_json

    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    templates = []
    for b in range(min(bases, n)):
        inventory = write_inventory(folder / f"base-{b}.yaml", rng.randrange(12, 41), seed=seed + b)
        results = load_results(inventory).results
        inventory.unlink()
        data = json.loads(results_json(results))
        data["collectivite"] = "@@COLLECTIVITE@@"
        templates.append(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True))
    paths = []
    for i in range(n):
        kind = rng.choices(["commune", "epci", "departement"], weights=[85, 12, 3])[0]
        population = int(10 ** rng.uniform(2.3, 5.3 if kind == "commune" else 6.1))
        collectivite = {
            "name": f"{kind.capitalize()} synthétique n° {i}",
            "kind": kind,
            "epci_kind": "communaute_communes" if kind == "epci" else None,
            "siren": _siren(i),
            "departement": None,
            "population": population,
            "agents": max(1, population // 100),
        }
        text = templates[i % len(templates)].replace(
            '"@@COLLECTIVITE@@"', json.dumps(collectivite, ensure_ascii=False, sort_keys=True)
        )
        path = folder / f"resultats-{i:05d}.json"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths
