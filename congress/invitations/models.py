"""The tables of invitations: lists, invitees and the messages sent to them (the idempotency key)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from congress.core.models import Congress
from congress.database import UTCDateTime, utcnow
from congress.extensions import db


class InviteeStatus(enum.StrEnum):
    INVITED = "invited"
    REGISTERED = "registered"
    DECLINED = "declined"


STATUS_LABELS = {
    InviteeStatus.INVITED.value: _l("Invited"),
    InviteeStatus.REGISTERED.value: _l("Registered"),
    InviteeStatus.DECLINED.value: _l("Declined"),
}
_STATUSES = ", ".join(f"'{s.value}'" for s in InviteeStatus)

MESSAGE_INVITATION = "invitation"
MESSAGE_REMINDER = "reminder"


class InvitationList(db.Model):
    """A named group of invitees of one edition, optionally holding places for them until a date."""

    __tablename__ = "invitation_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(ForeignKey("congresses.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    # Places held for the list's members while today is on or before ``reserved_until`` (both or neither).
    reserved_places: Mapped[int] = mapped_column(Integer, default=0)
    reserved_until: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    congress: Mapped[Congress] = relationship()
    invitees: Mapped[list[Invitee]] = relationship(back_populates="list", order_by="Invitee.id",
                                                   cascade="all, delete-orphan", passive_deletes=True)

    __table_args__ = (UniqueConstraint("congress_id", "name"),
                      CheckConstraint("reserved_places >= 0", name="reserved_not_negative"))

    def reserving(self, today: date) -> bool:
        return self.reserved_places > 0 and self.reserved_until is not None and today <= self.reserved_until


class Invitee(db.Model):
    """One contact on a list: the personal link's nonce (its secret only as a hash) and the status."""

    __tablename__ = "invitation_invitees"

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("invitation_lists.id", ondelete="CASCADE"), index=True)
    congress_id: Mapped[int] = mapped_column(ForeignKey("congresses.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    email_key: Mapped[str] = mapped_column(String(254), index=True)  # normalised, lower case
    organisation: Mapped[str] = mapped_column(String(200), default="")
    sector: Mapped[str] = mapped_column(String(120), default="")
    status: Mapped[str] = mapped_column(String(16), default=InviteeStatus.INVITED.value, index=True)
    link_nonce: Mapped[str] = mapped_column(String(64))
    link_secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the invitation was queued
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    list: Mapped[InvitationList] = relationship(back_populates="invitees")

    __table_args__ = (UniqueConstraint("list_id", "email_key"),
                      CheckConstraint(f"status IN ({_STATUSES})", name="status_known"))

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status, self.status))


class InvitationMessage(db.Model):
    """A message queued for an invitee: ``UNIQUE(invitee, kind, send_key)`` makes each send reach each
    invitee once (the invitation's key is always ``first``; a reminder's key names that round)."""

    __tablename__ = "invitation_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    invitee_id: Mapped[int] = mapped_column(ForeignKey("invitation_invitees.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    send_key: Mapped[str] = mapped_column(String(64))
    outbox_message_id: Mapped[int | None] = mapped_column(ForeignKey("mail_outbox.id", ondelete="SET NULL"))
    skipped: Mapped[bool] = mapped_column(default=False)  # opted out: no message
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("invitee_id", "kind", "send_key"),)
