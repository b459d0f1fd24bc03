"""Shared fixtures: paths to the test data, and a runner that drives the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sovdiag.messages import get_language, set_language

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
EXAMPLES = ROOT / "examples"


@pytest.fixture(autouse=True)
def french_by_default() -> Iterator[None]:
    """Every test starts in French (the default) and leaves the language as it found it."""
    previous = get_language()
    set_language("fr")
    yield
    set_language(previous)


@pytest.fixture
def mini_framework() -> Path:
    return DATA / "framework-mini.yaml"


@pytest.fixture
def mini_inventory() -> Path:
    return DATA / "inventory-mini.yaml"


@dataclass
class Outcome:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def cli() -> object:
    """Call the CLI in-process through Typer's runner: cli("score", "file.yaml")."""

    def run(*args: str | Path, lang: str = "fr") -> Outcome:
        from sovdiag.cli import build_app

        set_language(lang)
        result = CliRunner().invoke(build_app(), [str(a) for a in args], catch_exceptions=False)
        return Outcome(result.exit_code, result.stdout, result.stderr)

    return run


def run_sovdiag(
    *args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run the installed entry point in a real subprocess."""
    full_env = {k: v for k, v in os.environ.items() if k != "SOVDIAG_LANG"}
    full_env.update({"NO_COLOR": "1", "COLUMNS": "100", **(env or {})})
    return subprocess.run(
        [sys.executable, "-m", "sovdiag", *[str(a) for a in args]],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=full_env,
        timeout=timeout,
        check=False,
    )


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/ from the current results")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def pdf_text(path: Path) -> str:
    """The text of every page of a PDF, read back with a pure-Python reader."""
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def edited_copy(tmp_path: Path, name: str, old: str, new: str) -> Path:
    """A copy of a test data file with one text replaced: the variant a test needs."""
    text = (DATA / name).read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    copy = tmp_path / name
    copy.write_text(text.replace(old, new, 1), encoding="utf-8")
    return copy
