"""sovdiag import SOURCE -o FILE"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sovdiag.cli.console import Command, handle_errors, print_text
from sovdiag.cli.options import catalog_option
from sovdiag.messages import translate as t

if TYPE_CHECKING:
    from sovdiag.importers import ImportReport


def register(app: typer.Typer) -> None:
    @app.command("import", help=t("import.help"), cls=Command)
    @handle_errors
    def import_(
        source: Annotated[
            Path, typer.Argument(help=t("import.arg.source"), show_default=False, metavar=t("cli.metavar.file"))
        ],
        output: Annotated[
            Path,
            typer.Option(
                "--output", "-o", help=t("import.opt.output"), show_default=False, metavar=t("cli.metavar.file")
            ),
        ],
        sheet: Annotated[
            str | None,
            typer.Option("--sheet", help=t("import.opt.sheet"), show_default=False, metavar=t("import.metavar.sheet")),
        ] = None,
        kind: Annotated[
            list[str] | None,
            typer.Option("--kind", help=t("import.opt.kind"), show_default=False, metavar=t("import.metavar.kind")),
        ] = None,
        mapping: Annotated[
            list[str] | None,
            typer.Option("--map", help=t("import.opt.map"), show_default=False, metavar=t("import.metavar.map")),
        ] = None,
        name: Annotated[str | None, typer.Option("--name", help=t("import.opt.name"), show_default=False)] = None,
        by: Annotated[str | None, typer.Option("--by", help=t("import.opt.by"), show_default=False)] = None,
        catalog: Annotated[Path | None, catalog_option()] = None,
        dry_run: Annotated[bool, typer.Option("--dry-run", help=t("import.opt.dry_run"))] = False,
    ) -> None:
        from sovdiag.importers import ImportRequest, run_import
        from sovdiag.resources import inventory_schema_hint

        request = ImportRequest(
            source=source,
            output=output,
            sheet=sheet,
            kinds=kind or [],
            overrides=mapping or [],
            name=name,
            conducted_by=by,
            catalog=catalog,
            schema_hint=inventory_schema_hint(output),
            dry_run=dry_run,
        )
        show(run_import(request))


def show(report: ImportReport) -> None:
    if report.format == "xlsx":
        where = t("import.format.xlsx", sheet=report.sheet or "")
    else:
        delimiter = "⇥" if report.delimiter == "\t" else report.delimiter or ""
        where = t("import.format.csv", delimiter=delimiter, encoding=report.encoding or "")
    how = t("import.kind_detected" if report.kind_detected else "import.kind_forced")
    print_text(t("import.source", file=report.source, format=where, kind=t(f"import.kind.{report.kind}"), how=how))
    print_text(t("import.mapping.title"))
    for column in report.mapping:
        if column.field is None:
            key = "import.mapping.duplicate" if column.origin == "duplicate" else "import.mapping.ignored"
            print_text(t(key, column=column.column))
        else:
            origin = t("import.mapping.from_map") if column.origin == "map" else ""
            label = t(f"import.field.{column.field}")
            print_text(t("import.mapping.line", column=column.column, field=column.field, label=label, origin=origin))
    print_text(
        t(
            "import.summary",
            rows=report.rows,
            added=len(report.added),
            updated=len(report.updated),
            unchanged=len(report.unchanged),
            rejected=len(report.rejected),
            conflicts=len(report.conflicts),
        )
    )
    if report.updated:
        print_text(t("import.updated.title"))
        for service, fields in report.updated.items():
            print_text(t("import.updated.line", service=service, fields=", ".join(fields)))
    if report.conflicts:
        print_text(t("import.conflicts.title"))
        for conflict in report.conflicts:
            print_text(
                t(
                    "import.conflict.line",
                    service=conflict.service,
                    field=conflict.field,
                    current=conflict.current,
                    imported=conflict.imported,
                    line=conflict.line,
                )
            )
    if report.rejected:
        print_text(t("import.rejected.title"))
        for row in report.rejected:
            print_text(row.render())
    if report.defaults:
        defaults = ", ".join(f"{name} ({count})" for name, count in sorted(report.defaults.items()))
        print_text(t("import.defaults", fields=defaults))
    if report.unknown_categories:
        values = ", ".join(f"« {name} » ({count})" for name, count in sorted(report.unknown_categories.items()))
        print_text(t("import.unknown_categories", values=values))
    print_text(t("import.suppliers.matched", count=report.matched_suppliers))
    for status in ("unmatched", "ambiguous"):
        listed = [s for s in report.suppliers if s.status == status]
        if not listed:
            continue
        print_text(t(f"import.suppliers.{status}"))
        for supplier in listed:
            if supplier.candidates:
                hint = t("import.suppliers.candidates", choices=", ".join(supplier.candidates))
            elif supplier.suggestions:
                hint = t("import.suppliers.suggestions", choices=", ".join(supplier.suggestions))
            else:
                hint = ""
            print_text(t("import.suppliers.line", name=supplier.name, services=supplier.services, hint=hint))
    if report.written:
        services = len(report.added)
        print_text(
            t(
                "import.written.created" if report.created else "import.written.updated",
                file=report.output,
                services=services,
            )
        )
    elif report.dry_run and report.changed:
        print_text(t("import.not_written.dry_run", file=report.output))
    else:
        print_text(t("import.not_written.unchanged", file=report.output))
