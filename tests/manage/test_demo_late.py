"""The demo's audit trail and outbox (congress.manage.demo_late): both editions, loaded once, readable."""

from __future__ import annotations

import sqlalchemy as sa

from congress.accounts import services as accounts
from congress.audit.models import AuditEvent
from congress.core.models import Congress
from congress.database import utcnow
from congress.extensions import db
from congress.mail.models import OutboxMessage


def test_the_demo_has_a_trail_and_an_outbox_for_both_editions(app, runner):
    assert runner.invoke(args=["congress", "demo"]).exit_code == 0
    second = runner.invoke(args=["congress", "demo"])
    assert "Audit trail and outbox of the demo exist" in second.output
    organiser = accounts.find_user("organisator@congres.example")
    logins = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "user.login",
                                                            AuditEvent.actor_user_id == organiser.id)).all()
    assert len(logins) == 10 and all(e.occurred_at <= utcnow() for e in logins)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "export.registrations")) == 4  # a CSV and an XLSX per edition
    for slug in ("congres-2025", "congres-2024"):
        messages = db.session.scalars(sa.select(OutboxMessage).join(Congress, Congress.id == OutboxMessage.congress_id)
                                      .where(Congress.slug == slug)).all()
        assert {m.status for m in messages} == {"sent", "failed", "queued"}, slug
        assert any(m.smtp_reply and m.smtp_reply.startswith("550 5.1.1") for m in messages), slug

    client = app.test_client(user=organiser)
    page = client.get("/manage/audit")
    assert page.status_code == 200 and "Aanmeldingen geëxporteerd" in page.get_data(as_text=True)
    outbox = client.get("/manage/outbox?status=failed").get_data(as_text=True)
    assert "dit adres niet bestaat" in outbox and "spamfilter of beleid" in outbox
    ticket = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.status == "sent",
                                                               OutboxMessage.template == "registration/confirmed")
                                ).first()
    download = client.get(f"/manage/outbox/{ticket.id}/attachments/{ticket.attachments[0].id}")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")  # the e-ticket, made on demand
