"""sovdiag compare OLD NEW [-o comparaison.pdf] | sovdiag compare --group DIR [--focus ONE] [--named]"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from sovdiag.cli.console import Command, handle_errors, out, print_text
from sovdiag.cli.options import catalog_option, framework_option, max_age_option, parse_date
from sovdiag.messages import get_language
from sovdiag.messages import translate as t


@dataclass(frozen=True)
class Run:
    """What both kinds of comparison share: where to write, how, and how to read the inputs."""

    output: Path | None
    fmt: str
    report_date: dt.date
    framework: Any  # LoadedFramework: names of axes, options and levels
    sources: dict[str, Any]  # load_results keywords: references, weights, max_age_days
    reference_files: list[Path]  # the --framework and --catalog files, never to be overwritten

    def write(self, view: dict[str, Any], template: str) -> None:
        if self.output is None:
            return
        from sovdiag.report.comparison_render import write_view

        pages = write_view(view, template, self.output, self.fmt, self.report_date)
        if pages is None:
            print_text(t("cli.compare.written_html", file=str(self.output)))
        else:
            print_text(t("cli.compare.written", file=str(self.output), pages=pages))


STYLE = {"better": "green", "worse": "red", "nc": "dim", "same": "", "neutral": ""}
FORMATS = ("pdf", "html")


def register(app: typer.Typer) -> None:
    @app.command("compare", help=t("cli.compare.help"), cls=Command)
    @handle_errors
    def compare(
        files: Annotated[
            list[Path] | None,
            typer.Argument(help=t("cli.compare.arg.files"), show_default=False, metavar=t("cli.metavar.files")),
        ] = None,
        output: Annotated[
            Path | None, typer.Option("--output", "-o", help=t("cli.compare.opt.output"), show_default=False)
        ] = None,
        fmt: Annotated[
            str | None, typer.Option("--format", "-f", help=t("cli.compare.opt.format"), show_default=False)
        ] = None,
        group: Annotated[
            list[Path] | None, typer.Option("--group", help=t("cli.compare.opt.group"), show_default=False)
        ] = None,
        focus: Annotated[
            str | None, typer.Option("--focus", help=t("cli.compare.opt.focus"), show_default=False)
        ] = None,
        named: Annotated[bool, typer.Option("--named", help=t("cli.compare.opt.named"))] = False,
        min_stratum: Annotated[int, typer.Option("--min-stratum", help=t("cli.compare.opt.min_stratum"), min=2)] = 5,
        date: Annotated[str | None, typer.Option("--date", help=t("cli.report.opt.date"), show_default=False)] = None,
        framework: Annotated[Path | None, framework_option()] = None,
        catalog: Annotated[Path | None, catalog_option()] = None,
        max_age: Annotated[int | None, max_age_option()] = None,
        weights: Annotated[str | None, typer.Option("--weights", help=t("cli.opt.weights"), show_default=False)] = None,
    ) -> None:
        from sovdiag.pipeline import References

        files = files or []
        references = References(framework, catalog)  # loaded once, for every inventory compared
        run = Run(
            output,
            _format(output, fmt),
            parse_date(date) or dt.date.today(),
            references.framework,
            {"references": references, "weights": weights, "max_age_days": max_age},
            [p for p in (framework, catalog) if p],
        )
        if group:
            from sovdiag.cli.group import run_group

            run_group([*group, *files], focus=focus, named=named, min_stratum=min_stratum, run=run)
            return
        if len(files) != 2:
            raise typer.BadParameter(t("cli.compare.two_files"))
        _over_time(files[0], files[1], run)


def _format(output: Path | None, fmt: str | None) -> str:
    chosen = fmt or (output.suffix.lower().lstrip(".") if output is not None else "pdf")
    if chosen not in FORMATS:
        raise typer.BadParameter(t("cli.unknown_format", fmt=chosen), param_hint="--format")
    return chosen


def _over_time(old_path: Path, new_path: Path, run: Run) -> None:
    from sovdiag.compare import compare
    from sovdiag.report.comparison import comparison_view
    from sovdiag.results import load_results

    if run.output is not None:
        from sovdiag.output import check_not_input

        check_not_input(run.output, [old_path, new_path, *run.reference_files])
    old = load_results(old_path, **run.sources)
    new = load_results(new_path, **run.sources)
    comparison = compare(old.results, new.results, [run.framework])
    view = comparison_view(
        comparison, run.framework, lang=get_language(), files=(old_path, new_path), report_date=run.report_date
    )
    print_comparison(view)
    run.write(view, "compare.html.j2")


def _cell(text: str, trend: str = "") -> Any:
    from rich.text import Text

    return Text(text, style=STYLE.get(trend, ""))


def print_comparison(view: dict[str, Any]) -> None:
    from rich.table import Table

    print_text(f"{t('compare.title')} — {view['collectivite']['name']}", style="bold")
    for key, label in (("old", "compare.before"), ("new", "compare.after")):
        print_text("  " + t("compare.label_line", label=t(label), text=t("compare.side", **view[key])))
    print_text("")
    print_text(view["headline"])
    if view["not_compared"]:
        print_text("")
        print_text(t("compare.section.not_compared"), style="bold")
        for line in view["not_compared"]:
            print_text(f"  • {line}")

    table = Table(title=t("compare.section.indicators"), title_justify="left")
    table.add_column("", overflow="fold")
    for label in ("compare.before", "compare.after", "compare.change"):
        table.add_column(t(label), justify="right")
    for row in view["indicators"]:
        mark = {"better": " ▲", "worse": " ▼"}.get(row["trend"], "")
        table.add_row(_cell(row["label"]), row["old"], row["new"], _cell(row["delta"] + mark, row["trend"]))
    out.print(table)

    table = Table(title=t("compare.section.axes"), title_justify="left")
    table.add_column("", overflow="fold")
    for label in ("compare.before", "compare.after", "compare.change"):
        table.add_column(t(label), justify="right")
    table.add_column("", overflow="fold")
    for row in view["axes"]:
        table.add_row(
            _cell(f"{row['id']} {row['name']}"),
            f"{row['old']} ({row['old_prudent']})",
            f"{row['new']} ({row['new_prudent']})",
            _cell(row["delta"], row["trend"]),
            _cell(row["basis"], "nc" if row["trend"] == "nc" else ""),
        )
    out.print(table)

    lines = view["lines"]
    print_text(t("compare.section.services"), style="bold")
    for line in [*lines["replaced"], *lines["added"], *lines["removed"]]:
        print_text(f"  • {line}")
    for s in view["changed"]:
        print_text("  • " + t("compare.changed", name=s["name"]))
        for f in s["fields"]:
            line = t("compare.label_line", label=f["label"], text=f"{f['old']} → {f['new']}")
            print_text(f"      {line}", style=STYLE.get(f["trend"], ""))
        for a in s["answers"]:
            print_text("      " + t("compare.label_line", label=a["criterion"], text=f"{a['old']} → {a['new']}"))
        if s["answers_more_line"]:
            print_text("      " + s["answers_more_line"])
    print_text("  " + lines["unchanged"])

    print_text(t("compare.section.risks"), style="bold")
    if not view["risk_compared"]:
        print_text("  " + t("compare.risk_not_compared"))
    elif not lines["risks"]:
        print_text("  " + t("compare.no_risk_change"))
    for line in lines["risks"]:
        print_text(f"  • {line}")

    print_text(t("compare.section.actions"), style="bold")
    for group in lines["actions"]:
        print_text("  " + group["title"])
        for a in group["entries"][:8]:
            line = (
                t("compare.action_line", title=a["title"], services=", ".join(a["services"]))
                if a["services"]
                else a["title"]
            )
            print_text(f"    – {line}")
        if len(group["entries"]) > 8:
            print_text("    – …")
    print_text("  " + lines["actions_open"])
