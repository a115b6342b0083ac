"""The network's tables: relayed messages, address shares (one row per direction), reports and blocks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from congress.database import UTCDateTime, utcnow
from congress.extensions import db
from congress.registration.models import Registration

MESSAGE_LIMIT = 2000
REASON_LIMIT = 500


class NetworkMessage(db.Model):
    """A message from one participant to another of the same edition; relayed by mail without either
    address, and shown on the recipient's personal page."""

    __tablename__ = "network_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(ForeignKey("congresses.id", ondelete="CASCADE"), index=True)
    sender_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    sender: Mapped[Registration] = relationship(foreign_keys=[sender_id])
    recipient: Mapped[Registration] = relationship(foreign_keys=[recipient_id])

    __table_args__ = (
        CheckConstraint("sender_id <> recipient_id", name="not_to_oneself"),
        # the rate limit counts a sender's messages in the last hour and day
        Index("ix_network_messages_sender_created", "sender_id", "created_at"),
    )


class NetworkShare(db.Model):
    """``owner`` agreed to show their e-mail address to ``other``; shown only when both rows exist."""

    __tablename__ = "network_shares"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    other_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("owner_id", "other_id"),)


class NetworkReport(db.Model):
    """A recipient reports a message (once); the organiser handles it in the back office."""

    __tablename__ = "network_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("network_messages.id", ondelete="CASCADE"), unique=True)
    congress_id: Mapped[int] = mapped_column(ForeignKey("congresses.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(REASON_LIMIT), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    message: Mapped[NetworkMessage] = relationship()


class NetworkBlock(db.Model):
    """The organiser blocked this registration from the network: not listed, cannot send or be contacted."""

    __tablename__ = "network_blocks"

    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"),
                                                 primary_key=True)
    congress_id: Mapped[int] = mapped_column(ForeignKey("congresses.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(REASON_LIMIT), default="")
    blocked_by: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    registration: Mapped[Registration] = relationship()
