"""The diagnostic report: results -> plain context -> Jinja2 HTML -> WeasyPrint PDF.

Only this package imports Jinja2 and WeasyPrint, and only when a report is asked for.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sovdiag.pipeline import OpenDiagnostic


@dataclass(frozen=True)
class RenderedReport:
    path: Path
    pages: int | None


def build_report(
    diag: OpenDiagnostic,
    *,
    fmt: str,
    lang: str,
    output: Path,
    weights: str | None = None,
    date: dt.date | None = None,
    templates: Path | None = None,
    max_age_days: int | None = None,
) -> RenderedReport:
    """Score the diagnostic and write its report to ``output`` as PDF or HTML."""
    from sovdiag.output import write_atomic
    from sovdiag.pipeline import diagnose
    from sovdiag.plan import load_measures, load_obligations
    from sovdiag.report.context import build_context
    from sovdiag.report.html import render_html
    from sovdiag.resources import templates_dir

    results = diagnose(diag, weights, max_age_days)
    context = build_context(
        results,
        diag,
        lang=lang,
        report_date=date or dt.date.today(),
        measures=load_measures(),
        obligations=load_obligations(),
    )
    folder = templates or templates_dir()
    html = render_html(context, folder)
    if fmt == "html":
        write_atomic(output, html)
        return RenderedReport(output, None)
    from sovdiag.report.pdf import html_to_pdf

    pdf, pages = html_to_pdf(html, folder)
    write_atomic(output, pdf)
    return RenderedReport(output, pages)
