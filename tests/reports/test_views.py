"""The reach report's page, PDF and workbook: organisers of the edition only, the same figures in all
three (the PDF's text read back with pypdfium2, the workbook with openpyxl), Dutch first, English complete."""

from __future__ import annotations

import io
import re

import pypdfium2
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from congress.accounts import services as accounts
from congress.extensions import db
from congress.reports import reach
from tests.factories import PASSWORD, make_congress, make_user
from tests.reports.factories import reach_edition


@pytest.fixture
def edition(app, monkeypatch):
    monkeypatch.setitem(app.config, "EVALUATION_MIN_RESPONSES", 3)
    congress, _sessions, _people = reach_edition("bereik-views")
    return congress


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_page_shows_every_figure_in_dutch(app, edition, organiser):
    result = reach.report(edition, "nl")
    page = app.test_client(user=organiser).get(f"/manage/{edition.slug}/report")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    text = _text(html)
    assert "Bereiksrapportage" in text and "Per sector" in text and "Per gemeente" in text
    assert f'data-figure="registered">{result.registered}<' in html
    assert f'data-figure="attended">{result.attended}<' in html
    assert "3 van 5 (60.0%)" in text or "3 van 5 (60,0%)" in text
    for line in result.by_sector + result.by_municipality + result.per_track + result.per_workshop:
        assert re.search(rf"{re.escape(line.label)}\s*</th>\s*(<td[^>]*>[^<]*</td>\s*)?"
                         rf"<td[^>]*>{line.registered}</td>\s*<td[^>]*>{line.attended}</td>", html), line
    assert "GM0344" in html and "Utrecht" in html
    assert f"/manage/{edition.slug}/report.pdf" in html and f"/manage/{edition.slug}/report.xlsx" in html


def test_the_page_in_english(app, edition, organiser):
    client = app.test_client(user=organiser)
    html = client.get(f"/manage/{edition.slug}/report?lang=en").get_data(as_text=True)
    text = _text(html)
    assert "Reach report" in text and "By sector" in text and "First time and returning organisations" in text


def test_the_pdf_holds_the_figures_and_is_tagged(app, edition, organiser):
    result = reach.report(edition, "nl")
    response = app.test_client(user=organiser).get(f"/manage/{edition.slug}/report.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "bereik-views-report.pdf" in response.headers["Content-Disposition"]
    body = response.get_data()
    catalog = PdfReader(io.BytesIO(body)).trailer["/Root"]
    assert "/StructTreeRoot" in catalog and catalog["/Lang"] == "nl"  # tagged, with its language
    metadata = catalog["/Metadata"].get_object().get_data()
    assert b"pdfuaid:part" in metadata  # declared PDF/UA-1
    pdf = pypdfium2.PdfDocument(body)
    assert pdf.get_metadata_dict()["Title"].startswith("Bereiksrapportage")
    text = " ".join(" ".join(page.get_textpage().get_text_range().split()) for page in pdf)
    assert "Bereiksrapportage" in text
    assert f"Ingeschreven (bevestigd) {result.registered}" in text
    assert f"Aanwezig (ingecheckt bij de ingang) {result.attended}" in text
    for line in result.by_municipality:
        assert f"{line.code} {line.label} {line.registered} {line.attended}" in text
    for line in result.per_track:
        assert f"{line.label} {line.registered} {line.attended}" in text


def test_the_workbook_has_one_sheet_per_table_with_the_figures(app, edition, organiser):
    result = reach.report(edition, "nl")
    response = app.test_client(user=organiser).get(f"/manage/{edition.slug}/report.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.get_data()))
    assert book.sheetnames == ["Samenvatting", "Sectoren", "Organisaties", "Eerste keer en terugkerend",
                               "Gemeenten", "Tracks", "Workshops", "Evaluaties"]
    summary = {row[0]: row[1] for row in book["Samenvatting"].iter_rows(min_row=2, values_only=True)}
    assert summary["Ingeschreven (bevestigd)"] == result.registered
    assert summary["Aanwezig (ingecheckt bij de ingang)"] == result.attended
    assert summary["Gemeenten bereikt (ingeschreven)"] == result.municipalities_reached
    municipalities = [row for row in book["Gemeenten"].iter_rows(min_row=2, values_only=True)]
    assert [(r[0] or "", r[1], r[2], r[3]) for r in municipalities] == [
        (line.code, line.label, line.registered, line.attended) for line in result.by_municipality]
    tracks = [row[:3] for row in book["Tracks"].iter_rows(min_row=2, values_only=True)]
    assert tracks == [(line.label, line.registered, line.attended) for line in result.per_track]
    organisations = sum(row[1] for row in book["Organisaties"].iter_rows(min_row=2, values_only=True))
    assert organisations == result.registered
    scored = [row for row in book["Evaluaties"].iter_rows(min_row=2, values_only=True) if row[6] is not None]
    assert scored and all(row[0] != "Spoor 2" for row in scored)  # below the threshold: no score


@pytest.mark.parametrize("suffix", ["", ".pdf", ".xlsx"])
def test_only_the_editions_organisers(app, edition, suffix):
    other = make_congress("ander-congres")
    outsider = accounts.create_user("ander@example.org", name="Organisator elders", password=PASSWORD,
                                    roles=["organiser"], congress_ids=[other.id])
    db.session.commit()
    assert app.test_client().get(f"/manage/{edition.slug}/report{suffix}").status_code in (302, 401)
    assert app.test_client(user=outsider).get(f"/manage/{edition.slug}/report{suffix}").status_code == 403
    assert app.test_client(user=outsider).get(f"/manage/{other.slug}/report{suffix}").status_code == 200
    reviewer = make_user("reviewer", email="reviewer@example.org")
    assert app.test_client(user=reviewer).get(f"/manage/{edition.slug}/report{suffix}").status_code == 403
    assert app.test_client(user=make_user("organiser", email="o2@example.org")).get(
        f"/manage/nope/report{suffix}").status_code == 404
