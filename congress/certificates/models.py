"""Certificates of attendance: an edition's accreditations, an attendee's professional registration,
and the verification records of the certificates issued.

A verification record is a copy (name, edition, hours, points) made when a certificate is issued; it
outlives the registration's personal data (the edition's retention) for the certificate retention
period (``CERTIFICATE_RETENTION_YEARS``, default 7) so that a register can still check a certificate,
and it is revoked (kept, shown as revoked) when the registration is cancelled or erased."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from congress.database import UTCDateTime, utcnow
from congress.extensions import db

HUNDRED = Decimal(100)


class Basis(enum.StrEnum):
    SESSION = "session"  # the points for each session attended in full
    DAY = "day"  # the points for a whole congress day


class Accreditation(db.Model):
    """A register's accreditation of the edition: its number and how many points it gives.

    Points and the register's unit are stored in hundredths (``400`` = 4 points, ``50`` = 0.5), so that
    every database counts them exactly."""

    __tablename__ = "certificate_accreditations"

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(ForeignKey("congresses.id", ondelete="CASCADE"), index=True)
    register: Mapped[str] = mapped_column(String(80))
    number: Mapped[str] = mapped_column(String(80), default="")
    basis: Mapped[str] = mapped_column(String(16), default=Basis.DAY.value)
    points_hundredths: Mapped[int] = mapped_column(Integer)
    unit_hundredths: Mapped[int] = mapped_column(Integer, default=100)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        CheckConstraint("basis IN ('session', 'day')", name="basis_known"),
        CheckConstraint("points_hundredths > 0 AND points_hundredths <= 100000", name="points_range"),
        CheckConstraint("unit_hundredths > 0 AND unit_hundredths <= 10000", name="unit_range"),
    )

    @property
    def points(self) -> Decimal:
        return Decimal(self.points_hundredths) / HUNDRED

    @property
    def unit(self) -> Decimal:
        return Decimal(self.unit_hundredths) / HUNDRED


class ProfessionalRegistration(db.Model):
    """The attendee's professional register and their number in it (optional; one per registration).

    Personal data: erased with the registration, and anonymised with the edition's retention."""

    __tablename__ = "certificate_professional_registrations"

    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"),
                                                 primary_key=True)
    congress_id: Mapped[int] = mapped_column(ForeignKey("congresses.id", ondelete="CASCADE"), index=True)
    register: Mapped[str] = mapped_column(String(80))
    number: Mapped[str] = mapped_column(String(40))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class RevokedBecause(enum.StrEnum):
    CANCELLED = "cancelled"  # the registration was cancelled
    ERASED = "erased"  # the person had their data erased
    SUPERSEDED = "superseded"  # a newer certificate replaces it (a late scan, a corrected name)


class CertificateRecord(db.Model):
    """What a certificate said when it was issued, for verification (``/verify/<code>``).

    Never changed once written, but for its revocation: a certificate whose content changes is issued
    anew (a new record, a new code) and the old record is revoked as superseded."""

    __tablename__ = "certificate_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The edition and registration may go (a deleted edition, erased data); the copy stays.
    congress_id: Mapped[int | None] = mapped_column(ForeignKey("congresses.id", ondelete="SET NULL"), index=True)
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id", ondelete="SET NULL"),
                                                        index=True)
    name: Mapped[str] = mapped_column(String(200))
    edition_nl: Mapped[str] = mapped_column(String(300))
    edition_en: Mapped[str] = mapped_column(String(300), default="")
    dates: Mapped[str] = mapped_column(String(40))  # ISO dates, "2024-11-14" or "2024-11-14/2024-11-15"
    minutes: Mapped[int] = mapped_column(Integer)
    # [{"register", "number", "points"}] with points as text ("3.5"): exact, as printed.
    points: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of the content: the same content, the same record
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_because: Mapped[str | None] = mapped_column(String(16))

    __table_args__ = (
        CheckConstraint("minutes >= 0", name="minutes_positive"),
        CheckConstraint("revoked_because IS NULL OR revoked_because IN ('cancelled', 'erased', 'superseded')",
                        name="revoked_because_known"),
        Index("ix_certificate_records_registration_digest", "registration_id", "digest"),
    )

    def edition(self, locale: str) -> str:
        return self.edition_en if locale == "en" and self.edition_en else self.edition_nl
