"""The legal capability's rules without HTTP: default text from the register, saving, validation,
retention dates, copying into a clone, and safe rendering."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from congress.core.signals import congress_cloned
from congress.database import write_transaction
from congress.legal import queries, register, services
from congress.legal.models import LegalSettings
from congress.sanitize import render_markdown
from tests.factories import make_congress


def test_default_statement_names_controller_bases_retention_rights_and_complaint(app, congress):
    nl = services.default_privacy(congress, "nl")
    en = services.default_privacy(congress, "en")
    assert "Ministerie van Sociale Zaken en Werkgelegenheid" in nl and "Ministry of Social Affairs" in en
    assert congress.title_nl in nl and congress.title_en in en
    for p in register.PROCESSINGS:  # every processing of the register, in both languages
        assert f"### {p.category.nl}" in nl and f"### {p.category.en}" in en
        assert p.legal_basis.nl in nl and p.legal_basis.en in en
    assert "art. 6 lid 1 sub e" in nl and "art. 6(1)(e)" in en
    assert "12 maanden" in nl and "12 months" in en
    assert "Autoriteit Persoonsgegevens" in nl and "Autoriteit Persoonsgegevens" in en
    assert "mailto:privacy@congres.example" in nl


def test_controller_and_contact_come_from_the_settings(app, congress):
    app.config.update(LEGAL_CONTROLLER_NL="Gemeente Utrecht", LEGAL_CONTROLLER_EN="City of Utrecht",
                      LEGAL_CONTACT_EMAIL="avg@utrecht.example")
    try:
        assert "Gemeente Utrecht" in services.default_privacy(congress, "nl")
        assert "City of Utrecht" in services.default_privacy(congress, "en")
        assert "avg@utrecht.example" in services.default_privacy(congress, "en")
    finally:
        for key in ("LEGAL_CONTROLLER_NL", "LEGAL_CONTROLLER_EN", "LEGAL_CONTACT_EMAIL"):
            app.config.pop(key)


def test_saving_stores_own_text_and_keeps_the_untouched_default_as_default(app, congress):
    default_en = services.default_privacy(congress, "en")
    services.save_privacy(congress, privacy_nl="## Eigen tekst\r\n\r\nHallo", privacy_en=default_en,
                          retention_months=18)
    settings = services.settings_of(congress)
    assert (settings.privacy_nl, settings.privacy_en, settings.retention_months) == ("## Eigen tekst\n\nHallo", "", 18)
    assert services.privacy_markdown(congress, "nl") == "## Eigen tekst\n\nHallo"
    # the English default follows the new period
    assert "18 months" in services.privacy_markdown(congress, "en")


@pytest.mark.parametrize("months", [None, 0, -1, 121, 2**63])
def test_retention_period_out_of_range_is_refused_next_to_the_field(app, congress, months):
    with pytest.raises(services.LegalError) as caught:
        services.save_privacy(congress, privacy_nl="", privacy_en="", retention_months=months)
    assert set(caught.value.errors) == {"retention_months"} and caught.value.status == 422
    assert services.settings_of(congress) is None


def test_too_long_or_unstorable_text_is_refused(app, congress):
    with pytest.raises(services.LegalError) as caught:
        services.save_privacy(congress, privacy_nl="x" * (services.MAX_TEXT + 1), privacy_en="a\x00b",
                              retention_months=12)
    assert set(caught.value.errors) == {"privacy_nl", "privacy_en"}


def test_retention_due_date_is_months_after_the_end(app):
    congress = make_congress(day=date(2024, 8, 31))
    assert services.retention_due_on(congress) == date(2025, 8, 31)
    assert queries.add_months(date(2024, 8, 31), 6) == date(2025, 2, 28)
    assert queries.add_months(date(2023, 12, 15), 1) == date(2024, 1, 15)
    services.save_privacy(congress, privacy_nl="", privacy_en="", retention_months=3)
    assert services.retention_due_on(congress) == date(2024, 11, 30)
    assert services.retention_overview([congress]) == {congress.id: (3, date(2024, 11, 30))}


def test_markdown_is_rendered_safely(app):
    html = str(render_markdown(
        "## Kop\n\n<script>alert(1)</script>\n\n[klik](javascript:alert(1)) <img src=x onerror=alert(1)>\n\n"
        "[x](JaVaScRiPt:alert(1)) [y](data:text/html,abc)\n\n[AP](https://autoriteitpersoonsgegevens.nl/)"))
    assert "<h2>Kop</h2>" in html
    assert "<script" not in html and "<img" not in html
    assert "href=\"javascript" not in html.lower() and "href=\"data" not in html
    assert "&lt;script&gt;" in html  # shown as text, not run
    assert 'href="https://autoriteitpersoonsgegevens.nl/"' in html and 'rel="noopener noreferrer nofollow"' in html


def test_a_clone_gets_the_statement_and_the_period(app, congress):
    services.save_privacy(congress, privacy_nl="## Eigen", privacy_en="## Own", retention_months=24)
    target = make_congress("congres-kloon", day=congress.starts_on + timedelta(days=365))
    with write_transaction():  # as the clone service sends it: every receiver writes in its transaction
        congress_cloned.send(congress, target=target, shift=timedelta(days=365), track_ids={}, room_ids={})
    copied = services.settings_of(target)
    assert (copied.privacy_nl, copied.privacy_en, copied.retention_months, copied.anonymised_at) == (
        "## Eigen", "## Own", 24, None)
    assert copied.id != services.settings_of(congress).id


def test_a_clone_of_an_edition_without_settings_gets_none(app, congress):
    target = make_congress("congres-kloon")
    with write_transaction():
        congress_cloned.send(congress, target=target, shift=timedelta(days=0), track_ids={}, room_ids={})
    assert services.settings_of(target) is None
    assert LegalSettings.query.count() == 0
