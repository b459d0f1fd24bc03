"""Time `sovdiag import` on a 5,000-row GLPI-like software export (whole process, median of 3).

    python benchmarks/import_bench.py              # 5,000 rows, 3 runs
    python benchmarks/import_bench.py --rows 20000 --runs 5

The source looks like what GLPI's French interface exports from its software list: headers
« Nom;Entité;Éditeur;Catégorie;Versions - Nom;Nombre d'installations;Commentaires », « ; »,
Windows-1252, CRLF, several versions in one quoted cell, a few rows without a publisher (rejected
with their line), publishers in and out of the catalog. Deterministic for a given size and seed.

Three figures, each a fresh interpreter: creating the inventory, re-importing the same file into
it (nothing changes, nothing is written), and appending the source to an inventory of the same size.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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


def timed(cmd: list[str], runs: int, before: object = None) -> tuple[float, float]:
    """Median wall seconds and max peak RSS (MiB) of ``cmd`` over ``runs`` fresh processes."""
    times, peaks = [], []
    for _ in range(runs):
        if callable(before):
            before()
        start = time.perf_counter()
        child = subprocess.Popen(
            cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "NO_COLOR": "1"}
        )
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            error = child.stderr.read().decode() if child.stderr else ""
            raise SystemExit(f"{' '.join(cmd)} failed ({child.returncode}): {error}")
        if child.stderr:
            child.stderr.close()
        times.append(elapsed)
        peaks.append(usage.ru_maxrss / 1024)
    return statistics.median(times), max(peaks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )
    sovdiag = [sys.executable, "-m", "sovdiag"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = folder / "glpi.csv"
        write_source(source, args.rows)
        output = folder / "inventaire.yaml"
        new = ["--name", "Commune de Banc-d'Essai", "--kind", "commune", "--by", "Benchmark"]
        create = [*sovdiag, "import", str(source), "-o", str(output), *new]
        created, created_mem = timed(create, args.runs, before=lambda: output.unlink(missing_ok=True))
        services = output.read_text(encoding="utf-8").count("\n  - id: ")
        again, again_mem = timed([*sovdiag, "import", str(source), "-o", str(output)], args.runs)

        other = folder / "autre.csv"
        write_source(other, args.rows, seed=2)
        base = folder / "base.yaml"
        shutil.copy(output, base)
        grow = [*sovdiag, "import", str(other), "-o", str(output)]
        appended, appended_mem = timed(grow, args.runs, before=lambda: shutil.copy(base, output))

        size = source.stat().st_size / 1024
        print(f"source: {args.rows} rows, {size:.0f} KiB (GLPI software export, « ; », Windows-1252)")
        print(f"{'sovdiag import, new inventory':<48} {created:6.2f} s  {created_mem:5.0f} MiB  ({services} services)")
        print(f"{'sovdiag import, same file again (no change)':<48} {again:6.2f} s  {again_mem:5.0f} MiB")
        print(f"{'sovdiag import, another file appended':<48} {appended:6.2f} s  {appended_mem:5.0f} MiB")
        print(f"median of {args.runs} runs, each a fresh process")


if __name__ == "__main__":
    main()
