"""Delivery as a state machine, against a real SMTP server on 127.0.0.1 (aiosmtpd).

queued → sending (claimed, claimed_at) → sent (with the server's answer)
                                       → queued (4xx, no connection, a transient database error)
                                       → failed (5xx, a broken template, what the mail is about is gone)

Every message keeps one Message-ID on every try; a claim is stale only when the claim itself is old;
exactly one copy reaches the server when several workers work through the same backlog.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import url_for
from sqlalchemy import event

from congress.accounts.models import User
from congress.database import utcnow
from congress.extensions import db
from congress.mail import delivery, services
from congress.mail.models import MailStatus, OutboxMessage
from congress.urls import public_domain
from tests.factories import make_user
from tests.mail.conftest import answer_attachment, answer_context

ROOT = Path(__file__).resolve().parents[2]


def backlog(n: int, *, minutes_ago: float = 0) -> list[int]:
    """Rows in the outbox whose hand-over to the worker was lost (the periodic job finds them)."""
    when = utcnow() - timedelta(minutes=minutes_ago)
    rows = [{"to_address": f"p{i}@example.org", "template": "password_reset", "locale": "nl",
             "subject": f"Bericht {i}", "body_text": f"Tekst {i}", "body_html": f"<p>Tekst {i}</p>",
             "status": MailStatus.QUEUED.value, "attempts": 0, "last_error": "", "created_at": when,
             "next_attempt_at": when} for i in range(n)]
    db.session.execute(sa.insert(OutboxMessage.__table__), rows)
    ids = list(db.session.scalars(sa.select(OutboxMessage.id).order_by(OutboxMessage.id)))
    db.session.commit()  # no snapshot left open: the test reads what the workers write
    return ids


def run_workers(app, n: int) -> list[BaseException]:
    """``n`` workers (threads with their own application context and session) run send_due_mail."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(n)

    def work() -> None:
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                services.send_due_mail()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not any(t.is_alive() for t in threads), "a worker did not finish"
    return errors


def statuses() -> Counter:
    db.session.commit()
    return Counter(db.session.scalars(sa.select(OutboxMessage.status)))


def _queue(locale: str = "nl", to: str = "someone@example.org") -> OutboxMessage:
    user = make_user("organiser", name="Sam")
    return services.queue_mail(to, "password_reset", locale=locale, user=user, link="https://x/reset", hours=2)


def _locked() -> sa.exc.OperationalError:
    return sa.exc.OperationalError("UPDATE mail_outbox …", {}, sqlite3.OperationalError("database is locked"))


# -- claims -------------------------------------------------------------------------------------


def test_a_message_in_flight_is_not_reset_and_sent_again_by_another_worker(app, smtp):
    """The backlog was queued 11 minutes ago. While worker A waits for the server's answer to a
    message, worker B runs: the claim is seconds old, so B leaves it alone (it used to measure
    staleness from the queue time, reset A's claim and send the message a second time)."""
    backlog(25, minutes_ago=11)
    errors: list[BaseException] = []
    started: list[bool] = []

    def second_worker(_message) -> None:
        if not started:
            started.append(True)
            errors.extend(run_workers(app, 1))

    smtp.during_data = second_worker
    # A waits for its answer while B works through the backlog: on a busy machine that takes a while.
    app.config["MAIL_TIMEOUT"], timeout = 120, app.config["MAIL_TIMEOUT"]
    try:
        errors.extend(run_workers(app, 1))
    finally:
        app.config["MAIL_TIMEOUT"] = timeout
    assert started
    per_address = Counter(m["To"] for m in smtp.accepted())
    assert len(per_address) == 25 and set(per_address.values()) == {1}, per_address
    assert errors == []
    assert statuses() == {"sent": 25}


def test_a_claim_is_stale_only_when_the_claim_is_old(app, smtp):
    fresh, stale = backlog(2, minutes_ago=60)  # queued an hour ago
    timeout = app.config["MAIL_CLAIM_TIMEOUT_SECONDS"]
    assert timeout > 3 * app.config["MAIL_TIMEOUT"] and services.claim_timeout() == timeout
    app.config["MAIL_CLAIM_TIMEOUT_SECONDS"] = 1  # too short: the floor of three SMTP timeouts holds
    try:
        assert services.claim_timeout() == 3 * app.config["MAIL_TIMEOUT"]
    finally:
        app.config["MAIL_CLAIM_TIMEOUT_SECONDS"] = timeout
    now = utcnow()
    for message_id, claimed in ((fresh, now - timedelta(seconds=5)), (stale, now - timedelta(seconds=timeout + 60))):
        db.session.execute(sa.update(OutboxMessage).where(OutboxMessage.id == message_id).values(
            status=MailStatus.SENDING.value, claimed_at=claimed, attempts=1))
    db.session.commit()
    assert services.send_due_mail() == {"sent": 1}
    assert [m["To"] for m in smtp.accepted()] == ["p1@example.org"]
    db.session.expire_all()
    assert db.session.get(OutboxMessage, fresh).status == MailStatus.SENDING.value  # its worker is still on it
    resent = db.session.get(OutboxMessage, stale)
    assert resent.status == MailStatus.SENT.value and resent.attempts == 2


def test_state_transitions_of_a_sent_message(app, smtp):
    message = _queue()
    assert message.status == MailStatus.QUEUED.value and message.message_id_header
    queued_id = message.message_id_header
    db.session.commit()
    db.session.refresh(message)
    assert message.status == MailStatus.SENT.value
    assert message.claimed_at is not None and message.sent_at >= message.claimed_at
    assert message.smtp_code == 250 and message.smtp_reply.startswith("250 2.0.0 Ok: queued as Q0")
    assert message.message_id_header == queued_id == smtp.accepted()[0]["Message-ID"]
    assert message.next_attempt_at is None and message.last_error == "" and message.attempts == 1
    # Delivering it again sends nothing.
    assert services.deliver(message.id) == MailStatus.SENT.value
    assert len(smtp.received) == 1


# -- SMTP answers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["rcpt", "data", "sender"])
def test_a_permanent_refusal_fails_with_the_servers_reason_shown_in_the_outbox(app, smtp, organiser, where):
    reply = {"rcpt": "550 5.1.1 <someone@example.org>: Recipient address rejected: User unknown",
             "data": "554 5.7.1 Message rejected as spam",
             "sender": "553 5.7.1 Sender address rejected: not owned by user"}[where]
    {"rcpt": smtp.rcpt_replies, "data": smtp.data_replies, "sender": smtp.mail_replies}[where].append(reply)
    message = _queue()
    db.session.commit()
    db.session.refresh(message)
    code, _, reason = reply.partition(" ")
    assert message.status == MailStatus.FAILED.value and message.attempts == 1
    assert message.next_attempt_at is None
    assert message.smtp_code == int(code) and reason in message.smtp_reply
    assert reason in message.last_error
    client = app.test_client(user=organiser)
    # In words on the list (issue 14 §7), the server's own text on the message's page.
    listing = client.get("/manage/outbox").get_data(as_text=True)
    sentence = {"rcpt": "dit adres niet bestaat", "data": "spamfilter of beleid", "sender": "ons afzenderadres"}[where]
    assert "Niet afgeleverd" in listing and sentence in listing
    detail = client.get(f"/manage/outbox/{message.id}?lang=en").get_data(as_text=True)
    assert "Technical details" in detail and reason in detail.replace("&lt;", "<").replace("&gt;", ">")


@pytest.mark.parametrize("where", ["rcpt", "data"])
def test_a_temporary_refusal_is_retried_with_backoff_and_the_same_message_id(app, smtp, where):
    reply = {"rcpt": "450 4.7.1 Greylisted, please try again later",
             "data": "451 4.3.0 Temporary local problem"}[where]
    (smtp.rcpt_replies if where == "rcpt" else smtp.data_replies).append(reply)
    message = _queue()
    db.session.commit()
    db.session.refresh(message)
    assert message.status == MailStatus.QUEUED.value and message.attempts == 1
    assert message.smtp_code == int(reply[:3]) and reply[4:] in message.last_error
    base = app.config["MAIL_RETRY_BASE_SECONDS"]
    wait = (message.next_attempt_at - utcnow()).total_seconds()
    assert base - 10 < wait <= base
    assert services.send_due_mail() == {}  # not due yet
    db.session.execute(sa.update(OutboxMessage).values(next_attempt_at=utcnow()))
    db.session.commit()
    assert services.send_due_mail() == {"sent": 1}
    db.session.refresh(message)
    assert message.status == MailStatus.SENT.value and message.attempts == 2 and message.smtp_code == 250
    ids = [r.message["Message-ID"] for r in smtp.received]
    assert len(smtp.accepted()) == 1
    assert ids == [message.message_id_header] * len(ids) and len(ids) == (2 if where == "data" else 1)
    assert message.message_id_header.endswith(f"@{public_domain()}>")


def test_the_message_id_is_on_the_configured_domain(app, smtp):
    app.config["PUBLIC_BASE_URL"], before = "https://congres.example.nl:8443/sub", app.config.get("PUBLIC_BASE_URL")
    try:
        _queue()
        db.session.commit()
    finally:
        app.config["PUBLIC_BASE_URL"] = before
    message_id = smtp.accepted()[0]["Message-ID"]
    assert message_id.endswith("@congres.example.nl>") and "congres.local" not in message_id


# -- transient database errors are never permanent -------------------------------------------------


def test_a_transient_database_error_while_composing_is_retried_not_failed(app, smtp):
    user_id = make_user("organiser", name="Sam").id
    calls: list[str] = []

    def build(argument: str) -> dict:
        calls.append(argument)
        if len(calls) == 1:
            raise _locked()
        return {"user": db.session.get(User, user_id), "hours": 2, "link": "https://x/confirm"}

    stop = answer_context("test-flaky", build)
    try:
        message_id = services.queue_mail_later("a@example.org", "password_reset",
                                               services.RenderedLater("test-flaky", "1"))
        db.session.commit()
        message = db.session.get(OutboxMessage, message_id)
        assert calls == ["1"] and smtp.received == []
        assert message.status == MailStatus.QUEUED.value, message.last_error
        assert message.attempts == 0  # a database error is not an attempt: it never uses one up
        assert "database is locked" in message.last_error
        assert message.next_attempt_at > utcnow()
        db.session.execute(sa.update(OutboxMessage).values(next_attempt_at=utcnow()))
        db.session.commit()
        assert services.send_due_mail() == {"sent": 1}
        assert [m["To"] for m in smtp.accepted()] == ["a@example.org"]
    finally:
        stop()


def test_another_writer_while_composing_does_not_lock_the_worker_out(app, smtp):
    """A real fault, not a raised one: while the worker reads what it composes from, another
    connection (the web server registering someone) commits a write. On SQLite a transaction that
    began as a reader and then writes fails at once with "database is locked"; the worker must not
    write in the transaction it read in."""
    user_id = make_user("organiser", name="Sam").id
    db.session.commit()

    def build(_argument: str) -> dict:
        user = db.session.get(User, user_id)
        with db.engine.connect() as other:
            other.execute(sa.update(User.__table__).where(User.__table__.c.id == user_id).values(name="Sam B"))
            other.commit()
        return {"user": user, "hours": 2, "link": "https://x/confirm"}

    stop = answer_context("test-busy", build)
    try:
        message_id = services.queue_mail_later("a@example.org", "password_reset",
                                               services.RenderedLater("test-busy", "1"))
        db.session.commit()
    finally:
        stop()
    message = db.session.get(OutboxMessage, message_id)
    assert message.status == MailStatus.SENT.value, message.last_error
    assert [m["To"] for m in smtp.accepted()] == ["a@example.org"]


def test_a_transient_database_error_while_claiming_is_retried(app, smtp):
    failures: list[str] = []

    def refuse_first_claim(conn, cursor, statement, parameters, context, executemany):
        values = list(parameters.values() if isinstance(parameters, dict) else parameters)
        # A claim: "UPDATE mail_outbox …"; on PostgreSQL "WITH picked AS (… SKIP LOCKED) UPDATE mail_outbox …".
        claiming = statement.lstrip().upper().startswith(("UPDATE MAIL_OUTBOX", "WITH PICKED AS"))
        if claiming and "sending" in values and not failures:
            failures.append(statement)
            raise _locked()

    event.listen(db.engine, "before_cursor_execute", refuse_first_claim)
    try:
        message = _queue()
        db.session.commit()
    finally:
        event.remove(db.engine, "before_cursor_execute", refuse_first_claim)
    assert failures and smtp.received == []
    db.session.refresh(message)
    assert message.status == MailStatus.QUEUED.value and message.attempts == 0
    assert services.send_due_mail() == {"sent": 1}
    assert len(smtp.accepted()) == 1


def test_a_database_error_on_every_try_never_fails_the_message(app, smtp):
    app.config["MAIL_MAX_ATTEMPTS"], max_attempts = 2, app.config["MAIL_MAX_ATTEMPTS"]

    def build(_argument: str) -> dict:
        raise sa.exc.DBAPIError("SELECT 1", {}, Exception("server closed the connection unexpectedly"),
                                connection_invalidated=True)

    stop = answer_context("test-down", build)
    try:
        message_id = services.queue_mail_later("a@example.org", "password_reset",
                                               services.RenderedLater("test-down", "1"))
        db.session.commit()
        for _ in range(5):
            db.session.execute(sa.update(OutboxMessage).values(next_attempt_at=utcnow()))
            db.session.commit()
            assert services.send_due_mail() == {"queued": 1}
        message = db.session.get(OutboxMessage, message_id)
        db.session.refresh(message)
        assert message.status == MailStatus.QUEUED.value and message.attempts == 0
        assert "server closed the connection" in message.last_error
    finally:
        stop()
        app.config["MAIL_MAX_ATTEMPTS"] = max_attempts


def test_a_transient_database_error_while_rendering_an_attachment_is_retried(app, smtp):
    calls: list[str] = []

    def render(argument: str, locale: str) -> tuple[str, str, bytes]:
        calls.append(argument)
        if len(calls) == 1:
            raise _locked()
        return "e-ticket.pdf", "application/pdf", b"%PDF ticket"

    stop = answer_attachment("test-flaky-ticket", render)
    try:
        user = make_user("organiser", name="Sam")
        message = services.queue_mail("a@example.org", "password_reset", user=user, link="x", hours=1,
                                      attachments=[services.RenderedLater("test-flaky-ticket", "1")])
        db.session.commit()
        db.session.refresh(message)
        assert message.status == MailStatus.QUEUED.value and message.attempts == 0
        db.session.execute(sa.update(OutboxMessage).values(next_attempt_at=utcnow()))
        db.session.commit()
        assert services.send_due_mail() == {"sent": 1}
        files = {p.get_filename(): p.get_content() for p in smtp.accepted()[0].iter_attachments()}
        assert files == {"e-ticket.pdf": b"%PDF ticket"}
    finally:
        stop()


def test_a_transient_database_error_while_marking_sent_does_not_send_twice(app, smtp):
    """The server accepted the message; recording that meets a locked database once. The mark is
    tried again, so the message is sent once and stays sent."""
    failures: list[str] = []

    def refuse_first_mark(conn, cursor, statement, parameters, context, executemany):
        values = parameters.values() if isinstance(parameters, dict) else parameters
        if statement.lstrip().upper().startswith("UPDATE MAIL_OUTBOX") and "sent" in list(values) and not failures:
            failures.append(statement)
            raise _locked()

    event.listen(db.engine, "before_cursor_execute", refuse_first_mark)
    try:
        message = _queue()
        db.session.commit()
    finally:
        event.remove(db.engine, "before_cursor_execute", refuse_first_mark)
    assert failures
    db.session.refresh(message)
    assert message.status == MailStatus.SENT.value and message.smtp_code == 250
    assert len(smtp.received) == 1
    db.session.execute(sa.update(OutboxMessage).values(next_attempt_at=utcnow()))
    db.session.commit()
    assert services.send_due_mail() == {}
    assert len(smtp.received) == 1


# -- permanent failures of composing ------------------------------------------------------------------


def test_an_unknown_attachment_kind_is_a_permanent_failure(app, smtp):
    user = make_user("organiser", name="Sam")
    message = services.queue_mail("a@example.org", "password_reset", user=user, link="x", hours=1,
                                  attachments=[services.RenderedLater("not-installed", "1")])
    db.session.commit()
    db.session.refresh(message)
    assert message.status == MailStatus.FAILED.value and smtp.received == []
    assert "not-installed" in message.last_error and "attachment" in message.last_error


def test_an_unknown_compose_kind_is_a_permanent_failure(app, smtp):
    message_id = services.queue_mail_later("b@example.org", "password_reset",
                                           services.RenderedLater("not-installed", "1"))
    db.session.commit()
    message = db.session.get(OutboxMessage, message_id)
    assert message.status == MailStatus.FAILED.value and smtp.received == []
    assert "not-installed" in message.last_error
    with pytest.raises(LookupError, match="not-installed"):
        services.build_context("not-installed", "1")
    with pytest.raises(LookupError, match="not-installed"):
        services.render_attachment("not-installed", "1", "nl")


def test_a_kind_two_capabilities_answer_is_a_permanent_failure_too(app, smtp):
    """Exactly one capability answers a kind: two receivers are as wrong as none, never a guess."""
    stops = [answer_context("test-twice", lambda argument: {"x": argument}) for _ in range(2)]
    try:
        with pytest.raises(services.UnknownMailKind, match="test-twice"):
            services.build_context("test-twice", "1")
        message_id = services.queue_mail_later("b@example.org", "password_reset",
                                               services.RenderedLater("test-twice", "1"))
        db.session.commit()
    finally:
        for stop in stops:
            stop()
    message = db.session.get(OutboxMessage, message_id)
    assert message.status == MailStatus.FAILED.value and smtp.received == []
    assert "test-twice" in message.last_error


def test_the_worker_asks_the_signals_with_the_kind_as_sender(app, smtp):
    asked: list[tuple[str, str]] = []
    stop = answer_attachment("test-asked", lambda argument, locale: asked.append((argument, locale))
                             or ("a.pdf", "application/pdf", b"%PDF a"))
    try:
        assert services.render_attachment("test-asked", "9", "en") == ("a.pdf", "application/pdf", b"%PDF a")
        assert asked == [("9", "en")]
        with pytest.raises(services.UnknownMailKind, match="other-kind"):
            services.render_attachment("other-kind", "9", "en")
    finally:
        stop()
    with pytest.raises(services.UnknownMailKind):
        services.render_attachment("test-asked", "9", "en")  # disconnected: nobody answers


def test_a_template_error_is_a_permanent_failure(app, smtp):
    stop = answer_context("test-ok", lambda argument: {"x": argument})
    try:
        message_id = services.queue_mail_later("b@example.org", "does/not/exist",
                                               services.RenderedLater("test-ok", "1"))
        db.session.commit()
    finally:
        stop()
    message = db.session.get(OutboxMessage, message_id)
    assert message.status == MailStatus.FAILED.value and message.attempts == 1
    assert "TemplateNotFound" in message.last_error and smtp.received == []


# -- links and headers ----------------------------------------------------------------------------------


def test_the_worker_takes_links_from_the_configuration_not_from_the_request(app, smtp):
    user_id = make_user("organiser", name="Sam").id

    def build(argument: str) -> dict:
        return {"user": db.session.get(User, user_id), "hours": 3, "link": url_for("public.index", _external=True)}

    stop = answer_context("test-links", build)
    app.config["PUBLIC_BASE_URL"], before = "https://congres.example.nl", app.config.get("PUBLIC_BASE_URL")
    try:
        with app.test_request_context("/", base_url="http://evil.example/"):
            message_id = services.queue_mail_later("a@example.org", "password_reset",
                                                   services.RenderedLater("test-links", "1"))
            db.session.commit()
        # A row queued by an older version still carries the request's address: it is ignored.
        old_id = services.queue_mail_later("b@example.org", "password_reset", services.RenderedLater("test-links", "2"))
        db.session.execute(sa.update(OutboxMessage).where(OutboxMessage.id == old_id).values(compose_later={
            "kind": "test-links", "argument": "2", "base_url": "http://evil.example/"}))
        db.session.commit()
    finally:
        stop()
        app.config["PUBLIC_BASE_URL"] = before
    assert db.session.get(OutboxMessage, message_id).compose_later == {"kind": "test-links", "argument": "1"}
    bodies = [m.get_body(preferencelist=("plain",)).get_content() for m in smtp.accepted()]
    assert len(bodies) == 2
    for body in bodies:
        assert "https://congres.example.nl/" in body and "evil.example" not in body


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_headers_on_the_wire(app, smtp, locale):
    before = utcnow()
    _queue(locale=locale)
    db.session.commit()
    (received,) = smtp.received
    raw_headers = received.raw.split(b"\r\n\r\n", 1)[0].decode()
    message = received.message
    sent_at = parsedate_to_datetime(message["Date"])
    assert sent_at.utcoffset() == timedelta(0) and "+0000" in message["Date"]
    assert before - timedelta(seconds=2) <= sent_at <= utcnow()
    assert message["Content-Language"] == locale and f"\nContent-Language: {locale}" in "\n" + raw_headers
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"].endswith(f"@{public_domain()}>")
    subject = {"nl": "Kies een nieuw wachtwoord", "en": "Choose a new password"}[locale]
    html = message.get_body(preferencelist=("html",))
    assert html["Content-Language"] == locale
    assert f'<html lang="{locale}">' in html.get_content()
    assert f"<title>{subject}</title>" in html.get_content()


# -- exactly once with several workers -------------------------------------------------------------------------


def test_several_workers_on_one_backlog_send_every_message_exactly_once(app, smtp):
    ids = backlog(60, minutes_ago=30)
    assert run_workers(app, 3) == []
    per_id = Counter(m["Message-ID"] for m in smtp.accepted())
    assert len(smtp.received) == 60 and len(per_id) == 60 and set(per_id.values()) == {1}
    assert statuses() == {"sent": 60}
    stored = set(db.session.scalars(sa.select(OutboxMessage.message_id_header).where(OutboxMessage.id.in_(ids))))
    assert stored == set(per_id)
    assert all(r.startswith("250 ") for r in db.session.scalars(sa.select(OutboxMessage.smtp_reply)))


@pytest.mark.slow
def test_two_worker_processes_on_one_backlog_send_every_message_exactly_once(app, smtp, tmp_path):
    backlog(80, minutes_ago=30)
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "CONGRESS_INSTANCE_DIR": str(tmp_path),
           "HUEY_SQLITE_PATH": str(tmp_path / "queue.db"), "MAIL_PORT": str(app.config["MAIL_PORT"]),
           "MAIL_SERVER": "127.0.0.1"}
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "congress", "send-mail"]
    workers = [subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
               for _ in range(2)]
    outputs = []
    for worker in workers:
        out, _ = worker.communicate(timeout=180)
        outputs.append(out.decode())
        assert worker.returncode == 0, out.decode()
    per_id = Counter(m["Message-ID"] for m in smtp.accepted())
    assert len(smtp.received) == 80 and len(per_id) == 80 and set(per_id.values()) == {1}, outputs
    assert statuses() == {"sent": 80}
    assert not any("locked" in out for out in outputs)


# -- batches: one claim, one connection, every message on its own ------------------------------------------


def _count_connections(monkeypatch) -> list[int]:
    opened: list[int] = []
    real_open = services.SMTPConnection._open

    def counting_open(self):
        opened.append(1)
        return real_open(self)

    monkeypatch.setattr(services.SMTPConnection, "_open", counting_open)
    return opened


def test_a_batch_is_claimed_at_once_and_sent_over_one_connection(app, smtp, monkeypatch):
    ids = backlog(30, minutes_ago=5)
    app.config["MAIL_BATCH_SIZE"] = 25
    opened = _count_connections(monkeypatch)
    first = ids[7]
    results = services.deliver_batch(first)
    assert list(results)[0] == first and len(results) == 25 and set(results.values()) == {"sent"}
    assert len(opened) == 1
    assert smtp.accepted()[0]["To"] == "p7@example.org"  # the job's own message first
    assert statuses() == {"sent": 25, "queued": 5}
    # The next batch takes what is left.
    assert set(services.deliver_batch().values()) == {"sent"}
    assert statuses() == {"sent": 30}
    per_id = Counter(m["Message-ID"] for m in smtp.accepted())
    assert len(per_id) == 30 and set(per_id.values()) == {1}


@pytest.mark.parametrize("refusal, outcome", [("550 5.1.1 No such user here", "failed"),
                                              ("451 4.3.0 Try again later", "queued")])
def test_a_message_refused_in_a_batch_leaves_the_others_sent(app, smtp, monkeypatch, refusal, outcome):
    ids = backlog(10, minutes_ago=5)
    smtp.rcpt_replies = ["250 OK"] * 3 + [refusal]  # the fourth recipient is refused
    opened = _count_connections(monkeypatch)
    results = services.deliver_batch()
    assert results == {**{i: "sent" for i in ids}, ids[3]: outcome}
    assert len(opened) == 2  # the refusal closed the connection; the fifth message opened a new one
    assert sorted(m["To"] for m in smtp.accepted()) == sorted(f"p{i}@example.org" for i in range(10) if i != 3)
    refused = db.session.get(OutboxMessage, ids[3])
    db.session.refresh(refused)
    assert refused.status == outcome and refused.smtp_code == int(refusal[:3]) and refused.attempts == 1
    assert refusal[4:] in refused.last_error
    assert statuses() == {"sent": 9, outcome: 1}


def test_a_lost_connection_in_a_batch_is_retried_for_that_message_only(app, smtp, monkeypatch):
    ids = backlog(6, minutes_ago=5)
    real_send = services.SMTPConnection.send
    calls: list[int] = []

    def drop_the_third(self, email):
        calls.append(1)
        if len(calls) == 3:
            self._smtp.sock.shutdown(socket.SHUT_RDWR)  # the connection is gone when the third is sent
        return real_send(self, email)

    monkeypatch.setattr(services.SMTPConnection, "send", drop_the_third)
    results = services.deliver_batch()
    assert results == {**{i: "sent" for i in ids}, ids[2]: "queued"}
    assert len(smtp.accepted()) == 5
    message = db.session.get(OutboxMessage, ids[2])
    db.session.refresh(message)
    assert message.status == "queued" and message.next_attempt_at > utcnow()


def test_a_batch_that_takes_long_renews_its_claims(app, smtp, monkeypatch):
    backlog(4, minutes_ago=5)
    renewed: list[int] = []
    real_renew = delivery._renew

    def spy(claims):
        renewed.append(len(claims))
        return real_renew(claims)

    monkeypatch.setattr(delivery, "_renew", spy)
    monkeypatch.setattr(delivery, "claim_timeout", lambda: 0.0)  # every message is "late": renewed first
    assert set(services.deliver_batch().values()) == {"sent"}
    assert renewed == [4, 3, 2, 1]
    assert statuses() == {"sent": 4}


def test_a_legacy_message_without_message_id_gets_its_own_in_a_batch(app, smtp):
    backlog(3, minutes_ago=5)
    db.session.execute(sa.update(OutboxMessage).values(message_id_header=None))
    db.session.commit()
    assert set(services.deliver_batch().values()) == {"sent"}
    headers = [m["Message-ID"] for m in smtp.accepted()]
    assert len(set(headers)) == 3 and all(h.endswith(f"@{public_domain()}>") for h in headers)


# -- several consumer processes (flask congress worker --processes N) --------------------------------------


def _worker_env(app, tmp_path, **more: str) -> dict:
    return {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "CONGRESS_INSTANCE_DIR": str(tmp_path),
            "HUEY_SQLITE_PATH": str(tmp_path / "queue.db"), "MAIL_PORT": str(app.config["MAIL_PORT"]),
            "MAIL_SERVER": "127.0.0.1", **more}


class _Output:
    """A process's output, read in a thread (a full pipe would stop it)."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.lines: list[str] = []
        self.thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self.thread.start()

    def _read(self, process: subprocess.Popen) -> None:
        for line in process.stdout:
            self.lines.append(line.decode(errors="replace").rstrip())

    def wait_for(self, text: str, count: int = 1, timeout: float = 60) -> list[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [line for line in self.lines if text in line]
            if len(found) >= count:
                return found
            time.sleep(0.1)
        raise AssertionError(f"{text!r} not seen {count}×:\n" + "\n".join(self.lines[-40:]))

    def text(self) -> str:
        return "\n".join(self.lines)


_STARTED = re.compile(r"worker process (\d+) started \(pid (\d+)\)")
_JOB = re.compile(r"\[(\d+)\] INFO congress\.jobs: job (\S+) id=\S+ [\d.]+s ok(?: (.*))?$")


@pytest.mark.slow
@pytest.mark.parametrize("queue", ["sqlite", "redis"])
def test_two_consumer_processes_share_the_backlog_and_send_every_message_once(app, smtp, tmp_path, request, queue):
    more = {"MAIL_BATCH_SIZE": "4"}
    if queue == "redis":
        more["REDIS_URL"] = request.getfixturevalue("redis_url")
    env = _worker_env(app, tmp_path, **more)
    # 60 messages queued by the web side (the jobs wait in the queue: nothing consumes yet).
    code = ("from wsgi import app\n"
            "from congress.database import write_transaction\n"
            "from congress.mail.services import queue_mail\n"
            "from congress.accounts.services import create_user\n"
            "with app.test_request_context():\n"
            "    u = create_user('w@example.org', name='Wim', password='long enough pw')\n"
            "    for i in range(60):\n"
            "        with write_transaction():\n"
            "            queue_mail(f'w{i}@example.org', 'password_reset', locale='nl', user=u,\n"
            "                       link='http://x', hours=1)\n")
    subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True, timeout=120)
    assert smtp.received == []
    parent = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "congress", "worker",
                               "--processes", "2", "--workers", "1"],
                              env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = _Output(parent)
    try:
        children = {int(m.group(2)) for m in map(_STARTED.search, output.wait_for("started (pid", 2)) if m}
        assert len(children) == 2 and parent.pid not in children
        deadline = time.monotonic() + 120
        while statuses().get("sent", 0) < 60 and time.monotonic() < deadline:
            time.sleep(0.3)
    finally:
        parent.terminate()
        parent.wait(timeout=60)
    output.thread.join(timeout=10)
    assert parent.returncode == 0, output.text()
    per_id = Counter(m["Message-ID"] for m in smtp.accepted())
    assert len(smtp.received) == 60 and len(per_id) == 60 and set(per_id.values()) == {1}, output.text()
    assert statuses() == {"sent": 60}
    # One line per job, from both consumers, and both sent part of the backlog.
    sent_by: Counter = Counter()
    for match in filter(None, map(_JOB.search, output.lines)):
        pid, name, detail = int(match.group(1)), match.group(2), match.group(3) or ""
        sent = re.search(r"sent=(\d+)", detail)
        if name.endswith("deliver_mail") and sent:
            sent_by[pid] += int(sent.group(1))
    assert set(sent_by) == children and sum(sent_by.values()) == 60, output.text()
    assert "Traceback" not in output.text()


@pytest.mark.slow
def test_a_killed_consumer_process_is_started_again_and_sigterm_stops_them_all(app, smtp, tmp_path):
    env = _worker_env(app, tmp_path)
    parent = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "congress", "worker",
                               "--processes", "2", "--workers", "1"],
                              env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = _Output(parent)
    try:
        lines = output.wait_for("started (pid", 2)
        first = {int(m.group(1)): int(m.group(2)) for m in map(_STARTED.search, lines) if m}
        assert set(first) == {1, 2}
        os.kill(first[2], signal.SIGKILL)
        output.wait_for("was killed by SIGKILL; starting it again")
        started = [m for m in map(_STARTED.search, output.wait_for("started (pid", 3)) if m]
        restarted = int(started[-1].group(2))
        assert started[-1].group(1) == "2" and restarted not in first.values()
        output.wait_for(f"[{restarted}] INFO huey.consumer: Huey consumer started")  # a consumer again
        # A message queued now is delivered by the consumers.
        code = ("from wsgi import app\n"
                "from congress.database import write_transaction\n"
                "from congress.mail.services import queue_mail\n"
                "from congress.accounts.services import create_user\n"
                "with app.test_request_context():\n"
                "    u = create_user('k@example.org', name='Kees', password='long enough pw')\n"
                "    with write_transaction():\n"
                "        queue_mail('k@example.org', 'password_reset', locale='nl', user=u,\n"
                "                   link='http://x', hours=1)\n")
        subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True, timeout=60)
        output.wait_for("job deliver_mail")
        assert [m["To"] for m in smtp.accepted()] == ["k@example.org"]
        os.kill(parent.pid, signal.SIGTERM)
        parent.wait(timeout=60)
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
    output.thread.join(timeout=10)
    assert parent.returncode == 0, output.text()
    for pid in (first[1], restarted):
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # every consumer stopped with the parent
    assert "received SIGTERM: stopping 2 worker processes" in output.text()
