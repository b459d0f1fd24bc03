"""sovdiag score FILE [--json OUT] [--explain SERVICE]"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sovdiag.cli.console import Command, handle_errors, out, print_text
from sovdiag.cli.options import catalog_option, framework_option, inventory_argument, max_age_option
from sovdiag.messages import get_language
from sovdiag.messages import translate as t

if TYPE_CHECKING:
    from sovdiag.explain import Explanation
    from sovdiag.framework import LoadedFramework
    from sovdiag.scoring import Results


def register(app: typer.Typer) -> None:
    @app.command("score", help=t("cli.score.help"), cls=Command)
    @handle_errors
    def score(
        inventory: Annotated[Path, inventory_argument()],
        json_path: Annotated[
            Path | None, typer.Option("--json", help=t("cli.score.opt.json"), show_default=False)
        ] = None,
        explain: Annotated[
            str | None, typer.Option("--explain", help=t("cli.score.opt.explain"), show_default=False)
        ] = None,
        framework: Annotated[Path | None, framework_option()] = None,
        catalog: Annotated[Path | None, catalog_option()] = None,
        max_age: Annotated[int | None, max_age_option()] = None,
        weights: Annotated[
            str | None, typer.Option("--weights", help=t("cli.opt.weights_file"), show_default=False)
        ] = None,
        show_all: Annotated[bool, typer.Option("--all", help=t("cli.score.opt.all"))] = False,
    ) -> None:
        from sovdiag.output import check_not_input, write_atomic
        from sovdiag.pipeline import diagnose, open_diagnostic

        diag = open_diagnostic(inventory, framework, catalog)
        results = diagnose(diag, weights, max_age)
        if json_path is not None:
            from sovdiag.results import results_json

            payload = results_json(results)
            if str(json_path) == "-":
                typer.echo(payload, nl=False)
                return
            check_not_input(json_path, [inventory, *[p for p in (framework, catalog) if p]])
            write_atomic(json_path, payload)
        if explain is not None:
            from sovdiag.explain import explain_service
            from sovdiag.plan import load_measures, load_obligations

            explanation = explain_service(
                results,
                diag.inventory,
                diag.framework,
                explain,
                get_language(),
                load_measures(),
                load_obligations(),
                diag.catalog,
            )
            _print_explanation(explanation, diag.framework)
        else:
            _print_table(results, diag.framework, None if show_all else TABLE_LIMIT)
            _print_indicators(results)
        if json_path is not None:
            print_text(t("cli.score.written", file=str(json_path)))


def _level_code(framework: LoadedFramework, level: int | None) -> str:
    if level is None:
        return t("table.no_level")
    return next((lvl.code for lvl in framework.model.levels if lvl.value == level), str(level))


TABLE_LIMIT = 100  # rows; a terminal table of thousands of services is slow to print and to read


def _print_table(results: Results, framework: LoadedFramework, limit: int | None) -> None:
    from rich.table import Table
    from rich.text import Text

    from sovdiag import formatting as fmt

    lang = get_language()
    risk_codes = {r.value: r.code for r in framework.model.risk.risk_levels} if framework.model.risk else {}
    table = Table(
        title=Text(
            t(
                "table.title",
                name=results.collectivite.get("name", ""),
                services=len(results.services),
                framework=results.framework_id,
                version=results.framework_version,
                profile=results.profile_id,
            )
        ),
        title_justify="left",
    )
    # Long words fold rather than being cut: the table must stay readable in 80 columns.
    table.add_column(t("table.service"), overflow="fold", min_width=12)
    table.add_column(t("table.supplier"), overflow="fold", min_width=10)
    table.add_column(t("table.score_prudent"), justify="right")
    table.add_column(t("table.target"))
    table.add_column(t("table.risk"))
    table.add_column(t("table.binding"))
    shown = results.services
    if limit is not None and len(shown) > limit:
        # The most exposed first: highest risk, then lowest level, then lowest score.
        shown = sorted(
            shown,
            key=lambda x: (
                -(x.risk.level if x.risk else 0),
                x.level if x.level is not None else -1,
                x.score if x.score is not None else -1.0,
            ),
        )[:limit]
    for s in shown:
        level = _level_code(framework, s.level)
        target = f" → {s.target_level}" if s.target_level is not None else ""
        risk = risk_codes.get(s.risk.level, str(s.risk.level)) if s.risk else "—"
        table.add_row(
            Text(s.name),
            Text(s.supplier),
            f"{fmt.score(s.score, lang)} ({fmt.score(s.prudent_score, lang)})",
            level + target,
            risk,
            s.binding_criterion or "—",
        )
    out.print(table)
    if len(shown) < len(results.services):
        print_text(t("table.more", shown=len(shown), total=len(results.services)))
    summary = results.summary
    sep = " : " if lang == "fr" else ": "
    levels = ", ".join(
        f"{_level_code(framework, None if k == 'none' else int(k))}{sep}{v}" for k, v in summary.levels.items()
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


def _print_indicators(results: Results) -> None:
    from sovdiag import formatting as fmt
    from sovdiag.plan import load_measures

    lang = get_language()
    ind = results.indicators
    if ind is None:
        return
    print_text("")
    print_text(t("ind.title"), style="bold")
    windows = {w.months: len(w.services) for w in ind.contract_windows}
    lines = [
        t(
            "ind.spend_outside_eu",
            share=fmt.percent(ind.spend_share_outside_eu, lang),
            amount=fmt.money(ind.spend_outside_eu, lang),
            total=fmt.money(ind.annual_cost, lang),
        ),
        t(
            "ind.services_outside_eu",
            count=ind.services_outside_eu,
            total=ind.services,
            unknown=ind.services_controller_unknown,
        ),
        t("ind.critical_outside_eu", count=ind.critical_outside_eu, total=ind.critical_services),
        t("ind.below_target", count=ind.below_target, total=ind.with_target, prudent=ind.prudent_below_target),
        t("ind.no_exit", count=len(ind.critical_without_alternative_or_exit), total=ind.critical_services),
        t(
            "ind.windows",
            w12=windows.get(12, 0),
            w24=windows.get(24, 0),
            w36=windows.get(36, 0),
            expired=len(ind.contracts_expired),
        ),
    ]
    if results.concentration is not None and results.concentration.hhi_spend is not None:
        lines.append(
            t(
                "ind.concentration",
                hhi=fmt.number(round(results.concentration.hhi_spend), lang),
                top=fmt.percent(results.concentration.top_spend_share, lang),
            )
        )
    zones = [s.zone for s in results.suppliers]
    lines.append(t("ind.suppliers", danger=zones.count("danger"), control=zones.count("control")))
    lines.append(
        t(
            "ind.obligations",
            count=len(results.obligations),
            pending=sum(1 for o in results.obligations if o.status in ("pending", "proposal")),
        )
    )
    for line in lines:
        print_text(f"  • {line}")
    if not results.actions:
        return
    titles = {m.id: m.title.get(lang) for m in load_measures().measures}
    print_text("")
    print_text(t("actions.title"), style="bold")
    for action in results.actions[:5]:
        deadline = fmt.iso_date(action.deadline, lang, t("actions.no_deadline"))
        print_text(
            "  "
            + t(
                "actions.line",
                rank=action.rank,
                title=titles.get(action.measure, action.measure),
                services=len(action.services),
                deadline=deadline,
            )
        )
    if len(results.actions) > 5:
        print_text("  " + t("actions.more", count=len(results.actions) - 5))


def _print_explanation(e: Explanation, framework: LoadedFramework) -> None:
    from rich.table import Table
    from rich.text import Text

    from sovdiag import formatting as fmt

    lang = get_language()
    s = e.service
    print_text(t("explain.header", name=s.name, id=s.id, supplier=s.supplier), style="bold")
    target = str(s.target_level) if s.target_level is not None else "—"
    print_text(
        t(
            "explain.summary",
            score=fmt.score(s.score, lang),
            prudent=fmt.score(s.prudent_score, lang),
            level=e.level_code,
            target=target,
            profile=e.profile_id,
        )
    )
    if e.binding:
        print_text(t("explain.binding", binding=e.binding))
    print_text(t("explain.targets", rules=", ".join(e.target_rules) or t("explain.none")))
    for label, value in (
        ("explain.gravity", e.gravity),
        ("explain.likelihood_line", e.likelihood),
        ("explain.risk", e.risk),
    ):
        if value:
            print_text(t(label, **{label.split(".")[1].replace("_line", ""): value}))
    for axis in e.axes:
        table = Table(
            title=t(
                "explain.axis",
                id=axis.id,
                name=axis.name,
                objective=axis.objective,
                weight=fmt.number(axis.weight, lang),
                score=fmt.score(axis.score, lang),
                prudent=fmt.score(axis.prudent_score, lang),
                level=_level_code(framework, axis.level),
                target=axis.target if axis.target is not None else "—",
            ),
            title_justify="left",
            show_lines=False,
        )
        table.add_column(t("explain.col.criterion"), overflow="fold")
        table.add_column(t("explain.col.answer"), overflow="fold")
        table.add_column(t("explain.col.value"), justify="right")
        table.add_column(t("explain.col.cap"), justify="right")
        for line in axis.criteria:
            answer = line.answer
            if line.origin == "catalog":
                answer += f" ({t('explain.catalog_mark')})"
            if line.comment:
                answer += f" — {line.comment}"
            if line.evidence:
                answer += f" [{line.evidence}]"
            for fact in line.facts:
                answer += f"\n  {fact}"
            mark = f" ← {t('explain.binding_mark')}" if line.binding else ""
            table.add_row(
                Text(f"{line.id} {line.question}"),
                Text(answer),
                fmt.number(line.value, lang, 2) if line.value is not None else "—",
                (str(line.cap) if line.cap is not None else "—") + mark,
            )
        out.print(table)
    print_text(t("explain.actions"), style="bold")
    for action in e.actions or []:
        deadline = fmt.iso_date(action.deadline, lang, t("actions.no_deadline"))
        print_text(f"  {action.rank}. {action.title} ({', '.join(action.triggers)}) — {deadline}")
    if not e.actions:
        print_text("  " + t("explain.none"))
    if e.catalog_entry:
        print_text(t("explain.catalog_entry", entry=e.catalog_entry), style="bold")
        print_text(t("explain.alternatives"), style="bold")
        for alternative in e.alternatives or [t("explain.none")]:
            print_text(f"  • {alternative}")
    print_text(t("explain.obligations"), style="bold")
    for obligation in e.obligations or [t("explain.none")]:
        print_text(f"  • {obligation}")
