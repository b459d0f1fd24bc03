"""sovdiag anonymize RESULTS -o SHAREABLE"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sovdiag.cli.console import Command, handle_errors, print_text
from sovdiag.cli.options import catalog_option, framework_option, max_age_option
from sovdiag.messages import translate as t


def register(app: typer.Typer) -> None:
    @app.command("anonymize", help=t("cli.anonymize.help"), cls=Command)
    @handle_errors
    def anonymize(
        source: Annotated[
            Path,
            typer.Argument(help=t("cli.anonymize.arg.source"), show_default=False, metavar=t("cli.metavar.file")),
        ],
        output: Annotated[Path, typer.Option("--output", "-o", help=t("cli.anonymize.opt.output"), show_default=False)],
        hide_collectivite: Annotated[
            bool, typer.Option("--hide-collectivite", help=t("cli.anonymize.opt.hide_collectivite"))
        ] = False,
        framework: Annotated[Path | None, framework_option()] = None,
        catalog: Annotated[Path | None, catalog_option()] = None,
        max_age: Annotated[int | None, max_age_option()] = None,
        weights: Annotated[str | None, typer.Option("--weights", help=t("cli.opt.weights"), show_default=False)] = None,
    ) -> None:
        from sovdiag.anonymize import anonymize as strip
        from sovdiag.output import check_not_input, write_atomic
        from sovdiag.results import load_results, results_json

        check_not_input(output, [source, *[p for p in (framework, catalog) if p]])
        loaded = load_results(source, framework=framework, catalog=catalog, weights=weights, max_age_days=max_age)
        shareable, removal = strip(loaded.results, hide_collectivite=hide_collectivite)
        write_atomic(output, results_json(shareable))
        print_text(t("anonymize.written", file=str(output)), style="bold")
        print_text(t("anonymize.removed_title"))
        if not removal.removed:
            print_text("  " + t("anonymize.nothing"))
        for key, count in removal.items():
            print_text("  • " + t(f"anonymize.removed.{key}", count=count))
        print_text(t("anonymize.kept_title"))
        for key in removal.kept:
            print_text("  • " + t(f"anonymize.kept.{key}"))
