"""sovdiag report FILE -o rapport.pdf"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from sovdiag.cli.console import Command, handle_errors, print_error, print_text
from sovdiag.cli.options import catalog_option, framework_option, inventory_argument, max_age_option, parse_date
from sovdiag.errors import ExitCode, SovdiagError
from sovdiag.messages import get_language
from sovdiag.messages import translate as t

if TYPE_CHECKING:
    from sovdiag.report.batch import BatchOutcome

FORMATS = ("pdf", "html")


def register(app: typer.Typer) -> None:
    @app.command("report", help=t("cli.report.help"), cls=Command)
    @handle_errors
    def report(
        inventory: Annotated[Path, inventory_argument("cli.report.arg.inventory", "cli.metavar.file_or_folder")],
        output: Annotated[
            Path | None, typer.Option("--output", "-o", help=t("cli.report.opt.output"), show_default=False)
        ] = None,
        fmt: Annotated[str, typer.Option("--format", "-f", help=t("cli.report.opt.format"))] = "pdf",
        audience: Annotated[str, typer.Option("--audience", help=t("cli.report.opt.audience"))] = "complet",
        organisation: Annotated[
            str | None, typer.Option("--organisation", help=t("cli.report.opt.organisation"), show_default=False)
        ] = None,
        logo: Annotated[Path | None, typer.Option("--logo", help=t("cli.report.opt.logo"), show_default=False)] = None,
        templates: Annotated[
            Path | None, typer.Option("--templates", help=t("cli.report.opt.templates"), show_default=False)
        ] = None,
        pdf_a: Annotated[bool, typer.Option("--pdf-a", help=t("cli.report.opt.pdf_a"))] = False,
        date: Annotated[str | None, typer.Option("--date", help=t("cli.report.opt.date"), show_default=False)] = None,
        framework: Annotated[Path | None, framework_option()] = None,
        catalog: Annotated[Path | None, catalog_option()] = None,
        max_age: Annotated[int | None, max_age_option()] = None,
        weights: Annotated[str | None, typer.Option("--weights", help=t("cli.opt.weights"), show_default=False)] = None,
        previous: Annotated[
            Path | None, typer.Option("--previous", help=t("cli.report.opt.previous"), show_default=False)
        ] = None,
        jobs: Annotated[
            int | None, typer.Option("--jobs", "-j", help=t("cli.report.opt.jobs"), show_default=False, min=1)
        ] = None,
    ) -> None:
        if fmt not in FORMATS:
            raise typer.BadParameter(t("cli.unknown_format", fmt=fmt), param_hint="--format")
        if audience not in ("elus", "complet"):
            raise typer.BadParameter(t("cli.unknown_audience", audience=audience), param_hint="--audience")
        options: dict[str, Any] = {
            "fmt": fmt,
            "audience": audience,
            "organisation": organisation,
            "logo": logo,
            "templates": templates,
            "pdf_a": pdf_a,
            "date": parse_date(date),
            "framework": framework,
            "catalog": catalog,
            "max_age_days": max_age,
            "weights": weights,
            "previous": previous,
        }
        if inventory.is_dir():
            if previous is not None:
                raise typer.BadParameter(t("cli.report.previous_with_folder"), param_hint="--previous")
            _report_folder(inventory, output or Path("rapports"), jobs, options)
            return

        from sovdiag.output import check_not_input
        from sovdiag.report import report_file

        output = output or Path(f"rapport.{fmt}")
        check_not_input(output, [inventory, *[p for p in (framework, catalog, logo, previous) if p]])
        from sovdiag.report.workers import default_jobs

        rendered = report_file(inventory, output, lang=get_language(), jobs=jobs or default_jobs(), **options)
        if rendered.pages is not None:
            print_text(t("cli.report.written", file=str(output), pages=rendered.pages))
        else:
            print_text(t("cli.report.written_html", file=str(output)))


def _report_folder(folder: Path, output_dir: Path, jobs: int | None, options: dict[str, Any]) -> None:
    from sovdiag.report.assets import check_logo, check_templates
    from sovdiag.report.batch import find_inventories, plan_outputs, render_batch
    from sovdiag.report.workers import default_jobs

    inventories = find_inventories(folder)
    if output_dir.exists() and not output_dir.is_dir():
        raise SovdiagError("error.not_a_folder", file=str(output_dir))
    pairs = plan_outputs(inventories, output_dir, options["fmt"])
    # Checked once here rather than failing identically in every worker.
    if options["logo"] is not None:
        check_logo(options["logo"])
    if options["templates"] is not None:
        check_templates(options["templates"])
    output_dir.mkdir(parents=True, exist_ok=True)
    workers = min(jobs or default_jobs(), len(pairs))
    print_text(t("batch.start", count=len(pairs), folder=str(folder), output=str(output_dir), jobs=workers))

    def show(outcome: BatchOutcome) -> None:
        if outcome.error is not None:
            print_error(t("batch.failed", inventory=outcome.inventory.name, error=outcome.error))
        elif outcome.pages is None:
            print_text(t("batch.done_html", inventory=outcome.inventory.name, output=str(outcome.output)))
        else:
            print_text(
                t("batch.done", inventory=outcome.inventory.name, output=str(outcome.output), pages=outcome.pages)
            )

    outcomes = render_batch(pairs, jobs=workers, lang=get_language(), options=options, on_done=show)
    failed = sum(1 for outcome in outcomes if outcome.error is not None)
    print_text(t("batch.summary", ok=len(outcomes) - failed, failed=failed))
    if failed:
        raise typer.Exit(ExitCode.ERROR)
