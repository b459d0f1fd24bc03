"""The command line, driven in-process (Typer's runner) and as a real subprocess."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from sovdiag import __version__
from tests.conftest import run_sovdiag


def test_help_in_french_by_default(cli) -> None:  # type: ignore[no-untyped-def]
    out = cli("--help")
    assert out.exit_code == 0
    assert "Diagnostic de dépendance numérique" in out.stdout
    for command in ("validate", "score", "report", "schema"):
        assert command in out.stdout


def test_version(cli) -> None:  # type: ignore[no-untyped-def]
    out = cli("--version")
    assert (out.exit_code, out.stdout.strip()) == (0, f"sovdiag {__version__}")


def test_every_command_has_help(cli) -> None:  # type: ignore[no-untyped-def]
    for command in ("validate", "score", "report", "schema"):
        out = cli(command, "--help")
        assert out.exit_code == 0, command
        assert "Usage" in out.stdout


def test_validate_ok(cli, mini_inventory: Path, mini_framework: Path) -> None:  # type: ignore[no-untyped-def]
    out = cli("validate", mini_inventory, "--framework", mini_framework)
    assert out.exit_code == 0
    assert f"{mini_inventory} est valide : 3 services, 9 réponses." in out.stdout


def test_invalid_inventory_exit_1_without_traceback(cli, tmp_path: Path, mini_framework: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bad.yaml"
    path.write_text("collectivite:\n  name: X\n  kind: village\n", encoding="utf-8")
    out = cli("validate", path, "--framework", mini_framework)
    assert out.exit_code == 1
    assert out.stdout == ""
    assert out.stderr.startswith(f"Erreur : {path} : 2 problème(s) :")
    assert f"{path}:3: collectivite.kind: attendu : une des valeurs commune, epci" in out.stderr
    assert f"{path}:1: diagnostic: champ obligatoire manquant" in out.stderr
    assert "Traceback" not in out.stderr


def test_missing_file_and_directory(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = cli("validate", tmp_path / "nope.yaml")
    assert (out.exit_code, out.stderr.strip()) == (1, f"Erreur : {tmp_path / 'nope.yaml'} : fichier introuvable.")
    out = cli("score", tmp_path)
    assert (out.exit_code, out.stderr.strip()) == (1, f"Erreur : {tmp_path} est un dossier, pas un fichier.")


def test_usage_errors_exit_2(cli, mini_inventory: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("validate").exit_code == 2
    assert cli("frobnicate").exit_code == 2
    assert cli("report", mini_inventory, "--format", "docx").exit_code == 2
    assert cli("report", mini_inventory, "--date", "23/11/2026").exit_code == 2
    assert cli("--lang", "de", "--help").exit_code == 2


def test_english_on_request(cli, mini_inventory: Path, mini_framework: Path) -> None:  # type: ignore[no-untyped-def]
    out = cli("--lang", "en", "validate", mini_inventory, "--framework", mini_framework, lang="en")
    assert out.exit_code == 0
    assert f"{mini_inventory} is valid: 3 services, 9 answers." in out.stdout


def test_score_table_and_json(cli, tmp_path: Path, mini_inventory: Path, mini_framework: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "results.json"
    out = cli("score", mini_inventory, "--framework", mini_framework, "--json", target)
    assert out.exit_code == 0
    assert "Messagerie" in out.stdout
    assert "Score moyen 56,3 (prudent 25,0) ; couverture des questions 50" in out.stdout
    data = json.loads(target.read_text(encoding="utf-8"))
    assert [s["id"] for s in data["services"]] == ["messagerie", "compta", "site"]
    assert data["services"][0]["score"] == 62.5


def test_score_json_to_stdout(cli, mini_inventory: Path, mini_framework: Path) -> None:  # type: ignore[no-untyped-def]
    out = cli("score", mini_inventory, "--framework", mini_framework, "--json", "-")
    assert json.loads(out.stdout)["summary"]["services"] == 3


def test_unknown_weight_profile(cli, mini_inventory: Path, mini_framework: Path) -> None:  # type: ignore[no-untyped-def]
    out = cli("score", mini_inventory, "--framework", mini_framework, "--weights", "nope")
    assert out.exit_code == 1
    assert "Profil de pondération inconnu « nope »" in out.stderr


def test_output_never_overwrites_the_input(cli, tmp_path: Path, mini_inventory: Path, mini_framework: Path) -> None:  # type: ignore[no-untyped-def]
    copy = tmp_path / "inv.yaml"
    copy.write_bytes(mini_inventory.read_bytes())
    for args in (("score", copy, "--json", copy), ("report", copy, "-o", copy, "--format", "html")):
        out = cli(*args, "--framework", mini_framework)
        assert out.exit_code == 1
        assert "est le fichier d'entrée" in out.stderr
    assert copy.read_bytes() == mini_inventory.read_bytes()


def test_schema_export(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = cli("schema", "inventory")
    schema = json.loads(out.stdout)
    assert schema["title"] == "Inventaire sovdiag"
    assert "services" in schema["properties"]
    assert cli("schema", "nope").exit_code == 1


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    done = run_sovdiag("--debug", "validate", tmp_path / "absent.yaml")
    assert done.returncode == 1
    assert "Traceback" in done.stderr
    assert "InputFileError" in done.stderr


def test_real_subprocess_end_to_end(tmp_path: Path, mini_inventory: Path, mini_framework: Path) -> None:
    done = run_sovdiag("score", mini_inventory, "--framework", mini_framework)
    assert done.returncode == 0, done.stderr
    assert "Commune de Test" in done.stdout
    done = run_sovdiag("validate", tmp_path / "x.yaml")
    assert (done.returncode, done.stdout) == (1, "")
    assert "fichier introuvable" in done.stderr
    assert "Traceback" not in done.stderr


def test_language_from_the_environment(mini_inventory: Path, mini_framework: Path) -> None:
    done = run_sovdiag("validate", mini_inventory, "--framework", mini_framework, env={"SOVDIAG_LANG": "en"})
    assert "is valid: 3 services" in done.stdout
    done = run_sovdiag("--help", env={"SOVDIAG_LANG": "en"})
    assert "Digital dependence diagnostic" in done.stdout


def test_help_imports_no_heavy_library() -> None:
    code = (
        "import sys\n"
        "sys.argv = ['sovdiag', '--help']\n"
        "from sovdiag.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = ['weasyprint', 'jinja2', 'pydantic', 'babel', 'openpyxl', 'pypdf', 'matplotlib']\n"
        "print('LOADED', [m for m in heavy if m in sys.modules])\n"
    )
    import subprocess

    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert "LOADED []" in done.stdout, done.stdout + done.stderr


def test_control_characters_from_files_never_reach_the_terminal(tmp_path: Path) -> None:
    path = tmp_path / "esc.yaml"
    path.write_text('collectivite:\n  name: X\n  kind: "\\e[2J\\u202evillage"\n', encoding="utf-8")
    done = run_sovdiag("validate", path)
    assert done.returncode == 1
    assert "\x1b" not in done.stderr
    assert "\u202e" not in done.stderr
    assert "\\u001b[2J\\u202evillage" in done.stderr


def test_large_inventories_show_the_most_exposed_services_first(cli, tmp_path: Path, mini_framework: Path) -> None:  # type: ignore[no-untyped-def]
    lines = [
        "collectivite: {name: Grande Région, kind: region}",
        "diagnostic: {conducted_by: X, date: 2026-10-01}",
        "services:",
    ]
    for i in range(120):
        answer = "non_eu" if i == 117 else "eu"
        lines.append(
            f"  - {{id: s{i}, name: Service {i}, domain: sig, supplier: S{i}, deployment: saas, "
            f"criticality: critical, answers: {{A1.1: {answer}}}}}"
        )
    path = tmp_path / "big.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = cli("score", path, "--framework", mini_framework)
    assert out.exit_code == 0, out.stderr
    assert "100 services les plus exposés affichés sur 120" in out.stdout
    table = out.stdout.split("Score moyen")[0]
    assert table.index("Service 117") < table.index("Service 0 ")  # the non-EU one first
    assert "Service 119" in cli("score", path, "--framework", mini_framework, "--all").stdout
