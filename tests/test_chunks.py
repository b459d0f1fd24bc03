"""Large reports laid out in chunks on several processes and joined into one tagged PDF.

The same synthetic inventory of 50 services is rendered by the real CLI (``python -m sovdiag``, so
that the worker processes start as they do for users) in chunks on two processes, and in one
process; the joined PDF must say the same thing, number its pages, resolve its table of contents
and keep a coherent structure tree.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pikepdf
import pypdf
import pytest

from sovdiag.report.chunks import (
    FRONT_END,
    chunk_bodies,
    plan_chunks,
    split_html,
    strip_markers,
)
from sovdiag.results import load_results
from tests.conftest import ROOT, run_sovdiag

sys.path.insert(0, str(ROOT / "benchmarks"))
import itertools

from synthetic import write_inventory

SERVICES = 50
FOOTER = re.compile(r"Page (\d+) / (\d+)")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("chunks")
    inventory = write_inventory(folder / "inventaire.yaml", SERVICES)
    paths = {}
    for name, jobs in (("chunked", "2"), ("single", "1")):
        paths[name] = folder / f"{name}.pdf"
        done = run_sovdiag("report", inventory, "-o", paths[name], "--date", "2026-11-23", "--jobs", jobs, timeout=300)
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
    paths["inventory"] = inventory
    return paths


def page_texts(path: Path) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(path).pages]


def words(texts: list[str]) -> set[str]:
    return {w for text in texts for w in FOOTER.sub(" ", text).split()}


def test_chunked_report_says_what_the_single_one_says(rendered: dict[str, Path]) -> None:
    chunked, single = page_texts(rendered["chunked"]), page_texts(rendered["single"])
    assert words(chunked) == words(single)
    # Every service of the inventory is there, once in the annex at least.
    for number in range(SERVICES):
        assert any(f"usage {number}" in text for text in chunked)


def test_every_page_is_numbered_out_of_the_total(rendered: dict[str, Path]) -> None:
    texts = page_texts(rendered["chunked"])
    assert not FOOTER.search(texts[0])  # the cover has no footer
    for number, text in enumerate(texts[1:], start=2):
        found = FOOTER.findall(text)
        assert found == [(str(number), str(len(texts)))], (number, found)


def test_table_of_contents_points_at_the_right_pages(rendered: dict[str, Path]) -> None:
    texts = page_texts(rendered["chunked"])
    entries = re.findall(r"^(.+?) ?\.{5,} ?(\d+)$", texts[1], re.M)
    assert len(entries) >= 12
    for title, page in entries:
        assert title.strip() in texts[int(page) - 1], (title, page)
    # The links behind the entries lead to the same pages.
    pdf = pikepdf.open(rendered["chunked"])
    destinations = pikepdf.NameTree(pdf.Root.Names.Dests)
    page_of = {page.objgen: number for number, page in enumerate(pdf.pages)}
    # One entry may be several link areas (its text, its dotted leader): one target each.
    targets = list(dict.fromkeys(str(a.Dest) for a in pdf.pages[1].obj.Annots if a.Subtype == "/Link"))
    assert len(targets) == len(entries)
    for target, (title, page) in zip(targets, entries, strict=True):
        assert page_of[destinations[target][0].objgen] == int(page) - 1, title


def test_outline_nests_the_service_sheets_under_their_section(rendered: dict[str, Path]) -> None:
    pdf = pikepdf.open(rendered["chunked"])
    texts = page_texts(rendered["chunked"])
    page_of = {page.objgen: number for number, page in enumerate(pdf.pages)}
    with pdf.open_outline() as outline:
        top = [item.title for item in outline.root]
        assert top[0] == "Synthèse pour les élus"
        assert top[-1].startswith("Annexe")
        sheets = next(item for item in outline.root if item.title == "Fiches des services")
        assert len(sheets.children) >= 30  # spread over several chunks
        for item in [*outline.root, *sheets.children]:
            page = page_of[item.destination[0].objgen]
            assert item.title.split("\xa0")[0][:20] in texts[page].replace("\n", " "), item.title
        chunked = _titles(outline.root)
    with pikepdf.open(rendered["single"]) as single, single.open_outline() as outline:
        assert chunked == _titles(outline.root)


def _titles(items: list[pikepdf.OutlineItem]) -> list[object]:
    return [(item.title, _titles(item.children)) for item in items]


def test_structure_tree_is_whole_and_consistent(rendered: dict[str, Path]) -> None:
    pdf = pikepdf.open(rendered["chunked"])
    pages = {page.objgen for page in pdf.pages}
    # No page object outside the page tree (a stand-in or a source's page dragged along).
    assert not [
        o
        for o in pdf.objects
        if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/Page" and o.objgen not in pages
    ]
    root = pdf.Root.StructTreeRoot
    tree = dict(pikepdf.NumberTree(root.ParentTree).items())
    assert sorted(int(k) for k in tree) == list(range(int(root.ParentTreeNextKey)))
    for page in pdf.pages:
        contents = page.obj.Contents
        drawing = b"".join(c.read_bytes() for c in (contents if isinstance(contents, pikepdf.Array) else [contents]))
        marked = {int(m) for m in re.findall(rb"/MCID (\d+)", drawing)}
        elements = tree[int(page.obj.StructParents)]
        assert len(elements) >= len(marked) > 0
        assert all(e.Pg.objgen == page.objgen for e in elements if "/Pg" in e)
    document = root.K[0]
    assert document.S == "/Document"
    assert document.P.objgen == root.objgen
    count = 0
    stack = [(kid, document) for kid in document.K]
    while stack:
        element, parent = stack.pop()
        count += 1
        assert element.P.objgen == parent.objgen
        assert "/Pg" not in element or element.Pg.objgen in pages
        stack.extend(
            (k, element)
            for k in element.get("/K", [])
            if isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/StructElem"
        )
    assert count > 1000
    assert str(pdf.Root.Lang) == "fr"
    assert pdf.Root.MarkInfo.Marked
    assert "pdfuaid" in pdf.Root.Metadata.read_bytes().decode()
    # The page-numbering drawing is an artifact for screen readers, like WeasyPrint's own.
    assert pdf.pages[5].obj.Contents[0].read_bytes().startswith(b"/Artifact BMC")


def test_chunked_report_carries_its_results(rendered: dict[str, Path]) -> None:
    loaded = load_results(rendered["chunked"])
    single = load_results(rendered["single"])
    assert len(loaded.results.services) == SERVICES
    assert loaded.results == single.results


def test_archival_chunked_report_lists_the_results_as_associated_file(
    tmp_path: Path, rendered: dict[str, Path]
) -> None:
    output = tmp_path / "archive.pdf"
    done = run_sovdiag(
        "report", rendered["inventory"], "-o", output, "--date", "2026-11-23", "--pdf-a", "--jobs", "2", timeout=300
    )
    assert done.returncode == 0, done.stderr
    pdf = pikepdf.open(output)
    assert "/OutputIntents" in pdf.Root
    (name,) = pdf.attachments
    assert [spec.objgen for spec in pdf.Root.AF] == [pdf.attachments[name].obj.objgen]
    assert pdf.attachments[name].obj.AFRelationship == "/Data"


# --- cutting the HTML


def _document(rows: int) -> str:
    split = "<!--sovdiag:split--></tbody></table><!--sovdiag:reopen--><table><tbody><!--sovdiag:split-end-->"
    body = "".join((split if i and i % 10 == 0 else "") + f"<tr><td>{i}</td></tr>" for i in range(rows))
    return f"<html><head><style></style></head><body><h1>Cover</h1>{FRONT_END}<table><tbody>{body}</tbody></table></body></html>"


def test_split_points_are_dropped_where_no_chunk_ends() -> None:
    html = _document(35)
    whole = strip_markers(html)
    assert "sovdiag:" not in whole
    assert whole.count("<table>") == 1
    assert whole.count("<tr>") == 35
    document = split_html(html)
    assert document is not None
    assert document.whole() == whole
    assert len(document.segments) == 4
    assert document.front == "<h1>Cover</h1>"


def test_chunks_close_and_reopen_what_is_open_where_they_are_cut() -> None:
    document = split_html(_document(35))
    assert document is not None
    bodies = chunk_bodies(document, [(0, 2), (2, 4)])
    assert bodies[0].startswith("<table><tbody>")
    assert bodies[0].endswith("</tbody></table>")
    assert bodies[1].startswith("<table><tbody>")
    assert bodies[1].endswith("</tbody></table>")
    assert sum(body.count("<tr>") for body in bodies) == 35


def test_plan_balances_chunks_in_whole_rounds() -> None:
    assert plan_chunks([5] * 10, workers=2) == [(0, 5), (5, 10)]
    # Heavy documents: chunks no heavier than the bound, their number a multiple of the workers.
    weights = [1_000] * 100
    ranges = plan_chunks(weights, workers=2)
    assert len(ranges) % 2 == 0
    assert ranges[0][0] == 0
    assert ranges[-1][1] == 100
    assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges))
    assert max(sum(weights[a:b]) for a, b in ranges) <= 11_000
    assert plan_chunks([1], workers=2) == [(0, 1)]


def test_template_without_split_points_is_laid_out_whole() -> None:
    assert split_html("<html><body><p>no marker</p></body></html>") is None
