"""Join the PDFs of a chunked report into one tagged PDF (pikepdf, that is qpdf).

Kept from the front (cover and table of contents, laid out last): its real pages, its catalogue
entries (language, metadata, the attached results, PDF/A output intent) and its information
dictionary. Its stand-in pages are not kept: each one's drawing (the margin boxes: "page X / Y",
the collectivité's name) is put under the content page it stands for, as an artifact, so that
screen readers skip it as they skip WeasyPrint's own margin boxes.

The structure trees are joined under one Document element, in the order of the pages; the parent
tree (which marked content belongs to which element) is renumbered; named destinations (the table
of contents' links) are gathered from the chunks that hold the anchors; the outline is rebuilt from
the bookmark levels the workers report, so that a service sheet laid out in a later chunk still
sits under its section.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any, BinaryIO

from sovdiag.errors import ReportError
from sovdiag.report.chunks import FRONT_END_ID, Bookmark, RenderedChunk

_MARKED_CONTENT = {"BDC", "BMC", "EMC", "MP", "DP"}


def front_length(front: RenderedChunk) -> int:
    """The number of real pages of the front: the page of its first stand-in."""
    for number, anchors in enumerate(front.anchors):
        if FRONT_END_ID in anchors:
            return number
    raise ReportError("error.render_failed", reason="chunked layout: the front has no stand-in pages")


def merge_chunks(
    chunks: list[RenderedChunk],
    front: Callable[[], RenderedChunk],
    output: BinaryIO,
    attachments: list[tuple[str, str]],
    when: dt.date | None,
    archival: bool,
) -> int:
    """Write the joined PDF to ``output``, with ``attachments`` (name, text) dated ``when``
    (listed as associated files too when ``archival``, as PDF/A-3 asks); returns its page count.
    ``front`` gives the laid-out front: the chunks are joined while a worker lays it out."""
    import pikepdf

    out = pikepdf.Pdf.new()
    joiner: _StructureJoiner | None = None
    for chunk in chunks:
        # One chunk open at a time: qpdf holds a few KB per object, and a chunk has tens of thousands.
        with pikepdf.open(io.BytesIO(chunk.pdf)) as source:
            joiner = joiner or _StructureJoiner(out, source)
            first = len(out.pages)
            joiner.add(source, len(source.pages))
            _own_streams(out.pages[first:])
    laid_out = front()
    kept = front_length(laid_out)
    if joiner is None or laid_out.pages - kept != len(out.pages):
        raise ReportError("error.render_failed", reason="chunked layout: stand-in pages do not match the content")
    front_pdf = pikepdf.open(io.BytesIO(laid_out.pdf))
    joiner.add(front_pdf, kept, at_start=True)
    joiner.finish()
    for number in range(kept, laid_out.pages):
        _put_under(out, out.pages[number], front_pdf, front_pdf.pages[number])
    _copy_catalogue(out, front_pdf)
    bookmarks = [b for b in laid_out.bookmarks if b.page < kept]
    offset = kept
    for chunk in chunks:
        bookmarks.extend(_shifted(b, offset) for b in chunk.bookmarks)
        offset += chunk.pages
    _write_outline(out, bookmarks)
    _attach(out, attachments, when, archival)
    out.save(
        output,
        min_version=front_pdf.pdf_version,
        deterministic_id=True,
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
    )
    return len(out.pages)


def _own_streams(pages: Any) -> None:
    """Give the streams these pages use (contents, fonts, images) their own copy of their data:
    qpdf otherwise reads it from the source when saving, and the source is to be closed first."""
    import pikepdf

    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [page.obj for page in pages]
    while stack:
        value = stack.pop()
        if not isinstance(value, pikepdf.Array | pikepdf.Dictionary | pikepdf.Stream):
            continue
        if value.is_indirect:
            if value.objgen in seen:
                continue
            seen.add(value.objgen)
        if isinstance(value, pikepdf.Stream):
            encoding: dict[str, Any] = {"filter": value.get("/Filter"), "decode_parms": value.get("/DecodeParms")}
            value.write(value.read_raw_bytes(), **encoding)
            stack.extend(value.stream_dict.values())
        elif isinstance(value, pikepdf.Array):
            stack.extend(value)
        else:
            stack.extend(item for key, item in value.items() if key not in _NOT_FOLLOWED)


# Links between objects that lead out of a page's own drawing (to other pages, to the structure).
_NOT_FOLLOWED = {"/Parent", "/P", "/Pg", "/Dest", "/StructParent", "/StructParents", "/K", "/Obj"}


def _shifted(bookmark: Bookmark, offset: int) -> Bookmark:
    return Bookmark(bookmark.level, bookmark.label, bookmark.page + offset, bookmark.x, bookmark.y, bookmark.closed)


class _StructureJoiner:
    """Pages, structure elements, parent tree and named destinations, source after source."""

    def __init__(self, out: Any, model: Any) -> None:
        import pikepdf

        self.out = out
        # PDF/A-3b reports are not tagged: pages and destinations only.
        self.tagged = "/StructTreeRoot" in model.Root
        if self.tagged:
            first = model.Root.StructTreeRoot.K[0]
            self.document = out.make_indirect(
                pikepdf.Dictionary({k: v for k, v in first.items() if k not in ("/K", "/P")})
            )
            self.document.K = pikepdf.Array()
        self.parent_tree: dict[int, Any] = {}
        self.destinations: dict[str, Any] = {}

    def add(self, source: Any, pages: int, *, at_start: bool = False) -> None:
        """Append (or put first) the first ``pages`` pages of ``source`` and the structure that
        belongs to them."""
        import pikepdf

        kept = {source.pages[i].objgen for i in range(pages)}
        remap: dict[int, int] = {}
        for index in range(pages):
            if at_start:
                self.out.pages.insert(index, source.pages[index])
                page = self.out.pages[index]
            else:
                self.out.pages.append(source.pages[index])
                page = self.out.pages[-1]
            self._renumber(page.obj, "/StructParents", remap)
            for annotation in page.obj.get("/Annots", []):
                self._renumber(annotation, "/StructParent", remap)
        if self.tagged:
            self._add_structure(source, kept, remap, at_start)
        names = source.Root.get("/Names", {}).get("/Dests")
        if names is not None:
            for name, target in pikepdf.NameTree(names).items():
                if target[0].objgen in kept and str(name) not in self.destinations:
                    self.destinations[str(name)] = _copy(self.out, target)

    def _add_structure(self, source: Any, kept: set[tuple[int, int]], remap: dict[int, int], at_start: bool) -> None:
        import pikepdf

        root = source.Root.StructTreeRoot
        old_tree = pikepdf.NumberTree(root.ParentTree)
        # Elements whose parent is the source's Document element are detached before copying (or
        # qpdf would drag the whole source tree along) and attached to the joined Document after.
        source_document = root.K[0]
        top = [element for element in source_document.K if _on_pages(element, kept)]
        entries = {old: old_tree[old] for old in remap}
        in_entries = [e for value in entries.values() for e in (value if isinstance(value, pikepdf.Array) else [value])]
        detached = [e for e in top + in_entries if "/P" in e and e.P.objgen == source_document.objgen]
        for element in detached:
            del element["/P"]
        copies = [self.out.copy_foreign(element) for element in top]
        self.document.K = pikepdf.Array(copies + list(self.document.K) if at_start else list(self.document.K) + copies)
        for old, new in remap.items():
            self.parent_tree[new] = _copy(self.out, entries[old])
        for element in detached:
            self.out.copy_foreign(element).P = self.document

    def _renumber(self, holder: Any, key: str, remap: dict[int, int]) -> None:
        if key in holder:
            old = int(holder[key])
            remap[old] = new = len(self.parent_tree) + len(remap)
            holder[key] = new

    def finish(self) -> None:
        import pikepdf

        out = self.out
        if self.destinations:
            names = pikepdf.NameTree.new(out)
            for name, target in self.destinations.items():
                names[name] = target
            out.Root.Names = pikepdf.Dictionary(Dests=names.obj)
        if not self.tagged:
            return
        tree = pikepdf.NumberTree.new(out)
        for key, value in self.parent_tree.items():
            tree[key] = value
        root = out.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.StructTreeRoot,
                K=pikepdf.Array([self.document]),
                ParentTree=tree.obj,
                ParentTreeNextKey=len(self.parent_tree),
            )
        )
        self.document.P = root
        out.Root.StructTreeRoot = root


def _on_pages(element: Any, kept: set[tuple[int, int]]) -> bool:
    """Whether a structure element belongs to the kept pages (the front's stand-ins do not)."""
    page = element.get("/Pg")
    return page is None or page.objgen in kept


def _copy(out: Any, value: Any) -> Any:
    """``value`` copied into ``out``: qpdf copies indirect objects; direct arrays and dictionaries
    are rebuilt around the copies of what they refer to."""
    import pikepdf

    if not isinstance(value, pikepdf.Object):
        return value  # a number or a string, already a Python value
    if value.is_indirect:
        return out.copy_foreign(value)
    if isinstance(value, pikepdf.Array):
        return pikepdf.Array([_copy(out, item) for item in value])
    if isinstance(value, pikepdf.Dictionary):
        return pikepdf.Dictionary({key: _copy(out, item) for key, item in value.items()})
    return value


def _put_under(out: Any, page: Any, front: Any, stand_in: Any) -> None:
    """Draw ``stand_in`` (the front's page for this one) under ``page``'s content, as an artifact."""
    import pikepdf

    drawing = [
        instruction
        for instruction in pikepdf.parse_content_stream(stand_in)
        if str(instruction.operator) not in _MARKED_CONTENT
    ]
    form = pikepdf.Stream(front, pikepdf.unparse_content_stream(drawing))
    form.Type = pikepdf.Name.XObject
    form.Subtype = pikepdf.Name.Form
    form.BBox = stand_in.mediabox
    form.Resources = stand_in.obj.get("/Resources", pikepdf.Dictionary())
    name = page.add_resource(out.copy_foreign(front.make_indirect(form)), pikepdf.Name.XObject)
    page.contents_add(pikepdf.Stream(out, b"/Artifact BMC q " + bytes(name) + b" Do Q EMC\n"), prepend=True)


def _copy_catalogue(out: Any, front: Any) -> None:
    for key in ("/Lang", "/MarkInfo", "/ViewerPreferences", "/Metadata", "/OutputIntents"):
        if key in front.Root:
            out.Root[key] = _copy(out, front.Root[key])
    if "/Info" in front.trailer:
        out.docinfo = _copy(out, front.trailer.Info)


def _attach(out: Any, attachments: list[tuple[str, str]], when: dt.date | None, archival: bool) -> None:
    """Embed the files as WeasyPrint does in one-document rendering (qpdf compresses them faster
    than the front's layout process would)."""
    import pikepdf

    stamp = (when or dt.date(2000, 1, 1)).strftime("D:%Y%m%d000000Z")
    # Passed apart: older type stubs of pikepdf do not know this argument, newer ones do.
    relationship: dict[str, Any] = {"relationship": pikepdf.Name.Data}
    for name, text in attachments:
        spec = pikepdf.AttachedFileSpec(
            out,
            text.encode(),
            description=name,
            filename=name,
            mime_type="application/json" if name.endswith(".json") else "application/octet-stream",
            creation_date=stamp,
            mod_date=stamp,
            **relationship,
        )
        out.attachments[name] = spec
    if archival and attachments:
        out.Root.AF = pikepdf.Array([out.attachments[name].obj for name, _ in attachments])


def _write_outline(out: Any, bookmarks: list[Bookmark]) -> None:
    """The outline, nested by bookmark level (a level-3 heading under the level-2 before it)."""
    import pikepdf

    with out.open_outline() as outline:
        stack: list[tuple[int, Any]] = []
        for bookmark in bookmarks:
            item = pikepdf.OutlineItem(bookmark.label, bookmark.page, "XYZ", left=bookmark.x, top=bookmark.y)
            item.is_closed = bookmark.closed
            while stack and stack[-1][0] >= bookmark.level:
                stack.pop()
            (stack[-1][1].children if stack else outline.root).append(item)
            stack.append((bookmark.level, item))
