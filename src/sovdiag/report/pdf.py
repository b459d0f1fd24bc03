"""Lay out the HTML as a tagged PDF with WeasyPrint, fetching nothing from outside.

The URL fetcher serves ``data:`` URLs and files inside the template folder only: no network, no
``file://`` outside it. Our templates are trusted; the text inside them is not (it comes from
inventories), and although autoescaping keeps it from becoming markup, the fetcher is the second
lock on the door (WeasyPrint's "Security" documentation recommends both).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from sovdiag.errors import ReportError

PDF_VARIANT = "pdf/ua-1"  # tagged PDF: structure, language and title for screen readers


def make_fetcher(folder: Path) -> Any:
    from weasyprint.urls import URLFetcher

    root = folder.resolve()

    class TemplateOnlyFetcher(URLFetcher):  # type: ignore[misc]
        """Serve data: URLs and the template folder's own files; refuse everything else."""

        refused: list[str]

        def __init__(self) -> None:
            super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False, timeout=2)
            self.refused = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            scheme = url.split(":", 1)[0].lower()
            if scheme == "file":
                path = Path(unquote(urlsplit(url).path)).resolve()
                if not path.is_relative_to(root) or not path.is_file():
                    self.refused.append(url)
                    raise ValueError(f"refused: {url}")
            elif scheme != "data":
                self.refused.append(url)
                raise ValueError(f"refused: {url}")
            return super().fetch(url, headers)

    return TemplateOnlyFetcher()


def html_to_pdf(
    html: str,
    folder: Path,
    variant: str | None = PDF_VARIANT,
    attachments: Callable[[], list[tuple[str, str]]] | None = None,
    when: dt.date | None = None,
    workers: Any = None,
) -> tuple[bytes, int]:
    """Return the PDF bytes and the page count. ``attachments`` gives the (name, text) pairs
    embedded in the PDF, dated ``when`` so that the same inputs give the same file; it is called
    while the workers lay out, if any. With ``workers`` (a :class:`sovdiag.report.workers.ChunkWorkers`),
    a large report is laid out in chunks on them."""
    from sovdiag.report.chunks import render_chunked, strip_markers

    files = attachments or (lambda: [])
    if workers is not None and workers.count > 1:
        chunked = render_chunked(html, folder, variant=variant, attachments=files, when=when, workers=workers)
        if chunked is not None:
            return chunked
    document, pdf = render_document(strip_markers(html), folder, variant, files(), when)
    return pdf, len(document.pages)


def render_document(
    html: str, folder: Path, variant: str | None, attachments: list[tuple[str, str]], when: dt.date | None
) -> tuple[Any, bytes]:
    """Lay out ``html`` with WeasyPrint: the laid-out document and its PDF bytes."""
    from weasyprint import HTML, Attachment

    fetcher = make_fetcher(folder)
    stamp = dt.datetime.combine(when or dt.date(2000, 1, 1), dt.time(), tzinfo=dt.UTC)
    files = [
        Attachment(
            string=text,
            name=name,
            url_fetcher=fetcher,
            created=stamp,
            modified=stamp,
            relationship="Data",
            description=name,
        )
        for name, text in attachments
    ]
    try:
        document = HTML(string=html, base_url=str(folder.resolve()) + "/", url_fetcher=fetcher).render(
            pdf_variant=variant
        )
        buffer = io.BytesIO()
        document.write_pdf(buffer, pdf_variant=variant, attachments=files)
    except (OSError, ValueError, RecursionError) as err:
        raise ReportError("error.render_failed", reason=f"{type(err).__name__}: {err}") from err
    return document, buffer.getvalue()
