"""Time `sovdiag import` on a 5,000-row GLPI-like software export (whole process, median of 3).

    python benchmarks/import_bench.py              # 5,000 rows, 3 runs
    python benchmarks/import_bench.py --rows 20000 --runs 5

The source looks like what GLPI's French interface exports from its software list: headers
« Nom;Entité;Éditeur;Catégorie;Versions - Nom;Nombre d'installations;Commentaires », « ; »,
Windows-1252, CRLF, several versions in one quoted cell, a few rows without a publisher (rejected
with their line), publishers in and out of the catalog. Deterministic for a given size and seed.

Three figures, each a fresh interpreter: creating the inventory, re-importing the same file into
it (nothing changes, nothing is written), and appending the source to an inventory of the same size.
`benchmarks/run.py` prints the same three figures for 5,000 rows.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from harness import SOVDIAG, Timing, machine_description, timed  # noqa: E402

PUBLISHERS = [
    # (publisher as GLPI's inventory agent reports it, category, product stems)
    (
        "Microsoft Corporation",
        "Bureautique",
        ["Microsoft Office Professionnel Plus", "Microsoft Teams", "Microsoft Edge"],
    ),
    (
        "Microsoft Corporation",
        "Système d'exploitation",
        ["Windows 11 Entreprise", "Microsoft Visual C++ Redistributable"],
    ),
    ("Mozilla", "Navigateur", ["Mozilla Firefox ESR", "Mozilla Thunderbird"]),
    ("Google LLC", "Navigateur", ["Google Chrome", "Google Drive"]),
    ("Adobe Inc.", "Bureautique", ["Adobe Acrobat Reader", "Adobe Acrobat Pro"]),
    ("The Document Foundation", "Bureautique", ["LibreOffice"]),
    ("Berger-Levrault", "Comptabilité", ["e.magnus Gestion financière", "e.magnus État civil", "BL.enfance"]),
    ("JVS-Mairistem", "État civil", ["Horizon Villages", "Horizon Cloud Élections"]),
    ("Ciril Group", "RH", ["Civil Net RH", "Civil Net Finances"]),
    ("Libriciel SCOP", "Parapheur", ["iParapheur", "Pastell", "S²low"]),
    ("Esri France", "SIG", ["ArcGIS Pro", "ArcGIS Online"]),
    ("Veeam Software", "Sauvegarde", ["Veeam Backup & Replication", "Veeam Agent for Windows"]),
    ("Fortinet", "Sécurité", ["FortiClient", "FortiGate"]),
    ("VideoLAN", "Multimédia", ["VLC media player"]),
    ("Igor Pavlov", "Utilitaires", ["7-Zip"]),
    ("Notepad++ Team", "Utilitaires", ["Notepad++"]),
    ("Segilog", "Action sociale", ["Gestion du CCAS", "Cimetières"]),
    ("Operis", "Urbanisme", ["Oxalis", "Droits de cités"]),
    ("Citrix Systems", "Poste de travail", ["Citrix Workspace"]),
    ("TeamViewer Germany GmbH", "Supervision", ["TeamViewer"]),
    ("", "Utilitaires", ["Outil maison", "Script de sauvegarde"]),  # no publisher: rejected rows
]
ENTITIES = [
    "Entité racine > Mairie",
    "Entité racine > Services techniques",
    "Entité racine > CCAS",
    "Entité racine > Écoles",
    "Entité racine > Médiathèque",
]
HEADER = "Nom;Entité;Éditeur;Catégorie;Versions - Nom;Nombre d'installations;Commentaires"


def write_source(path: Path, rows: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    lines = [HEADER]
    for i in range(rows):
        publisher, category, stems = rng.choice(PUBLISHERS)
        stem = rng.choice(stems)
        name = f"{stem} {rng.randint(1, 30)}.{rng.randint(0, 9)} ({i})"
        versions = "\r\n".join(
            f"{rng.randint(1, 30)}.{rng.randint(0, 99)}.{rng.randint(0, 999)}" for _ in range(rng.randint(1, 3))
        )
        comment = rng.choice(["", "", "Licence en volume", "Déployé par GPO", "À remplacer en 2027 – coût 1 200 €"])
        lines.append(
            f'{name};{rng.choice(ENTITIES)};{publisher};{category};"{versions}";{rng.randint(1, 400)};{comment}'
        )
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))


@dataclass(frozen=True)
class ImportFigures:
    rows: int
    source_kib: float
    services: int  # in the inventory created from the source
    created: Timing  # a new inventory from the source
    again: Timing  # the same source into that inventory again: nothing changes, nothing is written
    appended: Timing  # another source of the same size appended to that inventory


def measure(folder: Path, rows: int, runs: int) -> ImportFigures:
    """The three imports of a ``rows``-row GLPI export, with files written in ``folder``."""
    source = folder / "glpi.csv"
    write_source(source, rows)
    output = folder / "inventaire.yaml"
    new = ["--name", "Commune de Banc-d'Essai", "--kind", "commune", "--by", "Benchmark"]
    create = [*SOVDIAG, "import", str(source), "-o", str(output), *new]
    created = timed(create, runs, before=lambda: output.unlink(missing_ok=True))
    services = output.read_text(encoding="utf-8").count("\n  - id: ")
    again = timed([*SOVDIAG, "import", str(source), "-o", str(output)], runs)

    other = folder / "autre.csv"
    write_source(other, rows, seed=2)
    base = folder / "base.yaml"
    shutil.copy(output, base)
    grow = [*SOVDIAG, "import", str(other), "-o", str(output)]
    appended = timed(grow, runs, before=lambda: shutil.copy(base, output))
    return ImportFigures(rows, source.stat().st_size / 1024, services, created, again, appended)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"machine: {machine_description()}")
    with tempfile.TemporaryDirectory() as tmp:
        figures = measure(Path(tmp), args.rows, args.runs)
    print(f"source: {figures.rows} rows, {figures.source_kib:.0f} KiB (GLPI software export, « ; », Windows-1252)")
    for label, timing, extra in (
        ("sovdiag import, new inventory", figures.created, f"  ({figures.services} services)"),
        ("sovdiag import, same file again (no change)", figures.again, ""),
        ("sovdiag import, another file appended", figures.appended, ""),
    ):
        print(f"{label:<48} {timing.wall:6.2f} s  {timing.peak_mib:5.0f} MiB{extra}")
    print(f"median of {args.runs} runs, each a fresh process")


if __name__ == "__main__":
    main()
