"""sovdiag schema KIND"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sovdiag.cli.console import Command, handle_errors
from sovdiag.errors import SovdiagError
from sovdiag.messages import translate as t

KINDS = ("inventory", "framework", "domains", "catalog", "results")


def register(app: typer.Typer) -> None:
    @app.command("schema", help=t("cli.schema.help"), cls=Command)
    @handle_errors
    def schema(
        kind: Annotated[str, typer.Argument(help=t("cli.schema.arg.kind"), show_default=False)],
        output: Annotated[
            Path | None, typer.Option("--output", "-o", help=t("cli.schema.opt.output"), show_default=False)
        ] = None,
    ) -> None:
        from sovdiag.output import write_atomic
        from sovdiag.schemas import schema_json

        if kind not in KINDS:
            raise SovdiagError("cli.unknown_schema", kind=kind, choices=", ".join(KINDS))
        text = schema_json(kind)
        if output is None:
            typer.echo(text, nl=False)
        else:
            write_atomic(output, text)
