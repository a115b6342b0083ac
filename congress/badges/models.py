"""One Ed25519 key pair per edition: the private key signs badge codes on the server, the public key
lets check-in stations verify them offline."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from congress.database import UTCDateTime, utcnow
from congress.extensions import db


class EditionKey(db.Model):
    __tablename__ = "edition_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(ForeignKey("congresses.id", ondelete="CASCADE"), unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    # Never sent to a browser or a station; only services.sign_code reads it.
    private_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IssuedCode(db.Model):
    """The code printed on a registration's badge. A new one revokes the old one; a cancelled
    registration's code is revoked through its status (see services.revocations)."""

    __tablename__ = "badge_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(ForeignKey("congresses.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    nonce: Mapped[str] = mapped_column(String(12))
    code: Mapped[str] = mapped_column(String(160), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        # At most one valid code per registration (PostgreSQL and SQLite both have partial indexes).
        Index("uq_badge_codes_active_registration", "registration_id", unique=True,
              postgresql_where=text("revoked_at IS NULL"), sqlite_where=text("revoked_at IS NULL")),
    )


class PrintRun(db.Model):
    """A batch of badges rendered in the background; the PDF is kept in the storage area ``badges``
    (instance/badges/)."""

    __tablename__ = "badge_print_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(ForeignKey("congresses.id", ondelete="CASCADE"), index=True)
    layout: Mapped[str] = mapped_column(String(20))
    selection: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued, running, done, failed
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    registration_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    error: Mapped[str] = mapped_column(Text, default="")
    file_name: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def percent(self) -> int:
        return 100 if self.total == 0 else int(100 * self.done / self.total)
