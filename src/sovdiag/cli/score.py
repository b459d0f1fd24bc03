"""sovdiag score FILE [--json OUT]"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sovdiag.cli.console import Command, handle_errors, out, print_text
from sovdiag.messages import get_language
from sovdiag.messages import translate as t

if TYPE_CHECKING:
    from sovdiag.framework import LoadedFramework
    from sovdiag.scoring import Results


def register(app: typer.Typer) -> None:
    @app.command("score", help=t("cli.score.help"), cls=Command)
    @handle_errors
    def score(
        inventory: Annotated[
            Path, typer.Argument(help=t("cli.arg.inventory"), show_default=False, metavar=t("cli.metavar.file"))
        ],
        json_path: Annotated[
            Path | None, typer.Option("--json", help=t("cli.score.opt.json"), show_default=False)
        ] = None,
        framework: Annotated[
            Path | None, typer.Option("--framework", help=t("cli.opt.framework"), show_default=False)
        ] = None,
        weights: Annotated[str | None, typer.Option("--weights", help=t("cli.opt.weights"), show_default=False)] = None,
    ) -> None:
        from sovdiag.output import check_not_input, write_atomic
        from sovdiag.pipeline import open_diagnostic
        from sovdiag.scoring import score_inventory

        diag = open_diagnostic(inventory, framework)
        results = score_inventory(diag.inventory, diag.framework, weights)
        if json_path is not None:
            payload = json.dumps(results.to_dict(), ensure_ascii=False, indent=2) + "\n"
            if str(json_path) == "-":
                typer.echo(payload, nl=False)
                return
            check_not_input(json_path, [inventory, *([framework] if framework else [])])
            write_atomic(json_path, payload)
        _print_table(results, diag.framework)
        if json_path is not None:
            print_text(t("cli.score.written", file=str(json_path)))


def _print_table(results: Results, framework: LoadedFramework) -> None:
    from rich.table import Table

    from sovdiag import formatting as fmt

    lang = get_language()
    level_names = {lvl.value: lvl.code for lvl in framework.model.levels}
    name = results.collectivite.get("name", "")
    table = Table(
        title=t(
            "table.title",
            name=name,
            services=len(results.services),
            framework=results.framework_id,
            version=results.framework_version,
            profile=results.profile_id,
        ),
        title_justify="left",
    )
    table.add_column(t("table.service"))
    table.add_column(t("table.supplier"))
    table.add_column(t("table.score"), justify="right")
    table.add_column(t("table.prudent"), justify="right")
    table.add_column(t("table.level"))
    table.add_column(t("table.binding"))
    table.add_column(t("table.coverage"), justify="right")
    for s in results.services:
        level = level_names.get(s.level, t("table.no_level")) if s.level is not None else t("table.no_level")
        table.add_row(
            s.name,
            s.supplier,
            fmt.score(s.score, lang),
            fmt.score(s.prudent_score, lang),
            level,
            s.binding_criterion or "—",
            f"{s.answered}/{s.applicable}",
        )
    out.print(table)
    summary = results.summary
    levels = ", ".join(
        f"{level_names.get(int(k), k) if k != 'none' else t('table.no_level')} : {v}"
        if lang == "fr"
        else f"{level_names.get(int(k), k) if k != 'none' else t('table.no_level')}: {v}"
        for k, v in summary.levels.items()
    )
    print_text(
        t(
            "table.summary",
            score=fmt.score(summary.mean_score, lang),
            prudent=fmt.score(summary.mean_prudent_score, lang),
            coverage=fmt.percent(summary.coverage, lang),
            levels=levels,
        )
    )
