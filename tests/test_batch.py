"""`sovdiag report FOLDER`: one report per inventory, in parallel worker processes."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import EXAMPLES, run_sovdiag


def _first_page(path: Path) -> str:
    return PdfReader(path).pages[0].extract_text() or ""


def test_a_folder_gives_one_report_per_inventory_and_reports_the_broken_one(tmp_path: Path) -> None:
    folder = tmp_path / "inventaires"
    folder.mkdir()
    shutil.copy(EXAMPLES / "commune-saint-aubin.yaml", folder / "saint-aubin.yaml")
    shutil.copy(EXAMPLES / "agglo-val-de-loire-sauvelin.yaml", folder / "agglo.yml")
    (folder / "casse.yaml").write_text("collectivite: [\n", encoding="utf-8")
    (folder / "notes.txt").write_text("pas un inventaire", encoding="utf-8")
    out = tmp_path / "rapports"

    result = run_sovdiag("report", folder, "-o", out, "--audience", "elus", "--jobs", "2", "--date", "2026-11-23")

    assert result.returncode == 1, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["agglo.pdf", "saint-aubin.pdf"]
    assert "Commune de Saint-Aubin" in _first_page(out / "saint-aubin.pdf")
    assert "Val de Loire" in _first_page(out / "agglo.pdf")
    assert "casse.yaml:2" in result.stderr
    assert "2 rapport(s) produit(s), 1 échec(s)." in result.stdout
    assert "Traceback" not in result.stderr


def test_two_inventories_that_would_write_the_same_report_are_refused(tmp_path: Path) -> None:
    for name in ("ville.yaml", "ville.yml"):
        shutil.copy(EXAMPLES / "commune-saint-aubin.yaml", tmp_path / name)
    result = run_sovdiag("report", tmp_path, "-o", tmp_path / "out", "--audience", "elus")
    assert result.returncode == 1
    assert "ville.pdf" in result.stderr
    assert "renommez" in result.stderr
    assert not (tmp_path / "out").exists()


def test_an_empty_folder_is_a_clear_error(tmp_path: Path) -> None:
    result = run_sovdiag("report", tmp_path, "-o", tmp_path / "out")
    assert result.returncode == 1
    assert "aucun inventaire" in result.stderr
    assert "Traceback" not in result.stderr


def test_ctrl_c_stops_every_worker_at_once(tmp_path: Path) -> None:
    folder = tmp_path / "inventaires"
    folder.mkdir()
    for i in range(4):  # full reports of 161 services: several seconds each
        shutil.copy(EXAMPLES / "region-exemple.yaml", folder / f"region-{i}.yaml")
    env = {k: v for k, v in os.environ.items() if k != "SOVDIAG_LANG"}

    def reset_signals() -> None:  # a terminal's Ctrl-C reaches the whole process group
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.setpgrp()

    process = subprocess.Popen(
        [sys.executable, "-m", "sovdiag", "report", folder, "-o", tmp_path / "out", "--jobs", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=reset_signals,
    )
    assert process.stdout is not None
    assert "inventaires" in process.stdout.readline()
    os.killpg(process.pid, signal.SIGINT)
    stdout, stderr = process.communicate(timeout=30)

    assert process.returncode == 130
    assert "Interrompu" in stderr
    assert "Traceback" not in stderr + stdout
    with pytest.raises(ProcessLookupError):  # no worker left in the batch's process group
        os.killpg(process.pid, 0)


def test_a_folder_in_html_with_one_worker(tmp_path: Path) -> None:
    folder = tmp_path / "inventaires"
    folder.mkdir()
    shutil.copy(EXAMPLES / "commune-saint-aubin.yaml", folder / "saint-aubin.yaml")
    out = tmp_path / "html"
    result = run_sovdiag("--lang", "en", "report", folder, "-o", out, "--format", "html", "--jobs", "1")
    assert result.returncode == 0, result.stderr
    assert "(1 in parallel)" in result.stdout
    assert "saint-aubin.yaml → " in result.stdout
    assert "Commune de Saint-Aubin" in (out / "saint-aubin.html").read_text(encoding="utf-8")
