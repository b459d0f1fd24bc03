"""sovdiag framework show | validate | export"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sovdiag.cli.console import Command, Group, handle_errors, out, print_text
from sovdiag.cli.options import export_format, framework_option
from sovdiag.messages import get_language
from sovdiag.messages import translate as t

EXPORT_FORMATS = ("md", "html", "pdf", "csv", "xlsx")


def register(app: typer.Typer) -> None:
    sub = typer.Typer(help=t("cli.framework.help"), cls=Group, no_args_is_help=True)
    app.add_typer(sub, name="framework")

    @sub.command("validate", help=t("cli.framework.validate.help"), cls=Command)
    @handle_errors
    def validate(
        path: Annotated[
            Path | None,
            typer.Argument(help=t("cli.framework.arg.file"), show_default=False, metavar=t("cli.metavar.file")),
        ] = None,
    ) -> None:
        from sovdiag.framework import load_framework
        from sovdiag.plan import check_measures, load_measures

        loaded = load_framework(path)
        check_measures(load_measures(), loaded)
        fw = loaded.model
        print_text(
            t(
                "cli.framework.valid",
                file=str(loaded.path),
                id=fw.id,
                version=fw.version,
                axes=len(fw.axes),
                criteria=len(loaded.criteria),
                sources=len(fw.sources),
                profiles=len(fw.weight_profiles),
            )
        )

    @sub.command("show", help=t("cli.framework.show.help"), cls=Command)
    @handle_errors
    def show(
        framework: Annotated[Path | None, framework_option()] = None,
    ) -> None:
        from rich.table import Table
        from rich.text import Text

        from sovdiag.framework import load_framework

        lang = get_language()
        loaded = load_framework(framework)
        fw = loaded.model
        print_text(f"{fw.title.get(lang)} — {fw.id} {fw.version} ({fw.date.isoformat()})", style="bold")
        table = Table(title=Text(t("cli.framework.show.axes")), title_justify="left")
        table.add_column(t("cli.framework.col.axis"))
        table.add_column(t("cli.framework.col.objective"))
        table.add_column(t("cli.framework.col.criteria"), justify="right")
        for profile in fw.weight_profiles:
            table.add_column(profile.id, justify="right")
        for axis in fw.axes:
            table.add_row(
                Text(f"{axis.id} {axis.name.get(lang)}"),
                axis.objective,
                str(len(axis.criteria)),
                *[f"{p.weights[axis.id]:g}" for p in fw.weight_profiles],
            )
        out.print(table)
        for axis in fw.axes:
            print_text(f"{axis.id} · {axis.name.get(lang)}", style="bold")
            for crit in axis.criteria:
                expert = f" [{t('cli.framework.expert')}]" if crit.layer == "expert" else ""
                print_text(f"  {crit.id}{expert} {crit.question.get(lang)}")
        print_text(t("cli.framework.default_profile", profile=fw.default_profile))

    @sub.command("export", help=t("cli.framework.export.help"), cls=Command)
    @handle_errors
    def export(
        output: Annotated[Path, typer.Option("--output", "-o", help=t("cli.framework.export.opt.output"))],
        fmt: Annotated[
            str | None, typer.Option("--format", "-f", help=t("cli.framework.export.opt.format"), show_default=False)
        ] = None,
        framework: Annotated[Path | None, framework_option()] = None,
    ) -> None:
        from sovdiag.framework import load_framework
        from sovdiag.framework_doc import export_framework
        from sovdiag.output import check_not_input
        from sovdiag.resources import framework_path, templates_dir

        chosen = export_format(output, fmt, EXPORT_FORMATS)
        check_not_input(output, [framework or framework_path()])
        export_framework(load_framework(framework), output, chosen, get_language(), templates_dir())
        print_text(t("cli.framework.exported", file=str(output)))
