"""Options shared by several commands, declared once.

Functions rather than module constants: their help is translated when the application is built,
in the language chosen for that run.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import typer

from sovdiag.messages import translate as t


def framework_option() -> Any:
    return typer.Option("--framework", help=t("cli.opt.framework"), show_default=False)


def catalog_option() -> Any:
    return typer.Option("--catalog", help=t("cli.opt.catalog"), show_default=False)


def max_age_option() -> Any:
    return typer.Option("--max-age", help=t("cli.opt.max_age"), show_default=False, min=1)


def inventory_argument(help_key: str = "cli.arg.inventory", metavar_key: str = "cli.metavar.file") -> Any:
    return typer.Argument(help=t(help_key), show_default=False, metavar=t(metavar_key))


def parse_date(value: str | None, option: str = "--date") -> dt.date | None:
    """An ISO date given on the command line, or a usage error that names the option."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(t("expected.date"), param_hint=option) from None


def export_format(output: Path, fmt: str | None, choices: tuple[str, ...]) -> str:
    """The export format asked with --format, else the output file's extension; one of ``choices``."""
    from sovdiag.errors import SovdiagError

    chosen = (fmt or output.suffix.lstrip(".")).lower()
    if chosen not in choices:
        raise SovdiagError("cli.framework.unknown_format", fmt=chosen, choices=", ".join(choices))
    return chosen
