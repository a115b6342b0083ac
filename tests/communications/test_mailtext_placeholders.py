"""The placeholders of the edited mail texts: the common ones and each kind's own, filled from what the
sending capability gives the mail, escaped in the HTML part and saying the same in the text part. The
mails go through the real SMTP server on 127.0.0.1; docs/mail-texts.md documents every placeholder."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from types import SimpleNamespace

import sqlalchemy as sa

from congress.communications.mailtext_defaults import STARTING, starting
from congress.communications.mailtext_kinds import KINDS, MEANINGS, values_for
from congress.communications.mailtexts import check_mail_text, save_mail_text
from congress.core import services as core
from congress.extensions import db
from congress.invitations import services as invitations
from congress.invitations.models import Invitee
from congress.registration import services as registration
from tests.invitations.support import contacts, csv_bytes
from tests.registration.factories import add_round, open_congress, registered

ROOT = Path(__file__).resolve().parents[2]


def _plain(message) -> str:
    return message.get_body(("plain",)).get_content()


def _html(message) -> str:
    return message.get_body(("html",)).get_content()


def test_the_programme_venue_dates_and_contact_arrive_in_both_parts(app, mailbox):
    edition = open_congress("plaatshouders")
    core.update_congress(edition, venue_name="Jaarbeurs", venue_address="Jaarbeursplein 6, Utrecht",
                         contact_email="congres@minjenv.nl")
    _round, sessions = add_round(edition)
    save_mail_text(edition.id, "registration/confirmed", "nl", "Tot ziens op {{ edition_dates }}",
                   "Beste {{ name }},\n\nWe zien u in {{ venue }}.\n\nUw workshops:\n\n{{ programme }}\n\n"
                   "Vragen? {{ contact_email }}")
    mailbox.clear()
    registered(edition, [sessions[0].id], name="Sanne Jansen", email="sanne@gemeente.nl", confirmed=True)
    (message,) = [m for m in mailbox if m["To"] == "sanne@gemeente.nl"]
    day = edition.starts_on
    assert str(day.day) in message["Subject"] and str(day.year) in message["Subject"]
    text, html = _plain(message), _html(message)
    assert "We zien u in Jaarbeurs, Jaarbeursplein 6, Utrecht." in text
    assert "- Ronde 1 workshop 1: " in text and "11:00–12:00, Zaal 1" in text
    assert "<li>Ronde 1 workshop 1: " in html and "11:00–12:00, Zaal 1</li>" in html
    assert "Vragen? congres@minjenv.nl" in text and 'href="mailto:congres@minjenv.nl"' in html


def test_the_place_on_the_waiting_list_arrives(app, mailbox):
    edition = open_congress("plaatshouders-wachtlijst", capacity=1)
    registration.set_waiting_list(edition, True)
    registered(edition, n=1)
    save_mail_text(edition.id, "registration/waitlisted", "en", "Place {{ waiting_position }}",
                   "Dear {{ name }}, you are number {{ waiting_position }}. {{ manage_url }}")
    mailbox.clear()
    registered(edition, name="Second Person", email="second@example.org", locale="en")
    registered(edition, name="Third Person", email="third@example.org", locale="en")
    by_address = {m["To"]: m for m in mailbox}
    assert by_address["second@example.org"]["Subject"] == "Place 1"
    assert by_address["third@example.org"]["Subject"] == "Place 2"
    assert _plain(by_address["third@example.org"]).startswith("Dear Third Person, you are number 2.")


def test_an_edited_invitation_arrives_with_its_links_and_the_unsubscribe_link(app, mailbox):
    edition = open_congress("plaatshouders-uitnodiging")
    invitations.import_contacts(edition, "lijst.csv", csv_bytes(contacts(1)), "Focusgemeenten")
    save_mail_text(edition.id, "invitations/invitation", "nl", "Kom naar {{ edition }}",
                   "Beste {{ name }},\n\nMeld u aan: {{ register_url }}\n\nNiet? {{ decline_url }}")
    mailbox.clear()
    invitations.send_invitations(edition)
    (message,) = mailbox
    invitee = db.session.scalar(sa.select(Invitee))
    text = _plain(message)
    assert message["Subject"] == f"Kom naar {edition.title_nl}" and message["List-Unsubscribe"]
    assert text.startswith(f"Beste {invitee.name},") and "/register?invite=" in text
    assert "/unsubscribe/" in text and "/unsubscribe/" in _html(message)  # added below the text


def test_the_kinds_own_values(app):
    edition = open_congress("plaatshouders-waarden")
    session = SimpleNamespace(title="Weerbaar online", starts_at=None, ends_at=None, room=None,
                              is_cancelled=True)
    with app.test_request_context("/"):
        promoted = values_for("registration/promoted", edition, "nl", {"session": session, "registration": None})
        cancelled = values_for("registration/cancelled", edition, "nl", {"reason": "expired",
                                                                         "register_link": "https://x.nl/a"})
        speaker = values_for("programme/speaker_session_changed", edition, "en", {
            "person": SimpleNamespace(name="Dr. *Ster*"), "items": [(session, ["cancelled"])]})
        invited = values_for("invitations/reminder", edition, "nl", {"reserved_until": date(2030, 5, 1)})
    assert promoted.plain["session"] == "Weerbaar online: geannuleerd"
    assert cancelled.plain["lapsed"] == "yes" and cancelled.markdown["register_url"] == "<https://x.nl/a>"
    assert speaker.plain["changed_sessions"] == "- Weerbaar online: cancelled (cancelled)"
    assert speaker.plain["name"] == "Dr. *Ster*" and speaker.markdown["name"] == r"Dr\. \*Ster\*"
    assert invited.plain["reserved_until"] == "1 mei 2030"


def test_every_starting_text_parses_in_both_languages_and_uses_only_its_placeholders(app):
    assert set(STARTING) == set(KINDS)
    with app.test_request_context("/"):
        for kind in KINDS:
            for locale in ("nl", "en"):
                from flask_babel import force_locale  # noqa: PLC0415

                with force_locale(locale):
                    subject, text = starting(kind)
                assert not check_mail_text(kind, locale, subject, text).unknown, (kind, locale)


def test_docs_describe_every_mail_and_placeholder():
    docs = (ROOT / "docs" / "mail-texts.md").read_text(encoding="utf-8")
    for name in MEANINGS:
        assert "`{{ " + name + " }}`" in docs, name
    for kind in KINDS:
        assert f"`{kind}`" in docs, kind
