"""Registrations, workshop enrolments and sectors per edition (custom questions: ``congress.questions``)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from congress.core.models import Congress
from congress.database import UTCDateTime, utcnow
from congress.extensions import db
from congress.i18n import bilingual
from congress.municipalities.models import Municipality
from congress.programme.models import ProgrammeSession


class RegistrationStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for the double opt-in; holds its seats until expires_at
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"  # on the edition's waiting list (holds no place; ``waitlist_position`` set)
    CANCELLED = "cancelled"


class BadgeRole(enum.StrEnum):
    ATTENDEE = "deelnemer"
    SPEAKER = "spreker"
    PRESS = "pers"
    VOLUNTEER = "vrijwilliger"
    ORGANISATION = "organisatie"


class AttendanceMode(enum.StrEnum):
    """Where a registrant takes part: in the venue (the edition's capacity) or online (its online places)."""

    IN_PERSON = "in_person"
    ONLINE = "online"


class EnrolmentStatus(enum.StrEnum):
    ENROLLED = "enrolled"
    WAITLISTED = "waitlisted"


class Sector(db.Model):
    """A sector category on the registration form; organisers edit the list per edition."""

    __tablename__ = "registration_sectors"

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(ForeignKey("congresses.id", ondelete="CASCADE"), index=True)
    name_nl: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    # A sector registrations use is hidden rather than deleted: no longer offered, still shown and counted.
    hidden: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    __table_args__ = (UniqueConstraint("congress_id", "name_nl"),)

    name = bilingual("name")


class Registration(db.Model):
    __tablename__ = "registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(ForeignKey("congresses.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    # The normalised e-mail while the registration is active; NULL once cancelled or erased, so that
    # the unique constraint allows a new registration then (NULLs are distinct on every database).
    email_key: Mapped[str | None] = mapped_column(String(254))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    function: Mapped[str] = mapped_column(String(200), default="")
    sector_id: Mapped[int | None] = mapped_column(ForeignKey("registration_sectors.id", ondelete="SET NULL"),
                                                  index=True)
    # The municipality the person works for (the reach report), from the organisers' list; optional.
    # RESTRICT: a municipality named by a registration is never removed from the list.
    municipality_id: Mapped[int | None] = mapped_column(
        ForeignKey("municipalities.id", ondelete="RESTRICT"), index=True)
    dietary: Mapped[str] = mapped_column(String(500), default="")
    accessibility: Mapped[str] = mapped_column(String(500), default="")
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    consent_privacy: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_attendee_list: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_photos: Mapped[bool] = mapped_column(Boolean, default=False)
    # Appear in the participants' network (congress/network) and be contactable through it: its own consent.
    consent_network: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa.false())
    # In the room or online (an edition's online places are a pool of their own: seats.py).
    attendance_mode: Mapped[str] = mapped_column(String(16), default="in_person", server_default="in_person")
    role: Mapped[str] = mapped_column(String(16), default=BadgeRole.ATTENDEE.value)
    status: Mapped[str] = mapped_column(String(16), default=RegistrationStatus.PENDING.value, index=True)
    locale: Mapped[str] = mapped_column(String(8), default="nl")
    source: Mapped[str] = mapped_column(String(16), default="form")  # form, api, organiser, speaker
    # SHA-256 of the personal link's secret (≥ 256 bits); a lost link is replaced by a new one.
    manage_secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The link's secret is HMAC(SECRET_KEY, nonce): mails can repeat it, the database alone cannot.
    manage_nonce: Mapped[str] = mapped_column(String(48))
    # The secret on the badge's QR code (badges and check-in capabilities); not the personal link.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A ticket number on the edition's waiting list (lower comes first); NULL unless ``waitlisted``.
    waitlist_position: Mapped[int | None] = mapped_column(Integer)

    congress: Mapped[Congress] = relationship()
    sector: Mapped[Sector | None] = relationship()
    municipality: Mapped[Municipality | None] = relationship()
    enrolments: Mapped[list[Enrolment]] = relationship(
        back_populates="registration", cascade="all, delete-orphan", order_by="Enrolment.id"
    )

    __table_args__ = (
        UniqueConstraint("congress_id", "email_key"),
        CheckConstraint("status IN ('pending', 'confirmed', 'waitlisted', 'cancelled')", name="status_known"),
        CheckConstraint("role IN ('deelnemer', 'spreker', 'pers', 'vrijwilliger', 'organisatie')", name="role_known"),
        Index("ix_registrations_congress_status", "congress_id", "status"),
    )

    @property
    def is_active(self) -> bool:
        return self.status != RegistrationStatus.CANCELLED.value

    @property
    def holds_place(self) -> bool:
        """Pending or confirmed: a place in the edition (not cancelled, not on the waiting list)."""
        return self.status in (RegistrationStatus.PENDING.value, RegistrationStatus.CONFIRMED.value)


# No two people at the same place of an edition's waiting list (NULLs, everyone else, are distinct).
Index("uq_registrations_waitlist_position", Registration.congress_id, Registration.waitlist_position, unique=True)


class Enrolment(db.Model):
    """A registration's choice of one session: a seat, or a place on its waiting list."""

    __tablename__ = "registration_enrolments"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("programme_sessions.id", ondelete="CASCADE"))
    # Copied from the session: the unique constraint below allows one choice per round.
    round_id: Mapped[int | None] = mapped_column(ForeignKey("signup_rounds.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16))
    # A ticket number on the session's waiting list (lower comes first); NULL when enrolled.
    position: Mapped[int | None] = mapped_column(Integer)
    over_capacity: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    registration: Mapped[Registration] = relationship(back_populates="enrolments")
    session: Mapped[ProgrammeSession] = relationship()

    __table_args__ = (
        UniqueConstraint("registration_id", "session_id"),
        UniqueConstraint("registration_id", "round_id"),
        UniqueConstraint("session_id", "position"),
        CheckConstraint("status IN ('enrolled', 'waitlisted')", name="status_known"),
        CheckConstraint(
            "(status = 'enrolled' AND position IS NULL) OR (status = 'waitlisted' AND position IS NOT NULL)",
            name="position_only_when_waiting",
        ),
        Index("ix_registration_enrolments_session_status", "session_id", "status"),
    )


class EditionSettings(db.Model):
    """Registration settings of an edition that the edition's own row does not hold (one row per edition,
    made when first saved; no row means the defaults)."""

    __tablename__ = "registration_edition_settings"

    congress_id: Mapped[int] = mapped_column(ForeignKey("congresses.id", ondelete="CASCADE"), primary_key=True)
    # When the edition is full, people may join its waiting list (else they are refused).
    waiting_list: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa.false())
    # Online places beside the ones in the venue: offered or not, and their own limit (None: no limit).
    online_places: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa.false())
    online_capacity: Mapped[int | None] = mapped_column(Integer)
