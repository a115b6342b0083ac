"""The outbox's own rules (congress.mail.services, congress.mail.queries): a failed message is tried
again once however often it is asked, also by concurrent clicks; a sent one is sent again as a new
message; errors are told in words; attachments not yet rendered are rendered on demand."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from congress.extensions import db
from congress.mail import queries, services
from congress.mail.models import MailStatus, OutboxAttachment, OutboxMessage
from tests.mail.conftest import answer_attachment


def failed_message(to: str = "jan@example.org", reply: str = "550 5.1.1 <jan@example.org>: Recipient address "
                   "rejected: mailbox unavailable", congress_id: int | None = None) -> int:
    message = OutboxMessage(to_address=to, template="password_reset", locale="nl", subject="Uw nieuwe wachtwoord",
                            body_text="Tekst", body_html="<p>Tekst</p>", status=MailStatus.FAILED.value, attempts=1,
                            smtp_code=int(reply[:3]), smtp_reply=reply, last_error=f"SMTPRecipientsRefused: {reply}",
                            message_id_header=services.new_message_id(), congress_id=congress_id)
    db.session.add(message)
    db.session.flush()
    message_id = message.id
    db.session.commit()  # and no read transaction left open: the test reads what other threads write
    return message_id


@pytest.mark.parametrize(("reply", "last_error", "words"), [
    ("550 5.1.1 <a@b.nl>: Recipient address rejected: User unknown", "", "does not exist"),
    ("552 5.2.2 Mailbox full", "", "mailbox is full"),
    ("554 5.7.1 Message rejected as spam", "", "spam filter"),
    ("553 5.7.1 Sender address rejected: not owned by user", "", "sender address"),
    ("421 4.7.0 Try again later", "", "try again later"),
    (None, "ConnectionRefusedError: [Errno 111] Connection refused", "connection refused"),
    (None, "TimeoutError: timed out", "did not answer in time"),
    (None, "MailSubjectGone: nothing to compose", "no longer exists"),
    (None, "KeyError: 'something odd'", "do not recognise"),
])
def test_errors_are_told_in_words(app, reply, last_error, words):
    message = OutboxMessage(status="failed", smtp_reply=reply, last_error=last_error or (reply or ""))
    with app.test_request_context("/"), force_locale("en"):
        assert words in queries.explain_error(message)
        assert (reply or last_error) in queries.technical_error(message)
    with app.test_request_context("/"), force_locale("nl"):
        assert words not in queries.explain_error(message)  # in Dutch


def test_no_error_no_explanation_and_statuses_in_words(app):
    with app.test_request_context("/"), force_locale("nl"):
        assert queries.explain_error(OutboxMessage(status="sent", smtp_reply="250 2.0.0 Ok", last_error="")) is None
        assert queries.status_label(OutboxMessage(status="queued", attempts=0)) == "Wacht op verzending"
        assert queries.status_label(OutboxMessage(status="queued", attempts=2)) == "Wacht op een nieuwe poging"
        assert queries.status_label(OutboxMessage(status="failed", attempts=6)) == "Niet afgeleverd"
        assert queries.status_label(OutboxMessage(status="sent", attempts=1)) == "Verzonden"


def test_a_failed_message_is_retried_once_and_sent(app, mailbox):
    message_id = failed_message()
    services.retry_failed(message_id)
    db.session.commit()  # the worker gets it after the commit (at once in tests)
    message = db.session.get(OutboxMessage, message_id, populate_existing=True)
    assert message.status == MailStatus.SENT.value and message.attempts == 1
    assert len(mailbox) == 1
    with pytest.raises(services.OutboxRefused):
        services.retry_failed(message_id)  # sent: nothing to retry
    assert len(mailbox) == 1


def test_concurrent_retries_put_the_message_back_once(app, mailbox):
    message_id = failed_message()
    app.config["HUEY_IMMEDIATE"] = True
    outcomes: list[str] = []
    barrier = threading.Barrier(6)

    def click() -> None:
        with app.app_context():
            barrier.wait(timeout=30)
            try:
                services.retry_failed(message_id)
                outcomes.append("retried")
            except services.OutboxRefused:
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=click) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcomes) == ["refused"] * 5 + ["retried"]
    db.session.commit()  # a fresh snapshot
    assert db.session.get(OutboxMessage, message_id).status == MailStatus.SENT.value
    assert len(mailbox) == 1


def test_resending_makes_a_new_message_with_its_own_id(app, mailbox):
    message = services.queue_mail("piet@example.org", "password_reset", locale="nl", user=None, link="https://x/r",
                                  hours=2, attachments=[("agenda.ics", "text/calendar", b"BEGIN:VCALENDAR")])
    db.session.commit()
    original = db.session.get(OutboxMessage, message.id, populate_existing=True)
    assert original.status == MailStatus.SENT.value
    copy = services.resend(original.id)
    db.session.commit()
    copy = db.session.get(OutboxMessage, copy.id, populate_existing=True)
    assert copy.id != original.id and copy.message_id_header != original.message_id_header
    assert (copy.to_address, copy.subject, copy.body_text) == (original.to_address, original.subject,
                                                               original.body_text)
    assert [a.data for a in copy.attachments] == [b"BEGIN:VCALENDAR"]
    assert copy.status == MailStatus.SENT.value and len(mailbox) == 2
    with pytest.raises(services.OutboxRefused):
        services.resend(failed_message())  # only what was sent


def test_an_attachment_not_yet_rendered_is_rendered_on_demand(app):
    disconnect = answer_attachment("kaartje", lambda argument, locale: (f"kaart-{argument}-{locale}.pdf",
                                                                       "application/pdf", b"%PDF-1.7"))
    try:
        message_id = services.queue_mail_later("x@example.org", "password_reset",
                                               services.RenderedLater("nothing", "1"))
        db.session.execute(sa.update(OutboxMessage).where(OutboxMessage.id == message_id)
                           .values(status=MailStatus.FAILED.value))
        db.session.commit()
        message = db.session.get(OutboxMessage, message_id)
        attachment = OutboxAttachment(message_id=message_id, filename="", content_type="", source="kaartje:42")
        db.session.add(attachment)
        db.session.commit()
        assert queries.attachment_name(attachment) == "kaartje"
        assert services.attachment_file(attachment) == ("kaart-42-nl.pdf", "application/pdf", b"%PDF-1.7")
        assert attachment.data is None and message.status == MailStatus.FAILED.value  # nothing stored
    finally:
        disconnect()
