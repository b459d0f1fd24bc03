"""The built wheel carries the framework, the checklist and the templates, and finds them when run
from outside the repository (a plain, non-editable install)."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    [built] = out.glob("sovdiag-*.whl")
    return built


def test_wheel_ships_data_and_templates(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "sovdiag/_data/questionnaires/domains.yaml",
        "sovdiag/_data/templates/report.html.j2",
        "sovdiag/_data/templates/report.css",
        "sovdiag/_data/templates/strings.yaml",
    ):
        assert required in names
    frameworks = [n for n in names if n.startswith("sovdiag/_data/questionnaires/frameworks/") and n.endswith(".yaml")]
    assert frameworks, "no framework in the wheel"


def test_installed_wheel_runs_outside_the_repository(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    work = tmp_path / "elsewhere"
    work.mkdir()
    inventory = work / "inv.yaml"
    inventory.write_text(
        (ROOT / "tests" / "data" / "inventory-mini.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    env = {**os.environ, "PYTHONPATH": str(site), "NO_COLOR": "1"}
    env.pop("SOVDIAG_LANG", None)
    where = subprocess.run(
        [sys.executable, "-c", "import sovdiag.resources as r; print(r.__file__); print(r.templates_dir())"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert where[0].startswith(str(site))
    assert where[1].startswith(str(site))
    framework = ROOT / "tests" / "data" / "framework-mini.yaml"
    done = subprocess.run(
        [sys.executable, "-m", "sovdiag", "report", "inv.yaml", "--framework", str(framework), "-o", "r.pdf"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (work / "r.pdf").read_bytes().startswith(b"%PDF-")
