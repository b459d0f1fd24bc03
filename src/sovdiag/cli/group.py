"""sovdiag compare --group FILES_OR_DIR [--focus ONE] [--named] [-o groupe.pdf]"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from sovdiag.cli.console import out, print_error, print_text
from sovdiag.errors import ExitCode, SovdiagError
from sovdiag.messages import get_language
from sovdiag.messages import translate as t

if TYPE_CHECKING:
    from sovdiag.cli.compare import Run


def run_group(inputs: list[Path], *, focus: str | None, named: bool, min_stratum: int, run: Run) -> None:
    from sovdiag.group import Digest, aggregate, read_digests
    from sovdiag.report.comparison import group_view
    from sovdiag.results import iter_results_paths, load_results

    paths = iter_results_paths(inputs)
    focus_path = Path(focus) if focus and Path(focus).is_file() else None
    if focus_path is not None and not any(_same_file(focus_path, p) for p in paths):
        paths.append(focus_path)
    if not paths:
        raise SovdiagError("group.empty")
    if run.output is not None:
        from sovdiag.output import check_not_input

        check_not_input(run.output, [*paths, *run.reference_files])

    def matches(d: Digest) -> bool:
        if focus is None:
            return False
        if focus_path is not None:
            return _same_file(focus_path, Path(d.path))
        wanted = focus.strip().casefold()
        return wanted in (d.name.casefold(), (d.siren or "").casefold())

    errors: list[tuple[Path, str]] = []
    digests = read_digests(paths, lambda p: load_results(p, **run.sources).results, errors)
    group = aggregate(digests, matches, named=named, min_stratum=min_stratum)
    for path, message in errors:
        print_error(t("group.unreadable", file=str(path), error=message))
    if focus is not None and group.focus is None:
        raise SovdiagError("group.focus_not_found", focus=focus)
    view = group_view(
        group, run.framework, lang=get_language(), min_stratum=min_stratum, named=named, report_date=run.report_date
    )
    print_group(view)
    run.write(view, "group.html.j2")
    if errors:
        raise typer.Exit(ExitCode.ERROR)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _quartiles(
    labels: dict[str, str],
    title: str,
    columns: tuple[str, str, str],
    rows: list[dict[str, Any]],
    focus: bool,
    where: bool = True,
) -> Any:
    """A table of metrics with their quartiles and median, and the focus's value and position."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title=labels[title], title_justify="left")
    table.add_column(labels["col_metric"], overflow="fold")
    for key in columns:
        table.add_column(labels[key], justify="right")
    if focus:
        table.add_column(labels["col_focus"], justify="right")
        if where:
            table.add_column(labels["col_where"], overflow="fold")
    for p in rows:
        cells = [Text(p["label"] + (f" ({p['excluded']})" if p["excluded"] else "")), p["q1"], p["median"], p["q3"]]
        if focus:
            cells.append(p["focus"])
            if where:
                cells.append(Text(p["where"]))
        table.add_row(*cells)
    return table


def print_group(view: dict[str, Any]) -> None:
    from rich.table import Table
    from rich.text import Text

    labels = view["labels"]
    title = view["title"] + (f" — {view['focus_name']}" if view["focus_name"] else "")
    print_text(title, style="bold")
    print_text(view["headline"])
    for note in view["notes"]:
        print_text(f"  • {note}")

    focus = bool(view["focus_name"])
    out.print(_quartiles(labels, "section_positions", ("col_q1", "col_median", "col_q3"), view["positions"], focus))
    print_text(labels["quartile_note"], style="dim")
    if view["context"]:
        columns = ("col_lower", "col_median", "col_upper")
        out.print(_quartiles(labels, "section_context", columns, view["context"], focus, where=False))

    table = Table(title=labels["section_levels"], title_justify="left")
    table.add_column(labels["col_level"])
    table.add_column(labels["col_group"], justify="right")
    if view["focus_name"]:
        table.add_column(labels["col_focus"], justify="right")
    for level in view["levels"]:
        table.add_row(level["level"], level["group"], *([level["focus"]] if view["focus_name"] else []))
    out.print(table)

    if view["suppliers"]:
        table = Table(title=labels["section_suppliers"], title_justify="left")
        table.add_column(labels["col_supplier"], overflow="fold")
        table.add_column(labels["col_members"], justify="right")
        table.add_column(labels["col_critical"], justify="right")
        for s in view["suppliers"]:
            mark = " ●" if s["focus"] else ""
            name = s["name"] + (f" ({s['outside_eu']})" if s["outside_eu"] else "") + mark
            table.add_row(Text(name), f"{s['members']} ({s['share']})", str(s["critical"]))
        out.print(table)
        print_text(labels["suppliers_note"], style="dim")

    if view["offers"]:
        table = Table(title=labels["section_offers"], title_justify="left")
        table.add_column(labels["col_offer"], overflow="fold")
        table.add_column(labels["col_members"], justify="right")
        for o in view["offers"]:
            table.add_row(Text(o["name"] + (" ●" if o["focus"] else "")), f"{o['members']} ({o['share']})")
        out.print(table)

    if view["strata"]:
        table = Table(title=labels["section_strata"], title_justify="left")
        for key in ("col_kind", "col_band", "col_members", "col_score", "col_spend"):
            table.add_column(labels[key], overflow="fold")
        for s in view["strata"]:
            table.add_row(
                Text(s["kind"] + (" ●" if s["focus"] else "")),
                s["band"],
                str(s["members"]),
                s["median_score"],
                s["median_spend"],
            )
        out.print(table)

    if view["rows"]:
        table = Table(title=labels["section_members"], title_justify="left")
        for key in ("col_name", "col_kind", "col_date", "col_services", "col_score", "col_spend"):
            table.add_column(labels[key], overflow="fold")
        for r in view["rows"]:
            table.add_row(Text(r["name"]), r["kind"], r["date"], str(r["services"]), r["score"], r["spend"])
        out.print(table)
