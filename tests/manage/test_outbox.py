"""The mail outbox in the back office: statuses and errors in words, filters, retry, resend and
attachments, each action audited with the organiser who took it."""

from __future__ import annotations

import sqlalchemy as sa

from congress.audit.models import AuditEvent
from congress.extensions import db
from congress.mail import services
from congress.mail.models import MailStatus, OutboxMessage
from tests.factories import make_user
from tests.mail.test_outbox import failed_message


def _events(action: str) -> list[AuditEvent]:
    db.session.commit()
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def _sent(to: str = "anna@example.org") -> OutboxMessage:
    message = services.queue_mail(to, "password_reset", locale="nl", user=None, link="https://x/r", hours=2,
                                  attachments=[("programma.ics", "text/calendar", b"BEGIN:VCALENDAR")])
    db.session.commit()
    return db.session.get(OutboxMessage, message.id, populate_existing=True)


def test_the_list_says_in_words_what_happened_and_filters(app, organiser, mailbox):
    sent = _sent("anna@example.org")
    failed = failed_message("jan@example.org")
    client = app.test_client(user=organiser)
    page = client.get("/manage/outbox").get_data(as_text=True)
    assert "Verzonden" in page and "Niet afgeleverd" in page and "queued" not in page.split("<tbody")[1]
    assert "dit adres niet bestaat" in page and "550 5.1.1" not in page  # the sentence, not the code
    only_failed = client.get("/manage/outbox?status=failed").get_data(as_text=True).split("<tbody")[1]
    assert "jan@example.org" in only_failed and "anna@example.org" not in only_failed
    by_address = client.get("/manage/outbox?recipient=ANNA@").get_data(as_text=True).split("<tbody")[1]
    assert "anna@example.org" in by_address and "jan@example.org" not in by_address
    for hostile in ("status=bogus", "recipient=%25%00_", "recipient=" + "x" * 400, "page=999999999999999999"):
        assert client.get(f"/manage/outbox?{hostile}").status_code == 200, hostile
    detail = client.get(f"/manage/outbox/{failed}").get_data(as_text=True)
    assert "Wat er misging:" in detail and "<details><summary>Technische details</summary>" in detail
    assert "550 5.1.1" in detail and "Opnieuw proberen" in detail
    assert "Opnieuw versturen" in client.get(f"/manage/outbox/{sent.id}").get_data(as_text=True)


def test_retry_is_audited_and_happens_once_however_often_it_is_clicked(app, organiser, mailbox):
    message_id = failed_message("jan@example.org")
    client = app.test_client(user=organiser)
    first = client.post(f"/manage/outbox/{message_id}/retry", follow_redirects=True)
    assert first.status_code == 200 and "staat weer in de wachtrij" in first.get_data(as_text=True)
    second = client.post(f"/manage/outbox/{message_id}/retry", follow_redirects=True)
    assert second.status_code == 200 and "al opnieuw geprobeerd" in second.get_data(as_text=True)
    assert len(mailbox) == 1
    (event,) = _events("mail.retry")
    assert (event.actor_user_id, event.object_type, event.object_id) == (organiser.id, "OutboxMessage", str(message_id))
    log = client.get("/manage/audit").get_data(as_text=True)
    assert "Mislukt bericht opnieuw geprobeerd" in log and f'href="/manage/outbox/{message_id}"' in log


def test_resend_makes_a_new_audited_message(app, organiser, mailbox):
    sent = _sent()
    client = app.test_client(user=organiser)
    response = client.post(f"/manage/outbox/{sent.id}/resend")
    assert response.status_code == 302
    copy_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert copy_id != sent.id and len(mailbox) == 2
    (event,) = _events("mail.resend")
    assert event.object_id == str(copy_id) and event.data["message_id"] == sent.id
    refused = client.post(f"/manage/outbox/{failed_message()}/resend", follow_redirects=True)
    assert refused.status_code == 200 and "Alleen een verstuurd bericht" in refused.get_data(as_text=True)


def test_attachments_are_listed_and_downloaded_audited(app, organiser, mailbox):
    sent = _sent()
    attachment = sent.attachments[0]
    client = app.test_client(user=organiser)
    assert "programma.ics downloaden" in client.get(f"/manage/outbox/{sent.id}").get_data(as_text=True)
    response = client.get(f"/manage/outbox/{sent.id}/attachments/{attachment.id}")
    assert response.status_code == 200 and response.data == b"BEGIN:VCALENDAR"
    assert "programma.ics" in response.headers["Content-Disposition"]
    (event,) = _events("export.attachment")
    assert event.actor_user_id == organiser.id and event.data["file"] == "programma.ics"
    other = failed_message()
    assert client.get(f"/manage/outbox/{other}/attachments/{attachment.id}").status_code == 404  # not its message
    for huge in (99999999999, 2**63):  # beyond what the tables hold: a 404 on PostgreSQL too, never a 500
        assert client.get(f"/manage/outbox/{sent.id}/attachments/{huge}").status_code == 404
        assert client.get(f"/manage/outbox/{huge}").status_code == 404
        assert client.post(f"/manage/outbox/{huge}/retry").status_code == 404


def test_the_outbox_is_for_organisers_and_can_be_hidden(app, organiser):
    message_id = failed_message()
    reviewer = make_user("reviewer")
    base = f"/manage/outbox/{message_id}"
    for method, url in (("get", "/manage/outbox"), ("get", base), ("post", f"{base}/retry"),
                        ("post", f"{base}/resend")):
        assert getattr(app.test_client(user=reviewer), method)(url).status_code == 403, url
    app.config["MAIL_OUTBOX_VISIBLE"] = False
    client = app.test_client(user=organiser)
    assert client.get("/manage/outbox").status_code == 404
    assert client.post(f"/manage/outbox/{message_id}/retry").status_code == 404
    assert db.session.get(OutboxMessage, message_id).status == MailStatus.FAILED.value
