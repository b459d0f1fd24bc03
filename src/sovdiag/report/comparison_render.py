"""Write a comparison view (``report.comparison``) as HTML or as a tagged PDF, with the report's look."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any


def render_view(view: dict[str, Any], template: str, folder: Path | None = None) -> str:
    """The HTML of ``template`` (in the template folder) filled with ``view``."""
    from sovdiag.report.html import make_environment, render_template
    from sovdiag.resources import templates_dir

    env = make_environment(folder or templates_dir(), str(view["lang"]))
    return render_template(env, template, {**view, "view": view})


def write_view(view: dict[str, Any], template: str, output: Path, fmt: str, when: dt.date) -> int | None:
    """Write ``view`` through ``template`` to ``output``; the page count for a PDF, None for HTML."""
    from sovdiag.output import write_atomic
    from sovdiag.resources import templates_dir

    html = render_view(view, template)
    if fmt == "html":
        write_atomic(output, html)
        return None
    from sovdiag.report.pdf import html_to_pdf

    pdf, pages = html_to_pdf(html, templates_dir(), when=when)
    write_atomic(output, pdf)
    return pages
