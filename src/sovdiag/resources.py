"""The one place that finds the data shipped with sovdiag.

``questionnaires/`` and ``reports/templates/`` sit at the top of the repository; the wheel maps
them into ``sovdiag/_data/`` (see pyproject.toml). An installed package finds them there; an
editable install or a source checkout finds them beside ``src/``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from sovdiag.errors import SovdiagError

_PACKAGE_DIR = Path(__file__).resolve().parent
_CHECKOUT_DIR = _PACKAGE_DIR.parent.parent  # src/sovdiag -> repository root

DEFAULT_FRAMEWORK = "sovdiag-collectivites"


@cache
def _locate(installed: str, checkout: str) -> Path:
    for candidate in (_PACKAGE_DIR / "_data" / installed, _CHECKOUT_DIR / checkout):
        if candidate.is_dir():
            return candidate
    raise SovdiagError("error.missing_data", path=installed)


def questionnaires_dir() -> Path:
    return _locate("questionnaires", "questionnaires")


def templates_dir() -> Path:
    return _locate("templates", "reports/templates")


def domains_path() -> Path:
    return questionnaires_dir() / "domains.yaml"


def measures_path() -> Path:
    return questionnaires_dir() / "measures.yaml"


def obligations_path() -> Path:
    return questionnaires_dir() / "obligations.yaml"


def framework_path(framework_id: str = DEFAULT_FRAMEWORK) -> Path:
    path = questionnaires_dir() / "frameworks" / f"{framework_id}.yaml"
    if not path.is_file():
        raise SovdiagError("error.missing_data", path=f"questionnaires/frameworks/{framework_id}.yaml")
    return path


def inventory_schema_hint(path: Path) -> str:
    """The schema reference written at the top of a new inventory: the repository's
    schemas/inventory.schema.json relative to the file when both live in a checkout, else its name."""
    schema = questionnaires_dir().parent / "schemas" / "inventory.schema.json"
    if not schema.is_file():
        return "inventory.schema.json"
    try:
        return str(schema.relative_to(path.resolve().parent))
    except ValueError:
        return "inventory.schema.json"
