"""The after-congress mail links the evaluations and the certificate: the rule "after the end, to
attendees who were checked in" fires, and each message received by the real SMTP server on 127.0.0.1
(aiosmtpd, ``mailbox``) carries the person's own ``{{ evaluations_url }}`` and ``{{ certificate_url }}``
(asked from evaluations and certificates through ``communications.signals.recipient_values_wanted``).
Someone without attended time gets the text without the certificate paragraph; once the evaluations
have closed, the evaluations paragraph goes too."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from congress.communications import schedules
from congress.communications.mailings import (
    Audience,
    Draft,
    audience_recipients,
    create_mailing,
    preview,
    recipient_values,
    start_sending,
)
from congress.communications.sandbox import PLACEHOLDERS, check_text
from congress.communications.schedules import Moment, Rule
from congress.database import utcnow
from congress.evaluations import services as evaluations
from congress.extensions import db
from congress.registration.services import manage_secret
from congress.urls import public_base_url
from tests.certificates.factories import at, certificate_edition, scan
from tests.registration.factories import open_congress, registered

ROOT = Path(__file__).resolve().parents[2]


def _plain(message) -> str:
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def _html(message) -> str:
    return message.get_body(("html",)).get_content()


def _edition(slug: str):
    """Held yesterday: the first person at the door, then in and out of workshop A and into B; the
    second came to the door after the last session had ended (no attended time); the third in English,
    at workshop B; the fourth never came."""
    congress, (a, b, _plenary), people, codes, day, _ = certificate_edition(slug, people=4)
    scan(congress, codes[0], "venue", at(day, "08:45"))
    scan(congress, codes[0], a.id, at(day, "10:00"))
    scan(congress, codes[0], a.id, at(day, "11:15"), "out")
    scan(congress, codes[0], b.id, at(day, "13:00"))
    scan(congress, codes[1], "venue", at(day, "16:30"))
    people[2].locale = "en"
    db.session.commit()
    scan(congress, codes[2], "venue", at(day, "12:50"))
    scan(congress, codes[2], b.id, at(day, "13:05"))
    return congress, people


def _fire_default_rule(congress) -> None:
    rule = schedules.create_rule(congress, schedules.default_rule(Moment.AFTER_END.value))
    assert rule.days == 1
    started = schedules.fire(rule.id, now=rule.due_at + timedelta(minutes=5))
    assert started is not None


def public_base_url_of(app) -> str:
    with app.test_request_context():
        return public_base_url()


def _by_address(mailbox) -> dict:
    return {m["To"]: m for m in mailbox if m["List-Unsubscribe"]}


def test_the_fired_rule_links_each_attendees_evaluations_and_certificate(app, client, mailbox):
    congress, people = _edition("na-congres-links")
    mailbox.clear()
    _fire_default_rule(congress)
    received = _by_address(mailbox)
    assert set(received) == {people[0].email, people[1].email, people[2].email}  # the fourth was not there

    first = _plain(received[people[0].email])
    secret = manage_secret(people[0])
    base = public_base_url_of(app)
    evaluations_url = f"{base}/my/{secret}/evaluations"
    certificate_url = f"{base}/my/{secret}/certificate"
    assert evaluations_url in first and certificate_url in first
    assert "Evalueer de workshops die u bezocht" in first and "Uw bewijs van deelname" in first
    assert f"{base}/my/{secret}\n" in first  # the personal page too
    html = _html(received[people[0].email])
    assert f'href="{evaluations_url}"' in html and f'href="{certificate_url}"' in html

    # The links open the person's pages: their evaluations with workshop A, their certificate.
    page = client.get(urlsplit(evaluations_url).path)
    assert page.status_code == 200 and "Werkplaats A" in page.get_data(as_text=True)
    page = client.get(urlsplit(certificate_url).path)
    assert page.status_code == 200 and "Werkplaats B" in page.get_data(as_text=True)
    assert client.get(urlsplit(certificate_url).path + ".pdf").mimetype == "application/pdf"

    # At the door after the last session: evaluations yes (the congress as a whole), no certificate.
    late = _plain(received[people[1].email])
    assert f"/my/{manage_secret(people[1])}/evaluations" in late
    assert "/certificate" not in late and "bewijs van deelname" not in late.lower()
    assert "/certificate" not in _html(received[people[1].email])

    english = _plain(received[people[2].email])
    assert received[people[2].email]["Subject"].startswith("Thank you for coming to")
    assert f"/my/{manage_secret(people[2])}/certificate" in english
    assert "Download your certificate of attendance" in english


def test_once_the_evaluations_have_closed_only_the_certificate_is_linked(app, mailbox):
    congress, people = _edition("na-congres-gesloten")
    evaluations.set_close_days(congress, 0)  # closed at midnight after the congress's only day
    db.session.commit()
    mailbox.clear()
    _fire_default_rule(congress)
    first = _plain(_by_address(mailbox)[people[0].email])
    assert "/evaluations" not in first and "Evalueer" not in first
    assert f"/my/{manage_secret(people[0])}/certificate" in first


def test_the_values_come_per_registration_in_one_batch_and_empty_for_others(app):
    congress, people = _edition("na-congres-waarden")
    recipients = audience_recipients(congress, Audience(status="confirmed", checked_in="yes"))
    values = recipient_values(congress, recipients)
    assert set(values) == {people[0].id, people[1].id, people[2].id}
    assert set(values[people[0].id]) == {"evaluations_url", "certificate_url"}
    assert set(values[people[1].id]) == {"evaluations_url"}
    assert recipient_values(congress, []) == {}


def test_an_ordinary_mailing_offers_them_too_and_the_preview_fills_them(app, mailbox):
    congress, people = _edition("na-congres-mailing")
    text = "{% if certificate_url %}Certificaat: {{ certificate_url }}{% else %}Geen certificaat.{% endif %}"
    assert check_text(text, "text_nl").unknown == frozenset()
    mailing = create_mailing(congress, Draft(schedules.ScheduledMail(moment="after_end").audience, "Nog even",
                                             "Beste {{ name }}, " + text))
    shown = preview(mailing)
    assert shown.sample.email == people[0].email
    assert f"/my/{manage_secret(people[0])}/certificate" in shown.message.text
    mailbox.clear()
    start_sending(mailing.id)
    received = _by_address(mailbox)
    assert "Geen certificaat." in _plain(received[people[1].email])
    assert f"Certificaat: {public_base_url_of(app)}/my/" in _plain(received[people[2].email])


def test_a_rule_before_the_start_leaves_them_empty(app, mailbox):
    congress = open_congress("na-congres-vooraf")
    congress.starts_on = congress.ends_on = utcnow().date() + timedelta(days=2)
    db.session.commit()
    person = registered(congress, name="Vooraf", email="vooraf@gemeente.nl", confirmed=True).registration
    rule = schedules.create_rule(congress, Rule("before_start", 3, "Bijna", "Beste {{ name }}.{% if certificate_url %}"
                                                " {{ certificate_url }}{% endif %}{% if evaluations_url %} "
                                                "{{ evaluations_url }}{% endif %}"))
    mailbox.clear()
    assert schedules.fire(rule.id) is not None
    text = _plain(_by_address(mailbox)[person.email])
    assert "Beste Vooraf." in text and "/certificate" not in text and "/evaluations" not in text


def test_the_default_texts_use_only_known_placeholders_and_the_docs_name_them():
    for texts in schedules.DEFAULT_TEXTS.values():
        for subject, text in texts.values():
            assert check_text(subject, "subject").unknown == frozenset()
            assert check_text(text, "text").unknown == frozenset()
    after = schedules.DEFAULT_TEXTS[Moment.AFTER_END.value]
    for _subject, text in after.values():
        assert "{% if evaluations_url %}" in text and "{% if certificate_url %}" in text
    docs = (ROOT / "docs" / "mail-texts.md").read_text(encoding="utf-8")
    for name in PLACEHOLDERS:
        assert "`{{ " + name + " }}`" in docs, name
