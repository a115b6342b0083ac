"""The fast renderers beside the plain one: ``render_batch`` (one document for printing, chunks laid out
in child processes and joined) and ``render_each`` (one file per person, in child processes) give the
same pages, text and QR codes, in the same order, as ``render.render`` in this process."""

from __future__ import annotations

import io

import pypdfium2
import pytest
import zxingcpp
from pypdf import PdfReader
from pypdf.generic import ContentStream

from congress.certificates import render, services
from congress.certificates.rules import with_attendance
from congress.database import utcnow
from tests.badges.test_accessible_pdfs import structure_roles, untagged_text_runs
from tests.certificates.factories import at, certificate_edition, scan


def _pages(pdf: bytes) -> list[tuple[str, list[str]]]:
    """Each page's text and the QR codes it decodes to."""
    document = pypdfium2.PdfDocument(io.BytesIO(pdf))
    return [(page.get_textpage().get_text_range(),
             [r.text for r in zxingcpp.read_barcodes(page.render(scale=150 / 72).to_pil())]) for page in document]


@pytest.fixture
def issued(app):
    congress, (a, b, _plenary), _people, codes, day, _ = certificate_edition("certificaat-batch", people=5)
    for i, code in enumerate(codes):
        scan(congress, code, "venue", at(day, "08:45"))
        scan(congress, code, a.id, at(day, f"10:{i * 5:02d}"))
        if i % 2:
            scan(congress, code, b.id, at(day, "13:00"))
    people = list(with_attendance(congress, services.edition(congress, with_presences=True), utcnow()))
    assert len(people) == 5
    return [render.Issued(cert, services.issue(cert)[1]) for cert in people]


def test_the_combined_document_split_over_processes_equals_the_plain_one(issued):
    plain = _pages(render.render(issued, lang="nl"))
    fast = _pages(render.render_batch(issued, lang="nl", processes=2, chunk_size=2))  # three chunks, two processes
    assert fast == plain
    assert [codes for _text, codes in fast] == [[item.url] for item in issued]
    assert all(item.certificate.registration.name in text for item, (text, _codes) in zip(issued, fast, strict=True))


def test_the_separate_files_from_child_processes_equal_the_plain_ones(issued):
    fast = list(render.render_each(issued, processes=2, chunk_size=2))
    assert len(fast) == len(issued)
    for item, pdf in zip(issued, fast, strict=True):
        assert _pages(pdf) == _pages(render.render([item]))
        assert "/StructTreeRoot" in PdfReader(io.BytesIO(pdf)).trailer["/Root"]  # tagged, as the download is


def test_one_process_and_one_chunk_take_the_plain_path(issued):
    assert _pages(render.render_batch(issued, lang="nl", processes=1, chunk_size=2)) == _pages(
        render.render(issued, lang="nl"))
    assert _pages(render.render_batch(issued[:2], lang="nl")) == _pages(render.render(issued[:2], lang="nl"))
    with pytest.raises(ValueError):
        render.render_batch([], lang="nl")


def _marked_content_owners(pdf: bytes) -> list[list[tuple[int, str]]]:
    """Per page, each marked-content id used in its content stream with the structure type that the
    parent tree says owns it — after checking that the owner's page (``/Pg``) is this very page."""
    reader = PdfReader(io.BytesIO(pdf))
    tree = reader.trailer["/Root"]["/StructTreeRoot"]
    nums = tree["/ParentTree"].get_object()["/Nums"]
    parents = {int(nums[i]): nums[i + 1].get_object() for i in range(0, len(nums), 2)}
    owners = []
    for page in reader.pages:
        found = []
        table = parents[int(page["/StructParents"])]
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"BDC" and len(operands) > 1 and hasattr(operands[1], "get") and "/MCID" in operands[1]:
                mcid = int(operands[1]["/MCID"])
                element = table[mcid].get_object()
                assert element["/Pg"].indirect_reference == page.indirect_reference
                found.append((mcid, str(element["/S"])))
        owners.append(found)
    if "/ParentTreeNextKey" in tree:  # written by the join (weasyprint leaves it out)
        assert int(tree["/ParentTreeNextKey"]) == max(parents) + 1
    return owners


def test_the_joined_document_keeps_the_tags_of_the_plain_one(issued):
    """The chunks' structure trees are joined, not dropped: the same structure, in the same reading
    order, as the one-process document, and every marked run of every page still belongs to an element
    of that page."""
    plain = render.render(issued, lang="nl")
    fast = render.render_batch(issued, lang="nl", processes=2, chunk_size=2)
    assert structure_roles(fast) == structure_roles(plain)
    owners = _marked_content_owners(fast)
    assert len(owners) == len(issued) and all(owners)  # one page each, every page with tagged runs
    assert owners == _marked_content_owners(plain)
    assert untagged_text_runs(fast) == 0
    catalog = PdfReader(io.BytesIO(fast)).trailer["/Root"]
    assert catalog["/MarkInfo"]["/Marked"] and catalog["/Lang"] == "nl"
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"]
    title = pypdfium2.PdfDocument(io.BytesIO(fast)).get_metadata_dict()["Title"]
    assert title == pypdfium2.PdfDocument(io.BytesIO(plain)).get_metadata_dict()["Title"]
    assert {"H1", "H2", "Table"} <= set(structure_roles(fast))
