"""Large reports laid out in pieces, on every core, and joined into one tagged PDF.

WeasyPrint lays out one document on one core, and its time and memory grow with the document.
A report of hundreds of services is therefore cut, at points the template marks, into chunks
that worker processes lay out side by side; each worker exits after its chunk, which gives its
memory back. The cover and table of contents (the *front*) are laid out last, followed by one
empty stand-in page per content page, each holding the anchors found on that page: the table of
contents then resolves its page numbers, and the margin boxes ("page X / Y") are drawn for every
page, by WeasyPrint itself. :mod:`sovdiag.report.merge` keeps the front's real pages, adds the
chunks' pages, and lays each stand-in's margin boxes over the content page it stands for.

Split points are HTML comments the template writes when ``chunked`` is set (PDF only)::

    <!--sovdiag:front-end-->                         end of the front (cover and contents)
    <!--sovdiag:split-->CLOSE<!--sovdiag:reopen-->REOPEN<!--sovdiag:split-end-->

CLOSE ends the elements open at that point and REOPEN opens them again (a table's head, for
example) when a chunk ends there; both are dropped where no chunk ends. User text cannot forge a
marker: autoescaping turns its ``<`` into ``&lt;``.
"""

from __future__ import annotations

import html as html_lib
import io
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FRONT_END = "<!--sovdiag:front-end-->"
_SPLIT = re.compile(r"<!--sovdiag:split-->(.*?)<!--sovdiag:reopen-->(.*?)<!--sovdiag:split-end-->", re.S)
_BODY_OPEN = re.compile(r"<body\b[^>]*>", re.I)

# Below this weight (about two seconds of layout), one document in one process is as fast.
MIN_CHUNKED_WEIGHT = 8_000
# One round of chunks (one per worker) up to this weight each: about 500 services on two cores,
# 250 MiB a worker. Beyond, chunks of MAX_CHUNK_WEIGHT (about 150 MiB a worker) bound the memory.
ONE_ROUND_WEIGHT = 24_000
MAX_CHUNK_WEIGHT = 11_000

# Content chunks draw no margin box: the front's stand-in pages bring them, with the right numbers.
_NO_MARGIN_BOXES = "@page { " + " ".join(
    f"@{name} {{ content: none }}"
    for name in (
        "top-left-corner", "top-left", "top-center", "top-right", "top-right-corner",
        "bottom-left-corner", "bottom-left", "bottom-center", "bottom-right", "bottom-right-corner",
        "left-top", "left-middle", "left-bottom", "right-top", "right-middle", "right-bottom",
    )
) + " }"  # fmt: skip
_STAND_IN_STYLE = ".sovdiag-stand-in { break-before: page; height: 0; margin: 0; padding: 0; border: 0 }"


@dataclass(frozen=True)
class SplitDocument:
    """A report's HTML cut at its split points."""

    head: str  # from the start of the file to the <body> tag included
    front: str  # the cover and the table of contents
    segments: list[str]  # the content between split points
    joints: list[tuple[str, str]]  # (close, reopen) between segments[i] and segments[i + 1]
    tail: str  # from </body> to the end

    def whole(self) -> str:
        """The HTML of one document, without any marker."""
        return self.head + self.front + "".join(self.segments) + self.tail

    def weights(self) -> list[int]:
        """Each segment's estimated layout cost: elements, and lines of text to break."""
        return [segment.count("<") + len(segment) // 40 for segment in self.segments]


def split_html(html: str) -> SplitDocument | None:
    """Cut ``html`` at its markers; None when it has none (a template without split points)."""
    body = _BODY_OPEN.search(html)
    front_end = html.find(FRONT_END)
    body_close = html.rfind("</body>")
    if body is None or front_end < body.end() or body_close < front_end:
        return None
    parts = _SPLIT.split(html[front_end + len(FRONT_END) : body_close])
    segments = parts[0::3]
    joints = list(zip(parts[1::3], parts[2::3], strict=True))
    return SplitDocument(html[: body.end()], html[body.end() : front_end], segments, joints, html[body_close:])


def strip_markers(html: str) -> str:
    """``html`` as one document: no split point applied, no marker left."""
    return _SPLIT.sub("", html).replace(FRONT_END, "")


def plan_chunks(weights: list[int], workers: int, max_weight: int = MAX_CHUNK_WEIGHT) -> list[tuple[int, int]]:
    """Group consecutive segments into chunks of about equal weight, at least one per worker and
    none heavier than ``max_weight`` where the split points allow: ``(first, last + 1)`` ranges."""
    total = sum(weights)
    # A whole number of rounds: with 3 chunks on 2 workers, one worker would lay out two alone.
    rounds = 1 if total <= ONE_ROUND_WEIGHT * workers else math.ceil(total / (max_weight * workers))
    count = min(len(weights), workers * rounds)
    if count <= 1:
        return [(0, len(weights))]
    target = total / count
    chunks: list[tuple[int, int]] = []
    start, done = 0, 0
    for index, weight in enumerate(weights):
        # Cut after this segment if that lands closer to the next boundary than cutting before it.
        boundary = target * (len(chunks) + 1)
        if index > start and done + weight / 2 > boundary and len(chunks) < count - 1:
            chunks.append((start, index))
            start = index
        done += weight
    chunks.append((start, len(weights)))
    return chunks


def chunk_bodies(document: SplitDocument, ranges: list[tuple[int, int]]) -> list[str]:
    """The body of each chunk: its segments, closed and reopened where a neighbour was cut off."""
    bodies = []
    for first, end in ranges:
        opening = document.joints[first - 1][1] if first > 0 else ""
        closing = document.joints[end - 1][0] if end < len(document.segments) else ""
        bodies.append(opening + "".join(document.segments[first:end]) + closing)
    return bodies


def with_style(head: str, css: str) -> str:
    """``head`` with one more stylesheet, after the template's own so that it wins."""
    at = head.lower().rfind("</head>")
    style = f"<style>{css}</style>"
    return head[:at] + style + head[at:] if at >= 0 else head + style


def front_html(document: SplitDocument, chunk_pages: list[list[list[str]]]) -> str:
    """The front, then one stand-in page per content page with the anchors found on that page."""
    stand_ins: list[str] = []
    for pages in chunk_pages:
        for anchors in pages:
            ids = "".join(f'<span id="{html_lib.escape(name, quote=True)}"></span>' for name in anchors)
            # The first stand-in's page is where the front ends.
            marker = "" if stand_ins else f' id="{FRONT_END_ID}"'
            stand_ins.append(f'<div class="sovdiag-stand-in"{marker}>{ids}</div>')
    head = with_style(document.head, _STAND_IN_STYLE)
    return head + document.front + "".join(stand_ins) + document.tail


FRONT_END_ID = "sovdiag-front-end"


@dataclass(frozen=True)
class Bookmark:
    level: int
    label: str
    page: int  # index in the chunk (then in the merged document)
    x: float  # PDF points, origin at the bottom left
    y: float
    closed: bool


@dataclass
class RenderedChunk:
    pdf: bytes
    pages: int
    anchors: list[list[str]]  # the anchor names on each page
    bookmarks: list[Bookmark]


@dataclass(frozen=True)
class ChunkJob:
    html: str
    folder: Path
    variant: str | None
    attachments: list[tuple[str, str]]
    when: Any  # datetime.date | None


def render_chunk(job: ChunkJob) -> RenderedChunk:
    """Worker: lay out one chunk and write it as a PDF, with what the merge needs to know."""
    from sovdiag.report.pdf import render_document

    document, pdf = render_document(job.html, job.folder, job.variant, job.attachments, job.when)
    anchors = [list(page.anchors) for page in document.pages]
    bookmarks = []
    scale = 0.75  # as WeasyPrint's own outline: CSS pixels to points, y upwards
    for number, page in enumerate(document.pages):
        for level, label, (x, y), state in page.bookmarks:
            bookmarks.append(Bookmark(level, label, number, x * scale, (page.height - y) * scale, state == "closed"))
    return RenderedChunk(pdf, len(document.pages), anchors, bookmarks)


def render_chunked(
    html: str,
    folder: Path,
    *,
    variant: str | None,
    attachments: Callable[[], list[tuple[str, str]]],
    when: Any,
    workers: Any,
) -> tuple[bytes, int] | None:
    """Lay out ``html`` in chunks on ``workers`` (a :class:`ChunkWorkers`); None when the report is
    too small for it to pay, or its template has no split points."""
    document = split_html(html)
    if document is None:
        return None
    weights = document.weights()
    if sum(weights) < MIN_CHUNKED_WEIGHT or len(weights) < 2:
        return None
    from sovdiag.report.merge import merge_chunks

    ranges = plan_chunks(weights, workers.count)
    head = with_style(document.head, _NO_MARGIN_BOXES)
    jobs = [ChunkJob(head + body + document.tail, folder, variant, [], when) for body in chunk_bodies(document, ranges)]
    pending = workers.start(render_chunk, jobs)
    files = attachments()  # made by this process while the workers lay out
    chunks = pending.get()
    front_job = ChunkJob(front_html(document, [c.anchors for c in chunks]), folder, variant, [], when)
    front = workers.start(render_chunk, [front_job])  # joined with the chunks as they are read
    buffer = io.BytesIO()
    archival = (variant or "").startswith("pdf/a")
    pages = merge_chunks(chunks, lambda: front.get()[0], buffer, files, when, archival)
    return buffer.getvalue(), pages
