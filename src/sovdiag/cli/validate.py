"""sovdiag validate FILE"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sovdiag.cli.console import Command, handle_errors, print_text
from sovdiag.cli.options import catalog_option, framework_option, inventory_argument
from sovdiag.messages import translate as t


def register(app: typer.Typer) -> None:
    @app.command("validate", help=t("cli.validate.help"), cls=Command)
    @handle_errors
    def validate(
        inventory: Annotated[Path, inventory_argument()],
        framework: Annotated[Path | None, framework_option()] = None,
        catalog: Annotated[Path | None, catalog_option()] = None,
    ) -> None:
        from sovdiag.pipeline import open_diagnostic

        diag = open_diagnostic(inventory, framework, catalog)
        services = diag.inventory.services
        answers = sum(len(s.answers) for s in services)
        print_text(t("cli.validate.ok", file=str(inventory), services=len(services), answers=answers))
