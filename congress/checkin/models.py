"""Check-in: stations, check-ins (exactly one active per registration and list) and scan events
(every scan received, keyed by the client's nonce and the code it scanned, so that a retried
upload counts once)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from congress.database import UTCDateTime, utcnow
from congress.extensions import db

VENUE = "venue"


def list_key(session_id: int | None) -> str:
    """The list a check-in belongs to: the venue entrance or one session (workshop room)."""
    return VENUE if session_id is None else f"session:{session_id}"


class Station(db.Model):
    """A device at a door or a room, signed in with its own token (only the hash is stored)."""

    __tablename__ = "checkin_stations"

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(ForeignKey("congresses.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("programme_sessions.id", ondelete="SET NULL"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    congress = relationship("Congress")
    session = relationship("ProgrammeSession")

    @property
    def list_key(self) -> str:
        return list_key(self.session_id)

    def is_active(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class CheckIn(db.Model):
    __tablename__ = "checkins"

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(ForeignKey("congresses.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    list_key: Mapped[str] = mapped_column(String(32))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("programme_sessions.id", ondelete="CASCADE"))
    station_id: Mapped[int | None] = mapped_column(ForeignKey("checkin_stations.id", ondelete="SET NULL"))
    station_name: Mapped[str] = mapped_column(String(120), default="")
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)  # when the scan happened (client)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # when the server stored it
    offline: Mapped[bool] = mapped_column(Boolean, default=False)
    # "in_person" (a scan) or "online" (the registrant opened the session's stream during it).
    mode: Mapped[str] = mapped_column(String(16), default="in_person", server_default="in_person")
    admitted_without_enrolment: Mapped[bool] = mapped_column(Boolean, default=False)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    checked_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    registration = relationship("Registration")

    __table_args__ = (
        # Exactly once: one active check-in per registration per list, enforced by the database.
        Index("uq_checkins_active", "registration_id", "list_key", unique=True,
              postgresql_where=text("undone_at IS NULL"), sqlite_where=text("undone_at IS NULL")),
    )


class ScanEvent(db.Model):
    """Every scan the server received and what it answered.

    A retried upload is recognised by its (nonce, code) pair: stations make their nonces
    themselves, so a nonce alone says nothing about which badge it was, and answering another
    badge's scan from it would show that attendee's name and notes and check nobody in."""

    __tablename__ = "checkin_scans"

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int | None] = mapped_column(ForeignKey("congresses.id", ondelete="CASCADE"), index=True)
    nonce: Mapped[str | None] = mapped_column(String(64))
    code_digest: Mapped[str] = mapped_column(String(64), default="", server_default="")  # SHA-256 of the code
    station_id: Mapped[int | None] = mapped_column(ForeignKey("checkin_stations.id", ondelete="SET NULL"))
    list_key: Mapped[str] = mapped_column(String(32), default=VENUE)
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id", ondelete="SET NULL"))
    result: Mapped[str] = mapped_column(String(32))
    response: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    __table_args__ = (
        Index("uq_checkin_scans_nonce_code", "nonce", "code_digest", unique=True),
    )


class BundleVersion(db.Model):
    """The station bundle's counter of an edition: raised by database triggers (migration
    checkin_0003) in the transaction of every change to what the bundle describes. ``epoch`` is random
    per counter, so that a version of another edition, or of a counter made anew, is never current."""

    __tablename__ = "checkin_bundle_versions"

    congress_id: Mapped[int] = mapped_column(ForeignKey("congresses.id", ondelete="CASCADE"), primary_key=True)
    epoch: Mapped[str] = mapped_column(String(32))
    seq: Mapped[int] = mapped_column()


class BundleChange(db.Model):
    """The counter's value at the last change of one registration in the bundle (kept by the same
    triggers). No foreign key to the registration: the change of a deleted one must outlive it."""

    __tablename__ = "checkin_bundle_changes"

    congress_id: Mapped[int] = mapped_column(ForeignKey("congresses.id", ondelete="CASCADE"), primary_key=True)
    registration_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column()

    __table_args__ = (Index("ix_checkin_bundle_changes_congress_seq", "congress_id", "seq"),)
