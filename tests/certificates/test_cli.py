"""``flask congress certificates --congress SLUG --out DIR [--combined]``: a PDF per person who attended."""

from __future__ import annotations

import io

import pypdfium2

from tests.certificates.factories import at, certificate_edition, scan


def test_the_batch_writes_one_pdf_per_attendee_and_a_combined_one(app, runner, tmp_path):
    congress, (a, b, _plenary), people, codes, day, _ = certificate_edition("certificaat-batch", people=4)
    scan(congress, codes[0], a.id, at(day, "10:00"))
    scan(congress, codes[1], b.id, at(day, "13:00"))
    scan(congress, codes[2], "venue", at(day, "08:50"))  # the plenary has no station: the entrance counts
    # people[3] never came: no certificate
    out = tmp_path / "certificaten"
    result = runner.invoke(args=["congress", "certificates", "--congress", congress.slug, "--out", str(out),
                                 "--combined"])
    assert result.exit_code == 0, result.output
    assert "3 certificates written" in result.output
    files = sorted(p.name for p in out.iterdir())
    assert len(files) == 4 and f"{congress.slug}-certificates.pdf" in files
    singles = [p for p in out.iterdir() if p.name != f"{congress.slug}-certificates.pdf"]
    texts = [pypdfium2.PdfDocument(io.BytesIO(p.read_bytes()))[0].get_textpage().get_text_range() for p in singles]
    assert sorted(next(p.name for p in people if p.name in t) for t in texts) == sorted(p.name for p in people[:3])
    combined = pypdfium2.PdfDocument(io.BytesIO((out / f"{congress.slug}-certificates.pdf").read_bytes()))
    text = "".join(page.get_textpage().get_text_range() for page in combined)
    assert len(combined) == 3 and all(p.name in text for p in people[:3]) and people[3].name not in text


def test_the_batch_refuses_an_unknown_edition_and_an_empty_one(app, runner, tmp_path):
    unknown = runner.invoke(args=["congress", "certificates", "--congress", "bestaat-niet", "--out", str(tmp_path)])
    assert unknown.exit_code != 0 and "no edition" in unknown.output
    congress = certificate_edition("certificaat-leeg", people=1)[0]
    empty = runner.invoke(args=["congress", "certificates", "--congress", congress.slug, "--out", str(tmp_path)])
    assert empty.exit_code != 0 and "nobody attended" in empty.output
