"""The fast renderers beside the plain one: ``render_batch`` (one document for printing, chunks laid out
in child processes and joined) and ``render_each`` (one file per person, in child processes) give the
same pages, text and QR codes, in the same order, as ``render.render`` in this process."""

from __future__ import annotations

import io

import pypdfium2
import pytest
import zxingcpp
from pypdf import PdfReader

from congress.certificates import render, services
from congress.certificates.rules import with_attendance
from congress.database import utcnow
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
