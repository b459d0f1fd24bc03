"""The diagnostic report: results -> plain context -> Jinja2 HTML -> WeasyPrint PDF.

Only this package imports Jinja2 and WeasyPrint, and only when a report is asked for.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sovdiag.pipeline import OpenDiagnostic


@dataclass(frozen=True)
class RenderedReport:
    path: Path
    pages: int | None


def report_file(
    inventory: Path,
    output: Path,
    *,
    framework: Path | None = None,
    catalog: Path | None = None,
    **report_options: Any,
) -> RenderedReport:
    """Open ``inventory`` (with these framework and catalog files) and write its report to ``output``;
    ``report_options`` are those of :func:`build_report`."""
    from sovdiag.pipeline import open_diagnostic

    return build_report(open_diagnostic(inventory, framework, catalog), output=output, **report_options)


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
    audience: str = "complet",
    organisation: str | None = None,
    logo: Path | None = None,
    pdf_a: bool = False,
    previous: Path | None = None,
    jobs: int = 1,
) -> RenderedReport:
    """Score the diagnostic and write its report to ``output`` as PDF or HTML; ``previous`` (an
    earlier diagnostic: results file, PDF report or inventory) adds what changed since. With
    ``jobs`` above 1, a large PDF is laid out in chunks on that many processes."""
    from sovdiag.output import write_atomic
    from sovdiag.pipeline import diagnose
    from sovdiag.plan import load_measures, load_obligations
    from sovdiag.report.assets import check_logo, check_templates
    from sovdiag.report.context import build_context
    from sovdiag.report.html import render_html
    from sovdiag.report.workers import ChunkWorkers
    from sovdiag.resources import templates_dir

    # The workers are started first, so that their start overlaps the scoring and the HTML.
    chunking = fmt == "pdf" and audience == "complet" and jobs > 1 and len(diag.inventory.services) >= CHUNKED_FROM
    with ChunkWorkers(jobs if chunking else 1) as workers:
        folder = check_templates(templates) if templates else templates_dir()
        logo_uri = check_logo(logo) if logo else None
        results = diagnose(diag, weights, max_age_days)
        report_date = date or dt.date.today()
        progress = _progress(previous, results, diag, lang, report_date, weights) if previous else None
        context = build_context(
            results,
            diag,
            lang=lang,
            report_date=report_date,
            measures=load_measures(),
            obligations=load_obligations(),
            audience=audience,
            organisation=organisation,
            logo=logo_uri,
            progress=progress,
        )
        context["chunked"] = workers.count > 1
        html = render_html(context, folder)
        if fmt == "html":
            write_atomic(output, html)
            return RenderedReport(output, None)
        from sovdiag.report.pdf import html_to_pdf
        from sovdiag.results import RESULTS_ATTACHMENT, results_json

        # The results travel inside the PDF, so that a report received from a consultant can be compared.
        # Written while the workers lay the chunks out (over a second for 2,000 services).
        pdf, pages = html_to_pdf(
            html,
            folder,
            variant="pdf/a-3b" if pdf_a else "pdf/ua-1",
            attachments=lambda: [(RESULTS_ATTACHMENT, results_json(results, compact=True))],
            when=report_date,
            workers=workers,
        )
        write_atomic(output, pdf)
        return RenderedReport(output, pages)


# Below this many services a report takes a few seconds in one process: no worker is started.
CHUNKED_FROM = 40


def _progress(
    previous: Path, results: Any, diag: OpenDiagnostic, lang: str, report_date: dt.date, weights: str | None
) -> dict[str, Any]:
    """What changed since ``previous``, as the comparison view the templates print."""
    from sovdiag.compare import compare
    from sovdiag.pipeline import references_of
    from sovdiag.report.comparison import comparison_view
    from sovdiag.results import load_results

    earlier = load_results(previous, weights=weights, references=references_of(diag))
    comparison = compare(earlier.results, results, [diag.framework])
    return comparison_view(comparison, diag.framework, lang=lang, files=(previous, diag.path), report_date=report_date)
