"""Mail texts organisers edit: the edition's own text arrives over real SMTP, in Dutch and in English;
a text that does not parse is refused and the old one still sends; resetting restores the default."""

from __future__ import annotations

from datetime import timedelta

import pytest

from congress.communications.mailtexts import copy_mail_texts, mail_text, reset_mail_text, save_mail_text
from congress.communications.sandbox import MailingError
from congress.core.cloning import clone_congress
from congress.extensions import db
from tests.registration.factories import make_congress, open_congress, registered


def _plain(message) -> str:
    return message.get_body(("plain",)).get_content()


def test_an_edited_text_arrives_as_edited_in_dutch_and_in_english(app, mailbox):
    edition = open_congress("teksten")
    save_mail_text(edition.id, "registration/confirm", "nl", "Bevestig, {{ name }}",
                   "Beste {{ name }},\n\nWelkom bij **{{ edition }}**. Bevestig via {{ confirm_url }}.")
    save_mail_text(edition.id, "registration/confirm", "en", "Please confirm, {{ name }}",
                   "Dear {{ name }},\n\nConfirm here: {{ confirm_url }}")
    registered(edition, n=1)
    registered(edition, n=2, locale="en")
    nl = next(m for m in mailbox if m["To"] == "deelnemer1@example.org")
    en = next(m for m in mailbox if m["To"] == "deelnemer2@example.org")
    assert nl["Subject"] == "Bevestig, Deelnemer 1"
    assert "Beste Deelnemer 1," in _plain(nl) and "/confirm" in _plain(nl)
    assert "<strong>" in nl.get_body(("html",)).get_content()
    assert en["Subject"] == "Please confirm, Deelnemer 2"
    assert _plain(en).startswith("Dear Deelnemer 2,")


def test_a_broken_text_is_refused_with_its_line_and_the_old_text_still_sends(app, mailbox):
    edition = open_congress("teksten-kapot")
    save_mail_text(edition.id, "registration/confirm", "nl", "Oude tekst", "Beste {{ name }}, oud: {{ confirm_url }}")
    with pytest.raises(MailingError) as refused:
        save_mail_text(edition.id, "registration/confirm", "nl", "Nieuw", "Regel een\n{% if name %}niet gesloten")
    assert "2" in str(refused.value) and refused.value.errors.get("text")
    assert mail_text(edition.id, "registration/confirm", "nl").subject == "Oude tekst"
    registered(edition, n=3)
    assert mailbox[-1]["Subject"] == "Oude tekst"


def test_reset_restores_the_default_text(app, mailbox):
    edition = open_congress("teksten-terug")
    save_mail_text(edition.id, "registration/confirm", "nl", "Eigen onderwerp", "Eigen tekst {{ confirm_url }}")
    assert reset_mail_text(edition.id, "registration/confirm", "nl") is True
    assert reset_mail_text(edition.id, "registration/confirm", "nl") is False
    registered(edition, n=4)
    assert mailbox[-1]["Subject"] != "Eigen onderwerp" and "/confirm" in _plain(mailbox[-1])


def test_copying_an_editions_texts(app):
    source = open_congress("teksten-bron")
    target = make_congress("teksten-kopie")
    save_mail_text(source.id, "registration/link", "en", "Your link", "Here: {{ manage_url }}")
    assert copy_mail_texts(source.id, target.id) == 1
    db.session.commit()
    assert mail_text(target.id, "registration/link", "en").text == "Here: {{ manage_url }}"


def test_cloning_an_edition_copies_its_mail_texts(app):
    source = open_congress("teksten-kloon")
    save_mail_text(source.id, "registration/confirmed", "nl", "Tot ziens, {{ name }}", "Beste {{ name }}, welkom.")
    clone = clone_congress(source, "teksten-kloon-2", source.starts_on + timedelta(days=365))
    assert mail_text(clone.id, "registration/confirmed", "nl").subject == "Tot ziens, {{ name }}"
    assert mail_text(source.id, "registration/confirmed", "nl") is not None
