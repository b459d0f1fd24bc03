"""sovdiag validate FILE"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sovdiag.cli.console import Command, handle_errors, print_text
from sovdiag.messages import translate as t


def register(app: typer.Typer) -> None:
    @app.command("validate", help=t("cli.validate.help"), cls=Command)
    @handle_errors
    def validate(
        inventory: Annotated[
            Path, typer.Argument(help=t("cli.arg.inventory"), show_default=False, metavar=t("cli.metavar.file"))
        ],
        framework: Annotated[
            Path | None, typer.Option("--framework", help=t("cli.opt.framework"), show_default=False)
        ] = None,
        catalog: Annotated[
            Path | None, typer.Option("--catalog", help=t("cli.opt.catalog"), show_default=False)
        ] = None,
    ) -> None:
        from sovdiag.pipeline import open_diagnostic

        diag = open_diagnostic(inventory, framework, catalog)
        services = diag.inventory.services
        answers = sum(len(s.answers) for s in services)
        print_text(t("cli.validate.ok", file=str(inventory), services=len(services), answers=answers))
