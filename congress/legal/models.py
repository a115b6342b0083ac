"""The legal settings of an edition: its privacy statement (Markdown, NL and EN) and retention."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from congress.core.models import Congress
from congress.database import UTCDateTime, utcnow
from congress.extensions import db

DEFAULT_RETENTION_MONTHS = 12
MAX_RETENTION_MONTHS = 120


class LegalSettings(db.Model):
    """One row per edition, made when an organiser first saves the privacy page. Without it (or with
    an empty text) the edition shows the default statement and keeps data for the default period."""

    __tablename__ = "legal_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(ForeignKey("congresses.id", ondelete="CASCADE"), unique=True)
    # The statement as the organiser wrote it; empty: the default text (congress/legal/texts/).
    privacy_nl: Mapped[str] = mapped_column(Text, default="")
    privacy_en: Mapped[str] = mapped_column(Text, default="")
    # Personal data is anonymised this many months after the edition ends.
    retention_months: Mapped[int] = mapped_column(Integer, default=DEFAULT_RETENTION_MONTHS)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # When the retention job last anonymised something of this edition.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    congress: Mapped[Congress] = relationship()

    __table_args__ = (
        CheckConstraint(f"retention_months >= 1 AND retention_months <= {MAX_RETENTION_MONTHS}",
                        name="retention_months_in_range"),
    )
