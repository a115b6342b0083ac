from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from congress.database import UTCDateTime, utcnow
from congress.extensions import db


class MailStatus(enum.StrEnum):
    """queued → sending (claimed) → sent | queued (to try again) | failed (for good)."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(db.Model):
    """A rendered e-mail. It is stored before it is sent, so that nothing acknowledged is lost."""

    __tablename__ = "mail_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254), index=True)
    template: Mapped[str] = mapped_column(String(120))
    locale: Mapped[str] = mapped_column(String(8), default="nl")
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=MailStatus.QUEUED.value, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    congress_id: Mapped[int | None] = mapped_column(ForeignKey("congresses.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When a worker claimed it (status "sending"): the claim is stale only once this is old.
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # "<…@domain>", given once when queued: every try sends the same Message-ID.
    message_id_header: Mapped[str | None] = mapped_column(String(250), unique=True)
    # The SMTP server's last answer to this message ("250 2.0.0 Ok: queued as …", "550 5.1.1 …").
    smtp_code: Mapped[int | None] = mapped_column(Integer)
    smtp_reply: Mapped[str | None] = mapped_column(Text)
    # Composed by the worker, not by the request that queued it: {"kind", "argument"} (rows of
    # older versions also carry the request's "base_url", which is ignored: links come from
    # PUBLIC_BASE_URL). Subject and bodies stay empty until then (see mail.services.queue_mail_later).
    compose_later: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Further headers of this message, {name: value}, such as List-Unsubscribe on a mailing
    # (``mail.services.EXTRA_HEADERS`` names the ones a caller may set).
    headers: Mapped[dict[str, str] | None] = mapped_column(JSON)

    attachments: Mapped[list[OutboxAttachment]] = relationship(
        back_populates="message", cascade="all, delete-orphan", order_by="OutboxAttachment.id"
    )


class OutboxAttachment(db.Model):
    """A file sent with a message (an e-ticket, a calendar entry), stored with it in the outbox."""

    __tablename__ = "mail_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("mail_outbox.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    # Either the bytes, or a source ("kind:argument") that the worker renders just before sending,
    # so that slow attachments (an e-ticket PDF) never slow down the request that queued the mail.
    data: Mapped[bytes | None] = mapped_column(LargeBinary)
    source: Mapped[str | None] = mapped_column(String(120))

    message: Mapped[OutboxMessage] = relationship(back_populates="attachments")
