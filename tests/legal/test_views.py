"""The legal pages over HTTP: the public privacy statement, the organisers' editor with preview,
the accessibility statements, the links from the consent checkbox and the footer, and the register CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest

from congress.audit.models import AuditEvent
from congress.core.models import CongressStatus
from congress.legal import register, services
from tests.factories import make_congress, make_user
from tests.registration.factories import open_congress


def test_public_statement_shows_the_default_in_the_visitors_language(client, congress):
    html = client.get(f"/{congress.slug}/privacy").get_data(as_text=True)
    assert "<h1 class=\"utrecht-heading-1\">Privacyverklaring</h1>" in html
    assert "Wie is verantwoordelijk?" in html and "Autoriteit Persoonsgegevens" in html
    html = client.get(f"/{congress.slug}/privacy?lang=en").get_data(as_text=True)
    assert "Privacy statement" in html and "Who is responsible?" in html


def test_public_statement_renders_the_organisers_markdown_without_script(client, congress):
    services.save_privacy(congress, privacy_nl='## Onze afspraken\n\n<script>alert("x")</script>\n\n'
                          '<a href="javascript:alert(1)">klik</a>', privacy_en="", retention_months=12)
    html = client.get(f"/{congress.slug}/privacy").get_data(as_text=True)
    assert "<h2>Onze afspraken</h2>" in html
    assert '<script>alert("x")' not in html and '<a href="javascript' not in html
    assert "&lt;script&gt;" in html


def test_unknown_or_draft_edition_has_no_public_statement(client, organiser):
    assert client.get("/bestaat-niet/privacy").status_code == 404
    draft = make_congress("congres-concept", status=CongressStatus.DRAFT.value)
    assert client.get(f"/{draft.slug}/privacy").status_code == 404
    # the organiser preparing it sees it
    assert client.application.test_client(user=organiser).get(f"/{draft.slug}/privacy").status_code == 200


def test_registration_consent_links_to_the_statement(client):
    congress = open_congress()
    html = client.get(f"/{congress.slug}/register").get_data(as_text=True)
    consent = html[html.index('name="consent_privacy"'):]
    assert f'href="/{congress.slug}/privacy"' in consent[:1500]


def test_footer_links_the_statement_in_an_edition_and_the_accessibility_statement_always(client, congress):
    html = client.get(f"/{congress.slug}/").get_data(as_text=True)
    footer = html[html.index('<footer'):]
    assert f'href="/{congress.slug}/privacy"' in footer and 'href="/toegankelijkheid"' in footer
    footer = client.get("/accessibility?lang=en").get_data(as_text=True).split("<footer", 1)[1]
    assert 'href="/accessibility"' in footer and "/privacy" not in footer


MODEL_HEADINGS = {
    "nl": ["Nalevingsstatus", "Wat is getest en hoe", "Bekende problemen", "Contact en reactietermijn",
           "Handhavingsprocedure", "Over deze verklaring"],
    "en": ["Compliance status", "What was tested and how", "Known issues", "Contact and response time",
           "Enforcement procedure", "About this statement"],
}


@pytest.mark.parametrize(("path", "language"), [("/toegankelijkheid", "nl"), ("/accessibility", "en")])
def test_accessibility_statement_follows_the_model_headings(client, path, language):
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    headings = re.findall(r"<h2[^>]*>([^<]+)</h2>", html)
    assert headings == MODEL_HEADINGS[language]
    assert f'<article class="legal-text" lang="{language}">' in html
    assert "axe-core" in html and "privacy@congres.example" in html
    assert ("Ministerie van Sociale Zaken en Werkgelegenheid" if language == "nl"
            else "Ministry of Social Affairs and Employment") in html
    assert ("1 december 2026" if language == "nl" else "December 1, 2026") in html


def test_accessibility_statement_date_and_organisation_from_the_settings(app, client):
    app.config.update(ACCESSIBILITY_STATEMENT_DATE="2027-03-05", LEGAL_CONTROLLER_NL="Gemeente Utrecht")
    try:
        html = client.get("/toegankelijkheid").get_data(as_text=True)
        assert "5 maart 2027" in html and "Gemeente Utrecht" in html
    finally:
        app.config.pop("ACCESSIBILITY_STATEMENT_DATE")
        app.config.pop("LEGAL_CONTROLLER_NL")


def test_manage_page_is_for_organisers(app, client, congress):
    url = f"/manage/{congress.slug}/privacy"
    assert client.get(url).status_code in (302, 401)
    assert app.test_client(user=make_user("reviewer")).get(url).status_code == 403
    assert app.test_client(user=make_user("checkin")).get("/manage/privacy/register.csv").status_code == 403
    assert app.test_client(user=make_user("organiser")).get("/manage/bestaat-niet/privacy").status_code == 404


def test_manage_page_starts_from_the_default_text_and_shows_the_due_date(app, organiser, congress):
    html = app.test_client(user=organiser).get(f"/manage/{congress.slug}/privacy").get_data(as_text=True)
    assert "## Wie is verantwoordelijk?" in html and "## Who is responsible?" in html
    assert 'name="retention_months"' in html and 'value="12"' in html
    assert "worden geanonimiseerd op" in html and "Dat is over 1" in html


def test_months_until_the_due_date():
    from congress.legal.views import _months_until  # noqa: PLC0415 - a helper of the page

    assert _months_until(date(2026, 12, 2), date(2027, 4, 23)) == 4
    assert _months_until(date(2026, 12, 24), date(2027, 4, 23)) == 3
    assert _months_until(date(2026, 12, 2), date(2026, 12, 20)) == 0


def test_preview_renders_without_saving(app, organiser, congress):
    client = app.test_client(user=organiser)
    response = client.post(f"/manage/{congress.slug}/privacy", data={
        "privacy_nl": "## Voorbeeld\n\n<script>x()</script>", "privacy_en": "", "retention_months": "6",
        "preview": "Voorbeeld"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h2>Voorbeeld</h2>" in html and "<script>x()" not in html
    assert "Who is responsible?" in html and "6 months" in html  # an empty text previews the default, new period
    assert services.settings_of(congress) is None


def test_save_stores_audits_and_redirects(app, organiser, congress):
    client = app.test_client(user=organiser)
    response = client.post(f"/manage/{congress.slug}/privacy", data={
        "privacy_nl": "## Eigen verklaring", "privacy_en": "## Own statement", "retention_months": "24",
        "submit": "Opslaan"})
    assert response.status_code == 302
    settings = services.settings_of(congress)
    assert (settings.privacy_nl, settings.privacy_en, settings.retention_months) == (
        "## Eigen verklaring", "## Own statement", 24)
    assert AuditEvent.query.filter_by(action="legal.privacy_saved").count() == 1
    assert "<h2>Own statement</h2>" in client.get(f"/{congress.slug}/privacy?lang=en").get_data(as_text=True)


@pytest.mark.parametrize("months", ["0", "121", "abc", "99999999999999999999999", "-3", ""])
def test_hostile_retention_period_is_refused_next_to_the_field(app, organiser, congress, months):
    response = app.test_client(user=organiser).post(f"/manage/{congress.slug}/privacy", data={
        "privacy_nl": "", "privacy_en": "", "retention_months": months, "submit": "Opslaan"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="retention_months-error"' in html
    assert services.settings_of(congress) is None


def test_nul_bytes_in_the_statement_are_stripped(app, organiser, congress):
    response = app.test_client(user=organiser).post(f"/manage/{congress.slug}/privacy", data={
        "privacy_nl": "## Kop\x00 met NUL", "privacy_en": "", "retention_months": "12", "submit": "Opslaan"})
    assert response.status_code == 302
    assert services.settings_of(congress).privacy_nl == "## Kop met NUL"


def test_processing_register_csv(app, organiser):
    client = app.test_client(user=organiser)
    response = client.get("/manage/privacy/register.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["Categorie", "Opgeslagen gegevens", "Doel", "Grondslag", "Bewaartermijn", "Wie ziet het",
                       "Opgeslagen door"]
    assert [r[0] for r in rows[1:]] == [p.category.nl for p in register.PROCESSINGS]
    by_category = {r[0]: r for r in rows[1:]}
    assert "dieetwensen" in by_category["Deelnemers: dieetwensen en toegankelijkheid"][1]
    assert "art. 9 lid 2 sub a" in by_category["Deelnemers: dieetwensen en toegankelijkheid"][3]
    assert "standaard 12 maanden" in by_category["Deelnemers: aanmelding"][4]
    english = list(csv.reader(io.StringIO(client.get("/manage/privacy/register.csv?lang=en")
                                          .get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert english[0][0] == "Category" and english[1][0] == "Attendees: registration"
