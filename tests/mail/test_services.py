"""Mail goes through the outbox and a real SMTP server (aiosmtpd on 127.0.0.1)."""

import sqlalchemy as sa
from flask import url_for

from congress.accounts.models import User
from congress.database import utcnow
from congress.extensions import db
from congress.mail import services
from congress.mail.models import MailStatus, OutboxMessage
from tests.factories import make_user
from tests.mail.conftest import answer_attachment, answer_context


def _queue(locale="nl", to="someone@example.org"):
    user = make_user("organiser", name="Sam")
    return services.queue_mail(to, "password_reset", locale=locale, user=user, link="http://x/reset", hours=2)


def test_queued_mail_is_sent_after_commit(app, mailbox):
    message = _queue()
    assert mailbox == []  # nothing leaves before the transaction commits
    db.session.commit()
    assert len(mailbox) == 1
    received = mailbox[0]
    assert received["To"] == "someone@example.org"
    assert received["Subject"] == "Kies een nieuw wachtwoord"
    assert "Beste Sam" in received.get_body(preferencelist=("plain",)).get_content()
    assert "<a href=\"http://x/reset\">" in received.get_body(preferencelist=("html",)).get_content()
    db.session.refresh(message)
    assert message.status == MailStatus.SENT.value and message.attempts == 1 and message.sent_at


def test_english_mail(app, mailbox):
    _queue(locale="en")
    db.session.commit()
    assert mailbox[0]["Subject"] == "Choose a new password"


def test_rolled_back_mail_is_never_sent(app, mailbox):
    _queue()
    db.session.rollback()
    db.session.commit()
    assert mailbox == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


def test_failed_delivery_is_retried_with_backoff(app, mailbox):
    app.config["MAIL_PORT"], real_port = 1, app.config["MAIL_PORT"]  # nothing listens on port 1
    try:
        message = _queue()
        db.session.commit()
        db.session.refresh(message)
        assert message.status == MailStatus.QUEUED.value
        assert message.attempts == 1
        assert "Error" in message.last_error or "refused" in message.last_error.lower()
        assert message.next_attempt_at is not None
    finally:
        app.config["MAIL_PORT"] = real_port
    # The periodic job picks it up once it is due, and now the server is there.
    message.next_attempt_at = utcnow()
    db.session.commit()
    assert services.send_due_mail() == {"sent": 1}
    db.session.refresh(message)
    assert message.status == MailStatus.SENT.value and message.attempts == 2
    assert len(mailbox) == 1


def test_backoff_doubles_and_gives_up(app):
    app.config["MAIL_RETRY_BASE_SECONDS"] = 30
    try:
        assert [services.retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    finally:
        app.config["MAIL_RETRY_BASE_SECONDS"] = 60.0
    app.config["MAIL_PORT"], real_port = 1, app.config["MAIL_PORT"]
    try:
        message = _queue()
        db.session.commit()
        for _ in range(app.config["MAIL_MAX_ATTEMPTS"]):
            message.next_attempt_at = utcnow()
            db.session.commit()
            services.send_due_mail()
        db.session.refresh(message)
        assert message.status == MailStatus.FAILED.value
        assert message.attempts == app.config["MAIL_MAX_ATTEMPTS"]
    finally:
        app.config["MAIL_PORT"] = real_port


def test_a_sent_message_is_not_sent_twice(app, mailbox):
    message = _queue()
    db.session.commit()
    assert services.deliver(message.id) == MailStatus.SENT.value
    assert len(mailbox) == 1


def test_outbox_is_readable_by_organisers(app, organiser, mailbox):
    message = _queue()
    db.session.commit()
    client = app.test_client(user=organiser)
    listing = client.get("/manage/outbox").get_data(as_text=True)
    assert "Kies een nieuw wachtwoord" in listing
    detail = client.get(f"/manage/outbox/{message.id}").get_data(as_text=True)
    assert "http://x/reset" in detail
    # A message the worker could not compose (its kind is not installed) has no empty link.
    services.queue_mail_later("b@example.org", "password_reset", services.RenderedLater("not-installed", "1"))
    db.session.commit()
    assert "(nog niet opgesteld)</a>" in client.get("/manage/outbox").get_data(as_text=True)


def test_attachments_travel_with_the_message(app, mailbox):
    user = make_user("organiser", name="Sam")
    services.queue_mail("a@example.org", "password_reset", user=user, link="http://x", hours=1,
                        attachments=[("e-ticket.pdf", "application/pdf", b"%PDF-1.7 test"),
                                     ("agenda.ics", "text/calendar", b"BEGIN:VCALENDAR")])
    db.session.commit()
    received = mailbox[0]
    files = {part.get_filename(): (part.get_content_type(), part.get_content()) for part in received.iter_attachments()}
    assert files["e-ticket.pdf"] == ("application/pdf", b"%PDF-1.7 test")
    assert files["agenda.ics"][0] == "text/calendar"


def test_attachments_rendered_by_the_worker(app, mailbox):
    calls = []

    def render(argument: str, locale: str) -> tuple[str, str, bytes]:
        calls.append((argument, locale))
        return f"ticket-{argument}.pdf", "application/pdf", b"%PDF ticket " + argument.encode()

    stop = answer_attachment("test-ticket", render)
    try:
        user = make_user("organiser", name="Sam")
        message = services.queue_mail("a@example.org", "password_reset", locale="en", user=user, link="x", hours=1,
                                      attachments=[services.RenderedLater("test-ticket", "42")])
        assert calls == []  # nothing rendered while the request is running
        db.session.commit()
        assert calls == [("42", "en")]
        files = {p.get_filename(): p.get_content() for p in mailbox[0].iter_attachments()}
        assert files == {"ticket-42.pdf": b"%PDF ticket 42"}
        db.session.refresh(message)
        assert [a.filename for a in message.attachments] == ["ticket-42.pdf"]
    finally:
        stop()


def test_mail_composed_by_the_worker_with_the_configured_links(app, mailbox):
    user_id = make_user("organiser", name="Sam").id
    built = []

    def build(argument: str) -> dict | None:
        built.append(argument)
        return None if argument == "gone" else {"user": db.session.get(User, user_id), "hours": 3,
                                                 "link": url_for("public.index", _external=True)}

    stop = answer_context("test-reset", build)
    app.config["PUBLIC_BASE_URL"], before = "https://congres.example.nl", app.config.get("PUBLIC_BASE_URL")
    try:
        with app.test_request_context("/", base_url="http://other.example/"):
            message_id = services.queue_mail_later("a@example.org", "password_reset",
                                                   services.RenderedLater("test-reset", "7"), locale="en")
            gone_id = services.queue_mail_later("b@example.org", "password_reset",
                                                services.RenderedLater("test-reset", "gone"))
            assert built == []  # the request renders nothing
            assert db.session.get(OutboxMessage, message_id).subject == ""
            db.session.commit()
        assert sorted(built) == ["7", "gone"]
        assert [m["To"] for m in mailbox] == ["a@example.org"]
        assert mailbox[0]["Subject"] == "Choose a new password"
        assert "https://congres.example.nl/" in mailbox[0].get_body(preferencelist=("plain",)).get_content()
        message, gone = db.session.get(OutboxMessage, message_id), db.session.get(OutboxMessage, gone_id)
        db.session.refresh(message)
        db.session.refresh(gone)
        assert message.status == MailStatus.SENT.value and message.subject == "Choose a new password"
        assert gone.status == MailStatus.FAILED.value and "gone" in gone.last_error
    finally:
        stop()
        app.config["PUBLIC_BASE_URL"] = before
