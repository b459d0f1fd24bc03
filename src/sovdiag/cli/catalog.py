"""sovdiag catalog search | show | validate | export"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from sovdiag.cli.console import Command, Group, handle_errors, print_text
from sovdiag.cli.options import catalog_option, export_format
from sovdiag.errors import SovdiagError
from sovdiag.messages import get_language
from sovdiag.messages import translate as t

EXPORT_FORMATS = ("csv", "json")


def _load(local: Path | None):  # type: ignore[no-untyped-def]
    from sovdiag.catalog import load_catalog
    from sovdiag.framework import load_domains

    return load_catalog(local, {d.id for d in load_domains().domains})


def register(app: typer.Typer) -> None:
    sub = typer.Typer(help=t("cli.catalog.help"), cls=Group, no_args_is_help=True)
    app.add_typer(sub, name="catalog")

    @sub.command("search", help=t("cli.catalog.search.help"), cls=Command)
    @handle_errors
    def search(
        text: Annotated[str, typer.Argument(help=t("cli.catalog.arg.text"), show_default=False)],
        catalog: Annotated[Path | None, catalog_option()] = None,
    ) -> None:
        hits = _load(catalog).search(text)
        if not hits:
            print_text(t("cli.catalog.no_hit", text=text))
            raise typer.Exit(1)
        for kind, entry_id, label in hits:
            print_text(f"{t('cli.catalog.kind.' + kind):12} {entry_id:40} {label}")

    @sub.command("show", help=t("cli.catalog.show.help"), cls=Command)
    @handle_errors
    def show(
        entry: Annotated[str, typer.Argument(help=t("cli.catalog.arg.id"), show_default=False)],
        catalog: Annotated[Path | None, catalog_option()] = None,
    ) -> None:
        from sovdiag import formatting as fmt
        from sovdiag.catalog import dating_marks, describe_alternative, fact_text
        from sovdiag.models import SupplierRole

        loaded = _load(catalog)
        lang = get_language()
        if entry in loaded.suppliers:
            supplier, offers = loaded.suppliers[entry], loaded.suppliers[entry].offers
        elif entry in loaded.offers:
            supplier = loaded.supplier_of(entry)
            offers = [loaded.offers[entry][1]]
        else:
            hits = loaded.search(entry, limit=5)
            raise SovdiagError("cli.catalog.unknown_id", id=entry, choices=", ".join(h[1] for h in hits) or "—")
        origin = loaded.origin("supplier", supplier.id)
        print_text(f"{supplier.display_name} ({supplier.id}) — {supplier.name}", style="bold")
        if origin != "builtin":
            print_text(t("cli.catalog.overridden", origin=origin.removeprefix("local:")))
        if supplier.aliases:
            print_text(t("cli.catalog.aliases", aliases=", ".join(supplier.aliases)))
        if supplier.role == SupplierRole.steward:
            print_text(t("cli.catalog.steward"))

        today = dt.date.today()

        def show(line: str, note: str | None = None) -> None:
            print_text("  " + line)
            if note:
                print_text("      " + t("cli.catalog.note", note=note))

        def show_facts(facts) -> None:  # type: ignore[no-untyped-def]
            for name, fact in facts:
                checked = fmt.long_date(fact.checked, lang)
                if fact.unknown:
                    show(t("cli.catalog.fact_unknown", name=name, checked=checked, note=fact.note or ""))
                    continue
                value = (
                    t("cli.catalog.yes" if fact.value else "cli.catalog.no") if isinstance(fact.value, bool) else None
                )
                line = t(
                    "cli.catalog.fact",
                    name=name,
                    value=value or fact_text(fact.value),
                    source=fact.source,
                    checked=checked,
                )
                show(
                    line + dating_marks(fact.as_of, fact.checked, today, loaded.index.stale_after_days, lang), fact.note
                )

        show_facts(loaded.facts(supplier))
        for offer in offers:
            print_text(f"{offer.name} ({offer.id})", style="bold")
            print_text(
                "  "
                + t(
                    "cli.catalog.domains",
                    domains=", ".join(offer.domains) or "—",
                    deployment=", ".join(d.value for d in offer.deployment) or "—",
                )
            )
            show_facts(loaded.offer_facts(offer))
            for cert in offer.certifications:
                line = t(
                    "cli.catalog.certification",
                    scheme=cert.scheme.value,
                    scope=cert.scope,
                    source=cert.source,
                    checked=fmt.long_date(cert.checked, lang),
                )
                show(line, cert.note)
            for alt in offer.alternatives:
                line = describe_alternative(alt, loaded, lang, today, loaded.index.stale_after_days)
                show(t("cli.catalog.alternative", line=line), alt.note)

    @sub.command("validate", help=t("cli.catalog.validate.help"), cls=Command)
    @handle_errors
    def validate(
        path: Annotated[
            Path | None,
            typer.Argument(help=t("cli.catalog.arg.file"), show_default=False, metavar=t("cli.metavar.file")),
        ] = None,
    ) -> None:
        from sovdiag.catalog import fact_counts

        loaded = _load(path)
        counts = fact_counts(loaded)
        print_text(t("cli.catalog.valid", version=loaded.index.version, date=loaded.index.date.isoformat(), **counts))
        if path is not None:
            overridden = sorted(k for k, v in loaded.origins.items() if v != "builtin")
            print_text(t("cli.catalog.local", file=str(path), entries=", ".join(overridden) or "—"))

    @sub.command("export", help=t("cli.catalog.export.help"), cls=Command)
    @handle_errors
    def export(
        output: Annotated[Path, typer.Option("--output", "-o", help=t("cli.catalog.export.opt.output"))],
        fmt: Annotated[
            str | None, typer.Option("--format", "-f", help=t("cli.catalog.export.opt.format"), show_default=False)
        ] = None,
        catalog: Annotated[Path | None, catalog_option()] = None,
    ) -> None:
        from sovdiag.catalog import export_csv, export_json
        from sovdiag.output import check_not_input, write_atomic

        chosen = export_format(output, fmt, EXPORT_FORMATS)
        if catalog is not None:
            check_not_input(output, [catalog])
        loaded = _load(catalog)
        write_atomic(output, export_csv(loaded) if chosen == "csv" else export_json(loaded))
        print_text(t("cli.catalog.exported", file=str(output)))
